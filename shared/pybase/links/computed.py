"""Computed fields of a page of records: links, lookups, rollups, counts and formulas.

`attach(session, table_fields=, rows=, wanted=)` fills `row.computed[field_id]` with API values for
every computed field in `wanted` using a fixed number of queries whatever the number of rows:
one for the links of every link field involved (joined to the live linked records), one for the
linked tables' fields, and the same again per level of nesting (a lookup of a lookup, a formula in a
linked table), at most MAX_DEPTH levels. Values are computed in Python from those rows; formulas use
pybase.formulas' evaluator, rollups evaluate their formula over `values`, so both agree with the SQL
the same formulas compile to for filters and sorts (see `sql_resolver`).

Read shapes (API): link -> [{"id": "rec…", "name": <primary field text>}], lookup -> [values…],
rollup/formula -> number | text | bool | ISO date | list | {"error": "#ERROR!"}, count -> int.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from pybase.errors import ValidationFailed
from pybase.fields.models import Field
from pybase.fields.registry import get_field_type
from pybase.formulas import ErrorValue, NotCompilable, parse
from pybase.formulas import evaluate as formula_evaluate
from pybase.formulas.evaluator import Evaluation, RecordContext, convert_value
from pybase.formulas.integration import KIND_BY_FIELD_TYPE
from pybase.formulas.nodes import Call, FieldRef, Node
from pybase.formulas.registry import get_function
from pybase.formulas.values import is_special, normalize_result, special_json, to_text

MAX_DEPTH = 3
COMPUTED_TYPES = frozenset({"link", "lookup", "rollup", "count", "formula", "button"})
# Types computed from a formula over the record (a button's URL is one).
FORMULA_TYPES = frozenset({"formula", "button"})
ROW_SELECT = "t.id, t.seq, t.data, t.version, t.created_at, t.created_by, t.updated_at, t.updated_by"


class LinkedRow:
    """A linked record as the field types read it (same attributes as records.service.Row)."""

    __slots__ = ("computed", "created_at", "created_by", "data", "id", "seq", "updated_at", "updated_by", "version")

    def __init__(self, *values: Any) -> None:
        (self.id, self.seq, self.data, self.version, self.created_at, self.created_by, self.updated_at,
         self.updated_by) = values  # fmt: skip
        self.computed: dict[str, Any] = {}


# --- page loading -----------------------------------------------------------------------------


class FieldSnap:
    """A plain copy of a Field: computing a page reads field attributes hundreds of times, and
    SQLAlchemy's instrumented attributes cost far more per read than plain slots."""

    __slots__ = ("id", "name", "options", "table_id", "type")

    def __init__(self, field: Any) -> None:
        self.id, self.name, self.type = field.id, field.name, field.type
        self.options = dict(field.options or {})
        self.table_id = getattr(field, "table_id", None)

    @classmethod
    def of(cls, id: str, name: str, type: str, options: dict[str, Any] | None, table_id: str | None) -> FieldSnap:
        new = cls.__new__(cls)
        new.id, new.name, new.type, new.options, new.table_id = id, name, type, dict(options or {}), table_id
        return new


def snap(field: Any) -> Any:
    return field if isinstance(field, FieldSnap) else FieldSnap(field)


def needs_loading(fields: list[Any]) -> bool:
    return any(f.type in COMPUTED_TYPES for f in fields)


def _closure(by_id: dict[str, Any], wanted: list[Any]) -> list[Any]:
    """The computed fields to compute: `wanted` plus what they depend on in the same table."""
    out: dict[str, Any] = {}
    stack = [f for f in wanted if f.type in COMPUTED_TYPES]
    while stack:
        field = stack.pop()
        if field.id in out:
            continue
        out[field.id] = field
        options = field.options or {}
        deps: list[str] = []
        if field.type in FORMULA_TYPES:
            deps = list(options.get("referenced_field_ids") or [])
        elif field.type in ("lookup", "rollup", "count"):
            deps = [options.get("link_field_id") or ""]
        for dep in deps:
            dep_field = by_id.get(dep)
            if dep_field is not None and dep_field.type in COMPUTED_TYPES:
                stack.append(dep_field)
    return list(out.values())


def _raw(session: Session) -> Any:
    return session.connection().connection.driver_connection


