"""Text-like field types: single line text, long text, email, URL, phone, barcode."""

from __future__ import annotations

import re
from typing import Any

from pybase.fields.registry import register
from pybase.fields.types.base import (
    FieldLike,
    FieldType,
    FieldValueError,
    WriteContext,
    bad_options,
    data_json,
    keep_common,
)
from pybase.fields.types.ops import TEXT_INDEXES, TEXT_OPERATORS


class TextBase(FieldType):
    sql_type = "text"
    operators = TEXT_OPERATORS
    index_kinds = TEXT_INDEXES
    max_length = 100_000
    multiline = True

    def clean_options(self, options: dict[str, Any], *, previous: dict[str, Any] | None = None) -> dict[str, Any]:
        out = keep_common(options)
        default = options.get("default")
        if default is not None:
            if not isinstance(default, str):
                raise bad_options("default must be a string")
            out["default"] = default
        return out

    def default(self, field: FieldLike) -> Any:
        return field.options.get("default") or None

    def to_storage(self, value: Any, field: FieldLike, ctx: WriteContext) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            if ctx.typecast and isinstance(value, int | float | bool):
                value = str(value).lower() if isinstance(value, bool) else str(value)
            else:
                raise FieldValueError(f"Expected text, got {type(value).__name__}.")
        if not self.multiline and ("\n" in value or "\r" in value):
            if not ctx.typecast:
                raise FieldValueError("Single line text cannot contain line breaks.")
            value = " ".join(value.split())
        if len(value) > self.max_length:
            raise FieldValueError(f"Text is longer than {self.max_length} characters.")
        value = self.check(value.strip() if not self.multiline else value, ctx)
        return value or None

    def check(self, value: str, ctx: WriteContext) -> str:
        return value

    def sort_expr(self, field: FieldLike) -> str | None:
        # Case-insensitive, as Airtable sorts text ("apple" next to "Apple", both before "banana");
        # blanks come last ascending and first descending (PostgreSQL's NULL order, which the keyset
        # cursors follow).
        return f"lower({self.value_expr(field)})"


@register
class SingleLineText(TextBase):
    name = "single_line_text"
    multiline = False
    max_length = 10_000


@register
class LongText(TextBase):
    name = "long_text"


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^(https?|ftp)://[^\s/$.?#][^\s]*$", re.IGNORECASE)
_BARE_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+(/\S*)?$", re.IGNORECASE)
_PHONE = re.compile(r"^\+?[0-9 ()./-]{3,40}(\s*(x|ext\.?)\s*[0-9]{1,6})?$", re.IGNORECASE)


@register
class Email(TextBase):
    name = "email"
    multiline = False
    max_length = 320

    def check(self, value: str, ctx: WriteContext) -> str:
        if value and not _EMAIL.match(value):
            raise FieldValueError(f"{value!r} is not an email address.")
        return value


@register
class Url(TextBase):
    name = "url"
    multiline = False
    max_length = 2_000

    def check(self, value: str, ctx: WriteContext) -> str:
        if not value or _URL.match(value):
            return value
        if ctx.typecast and _BARE_DOMAIN.match(value):
            return "https://" + value
        raise FieldValueError(f"{value!r} is not a URL (http, https or ftp).")


@register
class Phone(TextBase):
    name = "phone"
    multiline = False
    max_length = 60

    def check(self, value: str, ctx: WriteContext) -> str:
        if value and (not _PHONE.match(value) or sum(ch.isdigit() for ch in value) < 3):
            raise FieldValueError(f"{value!r} is not a phone number.")
        return value


@register
class Barcode(FieldType):
    """A scanned code, Airtable's barcode cell: {"text", "type"} (type as the scanner reports it, such
    as "upce" or "code128", optional). Text alone is accepted as {"text"}; filtered and sorted by its
    text, case-insensitively."""

    name = "barcode"
    sql_type = "text"
    operators = TEXT_OPERATORS
    index_kinds = TEXT_INDEXES
    max_length = 1_000

    def to_storage(self, value: Any, field: FieldLike, ctx: WriteContext) -> Any:
        if value is None or value == "":
            return None
        if isinstance(value, str | int) and not isinstance(value, bool):
            value = {"text": str(value)}
        if not isinstance(value, dict):
            raise FieldValueError('Expected a barcode {"text", "type"} or its text.')
        unknown = set(value) - {"text", "type"}
        if unknown:
            raise FieldValueError(f"Unknown barcode keys: {sorted(unknown)}.")
        text, kind = value.get("text"), value.get("type")
        if not isinstance(text, str) or not text.strip() or len(text) > self.max_length:
            raise FieldValueError(f"A barcode needs a text of 1 to {self.max_length} characters.")
        if kind is not None and (not isinstance(kind, str) or len(kind) > 40):
            raise FieldValueError("A barcode type is a short text.")
        return {"text": text.strip(), **({"type": kind} if kind else {})}

    def to_text(self, stored: Any, field: FieldLike) -> str | None:
        return None if stored is None else stored["text"]

    def value_expr(self, field: FieldLike) -> str:
        return f"({data_json(field.id)} ->> 'text')"

    def sort_expr(self, field: FieldLike) -> str | None:
        return f"lower({self.value_expr(field)})"
