"""One list partition of `records` per user table.

Every table's records live in their own partition with their own indexes, so planning a query and
inserting a row cost the same whether the database holds one table or thousands (PERF-NOTES: with
partial indexes on one shared table both grew with the number of tables).

A partition is created in the transaction that creates its table (a mapper event on `Table`, so every
path that adds a table gets one) and dropped when the table is hard-deleted (purge, or with its base
or workspace). Trashing a table keeps its partition, so restoring needs nothing.

There is no foreign key from `records` to `tables` (a distribution key such as table_id or
workspace_id could not keep it, and it costs every COPY), and none into `records` (each one adds
checks to every new partition, so creating a table slowed as tables accumulated): integrity comes
from deleting tables and records only through the services, which drop the partition and delete
the comments and links of the records they remove.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

_TABLE_ID = re.compile(r"^tbl[A-Za-z0-9]{14}$")


def partition_name(table_id: str) -> str:
    """The partition's name, checked so it can be spliced into DDL."""
    if not _TABLE_ID.match(table_id):
        raise ValueError(f"not a table ID: {table_id!r}")
    return f"records_{table_id}"


def create_partition_sql(table_id: str) -> list[str]:
    name = partition_name(table_id)
    # CREATE + ATTACH rather than CREATE ... PARTITION OF: attaching takes only a SHARE UPDATE
    # EXCLUSIVE lock on `records`, so reads and writes of other tables go on while the creating
    # transaction is open. ATTACH creates the partition's copies of the parent's indexes.
    return [
        f'CREATE TABLE "{name}" (LIKE records INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
        f"ALTER TABLE records ATTACH PARTITION \"{name}\" FOR VALUES IN ('{table_id}')",
    ]


def create_partition(conn: Connection | Session, table_id: str) -> None:
    for statement in create_partition_sql(table_id):
        conn.execute(text(statement))


# What refers to records by (table ID, record ID) without a foreign key (see migration 0061): removed
# with the records, in the same transaction, by whatever hard-deletes them.
_DEPENDENTS_OF_RECORDS = (
    "DELETE FROM comments WHERE table_id = :t AND record_id = ANY(:ids)",
    "DELETE FROM record_links WHERE from_table_id = :t AND from_record_id = ANY(:ids)",
    "DELETE FROM record_links WHERE to_table_id = :t AND to_record_id = ANY(:ids)",
)
_DEPENDENTS_OF_TABLES = (
    "DELETE FROM comments WHERE table_id = ANY(:t)",
    "DELETE FROM record_links WHERE from_table_id = ANY(:t)",
    "DELETE FROM record_links WHERE to_table_id = ANY(:t)",
)


def delete_record_dependents(session: Session, *, table_id: str, record_ids: list[str]) -> None:
    """Delete the comments and links of records being hard-deleted (purged) from one table."""
    if record_ids:
        for statement in _DEPENDENTS_OF_RECORDS:
            session.execute(text(statement), {"t": table_id, "ids": record_ids})


def drop_partitions(session: Session, table_ids: Iterable[str]) -> None:
    """Drop the partitions (and so the records and indexes) of tables about to be hard-deleted, with
    the comments and links of their records (no foreign key removes them)."""
    ids = [t for t in table_ids]
    if not ids:
        return
    names = [partition_name(t) for t in ids]
    for statement in _DEPENDENTS_OF_TABLES:
        session.execute(text(statement), {"t": ids})
    existing = set(session.scalars(text("SELECT relname FROM pg_class WHERE relname = ANY(:n)"), {"n": names}))
    for name in names:
        if name in existing:
            session.execute(text(f'ALTER TABLE records DETACH PARTITION "{name}"'))
            session.execute(text(f'DROP TABLE "{name}"'))
