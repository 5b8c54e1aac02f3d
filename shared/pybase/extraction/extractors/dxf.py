"""DXF extractor (ezdxf). Reads normally first and falls back to ezdxf's recover mode for damaged files.

One pass over every layout's entities collects texts, dimensions, block references, counts and
approximate extents, so a full extraction costs little more than ezdxf reading the file.
"""

from __future__ import annotations

import io
import math
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC
from pathlib import Path
from typing import Any

import ezdxf
from ezdxf import recover
from ezdxf.document import Drawing
from ezdxf.entities import DXFEntity
from ezdxf.filemanagement import dxf_stream_info
from ezdxf.lldxf.tagger import binary_tags_loader
from ezdxf.math import Matrix44, Vec3
from ezdxf.tools.juliandate import calendardate
from ezdxf.tools.text import plain_mtext

from pybase.extraction import titleblock
from pybase.extraction.dimensions import find_dimensions, normalize_text, parse_dimension_text
from pybase.extraction.drawn_tables import Segment, find_drawn_tables, segment, segments_of, table_from_grid
from pybase.extraction.errors import CorruptFile
from pybase.extraction.extractors.base import Extractor
from pybase.extraction.results import (
    BlockDef,
    BlockRef,
    Dimension,
    DxfResult,
    Extents,
    Layer,
    Point,
    TextItem,
    Tolerance,
)
from pybase.extraction.tables import Fragment

INSUNITS = {
    1: "in", 2: "ft", 3: "mi", 4: "mm", 5: "cm", 6: "m", 7: "km", 8: "uin", 9: "mil", 10: "yd",
    11: "angstrom", 12: "nm", 13: "um", 14: "dm", 15: "dam", 16: "hm", 17: "Gm", 18: "AU", 19: "ly", 20: "pc",
}  # fmt: skip
DIM_KINDS = {
    0: "linear",
    1: "aligned",
    2: "angular",
    3: "diameter",
    4: "radial",
    5: "angular_3p",
    6: "ordinate",
    8: "arc",
}
ANGULAR = {2, 5}
MEASUREMENT = {0: "imperial", 1: "metric"}
UNSPECIFIED = "unspecified"
_DIGITS = frozenset("0123456789")
HEADER_VARS = (
    "$ACADVER", "$INSUNITS", "$MEASUREMENT", "$LUNITS", "$AUNITS", "$TDCREATE", "$TDUPDATE", "$TDUCREATE",
    "$TDUUPDATE", "$LASTSAVEDBY", "$DWGCODEPAGE", "$PROJECTNAME", "$FINGERPRINTGUID", "$VERSIONGUID",
    "$DIMSCALE", "$LTSCALE", "$EXTMIN", "$EXTMAX", "$LIMMIN", "$LIMMAX",
)  # fmt: skip
_JULIAN_VARS = {"$TDCREATE", "$TDUPDATE", "$TDUCREATE", "$TDUUPDATE"}
_BINARY_SENTINEL = b"AutoCAD Binary DXF\r\n\x1a\x00"


def _read(data: bytes, path: Path | None) -> tuple[Drawing, list[str] | None]:
    """Returns (doc, audit messages when recovered else None)."""
    try:
        if path is not None:
            return ezdxf.readfile(str(path)), None
        if data.startswith(_BINARY_SENTINEL):
            return Drawing.load(binary_tags_loader(data, errors="surrogateescape")), None
        info = dxf_stream_info(io.StringIO(data[:65536].decode("latin-1")))
        return ezdxf.read(io.StringIO(data.decode(info.encoding, errors="surrogateescape"))), None
    except MemoryError:
        raise
    except Exception:  # ezdxf raises many types on damaged files; recover mode decides
        pass
    try:
        doc, auditor = recover.read(io.BytesIO(data), errors="surrogateescape")
    except Exception as exc:  # recover mode is the last resort; anything it cannot read is corrupt
        raise CorruptFile(f"The DXF file is damaged beyond repair: {exc}", details={"format": "dxf"}) from None
    if not any(len(layout) for layout in doc.layouts):
        # Recover mode returns an empty drawing for files it could not make sense of at all.
        raise CorruptFile("The DXF file is damaged: no entity could be recovered.", details={"format": "dxf"})
    messages = [f"recover: {len(auditor.fixes)} fixes, {len(auditor.errors)} unfixed errors"]
    messages += [e.message for e in auditor.errors[:20]]
    return doc, messages


