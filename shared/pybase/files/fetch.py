"""Attachments given by URL: an ID at once, the file fetched into S3 afterwards (attachfetch function).

A cell write naming a file by URL gives it an `att…` ID and status "pending" (the attachment field
type); `register_url_attachments` adds its attachment row in the same transaction and asks for the
fetch on the fetch queue once that transaction commits, before the write is answered. `fetch` (the
function's work) GETs the URL through pybase.netguard (public addresses only, at most the upload
limit, a time limit), checks the type as an upload's, then stores the file and completes it exactly
like an upload: on the record, with previews and extraction. A refusal leaves the attachment and its
cell entry "failed" with the reason. No HTTP here.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pybase import netguard, storage
from pybase.access.roles import Principal
from pybase.config import get_settings
from pybase.db import after_commit, session_scope, utcnow
from pybase.errors import PyBaseError
from pybase.fields.types.base import WrittenCell
from pybase.files import service
from pybase.files.models import Attachment
from pybase.logs import logger

# Enough for a 100 MB file from a reasonable server; well inside the function's timeout.
FETCH_SECONDS = 60.0
DEFAULT_QUEUE = "pybase-attachfetch"
# A fetch asked for longer ago than this and still pending was never sent (or its message was lost).
SWEEP_AFTER = timedelta(minutes=5)
SWEEP_LIMIT = 100


def queue_name() -> str:
    return get_settings().attachment_fetch_queue or DEFAULT_QUEUE


# --- asking for fetches (the write path) ---------------------------------------------------------


def register_url_attachments(session: Session, *, field_id: str, written: WrittenCell) -> None:
    """Attachment rows for the URL entries this write gave IDs to, and their fetch once it commits."""
    items = written.value if isinstance(written.value, list) else []
    asked: list[dict[str, str]] = []
    for item in items:
        if not isinstance(item, dict) or item.get("id") not in written.noted or item.get("status") != "pending":
            continue
        if session.get(Attachment, item["id"]) is not None:
            continue
        filename = str(item.get("filename") or "file")
        kind = service.file_kind(filename)
        service.new_attachment(
            session, workspace_id=written.workspace_id, base_id=written.base_id, table_id=written.table_id,
            record_id=written.record_id, field_id=field_id, filename=filename,
            content_type=kind.content_type if kind else "application/octet-stream",
            declared_size=0, created_by=written.actor_id, attachment_id=item["id"],
        )  # fmt: skip
        asked.append({"attachment_id": item["id"], "url": str(item["url"])})
    if asked:
        after_commit(session, lambda: request_fetches(asked))


def _send_sqs(messages: list[dict[str, str]]) -> None:
    client = storage.sqs()
    url = storage.queue_url(queue_name())
    for start in range(0, len(messages), 10):
        chunk = messages[start : start + 10]
        answer = client.send_message_batch(
            QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": json.dumps(m)} for i, m in enumerate(chunk)]
        )
        if answer.get("Failed"):
            raise RuntimeError(f"SQS refused {len(answer['Failed'])} attachment fetch(es)")


def _fetch_now(messages: list[dict[str, str]]) -> None:
    # No queue (tests and tools without LocalStack): fetch before the write is answered.
    for message in messages:
        fetch(message)


# How fetch requests leave a write: through the fetch queue on Lambda or wherever one is configured,
# else at once (a local run without the attachfetch function: nothing would ever read the queue).
SENDERS: dict[str, Callable[[list[dict[str, str]]], None]] = {"sqs": _send_sqs, "inline": _fetch_now}


def _sender() -> Callable[[list[dict[str, str]]], None]:
    settings = get_settings()
    return SENDERS["sqs" if settings.on_lambda or settings.attachment_fetch_queue else "inline"]


def request_fetches(messages: list[dict[str, str]]) -> None:
    """Send fetch requests after the commit; one not sent stays pending and the sweep sends it again."""
    try:
        _sender()(messages)
    except Exception:
        logger.exception("attachment fetch not queued; the sweep will queue it", extra={"count": len(messages)})


def sweep(*, older_than: timedelta = SWEEP_AFTER) -> int:
    """Queue again the fetches still pending after `older_than` (a send that failed after the commit)."""
    with session_scope() as session:
        rows = session.scalars(
            select(Attachment)
            .where(Attachment.status == "pending", Attachment.created_at < utcnow() - older_than,
                   Attachment.declared_size == 0)
            .limit(SWEEP_LIMIT)
        ).all()  # fmt: skip
        messages = [{"attachment_id": a.id, "url": url} for a in rows if (url := _cell_url(session, a))]
    if messages:
        _send_sqs(messages)
    return len(messages)


def _cell_url(session: Session, attachment: Attachment) -> str | None:
    entry = _cell_entry(session, attachment)
    url = entry.get("url") if entry and entry.get("status") == "pending" else None
    return url if isinstance(url, str) else None


def _cell_entry(session: Session, attachment: Attachment) -> dict[str, Any] | None:
    from pybase.records.models import Record

    data = session.scalar(
        select(Record.data).where(Record.table_id == attachment.table_id, Record.id == attachment.record_id)
    )
    items = (data or {}).get(attachment.field_id) if isinstance(data, dict) else None
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("id") == attachment.id:
            return item
    return None


# --- fetching (the attachfetch function) --------------------------------------------------------


class Refused(Exception):
    """The URL gives no acceptable file: the attachment fails for good with this reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Fetched:
    data: bytes
    filename: str
    kind: service.FileKind


