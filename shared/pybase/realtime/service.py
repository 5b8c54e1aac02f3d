"""Realtime logic: connect, disconnect, the `$default` actions, replay, fan-out and revocation.

Plain functions over a SQLAlchemy session, a Redis client and a Poster (delivery.py); no Lambda or
HTTP here. Actions are looked up by name in ACTIONS, one function each.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import redis
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pybase import jsontext
from pybase.access import service as access
from pybase.access.models import Grant
from pybase.access.roles import Principal
from pybase.auth.service import authenticate, session_id_of
from pybase.config import get_settings
from pybase.db import session_scope, utcnow
from pybase.errors import BadRequest, Forbidden, NotFound, PyBaseError, ServiceUnavailable, Unauthorized
from pybase.events.models import ChangeEvent
from pybase.logs import logger
from pybase.realtime import registry, store
from pybase.realtime.delivery import DeliveryResult, Poster, deliver
from pybase.realtime.schemas import (
    PingAction,
    PresenceAction,
    SubscribeAction,
    UnsubscribeAction,
    action_adapter,
    dumps,
    event_view,
    fit_event,
    pack_texts,
    scope_fields,
)
from pybase.workspaces.models import WorkspaceMember

# Events after which a user's subscriptions are checked again (payload carries "user_id").
REVOCATION_TYPES = frozenset(
    {"member.removed", "member.updated", "grant.changed", "grant.removed", "grant.deleted", "user.deactivated"}
)


@dataclass
class Context:
    session: Session
    redis: redis.Redis
    poster: Poster
    connection: registry.Connection


# ---------------------------------------------------------------- connect / disconnect


def connect(session: Session, r: redis.Redis, *, connection_id: str, token: str | None) -> Principal:
    """Authenticate the `?token=` (JWT or API token) and register the connection.

    The registry is written twice: to Redis (what delivery reads) and to its durable copy in
    PostgreSQL, which records the credential (API token, or the login session a JWT belongs to) so
    that revoking it closes this connection, and which refills Redis if Redis loses its data.
    """
    if not token:
        raise Unauthorized("A token is required: connect with ?token=<access token or API token>.")
    principal = authenticate(session, token=token)
    now = utcnow()
    store.save_connection(
        session,
        connection_id=connection_id,
        principal=principal,
        session_id=session_id_of(token),
        connected_at=now,
    )
    try:
        registry.add_connection(r, connection_id=connection_id, principal=principal, now=now.timestamp())
    except redis.RedisError as exc:
        # The durable copy is written; the relay puts it back into Redis once Redis answers again.
        logger.warning("realtime registry unavailable at connect", extra={"error": str(exc)[:200]})
    return principal


def registered(session: Session, r: redis.Redis, connection_id: str) -> registry.Connection | None:
    """The connection from Redis, or from its durable copy when Redis lost it (then restored)."""
    conn = registry.get_connection(r, connection_id)
    if conn is None:
        row = store.get(session, connection_id)
        if row is not None:
            conn = store.restore(r, row)
    return conn


def disconnect(r: redis.Redis, poster: Poster | None, *, connection_id: str) -> None:
    """Forget the connection; people on the tables it showed see its presence go."""
    with session_scope() as session:
        store.delete_connections(session, [connection_id])
    try:
        conn = registry.remove_connection(r, connection_id)
    except redis.RedisError as exc:
        # Its durable row is gone, so no restore brings it back; a stale Redis entry ends at the first
        # delivery (410) or with its 2-hour expiry.
        logger.warning("realtime registry unavailable at disconnect", extra={"error": str(exc)[:200]})
        return
    if conn is None or poster is None:
        return
    for scope in conn.scopes:
        if scope.startswith("table:"):
            broadcast_presence(r, poster, table_id=scope.split(":", 1)[1])


# ---------------------------------------------------------------- messages


def _send(ctx: Context, message: dict[str, Any]) -> None:
    ctx.poster.post(ctx.connection.connection_id, dumps(message))


def error_message(exc: PyBaseError, action: str | None) -> dict[str, Any]:
    return {"type": "error", "action": action, **exc.to_dict()}


def handle_message(
    session: Session, r: redis.Redis, poster: Poster, *, connection_id: str, body: str | None
) -> dict[str, Any] | None:
    """Run one client message; replies are posted to the client. Returns the error sent, if any."""
    action_name = None
    try:
        try:
            raw = jsontext.loads(body or "")
        except ValueError as exc:
            raise BadRequest("Messages are JSON objects with an action.") from exc
        action_name = raw.get("action") if isinstance(raw, dict) else None
        try:
            action = action_adapter.validate_python(raw)
        except ValidationError as exc:
            details = [{"loc": [str(p) for p in e["loc"]], "message": e["msg"]} for e in exc.errors()]
            raise BadRequest("The message is not valid.", details=details, code="validation_failed") from exc
        try:
            conn = registered(session, r, connection_id)
            if conn is None:
                raise Unauthorized(
                    "This connection is not registered (expired?): reconnect.", code="unknown_connection"
                )
            ACTIONS[action.action](Context(session, r, poster, conn), action)
        except redis.RedisError as exc:
            unavailable = ServiceUnavailable(
                "Realtime is briefly unavailable; send this again in a few seconds.", retry_after=2
            )
            unavailable.code = "realtime_unavailable"
            raise unavailable from exc
        return None
    except PyBaseError as exc:
        message = error_message(exc, action_name)
        poster.post(connection_id, dumps(message))
        return message


def _has_base_wide_role(session: Session, principal: Principal, workspace_id: str, base_id: str) -> bool:
    """A role on the whole base (membership or base grant), not just a grant on one of its tables."""
    member = session.scalar(
        select(WorkspaceMember.role).where(
            WorkspaceMember.workspace_id == workspace_id, WorkspaceMember.user_id == principal.user_id
        )
    )
    if member is not None and principal.token_base_ids is None:
        return True
    if member is not None and base_id in (principal.token_base_ids or ()):
        return True
    grant = session.scalar(select(Grant.scope_id).where(Grant.scope_id == base_id, Grant.user_id == principal.user_id))
    return grant is not None


def check_scope(session: Session, principal: Principal, scope: str) -> None:
    """Raise NotFound/Forbidden unless the principal may watch this table or base (viewer or more)."""
    kind, object_id = scope.split(":", 1)
    if kind == "table":
        access.require_table(session, principal=principal, table_id=object_id, need="viewer")
        return
    base = access.require_base(session, principal=principal, base_id=object_id, role="viewer")
    if not _has_base_wide_role(session, principal, base.workspace_id, base.id):
        # Base events cover every table; a grant on some tables only lets one watch those tables.
        raise Forbidden(
            "You can see only some tables of this base: subscribe to those tables.", details={"id": object_id}
        )


def _scope_filter(scope: str) -> Any:
    kind, object_id = scope.split(":", 1)
    return ChangeEvent.table_id == object_id if kind == "table" else ChangeEvent.base_id == object_id


def current_event_id(session: Session, scope: str) -> int:
    return int(session.scalar(select(func.max(ChangeEvent.id)).where(_scope_filter(scope))) or 0)


def replay(session: Session, *, scope: str, after_id: int) -> list[dict[str, Any]] | None:
    """Events of a scope after `after_id`, in order; None when too far back (the client refetches)."""
    if after_id > 0:
        # IDs are ordered within a log shard, and a scope (a table, a base) lies in one shard.
        seen = session.scalar(
            select(ChangeEvent.created_at).where(_scope_filter(scope), ChangeEvent.id == after_id)
        )
        # Too far back (or too many events, below): the client reloads instead, cheaper for both sides
        # than thousands of deltas.
        if seen is None or seen < utcnow() - timedelta(seconds=get_settings().ws_replay_window):
            return None
    limit = get_settings().ws_replay_limit
    rows = session.scalars(
        select(ChangeEvent)
        .where(_scope_filter(scope), ChangeEvent.id > after_id)
        .order_by(ChangeEvent.id)
        .limit(limit + 1)
    ).all()
    if len(rows) > limit:
        return None
    return [
        event_view(
            {
                "id": row.id,
                "type": row.type,
                "workspace_id": row.workspace_id,
                "base_id": row.base_id,
                "table_id": row.table_id,
                "actor_id": row.actor_id,
                "payload": row.payload,
            }
        )
        for row in rows
    ]


def subscribe(ctx: Context, action: SubscribeAction) -> None:
    scope = action.scope
    check_scope(ctx.session, ctx.connection.principal, scope)
    # Register before reading the log: an event committed in between is then replayed and relayed
    # (a client drops IDs it already has), never lost.
    registry.add_subscription(ctx.redis, ctx.connection, scope)
    store.add_scope(ctx.session, ctx.connection.connection_id, scope)
    cursor = current_event_id(ctx.session, scope)
    replayed: list[dict[str, Any]] | None = []
    if action.last_event_id is not None:
        replayed = replay(ctx.session, scope=scope, after_id=action.last_event_id)
    ack = {
        "type": "subscribed",
        **scope_fields(scope),
        "last_event_id": cursor,
        "replay": "refetch" if replayed is None else len(replayed),
    }
    _send(ctx, ack)
    if replayed is None:
        _send(ctx, {"type": "refetch", **scope_fields(scope), "reason": "too_far_behind"})
    elif replayed:
        for frame in pack_texts([fit_event(v)[1] for v in replayed]):
            ctx.poster.post(ctx.connection.connection_id, frame)
    if scope.startswith("table:"):
        # Newcomers see who is already there.
        table_id = scope.split(":", 1)[1]
        _send(ctx, presence_message(ctx.redis, table_id))


def unsubscribe(ctx: Context, action: UnsubscribeAction) -> None:
    scope = action.scope
    had_presence = False
    if scope.startswith("table:"):
        had_presence = registry.clear_presence(
            ctx.redis, table_id=scope.split(":", 1)[1], connection_id=ctx.connection.connection_id
        )
    registry.remove_subscription(ctx.redis, ctx.connection.connection_id, scope)
    store.remove_scope(ctx.session, ctx.connection.connection_id, scope)
    _send(ctx, {"type": "unsubscribed", **scope_fields(scope), "reason": "requested"})
    if had_presence:
        broadcast_presence(ctx.redis, ctx.poster, table_id=scope.split(":", 1)[1])


def ping(ctx: Context, action: PingAction) -> None:
    _send(ctx, {"type": "pong", "at": time.time()})


def presence_action(ctx: Context, action: PresenceAction) -> None:
    scope = f"table:{action.table_id}"
    if ctx.connection.principal.read_only:
        # Presence is a write others see; a read-scope token only watches.
        raise Forbidden("A read-scope API token cannot send presence.", code="token_scope")
    if scope not in ctx.connection.scopes:
        raise Forbidden("Subscribe to the table before sending presence.", details={"table_id": action.table_id})
    if action.state == "leave":
        registry.clear_presence(ctx.redis, table_id=action.table_id, connection_id=ctx.connection.connection_id)
    else:
        registry.set_presence(
            ctx.redis,
            table_id=action.table_id,
            connection_id=ctx.connection.connection_id,
            user_id=ctx.connection.principal.user_id,
            record_id=action.record_id,
            field_id=action.field_id,
        )
    broadcast_presence(ctx.redis, ctx.poster, table_id=action.table_id)


ACTIONS: dict[str, Callable[[Context, Any], None]] = {
    "subscribe": subscribe,
    "unsubscribe": unsubscribe,
    "ping": ping,
    "presence": presence_action,
}


# ---------------------------------------------------------------- presence


def presence_message(r: redis.Redis, table_id: str) -> dict[str, Any]:
    users = [
        {"user_id": s["user_id"], "record_id": s.get("record_id"), "field_id": s.get("field_id"), "at": s["at"]}
        for s in registry.presence(r, table_id)
    ]
    return {"type": "presence", "table_id": table_id, "users": users}


def broadcast_presence(r: redis.Redis, poster: Poster, *, table_id: str) -> DeliveryResult:
    frame = dumps(presence_message(r, table_id))
    targets = registry.subscribers(r, [f"table:{table_id}"])[f"table:{table_id}"]
    result = deliver(poster, {cid: [frame] for cid in targets})
    drop_gone(r, result.gone)
    return result


def drop_gone(r: redis.Redis, connection_ids: list[str]) -> None:
    if not connection_ids:
        return
    with session_scope() as session:
        store.delete_connections(session, connection_ids)
    for cid in connection_ids:
        registry.remove_connection(r, cid)
    if connection_ids:
        logger.info("dropped gone websocket connections", extra={"count": len(connection_ids)})


# ---------------------------------------------------------------- fan-out and revocation


def revoke_lost_subscriptions(session: Session, r: redis.Redis, poster: Poster | None, *, user_id: str) -> int:
    """Drop the user's subscriptions that no longer pass the access check; returns how many."""
    dropped = 0
    for cid in registry.user_connections(r, user_id):
        conn = registry.get_connection(r, cid)
        if conn is None:
            continue
        for scope in sorted(conn.scopes):
            try:
                check_scope(session, conn.principal, scope)
            except (NotFound, Forbidden):
                registry.remove_subscription(r, cid, scope)
                store.remove_scope(session, cid, scope)
                dropped += 1
                if poster is not None:
                    # The client may be gone; the subscription is dropped either way.
                    with contextlib.suppress(Exception):
                        poster.post(cid, dumps({"type": "unsubscribed", **scope_fields(scope), "reason": "revoked"}))
    return dropped


