"""Airtable's webhooks API over PyBase: create, list, enable/disable notifications, refresh, delete,
and the payloads of a webhook by cursor.

Who may: managing a base's webhooks needs the base's admin role (owner or admin, Airtable's "creator"
level) and, through an API token, a token of scope `admin`. A base the caller cannot see answers like
every other /v0 route (403 INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND); a webhook that is not in the base
answers 404 NOT_FOUND.
"""

from __future__ import annotations

import base64
import ipaddress
import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from pybase import netguard
from pybase.access import service as access
from pybase.access.roles import Principal
from pybase.airtable.errors import AirtableError, invalid_request, no_model, not_found
from pybase.airtable.service import created_time
from pybase.db import utcnow
from pybase.events.service import log_shard
from pybase.ids import looks_like_id, new_id
from pybase.webhooks import feed
from pybase.webhooks.models import Webhook, WebhookPayload
from pybase.webhooks.schemas import normalize_specification

LIFETIME = timedelta(days=7)  # Airtable's: a webhook expires 7 days after its creation or last refresh
MAX_WEBHOOKS_PER_BASE = 10  # Airtable's limit
MAX_PAYLOADS_PAGE = 50
MAX_URL_LENGTH = 2048


def _base(session: Session, principal: Principal, base_id: str) -> str:
    if not looks_like_id(base_id, "app"):
        raise no_model()
    return access.require_base(session, principal=principal, base_id=base_id, role="admin").id


def _webhook(session: Session, base_id: str, webhook_id: str, *, lock: bool = False) -> Webhook:
    if not looks_like_id(webhook_id, "ach"):
        raise not_found()
    query = select(Webhook).where(Webhook.id == webhook_id, Webhook.base_id == base_id)
    hook = session.scalar(query.with_for_update() if lock else query)
    if hook is None:
        raise not_found()
    return hook


def _time(moment: datetime | None) -> str | None:
    return created_time(moment) if moment is not None else None


def webhook_out(hook: Webhook, now: datetime) -> dict[str, Any]:
    return {
        "id": hook.id,
        "areNotificationsEnabled": hook.are_notifications_enabled,
        "cursorForNextPayload": hook.cursor_for_next_payload,
        "isHookEnabled": hook.is_hook_enabled and (hook.expiration_time is None or hook.expiration_time > now),
        "lastSuccessfulNotificationTime": _time(hook.last_successful_notification_time),
        "notificationUrl": hook.notification_url,
        "lastNotificationResult": hook.last_notification_result,
        "expirationTime": _time(hook.expiration_time),
        "specification": hook.specification,
    }


def _notification_url(value: Any) -> str | None:
    """Shape checks at creation; the address itself is checked (after DNS) at every delivery, since
    what a name resolves to can change."""
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > MAX_URL_LENGTH:
        raise invalid_request("Invalid request: notificationUrl must be an http(s) URL", "INVALID_NOTIFICATION_URL")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        raise invalid_request(
            "Invalid request: notificationUrl is not a valid URL", "INVALID_NOTIFICATION_URL"
        ) from None
    if parts.scheme.lower() not in netguard.ALLOWED_SCHEMES or not parts.hostname:
        raise invalid_request("Invalid request: notificationUrl must be an http(s) URL", "INVALID_NOTIFICATION_URL")
    if parts.username or parts.password:
        raise invalid_request("Invalid request: notificationUrl must not hold credentials", "INVALID_NOTIFICATION_URL")
    host = parts.hostname.lower()
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    blocked_literal = literal is not None and not netguard.address_allowed(literal)
    local_name = host == "localhost" or host.endswith(".localhost")
    if blocked_literal or (local_name and not netguard.address_allowed(ipaddress.ip_address("127.0.0.1"))):
        raise invalid_request(
            "Invalid request: notificationUrl points to a private or reserved address", "INVALID_NOTIFICATION_URL"
        )
    return value


def _check_scope(session: Session, base_id: str, spec: dict[str, Any]) -> None:
    filters = spec["options"]["filters"]
    scope = filters.get("recordChangeScope")
    if scope is None:
        return
    if scope.startswith("viw"):
        table_id = session.scalar(
            text(
                "SELECT v.table_id FROM views v JOIN tables t ON t.id = v.table_id"
                " WHERE v.id = :v AND t.base_id = :b"
            ),
            {"v": scope, "b": base_id},
        )
    else:
        table_id = session.scalar(
            text("SELECT id FROM tables WHERE id = :t AND base_id = :b AND deleted_at IS NULL"),
            {"t": scope, "b": base_id},
        )
    if table_id is None:
        raise AirtableError(422, "INVALID_WEBHOOK_SPECIFICATION", f"recordChangeScope {scope} is not in this base")
    wanted = {*(filters.get("watchDataInFieldIds") or []), *(filters.get("watchSchemasOfFieldIds") or [])}
    includes = spec["options"].get("includes") or {}
    cells = includes.get("includeCellValuesInFieldIds")
    if isinstance(cells, list):
        wanted.update(cells)
    if wanted:
        known = set(
            session.scalars(
                text("SELECT id FROM fields WHERE table_id = :t AND id = ANY(:ids)"),
                {"t": table_id, "ids": sorted(wanted)},
            )
        )
        missing = sorted(wanted - known)
        if missing:
            raise AirtableError(422, "INVALID_WEBHOOK_SPECIFICATION", f"Field {missing[0]} is not in {scope}")