def block_size(doc: Drawing, name: str | None, cache: dict[str, int], depth: int = 0) -> int:
    """Entities a renderer draws for one use of block `name`, nested blocks expanded."""
    if not name:
        return 0
    cached = cache.get(name)
    if cached is not None:
        return cached
    cache[name] = 0  # placed before the walk: a block that references itself counts once
    block = doc.blocks.get(name)
    if block is None or depth > 16:
        return 0
    total = 0
    for entity in block:
        total += 1 + expansion(doc, entity, entity.dxftype(), cache, depth + 1)
    cache[name] = total
    return total


def expansion(doc: Drawing, entity: Any, kind: str, cache: dict[str, int], depth: int = 0) -> int:
    """Entities drawn for `entity` beyond itself: a block reference's block (times MINSERT's grid) and
    attributes, a dimension's geometry block."""
    if kind == "INSERT":
        dxf = entity.dxf
        grid = max(1, int(dxf.get("row_count", 1) or 1)) * max(1, int(dxf.get("column_count", 1) or 1))
        return block_size(doc, dxf.name, cache, depth) * grid + len(entity.attribs)
    if kind in ("DIMENSION", "ARC_DIMENSION", "LARGE_RADIAL_DIMENSION"):
        return block_size(doc, entity.dxf.get("geometry"), cache, depth)
    return 0


def _pt(v: Any) -> Point:
    return Point(x=round(float(v[0]), 6), y=round(float(v[1]), 6))


class _Box:
    __slots__ = ("xmax", "xmin", "ymax", "ymin")

    def __init__(self) -> None:
        self.xmin = self.ymin = math.inf
        self.xmax = self.ymax = -math.inf

    def add(self, x: float, y: float) -> None:
        if x < self.xmin:
            self.xmin = x
        if x > self.xmax:
            self.xmax = x
        if y < self.ymin:
            self.ymin = y
        if y > self.ymax:
            self.ymax = y

    def add_circle(self, c: Any, r: float) -> None:
        self.add(c[0] - r, c[1] - r)
        self.add(c[0] + r, c[1] + r)

    def merge(self, other: _Box, matrix: Matrix44 | None = None) -> None:
        if not other:
            return
        corners = (
            (other.xmin, other.ymin),
            (other.xmax, other.ymin),
            (other.xmin, other.ymax),
            (other.xmax, other.ymax),
        )
        if matrix is None:
            for x, y in corners:
                self.add(x, y)
        else:
            for v in matrix.transform_vertices(Vec3(x, y, 0) for x, y in corners):
                self.add(v.x, v.y)

    def __bool__(self) -> bool:
        return bool(self.xmin <= self.xmax)

    def bounds(self) -> tuple[float, float, float, float]:
        return (self.xmin, self.ymin, self.xmax, self.ymax)


