"""The contract every field type implements, plus the SQL building blocks they share.

A type knows how to: clean its options, validate/typecast an API value into its storage form
(the JSON kept in `records.data[field_id]`), serialize storage back to the API, render it as text
(for type conversion), and compile filters and sorts to SQL over the `records` row aliased `r`.
SQL expressions embed the field ID literally (IDs are validated alphanumerics) so that they match
the expression indexes PyBase creates character for character; values always go in as parameters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Protocol

from pybase.errors import ValidationFailed

_FIELD_ID = re.compile(r"^fld[A-Za-z0-9]{14}$")


class FieldValueError(ValueError):
    """A value a field cannot accept; becomes a 422 with the field and record in `details`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FieldLike(Protocol):
    id: str
    name: str
    type: str
    options: dict[str, Any]


class RowLike(Protocol):
    id: str
    seq: int
    data: dict[str, Any]
    created_at: datetime
    created_by: str | None
    updated_at: datetime
    updated_by: str | None


@dataclass(frozen=True)
class WrittenCell:
    """One written cell that has follow-up work (`FieldType.after_write`)."""

    workspace_id: str
    base_id: str
    table_id: str
    record_id: str
    value: Any
    noted: frozenset[str]  # what `to_storage` noted for this field in this write
    actor_id: str | None


@dataclass
class WriteContext:
    """What a write knows besides the value: whether to typecast, and options it had to add."""

    typecast: bool = False
    workspace_members: set[str] | None = None
    changed_fields: dict[str, FieldLike] = field(default_factory=dict)
    # Field ID -> values this write made that need work once the record IDs are known (the
    # attachment IDs given to URL attachments, whose files are fetched later): see `after_write`.
    followups: dict[str, set[str]] = field(default_factory=dict)


class Params:
    """Collects bind parameters for psycopg's `%(name)s` style and hands out their placeholders."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def add(self, value: Any, cast: str | None = None) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f"CAST(%({name})s AS {cast})" if cast else f"%({name})s"


def data_text(field_id: str) -> str:
    """`r.data ->> 'fld…'`: the field's value as text (NULL when absent)."""
    if not _FIELD_ID.match(field_id):
        raise ValueError(f"not a field ID: {field_id!r}")
    return f"(r.data ->> '{field_id}')"


def data_json(field_id: str) -> str:
    if not _FIELD_ID.match(field_id):
        raise ValueError(f"not a field ID: {field_id!r}")
    return f"(r.data -> '{field_id}')"


def like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def to_decimal(value: Any, *, what: str = "a number") -> Decimal:
    if isinstance(value, bool):
        raise FieldValueError(f"Expected {what}, got a boolean.")
    if isinstance(value, int | float | Decimal):
        result = Decimal(str(value))
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("_", "")
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise FieldValueError(f"Expected {what}, got {value!r}.") from None
    else:
        raise FieldValueError(f"Expected {what}, got {type(value).__name__}.")
    if not result.is_finite():
        raise FieldValueError(f"Expected a finite number, got {value!r}.")
    return result


def json_number(value: Decimal) -> int | float:
    """A Decimal as the JSON number it should be stored as (ints stay ints)."""
    if value == value.to_integral_value() and abs(value) < 2**53:
        return int(value)
    return float(value)


FilterCompiler = Callable[["FieldType", FieldLike, str, Any, Params], str]

# Operator spellings accepted in filters, mapped to their canonical names.
OPERATOR_ALIASES = {
    "equal": "is",
    "equals": "is",
    "eq": "=",
    "ne": "!=",
    "not_equal": "is_not",
    "lt": "<",
    "lte": "<=",
    "gt": ">",
    "gte": ">=",
    "does_not_contain": "not_contains",
    "doesnt_contain": "not_contains",
    "contains_not": "not_contains",
    "empty": "is_empty",
    "not_empty": "is_not_empty",
    "is_within": "is_within",
    "within": "is_within",
    "has_any": "has_any_of",
    "has_all": "has_all_of",
    "has_none": "has_none_of",
    "is_any": "is_any_of",
    "is_none": "is_none_of",
}


def canonical_operator(op: str) -> str:
    key = op.strip().lower().replace(" ", "_").replace("-", "_")
    if key in ("=", "!=", "<", "<=", ">", ">=", "<>"):
        return "!=" if key == "<>" else key
    return OPERATOR_ALIASES.get(key, key)