def attach(
    session: Session,
    *,
    table_fields: list[Any],
    rows: list[Any],
    wanted: list[Any],
    depth: int = 0,
    readable: Callable[[str], bool] | None = None,
) -> None:
    """Compute `wanted`'s computed fields for `rows` (objects with a `computed` dict attribute).

    `readable(table_id)` says whether the caller may read a linked table (None: everything). Values
    from a table the caller cannot read are left out: link cells keep their record IDs (the linking
    table's own data) without names, lookups and rollups are empty, and so are formulas' views of them."""
    if not rows:
        return
    by_id = {f.id: snap(f) for f in table_fields}
    wanted = [by_id.get(f.id) or snap(f) for f in wanted]
    by_id.update({f.id: f for f in wanted})
    todo = _closure(by_id, wanted)
    if not todo:
        return
    for row in rows:
        if getattr(row, "computed", None) is None:
            row.computed = {}
    link_fields = [f for f in todo if f.type == "link"]
    links: dict[tuple[str, str], list[LinkedRow]] = {}
    targets: dict[str, dict[str, Any]] = {}  # table_id -> {"fields": {id: Field}, "primary": id}
    if link_fields and depth < MAX_DEPTH:
        tables = sorted({t for t in (f.options.get("linked_table_id") for f in link_fields) if t})
        links, linked_by_table, targets = _load(session, [f.id for f in link_fields], [r.id for r in rows], tables)
        if readable is not None:
            for table_id in tables:
                if not readable(table_id):
                    targets[table_id] = {"fields": {}, "primary": None}
                    linked_by_table.pop(table_id, None)
        _attach_targets(session, todo, by_id, targets, linked_by_table, depth, readable)
    ctx = _PageContext(by_id, links, targets)
    plans = [(field.id, ctx.plan(field)) for field in _ordered(todo, by_id)]
    for row in rows:
        computed = row.computed
        for field_id, plan in plans:
            if field_id not in computed:
                computed[field_id] = plan(row)


def hidden_fields(fields: list[Any], readable: Callable[[str], bool]) -> set[str]:
    """IDs of the fields whose values come from linked tables the caller cannot read: links into them
    (their names), lookups and rollups through those links, and formulas reading any of these."""
    hidden = {
        f.id
        for f in fields
        if f.type == "link" and not readable(str((f.options or {}).get("linked_table_id") or ""))
    }
    if not hidden:
        return hidden
    hidden |= {
        f.id for f in fields if f.type in ("lookup", "rollup") and (f.options or {}).get("link_field_id") in hidden
    }
    formulas = [f for f in fields if f.type in FORMULA_TYPES]
    grew = True
    while grew:  # formulas of formulas: until nothing new is hidden
        grew = False
        for f in formulas:
            if f.id not in hidden and hidden.intersection((f.options or {}).get("referenced_field_ids") or ()):
                hidden.add(f.id)
                grew = True
    return hidden


def _ordered(todo: list[Any], by_id: dict[str, Any]) -> list[Any]:
    """Links first, then lookups/rollups/counts, then formulas (which may read any of them)."""
    rank = {"link": 0, "lookup": 1, "rollup": 1, "count": 1, "formula": 2, "button": 2}
    return sorted(todo, key=lambda f: rank[f.type])


_LINKS_SQL = (
    f"SELECT l.field_id, l.from_record_id, t.table_id, {ROW_SELECT} FROM record_links l "
    "JOIN records t ON t.table_id = l.to_table_id AND t.id = l.to_record_id AND t.deleted_at IS NULL "
    "WHERE l.field_id = ANY(%s) AND l.from_record_id = ANY(%s) AND t.table_id = ANY(%s) "
    "ORDER BY l.field_id, l.from_record_id, l.position, t.seq"
)
_FIELDS_SQL = (
    "SELECT f.id, f.name, f.type, f.options, f.table_id, t.primary_field_id FROM fields f "
    "JOIN tables t ON t.id = f.table_id WHERE f.table_id = ANY(%s) AND f.deleted_at IS NULL "
    "ORDER BY f.position, f.id"
)


