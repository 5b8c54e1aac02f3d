"""Webhookfeed function (AWS): the webhook feeder, started every minute by a schedule.

A run turns new change-log events into webhook payloads and queues the notifications they call for
(`pybase.webhooks.feed`) until ~10 s before its timeout; passes never overlap (the feeder's cursor row
is locked for each). Under serverless offline the local feeder (`python -m pybase.webhooks.feed`,
started by `make dev`) does this job, so this returns at once.
"""

from __future__ import annotations

import time
from typing import Any

from pybase.config import get_settings
from pybase.webhooks import feed


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if get_settings().is_offline:
        return {"recorded": 0, "skipped": "offline"}
    remaining_ms = context.get_remaining_time_in_millis() if context is not None else 60_000
    started = time.monotonic()
    stop_at = started + remaining_ms / 1000 - 10
    recorded = feed.run(feed.sqs_sender(), should_stop=lambda: time.monotonic() >= stop_at)
    return {"recorded": recorded, "seconds": round(time.monotonic() - started, 1)}
