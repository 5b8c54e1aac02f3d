"""Tables drawn with lines and texts (BOMs and parts lists in DXF), and ACAD_TABLE contents (pure).

A drawn table is found from its header: a row of texts of which at least two are known column names
(the rule PDFs use). The horizontal lines that span the header give the row boundaries, the vertical
lines that cross the header row give the columns; rows are then read cell by cell away from the header,
downwards or upwards (DXF parts lists often grow upwards from a header at the bottom), until a row has
no text, is another header, or is no longer crossed by the table's column lines. Texts with no grid
around them fall back to the position-only rule of `tables.find_tables`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from pybase.extraction.results import Table
from pybase.extraction.tables import Fragment, find_tables, group_rows, header_cells, table_kind, unique_names
from pybase.extraction.titleblock import split_label


@dataclass(frozen=True, slots=True)
class Segment:
    """An axis-parallel line: horizontal when `horizontal`, at `at` (y or x), from `lo` to `hi`."""

    horizontal: bool
    at: float
    lo: float
    hi: float


def segments_of(points: Sequence[tuple[float, float]], *, closed: bool = False) -> list[Segment]:
    """Axis-parallel segments of a polyline (slanted ones are not table borders)."""
    out: list[Segment] = []
    pts = list(points) + ([points[0]] if closed and points else [])
    for (x1, y1), (x2, y2) in pairwise(pts):
        seg = segment(x1, y1, x2, y2)
        if seg is not None:
            out.append(seg)
    return out


def segment(x1: float, y1: float, x2: float, y2: float) -> Segment | None:
    dx, dy = abs(x2 - x1), abs(y2 - y1)
    if dy <= 1e-6 * max(dx, 1.0) and dx > 0:
        return Segment(True, y1, min(x1, x2), max(x1, x2))
    if dx <= 1e-6 * max(dy, 1.0) and dy > 0:
        return Segment(False, x1, min(y1, y2), max(y1, y2))
    return None


def _mostly_labels(texts: Sequence[str]) -> bool:
    """At least two and half of `texts` are title-block labels alone ("SIZE", "DWG NO", "REV"): a title
    block's grid (or a revision block), not a table; parts lists (`table_kind` "bom") are never judged so."""
    filled = [t for t in texts if t.strip()]
    labels = 0
    for text in filled:
        split = split_label(text)
        labels += split is not None and not split[1]
    return labels >= 2 and labels * 2 >= len(filled)


@dataclass(slots=True)
class DrawnTable:
    table: Table
    used: set[int]  # indexes of the texts that became cells


def find_drawn_tables(
    texts: Sequence[Fragment], segments: Sequence[Segment], *, max_rows: int = 5_000
) -> list[DrawnTable]:
    """Tables among positioned texts (y grows upwards), using the lines around them when there are any."""
    if len(texts) < 3:
        return []
    index = {id(t): i for i, t in enumerate(texts)}
    rows = group_rows([t for t in texts if t.text.strip()])
    horizontals = sorted((s for s in segments if s.horizontal), key=lambda s: s.at)
    verticals = sorted((s for s in segments if not s.horizontal), key=lambda s: s.at)
    found: list[DrawnTable] = []
    taken: set[int] = set()
    for row in rows:
        header = header_cells(row)
        if header is None or any(index[id(c)] in taken for c in row.cells):
            continue
        drawn = _grid_table(row.cells, header, texts, horizontals, verticals, max_rows)
        if drawn is None or (drawn.table.kind != "bom" and _mostly_labels(drawn.table.header)):
            continue
        drawn.used.difference_update(taken)
        taken |= drawn.used
        found.append(drawn)
    # Parts lists written as text only (no lines): the PDF rule, once in each direction.
    rest = [t for i, t in enumerate(texts) if i not in taken]
    for flip in (False, True):
        frags = [Fragment(t.text, t.x, -t.y if flip else t.y, t.size) for t in rest]
        cells: list[Fragment] = []
        kept: list[Table] = []
        for table in find_tables(frags, max_rows=max_rows, used=cells):
            if table.kind == "bom" or not _mostly_labels(table.header):
                kept.append(table)
        if kept:
            # The cells of the tables kept (a title block's grid read as a table gives its texts back).
            texts_kept = {h for t in kept for h in t.header} | {v for t in kept for r in t.rows for v in r.values()}
            ids = {id(f) for f in cells if " ".join(f.text.split()) in texts_kept}
            used = {index[id(t)] for t, f in zip(rest, frags, strict=True) if id(f) in ids}
            found.extend(DrawnTable(t, set()) for t in kept)
            found[-1].used |= used
            taken |= used
        rest = [t for t in rest if index[id(t)] not in taken]
    return found


