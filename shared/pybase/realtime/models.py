"""The durable side of realtime, in PostgreSQL.

Redis holds the live registry (fast lookups on every delivery); these rows are its durable copy, so a
Redis that restarts empty can be refilled, and so revocation can find a token's or a session's
connections without Redis. The relay's state rows are its cursor in the change log, one per shard.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, SmallInteger, String
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from pybase.db import Base, utcnow


class RealtimeConnection(Base):
    """One open WebSocket connection: who opened it, with which credential, and what it watches."""

    __tablename__ = "realtime_connections"

    connection_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(17), index=True)
    token_id: Mapped[str | None] = mapped_column(String(17), index=True)  # API token, if opened with one
    session_id: Mapped[str | None] = mapped_column(String(32), index=True)  # refresh family of a login JWT
    token_scope: Mapped[str | None] = mapped_column(String(16))
    token_base_ids: Mapped[list[str] | None] = mapped_column(ARRAY(String(17)))
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(40)), default=list)
    connected_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class RelayState(Base):
    """The relay's cursor in one shard of the change log: every event of the shard with id <= floor is
    delivered or will never commit; those in (floor, high] are delivered except `gaps` (not committed
    yet when last looked at, or rolled back). A successor run starts from here, so nothing is skipped or sent twice."""

    __tablename__ = "realtime_relay_state"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    floor: Mapped[int] = mapped_column(BigInteger)
    high: Mapped[int] = mapped_column(BigInteger)
    gaps: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
