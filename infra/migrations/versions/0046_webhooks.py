"""webhooks: Airtable-style webhooks, their payloads, and the webhook feeder's cursor over the change log

Revision ID: 0046
Revises: 0041
Create Date: 2026-12-02 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0046"
down_revision = "0041"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhooks",
        sa.Column("id", sa.String(length=17), nullable=False),
        sa.Column("base_id", sa.String(length=17), nullable=False),
        sa.Column("created_by", sa.String(length=17), nullable=False),
        sa.Column("notification_url", sa.Text(), nullable=True),
        sa.Column("specification", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("mac_secret", sa.String(length=100), nullable=False),
        sa.Column("are_notifications_enabled", sa.Boolean(), nullable=False),
        sa.Column("is_hook_enabled", sa.Boolean(), nullable=False),
        sa.Column("cursor_for_next_payload", sa.Integer(), nullable=False),
        sa.Column("notified_cursor", sa.Integer(), nullable=False),
        sa.Column("start_event_id", sa.BigInteger(), nullable=False),
        sa.Column("expiration_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_successful_notification_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_notification_result", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["base_id"], ["bases.id"], name=op.f("fk_webhooks_base_id_bases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
    )
    op.create_index("ix_webhooks_base_id", "webhooks", ["base_id"])
    op.create_table(
        "webhook_payloads",
        sa.Column("webhook_id", sa.String(length=17), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["webhook_id"], ["webhooks.id"], name=op.f("fk_webhook_payloads_webhook_id_webhooks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("webhook_id", "cursor", name=op.f("pk_webhook_payloads")),
        sa.UniqueConstraint("webhook_id", "event_id", name="uq_webhook_payloads_webhook_id_event_id"),
    )
    op.create_index("ix_webhook_payloads_created_at", "webhook_payloads", ["created_at"])
    op.create_table(
        "webhook_feed_cursor",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_webhook_feed_cursor")),
    )


def downgrade() -> None:
    op.drop_table("webhook_feed_cursor")
    op.drop_index("ix_webhook_payloads_created_at", table_name="webhook_payloads")
    op.drop_table("webhook_payloads")
    op.drop_index("ix_webhooks_base_id", table_name="webhooks")
    op.drop_table("webhooks")