def _load(
    session: Session, field_ids: list[str], record_ids: list[str], table_ids: list[str]
) -> tuple[dict[tuple[str, str], list[LinkedRow]], dict[str, dict[str, LinkedRow]], dict[str, dict[str, Any]]]:
    """The page's links (with the linked records) and the linked tables' fields: two statements sent
    together in one round trip (psycopg pipeline mode)."""
    raw = _raw(session)
    with raw.pipeline():
        # Not prepared: a generic plan would hold every partition of `records` and lock them all when
        # run; planned with the linked tables' IDs, it opens only their partitions.
        link_cursor = raw.execute(_LINKS_SQL, (field_ids, record_ids, table_ids))
        field_cursor = raw.execute(_FIELDS_SQL, (table_ids,), prepare=True)
    links: dict[tuple[str, str], list[LinkedRow]] = {}
    by_table: dict[str, dict[str, LinkedRow]] = {}
    for field_id, from_id, table_id, *values in link_cursor.fetchall():
        known = by_table.setdefault(table_id, {})
        linked = known.get(values[0])
        if linked is None:
            linked = known[values[0]] = LinkedRow(*values)
        links.setdefault((field_id, from_id), []).append(linked)
    targets: dict[str, dict[str, Any]] = {tid: {"fields": {}, "primary": None} for tid in table_ids}
    for field_id, name, type_, options, table_id, primary in field_cursor.fetchall():
        targets[table_id]["fields"][field_id] = FieldSnap.of(field_id, name, type_, options, table_id)
        targets[table_id]["primary"] = primary
    return links, by_table, targets


def _attach_targets(
    session: Session,
    todo: list[Any],
    by_id: dict[str, Any],
    targets: dict[str, dict[str, Any]],
    linked_by_table: dict[str, dict[str, LinkedRow]],
    depth: int,
    readable: Callable[[str], bool] | None = None,
) -> None:
    """Computed fields of linked records that this page shows (primary fields, lookup/rollup targets)."""
    wanted: dict[str, dict[str, Any]] = {}
    for table_id, info in targets.items():
        primary = info["fields"].get(info["primary"] or "")
        if primary is not None and primary.type in COMPUTED_TYPES:
            wanted.setdefault(table_id, {})[primary.id] = primary
    for field in todo:
        if field.type not in ("lookup", "rollup"):
            continue
        link = by_id.get((field.options or {}).get("link_field_id") or "")
        table_id = (link.options or {}).get("linked_table_id") if link is not None else None
        target = targets.get(table_id or "", {}).get("fields", {}).get((field.options or {}).get("field_id") or "")
        if target is not None and target.type in COMPUTED_TYPES:
            wanted.setdefault(table_id, {})[target.id] = target
    for table_id, fields in wanted.items():
        rows = list(linked_by_table.get(table_id, {}).values())
        attach(
            session,
            table_fields=list(targets[table_id]["fields"].values()),
            rows=rows,
            wanted=list(fields.values()),
            depth=depth + 1,
            readable=readable,
        )


