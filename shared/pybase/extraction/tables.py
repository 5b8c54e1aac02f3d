"""Tables (BOM, parts lists) rebuilt from positioned text fragments (pure; used by the PDF extractor).

A header row is a row with at least three cells of which at least two are known column names; the
header cells' x positions become column anchors, and the rows below it, spaced like table rows,
become records until the spacing breaks or another header starts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pybase.extraction.results import Table

HEADER_WORDS = {
    "ITEM", "ITEMNO", "POS", "POSITION", "NO", "#", "QTY", "QUANTITY", "PCS", "PARTNO", "PARTNUMBER", "PART",
    "PARTNAME", "DESCRIPTION", "DESC", "MATERIAL", "MAT", "MATL", "NAME", "TITLE", "REV", "REVISION", "SIZE",
    "WEIGHT", "MASS", "UNIT", "UOM", "DRAWINGNO", "DWGNO", "DRAWINGNUMBER", "VENDOR", "SUPPLIER",
    "MANUFACTURER", "MFR", "FINISH", "STOCK", "REMARKS", "NOTES", "NOTE", "COMMENT", "COMMENTS", "LENGTH",
    "DIMENSIONS", "STANDARD", "TYPE", "CODE", "REF", "REFERENCE", "ARTICLE", "ARTNO", "ORDERNO",
}  # fmt: skip
_QTY = {"QTY", "QUANTITY", "PCS"}
_PART = {"PARTNO", "PARTNUMBER", "PART", "PARTNAME", "DESCRIPTION", "DESC", "ITEM", "ITEMNO", "POS"}


def _key(text: str) -> str:
    return re.sub(r"[^A-Z0-9#]", "", text.upper())


@dataclass(slots=True)
class Fragment:
    text: str
    x: float
    y: float
    size: float = 10.0


@dataclass(slots=True)
class _Row:
    y: float
    size: float
    cells: list[Fragment]


def group_rows(fragments: Sequence[Fragment]) -> list[_Row]:
    """Rows from top to bottom (y grows upwards as in PDF user space), cells left to right."""
    rows: list[_Row] = []
    for f in sorted(fragments, key=lambda f: (-f.y, f.x)):
        if rows and abs(rows[-1].y - f.y) <= 0.45 * max(f.size, rows[-1].size):
            rows[-1].cells.append(f)
        else:
            rows.append(_Row(f.y, f.size, [f]))
    for row in rows:
        row.cells.sort(key=lambda c: c.x)
    return rows


def _header_cells(row: _Row) -> list[Fragment] | None:
    if len(row.cells) < 3:
        return None
    cells: list[Fragment] = []
    for cell in row.cells:
        # Re-join headers split into words by the PDF writer ("PART" "NO" -> "PART NO").
        if cells and _key(cells[-1].text + cell.text) in HEADER_WORDS and _key(cells[-1].text) not in _QTY:
            prev = cells[-1]
            cells[-1] = Fragment(f"{prev.text} {cell.text}", prev.x, prev.y, prev.size)
        else:
            cells.append(cell)
    known = sum(1 for c in cells if _key(c.text) in HEADER_WORDS)
    return cells if len(cells) >= 3 and known >= 2 else None


def find_tables(
    fragments: Sequence[Fragment], *, page: int | None = None, max_rows: int = 5_000, used: list[Fragment] | None = None
) -> list[Table]:
    """Tables among `fragments`; the fragments that became header or cells are appended to `used`."""
    rows = group_rows([f for f in fragments if f.text.strip()])
    tables: list[Table] = []
    i = 0
    while i < len(rows):
        header = _header_cells(rows[i])
        if header is None:
            i += 1
            continue
        names = _unique([" ".join(c.text.split()) for c in header])
        anchors = [c.x for c in header]
        slack = 0.8 * header[0].size
        records: list[dict[str, str]] = []
        truncated = False
        prev_y = rows[i].y
        spacing: float | None = None
        j = i + 1
        while j < len(rows):
            row = rows[j]
            gap = prev_y - row.y
            limit = 2.5 * spacing if spacing else 4.0 * max(row.size, header[0].size)
            if gap > limit or _header_cells(row) is not None:
                break
            cells = [c for c in row.cells if c.x >= anchors[0] - slack]
            if len(cells) < 2 and len(names) > 2:
                break
            record = dict.fromkeys(names, "")
            for cell in cells:
                col = _column(cell.x, anchors, slack)
                text = " ".join(cell.text.split())
                record[names[col]] = f"{record[names[col]]} {text}".strip()
            if used is not None:
                used.extend(cells)
            if len(records) < max_rows:
                records.append(record)
            else:
                truncated = True
            spacing = gap if spacing is None else min(spacing, gap)
            prev_y = row.y
            j += 1
        if records:
            if used is not None:
                used.extend(rows[i].cells)
            tables.append(Table(page=page, kind=table_kind(names), header=names, rows=records, truncated=truncated))
        i = j if records else i + 1
    return tables


def table_kind(names: Sequence[str]) -> str:
    """"bom" when the header names a quantity and a part, else "table"."""
    keys = {_key(n) for n in names}
    return "bom" if keys & _QTY and keys & _PART else "table"


def _column(x: float, anchors: list[float], slack: float) -> int:
    col = 0
    for k, a in enumerate(anchors):
        if x >= a - slack:
            col = k
    return col


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        n = seen.get(name, 0)
        seen[name] = n + 1
        out.append(name if n == 0 else f"{name} {n + 1}")
    return out


header_cells = _header_cells
unique_names = _unique
