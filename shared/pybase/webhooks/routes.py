"""Routes of Airtable's webhooks API, `/v0/bases/{baseId}/webhooks` (served by the airtable function,
before its `/v0/{baseId}/{table}` routes, which would otherwise read `bases` as a base ID)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.orm import Session

from pybase.access.roles import Principal
from pybase.airtable.routes import _json_body, limited, no_nul
from pybase.apidocs_airtable import (
    AIRTABLE_COMMON,
    AirtableExpiration,
    AirtablePayloads,
    AirtableWebhookCreated,
    AirtableWebhooks,
    Empty,
    airtable_answer,
    airtable_errors,
)
from pybase.db import get_session
from pybase.webhooks import service

router = APIRouter(
    prefix="/v0/bases/{base_id}/webhooks",
    tags=["airtable webhooks"],
    dependencies=[Depends(no_nul)],
    responses=airtable_errors(*AIRTABLE_COMMON),
)

BaseRef = Annotated[str, Path(description="ID of the base (`app…`).")]
WebhookId = Annotated[str, Path(description="ID of the webhook (`ach…`), as its creation answered.")]


@router.post("", **airtable_answer(AirtableWebhookCreated, "The webhook's ID and MAC secret."))
async def create_webhook(
    base_id: BaseRef,
    request: Request,
    principal: Principal = Depends(limited),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Create a webhook: `{"notificationUrl", "specification": {"options": {"filters", "includes"}}}`.
    The answer holds `macSecretBase64`, shown this once."""
    body = await _json_body(request)
    return service.create_webhook(session, principal=principal, base_id=base_id, body=body)


@router.get("", **airtable_answer(AirtableWebhooks, "The base's webhooks."))
def list_webhooks(
    base_id: BaseRef, principal: Principal = Depends(limited), session: Session = Depends(get_session)
) -> dict[str, Any]:
    """The base's webhooks (without their MAC secrets)."""
    return service.list_webhooks(session, principal=principal, base_id=base_id)


@router.post("/{webhook_id}/enableNotifications", **airtable_answer(Empty, "Done: `{}`."))
async def enable_notifications(
    base_id: BaseRef,
    webhook_id: WebhookId,
    request: Request,
    principal: Principal = Depends(limited),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Turn notifications on or off: `{"enable": true|false}`. Payloads are recorded either way."""
    body = await _json_body(request)
    return service.enable_notifications(
        session, principal=principal, base_id=base_id, webhook_id=webhook_id, body=body
    )


@router.post("/{webhook_id}/refresh", **airtable_answer(AirtableExpiration, "The new expiration time."))
def refresh_webhook(
    base_id: BaseRef,
    webhook_id: WebhookId,
    principal: Principal = Depends(limited),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Extend the webhook's life to 7 days from now."""
    return service.refresh(session, principal=principal, base_id=base_id, webhook_id=webhook_id)


@router.delete("/{webhook_id}", **airtable_answer(Empty, "Deleted: `{}`."))
def delete_webhook(
    base_id: BaseRef,
    webhook_id: WebhookId,
    principal: Principal = Depends(limited),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Delete the webhook and its payloads."""
    return service.delete_webhook(session, principal=principal, base_id=base_id, webhook_id=webhook_id)


@router.get("/{webhook_id}/payloads", **airtable_answer(AirtablePayloads, "A page of payloads."))
def list_payloads(
    base_id: BaseRef,
    webhook_id: WebhookId,
    cursor: str | None = Query(None, description="The first payload number to return (default 1)."),
    limit: str | None = Query(None, description="Payloads per page, 1 to 50 (default 50)."),
    principal: Principal = Depends(limited),
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Payloads from `cursor` (default 1), at most `limit` (1-50, default 50); the answer's `cursor`
    continues and `mightHaveMore` says whether to. Also extends the webhook's life by 7 days."""
    return service.list_payloads(
        session, principal=principal, base_id=base_id, webhook_id=webhook_id, cursor=cursor, limit=limit
    )