class _PageContext:
    """Per-field plans (closures over a row) built once per page, then run for every row."""

    def __init__(
        self,
        by_id: dict[str, Any],
        links: dict[tuple[str, str], list[LinkedRow]],
        targets: dict[str, dict[str, Any]],
    ) -> None:
        self.by_id = by_id
        self.links = links
        self.targets = targets
        self.raw_plans: dict[str, Callable[[Any], Any]] = {}
        self.rollups: dict[str, Any] = {}
        self.evaluation: Any = None

    def target_field(self, field: Any) -> tuple[Any, Any]:
        """(link field, target field) of a lookup or rollup; either may be None if gone."""
        link = self.by_id.get(field.options.get("link_field_id") or "")
        if link is None or link.type != "link":
            return None, None
        info = self.targets.get(link.options.get("linked_table_id") or "", {})
        return link, info.get("fields", {}).get(field.options.get("field_id") or "")

    def plan(self, field: Any) -> Callable[[Any], Any]:
        """row -> API value of a computed field."""
        kind, options, links = field.type, field.options, self.links
        if kind == "link":
            info = self.targets.get(options.get("linked_table_id") or "", {})
            primary = info.get("fields", {}).get(info.get("primary") or "")
            fid = field.id
            names: dict[str, Any] = {}  # a linked record's display name, computed once per page

            def link_value(row: Any) -> Any:
                items = []
                for t in links.get((fid, row.id), ()):
                    name = names.get(t.id, _MISSING)
                    if name is _MISSING:
                        name = names[t.id] = primary_text(primary, t)
                    items.append({"id": t.id, "name": name})
                return items or None

            return link_value
        if kind == "count":
            link = self.by_id.get(options.get("link_field_id") or "")
            if link is None:
                return lambda row: None
            lid = link.id
            return lambda row: len(links.get((lid, row.id), ()))
        if kind in ("lookup", "rollup"):
            link, target = self.target_field(field)
            if target is None:
                return lambda row: None
            lid = link.id
            if kind == "lookup":
                read = get_field_type(target.type).read

                def lookup_value(row: Any) -> Any:
                    values: list[Any] = []
                    for linked in links.get((lid, row.id), ()):
                        value = read(linked, target)
                        if isinstance(value, list):
                            values.extend(v for v in value if v is not None)
                        elif value is not None:
                            values.append(value)
                    return values or None

                return lookup_value
            formula = options.get("formula") or "COUNTALL(values)"
            getter = value_getter(target)

            def rollup_value(row: Any) -> Any:
                values: list[Any] = []
                for linked in links.get((lid, row.id), ()):
                    value = getter(linked)
                    if isinstance(value, list):
                        values.extend(value)
                    else:
                        values.append(value)
                return api_result(self.rollup(formula, values))

            return rollup_value
        if kind == "formula":
            raw = self.formula_plan(field, frozenset())
            return lambda row: api_result(raw(row))
        if kind == "button":
            label = options.get("label") or ""
            if not options.get("formula"):
                return lambda row: {"label": label, "url": None}
            url = self.formula_plan(field, frozenset())

            def button_value(row: Any) -> Any:
                value = url(row)
                # A URL that is blank or an error leaves the button without a target, as in Airtable.
                text = None if value is None or isinstance(value, ErrorValue) else to_text(value)
                return {"label": label, "url": text or None}

            return button_value
        return lambda row: None

    def formula_plan(self, field: Any, seen: frozenset[str]) -> Callable[[Any], Any]:
        """row -> a formula's Python result (not yet in API form)."""
        if field.id in self.raw_plans:
            return self.raw_plans[field.id]
        stored = field.options.get("formula")
        if not stored or field.id in seen:
            return lambda row: ErrorValue("#ERROR!", "circular reference")
        tree = _tree(stored)
        getters: list[tuple[str, Callable[[Any], Any]]] = []
        kinds: dict[str, str] = {}
        for ref in field.options.get("referenced_field_ids") or []:
            ref_field = self.by_id.get(ref)
            if ref_field is None:
                error = ErrorValue("#ERROR!", "a referenced field was deleted")
                return lambda row: error
            kinds[ref] = formula_kind(ref_field)
            if ref_field.type == "formula":
                getters.append((ref, self.formula_plan(ref_field, seen | {field.id})))
            else:
                getters.append((ref, value_getter(ref_field)))

        def run(row: Any) -> Any:
            context = RecordContext(
                values={ref: get(row) for ref, get in getters},
                record_id=row.id,
                created_time=row.created_at,
                last_modified_time=row.updated_at,
                field_kinds=kinds,
            )
            return formula_evaluate(tree, context)

        self.raw_plans[field.id] = run
        return run

    def rollup(self, formula: str, values: list[Any]) -> Any:
        """Evaluate a rollup formula over `values`. `FN(values)` calls the function directly, exactly
        as the evaluator would (same conversion, guard and normalisation), without walking a tree."""
        spec = self.rollups.get(formula, _MISSING)
        if spec is _MISSING:
            tree = _tree(formula)
            spec = None
            if isinstance(tree, Call) and len(tree.args) == 1 and isinstance(tree.args[0], FieldRef):
                found = get_function(tree.name)
                if found is not None and not found.lazy and tree.args[0].name == "values":
                    spec = found
            self.rollups[formula] = spec
        if spec is None:
            return formula_evaluate(_tree(formula), {"values": values})
        if self.evaluation is None:
            self.evaluation = Evaluation(RecordContext())
        converted = convert_value(values, None)
        return normalize_result(self.evaluation.guard(lambda: spec.impl(self.evaluation, converted)))


_TREES: dict[str, Node] = {}
_MISSING = object()


