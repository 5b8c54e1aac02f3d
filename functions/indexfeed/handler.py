"""Indexfeed function (AWS): the indexer feeder, started every minute by a schedule.

A run reads the change log after the search cursor and sends what changed to the indexing queue until
~10 s before its timeout; runs take turns through a PostgreSQL advisory lock, so the next one waits
for the lock and continues. Under serverless offline the local feeder (`python -m pybase.search.feeder`,
started by `make dev`) does this job, so this returns at once.
"""

from __future__ import annotations

import time
from typing import Any

from pybase.config import get_settings
from pybase.search import feeder


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if get_settings().is_offline:
        return {"handled": 0, "skipped": "offline"}
    remaining_ms = context.get_remaining_time_in_millis() if context is not None else 60_000
    started = time.monotonic()
    stop_at = started + remaining_ms / 1000 - 10
    handled = feeder.run(feeder.sqs_sender(), should_stop=lambda: time.monotonic() >= stop_at)
    return {"handled": handled, "seconds": round(time.monotonic() - started, 1)}
