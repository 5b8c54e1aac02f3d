"""Relay function (AWS): the realtime relay consumer, started every minute by a schedule.

A run delivers committed change events to WebSocket subscribers until ~30 s before its timeout. A run
that finds another one active leaves at once, unless that one is about to stop; then it waits and
takes over, so delivery never pauses for long. Under serverless offline the local relay worker
(`python -m pybase.realtime.relay`, started by `make dev`) does this job, so this returns at once.
"""

from __future__ import annotations

import time
from typing import Any

from pybase.config import get_settings
from pybase.realtime import relay
from pybase.realtime.delivery import get_poster


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if get_settings().is_offline:
        return {"handled": 0, "skipped": "offline"}
    remaining_ms = context.get_remaining_time_in_millis() if context is not None else 90_000
    started = time.monotonic()
    stop_at = started + remaining_ms / 1000 - 30
    handled = relay.run(
        get_poster(),
        should_stop=lambda: time.monotonic() >= stop_at,
        block_ms=1000,
        planned_end=time.time() + (stop_at - started),
        handover_wait=90,
    )
    return {"handled": handled, "seconds": round(time.monotonic() - started, 1)}
