"""record_sequences: the number of live records of each table

A table's count of all its records is read from this column instead of being counted: counting a
100,000-record partition reads every index entry (and, until it is vacuumed, every row) on each
request. The column changes in the transaction that changes the count (a batch of new records adds
in the statement that reserves their `seq`, trash subtracts, restore adds back), so it reads like
the rows under the same snapshot. Purging removes only trashed records and leaves it as it is.

Revision ID: 0063
Revises: 0062
Create Date: 2026-12-03 19:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0063"
down_revision = "0062"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE record_sequences ADD COLUMN live_count bigint NOT NULL DEFAULT 0")
    # Every table holding records gets its row (an older table may have records and no row yet).
    op.execute(
        "INSERT INTO record_sequences (table_id, last_seq, live_count) "
        "SELECT table_id, max(seq), count(*) FILTER (WHERE deleted_at IS NULL) FROM records GROUP BY table_id "
        "ON CONFLICT (table_id) DO UPDATE SET live_count = EXCLUDED.live_count, "
        "last_seq = greatest(record_sequences.last_seq, EXCLUDED.last_seq)"
    )


def downgrade() -> None:
    op.execute("ALTER TABLE record_sequences DROP COLUMN live_count")
