"""Purge: hard-delete what has been in the trash longer than the retention period.

Runs as a scheduled function. Work is split into small transactions (one batch each) so no lock is
held for long and a run cut short by its deadline resumes where it left off next time:
1. expired records, table by table so every query opens one partition of `records`, with their
   comments, links and history in the same transaction;
2. expired fields: their keys are removed from records' JSONB in `seq` ranges, their expression
   indexes dropped, references in view configs removed, then the field row deleted;
3. expired views;
4. expired tables: their records in batches (with their comments and links), then their records
   partition is detached and dropped (indexes with it), then the table row (fields, views, history
   and comments go by foreign key to `tables`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from pybase.bases.models import AppBase
from pybase.db import session_scope
from pybase.events.service import emit
from pybase.fields.models import Field
from pybase.history.models import RecordHistory
from pybase.records.models import Record
from pybase.records.partitions import delete_record_dependents, drop_partitions
from pybase.tables.models import Table
from pybase.trash.service import retention_cutoff
from pybase.views.models import View
from pybase.views.service import forget_field


@dataclass
class PurgeResult:
    records: int = 0
    fields: int = 0
    views: int = 0
    tables: int = 0
    record_keys_removed: int = 0
    complete: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "fields": self.fields,
            "views": self.views,
            "tables": self.tables,
            "record_keys_removed": self.record_keys_removed,
            "complete": self.complete,
        }


class _Deadline:
    def __init__(self, deadline: float | None) -> None:
        self.deadline = deadline

    def passed(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline


def _context(session: Session, table_id: str) -> tuple[str, str] | None:
    row = session.execute(
        select(AppBase.workspace_id, AppBase.id).join(Table, Table.base_id == AppBase.id).where(Table.id == table_id)
    ).first()
    return (row[0], row[1]) if row else None


def _emit(session: Session, *, type: str, table_id: str, payload: dict[str, Any]) -> None:
    ctx = _context(session, table_id)
    if ctx is not None:
        emit(session, type=type, workspace_id=ctx[0], base_id=ctx[1], table_id=table_id, payload=payload)


def _drop_indexes(session: Session, *, table_id: str, field_id: str | None = None) -> None:
    # The records engine drops them concurrently once this transaction commits.
    from pybase.records import indexes

    if field_id is not None:
        indexes.drop_field_indexes(session, table_id=table_id, field_id=field_id)
    else:
        indexes.drop_table_indexes(session, table_id=table_id)


def purge_records(
    *, cutoff: datetime, batch_size: int, deadline: _Deadline, result: PurgeResult, scope: Callable[[], Any]
) -> None:
    # Table by table, so each statement names its table and opens one partition of `records`: one scan
    # of every partition for expired rows would plan and lock thousands of them in one transaction.
    # A transaction looks at a group of tables (a few hundred locks, released at its commit).
    after = ""
    while not deadline.passed():
        with scope() as session:
            table_ids = list(
                session.scalars(select(Table.id).where(Table.id > after).order_by(Table.id).limit(_TABLES_PER_PASS))
            )
        if not table_ids:
            return
        for start in range(0, len(table_ids), _TABLES_PER_TRANSACTION):
            with scope() as session:
                group = table_ids[start : start + _TABLES_PER_TRANSACTION]
                # One query names the group's tables (so only their partitions are planned) and says which
                # have expired records: most have none, and a statement per table cost ~5 ms each.
                expired = set(
                    session.scalars(
                        select(Record.table_id)
                        .where(Record.table_id.in_(group), Record.deleted_at.is_not(None), Record.deleted_at < cutoff)
                        .distinct()
                    )
                )
                full = [
                    t
                    for t in group
                    if t in expired
                    and _purge_batch(session, t, cutoff=cutoff, batch_size=batch_size, result=result) == batch_size
                ]
            for table_id in full:  # more expired records than one batch: the rest in their own transactions
                while not deadline.passed():
                    with scope() as session:
                        if _purge_batch(session, table_id, cutoff=cutoff, batch_size=batch_size, result=result) < (
                            batch_size
                        ):
                            break
            if deadline.passed():
                break
        after = table_ids[-1]
    result.complete = False


# Tables read per pass, and looked at per transaction (each one short, index-only query when nothing expired).
_TABLES_PER_PASS = 1000
_TABLES_PER_TRANSACTION = 50


def _purge_batch(session: Session, table_id: str, *, cutoff: datetime, batch_size: int, result: PurgeResult) -> int:
    """Hard-delete up to `batch_size` expired records of one table; how many went."""
    doomed = (
        select(Record.id)
        .where(Record.table_id == table_id, Record.deleted_at.is_not(None), Record.deleted_at < cutoff)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
        .cte("doomed")
    )
    ids = list(
        session.scalars(
            delete(Record).where(Record.table_id == table_id, Record.id.in_(select(doomed.c.id))).returning(Record.id)
        )
    )
    if ids:
        delete_record_dependents(session, table_id=table_id, record_ids=ids)
        session.execute(
            delete(RecordHistory).where(RecordHistory.table_id == table_id, RecordHistory.record_id.in_(ids))
        )
        _emit(session, type="records.purged", table_id=table_id, payload={"count": len(ids)})
        result.records += len(ids)
    return len(ids)


def purge_field(
    *, field_id: str, batch_size: int, deadline: _Deadline, result: PurgeResult, scope: Callable[[], Any]
) -> bool:
    """Remove one expired field everywhere. True when finished (False: the deadline came first)."""
    with scope() as session:
        found = session.execute(select(Field.table_id).where(Field.id == field_id)).first()
        if found is None:
            return True
        table_id = found[0]
        max_seq = session.scalar(select(func.max(Record.seq)).where(Record.table_id == table_id)) or 0
    # Walk the table by seq ranges (the unique (table_id, seq) index) so each batch touches at most
    # `batch_size` rows however large the table; values are removed without bumping versions, since
    # nobody can see a deleted field's values.
    low = 0
    while low < max_seq:
        if deadline.passed():
            result.complete = False
            return False
        high = low + batch_size
        with scope() as session:
            removed = session.execute(
                text(
                    "UPDATE records SET data = data - CAST(:fid AS text) "
                    "WHERE table_id = :tid AND seq > :low AND seq <= :high AND data ? CAST(:fid AS text)"
                ),
                {"fid": field_id, "tid": table_id, "low": low, "high": high},
            ).rowcount
            result.record_keys_removed += removed or 0
        low = high
    with scope() as session:
        _drop_indexes(session, table_id=table_id, field_id=field_id)
        forget_field(session, table_id=table_id, field_id=field_id)
        session.execute(delete(Field).where(Field.id == field_id))
        _emit(session, type="field.purged", table_id=table_id, payload={"field_id": field_id})
    result.fields += 1
    return True


def purge_table(
    *, table_id: str, batch_size: int, deadline: _Deadline, result: PurgeResult, scope: Callable[[], Any]
) -> bool:
    while True:
        if deadline.passed():
            result.complete = False
            return False
        with scope() as session:
            batch = (
                select(Record.seq)
                .where(Record.table_id == table_id)
                .order_by(Record.seq)
                .limit(batch_size)
                .scalar_subquery()
            )
            ids = list(
                session.scalars(
                    delete(Record).where(Record.table_id == table_id, Record.seq.in_(batch)).returning(Record.id)
                )
            )
            # Comments and links batch by batch too, so no transaction deletes a large table's all at once.
            delete_record_dependents(session, table_id=table_id, record_ids=ids)
        if len(ids) < batch_size:
            break
    with scope() as session:
        ctx = _context(session, table_id)
        _drop_indexes(session, table_id=table_id)
        drop_partitions(session, [table_id])
        session.execute(delete(Table).where(Table.id == table_id))
        if ctx is not None:
            emit(session, type="table.purged", workspace_id=ctx[0], base_id=ctx[1], table_id=table_id, payload={})
    result.tables += 1
    return True


def purge_expired(
    *,
    now: datetime | None = None,
    batch_size: int = 1000,
    deadline: float | None = None,
    scope: Callable[[], Any] = session_scope,
) -> PurgeResult:
    """Hard-delete everything trashed before `now - 30 days`. `deadline` is a time.monotonic() value."""
    cutoff = retention_cutoff(now)
    clock = _Deadline(deadline)
    result = PurgeResult()
    purge_records(cutoff=cutoff, batch_size=batch_size, deadline=clock, result=result, scope=scope)
    with scope() as session:
        field_ids = list(
            session.scalars(select(Field.id).where(Field.deleted_at.is_not(None), Field.deleted_at < cutoff))
        )
    for field_id in field_ids:
        if not purge_field(field_id=field_id, batch_size=batch_size, deadline=clock, result=result, scope=scope):
            return result
    with scope() as session:
        views = session.execute(
            select(View.id, View.table_id).where(View.deleted_at.is_not(None), View.deleted_at < cutoff)
        ).all()
        for view_id, table_id in views:
            session.execute(delete(View).where(View.id == view_id))
            _emit(session, type="view.purged", table_id=table_id, payload={"view_id": view_id})
        result.views += len(views)
    with scope() as session:
        table_ids = list(
            session.scalars(select(Table.id).where(Table.deleted_at.is_not(None), Table.deleted_at < cutoff))
        )
    for table_id in table_ids:
        if not purge_table(table_id=table_id, batch_size=batch_size, deadline=clock, result=result, scope=scope):
            return result
    return result
