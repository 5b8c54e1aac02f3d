"""Single and multiple select: options with IDs and colors; records store option IDs.

Storing IDs means renaming an option never rewrites rows. The API reads and writes option names
(IDs are accepted on write too); typecast adds options for unknown names.
"""

from __future__ import annotations

import json
from typing import Any

from pybase.fields.registry import register
from pybase.fields.types.base import (
    FieldLike,
    FieldType,
    FieldValueError,
    Params,
    WriteContext,
    bad_options,
    data_json,
    data_text,
    keep_common,
)
from pybase.fields.types.ops import op_is_any_of, op_is_empty, op_is_none_of, op_is_not_empty
from pybase.ids import new_id

COLORS = (
    "blue", "cyan", "teal", "green", "yellow", "orange", "red", "pink", "purple", "gray",
    "dark_blue", "dark_cyan", "dark_teal", "dark_green", "dark_yellow", "dark_orange", "dark_red", "dark_pink",
    "dark_purple", "dark_gray",
)  # fmt: skip

class UnknownOptionError(FieldValueError):
    """A select value naming no option (without typecast, which would add it). The Airtable API
    answers it with its own error type, so it carries a code and the value."""

    code = "unknown_option"

    def __init__(self, value: str) -> None:
        super().__init__(f"{value!r} is not one of this field's options.")
        self.value = value



def clean_choices(options: dict[str, Any], previous: dict[str, Any] | None) -> list[dict[str, str]]:
    raw = options.get("choices", (previous or {}).get("choices", []))
    if not isinstance(raw, list) or len(raw) > 1000:
        raise bad_options("choices must be a list of at most 1,000 options", option="choices")
    known_ids = {c["id"] for c in (previous or {}).get("choices", [])}
    out: list[dict[str, str]] = []
    names: set[str] = set()
    for index, choice in enumerate(raw):
        if isinstance(choice, str):
            choice = {"name": choice}
        if not isinstance(choice, dict) or not isinstance(choice.get("name"), str) or not choice["name"].strip():
            raise bad_options("each choice needs a non-empty name", option="choices", index=index)
        name = choice["name"].strip()
        if name in names:
            raise bad_options(f"duplicate choice {name!r}", option="choices", index=index)
        names.add(name)
        color = choice.get("color") or COLORS[index % len(COLORS)]
        if color not in COLORS:
            raise bad_options(f"unknown color {color!r}", option="choices", index=index, colors=list(COLORS))
        choice_id = choice.get("id")
        if choice_id is not None and choice_id not in known_ids:
            raise bad_options(f"unknown choice id {choice_id!r}", option="choices", index=index)
        out.append({"id": choice_id or new_id("sel"), "name": name, "color": color})
    return out


# id(choices list) -> (that list, option ID -> name). Holding the list keeps its id from being reused;
# option lists are replaced, never changed in place, when options change.
_names_of: dict[int, tuple[list[dict[str, str]], dict[str, str]]] = {}


def _names(choices: list[dict[str, str]]) -> dict[str, str]:
    """Option ID -> name of a choices list (a page reads the same fields' lists for every row: one
    dict lookup per cell instead of a scan of the options)."""
    hit = _names_of.get(id(choices))
    if hit is not None and hit[0] is choices:
        return hit[1]
    if len(_names_of) >= 256:
        _names_of.clear()
    names = {c["id"]: c["name"] for c in choices}
    _names_of[id(choices)] = (choices, names)
    return names


class SelectBase(FieldType):
    sql_type = "text"
    sort_type = "integer"

    def clean_options(self, options: dict[str, Any], *, previous: dict[str, Any] | None = None) -> dict[str, Any]:
        out = keep_common(options)
        out["choices"] = clean_choices(options, previous)
        return out

    def choices(self, field: FieldLike) -> list[dict[str, str]]:
        return field.options.get("choices", [])

    def option_id(self, value: Any, field: FieldLike, ctx: WriteContext | None) -> str:
        if isinstance(value, dict):
            value = value.get("id") or value.get("name")
        if not isinstance(value, str) or not value.strip():
            raise FieldValueError(f"Expected an option name, got {value!r}.")
        value = value.strip()
        for choice in self.choices(field):
            if choice["id"] == value or choice["name"] == value:
                return choice["id"]
        if ctx is not None and ctx.typecast:
            choices = self.choices(field)
            if len(choices) >= 1000:
                raise FieldValueError("This field has too many options to add another.")
            choice = {"id": new_id("sel"), "name": value, "color": COLORS[len(choices) % len(COLORS)]}
            field.options = {**field.options, "choices": [*choices, choice]}
            ctx.changed_fields[field.id] = field
            return choice["id"]
        raise UnknownOptionError(value)

    def name_of(self, option_id: str, field: FieldLike) -> str | None:
        return _names(self.choices(field)).get(option_id)

    def filter_value(self, value: Any, field: FieldLike) -> Any:
        return self.option_id(value, field, None)

    def matching_ids(self, term: Any, field: FieldLike) -> list[str]:
        if not isinstance(term, str) or not term:
            raise FieldValueError("Expected a non-empty text.")
        return [c["id"] for c in self.choices(field) if term.lower() in c["name"].lower()]

    def position_expr(self, field: FieldLike, first: str) -> str:
        ids = ",".join("'" + c["id"] + "'" for c in self.choices(field))
        return f"array_position(ARRAY[{ids}]::text[], {first})" if ids else "NULL::integer"

    def prepare_conversion(self, texts: list[str], new_field: FieldLike) -> None:
        ctx = WriteContext(typecast=True)
        for text in texts:
            for part in self.split(text):
                if part.strip():
                    self.option_id(part, new_field, ctx)

    def split(self, text: str) -> list[str]:
        return [text]