def _tree(text: str) -> Node:
    tree = _TREES.get(text)
    if tree is None:
        if len(_TREES) > 5000:
            _TREES.clear()
        tree = _TREES[text] = parse(text)
    return tree


def formula_kind(field: Any) -> str:
    if field.type == "formula":
        return str((field.options or {}).get("result_type") or "text")
    if field.type == "rollup":
        return str((field.options or {}).get("result_type") or "number")
    if field.type in ("created_by", "last_modified_by"):
        return "text"
    return KIND_BY_FIELD_TYPE.get(field.type, "text")


_SYSTEM_GETTERS: dict[str, Callable[[Any], Any]] = {
    "autonumber": lambda row: row.seq,
    "created_time": lambda row: row.created_at,
    "last_modified_time": lambda row: row.updated_at,
    "created_by": lambda row: row.created_by,
    "last_modified_by": lambda row: row.updated_by,
}


def value_getter(field: Any) -> Callable[[Any], Any]:
    """row -> `formula_value(field, row)`, with the dispatch on the field's type done once."""
    if field.type in _SYSTEM_GETTERS:
        return _SYSTEM_GETTERS[field.type]
    if field.type in _SQL_SAFE:
        fid = field.id

        def stored(row: Any) -> Any:
            value = row.data.get(fid)
            return value if value is None or isinstance(value, int | float | str | bool) else formula_value(field, row)

        return stored
    return lambda row: formula_value(field, row)


def formula_value(field: Any, row: Any) -> Any:
    """A field's value as formulas see it; mirrors `sql_resolver` so Python and SQL agree."""
    kind = field.type
    if kind in COMPUTED_TYPES:
        value = (getattr(row, "computed", None) or {}).get(field.id)
        if kind == "link":
            return [item["name"] for item in value or []]
        if kind == "button":
            return (field.options or {}).get("label")  # formulas read a button as its label
        return None if isinstance(value, dict) and "error" in value else value
    if kind == "autonumber":
        return row.seq
    if kind == "created_time":
        return row.created_at
    if kind == "last_modified_time":
        return row.updated_at
    if kind == "created_by":
        return row.created_by
    if kind == "last_modified_by":
        return row.updated_by
    stored = row.data.get(field.id)
    if stored is None:
        return None
    ftype = get_field_type(kind)
    if kind in ("single_select", "multiple_select"):
        return ftype.serialize(stored, field)
    if isinstance(stored, int | float | str | bool):
        return stored
    return ftype.to_text(stored, field)


def primary_text(primary: Any, row: Any) -> str | None:
    if primary is None:
        return None
    value = get_field_type(primary.type).read(row, primary)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, dict) and "error" in value:
        return None
    if isinstance(value, list):
        return ", ".join(str(v.get("name") if isinstance(v, dict) else v) for v in value)
    return str(value)


def api_result(value: Any) -> Any:
    """A formula result as JSON: dates as ISO 8601 UTC, errors as {"error": "#ERROR!"}, NaN and
    Infinity as Airtable's {"specialValue": ...} (JSON has no such numbers)."""
    if isinstance(value, ErrorValue):
        return {"error": value.code}
    if is_special(value):
        return special_json(value)
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        items = [api_result(v) for v in value]
        return items or None
    if value == "":
        return None
    return value


# --- SQL ----------------------------------------------------------------------------------------


def linked_sql(link: Any, *, select_sql: str = "1", where: str = "TRUE", outer: str = "r") -> str:
    """A subquery over the live records linked from the outer row through the link field `link` (alias t).

    The linked records are read from the link's own linked table, named as a constant: a join on the
    link row's to_table_id would be planned against every table's partition of `records` (and lock
    them all), which at thousands of tables exhausts PostgreSQL's lock table.
    """
    link_field_id = link.id
    to_table_id = (link.options or {}).get("linked_table_id") or ""
    if not re.fullmatch(r"fld[A-Za-z0-9]{14}", link_field_id):
        raise ValueError(link_field_id)
    if not re.fullmatch(r"tbl[A-Za-z0-9]{14}", to_table_id):
        raise ValueError(to_table_id)
    return (
        f"SELECT {select_sql} FROM record_links l JOIN records t ON t.table_id = '{to_table_id}' "
        f"AND t.id = l.to_record_id AND t.deleted_at IS NULL "
        f"WHERE l.field_id = '{link_field_id}' AND l.to_table_id = '{to_table_id}' "
        f"AND l.from_record_id = {outer}.id AND {where}"
    )


