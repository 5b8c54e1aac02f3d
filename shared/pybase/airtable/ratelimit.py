"""Airtable-style rate limit: requests per second per caller (API token or user) and base, counted in
Redis (PYBASE_AIRTABLE_REQUESTS_PER_SECOND; 0 turns it off). Over the limit the request gets a 429
with Retry-After, which Airtable clients (pyairtable's default retry strategy) back off on."""

from __future__ import annotations

import time

from pybase.access.roles import Principal
from pybase.airtable.errors import AirtableError
from pybase.config import get_settings
from pybase.logs import logger


def check(principal: Principal, base_id: str) -> None:
    limit = get_settings().airtable_requests_per_second
    if limit <= 0:
        return
    from pybase.redis_client import get_redis, rkey

    window = int(time.time())
    key = rkey("airtable", "rate", principal.token_id or principal.user_id, base_id[:40], str(window))
    try:
        pipe = get_redis().pipeline()
        pipe.incr(key)
        pipe.expire(key, 5)
        count = int(pipe.execute()[0])
    except Exception:  # the limit protects the database; an unreachable Redis must not stop the API
        logger.warning("airtable rate limit skipped: Redis unavailable")
        return
    if count > limit:
        raise AirtableError(
            429, "RATE_LIMIT_REACHED", "Rate limit exceeded. Please try again later", headers={"Retry-After": "1"}
        )
