"""Webhooks in Airtable's model: a base's subscription to its changes, the payloads recorded for it
from the change log, and the webhook feeder's position in that log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from pybase.db import Base, utcnow


class Webhook(Base):
    __tablename__ = "webhooks"
    __table_args__ = (Index("ix_webhooks_base_id", "base_id"),)

    id: Mapped[str] = mapped_column(String(17), primary_key=True)
    base_id: Mapped[str] = mapped_column(ForeignKey("bases.id", ondelete="CASCADE"))
    created_by: Mapped[str] = mapped_column(String(17))
    notification_url: Mapped[str | None] = mapped_column(Text)
    specification: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # The HMAC key of notifications, base64 as given to the creator once (the sender needs it in clear).
    mac_secret: Mapped[str] = mapped_column(String(100))
    are_notifications_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    is_hook_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Payloads get 1, 2, 3 ... per webhook (Airtable's cursor); the next one gets this number.
    cursor_for_next_payload: Mapped[int] = mapped_column(Integer, default=1)
    # Payloads up to this cursor have had a notification queued (the feeder's outbox).
    notified_cursor: Mapped[int] = mapped_column(Integer, default=0)
    # Changes after this change-log ID are the webhook's (its position when it was created).
    start_event_id: Mapped[int] = mapped_column(BigInteger, default=0)
    expiration_time: Mapped[datetime | None] = mapped_column()
    last_successful_notification_time: Mapped[datetime | None] = mapped_column()
    last_notification_result: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookPayload(Base):
    __tablename__ = "webhook_payloads"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id", name="uq_webhook_payloads_webhook_id_event_id"),
        Index("ix_webhook_payloads_created_at", "created_at"),
    )

    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"), primary_key=True)
    cursor: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookFeedCursor(Base):
    """How far the webhook feeder has read each shard of the change log (`change_events.id`)."""

    __tablename__ = "webhook_feed_cursor"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    last_id: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
