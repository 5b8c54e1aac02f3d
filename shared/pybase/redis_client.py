"""One Redis client per process (a Lambda container), and the key prefix every key carries.

Timeouts are short on purpose: Redis serves realtime only, so when it is down a write must lose a
fraction of a second at most, never hang (its events stay in the PostgreSQL log for replay).
"""

from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING

from pybase.config import get_settings

if TYPE_CHECKING:
    import redis

_clients: dict[str, redis.Redis] = {}
_lock = threading.Lock()


def get_redis() -> redis.Redis:
    """The cached client for settings REDIS_URL (one per URL, so tests may switch servers)."""
    url = get_settings().redis_url
    client = _clients.get(url)
    if client is None:
        with _lock:
            client = _clients.get(url)
            if client is None:
                # redis-py loads with the first client, not with the function: about 60 modules
                # (45-50 ms of CPU) that requests signed with a JWT never need.
                import redis
                from redis.backoff import NoBackoff
                from redis.retry import Retry

                client = redis.Redis.from_url(
                    url,
                    decode_responses=True,
                    socket_connect_timeout=0.5,
                    socket_timeout=2.0,
                    # One quick retry covers a pooled connection the server closed while the
                    # container was frozen; more would only stretch the outage path.
                    retry=Retry(NoBackoff(), 1),
                    health_check_interval=30,
                    max_connections=64,
                )
                _clients[url] = client
    return client


def rkey(*parts: str) -> str:
    """A key under PYBASE_REDIS_PREFIX: rkey("ws", "conn", cid) -> "<prefix>:ws:conn:<cid>"."""
    return ":".join((get_settings().redis_prefix, *parts))


def reset_redis() -> None:
    """Close and forget cached clients (tests that restart or switch Redis)."""
    with _lock:
        for client in _clients.values():
            # Closing a client of a dead server must not fail the caller.
            with contextlib.suppress(Exception):
                client.close()
        _clients.clear()
