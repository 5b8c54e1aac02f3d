"""Formula fields (pybase.formulas): computed on read, filtered and sorted in PostgreSQL.

Options: {"formula": "IF({Qty} > 3, 'many', 'few')"} on write; stored as
{"formula": "IF({fld…} > 3, 'many', 'few')", "referenced_field_ids": [...], "result_type": "text"}
so renaming a field never breaks a formula. A syntax error, an unknown function or a reference to a
field that does not exist (or is in the trash) is a 422 whose `details.position` says where.

Values are computed in Python for a page (pybase.links.computed); filters and sorts compile the same
formula to SQL with pybase.formulas' compiler. A formula with no SQL form (arrays of links and lookups,
DATETIME_PARSE of a field, ...) is filtered on its values computed in Python for batches of rows
(`deferred_filter`, pybase.records.store.scan), with the same operators; sorting by it is a 422.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pybase.errors import ValidationFailed
from pybase.fields.registry import register
from pybase.fields.types.base import FieldLike, FieldType, FieldValueError, Params, bad_options, to_decimal
from pybase.fields.types.ops import NUMBER_OPERATORS, TEXT_OPERATORS, compare, op_distinct, op_is_empty, op_is_not_empty
from pybase.fields.types.relational import Computed

MAX_FORMULA_LENGTH = 10_000


class _Shim(FieldType):
    """Filter compilers over a compiled formula expression, typed by its result kind."""

    name = "formula"

    def __init__(self, expr: str, sql_type: str, cast: Any) -> None:
        self.expr = expr
        self.sql_type = sql_type  # type: ignore[misc]
        self.cast = cast

    def value_expr(self, field: FieldLike) -> str:
        return self.expr

    def filter_value(self, value: Any, field: FieldLike) -> Any:
        return self.cast(value)


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "0", "no"):
        return False
    if isinstance(value, int | float):
        return value != 0
    raise FieldValueError(f"Expected true or false, got {value!r}.")


def _as_date(value: Any) -> Any:
    from pybase.formulas.dates import parse_datetime
    from pybase.formulas.values import Fail

    if not isinstance(value, str) or not value.strip():
        raise FieldValueError("Expected a date or date-time.")
    try:
        return parse_datetime(value.strip(), None)
    except Fail:
        raise FieldValueError(f"Expected a date or date-time, got {value!r}.") from None


def _as_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise FieldValueError("Expected a text.")
    return str(value)


_BY_KIND: dict[str, tuple[str, Any, dict[str, Any]]] = {
    "number": ("double precision", lambda v: float(to_decimal(v)), NUMBER_OPERATORS),
    "text": ("text", _as_text, TEXT_OPERATORS),
    "date": (
        "timestamptz",
        _as_date,
        {
            **{op: compare(op) for op in ("=", "<", "<=", ">", ">=")},
            "is": compare("="),
            "is_before": compare("<"),
            "is_after": compare(">"),
            "is_on_or_before": compare("<="),
            "is_on_or_after": compare(">="),
            "!=": op_distinct,
            "is_not": op_distinct,
            "is_empty": op_is_empty,
            "is_not_empty": op_is_not_empty,
        },
    ),
    "boolean": (
        "boolean",
        _as_bool,
        {"is": compare("="), "=": compare("="), "is_not": op_distinct, "!=": op_distinct},
    ),
}


def _number_text(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None  # errors, NaN and Infinity ({"specialValue": ...}) match no number condition
    return repr(float(value)) if abs(value) != float("inf") else None


def _plain_text(value: Any) -> str | None:
    from pybase.formulas.values import to_text

    if value is None or (isinstance(value, dict) and ("error" in value or "specialValue" in value)):
        return None
    return to_text(value) or None


def _date_text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _boolean_text(value: Any) -> str:
    from pybase.links.computed import api_truthy

    return "true" if api_truthy(value) else "false"


# A computed API value -> the text its scan column holds, cast back to the kind's SQL type.
_ENCODERS: dict[str, Any] = {"number": _number_text, "text": _plain_text, "date": _date_text, "boolean": _boolean_text}


def kind_operators(kind: str) -> list[str]:
    return sorted(_BY_KIND[kind if kind in _BY_KIND else "text"][2])


def kind_filter(field: FieldLike, kind: str, op: str, value: Any, params: Params, deferred: Any, reason: str) -> str:
    """A filter on a formula (or rollup) value of result kind `kind` computed in Python: the same
    operators as the SQL form, over the scan's column. Arrays are filtered as their text."""
    kind = kind if kind in _BY_KIND else "text"
    sql_type, cast, operators = _BY_KIND[kind]
    column = deferred.column(field, _ENCODERS[kind], reason)
    shim = _Shim(f"CAST({column} AS {sql_type})", sql_type, cast)
    shim.operators = operators  # type: ignore[misc]
    return FieldType.compile_filter(shim, field, op, value, params)