class FieldType:
    """Base class. Subclasses set `name` and override what differs; see the module docstring."""

    name: ClassVar[str] = ""
    # Computed by PyBase (autonumber, created time, ...): API writes to them are refused.
    read_only: ClassVar[bool] = False
    # SQL type of `sort_expr` (used to cast cursor values so comparisons stay index-friendly).
    sql_type: ClassVar[str] = "text"
    # SQL type of `sort_expr` when it differs from `value_expr`'s (select types sort by position).
    sort_type: ClassVar[str | None] = None
    # Filter operators: canonical name -> compiler (see the op_* helpers in filters.py).
    operators: ClassVar[dict[str, FilterCompiler]] = {}
    # Which expression index serves which operator: "btree" (sort/compare) or "trigram" (contains).
    index_kinds: ClassVar[dict[str, str]] = {}
    # Whether a field of this type may change to another type (links may not: delete them instead).
    convertible: ClassVar[bool] = True

    # --- options ---------------------------------------------------------------------------
    def clean_options(self, options: dict[str, Any], *, previous: dict[str, Any] | None = None) -> dict[str, Any]:
        """Validate and normalize options; raises ValidationFailed. Default: keep only `indexed`."""
        return keep_common(options)

    # --- values ----------------------------------------------------------------------------
    def to_storage(self, value: Any, field: FieldLike, ctx: WriteContext) -> Any:
        """API value -> JSON storage form; None means empty. Raises FieldValueError."""
        raise NotImplementedError

    def serialize(self, stored: Any, field: FieldLike) -> Any:
        return stored

    def read(self, row: RowLike, field: FieldLike) -> Any:
        """The API value of this field for one record row (computed types read row columns)."""
        stored = row.data.get(field.id)
        return None if stored is None else self.serialize(stored, field)

    def to_text(self, stored: Any, field: FieldLike) -> str | None:
        """A string another type can typecast from (type conversion)."""
        if stored is None:
            return None
        value = self.serialize(stored, field)
        return value if isinstance(value, str) else str(value)

    def default(self, field: FieldLike) -> Any:
        """Storage value for new records that omit this field (None: leave empty)."""
        return None

    def after_write(self, session: Any, field: FieldLike, written: WrittenCell) -> None:
        """Work owed once a value this type noted in `WriteContext.followups` is written (same
        transaction). Default: none."""
        return None

    # --- SQL -------------------------------------------------------------------------------
    def value_expr(self, field: FieldLike) -> str:
        return data_text(field.id)

    def sort_expr(self, field: FieldLike) -> str | None:
        return self.value_expr(field)

    def cursor_value(self, value: Any) -> Any:
        """A sort key value fetched from SQL -> JSON for the cursor (and back via sql_type cast)."""
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, datetime):
            return value.isoformat()
        return value

    def filter_value(self, value: Any, field: FieldLike) -> Any:
        """A filter's comparison value -> the Python value bound for `value_expr` comparisons."""
        if isinstance(value, dict | list):  # types comparing structured values override this
            raise FieldValueError(f"Expected a single value, got {type(value).__name__}.")
        return value

    def compile_filter(self, field: FieldLike, op: str, value: Any, params: Params) -> str:
        compiler = self.operators.get(op)
        if compiler is None:
            raise ValidationFailed(
                f"Operator {op!r} does not apply to {self.name} fields.",
                details={"field": field.id, "operator": op, "allowed": sorted(self.operators)},
            )
        try:
            return compiler(self, field, op, value, params)
        except FieldValueError as exc:
            raise ValidationFailed(
                f"Bad filter value for field {field.name!r}: {exc.message}",
                details={"field": field.id, "operator": op, "value": value},
            ) from None

    def filter_operators(self, field: FieldLike) -> list[str]:
        """The operators a filter on this field accepts (canonical names), for clients building filters."""
        return sorted(self.operators)

    def index_expression(self, field: FieldLike, kind: str) -> str | None:
        """The expression an index of `kind` is built on, identical to the compiled SQL's.

        Kinds: "btree" (value comparisons, on `value_expr`), "sort" (on `sort_expr`, followed by
        the seq tie-breaker) and "trigram" (GIN over `pybase_trigrams(value_expr)`).
        """
        if kind == "btree":
            return self.value_expr(field)
        if kind == "sort":
            return self.sort_expr(field)
        if kind == "trigram":
            return f"pybase_trigrams({self.value_expr(field)})"
        return None

    # --- conversion ------------------------------------------------------------------------
    def convert_from(self, old_type: FieldType, old_field: FieldLike, row: RowLike, new_field: FieldLike) -> Any:
        """Storage value for `new_field` from a record stored under the old type; FieldValueError if not."""
        if old_type.read_only:
            value = old_type.read(row, old_field)
            text = None if value is None else str(value)
        else:
            text = old_type.to_text(row.data.get(old_field.id), old_field)
        if text is None or text == "":
            return None
        return self.to_storage(text, new_field, WriteContext(typecast=True))

    def prepare_conversion(self, texts: list[str], new_field: FieldLike) -> None:
        """Hook run before converting (select types add options for the distinct values)."""

    # --- schema hooks (the fields service calls them in the same transaction) -----------------
    def after_save(self, session: Any, field: Any, *, previous: dict[str, Any] | None, **ctx: Any) -> None:
        """After a field of this type is created (previous=None) or its options/type changed: checks
        that need the database (link targets, formula references) and dependent changes (inverse links).
        `ctx` has workspace_id, base_id and actor_id. Raise ValidationFailed to refuse."""

    def after_delete(self, session: Any, field: Any, **ctx: Any) -> None:
        """After a field of this type is moved to the trash."""


def keep_common(options: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if options.get("indexed"):
        out["indexed"] = True
    return out


def bad_options(message: str, **details: Any) -> ValidationFailed:
    return ValidationFailed(message, details=details or None)
