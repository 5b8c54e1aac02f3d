"""Airtable-style rate limit: requests per second per caller (API token or user) and base, counted in
Redis (PYBASE_AIRTABLE_REQUESTS_PER_SECOND; 0 turns it off). Over the limit the request gets a 429
with Retry-After, which Airtable clients (pyairtable's default retry strategy) back off on."""

from __future__ import annotations

from pybase.access.roles import Principal
from pybase.airtable.errors import AirtableError
from pybase.config import get_settings
from pybase.ratelimit import fixed_window


def check(principal: Principal, base_id: str) -> None:
    caller = principal.token_id or principal.user_id
    wait = fixed_window(
        "airtable", f"{caller}:{base_id[:40]}", limit=get_settings().airtable_requests_per_second, seconds=1
    )
    if wait:
        raise AirtableError(
            429, "RATE_LIMIT_REACHED", "Rate limit exceeded. Please try again later", headers={"Retry-After": str(wait)}
        )