def on_alias(expr: str, alias: str = "t") -> str:
    """A field type's SQL over `r` rewritten for another alias (the linked record)."""
    return re.sub(r"\br\.", f"{alias}.", expr)


def session_of(field: Any) -> Session:
    session = object_session(field)
    if session is None:
        raise ValidationFailed("This field cannot be used in a query here.", details={"field": field.id})
    return session


def live_fields_of(session: Session, table_id: str) -> dict[str, Field]:
    return {
        f.id: f
        for f in session.scalars(
            select(Field).where(Field.table_id == table_id, Field.deleted_at.is_(None)).order_by(Field.position)
        )
    }


def field_sql(field: Any, fields: dict[str, Any], seen: frozenset[str] = frozenset()) -> tuple[str, str]:
    """(SQL over the row `r`, formula kind) of a field for the formula compiler; NotCompilable if none."""
    kind = field.type
    if kind == "autonumber":
        return "r.seq", "number"
    if kind == "created_time":
        return "r.created_at", "date"
    if kind == "last_modified_time":
        return "r.updated_at", "date"
    if kind in ("created_by", "last_modified_by"):
        return f"r.{'created_by' if kind == 'created_by' else 'updated_by'}", "text"
    if kind == "single_select":
        choices = (field.options or {}).get("choices") or []
        if not choices:
            return "CAST(NULL AS text)", "text"
        whens = " ".join(f"WHEN {_quote(c['id'])} THEN {_quote(c['name'])}" for c in choices)
        return f"(CASE (r.data ->> '{field.id}') {whens} END)", "text"
    if kind == "button":
        return _quote((field.options or {}).get("label") or ""), "text"
    if kind == "formula":
        if field.id in seen:
            raise NotCompilable("circular formula reference")
        compiled = compile_formula(field, fields, seen | {field.id})
        return f"({compiled[0]})", compiled[1]
    if kind in ("count", "rollup", "lookup", "link"):
        ftype = get_field_type(kind)
        expr = ftype.formula_sql(field)  # type: ignore[attr-defined]
        if expr is None:
            raise NotCompilable(f"{kind} field {field.name!r} has no SQL form")
        return expr
    fkind = formula_kind(field)
    if fkind == "array" or kind not in _SQL_SAFE:
        raise NotCompilable(f"{kind} fields are evaluated in Python")
    raw = f"(r.data ->> '{field.id}')"
    if fkind == "number":
        return f"({raw})::numeric", "number"
    if fkind == "boolean":
        return f"({raw})::boolean", "boolean"
    if fkind == "date":
        return f"timezone('UTC', ({raw})::timestamp)", "date"
    return raw, "text"


_SQL_SAFE = {
    "single_line_text", "long_text", "email", "url", "phone", "number", "currency", "percent", "rating",
    "duration", "checkbox", "date", "datetime",
}  # fmt: skip


def _quote(text: str) -> str:
    return "'" + str(text).replace("'", "''").replace("%", "%%") + "'"


def compile_formula(
    field: Any, fields: dict[str, Any], seen: frozenset[str] = frozenset(), *, text: str | None = None
) -> tuple[str, str]:
    """(SQL value over `r`, result kind) of a formula field (or of `text`, a stored formula)."""
    from pybase.formulas import compile_sql_full, text_resolver

    stored = text if text is not None else (field.options or {}).get("formula")
    if not stored:
        raise NotCompilable("empty formula")

    def resolve(field_id: str) -> tuple[str, str]:
        ref = fields.get(field_id)
        if ref is None:
            raise MissingReference("a referenced field was deleted")
        return field_sql(ref, fields, seen)

    compiled = compile_sql_full(
        _tree(stored),
        text_resolver(resolve),
        record_id=_col("r.id"),
        created_time=_col("r.created_at"),
        last_modified_time=_col("r.updated_at"),
    )
    return render_literal(compiled.value), compiled.result_type


