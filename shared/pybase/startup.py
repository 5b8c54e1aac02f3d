"""What a function does once, when its process starts, before it serves anything.

Every Lambda function that writes (the API functions through pybase.app.create_app; the extract,
deadletter and purge handlers) calls start(). It registers the realtime publisher with
pybase.events, so events never import realtime (the composition root depends on both instead), and
no commit can come before the publisher is there (the install on the first commit it replaces
needed a lock against threads committing meanwhile).

The API functions' handler modules also pause the cyclic garbage collector on their first line and
call end_of_init() on their last.
"""

from __future__ import annotations

import gc
from typing import Any

from pybase.config import get_settings


def _realtime(events: list[dict[str, Any]]) -> None:
    # The relay (and Redis's client) load with the first published write, not with the function:
    # functions that never write keep their cold start.
    from pybase.realtime.relay import publish

    publish(events)


def start() -> None:
    """Idempotent. PYBASE_REALTIME=off leaves realtime out (events stay in the log for replay)."""
    from pybase.events.service import register_publisher

    if get_settings().realtime:
        register_publisher(_realtime)


def end_of_init() -> None:
    """The last step of an API function's cold start; its handler module paused the collector first.

    An init allocates some 50,000-130,000 objects (modules, classes, schemas, routes) and frees almost
    none, so the collector's passes over them during the imports found nothing (40-70 ms of CPU per
    function), and the first full pass, during the first requests, took about 100 ms more in the
    records function. Frozen, they are left out of every later pass; the few cycles already garbage
    by now (about 130 objects) stay allocated.
    """
    gc.freeze()
    gc.enable()
