"""Rate limits and failure backoff counted in Redis, shared by every API function.

- `fixed_window`: at most `limit` hits per key in each window of `seconds` (public forms, the
  Airtable API, login/refresh/API-token requests per address).
- `Backoff`: failures of a key (an account, an address) are remembered for `memory` seconds after
  the last one; beyond `free` of them each further failure blocks the key for a delay that doubles
  from `first` up to `cap` seconds. A success may forget them.

Both answer how many seconds the caller must wait (0: go ahead), which becomes a 429 with
Retry-After. When Redis cannot be reached nothing is limited (fail open) and a warning is logged:
these limits are against abuse, and a Redis outage must not take logins, forms or the Airtable API
down with it.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pybase.errors import TooManyRequests
from pybase.logs import logger

if TYPE_CHECKING:
    import redis


def _redis() -> redis.Redis:
    # Imported on first use: the auth function does not load the Redis client at cold start.
    from pybase.redis_client import get_redis

    return get_redis()


def _down() -> tuple[type[BaseException], ...]:
    """Every error a Redis call raises when the server is down, slow or unreachable."""
    import redis

    return (redis.RedisError, OSError)


def _key(*parts: str) -> str:
    from pybase.redis_client import rkey

    return rkey("rl", *parts)


def _skipped(name: str) -> int:
    logger.warning("rate limit skipped: Redis unavailable", extra={"limit": name})
    return 0


def fixed_window(name: str, key: str, *, limit: int, seconds: int, now: float | None = None) -> int:
    """Count one hit of `key`; 0 while within `limit` per window, else seconds until the window ends."""
    if limit <= 0:
        return 0
    now = time.time() if now is None else now
    window = int(now // seconds)
    counter = _key(name, key, str(window))
    try:
        pipe = _redis().pipeline()
        pipe.incr(counter)
        pipe.expire(counter, seconds * 2)
        count = int(pipe.execute()[0])
    except _down():
        return _skipped(name)
    if count <= limit:
        return 0
    return max(1, math.ceil((window + 1) * seconds - now))


@dataclass(frozen=True)
class Backoff:
    """Growing delays after repeated failures of one key (see the module's docstring)."""

    name: str
    free: int  # failures without any delay
    first: float  # the first delay, seconds
    cap: float  # the longest delay, seconds
    memory: int  # failures are forgotten this long after the last one, seconds

    def delay(self, failures: int) -> float:
        if failures <= self.free:
            return 0.0
        return min(self.cap, self.first * 2 ** (failures - self.free - 1))

    def wait(self, key: str) -> int:
        """Seconds `key` is still blocked (0: not blocked)."""
        try:
            remaining_ms = int(_redis().pttl(_key(self.name, key, "block")))
        except _down():
            return _skipped(self.name)
        return math.ceil(remaining_ms / 1000) if remaining_ms > 0 else 0

    def failed(self, key: str) -> None:
        """Count a failure; beyond `free` of them, block the key for the next delay."""
        counter = _key(self.name, key, "failures")
        try:
            pipe = _redis().pipeline()
            pipe.incr(counter)
            pipe.expire(counter, self.memory)
            failures = int(pipe.execute()[0])
            delay = self.delay(failures)
            if delay > 0:
                _redis().set(_key(self.name, key, "block"), "1", px=int(delay * 1000))
        except _down():
            _skipped(self.name)

    def succeeded(self, key: str) -> None:
        try:
            _redis().delete(_key(self.name, key, "failures"), _key(self.name, key, "block"))
        except _down():
            _skipped(self.name)


def too_many_requests(message: str, retry_after: int, details: Any = None) -> TooManyRequests:
    """A 429 carrying Retry-After (seconds)."""
    error = TooManyRequests(message, details={"retry_after": retry_after, **(details or {})})
    error.headers = {"Retry-After": str(retry_after)}  # type: ignore[attr-defined]
    return error
