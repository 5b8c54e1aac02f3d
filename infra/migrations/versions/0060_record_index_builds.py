"""record_indexes: the state of each expression index build (pending, building, ready, failed)

Indexes are now built in the background by the `indexbuild` function; the registry row is written
when an index is asked for and follows its build. Indexes registered before were built already.

Revision ID: 0060
Revises: 0046
Create Date: 2026-12-02 22:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0060"
down_revision = "0046"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "record_indexes", sa.Column("state", sa.String(length=16), server_default="ready", nullable=False)
    )
    op.alter_column("record_indexes", "state", server_default=None)
    op.add_column("record_indexes", sa.Column("reason", sa.Text(), nullable=True))
    op.add_column("record_indexes", sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("record_indexes", sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("record_indexes", sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
    op.alter_column("record_indexes", "attempts", server_default=None)
    op.create_check_constraint(
        op.f("ck_record_indexes_state"), "record_indexes", "state IN ('pending', 'building', 'ready', 'failed')"
    )
    # The sweeper looks for builds that were asked for but never finished.
    op.create_index(
        "ix_record_indexes_unfinished",
        "record_indexes",
        ["created_at"],
        postgresql_where=sa.text("state IN ('pending', 'building')"),
    )


def downgrade() -> None:
    op.drop_index("ix_record_indexes_unfinished", table_name="record_indexes")
    op.drop_constraint(op.f("ck_record_indexes_state"), "record_indexes", type_="check")
    # Indexes that never became valid would be taken for built ones.
    op.execute("DELETE FROM record_indexes WHERE state <> 'ready'")
    for column in ("attempts", "finished_at", "started_at", "reason", "state"):
        op.drop_column("record_indexes", column)
