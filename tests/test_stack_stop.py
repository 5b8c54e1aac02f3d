"""Stopping the local stack (`make dev`, `infra/stack.py run`) finishes even when Ctrl-C is pressed
again, or a runner's SIGTERM arrives, while it stops: every service is still stopped."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.test_files_support import stack_module


def test_a_second_signal_while_stopping_stops_the_rest_too() -> None:
    mod = stack_module()
    stack = mod.Stack()
    stopped: list[str] = []

    def impatient() -> None:  # stopped first (services stop in reverse order)
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGTERM)
        stopped.append("web")

    stack.add("postgres", lambda: stopped.append("postgres"))
    stack.add("redis", lambda: stopped.append("redis"))
    stack.add("web", impatient)
    with mod.signals_raise():
        stack.stop()
        assert stopped == ["web", "redis", "postgres"]
        # Once the stop is over, a signal interrupts again.
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)
    assert stack.services == []