def _scopes_of(event: dict[str, Any]) -> list[str]:
    scopes = []
    if event.get("table_id"):
        scopes.append(f"table:{event['table_id']}")
    if event.get("base_id"):
        scopes.append(f"base:{event['base_id']}")
    return scopes


def fan_out(
    r: redis.Redis,
    poster: Poster,
    events: list[dict[str, Any]],
    *,
    session_factory: Callable[[], Any] | None = None,
) -> DeliveryResult:
    """Deliver committed events (in order) to the subscribers of their table and base.

    Events are grouped per connection and packed into as few frames as fit, so a burst of writes costs
    one post per connection rather than one per event. A revocation event first delivers what came
    before it, then re-checks that user's subscriptions, so nothing after it reaches them.
    """
    total = DeliveryResult()
    pending: dict[str, list[int]] = {}
    texts: list[str] = []
    cache: dict[str, list[str]] = {}

    def flush() -> None:
        if not pending:
            return
        frames_cache: dict[tuple[int, ...], list[str]] = {}
        frames: dict[str, list[str]] = {}
        for cid, idxs in pending.items():
            key = tuple(idxs)
            if key not in frames_cache:
                frames_cache[key] = pack_texts([texts[i] for i in idxs])
            frames[cid] = frames_cache[key]
        result = deliver(poster, frames)
        drop_gone(r, result.gone)
        total.sent += result.sent
        total.gone.extend(result.gone)
        total.failed.update(result.failed)
        pending.clear()

    needed = sorted({s for e in events for s in _scopes_of(e)})
    cache.update(registry.subscribers(r, needed))
    for event in events:
        view = event_view(event)
        texts.append(fit_event(view)[1])
        index = len(texts) - 1
        targets: set[str] = set()
        for scope in _scopes_of(event):
            targets.update(cache.get(scope, ()))
        for cid in targets:
            pending.setdefault(cid, []).append(index)
        user_id = (event.get("payload") or {}).get("user_id")
        if event["type"] in REVOCATION_TYPES and user_id and session_factory is not None:
            flush()
            with session_factory() as session:
                revoke_lost_subscriptions(session, r, poster, user_id=user_id)
            cache = registry.subscribers(r, needed)
    flush()
    return total
