"""The Redis side of realtime: who is connected, and who listens to what.

Keys (all under PYBASE_REDIS_PREFIX):
    ws:conn:<cid>        hash   user_id, token_id, token_scope, token_base_ids, connected_at
    ws:subs:<cid>        set    the connection's scopes ("table:tbl...", "base:app...")
    ws:sub:<scope>       zset   connection IDs listening to a table or base, scored by expiry time
    ws:user:<uid>        zset   a user's connection IDs, scored by expiry time (revocation looks here)
    ws:presence:<tbl>    hash   connection ID -> {"user_id","record_id","field_id","at"}
Connection keys expire with API Gateway's 2-hour connection limit. Index members carry their expiry as
the score, so an entry whose $disconnect never arrived stops counting by itself; delivery to a gone
connection (HTTP 410) removes it at once.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import redis

from pybase.access.roles import Principal
from pybase.redis_client import rkey

CONNECTION_TTL = 2 * 3600  # API Gateway closes every WebSocket after 2 hours
PRESENCE_TTL = 60  # clients refresh presence every ~30 s; silent ones drop out after this


def _conn(cid: str) -> str:
    return rkey("ws", "conn", cid)


def _subs(cid: str) -> str:
    return rkey("ws", "subs", cid)


def _index(scope: str) -> str:
    return rkey("ws", "sub", scope)


def _user(uid: str) -> str:
    return rkey("ws", "user", uid)


def _presence(table_id: str) -> str:
    return rkey("ws", "presence", table_id)


@dataclass
class Connection:
    connection_id: str
    principal: Principal
    connected_at: float
    scopes: set[str] = field(default_factory=set)

    @property
    def expires_at(self) -> float:
        return self.connected_at + CONNECTION_TTL


def add_connection(r: redis.Redis, *, connection_id: str, principal: Principal, now: float | None = None) -> None:
    now = time.time() if now is None else now
    expires = now + CONNECTION_TTL
    fields = {
        "user_id": principal.user_id,
        "token_id": principal.token_id or "",
        "token_scope": principal.token_scope or "",
        "token_base_ids": json.dumps(sorted(principal.token_base_ids)) if principal.token_base_ids is not None else "",
        "connected_at": repr(now),
    }
    pipe = r.pipeline(transaction=False)
    pipe.hset(_conn(connection_id), mapping=fields)
    pipe.expireat(_conn(connection_id), int(expires) + 60)
    pipe.zadd(_user(principal.user_id), {connection_id: expires})
    pipe.expireat(_user(principal.user_id), int(expires) + 60)
    pipe.execute()


def get_connection(r: redis.Redis, connection_id: str) -> Connection | None:
    pipe = r.pipeline(transaction=False)
    pipe.hgetall(_conn(connection_id))
    pipe.smembers(_subs(connection_id))
    data, scopes = pipe.execute()
    if not data:
        return None
    base_ids = data.get("token_base_ids") or ""
    principal = Principal(
        user_id=data["user_id"],
        token_id=data.get("token_id") or None,
        token_scope=data.get("token_scope") or None,
        token_base_ids=frozenset(json.loads(base_ids)) if base_ids else None,
    )
    return Connection(
        connection_id=connection_id,
        principal=principal,
        connected_at=float(data.get("connected_at") or time.time()),
        scopes=set(scopes),
    )


def remove_connection(r: redis.Redis, connection_id: str) -> Connection | None:
    """Forget a connection everywhere; returns what it was (None if already gone)."""
    conn = get_connection(r, connection_id)
    scopes = conn.scopes if conn else set()
    pipe = r.pipeline(transaction=False)
    for scope in scopes:
        pipe.zrem(_index(scope), connection_id)
        if scope.startswith("table:"):
            pipe.hdel(_presence(scope.split(":", 1)[1]), connection_id)
    if conn is not None:
        pipe.zrem(_user(conn.principal.user_id), connection_id)
    pipe.delete(_conn(connection_id), _subs(connection_id))
    pipe.execute()
    return conn


def add_subscription(r: redis.Redis, conn: Connection, scope: str) -> None:
    expires = conn.expires_at
    pipe = r.pipeline(transaction=False)
    pipe.sadd(_subs(conn.connection_id), scope)
    pipe.expireat(_subs(conn.connection_id), int(expires) + 60)
    pipe.zadd(_index(scope), {conn.connection_id: expires})
    # Every member expires within CONNECTION_TTL from now, so this outlives them all (Redis 6 has no GT).
    pipe.expire(_index(scope), CONNECTION_TTL + 60)
    pipe.execute()
    conn.scopes.add(scope)


def remove_subscription(r: redis.Redis, connection_id: str, scope: str) -> None:
    pipe = r.pipeline(transaction=False)
    pipe.srem(_subs(connection_id), scope)
    pipe.zrem(_index(scope), connection_id)
    if scope.startswith("table:"):
        pipe.hdel(_presence(scope.split(":", 1)[1]), connection_id)
    pipe.execute()


def subscribers(r: redis.Redis, scopes: list[str], now: float | None = None) -> dict[str, list[str]]:
    """Live connection IDs per scope (expired index entries are skipped and pruned)."""
    now = time.time() if now is None else now
    if not scopes:
        return {}
    pipe = r.pipeline(transaction=False)
    for scope in scopes:
        pipe.zrangebyscore(_index(scope), now, "+inf")
        pipe.zremrangebyscore(_index(scope), "-inf", now)
    results = pipe.execute()
    return {scope: results[2 * i] for i, scope in enumerate(scopes)}


def user_connections(r: redis.Redis, user_id: str, now: float | None = None) -> list[str]:
    now = time.time() if now is None else now
    return list(r.zrangebyscore(_user(user_id), now, "+inf"))


def set_presence(
    r: redis.Redis, *, table_id: str, connection_id: str, user_id: str, record_id: str | None, field_id: str | None
) -> None:
    state = {"user_id": user_id, "record_id": record_id, "field_id": field_id, "at": time.time()}
    pipe = r.pipeline(transaction=False)
    pipe.hset(_presence(table_id), connection_id, json.dumps(state))
    pipe.expire(_presence(table_id), PRESENCE_TTL * 2)
    pipe.execute()


def clear_presence(r: redis.Redis, *, table_id: str, connection_id: str) -> bool:
    return bool(r.hdel(_presence(table_id), connection_id))


def presence(r: redis.Redis, table_id: str, now: float | None = None) -> list[dict[str, Any]]:
    """Who is on a table now (one entry per connection; stale entries are pruned)."""
    now = time.time() if now is None else now
    raw = r.hgetall(_presence(table_id))
    live, stale = [], []
    for cid, text in raw.items():
        state = json.loads(text)
        if now - float(state.get("at", 0)) > PRESENCE_TTL:
            stale.append(cid)
        else:
            live.append({"connection_id": cid, **state})
    if stale:
        r.hdel(_presence(table_id), *stale)
    live.sort(key=lambda s: (s["user_id"], s["connection_id"]))
    return live
