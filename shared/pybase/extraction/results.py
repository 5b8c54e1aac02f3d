"""Structured, JSON-serialisable extraction results (pydantic v2).

Every list is capped by `Limits`; what was dropped is counted in `ExtractionResult.truncated` so a
consumer can tell a complete result from a bounded one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

EXTRACTOR_VERSION = "1"

ToleranceType = Literal["symmetric", "deviation", "limits", "fit", "basic"]


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds that keep a result small enough to store as one JSON document."""

    max_bytes: int = 100 * 1024 * 1024
    max_texts: int = 5_000
    max_text_chars: int = 2_000
    max_dimensions: int = 5_000
    max_inserts: int = 5_000
    max_blocks: int = 2_000
    max_layers: int = 2_000
    max_pages: int = 2_000
    max_page_text_chars: int = 100_000
    max_tables: int = 200
    max_table_rows: int = 5_000
    max_form_fields: int = 2_000
    max_attribs_per_insert: int = 200
    max_elements: int = 20_000  # IFC elements, STEP parts and assembly nodes
    max_properties_per_element: int = 500


REPLACEMENT = "\ufffd"


def _clean_text(text: str) -> tuple[str, int]:
    """`text` without what PostgreSQL's JSONB refuses: NUL and lone surrogates (the traces of invalid
    UTF-8 bytes read with surrogateescape), each replaced with U+FFFD; returns the count replaced."""
    if "\x00" not in text:
        if text.isascii():
            return text, 0
        try:
            text.encode("utf-8")
            return text, 0
        except UnicodeEncodeError:
            pass
    out = []
    replaced = 0
    for ch in text:
        if ch == "\x00" or "\ud800" <= ch <= "\udfff":
            out.append(REPLACEMENT)
            replaced += 1
        else:
            out.append(ch)
    return "".join(out), replaced


def clean_json(value: Any) -> tuple[Any, int]:
    """A JSON-ready value with every string (keys too) made storable; returns the count replaced."""
    try:
        # Fast path, in C: nearly every result is clean, and a walk in Python costs ~20-40 ms on large ones.
        text = json.dumps(value, ensure_ascii=False)
        if "\\u0000" not in text:
            text.encode("utf-8")  # lone surrogates do not encode
            return value, 0
    except (TypeError, ValueError):  # UnicodeEncodeError is a ValueError
        pass
    return _clean_walk(value)


def _clean_walk(value: Any) -> tuple[Any, int]:
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, dict):
        total = 0
        out: dict[Any, Any] = {}
        for key, item in value.items():
            if isinstance(key, str):
                key, n = _clean_text(key)
                total += n
            out[key], n = _clean_walk(item)
            total += n
        return out, total
    if isinstance(value, list | tuple):
        items = []
        total = 0
        for item in value:
            item, n = _clean_walk(item)
            items.append(item)
            total += n
        return items, total
    return value, 0


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Point(_Model):
    x: float
    y: float


class Tolerance(_Model):
    """A tolerance in the dimension's unit.

    `plus`/`minus` are signed deviations from the nominal value (symmetric ±0.05 gives +0.05/-0.05);
    `upper`/`lower` are the resulting limits when they can be computed. A fit class (H7, g6) that the
    ISO 286 tables in `iso286` cover becomes a "deviation" with `fit` kept (Ø12 H7 -> +0.018/0);
    other classes (and fit pairs like H7/g6) stay type "fit" with only the name.
    """

    type: ToleranceType
    plus: float | None = None
    minus: float | None = None
    upper: float | None = None
    lower: float | None = None
    fit: str | None = None
    source: Literal["dimstyle", "text"] = "text"


class Dimension(_Model):
    kind: str  # linear, aligned, angular, angular_3p, radial, diameter, ordinate, arc, thread, length, angle
    value: float | None = None  # nominal value as shown (override text wins over measurement)
    measurement: float | None = None  # geometric measurement (DXF only), scaled by DIMLFAC
    text: str = ""  # displayed text, plain
    unit: str | None = None
    tolerance: Tolerance | None = None
    count: int | None = None  # "4x Ø6" -> 4
    pitch: float | None = None  # threads: M8x1.25 -> 1.25
    thread_class: str | None = None
    layer: str | None = None
    handle: str | None = None
    position: Point | None = None
    page: int | None = None  # PDF, 1-based
    # DXF: "entity" for DIMENSION entities, "text" for a dimension written in TEXT/MTEXT.
    source: str | None = None


class TextItem(_Model):
    text: str
    kind: str  # TEXT, MTEXT, ATTRIB, pdf
    layer: str | None = None
    position: Point | None = None
    height: float | None = None
    page: int | None = None
    truncated: bool = False


class TitleBlock(_Model):
    """Recognised title-block fields; `raw` keeps the label -> value pairs the fields came from."""

    source: Literal["attributes", "text", "form_fields", "metadata"]
    fields: dict[str, str] = Field(default_factory=dict)
    raw: dict[str, str] = Field(default_factory=dict)
    block: str | None = None


class Table(_Model):
    page: int | None = None
    kind: str = "table"  # bom when the header looks like a parts list
    header: list[str]
    rows: list[dict[str, str]]
    truncated: bool = False


class Layer(_Model):
    name: str
    color: int | None = None
    linetype: str | None = None
    on: bool = True
    frozen: bool = False
    locked: bool = False


class BlockDef(_Model):
    name: str
    entity_count: int
    attdefs: list[str] = Field(default_factory=list)
    references: int = 0


