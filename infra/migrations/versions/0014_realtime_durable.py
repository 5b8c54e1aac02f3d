"""realtime: durable copy of the connection registry, relay cursor

Revision ID: 0014
Revises: 0001
Create Date: 2026-12-02 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0014"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "realtime_connections",
        sa.Column("connection_id", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.String(length=17), nullable=False),
        sa.Column("token_id", sa.String(length=17), nullable=True),
        sa.Column("session_id", sa.String(length=32), nullable=True),
        sa.Column("token_scope", sa.String(length=16), nullable=True),
        sa.Column("token_base_ids", postgresql.ARRAY(sa.String(length=17)), nullable=True),
        sa.Column("scopes", postgresql.ARRAY(sa.String(length=40)), nullable=False),
        sa.Column("connected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("connection_id", name=op.f("pk_realtime_connections")),
    )
    op.create_index("ix_realtime_connections_user_id", "realtime_connections", ["user_id"])
    op.create_index("ix_realtime_connections_token_id", "realtime_connections", ["token_id"])
    op.create_index("ix_realtime_connections_session_id", "realtime_connections", ["session_id"])
    op.create_index("ix_realtime_connections_expires_at", "realtime_connections", ["expires_at"])
    op.create_table(
        "realtime_relay_state",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("floor", sa.BigInteger(), nullable=False),
        sa.Column("high", sa.BigInteger(), nullable=False),
        sa.Column("gaps", postgresql.ARRAY(sa.BigInteger()), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_realtime_relay_state")),
    )


def downgrade() -> None:
    op.drop_table("realtime_relay_state")
    op.drop_index("ix_realtime_connections_expires_at", table_name="realtime_connections")
    op.drop_index("ix_realtime_connections_session_id", table_name="realtime_connections")
    op.drop_index("ix_realtime_connections_token_id", table_name="realtime_connections")
    op.drop_index("ix_realtime_connections_user_id", table_name="realtime_connections")
    op.drop_table("realtime_connections")
