"""Purge function (scheduled): hard-deletes trash older than 30 days, in small batches.

Stops a little before the Lambda timeout; whatever is left is picked up by the next run.
"""

from __future__ import annotations

import time
from typing import Any

from pybase.logs import logger
from pybase.startup import start
from pybase.trash.purge import purge_expired

start()  # purge events reach realtime

# Seconds kept in hand before the Lambda timeout to finish the current batch and log.
SAFETY_MARGIN_S = 15.0
BATCH_SIZE = 1000


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    remaining_ms = context.get_remaining_time_in_millis() if context is not None else 300_000
    deadline = time.monotonic() + max(remaining_ms / 1000.0 - SAFETY_MARGIN_S, 1.0)
    started = time.monotonic()
    result = purge_expired(batch_size=int((event or {}).get("batch_size") or BATCH_SIZE), deadline=deadline)
    summary = {**result.as_dict(), "seconds": round(time.monotonic() - started, 3)}
    logger.info("trash purge finished", extra=summary)
    return summary
