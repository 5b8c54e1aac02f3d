"""Views: saved ways of looking at a table. Editors create and change them, viewers read them.

Configs are validated by the view type registry against the table's live fields. Deleting a field
does not rewrite view configs: references to fields that are gone are dropped whenever a config is
read (so listing never breaks and restoring the field restores its place in views); the purge job
removes them for good with `forget_field`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pybase.access.roles import RANK, Principal
from pybase.access.service import require_table
from pybase.db import utcnow
from pybase.errors import Conflict, NotFound, ValidationFailed
from pybase.events.service import emit
from pybase.fields.models import Field
from pybase.ids import looks_like_id
from pybase.tables.models import Table
from pybase.views.models import View
from pybase.views.registry import ViewQuerySpec, get_view_type, known_view
from pybase.views.schemas import ViewOut

READ_ROLE = "viewer"
WRITE_ROLE = "editor"


# -- helpers -------------------------------------------------------------------------------------
def live_fields(session: Session, *, table_id: str) -> dict[str, Field]:
    """The table's fields that are not in the trash, by ID, in display order."""
    rows = session.scalars(
        select(Field).where(Field.table_id == table_id, Field.deleted_at.is_(None)).order_by(Field.position, Field.id)
    )
    return {f.id: f for f in rows}


def _load_view(session: Session, *, view_id: str, for_update: bool = False) -> View:
    if not looks_like_id(view_id, "viw"):
        raise NotFound("View not found", details={"id": view_id})
    query = select(View).where(View.id == view_id, View.deleted_at.is_(None))
    if for_update:
        query = query.with_for_update()
    view = session.scalar(query)
    if view is None:
        raise NotFound("View not found", details={"id": view_id})
    return view


def _view_context(
    session: Session, *, principal: Principal, view_id: str, role: str, for_update: bool = False
) -> tuple[View, Table, str, str]:
    view = _load_view(session, view_id=view_id, for_update=for_update)
    try:
        access = require_table(session, principal=principal, table_id=view.table_id, need=role)
    except NotFound:
        raise NotFound("View not found", details={"id": view_id}) from None
    return view, access.table, access.workspace_id, access.role


def sanitized_config(view: View, fields: Mapping[str, Field]) -> dict[str, Any]:
    return known_view(view.type).sanitize(view.config or {}, fields=fields)


def to_out(view: View, fields: Mapping[str, Field], *, role: str | None = None) -> ViewOut:
    config = sanitized_config(view, fields)
    if "share_token" in config and (role is None or RANK[role] < RANK[WRITE_ROLE]):
        # Only people who can change the form see its share link.
        config["share_token"] = None
    return ViewOut(
        id=view.id,
        table_id=view.table_id,
        name=view.name,
        type=view.type,
        position=view.position,
        config=config,
        created_by=view.created_by,
        created_at=view.created_at,
    )


def _ensure_unique_name(session: Session, *, table_id: str, name: str, exclude_id: str | None = None) -> None:
    query = select(View.id).where(
        View.table_id == table_id, View.deleted_at.is_(None), func.lower(View.name) == name.strip().lower()
    )
    if exclude_id is not None:
        query = query.where(View.id != exclude_id)
    if session.scalar(query.limit(1)) is not None:
        raise Conflict(f"A view named {name!r} already exists in this table.", details={"name": name})


def free_name(session: Session, *, table_id: str, name: str, exclude_id: str | None = None) -> str:
    """`name`, or `name (2)`, `name (3)`... whichever no live view of the table uses (for restores)."""
    taken = {
        n.lower()
        for n in session.scalars(
            select(View.name).where(View.table_id == table_id, View.deleted_at.is_(None), View.id != (exclude_id or ""))
        )
    }
    candidate, n = name, 2
    while candidate.lower() in taken:
        candidate = f"{name} ({n})"[:200]
        n += 1
    return candidate


def _emit(
    session: Session, *, type: str, table: Table, workspace_id: str, actor_id: str | None, payload: dict[str, Any]
) -> None:
    emit(
        session,
        type=type,
        workspace_id=workspace_id,
        base_id=table.base_id,
        table_id=table.id,
        actor_id=actor_id,
        payload=payload,
    )