@register
class Formula(Computed):
    name = "formula"
    sql_type = ""  # the sort key's type is the formula's; keyset values bind uncast (PostgreSQL infers)

    def clean_options(self, options: dict[str, Any], *, previous: dict[str, Any] | None = None) -> dict[str, Any]:
        text = options.get("formula")
        if not isinstance(text, str) or not text.strip():
            raise bad_options("A formula field needs options.formula (text).", option="formula")
        if len(text) > MAX_FORMULA_LENGTH:
            raise bad_options(f"A formula is at most {MAX_FORMULA_LENGTH} characters.", option="formula")
        return {"formula": text}

    def after_save(self, session: Session, field: Any, *, previous: dict[str, Any] | None, **ctx: Any) -> None:
        """Resolve names to IDs against the table's live fields (positions in errors are the user's)."""
        from pybase.formulas import FieldInfo, prepare_formula
        from pybase.links.computed import formula_kind, live_fields_of

        fields = {fid: f for fid, f in live_fields_of(session, field.table_id).items() if fid != field.id}
        infos = [FieldInfo(f.id, f.name, formula_kind(f)) for f in fields.values()]
        prepared = prepare_formula(field.options["formula"], infos)
        _check_cycle(field.id, prepared.field_ids, fields)
        field.options = {
            "formula": prepared.stored,
            "referenced_field_ids": sorted(prepared.field_ids),
            "result_type": prepared.result_type,
        }

    def _compiled(self, field: FieldLike) -> tuple[str, str]:
        from pybase.formulas import NotCompilable
        from pybase.links.computed import compile_formula, live_fields_of, not_filterable, session_of

        session = session_of(field)
        try:
            return compile_formula(field, live_fields_of(session, field.table_id), frozenset({field.id}))  # type: ignore[attr-defined]
        except NotCompilable as exc:
            raise not_filterable(field, exc) from None

    def value_expr(self, field: FieldLike) -> str:
        return f"({self._compiled(field)[0]})"

    def sort_expr(self, field: FieldLike) -> str | None:
        return self.value_expr(field)

    def filter_operators(self, field: FieldLike) -> list[str]:
        # By the result type saved with the formula; arrays are filtered as their text.
        return kind_operators(str((field.options or {}).get("result_type")))

    def deferred_filter(
        self, field: FieldLike, op: str, value: Any, params: Params, deferred: Any, reason: str
    ) -> str:
        kind = str((field.options or {}).get("result_type") or "text")
        return kind_filter(field, kind, op, value, params, deferred, reason)

    def compile_filter(self, field: FieldLike, op: str, value: Any, params: Params) -> str:
        expr, kind = self._compiled(field)
        if kind not in _BY_KIND:
            raise ValidationFailed(
                f"Field {field.name!r} ({kind}) cannot be filtered.", details={"field": field.id, "kind": kind}
            )
        sql_type, cast, operators = _BY_KIND[kind]
        shim = _Shim(f"({expr})", sql_type, cast)
        shim.operators = operators  # type: ignore[misc]
        return FieldType.compile_filter(shim, field, op, value, params)


def _check_cycle(field_id: str, refs: frozenset[str], fields: dict[str, Any]) -> None:
    """A formula may not (through other formulas) refer to itself."""
    stack = list(refs)
    seen: set[str] = set()
    while stack:
        ref = stack.pop()
        if ref == field_id:
            raise ValidationFailed("This formula refers to itself through another formula.", details={"field": ref})
        if ref in seen:
            continue
        seen.add(ref)
        other = fields.get(ref)
        if other is not None and other.type == "formula":
            stack.extend((other.options or {}).get("referenced_field_ids") or [])


MAX_BUTTON_LABEL = 100


@register
class Button(Formula):
    """Airtable's button field: a label and an optional URL formula; the cell is {"label", "url"}.

    Options: {"label": "Open", "url_formula": "'https://example.com/' & {Part No}"} on write; stored as
    {"label", "formula" (the URL formula with field IDs), "referenced_field_ids", "result_type"}, so the
    computed-field machinery evaluates it exactly like a formula field. Read-only, not filterable.
    """

    name = "button"

    def clean_options(self, options: dict[str, Any], *, previous: dict[str, Any] | None = None) -> dict[str, Any]:
        label = options.get("label")
        if not isinstance(label, str) or not label.strip() or len(label) > MAX_BUTTON_LABEL:
            raise bad_options(f"A button needs options.label, 1 to {MAX_BUTTON_LABEL} characters.", option="label")
        url = options.get("url_formula", options.get("formula"))
        if url is not None and url != "" and not isinstance(url, str):
            raise bad_options("options.url_formula is a formula (text).", option="url_formula")
        if url and len(url) > MAX_FORMULA_LENGTH:
            raise bad_options(f"A formula is at most {MAX_FORMULA_LENGTH} characters.", option="url_formula")
        return {"label": label.strip(), "formula": url or ""}

    def after_save(self, session: Session, field: Any, *, previous: dict[str, Any] | None, **ctx: Any) -> None:
        label = field.options["label"]
        if not field.options.get("formula"):
            field.options = {"label": label, "formula": "", "referenced_field_ids": [], "result_type": "text"}
            return
        super().after_save(session, field, previous=previous, **ctx)
        field.options = {**field.options, "label": label}

    def value_expr(self, field: FieldLike) -> str:
        raise ValidationFailed(
            f"Field {field.name!r} (button) cannot be filtered or sorted.", details={"field": field.id}
        )

    def sort_expr(self, field: FieldLike) -> str | None:
        return None

    def filter_operators(self, field: FieldLike) -> list[str]:
        return []

    def compile_filter(self, field: FieldLike, op: str, value: Any, params: Params) -> str:
        return self.value_expr(field)