def _grid_table(
    header_row: list[Fragment],
    header: list[Fragment],
    texts: Sequence[Fragment],
    horizontals: list[Segment],
    verticals: list[Segment],
    max_rows: int,
) -> DrawnTable | None:
    first, last = min(c.x for c in header_row), max(c.x for c in header_row)
    y = sum(c.y for c in header_row) / len(header_row)
    size = max(c.size for c in header_row) or 1.0
    tol = 0.25 * size
    # Row boundaries: horizontal lines under the whole header.
    ys = sorted({round(s.at, 6) for s in horizontals if s.lo <= first + tol and s.hi >= last - tol})
    i = bisect_left(ys, y)
    if i == 0 or i >= len(ys):
        return None
    bottom, top = ys[i - 1], ys[i]
    span = [s for s in horizontals if s.lo <= first + tol and s.hi >= last - tol and s.at in (bottom, top)]
    left = max(min(s.lo for s in span), first - 40 * size)
    right = min(max(s.hi for s in span), last + 40 * size)

    def columns_at(lo: float, hi: float) -> list[float]:
        band = 0.2 * (hi - lo)
        return sorted(
            {
                round(s.at, 6)
                for s in verticals
                if left - tol <= s.at <= right + tol and s.lo <= lo + band and s.hi >= hi - band
            }
        )

    xs = columns_at(bottom, top)
    if len(xs) < 3:
        return None
    index = {id(t): k for k, t in enumerate(texts)}
    inside = [t for t in texts if xs[0] < t.x < xs[-1]]

    def cells(lo: float, hi: float) -> dict[int, list[Fragment]]:
        out: dict[int, list[Fragment]] = {}
        for t in inside:
            if lo < t.y < hi:
                col = bisect_right(xs, t.x) - 1
                if 0 <= col < len(xs) - 1:
                    out.setdefault(col, []).append(t)
        return out

    def joined(frags: list[Fragment]) -> str:
        return " ".join(" ".join(f.text.split()) for f in sorted(frags, key=lambda f: (-f.y, f.x)))

    head = cells(bottom, top)
    columns = [c for c in range(len(xs) - 1) if c in head]
    if len(columns) < 3:
        return None
    names = unique_names([joined(head[c]) for c in columns])
    used = {index[id(t)] for c in columns for t in head[c]}
    best: list[tuple[dict[str, str], set[int]]] = []
    for step in (-1, 1):  # -1: rows below the header, +1: rows above it
        records: list[tuple[dict[str, str], set[int]]] = []
        k = i - 1 if step < 0 else i
        while (k >= 1) if step < 0 else (k + 1 < len(ys)):
            lo, hi = (ys[k - 1], ys[k]) if step < 0 else (ys[k], ys[k + 1])
            crossing = set(columns_at(lo, hi))
            if sum(1 for x in xs if x in crossing) < max(2, len(xs) // 2):
                break  # the column lines stop: the table ended
            row_cells = cells(lo, hi)
            row_frags = [t for fr in row_cells.values() for t in fr]
            if not row_frags:
                break
            grouped = group_rows(row_frags)
            if len(grouped) == 1 and header_cells(grouped[0]) is not None:
                break  # another table's header
            if _mostly_labels([f.text for f in row_frags]):
                break  # the title block's labels: the table ended
            record = {name: joined(row_cells.get(c, [])) for name, c in zip(names, columns, strict=True)}
            if not any(record.values()):
                break
            records.append((record, {index[id(t)] for t in row_frags}))
            k += step
        if len(records) > len(best):
            best = records
    if not best:
        return None
    truncated = len(best) > max_rows
    for _, ids in best:
        used |= ids
    rows = [r for r, _ in best[:max_rows]]
    return DrawnTable(Table(kind=table_kind(names), header=names, rows=rows, truncated=truncated), used)


def table_from_grid(values: list[list[str]], *, max_rows: int = 5_000) -> Table | None:
    """An ACAD_TABLE's cell texts (row by row) as a table: a leading row with one filled cell is the
    title, the next row the header."""
    rows = [[" ".join(v.split()) for v in row] for row in values if any(v.strip() for v in row)]
    while rows and sum(1 for v in rows[0] if v) == 1 and len(rows) > 1 and len(rows[0]) > 1:
        rows = rows[1:]  # title row (merged across the table)
    if len(rows) < 2:
        return None
    width = max(len(r) for r in rows)
    header_row = rows[0] + [""] * (width - len(rows[0]))
    keep = [c for c in range(width) if header_row[c] or any(c < len(r) and r[c] for r in rows[1:])]
    names = unique_names([header_row[c] or f"Column {c + 1}" for c in keep])
    records = [{n: (r[c] if c < len(r) else "") for n, c in zip(names, keep, strict=True)} for r in rows[1:]]
    return Table(kind=table_kind(names), header=names, rows=records[:max_rows], truncated=len(records) > max_rows)
