"""records: one list partition per user table; no foreign key from records to tables

Existing records are moved into one partition per table. The on-demand expression indexes, partial
indexes on the old shared table, are dropped with it and forgotten by the registry; they are built
again, on each table's partition, when queries ask for them.

Revision ID: 0040
Revises: 0006, 0003
Create Date: 2026-12-02 18:10:00
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0040"
# The trash indexes on records (0003) and the foreign keys into records (0003 comments, 0006 links).
# Both are parents (not a depends_on), so 0003 is no head of its own and `upgrade head` resolves.
down_revision = ("0006", "0003")
branch_labels = None
depends_on = None

_TABLE_ID = re.compile(r"^tbl[A-Za-z0-9]{14}$")

# Foreign keys that reference records: dropped while records is rebuilt, then recreated.
_REFERENCING = [
    ("comments", "fk_comments_record_records", "(table_id, record_id)"),
    ("record_links", "fk_record_links_from_table_id_records", "(from_table_id, from_record_id)"),
    ("record_links", "fk_record_links_to_table_id_records", "(to_table_id, to_record_id)"),
]

_INDEXES = [
    "CREATE UNIQUE INDEX ix_records_table_id_seq ON records (table_id, seq)",
    "CREATE INDEX ix_records_trash ON records (table_id, deleted_at) WHERE deleted_at IS NOT NULL",
    "CREATE INDEX ix_records_trash_id ON records (id) WHERE deleted_at IS NOT NULL",
]


def _drop_referencing() -> None:
    for table, name, _ in _REFERENCING:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")


def _add_referencing() -> None:
    for table, name, columns in _REFERENCING:
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY {columns} "
            "REFERENCES records (table_id, id) ON DELETE CASCADE"
        )


def _drop_expression_indexes(bind: sa.engine.Connection) -> None:
    for (name,) in bind.execute(sa.text("SELECT name FROM record_indexes")):
        op.execute(f'DROP INDEX IF EXISTS "{name}"')
    op.execute("DELETE FROM record_indexes")


def upgrade() -> None:
    bind = op.get_bind()
    _drop_referencing()
    _drop_expression_indexes(bind)
    op.execute("ALTER TABLE records RENAME TO records_unpartitioned")
    op.execute("ALTER TABLE records_unpartitioned DROP CONSTRAINT IF EXISTS fk_records_table_id_tables")
    op.execute("ALTER TABLE records_unpartitioned RENAME CONSTRAINT pk_records TO pk_records_unpartitioned")
    for index in ("ix_records_table_id_seq", "ix_records_trash", "ix_records_trash_id"):
        op.execute(f"DROP INDEX IF EXISTS {index}")
    op.execute("CREATE TABLE records (LIKE records_unpartitioned INCLUDING DEFAULTS) PARTITION BY LIST (table_id)")
    op.execute("ALTER TABLE records ADD CONSTRAINT pk_records PRIMARY KEY (table_id, id)")
    for statement in _INDEXES:
        op.execute(statement)
    # Each table's rows are copied into a bare table, which is then attached: building its indexes
    # once at attach time is faster than maintaining them row by row.
    for (table_id,) in bind.execute(sa.text("SELECT id FROM tables ORDER BY id")):
        if not _TABLE_ID.match(table_id):
            raise ValueError(f"unexpected table ID {table_id!r}")
        name = f"records_{table_id}"
        op.execute(f'CREATE TABLE "{name}" (LIKE records INCLUDING DEFAULTS INCLUDING CONSTRAINTS)')
        op.execute(f"INSERT INTO \"{name}\" SELECT * FROM records_unpartitioned WHERE table_id = '{table_id}'")
        op.execute(f"ALTER TABLE records ATTACH PARTITION \"{name}\" FOR VALUES IN ('{table_id}')")
    op.execute("DROP TABLE records_unpartitioned")
    _add_referencing()


def downgrade() -> None:
    bind = op.get_bind()
    _drop_referencing()
    _drop_expression_indexes(bind)
    op.execute("CREATE TABLE records_plain (LIKE records INCLUDING DEFAULTS)")
    op.execute("INSERT INTO records_plain SELECT * FROM records")
    op.execute("DROP TABLE records")  # its partitions go with it
    op.execute("ALTER TABLE records_plain RENAME TO records")
    op.execute("ALTER TABLE records ADD CONSTRAINT pk_records PRIMARY KEY (table_id, id)")
    op.execute(
        "ALTER TABLE records ADD CONSTRAINT fk_records_table_id_tables FOREIGN KEY (table_id) "
        "REFERENCES tables (id) ON DELETE CASCADE"
    )
    for statement in _INDEXES:
        op.execute(statement)
    _add_referencing()