def _ensure_indexes(session: Session, *, view: View, fields: Mapping[str, Field]) -> None:
    """Ask the records engine for the expression indexes this view's filters and first sort use.

    They are built right after the transaction commits, so the first listing through the view is fast.
    """
    view_type = known_view(view.type)
    cfg = view_type.sanitize(view.config or {}, fields=fields)
    spec = view_type.query_spec(view_id=view.id, table_id=view.table_id, cfg=cfg, fields=fields)
    tree = spec.filter_tree()
    if tree is None and not spec.sorts:
        return
    from pybase.fields.types.base import Params
    from pybase.records import indexes
    from pybase.records.query import Condition, FieldSet, compile_filter

    conditions: list[Condition] = []
    if tree is not None:
        compile_filter(tree, FieldSet(list(fields.values())), Params(), conditions)
    sort_fields = [fields[s["field_id"]] for s in spec.sorts[:1] if s["field_id"] in fields]
    wanted = indexes.wanted_indexes(conditions, sort_fields)
    if wanted:
        indexes.ensure_indexes(session, table_id=view.table_id, wanted=wanted, wait=True)


# -- CRUD ----------------------------------------------------------------------------------------
def create_view(
    session: Session,
    *,
    principal: Principal,
    table_id: str,
    name: str,
    type: str = "grid",
    config: Mapping[str, Any] | None = None,
) -> ViewOut:
    access = require_table(session, principal=principal, table_id=table_id, need=WRITE_ROLE)
    table, workspace_id, role = access.table, access.workspace_id, access.role
    view = _insert_view(session, table=table, name=name, type=type, config=config or {}, actor_id=principal.user_id)
    fields = live_fields(session, table_id=table.id)
    _ensure_indexes(session, view=view, fields=fields)
    _emit(
        session,
        type="view.created",
        table=table,
        workspace_id=workspace_id,
        actor_id=principal.user_id,
        payload={"view_id": view.id, "name": view.name, "type": view.type},
    )
    return to_out(view, fields, role=role)


def _insert_view(
    session: Session, *, table: Table, name: str, type: str, config: Mapping[str, Any], actor_id: str | None
) -> View:
    view_type = get_view_type(type)
    fields = live_fields(session, table_id=table.id)
    normalized = view_type.finalize(view_type.validate(config, fields=fields, creating=True), previous=None)
    name = name.strip()
    if not name:
        raise ValidationFailed("A view needs a name.", details=[{"loc": ["name"], "message": "must not be blank"}])
    _ensure_unique_name(session, table_id=table.id, name=name)
    position = session.scalar(
        select(func.coalesce(func.max(View.position) + 1, 0)).where(
            View.table_id == table.id, View.deleted_at.is_(None)
        )
    )
    view = View(
        table_id=table.id, name=name, type=view_type.name, config=normalized, position=position, created_by=actor_id
    )
    session.add(view)
    session.flush()
    return view


def list_views(session: Session, *, principal: Principal, table_id: str) -> list[ViewOut]:
    role = require_table(session, principal=principal, table_id=table_id, need=READ_ROLE).role
    fields = live_fields(session, table_id=table_id)
    views = session.scalars(
        select(View).where(View.table_id == table_id, View.deleted_at.is_(None)).order_by(View.position, View.id)
    )
    return [to_out(v, fields, role=role) for v in views]


def get_view(session: Session, *, principal: Principal, view_id: str) -> ViewOut:
    view, _, _, role = _view_context(session, principal=principal, view_id=view_id, role=READ_ROLE)
    return to_out(view, live_fields(session, table_id=view.table_id), role=role)


def update_view(
    session: Session,
    *,
    principal: Principal,
    view_id: str,
    name: str | None = None,
    type: str | None = None,
    config: Mapping[str, Any] | None = None,
    position: int | None = None,
) -> ViewOut:
    view, table, workspace_id, role = _view_context(
        session, principal=principal, view_id=view_id, role=WRITE_ROLE, for_update=True
    )
    fields = live_fields(session, table_id=view.table_id)
    changed: list[str] = []
    if name is not None and not name.strip():
        raise ValidationFailed("A view needs a name.", details=[{"loc": ["name"], "message": "must not be blank"}])
    if name is not None and name.strip() != view.name:
        _ensure_unique_name(session, table_id=view.table_id, name=name, exclude_id=view.id)
        view.name = name.strip()
        changed.append("name")
    if type is not None or config is not None:
        view_type = get_view_type(type or view.type)
        old_type = known_view(view.type)
        # Edit what is visible now: references to trashed fields are dropped rather than refused.
        current = old_type.sanitize(view.config or {}, fields=fields)
        if view_type.name != old_type.name:
            # Keep the shared keys when switching type; type-specific ones do not carry over.
            shared = set(view_type.config_model.model_fields)
            current = {k: v for k, v in current.items() if k in shared}
        patch = dict(config or {})
        for key, value in patch.items():
            # An explicit null clears a key, except one the view type cannot work without.
            if value is None and key in view_type.required_on_create:
                raise ValidationFailed(
                    "The view's settings are not valid.",
                    details=[{"loc": ["config", key], "message": f"{key} is required for a {view_type.name} view"}],
                )
        merged = {**current, **patch}
        merged = {k: v for k, v in merged.items() if v is not None}
        normalized = view_type.validate(merged, fields=fields, creating=view_type.name != old_type.name)
        normalized = view_type.finalize(normalized, previous=view.config)
        if normalized != view.config or view_type.name != view.type:
            view.config = normalized
            changed.append("config")
            _ensure_indexes(session, view=view, fields=fields)
        if view_type.name != view.type:
            view.type = view_type.name
            changed.append("type")
    if position is not None and position != view.position:
        view.position = position
        changed.append("position")
    if changed:
        session.flush()
        _emit(
            session,
            type="view.updated",
            table=table,
            workspace_id=workspace_id,
            actor_id=principal.user_id,
            payload={"view_id": view.id, "changed": changed},
        )
    return to_out(view, fields, role=role)


