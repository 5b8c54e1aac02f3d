"""Writing links: set a cell's links (keeping the inverse field in sync), and the trash hooks.

The records engine calls `split_writes` on cleaned values (link lists leave the JSONB row) and
`apply_writes` once the rows exist and are locked. Everything runs in the caller's transaction, so
a bad target (missing, trashed, another table) raises and nothing of the batch is written.

Deleting a record touches no link rows: every read joins live records, so the record disappears
from every link pointing at it and comes back, in its place, when restored. The trash restore hook
then re-checks single-record limits (a cell filled while the record was away keeps its newer link)
and tells realtime clients of the other tables that their link cells changed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from pybase.access.roles import Principal
from pybase.errors import ValidationFailed
from pybase.events.service import emit

LINK = "link"


def _raw(session: Session) -> Any:
    return session.connection().connection.driver_connection


def link_fields(fields: list[Any]) -> dict[str, Any]:
    return {f.id: f for f in fields if f.type == LINK}


def split_writes(fields: list[Any], values_list: list[dict[str, Any]]) -> list[dict[str, list[str]]]:
    """Take link values out of cleaned values (in place); returns them per item, by field ID."""
    links = link_fields(fields)
    out: list[dict[str, list[str]]] = []
    for values in values_list:
        found: dict[str, list[str]] = {}
        if links:
            for field_id in [k for k in values if k in links]:
                value = values.pop(field_id)
                found[field_id] = list(value or [])
        out.append(found)
    return out


def current_links(session: Session, *, field_id: str, to_table_id: str, record_ids: list[str]) -> dict[str, list[str]]:
    """Live linked record IDs per record for one link field (linking into `to_table_id`), in cell order."""
    out: dict[str, list[str]] = defaultdict(list)
    if not record_ids:
        return out
    # The linked table is named so that only its partition of `records` is planned and opened.
    for from_id, to_id in _raw(session).execute(
        "SELECT l.from_record_id, l.to_record_id FROM record_links l JOIN records t ON t.table_id = l.to_table_id "
        "AND t.id = l.to_record_id AND t.deleted_at IS NULL WHERE l.field_id = %s AND l.from_record_id = ANY(%s) "
        "AND l.to_table_id = %s AND t.table_id = %s ORDER BY l.from_record_id, l.position, t.seq",
        (field_id, record_ids, to_table_id, to_table_id),
    ):
        out[from_id].append(to_id)
    return out


def apply_writes(
    session: Session,
    *,
    table: Any,
    fields: list[Any],
    writes: dict[str, dict[str, list[str]]],
    actor_id: str | None,
    workspace_id: str,
) -> dict[str, dict[str, dict[str, Any]]]:
    """Set link cells: {record_id: {link_field_id: [record IDs]}}. Returns the changes per record as
    {record_id: {field_id: {"from": [...], "to": [...]}}} (for history), only where a cell changed."""
    links = link_fields(fields)
    by_field: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for record_id, cells in writes.items():
        for field_id, ids in cells.items():
            by_field[field_id][record_id] = ids
    changes: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    touched: dict[str, set[str]] = defaultdict(set)  # other table -> record IDs whose inverse cells changed
    for field_id, cells in by_field.items():
        field = links[field_id]
        for record_id, change in _set_field(session, table=table, field=field, cells=cells, touched=touched).items():
            changes[record_id][field_id] = change
    for other_table_id, ids in touched.items():
        if other_table_id == table.id:
            continue
        emit(
            session,
            type="records.updated",
            workspace_id=workspace_id,
            base_id=table.base_id,
            table_id=other_table_id,
            actor_id=actor_id,
            payload={"record_ids": sorted(ids)[:1000], "reason": "links"},
        )
    return changes


def _set_field(
    session: Session, *, table: Any, field: Any, cells: dict[str, list[str]], touched: dict[str, set[str]]
) -> dict[str, dict[str, Any]]:
    from pybase.fields.models import Field

    options = field.options or {}
    target_table = options["linked_table_id"]
    raw = _raw(session)
    wanted = sorted({rid for ids in cells.values() for rid in ids})
    if wanted:
        live = {
            r[0]
            for r in raw.execute(
                "SELECT id FROM records WHERE table_id = %s AND id = ANY(%s) AND deleted_at IS NULL",
                (target_table, wanted),
            )
        }
        missing = [rid for rid in wanted if rid not in live]
        if missing:
            raise ValidationFailed(
                f"{len(missing)} linked record(s) do not exist in the linked table; nothing was written.",
                details={"field": field.id, "missing": missing[:100]},
            )
    if options.get("single"):
        crowded = [rid for rid, ids in cells.items() if len(ids) > 1]
        if crowded:
            raise ValidationFailed(
                f"{field.name!r} links to a single record.", details={"field": field.id, "records": crowded[:100]}
            )
    before = current_links(session, field_id=field.id, to_table_id=target_table, record_ids=list(cells))
    inverse = session.get(Field, options.get("inverse_field_id") or "") if options.get("inverse_field_id") else None
    if inverse is not None and (inverse.type != LINK or (inverse.options or {}).get("inverse_field_id") != field.id):
        inverse = None
    removed: list[tuple[str, str]] = []
    added: list[tuple[str, str]] = []
    upserts: list[tuple[str, str, int]] = []
    changes: dict[str, dict[str, Any]] = {}
    for record_id, ids in cells.items():
        old = before.get(record_id, [])
        if old == ids:
            continue
        changes[record_id] = {"from": old or None, "to": ids or None}
        removed += [(record_id, rid) for rid in old if rid not in ids]
        added += [(record_id, rid) for rid in ids if rid not in old]
        upserts += [(record_id, rid, position) for position, rid in enumerate(ids)]
    if removed:
        raw.execute(
            "DELETE FROM record_links l USING unnest(%s::text[], %s::text[]) AS v(f, t) "
            "WHERE l.field_id = %s AND l.from_record_id = v.f AND l.to_record_id = v.t",
            ([r[0] for r in removed], [r[1] for r in removed], field.id),
        )
    if upserts:
        raw.execute(
            "INSERT INTO record_links (field_id, from_record_id, to_record_id, from_table_id, to_table_id, position) "
            "SELECT %s, v.f, v.t, %s, %s, v.p FROM unnest(%s::text[], %s::text[], %s::bigint[]) AS v(f, t, p) "
            "ON CONFLICT (field_id, from_record_id, to_record_id) DO UPDATE SET position = EXCLUDED.position",
            (field.id, table.id, target_table, [u[0] for u in upserts], [u[1] for u in upserts],
             [u[2] for u in upserts]),
        )  # fmt: skip
    if inverse is not None and (removed or added):
        _mirror(session, field=field, inverse=inverse, table=table, removed=removed, added=added)
    if removed or added:
        touched[target_table].update(pair[1] for pair in removed + added)
    return changes


def _mirror(
    session: Session,
    *,
    field: Any,
    inverse: Any,
    table: Any,
    removed: list[tuple[str, str]],
    added: list[tuple[str, str]],
) -> None:
    """The inverse field's rows: (inverse, B, A) for every (field, A, B); appended at the end of B's cell."""
    raw = _raw(session)
    target_table = field.options["linked_table_id"]
    if removed:
        raw.execute(
            "DELETE FROM record_links l USING unnest(%s::text[], %s::text[]) AS v(f, t) "
            "WHERE l.field_id = %s AND l.from_record_id = v.t AND l.to_record_id = v.f",
            ([r[0] for r in removed], [r[1] for r in removed], inverse.id),
        )
    if not added:
        return
    raw.execute(
        "INSERT INTO record_links (field_id, from_record_id, to_record_id, from_table_id, to_table_id, position) "
        "SELECT %s, v.t, v.f, %s, %s, coalesce((SELECT max(position) FROM record_links m "
        "WHERE m.field_id = %s AND m.from_record_id = v.t), -1) + row_number() OVER (PARTITION BY v.t ORDER BY v.n) "
        "FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS v(f, t, n) ON CONFLICT DO NOTHING",
        (inverse.id, target_table, table.id, inverse.id, [a[0] for a in added], [a[1] for a in added]),
    )
    if (inverse.options or {}).get("single"):
        crowded = raw.execute(
            "SELECT l.from_record_id FROM record_links l JOIN records t ON t.table_id = l.to_table_id "
            "AND t.id = l.to_record_id AND t.deleted_at IS NULL WHERE l.field_id = %s AND l.from_record_id = ANY(%s) "
            "AND l.to_table_id = %s AND t.table_id = %s GROUP BY l.from_record_id HAVING count(*) > 1",
            (inverse.id, sorted({a[1] for a in added}), table.id, table.id),
        ).fetchall()
        if crowded:
            raise ValidationFailed(
                f"The inverse field {inverse.name!r} links to a single record; these records already have one.",
                details={"field": field.id, "inverse_field": inverse.id, "records": [c[0] for c in crowded][:100]},
            )


def notify_linked(
    session: Session, *, table: Any, workspace_id: str, record_ids: list[str], actor_id: str | None
) -> None:
    """After records were trashed: the records of other tables that link to them show one link fewer,
    so their tables get a `records.updated` event (realtime clients refresh those cells)."""
    touched: dict[str, set[str]] = defaultdict(set)
    for from_table, from_id in _raw(session).execute(
        "SELECT DISTINCT from_table_id, from_record_id FROM record_links WHERE to_table_id = %s "
        "AND to_record_id = ANY(%s) LIMIT 10000",
        (table.id, record_ids),
    ):
        if from_table != table.id:
            touched[from_table].add(from_id)
    for table_id, ids in touched.items():
        emit(
            session,
            type="records.updated",
            workspace_id=workspace_id,
            base_id=table.base_id,
            table_id=table_id,
            actor_id=actor_id,
            payload={"record_ids": sorted(ids)[:1000], "reason": "links"},
        )


# --- trash --------------------------------------------------------------------------------------


def _on_record_restored(session: Session, record: Any, principal: Principal) -> None:
    """A restored record reappears in every link pointing at it; keep single-record cells single."""
    from pybase.fields.models import Field
    from pybase.tables.models import Table

    raw = _raw(session)
    links = raw.execute(
        "SELECT field_id, from_table_id, from_record_id FROM record_links WHERE to_table_id = %s AND to_record_id = %s",
        (record.table_id, record.id),
    ).fetchall()
    # Which linking records are live, asked table by table: a join on the link's from_table_id names
    # no table when the query is planned, so it would plan and lock every partition of `records`.
    by_table: dict[str, list[str]] = defaultdict(list)
    for _, from_table, from_id in links:
        by_table[from_table].append(from_id)
    live: set[tuple[str, str]] = set()
    for from_table, from_ids in by_table.items():
        live.update(
            (from_table, r[0])
            for r in raw.execute(
                "SELECT id FROM records WHERE table_id = %s AND id = ANY(%s) AND deleted_at IS NULL",
                (from_table, from_ids),
            ).fetchall()
        )
    pointing = [link for link in links if (link[1], link[2]) in live]
    if not pointing:
        return
    fields = {f.id: f for f in session.query(Field).filter(Field.id.in_({p[0] for p in pointing}))}
    touched: dict[str, set[str]] = defaultdict(set)
    for field_id, from_table, from_id in pointing:
        field = fields.get(field_id)
        if field is None or field.deleted_at is not None:
            continue
        if (field.options or {}).get("single"):
            cell = current_links(session, field_id=field_id, to_table_id=record.table_id, record_ids=[from_id]).get(
                from_id, []
            )
            if len(cell) > 1 and record.id in cell:
                # The cell was filled while this record was in the trash: the newer link wins.
                raw.execute(
                    "DELETE FROM record_links WHERE field_id = %s AND from_record_id = %s AND to_record_id = %s",
                    (field_id, from_id, record.id),
                )
                inverse_id = (field.options or {}).get("inverse_field_id")
                if inverse_id:
                    raw.execute(
                        "DELETE FROM record_links WHERE field_id = %s AND from_record_id = %s AND to_record_id = %s",
                        (inverse_id, record.id, from_id),
                    )
                continue
        touched[from_table].add(from_id)
    table = session.get(Table, record.table_id)
    if table is None:
        return
    from pybase.bases.models import AppBase

    base = session.get(AppBase, table.base_id)
    for table_id, ids in touched.items():
        emit(
            session,
            type="records.updated",
            workspace_id=base.workspace_id if base else "",
            base_id=table.base_id,
            table_id=table_id,
            actor_id=principal.user_id,
            payload={"record_ids": sorted(ids)[:1000], "reason": "links"},
        )


def _on_field_restored(session: Session, field: Any, principal: Principal) -> None:
    """Restoring one side of a link field restores the other (they were deleted together)."""
    from pybase.fields.models import Field

    if field.type != LINK:
        return
    inverse_id = (field.options or {}).get("inverse_field_id")
    inverse = session.get(Field, inverse_id) if inverse_id else None
    if inverse is not None and inverse.deleted_at is not None:
        from pybase.bases.models import AppBase
        from pybase.fields.service import restore_field
        from pybase.tables.models import Table

        restore_field(session, field=inverse)
        table = session.get(Table, inverse.table_id)
        base = session.get(AppBase, table.base_id) if table is not None else None
        emit(
            session,
            type="field.restored",
            workspace_id=base.workspace_id if base is not None else "",
            base_id=table.base_id if table is not None else None,
            table_id=inverse.table_id,
            actor_id=principal.user_id,
            payload={"field_id": inverse.id, "name": inverse.name, "type": inverse.type, "reason": "inverse"},
        )


def register_trash_hooks() -> None:
    from pybase.trash.kinds import on_restore

    on_restore("record", _on_record_restored)
    on_restore("field", _on_field_restored)


register_trash_hooks()
