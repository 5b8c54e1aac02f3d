"""Airtable field types <-> PyBase field types, and the request bodies of the /v0 API.

Each PyBase type has one `TypeMap` (a registry keyed by PyBase type name, with a reverse index by
Airtable name) that knows its Airtable type name and how options translate both ways. PyBase-only
types are reported under documented names of their own (`pybaseDimension`, `pybaseThread`,
`pybaseMaterial`, `pybaseSurfaceFinish`) with their PyBase options; Airtable clients treat unknown
types as opaque, and the same names create such fields through the meta API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from pybase.formulas import display_references

Options = dict[str, Any]
FieldLookup = Callable[[str], Any]  # field ID -> Field (or None), for formula display names


def _precision(options: Options) -> Options:
    return {"precision": int(options.get("precision", 0) or 0)}


def _select_out(options: Options) -> Options:
    choices = options.get("choices", [])
    return {"choices": [{"id": c["id"], "name": c["name"], "color": c.get("color")} for c in choices]}


def _select_in(options: Options) -> Options:
    # Airtable colors (blueLight2, ...) are not PyBase's palette: the names are what matter.
    raw = options.get("choices") or []
    if not isinstance(raw, list):
        return {"choices": raw}  # refused by the select type's own option checks
    choices = []
    for choice in raw:
        choices.append({"name": choice.get("name")} if isinstance(choice, dict) else choice)
    return {"choices": choices}


_DATE_FORMATS = {"iso": "YYYY-MM-DD", "us": "M/D/YYYY", "european": "D/M/YYYY"}


def _date_format(options: Options) -> Options:
    name = options.get("format") or "iso"
    return {"name": name, "format": _DATE_FORMATS.get(name, "YYYY-MM-DD")}


def _date_in(options: Options) -> Options:
    name = ((options.get("dateFormat") or {}).get("name")) if isinstance(options.get("dateFormat"), dict) else None
    out: Options = {}
    if name in _DATE_FORMATS:
        out["format"] = name
    elif name == "european" or name == "friendly":
        out["format"] = "european" if name == "european" else "iso"
    return out


def _datetime_in(options: Options) -> Options:
    out = _date_in(options)
    zone = options.get("timeZone")
    if isinstance(zone, str) and zone not in ("client", "utc"):
        out["timezone"] = zone
    return out


_DURATION_FORMATS = {"h:mm": "h:mm", "h:mm:ss": "h:mm:ss", "h:mm:ss.S": "h:mm:ss.s", "h:mm:ss.s": "h:mm:ss.s"}


def _formula_out(options: Options, lookup: FieldLookup) -> Options:
    stored = options.get("formula") or ""
    names = {}
    refs = list(options.get("referenced_field_ids") or [])
    for field_id in refs:
        field = lookup(field_id)
        if field is not None:
            names[field_id] = field.name
    try:
        shown = display_references(stored, names) if stored else ""
    except Exception:  # a stored formula that no longer tokenizes: show it as stored
        shown = stored
    result_type = options.get("result_type") or "text"
    result = {"number": "number", "text": "singleLineText", "date": "dateTime", "boolean": "checkbox"}.get(
        result_type, "multipleLookupValues"
    )
    return {
        "formula": shown,
        "isValid": not options.get("invalid", False),
        "referencedFieldIds": refs,
        "result": {"type": result},
    }


def _button_out(options: Options, lookup: FieldLookup) -> Options:
    # Airtable's schema gives a button no options; PyBase adds its label and URL formula (clients
    # ignore keys they do not know).
    shown = _formula_out(options, lookup)["formula"] if options.get("formula") else ""
    return {"label": options.get("label", ""), "urlFormula": shown}


@dataclass(frozen=True)
class TypeMap:
    pybase: str
    airtable: str
    options_out: Callable[[Options, FieldLookup], Options | None] = lambda options, lookup: None
    options_in: Callable[[Options], Options] = lambda options: {}


_MAPS: dict[str, TypeMap] = {}
_BY_AIRTABLE: dict[str, TypeMap] = {}


def _add(item: TypeMap) -> None:
    _MAPS[item.pybase] = item
    _BY_AIRTABLE.setdefault(item.airtable, item)


for _item in (
    TypeMap("single_line_text", "singleLineText"),
    TypeMap("long_text", "multilineText"),
    TypeMap("number", "number", lambda o, _: _precision(o), lambda o: _precision(o)),
    TypeMap(
        "currency", "currency",
        lambda o, _: {**_precision(o), "symbol": o.get("symbol", "$")},
        lambda o: {**_precision(o), "symbol": o.get("symbol", "$")},
    ),
    TypeMap("percent", "percent", lambda o, _: _precision(o), lambda o: _precision(o)),
    TypeMap("checkbox", "checkbox", lambda o, _: {"color": "greenBright", "icon": "check"}),
    TypeMap("date", "date", lambda o, _: {"dateFormat": _date_format(o)}, _date_in),
    TypeMap(
        "datetime", "dateTime",
        lambda o, _: {
            "timeZone": o.get("timezone", "utc"), "dateFormat": _date_format(o),
            "timeFormat": {"name": "24hour", "format": "HH:mm"},
        },
        _datetime_in,
    ),
    TypeMap(
        "duration", "duration",
        lambda o, _: {"durationFormat": o.get("format", "h:mm")},
        lambda o: {"format": _DURATION_FORMATS.get(o.get("durationFormat", "h:mm"), "h:mm")},
    ),
    TypeMap("single_select", "singleSelect", lambda o, _: _select_out(o), _select_in),
    TypeMap("multiple_select", "multipleSelects", lambda o, _: _select_out(o), _select_in),
    TypeMap("email", "email"),
    TypeMap("url", "url"),
    TypeMap("phone", "phoneNumber"),
    TypeMap("barcode", "barcode"),
    TypeMap(
        "rating", "rating",
        lambda o, _: {"max": o.get("max", 5), "icon": "star", "color": "yellowBright"},
        lambda o: {"max": o["max"]} if isinstance(o.get("max"), int) else {},
    ),
    TypeMap("autonumber", "autoNumber"),
    TypeMap("created_time", "createdTime", lambda o, _: {"result": {"type": "dateTime"}}),
    TypeMap(
        "last_modified_time", "lastModifiedTime",
        lambda o, _: {"isValid": True, "referencedFieldIds": [], "result": {"type": "dateTime"}},
    ),
    TypeMap("created_by", "createdBy"),
    TypeMap("last_modified_by", "lastModifiedBy"),
    TypeMap("attachment", "multipleAttachments", lambda o, _: {"isReversed": False}),
    TypeMap(
        "link", "multipleRecordLinks",
        lambda o, _: {
            "linkedTableId": o.get("linked_table_id"), "isReversed": False,
            "prefersSingleRecordLink": bool(o.get("single")), "inverseLinkFieldId": o.get("inverse_field_id"),
        },
        lambda o: {
            "linked_table_id": o.get("linkedTableId"), "single": bool(o.get("prefersSingleRecordLink")),
            "create_inverse": o.get("inverseLinkFieldId") is not False,
        },
    ),
    TypeMap(
        "lookup", "multipleLookupValues",
        lambda o, _: {
            "isValid": True, "recordLinkFieldId": o.get("link_field_id"),
            "fieldIdInLinkedTable": o.get("field_id"),
        },
        lambda o: {"link_field_id": o.get("recordLinkFieldId"), "field_id": o.get("fieldIdInLinkedTable")},
    ),
    TypeMap(
        "rollup", "rollup",
        lambda o, _: {
            "isValid": True, "recordLinkFieldId": o.get("link_field_id"),
            "fieldIdInLinkedTable": o.get("field_id"), "referencedFieldIds": [],
            "result": {"type": "number" if o.get("result_type", "number") == "number" else "singleLineText"},
        },
        lambda o: {
            "link_field_id": o.get("recordLinkFieldId"), "field_id": o.get("fieldIdInLinkedTable"),
            **({"function": o["function"]} if o.get("function") else {}),
            **({"formula": o["formula"]} if o.get("formula") else {}),
        },
    ),
    TypeMap(
        "count", "count",
        lambda o, _: {"isValid": True, "recordLinkFieldId": o.get("link_field_id")},
        lambda o: {"link_field_id": o.get("recordLinkFieldId")},
    ),
    TypeMap("formula", "formula", _formula_out, lambda o: {"formula": o.get("formula")}),
    TypeMap("button", "button", _button_out, lambda o: {"label": o.get("label"), "url_formula": o.get("urlFormula")}),
    TypeMap("dimension", "pybaseDimension", lambda o, _: dict(o), lambda o: dict(o)),
    TypeMap("thread", "pybaseThread", lambda o, _: dict(o), lambda o: dict(o)),
    TypeMap("material", "pybaseMaterial", lambda o, _: dict(o), lambda o: dict(o)),
    TypeMap("surface_finish", "pybaseSurfaceFinish", lambda o, _: dict(o), lambda o: dict(o)),
):  # fmt: skip
    _add(_item)

# Collaborators: one PyBase type ("user", option multiple), two Airtable types.
_add(TypeMap("user", "singleCollaborator"))
_BY_AIRTABLE["multipleCollaborators"] = TypeMap(
    "user", "multipleCollaborators", options_in=lambda o: {"multiple": True}
)
_BY_AIRTABLE["richText"] = TypeMap("long_text", "richText")


def airtable_type(field: Any) -> str:
    if field.type == "user":
        return "multipleCollaborators" if (field.options or {}).get("multiple") else "singleCollaborator"
    item = _MAPS.get(field.type)
    return item.airtable if item else "pybase" + "".join(p.title() for p in field.type.split("_"))


def field_schema(field: Any, lookup: FieldLookup) -> dict[str, Any]:
    """A field in Airtable's schema shape."""
    out: dict[str, Any] = {"id": field.id, "name": field.name, "type": airtable_type(field)}
    if field.description:
        out["description"] = field.description
    item = _MAPS.get(field.type)
    options = item.options_out(dict(field.options or {}), lookup) if item else None
    if options is not None:
        out["options"] = options
    return out