def _download(url: str, filename: str) -> Fetched:
    max_bytes = get_settings().max_upload_bytes
    try:
        answer = netguard.request("GET", url, max_bytes=max_bytes, timeout=FETCH_SECONDS)
    except netguard.BlockedURL as exc:
        raise Refused(exc.reason, exc.message) from None
    except netguard.FetchFailed as exc:
        if exc.reason == "too_large":
            raise Refused("too_large", f"The file is larger than the upload limit of {max_bytes} bytes.") from None
        raise Refused(exc.reason, exc.message) from None
    if not 200 <= answer.status < 300:
        raise Refused("http_status", f"The URL answered HTTP {answer.status}.")
    if not answer.body:
        raise Refused("empty", "The URL gave an empty file.")
    kind = service.file_kind(filename)
    if kind is None:
        # A name without a known extension ("download?id=3"): the type the server gives names the kind.
        guessed = mimetypes.guess_extension(answer.content_type) if answer.content_type else None
        kind = service.file_kind("f" + guessed) if guessed else None
        if kind is None:
            kind = next((k for k in service.FILE_KINDS.values() if answer.content_type == k.content_type), None)
        if kind is None:
            raise Refused("unsupported_type", f"Files of type {answer.content_type or 'unknown'!r} are not accepted.")
        filename = f"{filename}{kind.extension}"
    elif not kind.accepts(answer.content_type):
        raise Refused(
            "unsupported_type", f"A {kind.extension} file cannot have the content type {answer.content_type!r}."
        )
    return Fetched(answer.body, filename, kind)


def fetch(message: dict[str, Any]) -> str:
    """Fetch one attachment given by URL; what happened (for logs and tests). Storage and database
    outages raise (the message comes back); refusals are recorded on the attachment."""
    attachment_id = str(message.get("attachment_id") or "")
    url = message.get("url")
    with session_scope() as session:
        attachment = session.get(Attachment, attachment_id)
        if attachment is None or not isinstance(url, str):
            return "unknown"
        if attachment.status != "pending":
            return "done"  # a second delivery of the message
        filename = attachment.filename
    try:
        fetched = _download(url, filename)
    except Refused as exc:
        _fail(attachment_id, exc)
        return "failed"
    with session_scope() as session:
        attachment = session.get(Attachment, attachment_id, with_for_update=True)
        if attachment is None or attachment.status != "pending":
            return "done"
        if fetched.filename != attachment.filename:
            attachment.filename = fetched.filename[:255]
            attachment.key = service.object_key(
                base_id=attachment.base_id, table_id=attachment.table_id, attachment_id=attachment.id,
                filename=attachment.filename,
            )  # fmt: skip
        attachment.content_type = fetched.kind.content_type
        attachment.declared_size = len(fetched.data)
        session.flush()
        actor = Principal(user_id=attachment.created_by or "")
        try:
            with session.begin_nested():
                service.store_and_complete(session, attachment=attachment, data=fetched.data, actor=actor)
        except PyBaseError as exc:
            # The record is gone or no longer writable by whoever gave the URL: the file stays failed.
            attachment.status = "failed"
            attachment.error = f"Not added to the record: {exc.message}"[:2000]
            session.flush()
            return "failed"
    return "uploaded"


def _fail(attachment_id: str, problem: Refused) -> None:
    with session_scope() as session:
        attachment = session.get(Attachment, attachment_id, with_for_update=True)
        if attachment is None or attachment.status != "pending":
            return
        attachment.status = "failed"
        attachment.error = problem.message[:2000]
        session.flush()
        entry = _cell_entry(session, attachment)
        if entry is not None:
            failed = {**entry, "status": "failed", "error": problem.message[:300]}
            try:
                with session.begin_nested():
                    service.set_on_record(session, attachment, failed)
            except PyBaseError as exc:
                logger.info("failed attachment not shown on its record", extra={"error": exc.message})
        service.emit_event(session, attachment, type="attachment.failed", error=problem.message[:300],
                           code=problem.code)  # fmt: skip
    logger.info("attachment fetch failed", extra={"attachment_id": attachment_id, "code": problem.code})
