"""Webhook notifications: one signed POST of `{"base": {"id"}, "webhook": {"id"}, "timestamp"}` to the
notification URL, as Airtable sends it. The body is signed with the webhook's MAC secret:
`X-Airtable-Content-MAC: hmac-sha256=<hex HMAC-SHA256 of the body>`.

The address goes through pybase.netguard at every delivery (after DNS; private, loopback,
link-local, multicast and reserved addresses refused, the connection pinned to the checked address,
no redirects followed), with a 10 s budget and at most 64 KiB of answer read. A 2xx answer is a
success; anything else is a failure that the `webhooks` function retries with backoff through the
queue, and the last allowed attempt failing disables the webhook's notifications, as Airtable does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

from pybase import netguard
from pybase.airtable.service import created_time
from pybase.db import session_scope, utcnow
from pybase.webhooks.models import Webhook

TIMEOUT_SECONDS = 10.0
MAX_ANSWER_BYTES = 64 * 1024


def sign(secret_base64: str, body: bytes) -> str:
    digest = hmac.new(base64.b64decode(secret_base64), body, hashlib.sha256).hexdigest()
    return f"hmac-sha256={digest}"


def notification_body(base_id: str, webhook_id: str, timestamp: str) -> bytes:
    return json.dumps(
        {"base": {"id": base_id}, "webhook": {"id": webhook_id}, "timestamp": timestamp}, separators=(",", ":")
    ).encode()


@dataclass(frozen=True)
class Outcome:
    status: str  # sent | skipped | retry | failed (retries used up: notifications disabled)
    error: str | None = None


def _post(url: str, body: bytes, signature: str) -> str | None:
    """None on success, else why not."""
    try:
        answer = netguard.request(
            "POST", url, body=body,
            headers={"Content-Type": "application/json", "X-Airtable-Content-MAC": signature},
            max_bytes=MAX_ANSWER_BYTES, timeout=TIMEOUT_SECONDS, follow_redirects=False,
        )  # fmt: skip
    except netguard.BlockedURL as exc:
        return exc.message
    except netguard.FetchFailed as exc:
        if exc.reason == "too_large":
            return None  # the receiver took the notification; only its answer was long
        return exc.message
    if 200 <= answer.status < 300:
        return None
    return f"The notification URL answered HTTP {answer.status}"


def deliver(message: dict[str, Any], *, attempt: int, max_attempts: int) -> Outcome:
    """Send one notification (the message names the webhook); records the result on the webhook."""
    webhook_id = str(message.get("webhook_id") or "")
    with session_scope() as session:
        hook = session.get(Webhook, webhook_id)
        now = utcnow()
        if (
            hook is None
            or not hook.are_notifications_enabled
            or not hook.is_hook_enabled
            or hook.notification_url is None
            or (hook.expiration_time is not None and hook.expiration_time <= now)
        ):
            return Outcome("skipped")
        url, secret, base_id = hook.notification_url, hook.mac_secret, hook.base_id
    # No transaction is open while the receiver answers (up to TIMEOUT_SECONDS).
    body = notification_body(base_id, webhook_id, created_time(now))
    started = time.monotonic()
    error = _post(url, body, sign(secret, body))
    duration_ms = round((time.monotonic() - started) * 1000, 1)
    will_retry = error is not None and attempt < max_attempts
    with session_scope() as session:
        hook = session.get(Webhook, webhook_id, with_for_update=True)
        if hook is None:
            return Outcome("skipped")
        done = utcnow()
        result: dict[str, Any] = {
            "success": error is None,
            "completionTimestamp": created_time(done),
            "durationMs": duration_ms,
            "retryNumber": attempt - 1,
        }
        if error is None:
            hook.last_successful_notification_time = done
        else:
            result["error"] = {"message": error}
            result["willBeRetried"] = will_retry
            if not will_retry:
                hook.are_notifications_enabled = False
        hook.last_notification_result = result
    if error is None:
        return Outcome("sent")
    return Outcome("retry" if will_retry else "failed", error)


def backoff_seconds(attempt: int, base: int) -> int:
    """Delay before the next attempt after `attempt` failed: base, 2x base, 4x base ... at most 12 h
    (SQS's longest visibility timeout)."""
    return int(min(base * 2 ** max(attempt - 1, 0), 12 * 3600))
