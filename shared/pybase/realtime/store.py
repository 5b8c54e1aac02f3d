"""The durable copy of the connection registry (PostgreSQL), and revocation lookups over it.

Every connect, subscribe, unsubscribe and disconnect writes here as well as to Redis, in the same
request. Redis stays the fast path the relay reads on every delivery; this copy is what survives a Redis
that restarts empty (restore() refills it) and what lets the relay find connections whose credential
was revoked without asking Redis (revoked_connection_ids()).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import redis
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from pybase.access.roles import Principal
from pybase.db import utcnow
from pybase.realtime import registry
from pybase.realtime.models import RealtimeConnection


def save_connection(
    session: Session, *, connection_id: str, principal: Principal, session_id: str | None, connected_at: datetime
) -> None:
    values = {
        "connection_id": connection_id,
        "user_id": principal.user_id,
        "token_id": principal.token_id,
        "session_id": session_id,
        "token_scope": principal.token_scope,
        "token_base_ids": sorted(principal.token_base_ids) if principal.token_base_ids is not None else None,
        "scopes": [],
        "connected_at": connected_at,
        "expires_at": connected_at + timedelta(seconds=registry.CONNECTION_TTL),
    }
    statement = insert(RealtimeConnection).values(**values)
    # API Gateway never reuses a connection ID, but a retried $connect may arrive twice.
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["connection_id"],
            set_={k: statement.excluded[k] for k in values if k != "connection_id"},
        )
    )


def add_scope(session: Session, connection_id: str, scope: str) -> None:
    column = RealtimeConnection.scopes
    session.execute(
        update(RealtimeConnection)
        .where(RealtimeConnection.connection_id == connection_id)
        .values(scopes=func.array_append(func.array_remove(column, scope), scope))
        .execution_options(synchronize_session=False)
    )


def remove_scope(session: Session, connection_id: str, scope: str) -> None:
    session.execute(
        update(RealtimeConnection)
        .where(RealtimeConnection.connection_id == connection_id)
        .values(scopes=func.array_remove(RealtimeConnection.scopes, scope))
        .execution_options(synchronize_session=False)
    )


def delete_connections(session: Session, connection_ids: list[str]) -> None:
    if connection_ids:
        session.execute(
            delete(RealtimeConnection)
            .where(RealtimeConnection.connection_id.in_(connection_ids))
            .execution_options(synchronize_session=False)
        )


def get(session: Session, connection_id: str) -> RealtimeConnection | None:
    row = session.get(RealtimeConnection, connection_id)
    if row is None or row.expires_at <= utcnow():
        return None
    return row


def live(session: Session) -> list[RealtimeConnection]:
    return list(session.scalars(select(RealtimeConnection).where(RealtimeConnection.expires_at > utcnow())))


def principal_of(row: RealtimeConnection) -> Principal:
    return Principal(
        user_id=row.user_id,
        token_id=row.token_id,
        token_scope=row.token_scope,
        token_base_ids=frozenset(row.token_base_ids) if row.token_base_ids is not None else None,
    )


def restore(r: redis.Redis, row: RealtimeConnection) -> registry.Connection:
    """Write one durable row back into the Redis registry (idempotent); returns the connection."""
    registry.add_connection(
        r, connection_id=row.connection_id, principal=principal_of(row), now=row.connected_at.timestamp()
    )
    conn = registry.Connection(
        connection_id=row.connection_id, principal=principal_of(row), connected_at=row.connected_at.timestamp()
    )
    for scope in row.scopes or ():
        registry.add_subscription(r, conn, scope)
    return conn


# A connection's credential is gone when: its user is gone or deactivated; its API token is deleted,
# revoked or expired; or the login session (refresh-token family) its JWT came from has no live token
# left (logout, password change, reuse of a rotated token).
REVOKED = text(
    """
    SELECT c.connection_id
    FROM realtime_connections c
    LEFT JOIN users u ON u.id = c.user_id
    LEFT JOIN api_tokens t ON t.id = c.token_id
    WHERE c.expires_at > now()
      AND (u.id IS NULL OR NOT u.is_active
           OR (c.token_id IS NOT NULL
               AND (t.id IS NULL OR t.revoked_at IS NOT NULL OR t.expires_at <= now()))
           OR (c.session_id IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM refresh_tokens f
                               WHERE f.family_id = c.session_id AND f.revoked_at IS NULL)))
    """
)


def revoked_connection_ids(session: Session) -> list[str]:
    return list(session.scalars(REVOKED))


def prune_expired(session: Session) -> int:
    """Rows of connections API Gateway has closed by now (2-hour limit) whose $disconnect never came."""
    result = session.execute(
        delete(RealtimeConnection)
        .where(RealtimeConnection.expires_at <= utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)
