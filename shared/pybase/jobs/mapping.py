"""Mapping sources: how a stored extraction result turns into rows for a table (one class per source).

Pure functions over the result's JSON (no CAD or PDF library). Each source names its columns with a
suggested field type and yields one row (column -> value) per record to create. Values bound for a
field go through a converter chosen by the field's type (a dimension keeps its tolerance and unit).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pybase.errors import ValidationFailed

MAX_ROWS = 10_000
TEXT = "single_line_text"
LENGTH_UNITS = {"mm", "cm", "m", "in", "ft", "um"}


@dataclass(frozen=True)
class Column:
    name: str
    type: str = TEXT
    options: dict[str, Any] = field(default_factory=dict)


class MappingSource:
    name: ClassVar[str] = ""
    description: ClassVar[str] = ""

    def columns(self, result: dict[str, Any], options: dict[str, Any]) -> list[Column]:
        raise NotImplementedError

    def rows(self, result: dict[str, Any], options: dict[str, Any]) -> list[dict[str, Any]]:
        raise NotImplementedError

    def default_options(self, result: dict[str, Any]) -> dict[str, Any]:
        return {}


_SOURCES: dict[str, MappingSource] = {}


def register(cls: type[MappingSource]) -> type[MappingSource]:
    _SOURCES[cls.name] = cls()
    return cls


def get_source(name: str) -> MappingSource:
    source = _SOURCES.get(name)
    if source is None:
        raise ValidationFailed(f"Unknown mapping source {name!r}.", details={"known": sorted(_SOURCES)})
    return source


def source_names() -> list[str]:
    return list(_SOURCES)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for name in names:
        if name and name not in seen:
            seen[name] = None
    return list(seen)


# --- BOM / parts lists ------------------------------------------------------------------------

_QTY = re.compile(r"^(qty|quantity|qty\.|menge|count|pcs|no\. off)$", re.IGNORECASE)


@register
class BomSource(MappingSource):
    """One record per row of the parts lists found (tables whose header looks like a BOM)."""

    name = "bom"
    description = "one record per BOM / parts list row"

    def _tables(self, result: dict[str, Any], options: dict[str, Any]) -> list[dict[str, Any]]:
        tables = result.get("tables") or []
        wanted = options.get("tables")
        if wanted is not None:
            if not isinstance(wanted, list) or not all(isinstance(i, int) and 0 <= i < len(tables) for i in wanted):
                raise ValidationFailed(
                    "options.tables lists table indexes of the result.", details={"tables": len(tables)}
                )
            return [tables[i] for i in wanted]
        boms = [t for t in tables if t.get("kind") == "bom"]
        return boms or tables

    def columns(self, result: dict[str, Any], options: dict[str, Any]) -> list[Column]:
        headers = _unique([h for t in self._tables(result, options) for h in t.get("header", [])])
        return [Column(h, "number" if _QTY.match(h.strip()) else TEXT) for h in headers]

    def rows(self, result: dict[str, Any], options: dict[str, Any]) -> list[dict[str, Any]]:
        return [dict(row) for t in self._tables(result, options) for row in t.get("rows", [])]


# --- dimensions -------------------------------------------------------------------------------


def _result_unit(result: dict[str, Any]) -> str:
    unit = result.get("units")
    if unit in LENGTH_UNITS:
        return str(unit)
    for dim in result.get("dimensions") or []:
        if dim.get("unit") in LENGTH_UNITS:
            return str(dim["unit"])
    return "mm"


@register
class DimensionsSource(MappingSource):
    """One record per dimension; the value lands in a dimension field with its tolerance and unit."""

    name = "dimensions"
    description = "one record per dimension (value, tolerance, unit)"

    def columns(self, result: dict[str, Any], options: dict[str, Any]) -> list[Column]:
        return [
            Column("Text"),
            Column("Kind"),
            Column("Value", "dimension", {"unit": _result_unit(result)}),
            Column("Nominal", "number", {"precision": 4}),
            Column("Unit"),
            Column("Fit"),
            Column("Count", "number"),
            Column("Layer"),
            Column("Page", "number"),
        ]

    def rows(self, result: dict[str, Any], options: dict[str, Any]) -> list[dict[str, Any]]:
        kinds = options.get("kinds")
        out = []
        for dim in result.get("dimensions") or []:
            if kinds and dim.get("kind") not in kinds:
                continue
            tol = dim.get("tolerance") or {}
            nominal = dim.get("value") if dim.get("value") is not None else dim.get("measurement")
            out.append(
                {
                    "Text": dim.get("text") or None,
                    "Kind": dim.get("kind"),
                    "Value": dim,
                    "Nominal": nominal,
                    "Unit": dim.get("unit"),
                    "Fit": tol.get("fit"),
                    "Count": dim.get("count"),
                    "Layer": dim.get("layer"),
                    "Page": dim.get("page"),
                }
            )
        return out


# --- block references -------------------------------------------------------------------------


@register
class BlocksSource(MappingSource):
    """One record per block reference that carries attributes; each attribute tag becomes a field."""

    name = "blocks"
    description = "one record per block reference, attributes as fields"

    # No block is left out by default, the title block's included: a guess must never hide a part's
    # attributes (`exclude_blocks` leaves blocks out on request).
    def _inserts(self, result: dict[str, Any], options: dict[str, Any]) -> list[dict[str, Any]]:
        only = options.get("blocks")
        exclude = set(options.get("exclude_blocks") or [])
        with_attributes = options.get("with_attributes", True)
        return [
            ins
            for ins in result.get("inserts") or []
            if (not only or ins.get("block") in only)
            and ins.get("block") not in exclude
            and (ins.get("attributes") or not with_attributes)
        ]

    def columns(self, result: dict[str, Any], options: dict[str, Any]) -> list[Column]:
        tags = _unique([tag for ins in self._inserts(result, options) for tag in ins.get("attributes", {})])
        fixed = [Column("Block"), Column("Layer"), Column("X", "number", {"precision": 4}),
                 Column("Y", "number", {"precision": 4})]  # fmt: skip
        return fixed + [Column(tag) for tag in tags if tag not in ("Block", "Layer", "X", "Y")]

    def rows(self, result: dict[str, Any], options: dict[str, Any]) -> list[dict[str, Any]]:
        out = []
        for ins in self._inserts(result, options):
            pos = ins.get("position") or {}
            row = {"Block": ins.get("block"), "Layer": ins.get("layer"), "X": pos.get("x"), "Y": pos.get("y")}
            for tag, value in (ins.get("attributes") or {}).items():
                row.setdefault(tag, value)
            out.append(row)
        return out


# --- IFC building elements -------------------------------------------------------------------

MAX_ELEMENT_COLUMNS = 200


@register
class ElementsSource(MappingSource):
    """One record per IFC building element: class, name, GlobalId, storey, type, then one column per
    property ("Pset_WallCommon.FireRating") and quantity ("Qto_WallBaseQuantities.Length")."""

    name = "elements"
    description = "one record per IFC building element, properties and quantities as fields"

    def _elements(self, result: dict[str, Any], options: dict[str, Any]) -> list[dict[str, Any]]:
        types = options.get("types")
        return [e for e in result.get("elements") or [] if not types or e.get("type") in types]

    @staticmethod
    def _flat(element: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for group in ("properties", "quantities"):
            for set_name, values in (element.get(group) or {}).items():
                for prop, value in (values or {}).items():
                    out[f"{set_name}.{prop}"] = value
        return out

    def columns(self, result: dict[str, Any], options: dict[str, Any]) -> list[Column]:
        fixed = [Column("Type"), Column("Name"), Column("GlobalId"), Column("Storey"), Column("Type name")]
        kinds: dict[str, str] = {}
        for element in self._elements(result, options):
            for key, value in self._flat(element).items():
                if len(kinds) >= MAX_ELEMENT_COLUMNS and key not in kinds:
                    continue
                numeric = isinstance(value, int | float) and not isinstance(value, bool)
                kind = "number" if numeric else "checkbox" if isinstance(value, bool) else TEXT
                kinds[key] = kind if kinds.get(key, kind) == kind else TEXT
        return fixed + [Column(k, t, {"precision": 4} if t == "number" else {}) for k, t in kinds.items()]

    def rows(self, result: dict[str, Any], options: dict[str, Any]) -> list[dict[str, Any]]:
        out = []
        for element in self._elements(result, options):
            row = {
                "Type": element.get("type"),
                "Name": element.get("name"),
                "GlobalId": element.get("global_id"),
                "Storey": element.get("storey"),
                "Type name": element.get("type_name"),
            }
            for key, value in self._flat(element).items():
                row.setdefault(key, value)
            out.append(row)
        return out


# --- title block ------------------------------------------------------------------------------


@register
class TitleBlockSource(MappingSource):
    """One record with the drawing's title-block fields (drawing number, title, revision, ...)."""

    name = "title_block"
    description = "one record with the title-block fields"

    def columns(self, result: dict[str, Any], options: dict[str, Any]) -> list[Column]:
        fields = (result.get("title_block") or {}).get("fields") or {}
        return [Column(name) for name in fields] + [Column("File")]

    def rows(self, result: dict[str, Any], options: dict[str, Any]) -> list[dict[str, Any]]:
        block = result.get("title_block")
        if not block or not block.get("fields"):
            return []
        return [{**block["fields"], "File": result.get("filename")}]