class DxfExtractor(Extractor):
    name = "dxf"

    def _extract(self, data: bytes, *, path: Path | None, filename: str | None) -> DxfResult:
        doc, recovered = _read(data, path)
        result = DxfResult(**self._common(data, filename))  # type: ignore[arg-type]
        if recovered is not None:
            result.recovered = True
            result.warnings.extend(recovered)
        self._doc = doc
        self._result = result
        # Only what the header declares: $INSUNITS 0 (or absent) means the author did not say.
        self._units = INSUNITS.get(int(doc.header.get("$INSUNITS", 0) or 0)) if "$INSUNITS" in doc.header else None
        result.units = self._units or UNSPECIFIED
        measurement = doc.header.get("$MEASUREMENT") if "$MEASUREMENT" in doc.header else None
        result.measurement = MEASUREMENT.get(int(measurement), UNSPECIFIED) if measurement is not None else UNSPECIFIED
        result.dxf_version = doc.dxfversion
        result.metadata = self._header(doc)
        self._layers(doc)
        self._block_boxes: dict[str, _Box] = {}
        self._ref_counts: Counter[str] = Counter()
        self._layout_texts: dict[str, list[titleblock.PlacedText]] = {}
        self._layout_boxes: dict[str, _Box] = {}
        self._segments: list[Segment] = []
        self._fragments: list[tuple[Fragment, str | None, str | None]] = []  # text, layer, handle
        counts: Counter[str] = Counter()
        sizes: dict[str, int] = {}
        for layout in doc.layouts:
            box = _Box()
            placed: list[titleblock.PlacedText] = []
            self._segments, self._fragments = [], []
            self._layout_texts[layout.name] = placed
            self._layout_boxes[layout.name] = box
            expanded = 0
            for entity in layout:
                kind = entity.dxftype()
                counts[kind] += 1
                # What a preview would draw: known before anyone parses the file again to render it.
                expanded += 1
                handler = self._handlers.get(kind)
                if handler is None:
                    _extend_box(box, entity, kind)
                    continue
                try:
                    expanded += expansion(doc, entity, kind, sizes)
                    handler(self, entity, box, placed, layout.name)
                except Exception as exc:  # one bad entity must not sink the drawing
                    result.warnings.append(f"{kind} {entity.dxf.get('handle', '?')}: {exc}"[:300])
            result.expanded_entities[layout.name] = expanded
            self._texts_and_tables(placed)
        result.entity_counts = dict(sorted(counts.items()))
        self._blocks(doc)
        result.extents = self._extents(doc)
        result.title_block = self._title_block()
        del self._doc, self._result, self._segments, self._fragments
        return result

    # -- header, tables ------------------------------------------------------------------------
    def _header(self, doc: Drawing) -> dict[str, Any]:
        meta: dict[str, Any] = {}
        header = doc.header
        for var in HEADER_VARS:
            if var not in header:
                continue
            value = header.get(var)
            if var in _JULIAN_VARS:
                try:
                    value = calendardate(float(value)).replace(tzinfo=UTC).isoformat() if value else None
                except (ValueError, OverflowError):
                    value = None
            elif isinstance(value, tuple | list | Vec3):
                value = [float(c) for c in value]
            elif not isinstance(value, int | float | str):
                value = str(value)
            if value is not None:
                meta[var] = value
        custom = dict(list(header.custom_vars)[:200])
        if custom:
            meta["custom"] = custom
        meta["layouts"] = [layout.name for layout in doc.layouts][:200]
        return meta

    def _layers(self, doc: Drawing) -> None:
        limit = self.limits.max_layers
        for i, layer in enumerate(doc.layers):
            if i >= limit:
                self._result.note_truncated("layers")
                continue
            self._result.layers.append(
                Layer(
                    name=layer.dxf.name,
                    color=abs(layer.dxf.get("color", 7)),
                    linetype=layer.dxf.get("linetype"),
                    on=layer.is_on(),
                    frozen=layer.is_frozen(),
                    locked=layer.is_locked(),
                )
            )

    def _blocks(self, doc: Drawing) -> None:
        limit = self.limits.max_blocks
        for block in doc.blocks:
            name = block.name
            if name.startswith("*"):
                continue  # layouts and anonymous blocks (dimension geometry, hatches)
            if len(self._result.blocks) >= limit:
                self._result.note_truncated("blocks")
                continue
            attdefs = [e.dxf.tag for e in block if e.dxftype() == "ATTDEF"][:200]
            self._result.blocks.append(
                BlockDef(name=name, entity_count=len(block), attdefs=attdefs, references=self._ref_counts[name])
            )

    def _extents(self, doc: Drawing) -> Extents | None:
        lo, hi = doc.header.get("$EXTMIN"), doc.header.get("$EXTMAX")
        if lo is not None and hi is not None and abs(lo[0]) < 1e19 and hi[0] >= lo[0] and hi[1] >= lo[1]:
            return Extents(min=_pt(lo), max=_pt(hi), source="header")
        box = self._layout_boxes.get("Model")
        if not box:
            box = next((b for b in self._layout_boxes.values() if b), None)
        if not box:
            return None
        return Extents(min=_pt((box.xmin, box.ymin)), max=_pt((box.xmax, box.ymax)), source="computed")

    def _title_block(self):  # type: ignore[no-untyped-def]
        refs = self._ref_counts
        candidates = []
        for ref in self._result.inserts:
            if not ref.attributes:
                continue
            layout_box = self._layout_boxes.get(ref.layout)
            in_corner, ratio = False, 0.0
            block_box = self._block_boxes.get(ref.block)
            if layout_box and ref.position is not None:
                width = layout_box.xmax - layout_box.xmin
                sx = abs(ref.scale[0]) or 1.0
                if block_box and width > 0:
                    ratio = (block_box.xmax - block_box.xmin) * sx / width
                    # The block's lower-right corner: where ISO 7200 / ASME Y14.1 put the title block.
                    cx, cy = ref.position.x + block_box.xmax * sx, ref.position.y + block_box.ymin * sx
                else:
                    cx, cy = ref.position.x, ref.position.y
                in_corner = titleblock.in_title_region(cx, cy, layout_box.bounds(), width=0.25, height=0.25)
            candidates.append(
                titleblock.BlockCandidate(
                    name=ref.block,
                    attributes=ref.attributes,
                    paper_space=ref.layout != "Model",
                    in_corner=in_corner,
                    width_ratio=ratio,
                    references=refs[ref.block],
                )
            )
        found = titleblock.rank_title_blocks(candidates)
        if found is not None:
            return found
        for name, placed in self._layout_texts.items():
            box = self._layout_boxes[name]
            found = titleblock.from_texts(placed, bounds=box.bounds() if box else None)
            if found is not None:
                return found
        return None

    def _texts_and_tables(self, placed: list[titleblock.PlacedText]) -> None:
        """Tables of one layout from its lines and texts, then a dimension scan of the texts that are not
        table cells (a part designation like "ISO 4762 M8x20" in a BOM is not a thread callout). Table
        cells also leave the texts a title block is looked for in (a BOM's "PART NUMBER" is no label)."""
        fragments = self._fragments
        if not fragments:
            return
        used: set[int] = set()
        if len(fragments) >= 3:
            drawn = find_drawn_tables([f for f, _, _ in fragments], self._segments, max_rows=self.limits.max_table_rows)
            for item in drawn:
                used |= item.used
                self._add_table(item.table)
        if used:
            cells = {(fragments[k][0].text, fragments[k][0].x, fragments[k][0].y) for k in used}
            placed[:] = [p for p in placed if (p.text, p.x, p.y) not in cells]
        result, limit = self._result, self.limits.max_dimensions
        for k, (frag, layer, handle) in enumerate(fragments):
            if k in used or _DIGITS.isdisjoint(frag.text):
                continue
            for dim in find_dimensions(frag.text, default_unit=self._units):
                if len(result.dimensions) >= limit:
                    result.note_truncated("dimensions")
                    continue
                dim.layer, dim.handle, dim.source = layer, handle, "text"
                dim.position = _pt((frag.x, frag.y))
                result.dimensions.append(dim)

    def _add_table(self, table: Any) -> None:
        if len(self._result.tables) >= self.limits.max_tables:
            self._result.note_truncated("tables")
            return
        self._result.tables.append(table)

    # -- entities ------------------------------------------------------------------------------
    def _add_text(self, item: TextItem) -> bool:
        if len(self._result.texts) >= self.limits.max_texts:
            self._result.note_truncated("texts")
            return False
        if len(item.text) > self.limits.max_text_chars:
            item.text = item.text[: self.limits.max_text_chars]
            item.truncated = True
        self._result.texts.append(item)
        return True

    def _on_text(self, e: Any, box: _Box, placed: list, layout: str) -> None:
        kind = e.dxftype()
        if kind == "MTEXT":
            raw = e.text
            if "\\S" in raw:
                # Stacked tolerances ("\S+0.1^-0.0;") decoded first: plain-text conversion alone mangles them.
                text = "\n".join(" ".join(line.split()) for line in _plain(raw).split("\n"))
            else:
                text = e.plain_text(split=False)
            height = e.dxf.get("char_height", 2.5)
        else:
            text = e.plain_text()
            height = e.dxf.get("height", 2.5)
        insert = e.dxf.insert
        box.add(insert[0], insert[1])
        self._add_text(TextItem(text=text, kind=kind, layer=e.dxf.get("layer"), position=_pt(insert), height=height))
        placed.append(titleblock.PlacedText(text, insert[0], insert[1], height))
        self._fragments.append((Fragment(text, insert[0], insert[1], height or 2.5), e.dxf.get("layer"), e.dxf.handle))

    def _on_line(self, e: Any, box: _Box, placed: list, layout: str) -> None:
        s, t = e.dxf.start, e.dxf.end
        box.add(s[0], s[1])
        box.add(t[0], t[1])
        seg = segment(s[0], s[1], t[0], t[1])
        if seg is not None:
            self._segments.append(seg)

    def _on_lwpolyline(self, e: Any, box: _Box, placed: list, layout: str) -> None:
        points = [(x, y) for x, y, *_ in e.get_points("xy")]
        for x, y in points:
            box.add(x, y)
        self._segments.extend(segments_of(points, closed=e.closed))

    def _on_acad_table(self, e: Any, box: _Box, placed: list, layout: str) -> None:
        from ezdxf.entities.acad_table import read_acad_table_content

        insert = e.dxf.get("insert")
        if insert is not None:
            box.add(insert[0], insert[1])
        values = [[_plain(v) for v in row] for row in read_acad_table_content(e)]
        table = table_from_grid(values, max_rows=self.limits.max_table_rows)
        if table is not None:
            self._add_table(table)

    def _on_insert(self, e: Any, box: _Box, placed: list, layout: str) -> None:
        name = e.dxf.name
        self._ref_counts[name] += 1
        block_box = self._block_box(name, depth=0)
        if block_box:
            box.merge(block_box, e.matrix44())
        else:
            box.add(e.dxf.insert[0], e.dxf.insert[1])
        attributes: dict[str, str] = {}
        limit = self.limits.max_attribs_per_insert
        for attrib in e.attribs[:limit]:
            value = attrib.plain_text() if hasattr(attrib, "plain_text") else attrib.dxf.text
            attributes[attrib.dxf.tag] = value[: self.limits.max_text_chars]
            ins = attrib.dxf.insert
            placed.append(titleblock.PlacedText(value, ins[0], ins[1], attrib.dxf.get("height", 2.5)))
        if len(self._result.inserts) >= self.limits.max_inserts:
            self._result.note_truncated("inserts")
            return
        self._result.inserts.append(
            BlockRef(
                block=name,
                layer=e.dxf.get("layer"),
                handle=e.dxf.get("handle"),
                position=_pt(e.dxf.insert),
                rotation=float(e.dxf.get("rotation", 0.0)),
                scale=(float(e.dxf.get("xscale", 1)), float(e.dxf.get("yscale", 1)), float(e.dxf.get("zscale", 1))),
                attributes=attributes,
                layout=layout,
            )
        )

    def _block_box(self, name: str, depth: int) -> _Box:
        cached = self._block_boxes.get(name)
        if cached is not None:
            return cached
        box = _Box()
        self._block_boxes[name] = box  # placed before the walk: guards against self-referencing blocks
        block = self._doc.blocks.get(name)
        if block is None or depth > 8:
            return box
        base = block.block.dxf.get("base_point", (0, 0, 0))
        for entity in block:
            kind = entity.dxftype()
            if kind == "INSERT":
                inner = self._block_box(entity.dxf.name, depth + 1)
                box.merge(inner, entity.matrix44())
            elif kind in ("TEXT", "MTEXT", "ATTDEF"):
                box.add(entity.dxf.insert[0], entity.dxf.insert[1])
            else:
                _extend_box(box, entity, kind)
        if box and (base[0] or base[1]):
            box.xmin -= base[0]
            box.xmax -= base[0]
            box.ymin -= base[1]
            box.ymax -= base[1]
        return box

    def _on_dimension(self, e: Any, box: _Box, placed: list, layout: str) -> None:
        if len(self._result.dimensions) >= self.limits.max_dimensions:
            self._result.note_truncated("dimensions")
            return
        dimtype = e.dimtype
        kind = DIM_KINDS.get(dimtype, f"type_{dimtype}")
        style = e.override()
        get = style.get
        angular = dimtype in ANGULAR
        measurement: float | None
        try:
            raw = e.get_measurement()
            if dimtype == 6:  # ordinate: ezdxf gives the vector origin -> feature; keep the X or Y part
                x_type = bool(e.dxf.get("dimtype", 0) & 64)
                measurement = abs(raw.x if x_type else raw.y)
                kind = "ordinate_x" if x_type else "ordinate_y"
            else:
                measurement = float(raw)
        except Exception:
            measurement = e.dxf.get("actual_measurement")
        if measurement is not None and not angular:
            measurement *= float(get("dimlfac", 1.0) or 1.0)
        decimals = int(get("dimadec" if angular else "dimdec", 2) or 0)
        if angular and decimals < 0:
            decimals = int(get("dimdec", 2) or 0)
        unit = "deg" if angular else self._units
        tolerance = self._dimstyle_tolerance(get, measurement, decimals)
        measured_text = _format(measurement, decimals, get("dimzin", 0)) if measurement is not None else ""
        if measured_text:
            measured_text = {3: "Ø", 4: "R"}.get(dimtype, "") + measured_text + ("°" if angular else "")
            post = get("dimpost", "") or ""
            if post:
                measured_text = post.replace("<>", measured_text) if "<>" in post else measured_text + post
        user_text = e.dxf.get("text", "")
        if tolerance is not None and tolerance.type == "limits" and measured_text:
            measured_text = _tolerance_text(tolerance, decimals)  # limits replace the measurement
        elif tolerance is not None and measured_text:
            measured_text = f"{measured_text} {_tolerance_text(tolerance, decimals)}"
        if user_text == " ":
            text = ""  # suppressed by the author
        elif user_text in ("", "<>"):
            text = measured_text
        else:
            plain = _plain(user_text)
            if dimtype in (3, 4) and measured_text[:1] in ("Ø", "R") and measured_text[:1] in plain:
                measured_text = measured_text[1:]  # the author wrote the symbol already ("%%c<>")
            text = " ".join(plain.replace("<>", measured_text).split())
        value = round(measurement, max(decimals, 0)) if measurement is not None else None
        parsed = parse_dimension_text(text, default_unit=unit) if text else None
        count = None
        if parsed is not None:
            if user_text not in ("", "<>", " ") and "<>" not in user_text and parsed.value is not None:
                value = parsed.value  # the author typed a value over the measurement: the drawing shows that
            if tolerance is None and parsed.tolerance is not None:
                tolerance = parsed.tolerance
                if parsed.value is not None and value is not None and tolerance.type in ("symmetric", "deviation"):
                    tolerance = _with_limits(tolerance, value)
            count = parsed.count
        position = e.dxf.get("text_midpoint") or e.dxf.get("defpoint")
        if position is not None:
            box.add(position[0], position[1])
        self._result.dimensions.append(
            Dimension(
                kind=kind,
                value=value,
                measurement=round(measurement, 10) if measurement is not None else None,
                text=text,
                unit=unit,
                tolerance=tolerance,
                count=count,
                layer=e.dxf.get("layer"),
                handle=e.dxf.get("handle"),
                position=_pt(position) if position is not None else None,
                source="entity",
            )
        )

    @staticmethod
    def _dimstyle_tolerance(get: Callable[..., Any], measurement: float | None, decimals: int) -> Tolerance | None:
        limits, tol = get("dimlim", 0), get("dimtol", 0)
        if not (limits or tol):
            return None
        tp, tm = float(get("dimtp", 0.0) or 0.0), float(get("dimtm", 0.0) or 0.0)
        # DIMTM is stored positive and subtracted (AutoCAD's convention).
        plus, minus = tp, -tm
        upper = round(measurement + plus, 10) if measurement is not None else None
        lower = round(measurement + minus, 10) if measurement is not None else None
        if limits:
            kind = "limits"
        elif math.isclose(tp, tm):
            kind = "symmetric"
        else:
            kind = "deviation"
        return Tolerance(type=kind, plus=plus, minus=minus, upper=upper, lower=lower, source="dimstyle")

    _handlers: dict[str, Callable[..., None]] = {
        "TEXT": _on_text,
        "MTEXT": _on_text,
        "INSERT": _on_insert,
        "DIMENSION": _on_dimension,
        "ARC_DIMENSION": _on_dimension,
        "LINE": _on_line,
        "LWPOLYLINE": _on_lwpolyline,
        "ACAD_TABLE": _on_acad_table,
    }


