"""Numeric field types: number, currency, percent, rating, duration, checkbox."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pybase.fields.registry import register
from pybase.fields.types.base import (
    FieldLike,
    FieldType,
    FieldValueError,
    Params,
    WriteContext,
    bad_options,
    data_text,
    json_number,
    keep_common,
    to_decimal,
)
from pybase.fields.types.ops import NUMBER_INDEXES, NUMBER_OPERATORS, compare, op_distinct


def _plain_float(value: float, options: dict[str, Any], precision: int | None) -> bool:
    """True when a float needs no rounding, range or sign handling to be stored as it is."""
    if not -1e15 < value < 1e15 or (value < 0 and options.get("allow_negative") is False):
        return False
    if precision is None:
        return True
    text = repr(value)
    return "e" not in text and len(text) - text.index(".") - 1 <= precision


def numeric_expr(field_id: str) -> str:
    return f"({data_text(field_id)}::numeric)"


def _int_option(options: dict[str, Any], key: str, default: int | None, low: int, high: int) -> int | None:
    value = options.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise bad_options(f"{key} must be an integer from {low} to {high}", option=key)
    return value


class NumberBase(FieldType):
    sql_type = "numeric"
    operators = NUMBER_OPERATORS
    index_kinds = NUMBER_INDEXES
    default_precision: int | None = None
    # Digits the stored value keeps beyond the field's precision (a percent stores a fraction).
    stored_extra_digits = 0

    def storage_precision(self, field: FieldLike) -> int | None:
        precision = field.options.get("precision")
        return None if precision is None else precision + self.stored_extra_digits

    def clean_options(self, options: dict[str, Any], *, previous: dict[str, Any] | None = None) -> dict[str, Any]:
        out = keep_common(options)
        precision = _int_option(options, "precision", self.default_precision, 0, 10)
        if precision is not None:
            out["precision"] = precision
        if "allow_negative" in options:
            out["allow_negative"] = bool(options["allow_negative"])
        return out

    def value_expr(self, field: FieldLike) -> str:
        return numeric_expr(field.id)

    def parse(self, value: Any, field: FieldLike, ctx: WriteContext) -> Decimal:
        if isinstance(value, str) and not ctx.typecast:
            raise FieldValueError(f"Expected a number, got the text {value!r} (set typecast to convert).")
        if isinstance(value, str):
            value = re.sub(r"[^0-9eE+\-.,]", "", value)
        return to_decimal(value)

    def to_storage(self, value: Any, field: FieldLike, ctx: WriteContext) -> Any:
        if value is None or value == "":
            return None
        if (
            type(value) is int
            and abs(value) < 10**15
            and (value >= 0 or field.options.get("allow_negative") is not False)
        ):
            return value  # the common cases, without a Decimal round trip (bulk loads)
        if type(value) is float and _plain_float(value, field.options, self.storage_precision(field)):
            return value
        number = self.parse(value, field, ctx)
        if field.options.get("allow_negative") is False and number < 0:
            raise FieldValueError("Negative numbers are not allowed in this field.")
        if abs(number) >= Decimal(10) ** 15:  # before quantize, which fails beyond 28 digits
            raise FieldValueError("Numbers must be below 10^15.")
        precision = self.storage_precision(field)
        if precision is not None:
            number = number.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)
        if abs(number) >= Decimal(10) ** 15:
            raise FieldValueError("Numbers must be below 10^15.")
        return json_number(number)

    def filter_value(self, value: Any, field: FieldLike) -> Any:
        return to_decimal(value)


@register
class Number(NumberBase):
    name = "number"


@register
class Currency(NumberBase):
    name = "currency"
    default_precision = 2

    def clean_options(self, options: dict[str, Any], *, previous: dict[str, Any] | None = None) -> dict[str, Any]:
        out = super().clean_options(options, previous=previous)
        symbol = options.get("symbol", "$")
        if not isinstance(symbol, str) or not 0 < len(symbol) <= 5:
            raise bad_options("symbol must be 1 to 5 characters", option="symbol")
        out["symbol"] = symbol
        return out


@register
class Percent(NumberBase):
    """Stored as a fraction (0.5 is 50%); typecast reads "50%" as 0.5."""

    name = "percent"
    default_precision = None
    # Precision counts digits of the percentage: 12.5% at precision 1 is the fraction 0.125.
    stored_extra_digits = 2

    def parse(self, value: Any, field: FieldLike, ctx: WriteContext) -> Decimal:
        if isinstance(value, str) and ctx.typecast and value.strip().endswith("%"):
            return to_decimal(value.strip()[:-1]) / 100
        return super().parse(value, field, ctx)

    def to_text(self, stored: Any, field: FieldLike) -> str | None:
        if stored is None:
            return None
        percentage = Decimal(str(stored)) * 100
        precision = field.options.get("precision")
        if precision is not None:
            percentage = percentage.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)
        return f"{percentage:f}%"


@register
class Rating(NumberBase):
    name = "rating"

    def clean_options(self, options: dict[str, Any], *, previous: dict[str, Any] | None = None) -> dict[str, Any]:
        out = keep_common(options)
        out["max"] = _int_option(options, "max", 5, 1, 10)
        return out

    def to_storage(self, value: Any, field: FieldLike, ctx: WriteContext) -> Any:
        if value is None or value == "" or value == 0:
            return None
        top = field.options.get("max", 5)
        if type(value) is int and 0 < value <= top:
            return value
        number = self.parse(value, field, ctx)
        if number != number.to_integral_value() or not 0 <= number <= top:
            raise FieldValueError(f"A rating is a whole number from 0 to {top}.")
        return int(number) or None


_DURATION_PARTS = re.compile(
    r"^\s*(?:(\d+(?:\.\d+)?)\s*h)?\s*(?:(\d+(?:\.\d+)?)\s*m(?:in)?)?\s*(?:(\d+(?:\.\d+)?)\s*s)?\s*$"
)


@register
class Duration(NumberBase):
    """Stored in seconds; typecast reads "1:30" (h:mm), "1:30:15", "90s" or "2h 30m"."""

    name = "duration"

    def clean_options(self, options: dict[str, Any], *, previous: dict[str, Any] | None = None) -> dict[str, Any]:
        out = keep_common(options)
        fmt = options.get("format", "h:mm")
        if fmt not in ("h:mm", "h:mm:ss", "h:mm:ss.s"):
            raise bad_options("format must be h:mm, h:mm:ss or h:mm:ss.s", option="format")
        out["format"] = fmt
        return out

    def parse(self, value: Any, field: FieldLike, ctx: WriteContext) -> Decimal:
        if not isinstance(value, str):
            return to_decimal(value, what="a duration in seconds")
        text = value.strip()
        if ":" in text:
            parts = text.split(":")
            if len(parts) > 3 or not all(re.fullmatch(r"\d+(\.\d+)?", p) for p in parts):
                raise FieldValueError(f"{value!r} is not a duration.")
            numbers = [Decimal(p) for p in parts] + [Decimal(0)] * (3 - len(parts))
            return numbers[0] * 3600 + numbers[1] * 60 + numbers[2]
        match = _DURATION_PARTS.match(text)
        if match and any(match.groups()):
            h, m, s = (Decimal(g) if g else Decimal(0) for g in match.groups())
            return h * 3600 + m * 60 + s
        if ctx.typecast:
            return to_decimal(text, what="a duration")
        raise FieldValueError(f"{value!r} is not a duration.")

    def to_storage(self, value: Any, field: FieldLike, ctx: WriteContext) -> Any:
        if value is None or value == "":
            return None
        seconds = self.parse(value, field, ctx)
        if seconds < 0:
            raise FieldValueError("A duration cannot be negative.")
        if seconds >= Decimal(10) ** 15:  # quantize fails beyond 28 digits
            raise FieldValueError("Durations must be below 10^15 seconds.")
        return json_number(seconds.quantize(Decimal("0.001")).normalize())

    def to_text(self, stored: Any, field: FieldLike) -> str | None:
        if stored is None:
            return None
        seconds = Decimal(str(stored))
        h, rest = divmod(seconds, 3600)
        m, s = divmod(rest, 60)
        return f"{int(h)}:{int(m):02d}:{s:06.3f}".rstrip("0").rstrip(".")

    def filter_value(self, value: Any, field: FieldLike) -> Any:
        return self.parse(value, field, WriteContext(typecast=True))


_TRUE = {"true", "yes", "y", "1", "x", "checked", "on", "✓", "✔"}
_FALSE = {"false", "no", "n", "0", "", "unchecked", "off"}


@register
class Checkbox(FieldType):
    """Stored as true, or absent when unchecked (so 'is empty' and 'is false' agree)."""

    name = "checkbox"
    sql_type = "boolean"

    def value_expr(self, field: FieldLike) -> str:
        return f"coalesce(({data_text(field.id)})::boolean, false)"

    def to_storage(self, value: Any, field: FieldLike, ctx: WriteContext) -> Any:
        if value is None:
            return None
        if isinstance(value, bool):
            return True if value else None
        if ctx.typecast and isinstance(value, str | int):
            text = str(value).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return None
        raise FieldValueError(f"Expected true or false, got {value!r}.")

    def read(self, row: Any, field: FieldLike) -> Any:
        return bool(row.data.get(field.id))

    def filter_value(self, value: Any, field: FieldLike) -> Any:
        stored = self.to_storage(value, field, WriteContext(typecast=True))
        return bool(stored)

    @staticmethod
    def _is(t: FieldType, f: FieldLike, op: str, value: Any, ps: Params) -> str:
        return compare("=")(t, f, op, True if value is None else value, ps)

    operators = {"is": _is, "=": _is, "is_not": op_distinct, "!=": op_distinct}
    index_kinds = {"is": "btree", "=": "btree"}