def compile_condition(text: str, fields: dict[str, Any]) -> str:
    """SQL boolean over `r` for a stored formula used as a filter (truthy and not an error)."""
    from pybase.formulas import compile_sql_full, text_resolver

    def resolve(field_id: str) -> tuple[str, str]:
        ref = fields.get(field_id)
        if ref is None:
            raise MissingReference("a referenced field was deleted")
        return field_sql(ref, fields)

    compiled = compile_sql_full(
        _tree(text),
        text_resolver(resolve),
        record_id=_col("r.id"),
        created_time=_col("r.created_at"),
        last_modified_time=_col("r.updated_at"),
    )
    return render_literal(compiled.condition())


def _col(sql: str) -> Any:
    import sqlalchemy as sa

    return sa.literal_column(sql)


_DIALECT: Any = None
MAX_SQL_TEXT = 4_000_000


def render_literal(expr: Any) -> str:
    """SQL text with the formula's constants inlined (escaped by SQLAlchemy; `%` doubled for psycopg),
    so the expression can sit in ORDER BY, keyset conditions and filters without its own parameters."""
    global _DIALECT
    if _DIALECT is None:
        from sqlalchemy.dialects import postgresql

        _DIALECT = postgresql.psycopg.dialect()
    try:
        text = str(expr.compile(dialect=_DIALECT, compile_kwargs={"literal_binds": True}))
    except RecursionError:  # a safety net: compile_sql_full already refuses expressions this deep
        raise NotCompilable("the formula is nested too deeply to run in the database") from None
    if len(text) > MAX_SQL_TEXT:  # formula fields inlined into formula fields can still multiply
        raise NotCompilable("the formula is too large to run in the database")
    return text


class MissingReference(NotCompilable):
    """A formula refers to a field that was deleted: its value is an error on every record."""


class NotFilterable(ValidationFailed):
    """A field whose filter has no SQL form: unless it is broken (a field it reads was deleted), a
    listing evaluates the condition on values computed in Python instead
    (pybase.records.query.Deferred); a sort by it stays a 422."""

    def __init__(self, field: Any, reason: str, *, broken: bool = False) -> None:
        super().__init__(
            f"Field {field.name!r} cannot be filtered or sorted in the database: {reason}.",
            details={"field": field.id, "reason": reason},
        )
        self.reason = reason
        self.broken = broken


def not_filterable(field: Any, reason: str | Exception, *, broken: bool = False) -> NotFilterable:
    return NotFilterable(field, str(reason), broken=broken or isinstance(reason, MissingReference))


SqlBuilder = Callable[[Any], str]


@dataclass(frozen=True)
class FormulaCondition:
    """A formula written with field names or IDs, used as a filter: its SQL condition (truthy and not
    an error), or None with the reason when it only runs in Python."""

    stored: str
    field_ids: tuple[str, ...]
    sql: str | None
    reason: str = ""


def formula_condition(text: Any, fields: list[Any]) -> FormulaCondition:
    """422 with the position for a bad formula."""
    from pybase.formulas import FieldInfo, prepare_formula

    if not isinstance(text, str) or not text.strip():
        raise ValidationFailed("A formula filter is a non-empty text.", details={"formula": text})
    prepared = prepare_formula(text, [FieldInfo(f.id, f.name, formula_kind(f)) for f in fields])
    field_ids = tuple(sorted(prepared.field_ids))
    try:
        sql = f"({compile_condition(prepared.stored, {f.id: f for f in fields})})"
    except NotCompilable as exc:
        return FormulaCondition(prepared.stored, field_ids, None, str(exc))
    return FormulaCondition(prepared.stored, field_ids, sql)


def formula_filter(text: Any, fields: list[Any]) -> str:
    """SQL condition for a formula written with field names or IDs (Airtable's filterByFormula):
    true where the formula is truthy and not an error. 422 with the position for a bad formula,
    422 naming the reason when part of it only runs in Python (arrays)."""
    condition = formula_condition(text, fields)
    if condition.sql is None:
        raise ValidationFailed(
            f"This formula cannot run as a database filter: {condition.reason}.",
            details={"formula": text, "reason": condition.reason},
        )
    return condition.sql


def api_truthy(value: Any) -> bool:
    """Truthiness of a formula result in its API form (errors and special values are dicts and never
    match), as a filter reads it."""
    if value is None or isinstance(value, dict):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0 and value == value  # NaN is false
    if isinstance(value, str | list):
        return len(value) > 0
    return True