def create_webhook(session: Session, *, principal: Principal, base_id: str, body: dict[str, Any]) -> dict[str, Any]:
    base_id = _base(session, principal, base_id)
    unknown = set(body) - {"notificationUrl", "specification"}
    if unknown:
        raise invalid_request(f"Invalid request: unknown key {sorted(unknown)[0]!r}", "INVALID_REQUEST_BODY")
    if "specification" not in body:
        raise invalid_request("Invalid request: specification is required", "INVALID_REQUEST_BODY")
    url = _notification_url(body.get("notificationUrl"))
    spec = normalize_specification(body["specification"])
    _check_scope(session, base_id, spec)
    # Serialise creations in one base, so the limit holds under concurrent requests.
    session.execute(text("SELECT id FROM bases WHERE id = :b FOR UPDATE"), {"b": base_id})
    count = session.scalar(select(func.count()).select_from(Webhook).where(Webhook.base_id == base_id)) or 0
    if count >= MAX_WEBHOOKS_PER_BASE:
        raise invalid_request(
            f"Invalid request: a base has at most {MAX_WEBHOOKS_PER_BASE} webhooks", "TOO_MANY_WEBHOOKS"
        )
    now = utcnow()
    secret = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
    hook = Webhook(
        id=new_id("ach"),
        base_id=base_id,
        created_by=principal.user_id,
        notification_url=url,
        specification=spec,
        mac_secret=secret,
        are_notifications_enabled=url is not None,
        is_hook_enabled=True,
        cursor_for_next_payload=1,
        notified_cursor=0,
        start_event_id=_log_end(session, base_id),
        expiration_time=now + LIFETIME,
        created_at=now,
    )
    session.add(hook)
    session.flush()
    return {"id": hook.id, "macSecretBase64": secret, "expirationTime": _time(hook.expiration_time)}


def _log_end(session: Session, base_id: str) -> int:
    """The last event ID of the base's shard of the change log: the webhook's payloads start after it."""
    shard = log_shard("", base_id)  # a base's events are in its own shard whatever its workspace
    return int(session.scalar(text("SELECT coalesce(max(id), 0) FROM change_events WHERE shard = :s"), {"s": shard}))


def list_webhooks(session: Session, *, principal: Principal, base_id: str) -> dict[str, Any]:
    base_id = _base(session, principal, base_id)
    feed.catch_up(session)  # so cursorForNextPayload counts every change committed so far
    now = utcnow()
    hooks = session.scalars(select(Webhook).where(Webhook.base_id == base_id).order_by(Webhook.created_at)).all()
    return {"webhooks": [webhook_out(h, now) for h in hooks]}


def get_webhook(session: Session, *, principal: Principal, base_id: str, webhook_id: str) -> dict[str, Any]:
    base_id = _base(session, principal, base_id)
    return webhook_out(_webhook(session, base_id, webhook_id), utcnow())


def enable_notifications(
    session: Session, *, principal: Principal, base_id: str, webhook_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    base_id = _base(session, principal, base_id)
    enable = body.get("enable")
    if not isinstance(enable, bool) or set(body) - {"enable"}:
        raise invalid_request("Invalid request: the body must be {\"enable\": true|false}", "INVALID_REQUEST_BODY")
    hook = _webhook(session, base_id, webhook_id, lock=True)
    if enable and hook.notification_url is None:
        raise invalid_request("Invalid request: this webhook has no notificationUrl", "INVALID_REQUEST_BODY")
    hook.are_notifications_enabled = enable
    session.flush()
    return {}


def refresh(session: Session, *, principal: Principal, base_id: str, webhook_id: str) -> dict[str, Any]:
    base_id = _base(session, principal, base_id)
    hook = _webhook(session, base_id, webhook_id, lock=True)
    hook.expiration_time = utcnow() + LIFETIME
    hook.is_hook_enabled = True
    session.flush()
    return {"expirationTime": _time(hook.expiration_time)}


def delete_webhook(session: Session, *, principal: Principal, base_id: str, webhook_id: str) -> dict[str, Any]:
    base_id = _base(session, principal, base_id)
    hook = _webhook(session, base_id, webhook_id, lock=True)
    session.delete(hook)
    session.flush()
    return {}


def _positive(value: str | None, name: str, default: int, high: int | None = None) -> int:
    if value is None:
        return default
    if not value.isdigit() or int(value) < 1 or (high is not None and int(value) > high):
        limit = f" from 1 to {high}" if high is not None else " of 1 or more"
        raise invalid_request(f"Invalid request: {name} must be a whole number{limit}", "INVALID_REQUEST_UNKNOWN")
    return int(value)


def list_payloads(
    session: Session, *, principal: Principal, base_id: str, webhook_id: str, cursor: str | None, limit: str | None
) -> dict[str, Any]:
    """Payloads from `cursor` (1 = the first), at most `limit` (1-50); `cursor` in the answer continues.
    Reading them also extends an active webhook's life by 7 days, as Airtable does."""
    base_id = _base(session, principal, base_id)
    start = _positive(cursor, "cursor", 1)
    count = _positive(limit, "limit", MAX_PAYLOADS_PAGE, MAX_PAYLOADS_PAGE)
    _webhook(session, base_id, webhook_id)  # 404 before the feeder pass takes its lock
    feed.catch_up(session)
    hook = _webhook(session, base_id, webhook_id, lock=True)
    now = utcnow()
    if hook.is_hook_enabled and hook.expiration_time is not None and hook.expiration_time > now:
        hook.expiration_time = now + LIFETIME
    rows = session.execute(
        select(WebhookPayload.cursor, WebhookPayload.payload)
        .where(WebhookPayload.webhook_id == hook.id, WebhookPayload.cursor >= start)
        .order_by(WebhookPayload.cursor)
        .limit(count + 1)
    ).all()
    page = rows[:count]
    next_cursor = page[-1][0] + 1 if page else min(start, hook.cursor_for_next_payload)
    session.flush()
    return {"cursor": next_cursor, "mightHaveMore": len(rows) > count, "payloads": [p for _, p in page]}
