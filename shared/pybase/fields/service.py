"""Field schema changes (admin on the table) and reads (viewer).

Changing a field's type converts every stored value through the new type's typecast; values that
cannot convert are cleared and listed in the conversion report. Deleting a field is a soft delete
(deleted_at): its values stay in the rows for a restore but no query, filter, sort or response
sees them; purging removes them from every row.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pybase.access.roles import Principal
from pybase.access.service import table_reader
from pybase.db import utcnow
from pybase.errors import Conflict, NotFound, ValidationFailed
from pybase.events.service import emit
from pybase.fields.models import Field
from pybase.fields.registry import get_field_type
from pybase.fields.types.base import FieldValueError
from pybase.ids import looks_like_id
from pybase.links import computed as links_computed
from pybase.records import indexes
from pybase.records.service import Row, table_context

REPORT_LIMIT = 100
CONVERT_CHUNK = 2000


def to_dict(field: Field) -> dict[str, Any]:
    return {
        "id": field.id,
        "table_id": field.table_id,
        "name": field.name,
        "type": field.type,
        "options": field.options or {},
        "description": field.description,
        "position": field.position,
        "read_only": get_field_type(field.type).read_only,
        # Also here, not only in GET /field-types: a formula's operators depend on its result type.
        "operators": get_field_type(field.type).filter_operators(field),
    }


def _clean_name(name: str, table_fields: list[Field], exclude: str | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise ValidationFailed("A field needs a name.")
    if any(f.name.lower() == name.lower() and f.id != exclude for f in table_fields):
        raise Conflict(f"A field named {name!r} already exists in this table.", details={"name": name})
    return name


def add_field(
    session: Session,
    *,
    table_id: str,
    workspace_id: str,
    base_id: str,
    actor_id: str | None,
    name: str,
    type: str,
    options: dict[str, Any] | None = None,
    description: str | None = None,
    existing: list[Field] | None = None,
    principal: Principal | None = None,
) -> Field:
    """Create a field without an access check (for services that already checked, e.g. table creation)."""
    ftype = get_field_type(type)
    fields = existing if existing is not None else _live(session, table_id)
    field = Field(
        table_id=table_id,
        name=_clean_name(name, fields),
        type=ftype.name,
        options=ftype.clean_options(options or {}),
        description=description,
        position=(max((f.position for f in fields), default=-1) + 1),
    )
    session.add(field)
    session.flush()
    ftype.after_save(
        session, field, previous=None, workspace_id=workspace_id, base_id=base_id, actor_id=actor_id,
        principal=principal,
    )  # fmt: skip
    emit(
        session, type="field.created", workspace_id=workspace_id, base_id=base_id, table_id=table_id,
        actor_id=actor_id, payload={"field": to_dict(field)},
    )  # fmt: skip
    if field.options.get("indexed"):
        _index_field(session, field)
    return field


def free_field_name(session: Session, *, table_id: str, name: str) -> str:
    """`name`, or `name (2)`, `name (3)`... whichever is not taken in the table."""
    taken = {f.name.lower() for f in _live(session, table_id)}
    candidate, n = " ".join(name.split())[:190] or "Field", 2
    base = candidate
    while candidate.lower() in taken:
        candidate, n = f"{base} ({n})", n + 1
    return candidate


def _index_field(session: Session, field: Field) -> None:
    ftype = get_field_type(field.type)
    wanted = [(field, kind) for kind in sorted(set(ftype.index_kinds.values()) | {"sort"})]
    indexes.ensure_indexes(session, table_id=field.table_id, wanted=wanted, wait=True)


def _live(session: Session, table_id: str) -> list[Field]:
    return list(session.scalars(select(Field).where(Field.table_id == table_id, Field.deleted_at.is_(None))))


def list_fields(session: Session, *, principal: Principal, table_id: str) -> list[dict[str, Any]]:
    ctx = table_context(session, principal=principal, table_id=table_id, role="viewer")
    return [to_dict(f) for f in ctx.fields.fields]


def _field_and_ctx(session: Session, principal: Principal, field_id: str, role: str) -> tuple[Field, Any]:
    field = session.get(Field, field_id) if looks_like_id(field_id, "fld") else None
    if field is None or field.deleted_at is not None:
        raise NotFound("Field not found", details={"id": field_id})
    try:
        ctx = table_context(session, principal=principal, table_id=field.table_id, role=role)
    except NotFound:  # a field of a table the caller cannot see answers as absent, never with its table's ID
        raise NotFound("Field not found", details={"id": field_id}) from None
    return field, ctx


def get_field(session: Session, *, principal: Principal, field_id: str) -> dict[str, Any]:
    field, _ = _field_and_ctx(session, principal, field_id, "viewer")
    return to_dict(field)


def create_field(
    session: Session,
    *,
    principal: Principal,
    table_id: str,
    name: str,
    type: str,
    options: dict[str, Any] | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    ctx = table_context(session, principal=principal, table_id=table_id, role="admin")
    field = add_field(
        session, table_id=table_id, workspace_id=ctx.workspace_id, base_id=ctx.table.base_id,
        actor_id=principal.user_id, name=name, type=type, options=options, description=description,
        existing=ctx.fields.fields, principal=principal,
    )  # fmt: skip
    return to_dict(field)


def update_field(
    session: Session,
    *,
    principal: Principal,
    field_id: str,
    name: str | None = None,
    type: str | None = None,
    options: dict[str, Any] | None = None,
    description: str | None = None,
) -> dict[str, Any]:
    field, ctx = _field_and_ctx(session, principal, field_id, "admin")
    previous_options = dict(field.options or {})
    changed: dict[str, Any] = {}
    if name is not None and name != field.name:
        field.name = _clean_name(name, ctx.fields.fields, exclude=field.id)
        changed["name"] = field.name
    if description is not None:
        field.description = description
        changed["description"] = description
    report = None
    new_type = get_field_type(type) if type is not None else get_field_type(field.type)
    if type is not None and new_type.name != field.type:
        if not get_field_type(field.type).convertible:
            raise ValidationFailed(f"A {field.type} field cannot change type; delete it and create a new field.")
        report = _change_type(session, ctx, field, new_type.name, options or {})
        changed["type"] = new_type.name
    elif options is not None:
        field.options = new_type.clean_options({**(field.options or {}), **options}, previous=field.options)
        changed["options"] = field.options
        indexes.drop_field_indexes(session, table_id=field.table_id, field_id=field.id)
    if "type" in changed or "options" in changed:
        get_field_type(field.type).after_save(
            session, field, previous=None if report is not None else previous_options, workspace_id=ctx.workspace_id,
            base_id=ctx.table.base_id, actor_id=principal.user_id, principal=principal,
        )  # fmt: skip
        changed["options"] = field.options
    session.flush()
    if field.options.get("indexed") and ("type" in changed or "options" in changed):
        _index_field(session, field)
    emit(
        session, type="field.updated", workspace_id=ctx.workspace_id, base_id=ctx.table.base_id,
        table_id=field.table_id, actor_id=principal.user_id,
        payload={"field_id": field.id, "changed": sorted(changed), "conversion": _summary(report)},
    )  # fmt: skip
    out = to_dict(field)
    if report is not None:
        out["conversion"] = report
    return out


def finish_dry_run(session: Session, out: dict[str, Any]) -> dict[str, Any]:
    """Undo everything the call did (values converted, events, index builds queued) and answer what it
    would have done: a formula's resolved options and result type, a type change's conversion report."""
    session.rollback()  # also drops the after-commit callbacks (events, index builds)
    return {**out, "dry_run": True}


def _summary(report: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if report is None else {k: report[k] for k in ("converted", "failed_count")}


class _Shadow:
    """The field as it was (type and options) while values are converted."""

    def __init__(self, field: Field) -> None:
        self.id, self.name, self.type, self.options = field.id, field.name, field.type, dict(field.options or {})


def _change_type(session: Session, ctx: Any, field: Field, new_type_name: str, options: dict[str, Any]) -> dict:
    old = _Shadow(field)
    old_type = get_field_type(old.type)
    new_type = get_field_type(new_type_name)
    field.type = new_type.name
    field.options = new_type.clean_options(options)
    indexes.drop_field_indexes(session, table_id=field.table_id, field_id=field.id)
    raw = session.connection().connection.driver_connection
    source = "data ? %s" if not old_type.read_only else "TRUE"
    params: tuple[Any, ...] = (field.table_id, field.id) if not old_type.read_only else (field.table_id,)
    rows = [
        Row(*r)
        for r in raw.execute(
            "SELECT id, seq, data, version, created_at, created_by, updated_at, updated_by FROM records "
            f"WHERE table_id = %s AND deleted_at IS NULL AND {source} FOR UPDATE",
            params,
        ).fetchall()
    ]
    if links_computed.needs_loading([old]):  # computed values (formulas, lookups...) convert as shown
        others = [f for f in ctx.fields.fields if f.id != old.id]
        # Converted values are stored: leave out what the caller cannot read, as a read would.
        readable = table_reader(session, ctx.principal) if ctx.principal and not ctx.base_wide else None
        links_computed.attach(session, table_fields=[*others, old], rows=rows, wanted=[old], readable=readable)
    if not new_type.read_only:
        texts = []
        for row in rows:
            try:
                text = old_type.to_text(row.data.get(old.id), old) if not old_type.read_only else None
            except Exception:
                text = None
            if text:
                texts.append(text)
        new_type.prepare_conversion(sorted(set(texts)), field)
    failures: list[dict[str, Any]] = []
    failed = converted = 0
    updates: list[tuple[str, str | None]] = []
    for row in rows:
        if new_type.read_only:
            updates.append((row.id, None))
            continue
        try:
            value = new_type.convert_from(old_type, old, row, field)
        except (FieldValueError, ArithmeticError, KeyError, TypeError, ValueError) as exc:
            failed += 1
            if len(failures) < REPORT_LIMIT:
                failures.append(
                    {
                        "record_id": row.id,
                        "value": old_type.read(row, old),
                        "message": getattr(exc, "message", str(exc)),
                    }
                )
            value = None
        else:
            if value is not None:
                converted += 1
        updates.append((row.id, None if value is None else json.dumps(value)))
    for start in range(0, len(updates), CONVERT_CHUNK):
        chunk = updates[start : start + CONVERT_CHUNK]
        raw.execute(
            "UPDATE records AS r SET data = CASE WHEN v.value IS NULL THEN r.data - %s "
            "ELSE jsonb_set(r.data, ARRAY[%s], v.value::jsonb) END, version = r.version + 1, updated_at = now() "
            "FROM unnest(%s::text[], %s::text[]) AS v(id, value) WHERE r.table_id = %s AND r.id = v.id",
            (field.id, field.id, [u[0] for u in chunk], [u[1] for u in chunk], field.table_id),
        )
    return {
        "from_type": old.type,
        "to_type": new_type.name,
        "records": len(rows),
        "converted": converted,
        "failed_count": failed,
        "failed": failures,
    }


def delete_field(session: Session, *, principal: Principal, field_id: str) -> dict[str, Any]:
    field, ctx = _field_and_ctx(session, principal, field_id, "admin")
    if ctx.table.primary_field_id == field.id:
        raise Conflict("The primary field cannot be deleted; make another field primary first.")
    field.deleted_at = utcnow()
    indexes.drop_field_indexes(session, table_id=field.table_id, field_id=field.id)
    get_field_type(field.type).after_delete(
        session, field, actor_id=principal.user_id, workspace_id=ctx.workspace_id, base_id=ctx.table.base_id
    )
    session.flush()
    emit(
        session, type="field.deleted", workspace_id=ctx.workspace_id, base_id=ctx.table.base_id,
        table_id=field.table_id, actor_id=principal.user_id, payload={"field_id": field.id},
    )  # fmt: skip
    return {"id": field.id, "deleted": True}


def restore_field(session: Session, *, field: Field) -> None:
    """For the trash service (which checks access): values come back with the field."""
    live = _live(session, field.table_id)
    if any(f.name.lower() == field.name.lower() for f in live):
        field.name = f"{field.name} (restored)"
    field.deleted_at = None
    session.flush()


def purge_field(session: Session, *, field: Field) -> int:
    """For the trash purge: remove the field's values from every row, then the field itself."""
    raw = session.connection().connection.driver_connection
    count = raw.execute(
        "UPDATE records SET data = data - %s WHERE table_id = %s AND data ? %s", (field.id, field.table_id, field.id)
    ).rowcount
    indexes.drop_field_indexes(session, table_id=field.table_id, field_id=field.id)
    session.delete(field)
    session.flush()
    return count


def describe_field_types() -> dict[str, Any]:
    """What a client needs to build field forms and filters: per type its filter operators (canonical
    names), whether it is computed and whether it can change type; formulas' operators by result
    kind; the formula functions with their arity."""
    from pybase.fields.registry import field_type_names
    from pybase.fields.types.formula import _BY_KIND
    from pybase.formulas import all_functions

    details = []
    for name in field_type_names():
        ftype = get_field_type(name)
        details.append(
            {
                "name": name,
                "read_only": ftype.read_only,
                "convertible": ftype.convertible,
                "operators": sorted(ftype.operators),
            }
        )
    functions = [
        {"name": spec.name, "min_args": spec.min_args, "max_args": spec.max_args, "description": spec.description}
        for spec in sorted(all_functions().values(), key=lambda s: s.name)
    ]
    return {
        "types": field_type_names(),
        "details": details,
        "formula_operators": {kind: sorted(ops) for kind, (_, _, ops) in _BY_KIND.items()},
        "formula_functions": functions,
    }


def count_fields(session: Session, *, table_id: str) -> int:
    return session.scalar(select(func.count()).select_from(Field).where(Field.table_id == table_id)) or 0
