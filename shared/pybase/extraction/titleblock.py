"""Title-block recognition from block attributes, positioned text or form fields (pure functions).

Labels are matched by synonyms ("DWG NO", "DRAWING NUMBER", "DOC NO" -> drawing_number); a value is
either written after the label ("REV: C", "SCALE 1:2") or is the nearest text to the right of or
below a label-only text, as in the cells of a drawn title block.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from pybase.extraction.results import TitleBlock

_W = r"[\s._/-]*"
# Longest spellings first so "DRAWN BY" is not read as "DRAWN" + value "BY ...".
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "drawing_number": (
        "drawing number",
        "drawing no",
        "dwg number",
        "dwg no",
        "drg no",
        "document number",
        "document no",
        "doc no",
        "drawing nr",
        "dwg nr",
        "dwgno",
        "drawing_number",
        "number",
    ),
    "part_number": ("part number", "part no", "part nr", "pn"),
    "title": ("drawing title", "dwg title", "title", "name"),
    "revision": ("revision", "rev no", "rev", "issue"),
    "date": ("drawn date", "issue date", "date"),
    "scale": ("scale",),
    "material": ("material", "matl", "mat"),
    "author": ("drawn by", "designed by", "created by", "author", "designer", "drawn", "drn"),
    "checked_by": ("checked by", "checked", "chkd", "chk"),
    "approved_by": ("approved by", "approved", "appd"),
    "sheet": ("sheet", "sht"),
    "weight": ("weight", "mass"),
    "finish": ("surface finish", "finish"),
    "company": ("company", "client", "customer"),
    "size": ("sheet size", "size", "format"),
}
FIELDS = tuple(FIELD_LABELS)
# Fields that make a block a title block; "name"/"number"/"size" alone are too generic.
_STRONG = {"drawing_number", "title", "revision", "scale", "material", "author", "date", "sheet", "part_number"}


def _label_regex(label: str) -> str:
    return _W.join(re.escape(word) for word in label.split())


_ALL = sorted(((f, lab) for f, labels in FIELD_LABELS.items() for lab in labels), key=lambda fl: -len(fl[1]))
_LABEL_RE = re.compile(
    r"^\s*(?:" + "|".join(f"(?P<f{i}>{_label_regex(lab)})" for i, (_, lab) in enumerate(_ALL)) + r")\.?"
    r"(?![A-Za-z0-9])\s*(?P<sep>[:=#])?\s*(?P<value>.*?)\s*$",
    re.IGNORECASE | re.DOTALL,
)
# Words that are labels only in a title block context: they need "LABEL:" or to stand alone.
_GENERIC = {"number", "name", "issue", "format", "size", "pn", "mat", "drn", "client", "mass", "drawn", "sht"}
_TAG_INDEX = {re.sub(r"[^A-Z0-9]", "", lab.upper()): f for f, lab in _ALL}


def field_for_tag(tag: str) -> str | None:
    """Map an attribute tag (DWG_NO, DRAWING-NUMBER, REV) to a title-block field."""
    return _TAG_INDEX.get(re.sub(r"[^A-Z0-9]", "", tag.upper()))


def split_label(text: str) -> tuple[str, str] | None:
    """("DWG NO: A-100") -> ("drawing_number", "A-100"); value may be ""; None if no label."""
    m = _LABEL_RE.match(text)
    if m is None:
        return None
    value = m.group("value").strip()
    for i, (fld, label) in enumerate(_ALL):
        if m.group(f"f{i}") is not None:
            if value and label in _GENERIC and not m.group("sep"):
                return None
            return fld, value
    return None


def from_attributes(blocks: Iterable[tuple[str, Mapping[str, str]]]) -> TitleBlock | None:
    """Pick the block reference whose attributes look most like a title block."""
    best: tuple[int, TitleBlock] | None = None
    for block_name, attribs in blocks:
        fields: dict[str, str] = {}
        for tag, value in attribs.items():
            fld = field_for_tag(tag)
            if fld and value.strip() and fld not in fields:
                fields[fld] = value.strip()
        strong = len(_STRONG.intersection(fields))
        named = bool(re.search(r"title|border|frame|tb|sheet", block_name, re.IGNORECASE))
        if strong >= 2 or (named and strong >= 1):
            score = strong * 2 + named
            if best is None or score > best[0]:
                best = (score, TitleBlock(source="attributes", fields=fields, raw=dict(attribs), block=block_name))
    return best[1] if best else None


@dataclass(frozen=True, slots=True)
class PlacedText:
    text: str
    x: float
    y: float
    height: float = 2.5


def in_title_region(
    x: float, y: float, bounds: tuple[float, float, float, float], *, width: float = 0.5, height: float = 0.35
) -> bool:
    """Lower-right part of the sheet, where ISO 7200 and ASME Y14.1 put the title block."""
    xmin, ymin, xmax, ymax = bounds
    return x >= xmax - (xmax - xmin) * width and y <= ymin + (ymax - ymin) * height


def from_texts(
    texts: Sequence[PlacedText],
    *,
    bounds: tuple[float, float, float, float] | None = None,
    source: str = "text",
    min_fields: int = 2,
) -> TitleBlock | None:
    """Find label/value pairs among positioned texts (y grows upwards, as in DXF and PDF)."""
    if bounds is not None:
        region = [t for t in texts if in_title_region(t.x, t.y, bounds)]
        if len(region) < 2:
            region = list(texts)
    else:
        region = list(texts)
    labelled = [(t, split_label(t.text)) for t in region]
    label_only = {id(t) for t, s in labelled if s is not None and not s[1]}
    is_label = {id(t) for t, s in labelled if s is not None}
    fields: dict[str, str] = {}
    raw: dict[str, str] = {}
    for t, split in labelled:
        if split is None:
            continue
        fld, value = split
        if not value and id(t) in label_only:
            neighbour = _neighbour_value(t, region, is_label)
            value = neighbour.text.strip() if neighbour else ""
        if value and fld not in fields:
            fields[fld] = value[:200]
            raw[t.text.strip()[:100]] = value[:200]
    if len(_STRONG.intersection(fields)) < min_fields:
        return None
    return TitleBlock(source=source, fields=fields, raw=raw)  # type: ignore[arg-type]


def _neighbour_value(label: PlacedText, texts: Sequence[PlacedText], is_label: set[int]) -> PlacedText | None:
    h = max(label.height, 1e-6)
    best: tuple[float, PlacedText] | None = None
    for t in texts:
        if t is label or id(t) in is_label or not t.text.strip():
            continue
        dx, dy = t.x - label.x, t.y - label.y
        if abs(dy) <= 0.8 * h and 0 < dx <= 40 * h:
            cost = dx  # same row, to the right
        elif -4 * h <= dy < 0 and -2 * h <= dx <= 25 * h:
            cost = abs(dy) * 2 + abs(dx)  # in the cell below the label
        else:
            continue
        if best is None or cost < best[0]:
            best = (cost, t)
    return best[1] if best else None


def from_lines(lines: Iterable[str], *, source: str = "text") -> TitleBlock | None:
    """Fallback without positions: only "LABEL: value" lines count."""
    fields: dict[str, str] = {}
    raw: dict[str, str] = {}
    for line in lines:
        for part in re.split(r"\s{3,}|\t", line):
            if ":" not in part:
                continue
            split = split_label(part)
            if split and split[1] and split[0] not in fields:
                fields[split[0]] = split[1][:200]
                raw[part.strip()[:100]] = split[1][:200]
    if len(_STRONG.intersection(fields)) < 2:
        return None
    return TitleBlock(source=source, fields=fields, raw=raw)  # type: ignore[arg-type]


# Fields only a title block carries; part number, material, weight and finish also label parts and balloons.
_SHEET_FIELDS = {"drawing_number", "title", "revision", "scale", "sheet", "date", "author", "checked_by", "approved_by"}


@dataclass(frozen=True, slots=True)
class BlockCandidate:
    """A block reference with attributes and where it sits on its sheet."""

    name: str
    attributes: Mapping[str, str]
    paper_space: bool = False
    in_corner: bool = False  # in the lower-right part of its layout's extents
    width_ratio: float = 0.0  # the block's width over its layout's width
    references: int = 1  # how often the block is placed in the drawing


def rank_title_blocks(candidates: Iterable[BlockCandidate]) -> TitleBlock | None:
    """The block reference most like a title block, judged by its attribute names and its place.

    At least one attribute must name a sheet field (drawing number, title, revision, scale, sheet,
    dates, people): a block tagged PART_NUMBER and MATERIAL is a part or a balloon, wherever it sits.
    A place on the sheet (paper space, lower-right corner, a sizeable width) and a single reference
    raise the score; a block placed many times is symbols, not a title block.
    """
    best: tuple[float, TitleBlock] | None = None
    for c in candidates:
        fields: dict[str, str] = {}
        for tag, value in c.attributes.items():
            fld = field_for_tag(tag)
            if fld and value.strip() and fld not in fields:
                fields[fld] = value.strip()
        sheet = len(_SHEET_FIELDS.intersection(fields))
        if sheet == 0:
            continue
        named = bool(re.search(r"title|border|frame|tb|sheet|rahmen|schriftfeld|cartouche", c.name, re.IGNORECASE))
        place = c.paper_space + c.in_corner + (c.width_ratio >= 0.1)
        if c.references > 2:
            place -= 2
        if sheet < 2 and not (named or place >= 2):
            continue
        score = 2.0 * sheet + 0.5 * len(fields) + named + place
        if best is None or score > best[0]:
            best = (score, TitleBlock(source="attributes", fields=fields, raw=dict(c.attributes), block=c.name))
    return best[1] if best else None