def delete_view(session: Session, *, principal: Principal, view_id: str) -> dict[str, Any]:
    """Moves the view to the trash (restorable for 30 days)."""
    view, table, workspace_id, _ = _view_context(
        session, principal=principal, view_id=view_id, role=WRITE_ROLE, for_update=True
    )
    view.deleted_at = utcnow()
    session.flush()
    _emit(
        session,
        type="view.deleted",
        table=table,
        workspace_id=workspace_id,
        actor_id=principal.user_id,
        payload={"view_id": view.id},
    )
    return {"id": view.id, "deleted": True}


# -- listing through a view ----------------------------------------------------------------------
def get_view_query_spec(
    session: Session, *, view_id: str, principal: Principal | None = None, table_id: str | None = None
) -> ViewQuerySpec:
    """What listing records through `view_id` means: filters, sorts (group keys first), visible fields.

    With a principal, checks they may read the table (NotFound otherwise); without one, the caller
    has checked access. With `table_id`, the view must belong to that table.
    """
    view = _load_view(session, view_id=view_id)
    if table_id is not None and view.table_id != table_id:
        # Answered exactly like a view that does not exist: another table's (or tenant's) view ID
        # must not be told apart from a random one.
        raise NotFound("View not found", details={"id": view_id})
    if principal is not None:
        try:
            require_table(session, principal=principal, table_id=view.table_id, need=READ_ROLE)
        except NotFound:
            raise NotFound("View not found", details={"id": view_id}) from None
    fields = live_fields(session, table_id=view.table_id)
    view_type = known_view(view.type)
    cfg = view_type.sanitize(view.config or {}, fields=fields)
    return view_type.query_spec(view_id=view.id, table_id=view.table_id, cfg=cfg, fields=fields)


def group_records(
    spec: ViewQuerySpec, records: list[dict[str, Any]], *, data_key: str = "fields"
) -> list[dict[str, Any]]:
    """Split an already sorted page into consecutive groups by the spec's first grouping key.

    Returns [{"field_id", "value", "records": [...]}]; values compare as JSON. Records sorted by the
    group key (as the spec's sorts ensure) give one group per distinct value within the page.
    """
    if not spec.group_by:
        return [{"field_id": None, "value": None, "records": records}]
    key = spec.group_by[0]["field_id"]
    groups: list[dict[str, Any]] = []
    for record in records:
        value = (record.get(data_key) or {}).get(key)
        if groups and groups[-1]["value"] == value:
            groups[-1]["records"].append(record)
        else:
            groups.append({"field_id": key, "value": value, "records": [record]})
    return groups


# -- field lifecycle -----------------------------------------------------------------------------
def forget_field(session: Session, *, table_id: str, field_id: str) -> int:
    """Remove every reference to a field from the table's stored view configs (trash purge).

    Returns how many views changed. Views of any state (live or trashed) are cleaned.
    """
    views = session.scalars(select(View).where(View.table_id == table_id).with_for_update()).all()
    all_fields = {
        f.id: f for f in session.scalars(select(Field).where(Field.table_id == table_id, Field.id != field_id)).all()
    }
    changed = 0
    for view in views:
        cleaned = known_view(view.type).sanitize(view.config or {}, fields=all_fields)
        if cleaned != view.config:
            view.config = cleaned
            changed += 1
    if changed:
        session.flush()
    return changed


def restore_view(session: Session, *, view: View) -> View:
    """Bring a trashed view back (for the trash service; it checked access). Renames on a name clash."""
    view.name = free_name(session, table_id=view.table_id, name=view.name, exclude_id=view.id)
    view.deleted_at = None
    session.flush()
    return view