# --- texts ------------------------------------------------------------------------------------


@register
class TextsSource(MappingSource):
    """One record per TEXT/MTEXT item (DXF) or text line group (PDF)."""

    name = "texts"
    description = "one record per text item"

    def columns(self, result: dict[str, Any], options: dict[str, Any]) -> list[Column]:
        return [Column("Text", "long_text"), Column("Kind"), Column("Layer"), Column("Page", "number")]

    def rows(self, result: dict[str, Any], options: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {"Text": t.get("text"), "Kind": t.get("kind"), "Layer": t.get("layer"), "Page": t.get("page")}
            for t in result.get("texts") or []
            if t.get("text")
        ]


# --- value converters by target field type ----------------------------------------------------


def dimension_input(dim: dict[str, Any]) -> dict[str, Any] | None:
    """An extraction dimension -> the dimension field's input ({value, unit, tolerance}).

    Angles have no place in a length field (None). Deviations that keep the nominal inside become
    asymmetric tolerances; any other numeric tolerance becomes limits. Fits (H7) have no numeric
    deviations here and are left to a text column.
    """
    unit = dim.get("unit")
    if unit == "deg" or str(dim.get("kind", "")).startswith("angular") or dim.get("kind") == "angle":
        return None
    value = dim.get("value") if dim.get("value") is not None else dim.get("measurement")
    if value is None:
        return None
    out: dict[str, Any] = {"value": value}
    if unit in LENGTH_UNITS:
        out["unit"] = unit
    tol = dim.get("tolerance") or {}
    plus, minus, upper, lower = tol.get("plus"), tol.get("minus"), tol.get("upper"), tol.get("lower")
    kind = tol.get("type")
    if kind == "symmetric" and plus is not None:
        out["tolerance"] = {"type": "symmetric", "plus": abs(plus)}
    elif kind == "deviation" and plus is not None and minus is not None and minus <= 0 <= plus:
        out["tolerance"] = {"type": "asymmetric", "plus": plus, "minus": abs(minus)}
    elif kind in ("deviation", "limits") and upper is not None and lower is not None:
        out["tolerance"] = {"type": "limits", "lower": min(lower, upper), "upper": max(lower, upper)}
    return out


def _as_text(value: Any) -> Any:
    if isinstance(value, dict):
        return value.get("text") or value.get("display") or None
    return value


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "dimension": lambda v: dimension_input(v) if isinstance(v, dict) else v,
}


def convert(value: Any, field_type: str) -> Any:
    if value is None or value == "":
        return None
    converter = CONVERTERS.get(field_type)
    if converter is not None:
        return converter(value)
    value = _as_text(value)
    if field_type in ("number", "currency", "percent", "rating", "duration", "checkbox"):
        return value
    return value if isinstance(value, str) else str(value)
