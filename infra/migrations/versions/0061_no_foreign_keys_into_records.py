"""comments and record_links: no foreign keys into records

Every foreign key that points at the partitioned `records` adds its checks to each new partition,
and that work grows with the number of partitions (a table's creation slowed from 47 to 100 ms
between 0 and 1,500 tables). Such keys also cannot hold once records are distributed by `table_id`
or `workspace_id` (a link's two ends can sit in different tables). The purge and the deletion of
tables, bases and workspaces delete the comments and links of the records they remove themselves.

Revision ID: 0061
Revises: 0060
Create Date: 2026-12-03 13:10:00
"""

from __future__ import annotations

from alembic import op

revision = "0061"
down_revision = "0060"
branch_labels = None
depends_on = None

_KEYS = [
    ("comments", "fk_comments_record_records", "(table_id, record_id)"),
    ("record_links", "fk_record_links_from_table_id_records", "(from_table_id, from_record_id)"),
    ("record_links", "fk_record_links_to_table_id_records", "(to_table_id, to_record_id)"),
]


def upgrade() -> None:
    for table, name, _ in _KEYS:
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")


def downgrade() -> None:
    # Rows whose record is gone would fail the keys' validation: remove them first.
    op.execute(
        "DELETE FROM comments c WHERE NOT EXISTS "
        "(SELECT 1 FROM records r WHERE r.table_id = c.table_id AND r.id = c.record_id)"
    )
    op.execute(
        "DELETE FROM record_links l WHERE NOT EXISTS "
        "(SELECT 1 FROM records r WHERE r.table_id = l.from_table_id AND r.id = l.from_record_id) "
        "OR NOT EXISTS (SELECT 1 FROM records r WHERE r.table_id = l.to_table_id AND r.id = l.to_record_id)"
    )
    for table, name, columns in _KEYS:
        op.execute(
            f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY {columns} "
            "REFERENCES records (table_id, id) ON DELETE CASCADE"
        )