@register
class SingleSelect(SelectBase):
    name = "single_select"

    def to_storage(self, value: Any, field: FieldLike, ctx: WriteContext) -> Any:
        if value is None or value == "":
            return None
        return self.option_id(value, field, ctx)

    def serialize(self, stored: Any, field: FieldLike) -> Any:
        return self.name_of(stored, field)

    def sort_expr(self, field: FieldLike) -> str | None:
        return self.position_expr(field, data_text(field.id))

    @staticmethod
    def _is(t: SelectBase, f: FieldLike, op: str, value: Any, ps: Params) -> str:
        return f"({t.value_expr(f)} = {ps.add(t.filter_value(value, f), 'text')})"

    @staticmethod
    def _is_not(t: SelectBase, f: FieldLike, op: str, value: Any, ps: Params) -> str:
        return f"({t.value_expr(f)} IS DISTINCT FROM {ps.add(t.filter_value(value, f), 'text')})"

    @staticmethod
    def _contains(t: SelectBase, f: FieldLike, op: str, value: Any, ps: Params) -> str:
        return f"({t.value_expr(f)} = ANY({ps.add(t.matching_ids(value, f), 'text[]')}))"

    @staticmethod
    def _not_contains(t: SelectBase, f: FieldLike, op: str, value: Any, ps: Params) -> str:
        return f"(NOT coalesce({t.value_expr(f)} = ANY({ps.add(t.matching_ids(value, f), 'text[]')}), false))"

    operators = {
        "is": _is,
        "=": _is,
        "is_not": _is_not,
        "!=": _is_not,
        "is_any_of": op_is_any_of,
        "is_none_of": op_is_none_of,
        "contains": _contains,
        "not_contains": _not_contains,
        "is_empty": op_is_empty,
        "is_not_empty": op_is_not_empty,
    }
    index_kinds = {"is": "btree", "=": "btree", "is_any_of": "btree"}


def json_list(items: list[str]) -> str:
    return json.dumps(items)


@register
class MultipleSelect(SelectBase):
    name = "multiple_select"

    def to_storage(self, value: Any, field: FieldLike, ctx: WriteContext) -> Any:
        if value is None or value == "" or value == []:
            return None
        if isinstance(value, str):
            if not ctx.typecast:
                raise FieldValueError("Expected a list of option names.")
            value = [part for part in self.split(value) if part.strip()]
        if not isinstance(value, list):
            raise FieldValueError("Expected a list of option names.")
        ids: list[str] = []
        for item in value:
            option = self.option_id(item, field, ctx)
            if option not in ids:
                ids.append(option)
        return ids or None

    def split(self, text: str) -> list[str]:
        return [part.strip() for part in text.split(",")]

    def serialize(self, stored: Any, field: FieldLike) -> Any:
        names = [self.name_of(option, field) for option in stored or []]
        return [name for name in names if name is not None]

    def to_text(self, stored: Any, field: FieldLike) -> str | None:
        return None if not stored else ", ".join(self.serialize(stored, field))

    def value_expr(self, field: FieldLike) -> str:
        return data_json(field.id)

    def sort_expr(self, field: FieldLike) -> str | None:
        return self.position_expr(field, f"({data_json(field.id)} ->> 0)")

    def ids(self, value: Any, field: FieldLike) -> list[str]:
        items = value if isinstance(value, list) else [value]
        if not items:
            raise FieldValueError("Expected a non-empty list of options.")
        return [self.option_id(item, field, None) for item in items]

    @staticmethod
    def _any(t: MultipleSelect, f: FieldLike, op: str, value: Any, ps: Params) -> str:
        return f"({t.value_expr(f)} ?| {ps.add(t.ids(value, f), 'text[]')})"

    @staticmethod
    def _all(t: MultipleSelect, f: FieldLike, op: str, value: Any, ps: Params) -> str:
        return f"({t.value_expr(f)} ?& {ps.add(t.ids(value, f), 'text[]')})"

    @staticmethod
    def _none(t: MultipleSelect, f: FieldLike, op: str, value: Any, ps: Params) -> str:
        return f"(NOT coalesce({t.value_expr(f)} ?| {ps.add(t.ids(value, f), 'text[]')}, false))"

    @staticmethod
    def _exactly(t: MultipleSelect, f: FieldLike, op: str, value: Any, ps: Params) -> str:
        wanted = json_list(t.ids(value, f))
        e = t.value_expr(f)
        return f"({e} @> {ps.add(wanted, 'jsonb')} AND {e} <@ {ps.add(wanted, 'jsonb')})"

    @staticmethod
    def _contains(t: MultipleSelect, f: FieldLike, op: str, value: Any, ps: Params) -> str:
        return f"({t.value_expr(f)} ?| {ps.add(t.matching_ids(value, f), 'text[]')})"

    @staticmethod
    def _not_contains(t: MultipleSelect, f: FieldLike, op: str, value: Any, ps: Params) -> str:
        return f"(NOT coalesce({t.value_expr(f)} ?| {ps.add(t.matching_ids(value, f), 'text[]')}, false))"

    operators = {
        "has_any_of": _any,
        "is": _any,
        "has_all_of": _all,
        "has_none_of": _none,
        "is_not": _none,
        "is_exactly": _exactly,
        "contains": _contains,
        "not_contains": _not_contains,
        "is_empty": op_is_empty,
        "is_not_empty": op_is_not_empty,
    }
    index_kinds = {}