def _with_limits(tol: Tolerance, value: float) -> Tolerance:
    return tol.model_copy(
        update={
            "upper": round(value + (tol.plus or 0.0), 10),
            "lower": round(value + (tol.minus or 0.0), 10),
        }
    )


def _plain(text: str) -> str:
    # Stacks first: ezdxf's plain-text conversion mangles "\S+0.2^-0.1;".
    return plain_mtext(normalize_text(text), split=False)


def _format(value: float, decimals: int, dimzin: int) -> str:
    text = f"{value:.{max(decimals, 0)}f}"
    if dimzin & 8 and "." in text:
        text = text.rstrip("0").rstrip(".")
    if dimzin & 4 and text.startswith("0."):
        text = text[1:]
    return text


def _tolerance_text(tol: Tolerance, decimals: int) -> str:
    d = max(decimals, 0)
    if tol.type == "limits":
        return f"{tol.upper:.{d}f}/{tol.lower:.{d}f}" if tol.upper is not None else ""
    if tol.type == "symmetric":
        return f"±{tol.plus:.{d}f}"
    return f"{tol.plus:+.{d}f}/{tol.minus:+.{d}f}"


def _extend_box(box: _Box, e: DXFEntity, kind: str) -> None:
    """Cheap key-point extents: exact for lines and polylines, a safe square for arcs and circles."""
    dxf = e.dxf
    if kind == "LINE":
        s, t = dxf.start, dxf.end
        box.add(s[0], s[1])
        box.add(t[0], t[1])
    elif kind in ("CIRCLE", "ARC"):
        box.add_circle(dxf.center, dxf.radius)
    elif kind == "LWPOLYLINE":
        for x, y, *_ in e.get_points("xy"):  # type: ignore[attr-defined]
            box.add(x, y)
    elif kind == "POLYLINE":
        for v in e.points():  # type: ignore[attr-defined]
            box.add(v[0], v[1])
    elif kind == "POINT":
        box.add(dxf.location[0], dxf.location[1])
    elif kind == "ELLIPSE":
        c, m = dxf.center, dxf.major_axis
        r = math.hypot(m[0], m[1])
        box.add_circle(c, r)
    elif kind == "SPLINE":
        points: Iterable[Any] = e.control_points or e.fit_points  # type: ignore[attr-defined]
        for p in points:
            box.add(p[0], p[1])
    elif kind in ("SOLID", "TRACE", "3DFACE"):
        for name in ("vtx0", "vtx1", "vtx2", "vtx3"):
            v = dxf.get(name)
            if v is not None:
                box.add(v[0], v[1])