def pybase_type(airtable: str, options: Options | None) -> tuple[str, Options]:
    """(PyBase type name, PyBase options) for an Airtable field type and its options."""
    item = _BY_AIRTABLE.get(airtable)
    if item is None:
        raise KeyError(airtable)
    return item.pybase, item.options_in(dict(options or {}))


def airtable_type_names() -> list[str]:
    return sorted(_BY_AIRTABLE)


# --- request bodies -----------------------------------------------------------------------------


class _Body(BaseModel):
    # Airtable ignores what it does not know in bodies (clients send e.g. returnFieldsByFieldId: false).
    model_config = ConfigDict(extra="ignore")

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        # PostgreSQL text cannot hold NUL characters.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("NUL characters are not allowed")
        return value


class ListBody(_Body):
    filterByFormula: str | None = None
    sort: list[Any] | None = None
    fields: list[str] | None = None
    view: str | None = None
    pageSize: int | None = None
    maxRecords: int | None = None
    offset: str | None = None
    cellFormat: str | None = None
    timeZone: str | None = None
    userLocale: str | None = None
    returnFieldsByFieldId: bool = False


class FieldIn(_Body):
    name: str = Field(min_length=1, max_length=200)
    type: str
    description: str | None = Field(default=None, max_length=20_000)
    options: dict[str, Any] | None = None


class TableIn(_Body):
    name: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=20_000)
    fields: list[FieldIn] = Field(min_length=1)


class NamePatch(_Body):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=20_000)