class BlockRef(_Model):
    block: str
    layer: str | None = None
    handle: str | None = None
    position: Point | None = None
    rotation: float = 0.0
    scale: tuple[float, float, float] = (1.0, 1.0, 1.0)
    attributes: dict[str, str] = Field(default_factory=dict)
    layout: str = "Model"


class Extents(_Model):
    min: Point
    max: Point
    source: Literal["header", "computed"]


class PageInfo(_Model):
    number: int
    width_pt: float
    height_pt: float
    width_mm: float
    height_mm: float
    rotation: int = 0
    text: str = ""
    text_truncated: bool = False


class FormField(_Model):
    name: str
    type: str | None = None
    value: Any = None


class ExtractionResult(_Model):
    format: str
    extractor_version: str = EXTRACTOR_VERSION
    filename: str | None = None
    size_bytes: int
    sha256: str
    metadata: dict[str, Any] = Field(default_factory=dict)
    title_block: TitleBlock | None = None
    texts: list[TextItem] = Field(default_factory=list)
    dimensions: list[Dimension] = Field(default_factory=list)
    tables: list[Table] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    truncated: dict[str, int] = Field(default_factory=dict)  # list name -> items left out
    # Characters replaced with U+FFFD because no JSON document can store them (NUL, invalid UTF-8).
    replaced_chars: int = 0
    duration_ms: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready and storable: drawings carry NUL bytes and invalid UTF-8 in their texts (caret
        encoding, wrong code pages), which PostgreSQL's JSONB refuses; they are replaced and counted."""
        data, replaced = clean_json(self.model_dump(mode="json"))
        if replaced:
            data["replaced_chars"] = data.get("replaced_chars", 0) + replaced
            data["warnings"] = [
                *data.get("warnings", []),
                f"{replaced} character(s) that cannot be stored (NUL or invalid UTF-8) were replaced with U+FFFD.",
            ]
        return data

    def note_truncated(self, name: str, dropped: int = 1) -> None:
        self.truncated[name] = self.truncated.get(name, 0) + dropped


class DxfResult(ExtractionResult):
    format: Literal["dxf"] = "dxf"
    dxf_version: str | None = None
    units: str | None = None  # mm, in, ... from $INSUNITS; "unspecified" when the header does not say
    measurement: str | None = None  # $MEASUREMENT: "metric", "imperial" or "unspecified"
    recovered: bool = False  # read with ezdxf's recover mode
    layers: list[Layer] = Field(default_factory=list)
    blocks: list[BlockDef] = Field(default_factory=list)
    inserts: list[BlockRef] = Field(default_factory=list)
    entity_counts: dict[str, int] = Field(default_factory=dict)  # model space + paper space layouts
    # Per layout: entities a renderer draws once block references and dimensions are expanded.
    expanded_entities: dict[str, int] = Field(default_factory=dict)
    extents: Extents | None = None


class PdfResult(ExtractionResult):
    format: Literal["pdf"] = "pdf"
    page_count: int = 0
    encrypted: bool = False
    pages: list[PageInfo] = Field(default_factory=list)
    form_fields: list[FormField] = Field(default_factory=list)
    # "full", "partial" (some pages without text) or "none" (no page has text: scanned or outlined)
    text_layer: str = "full"
    scanned: bool = False  # no text on any page, and the pages carry images
    pages_without_text: int = 0


class StepPart(_Model):
    part_number: str  # PRODUCT id
    name: str = ""
    description: str = ""
    quantity: int = 1  # instances in the whole product (1 for a top-level product)
    assembly: bool = False  # has components
    parents: list[str] = Field(default_factory=list)


class AssemblyNode(_Model):
    part_number: str
    name: str = ""
    quantity: int = 1  # instances in its parent
    children: list[AssemblyNode] = Field(default_factory=list)


class StepResult(ExtractionResult):
    format: Literal["step"] = "step"
    schema_name: str = ""  # FILE_SCHEMA as written
    protocol: str | None = None  # AP203, AP214, AP242 when the schema says
    parts: list[StepPart] = Field(default_factory=list)
    assembly: list[AssemblyNode] = Field(default_factory=list)  # one tree per top-level product
    entity_counts: dict[str, int] = Field(default_factory=dict)
    solids: int = 0  # B-rep solid bodies in the file (counted, not evaluated)
    geometry: dict[str, Any] | None = None  # bounding box, volume: None, no Lambda-sized kernel computes them


class IfcElement(_Model):
    type: str  # IfcWall, IfcDoor, ...
    global_id: str
    name: str | None = None
    object_type: str | None = None
    predefined_type: str | None = None
    type_name: str | None = None  # the element's type object (IfcWallType) name
    storey: str | None = None
    properties: dict[str, dict[str, Any]] = Field(default_factory=dict)  # property set -> name -> value
    quantities: dict[str, dict[str, Any]] = Field(default_factory=dict)  # quantity set -> name -> value


class IfcResult(ExtractionResult):
    format: Literal["ifc"] = "ifc"
    schema_name: str = ""  # IFC2X3, IFC4, IFC4X3
    project: str | None = None
    storeys: list[str] = Field(default_factory=list)
    elements: list[IfcElement] = Field(default_factory=list)
    element_counts: dict[str, int] = Field(default_factory=dict)


AnyResult = Annotated[DxfResult | PdfResult | StepResult | IfcResult, Field(discriminator="format")]
_ADAPTER: TypeAdapter[DxfResult | PdfResult | StepResult | IfcResult] = TypeAdapter(AnyResult)


def result_from_dict(data: dict[str, Any]) -> DxfResult | PdfResult | StepResult | IfcResult:
    """Rebuild a stored result (e.g. the JSON kept for an extraction job)."""
    return _ADAPTER.validate_python(data)
