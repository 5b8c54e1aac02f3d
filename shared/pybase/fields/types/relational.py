"""Link, lookup, rollup and count fields.

Link values live in `record_links` (pybase.links), not in `records.data`: the records engine hands
the validated lists to pybase.links.service after writing the rows and loads values for a whole
page with pybase.links.computed (they reach `read` through `row.computed`). Filters and sorts compile
to correlated subqueries over `record_links` joined to the live linked records.

Options (API, snake_case; Airtable's camelCase names are accepted too):
- link:   {"linked_table_id": "tbl…", "single": false, "create_inverse": true, "inverse_name": "…"}
          -> stored {"linked_table_id", "single", "inverse_field_id" (None for one-way links)}
- lookup: {"link_field_id": "fld…", "field_id": "fld… in the linked table"}
- rollup: {"link_field_id", "field_id", "function": "SUM" | … } or {"link_field_id", "field_id",
          "formula": "SUM(values) * 2"} -> stored with "formula" and "result_type"
- count:  {"link_field_id": "fld…"}
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from pybase.access.roles import at_least
from pybase.access.service import visible_role
from pybase.errors import Forbidden, ValidationFailed
from pybase.fields.registry import register
from pybase.fields.types.base import (
    FieldLike,
    FieldType,
    FieldValueError,
    Params,
    RowLike,
    WriteContext,
    bad_options,
    keep_common,
    like_escape,
    to_decimal,
)
from pybase.fields.types.ops import NUMBER_OPERATORS
from pybase.ids import looks_like_id

MAX_LINKS_PER_CELL = 10_000

# Rollup aggregations and the formula each one stands for (evaluated over `values`).
AGGREGATIONS = {
    "SUM": "SUM(values)",
    "AVG": "AVERAGE(values)",
    "AVERAGE": "AVERAGE(values)",
    "MIN": "MIN(values)",
    "MAX": "MAX(values)",
    "COUNT": "COUNT(values)",
    "COUNTA": "COUNTA(values)",
    "COUNTALL": "COUNTALL(values)",
    "ARRAYJOIN": "ARRAYJOIN(values)",
    "ARRAYUNIQUE": "ARRAYUNIQUE(values)",
    "ARRAYCOMPACT": "ARRAYCOMPACT(values)",
    "AND": "AND(values)",
    "OR": "OR(values)",
    "XOR": "XOR(values)",
    "CONCATENATE": 'ARRAYJOIN(values, "")',
}
# The role that may change a table's fields (fields.service): linking to a table adds a field there.
SCHEMA_ROLE = "admin"

# Aggregations with an equivalent SQL aggregate over scalar values (filters/sorts in PostgreSQL).
SQL_AGGREGATES = {
    "SUM(values)": ("sum({v})", True),
    "AVERAGE(values)": ("avg({v})", True),
    "MIN(values)": ("min({v})", True),
    "MAX(values)": ("max({v})", True),
    "COUNT(values)": ("count({v})", True),
    "COUNTA(values)": ("count({v})", False),
    "COUNTALL(values)": ("count(*)", False),
}


def _opt(options: dict[str, Any], *names: str) -> Any:
    for name in names:
        if options.get(name) is not None:
            return options[name]
    return None


def _field_id_option(options: dict[str, Any], what: str, *names: str) -> str:
    value = _opt(options, *names)
    if not isinstance(value, str) or not looks_like_id(value, "fld"):
        raise bad_options(f"{what} must be a field ID (fld…).", option=names[0])
    return value


class Computed(FieldType):
    """Values come from `row.computed` (filled by pybase.links.computed for a page)."""

    read_only = True
    index_kinds: dict[str, str] = {}

    def to_storage(self, value: Any, field: FieldLike, ctx: WriteContext) -> Any:
        raise FieldValueError("This field is computed and cannot be written.")

    def read(self, row: RowLike, field: FieldLike) -> Any:
        computed = getattr(row, "computed", None)
        return None if not computed else computed.get(field.id)

    def to_text(self, stored: Any, field: FieldLike) -> str | None:
        return None

    def index_expression(self, field: FieldLike, kind: str) -> str | None:
        return None  # correlated subqueries: nothing to put in an expression index

    def convert_from(self, old_type: FieldType, old_field: FieldLike, row: RowLike, new_field: FieldLike) -> Any:
        return None

    def formula_sql(self, field: FieldLike) -> tuple[str, str] | None:
        """(SQL over `r`, formula kind) when formulas referencing this field can run in SQL."""
        return None

    def deferred_filter(
        self, field: FieldLike, op: str, value: Any, params: Params, deferred: Any, reason: str
    ) -> str:
        """The condition over a column of this field's values computed in Python (allocated with
        `deferred.column`, see pybase.records.query.Deferred), for a field whose filter has no SQL
        form; types that cannot say it keep the 422."""
        from pybase.links.computed import not_filterable

        raise not_filterable(field, reason)

    def after_save(self, session: Session, field: Any, *, previous: dict[str, Any] | None, **ctx: Any) -> None:
        return None


def _live_link(session: Session, field: Any, link_field_id: str | None, principal: Any = None) -> Any:
    """The live link field a lookup/rollup/count reads through; with `principal`, its linked table must
    be readable by the caller (else the same answer whether the linked table's fields exist or not)."""
    from pybase.fields.models import Field

    link = session.get(Field, link_field_id) if link_field_id else None
    if link is None or link.deleted_at is not None or link.table_id != field.table_id or link.type != "link":
        raise bad_options("link_field_id must be a link field of this table.", option="link_field_id")
    linked_table = (link.options or {}).get("linked_table_id") or ""
    if principal is not None and visible_role(session, principal=principal, table_id=linked_table) is None:
        raise bad_options("link_field_id must link to a table you can read.", option="link_field_id")
    return link


def _live_target(session: Session, link: Any, target_id: str | None) -> Any:
    from pybase.fields.models import Field

    target = session.get(Field, target_id) if target_id else None
    linked_table = (link.options or {}).get("linked_table_id")
    if target is None or target.deleted_at is not None or target.table_id != linked_table:
        raise bad_options("field_id must be a field of the linked table.", option="field_id")
    return target


def _link_for_query(field: Any) -> tuple[Any, Any]:
    """(session, live link field) of a lookup/rollup/count at query time, or a 422."""
    from pybase.fields.models import Field
    from pybase.links.computed import not_filterable, session_of

    session = session_of(field)
    link = session.get(Field, (field.options or {}).get("link_field_id") or "")
    if link is None or link.deleted_at is not None or link.type != "link":
        raise not_filterable(field, "its link field was deleted", broken=True)
    return session, link


def _target_sql(field: Any, alias: str = "t") -> tuple[str, str]:
    """SQL of a lookup/rollup's target value over the linked record `t`, and its formula kind."""
    from pybase.fields.models import Field
    from pybase.formulas import NotCompilable
    from pybase.links.computed import field_sql, live_fields_of, not_filterable, on_alias

    session, _ = _link_for_query(field)
    target = session.get(Field, (field.options or {}).get("field_id") or "")
    if target is None or target.deleted_at is not None:
        raise not_filterable(field, "its target field was deleted", broken=True)
    if target.type in ("link", "lookup", "rollup", "count", "formula"):
        raise not_filterable(field, f"it looks up a {target.type} field")
    try:
        sql, kind = field_sql(target, live_fields_of(session, target.table_id))
    except NotCompilable as exc:
        raise not_filterable(field, exc) from None
    return on_alias(sql, alias), kind


# --- link ---------------------------------------------------------------------------------------


def record_ids(value: Any) -> list[str]:
    """A link cell's API value -> record IDs, in order, without repeats."""
    if value is None or value == "" or value == []:
        return []
    items = value if isinstance(value, list) else [value]
    if len(items) > MAX_LINKS_PER_CELL:
        raise FieldValueError(f"A link cell holds at most {MAX_LINKS_PER_CELL} records.")
    out: list[str] = []
    for item in items:
        rid = item.get("id") if isinstance(item, dict) else item
        if not isinstance(rid, str) or not looks_like_id(rid, "rec"):
            raise FieldValueError(f"Expected record IDs (rec…), got {item!r}.")
        if rid not in out:
            out.append(rid)
    return out


@register
class Link(Computed):
    """Links to records of a table in the same base (many-to-many; optionally one record)."""

    name = "link"
    read_only = False
    convertible = False  # its values live in record_links, and it may have an inverse
    sql_type = ""  # sort key is text; left uncast so keyset values bind as PostgreSQL infers

    def clean_options(self, options: dict[str, Any], *, previous: dict[str, Any] | None = None) -> dict[str, Any]:
        out = keep_common(options)
        out.pop("indexed", None)
        linked = _opt(options, "linked_table_id", "linkedTableId")
        if not isinstance(linked, str) or not looks_like_id(linked, "tbl"):
            raise bad_options("linked_table_id must be a table ID (tbl…).", option="linked_table_id")
        if previous and previous.get("linked_table_id") and previous["linked_table_id"] != linked:
            raise bad_options("The linked table of a link field cannot change.", option="linked_table_id")
        out["linked_table_id"] = linked
        single = _opt(options, "single", "prefers_single_record_link", "prefersSingleRecordLink")
        out["single"] = bool(single)
        inverse = (previous or {}).get("inverse_field_id") if previous else _opt(options, "inverse_field_id")
        out["inverse_field_id"] = inverse if isinstance(inverse, str) and looks_like_id(inverse, "fld") else None
        if previous is None:
            create = options.get("create_inverse", True)
            if not isinstance(create, bool):
                raise bad_options("create_inverse is true or false.", option="create_inverse")
            out["create_inverse"] = create and out["inverse_field_id"] is None
            name = options.get("inverse_name")
            if name is not None and (not isinstance(name, str) or not name.strip() or len(name) > 200):
                raise bad_options("inverse_name is a field name.", option="inverse_name")
            if name is not None:
                out["inverse_name"] = name
        return out

    def to_storage(self, value: Any, field: FieldLike, ctx: WriteContext) -> Any:
        ids = record_ids(value)
        if len(ids) > 1 and (field.options or {}).get("single"):
            raise FieldValueError("This field links to a single record.")
        return ids

    def after_save(self, session: Session, field: Any, *, previous: dict[str, Any] | None, **ctx: Any) -> None:
        from pybase.tables.models import Table

        options = dict(field.options or {})
        own = session.get(Table, field.table_id)
        linked = session.get(Table, options["linked_table_id"])
        principal = ctx.get("principal")
        role = None
        if principal is not None and linked is not None and previous is None:
            # A table the caller cannot see answers exactly like one that does not exist.
            role = visible_role(session, principal=principal, table_id=linked.id)
            if role is None:
                linked = None
        if linked is None or linked.deleted_at is not None or own is None:
            raise ValidationFailed(
                "The linked table does not exist.", details={"linked_table_id": options["linked_table_id"]}
            )
        if role is not None and not at_least(role, SCHEMA_ROLE):
            # The link adds its inverse field to the linked table and shows its records' names.
            raise Forbidden(
                f"Your role on the linked table ({role}) cannot link to it; it needs {SCHEMA_ROLE} or higher.",
                details={"linked_table_id": linked.id, "role": role, "required": SCHEMA_ROLE},
            )
        if linked.base_id != own.base_id:
            raise ValidationFailed(
                "A link field can only link to a table of the same base.",
                details={"linked_table_id": linked.id, "base_id": own.base_id},
            )
        create = options.pop("create_inverse", False)
        inverse_name = options.pop("inverse_name", None)
        inverse_id = options.get("inverse_field_id")
        if previous is None and inverse_id and not create:
            inverse = session.get(type(field), inverse_id)
            inverse_options = (inverse.options or {}) if inverse is not None else {}
            if (
                inverse is None
                or inverse.type != "link"
                or inverse.table_id != linked.id
                or inverse_options.get("linked_table_id") != field.table_id
                or inverse_options.get("inverse_field_id") not in (None, field.id)
            ):
                raise bad_options(
                    "inverse_field_id must be a link field of the linked table.", option="inverse_field_id"
                )
        if create:
            from pybase.fields.service import add_field, free_field_name

            inverse = add_field(
                session,
                table_id=linked.id,
                workspace_id=ctx.get("workspace_id"),
                base_id=linked.base_id,
                actor_id=ctx.get("actor_id"),
                name=free_field_name(session, table_id=linked.id, name=inverse_name or own.name),
                type="link",
                options={"linked_table_id": field.table_id, "inverse_field_id": field.id, "create_inverse": False},
            )
            options["inverse_field_id"] = inverse.id
        field.options = options

    def after_delete(self, session: Session, field: Any, **ctx: Any) -> None:
        """The two sides of a link come and go together."""
        from pybase.events.service import emit
        from pybase.records import indexes

        inverse = _inverse_of(session, field)
        if inverse is not None and inverse.deleted_at is None:
            inverse.deleted_at = field.deleted_at
            indexes.drop_field_indexes(session, table_id=inverse.table_id, field_id=inverse.id)
            emit(
                session,
                type="field.deleted",
                workspace_id=ctx.get("workspace_id") or "",
                base_id=ctx.get("base_id"),
                table_id=inverse.table_id,
                actor_id=ctx.get("actor_id"),
                payload={"field_id": inverse.id, "reason": "inverse"},
            )

    # SQL: correlated subqueries over record_links.
    def _primary_sql(self, field: Any) -> str:
        from pybase.fields.models import Field
        from pybase.formulas import NotCompilable
        from pybase.links.computed import field_sql, live_fields_of, not_filterable, on_alias, session_of
        from pybase.tables.models import Table

        session = session_of(field)
        table = session.get(Table, (field.options or {}).get("linked_table_id") or "")
        primary = session.get(Field, table.primary_field_id) if table and table.primary_field_id else None
        if primary is None:
            raise not_filterable(field, "the linked table has no primary field", broken=True)
        try:
            sql, _ = field_sql(primary, live_fields_of(session, primary.table_id))
        except NotCompilable as exc:
            raise not_filterable(field, exc) from None
        return on_alias(sql)

    def value_expr(self, field: FieldLike) -> str:
        from pybase.links.computed import linked_sql

        return f"(EXISTS ({linked_sql(field)}))"

    def sort_expr(self, field: FieldLike) -> str | None:
        from pybase.links.computed import linked_sql

        primary = self._primary_sql(field)
        return f"({linked_sql(field, select_sql=f'({primary})::text')} ORDER BY l.position LIMIT 1)"

    @staticmethod
    def _exists(t: Link, f: FieldLike, where: str, negate: bool = False) -> str:
        from pybase.links.computed import linked_sql

        sql = f"EXISTS ({linked_sql(f, where=where)})"
        return f"(NOT {sql})" if negate else f"({sql})"

    @staticmethod
    def _ids(value: Any) -> list[str]:
        try:
            ids = record_ids(value)
        except FieldValueError:
            raise
        if not ids:
            raise FieldValueError("Expected one or more record IDs.")
        return ids

    @staticmethod
    def _has_any(t: Link, f: FieldLike, op: str, value: Any, ps: Params) -> str:
        return Link._exists(t, f, f"l.to_record_id = ANY({ps.add(Link._ids(value), 'text[]')})")

    @staticmethod
    def _has_none(t: Link, f: FieldLike, op: str, value: Any, ps: Params) -> str:
        return Link._exists(t, f, f"l.to_record_id = ANY({ps.add(Link._ids(value), 'text[]')})", negate=True)

    @staticmethod
    def _has_all(t: Link, f: FieldLike, op: str, value: Any, ps: Params) -> str:
        from pybase.links.computed import linked_sql

        ids = Link._ids(value)
        where = f"l.to_record_id = ANY({ps.add(ids, 'text[]')})"
        return f"(({linked_sql(f, select_sql='count(*)', where=where)}) = {len(ids)})"

    @staticmethod
    def _contains(t: Link, f: FieldLike, op: str, value: Any, ps: Params, negate: bool = False) -> str:
        if not isinstance(value, str) or not value:
            raise FieldValueError("Expected a non-empty text.")
        pattern = ps.add("%" + like_escape(value) + "%", "text")
        return Link._exists(t, f, f"(({t._primary_sql(f)})::text ILIKE {pattern})", negate=negate)

    operators = {
        "is_empty": lambda t, f, op, v, ps: Link._exists(t, f, "TRUE", negate=True),
        "is_not_empty": lambda t, f, op, v, ps: Link._exists(t, f, "TRUE"),
        "has_any_of": _has_any,
        "is_any_of": _has_any,
        "is": _has_all,
        "has_all_of": _has_all,
        "has_none_of": _has_none,
        "is_none_of": _has_none,
        "is_not": _has_none,
        "contains": _contains,
        "not_contains": lambda t, f, op, v, ps: Link._contains(t, f, op, v, ps, negate=True),
    }

    def deferred_filter(
        self, field: FieldLike, op: str, value: Any, params: Params, deferred: Any, reason: str
    ) -> str:
        # Only the text operators read the linked primary field (one with no SQL form gets here):
        # over the linked records' names, as a lookup of the primary field is filtered.
        column = deferred.column(field, _element_texts, reason)
        return FieldType.compile_filter(_LookupValues(column), field, op, value, params)


def _inverse_of(session: Session, field: Any) -> Any:
    from pybase.fields.models import Field

    inverse_id = (field.options or {}).get("inverse_field_id")
    inverse = session.get(Field, inverse_id) if inverse_id else None
    if inverse is None or inverse.type != "link" or (inverse.options or {}).get("inverse_field_id") != field.id:
        return None
    return inverse


# --- lookup -------------------------------------------------------------------------------------


@register
class Lookup(Computed):
    """The values of a field across the linked records (a list, flattened)."""

    name = "lookup"
    sql_type = ""

    def clean_options(self, options: dict[str, Any], *, previous: dict[str, Any] | None = None) -> dict[str, Any]:
        return {
            "link_field_id": _field_id_option(options, "link_field_id", "link_field_id", "recordLinkFieldId"),
            "field_id": _field_id_option(options, "field_id", "field_id", "fieldIdInLinkedTable"),
        }

    def after_save(self, session: Session, field: Any, *, previous: dict[str, Any] | None, **ctx: Any) -> None:
        link = _live_link(session, field, field.options.get("link_field_id"), ctx.get("principal"))
        _live_target(session, link, field.options.get("field_id"))

    def value_expr(self, field: FieldLike) -> str:
        from pybase.links.computed import linked_sql

        expr, _ = _target_sql(field)
        return f"(EXISTS ({linked_sql(_link_for_query(field)[1], where=f'{expr} IS NOT NULL')}))"

    def sort_expr(self, field: FieldLike) -> str | None:
        from pybase.links.computed import linked_sql

        expr, _ = _target_sql(field)
        select_sql = f"({expr})::text"
        link = _link_for_query(field)[1]
        return (
            f"({linked_sql(link, select_sql=select_sql, where=f'{expr} IS NOT NULL')} ORDER BY l.position LIMIT 1)"
        )

    # The operators read the linked values through `_element` and `_exists`, so the same operators
    # run over values computed in Python (_LookupValues).
    def _element(self, f: FieldLike) -> str:
        return _target_sql(f)[0]

    def _exists(self, f: FieldLike, cond: str, negate: bool = False) -> str:
        from pybase.links.computed import linked_sql

        sql = f"EXISTS ({linked_sql(_link_for_query(f)[1], where=cond)})"
        return f"(NOT {sql})" if negate else f"({sql})"

    def _text_cond(self, f: FieldLike, op: str, value: Any, ps: Params) -> str:
        expr = self._element(f)
        if op in ("contains", "not_contains"):
            if not isinstance(value, str | int | float) or isinstance(value, bool) or str(value) == "":
                raise FieldValueError("Expected a non-empty text.")
            return f"(({expr})::text ILIKE {ps.add('%' + like_escape(str(value)) + '%', 'text')})"
        items = value if isinstance(value, list) else [value]
        if not items or any(i is None or i == "" or isinstance(i, dict | list) for i in items):
            raise FieldValueError("Expected a value or a list of values.")
        return f"(({expr})::text = ANY({ps.add([str(i) for i in items], 'text[]')}))"

    operators = {
        "is_empty": lambda t, f, op, v, ps: t._exists(f, f"{t._element(f)} IS NOT NULL", negate=True),
        "is_not_empty": lambda t, f, op, v, ps: t._exists(f, f"{t._element(f)} IS NOT NULL"),
        "contains": lambda t, f, op, v, ps: t._exists(f, t._text_cond(f, op, v, ps)),
        "not_contains": lambda t, f, op, v, ps: t._exists(f, t._text_cond(f, op, v, ps), True),
        "has_any_of": lambda t, f, op, v, ps: t._exists(f, t._text_cond(f, op, v, ps)),
        "is": lambda t, f, op, v, ps: t._exists(f, t._text_cond(f, op, v, ps)),
        "has_none_of": lambda t, f, op, v, ps: t._exists(f, t._text_cond(f, op, v, ps), True),
    }

    def deferred_filter(
        self, field: FieldLike, op: str, value: Any, params: Params, deferred: Any, reason: str
    ) -> str:
        column = deferred.column(field, _element_texts, reason)
        return FieldType.compile_filter(_LookupValues(column), field, op, value, params)


def _element_texts(value: Any) -> str | None:
    """A lookup's API value as the JSON array of its values' texts (errors are blanks)."""
    from pybase.formulas.values import to_text

    items = value if isinstance(value, list) else [] if value is None else [value]
    texts = [None if isinstance(v, dict) and "error" in v else to_text(v) or None for v in items]
    return json.dumps(texts)


class _LookupValues(Lookup):
    """Lookup operators over a JSON array of texts computed in Python (a column of the scan)."""

    def __init__(self, column: str) -> None:
        self.column = column

    def _element(self, f: FieldLike) -> str:
        return "e.x"

    def _exists(self, f: FieldLike, cond: str, negate: bool = False) -> str:
        sql = f"EXISTS (SELECT 1 FROM jsonb_array_elements_text(CAST({self.column} AS jsonb)) AS e(x) WHERE {cond})"
        return f"(NOT {sql})" if negate else f"({sql})"


# --- rollup -------------------------------------------------------------------------------------


_EMPTY: dict[str, Any] = {}


def empty_result(formula: str) -> Any:
    """What the formula library gives for no linked records (SQL aggregates are coalesced to it)."""
    if formula not in _EMPTY:
        from pybase.formulas import evaluate, parse

        _EMPTY[formula] = evaluate(parse(formula), {"values": []})
    return _EMPTY[formula]


class _NumberShim(FieldType):
    """Number filter compilers over an arbitrary SQL expression."""

    name = "rollup"
    sql_type = "numeric"
    operators = NUMBER_OPERATORS

    def __init__(self, expr: str) -> None:
        self.expr = expr

    def value_expr(self, field: FieldLike) -> str:
        return self.expr

    def filter_value(self, value: Any, field: FieldLike) -> Any:
        return to_decimal(value)


@register
class Rollup(Computed):
    """An aggregation (or a formula over `values`) of a field across the linked records."""

    name = "rollup"
    sql_type = "numeric"

    def clean_options(self, options: dict[str, Any], *, previous: dict[str, Any] | None = None) -> dict[str, Any]:
        out = {
            "link_field_id": _field_id_option(options, "link_field_id", "link_field_id", "recordLinkFieldId"),
            "field_id": _field_id_option(options, "field_id", "field_id", "fieldIdInLinkedTable"),
        }
        function = options.get("function")
        formula = options.get("formula")
        if function is not None and (previous is None or function != (previous or {}).get("function")):
            if not isinstance(function, str) or function.upper() not in AGGREGATIONS:
                raise bad_options(
                    f"function is one of {', '.join(sorted(AGGREGATIONS))}.",
                    option="function",
                    known=sorted(AGGREGATIONS),
                )
            out["function"] = function.upper()
            out["formula"] = AGGREGATIONS[function.upper()]
        elif isinstance(formula, str) and formula.strip():
            out["formula"] = formula
            upper = formula.replace(" ", "").upper()
            named = [name for name, text in AGGREGATIONS.items() if text.replace(" ", "").upper() == upper]
            if named and (previous or {}).get("function") in named:
                out["function"] = previous["function"]  # type: ignore[index]
        else:
            raise bad_options("A rollup needs a function (e.g. SUM) or a formula over values.", option="function")
        return out

    def after_save(self, session: Session, field: Any, *, previous: dict[str, Any] | None, **ctx: Any) -> None:
        from pybase.formulas import FieldInfo, FormulaError, prepare_formula

        link = _live_link(session, field, field.options.get("link_field_id"), ctx.get("principal"))
        _live_target(session, link, field.options.get("field_id"))
        options = dict(field.options)
        try:
            prepared = prepare_formula(options["formula"], [FieldInfo("values", "values", "array")])
        except FormulaError:
            raise
        options["formula"] = prepared.stored
        options["result_type"] = prepared.result_type
        field.options = options

    def formula_sql(self, field: FieldLike) -> tuple[str, str] | None:
        from pybase.links.computed import linked_sql

        # Stored formulas quote the reference ("SUM({values})").
        formula = (field.options or {}).get("formula", "").replace(" ", "").replace("{values}", "values")
        aggregate = {k.upper(): v for k, v in SQL_AGGREGATES.items()}.get(formula.upper())
        if aggregate is None:
            return None
        expr, kind = _target_sql(field)
        template, numeric = aggregate
        if numeric and kind != "number":
            return None
        value = expr if numeric else f"NULLIF(({expr})::text, '')"
        sql = linked_sql(_link_for_query(field)[1], select_sql=template.format(v=value))
        empty = empty_result(field.options["formula"])
        if isinstance(empty, int | float) and not isinstance(empty, bool):
            return f"coalesce(({sql})::numeric, {float(empty)!r})", "number"
        return f"(({sql})::numeric)", "number"

    def value_expr(self, field: FieldLike) -> str:
        from pybase.links.computed import not_filterable

        compiled = self.formula_sql(field)
        if compiled is None:
            raise not_filterable(
                field,
                "this rollup runs in Python (SUM, AVG, MIN, MAX of numbers, COUNT, COUNTA and COUNTALL run in SQL)",
            )
        return compiled[0]

    def compile_filter(self, field: FieldLike, op: str, value: Any, params: Params) -> str:
        return FieldType.compile_filter(_NumberShim(self.value_expr(field)), field, op, value, params)

    def deferred_filter(
        self, field: FieldLike, op: str, value: Any, params: Params, deferred: Any, reason: str
    ) -> str:
        from pybase.fields.types.formula import kind_filter

        kind = str((field.options or {}).get("result_type") or "number")
        return kind_filter(field, kind, op, value, params, deferred, reason)

    def filter_operators(self, field: FieldLike) -> list[str]:
        # A rollup that is not a number (ARRAYJOIN, ...) is computed in Python and filtered by its kind.
        from pybase.fields.types.formula import kind_operators

        kind = str((field.options or {}).get("result_type") or "number")
        return sorted(self.operators) if kind == "number" else kind_operators(kind)

    operators = NUMBER_OPERATORS


# --- count --------------------------------------------------------------------------------------


@register
class Count(Computed):
    """How many live records a link field links to."""

    name = "count"
    sql_type = "numeric"

    def clean_options(self, options: dict[str, Any], *, previous: dict[str, Any] | None = None) -> dict[str, Any]:
        return {"link_field_id": _field_id_option(options, "link_field_id", "link_field_id", "recordLinkFieldId")}

    def after_save(self, session: Session, field: Any, *, previous: dict[str, Any] | None, **ctx: Any) -> None:
        _live_link(session, field, field.options.get("link_field_id"))

    def formula_sql(self, field: FieldLike) -> tuple[str, str] | None:
        from pybase.links.computed import linked_sql

        _, link = _link_for_query(field)
        return f"(({linked_sql(link, select_sql='count(*)')})::numeric)", "number"

    def value_expr(self, field: FieldLike) -> str:
        return self.formula_sql(field)[0]  # type: ignore[index]

    def filter_value(self, value: Any, field: FieldLike) -> Any:
        return to_decimal(value)

    operators = NUMBER_OPERATORS


__all__ = ["AGGREGATIONS", "Count", "Link", "Lookup", "Rollup", "record_ids"]
