"""Runs one extraction job for an S3 object event (used only by the extract function: it imports the
extraction library, which pulls in ezdxf/pypdf when a file of that format is read).

Outcome per event:
- permanent problems (encrypted, corrupt, empty, too large, unknown format, object replaced) are
  recorded on the job as `failed` and the event is acknowledged: retrying cannot help;
- transient problems (S3 or the database unreachable, the job busy in another worker) raise
  `TransientError` so the message fails and SQS redelivers it (then the dead-letter queue);
- unexpected errors are retried up to jobs.MAX_ATTEMPTS deliveries, then recorded as failed;
- on the message's last delivery (ApproximateReceiveCount = maxReceiveCount) a transient problem fails
  the job instead: nothing would come back to finish it. What still reaches the dead-letter queue (a
  worker killed mid-file, the database down) is failed by the dead-letter consumer (`dead_letter_event`).
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import DBAPIError, OperationalError

from pybase import storage
from pybase.config import get_settings
from pybase.db import session_scope, utcnow
from pybase.errors import PyBaseError
from pybase.files.models import Attachment
from pybase.jobs import service as jobs
from pybase.logs import logger

# Files above this size report progress between download and extraction.
PROGRESS_BYTES = 1024 * 1024
# Peak RSS of an extraction grows linearly with the file (bench/extract_memory.py: about 17.5 MB per MB
# of DXF on top of the process); a file whose estimate exceeds the function's memory is refused before
# its download instead of killing the worker (which would only retry it until the dead-letter queue).
EXTRACT_BASE_MB = 160
EXTRACT_MB_PER_FILE_MB = 18
MEMORY_HEADROOM = 0.9
# Above this size a file is extracted alone: its memory is handed back before the next message runs,
# and no preview is drawn (a second parse of a drawing this large would double the time and memory).
LARGE_FILE_BYTES = 20 * 1024 * 1024
# SQLSTATE classes worth retrying: connection, transaction rollback, resources, operator intervention,
# system errors. Every other database error (data exceptions, limits) gives the same answer again.
TRANSIENT_SQLSTATE_CLASSES = ("08", "40", "53", "55", "57", "58")


class TransientError(Exception):
    """The event should be delivered again later."""


@dataclass(frozen=True)
class ObjectEvent:
    bucket: str
    key: str  # already URL-decoded
    etag: str
    size: int | None
    sequencer: str | None = None
    event_time: datetime | None = None
    event_name: str = "ObjectCreated:Put"


@dataclass(frozen=True)
class _Claimed:
    job_id: str
    attachment_id: str
    filename: str
    key: str
    etag: str
    size: int | None
    attempt: int
    version_id: str | None = None  # the S3 version recorded when the upload completed, if it is this ETag


def estimated_memory_mb(size: int) -> int:
    return int(EXTRACT_BASE_MB + EXTRACT_MB_PER_FILE_MB * size / (1024 * 1024))


def _memory_refusal(size: int | None) -> Any:
    """A FileTooLarge when the file would not fit in the function's memory, else None."""
    from pybase.extraction.errors import FileTooLarge

    memory = get_settings().extract_memory_mb
    if not size or not memory or estimated_memory_mb(size) <= memory * MEMORY_HEADROOM:
        return None
    needed = estimated_memory_mb(size)
    return FileTooLarge(
        f"The file is {size / (1024 * 1024):.1f} MB; extracting it needs about {needed} MB of memory and the "
        f"extract function has {memory} MB.",
        details={"size_bytes": size, "needed_mb": needed, "memory_mb": memory},
    )


def storage_problem(exc: BaseException) -> tuple[bool, str, str, dict[str, Any]]:
    """(transient, code, message, details) for a failure to store a result; never SQL or parameters."""
    if isinstance(exc, storage.StorageError):
        return True, "storage_unavailable", "The file store could not be reached; the job will be retried.", {}
    orig = getattr(exc, "orig", None)
    sqlstate = str(getattr(orig, "sqlstate", "") or "")
    details = {"sqlstate": sqlstate or None, "error": type(orig or exc).__name__}
    if not sqlstate or sqlstate[:2] in TRANSIENT_SQLSTATE_CLASSES:
        # No SQLSTATE: the connection broke before the server answered.
        return True, "storage_unavailable", "The database could not be reached; the job will be retried.", details
    if sqlstate[:2] == "22":
        message = "The extraction result holds data the database cannot store."
    elif sqlstate[:2] == "54":
        message = "The extraction result is too large to store."
    else:
        message = f"The extraction result could not be stored (database error {sqlstate})."
    return False, "result_unstorable", message, details


# Seconds of extraction per MB of DXF, generous (bench/extract_memory.py: 0.5 s/MB idle, about twice that
# on a loaded machine), plus a margin for download, storage and the preview.
EXTRACT_SECONDS_PER_MB = 1.2
EXTRACT_MARGIN_SECONDS = 30


@dataclass
class Invocation:
    """What one run of the extract function has done so far (a container runs one invocation at a time)."""

    large_done: bool = False
    ran: bool = False

    def note(self, events: list[ObjectEvent]) -> None:
        self.ran = True
        self.large_done = self.large_done or any((e.size or 0) > LARGE_FILE_BYTES for e in events)


def defer_reason(events: list[ObjectEvent], *, invocation: Invocation, remaining_ms: int | None) -> str | None:
    """Why a message should wait for another invocation: a large file runs alone (one in memory at a time)
    and only when the time left can finish it; otherwise a batch of large files would run past the
    timeout and every message of the batch would be delivered again."""
    size = max((e.size or 0 for e in events), default=0)
    if size <= LARGE_FILE_BYTES or not invocation.ran:
        return None  # the first message always runs: deferring it could go round forever
    if invocation.large_done:
        return "another large file ran in this invocation"
    needed = EXTRACT_SECONDS_PER_MB * size / (1024 * 1024) + EXTRACT_MARGIN_SECONDS
    if remaining_ms is not None and remaining_ms / 1000 < needed:
        return f"{remaining_ms / 1000:.0f} s left, about {needed:.0f} s needed"
    return None


def forward_queue(events: list[ObjectEvent], *, from_queue_arn: str | None) -> str | None:
    """The queue of the extract function's container image when this function lacks a library that every
    file of the message needs (IFC: ifcopenshell does not fit a zip function); None to extract here."""
    from pybase.extraction.extractors import spec_for_filename

    target = get_settings().extract_image_queue_name
    if not target or not events or (from_queue_arn or "").rsplit(":", 1)[-1] == target:
        return None  # nowhere to send it, or already there: extract here (and fail clearly if need be)
    specs = [spec_for_filename(e.key) for e in events]
    if all(spec is not None and spec.missing() for spec in specs):
        return target
    return None


def requeue(body: str, queue_arn: str) -> None:
    """Send the message again as a new one (its receive count starts over: a deferral is not a failed
    delivery); the caller acknowledges the original. A duplicate event is harmless (one job per version)."""
    name = queue_arn.rsplit(":", 1)[-1]
    try:
        storage.sqs().send_message(QueueUrl=storage.queue_url(name), MessageBody=body)
    except Exception as exc:  # the original then fails and comes back the usual way
        raise TransientError(f"requeue failed: {type(exc).__name__}") from exc


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 1)


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    tables = result.get("tables") or []
    summary: dict[str, Any] = {
        "format": result.get("format"),
        "texts": len(result.get("texts") or []),
        "dimensions": len(result.get("dimensions") or []),
        "tables": len(tables),
        "bom_rows": sum(len(t.get("rows") or []) for t in tables if t.get("kind") == "bom"),
        "title_block": bool((result.get("title_block") or {}).get("fields")),
        "warnings": len(result.get("warnings") or []),
    }
    if result.get("format") == "dxf":
        summary.update(
            layers=len(result.get("layers") or []),
            blocks=len(result.get("blocks") or []),
            inserts=len(result.get("inserts") or []),
            entities=sum((result.get("entity_counts") or {}).values()),
            units=result.get("units"),
        )
    if result.get("format") == "pdf":
        summary.update(pages=result.get("page_count"), form_fields=len(result.get("form_fields") or []))
        if result.get("text_layer", "full") != "full":
            # An empty result from a scan is not a success with nothing in it: say why it is empty.
            summary.update(text_layer=result["text_layer"], scanned=bool(result.get("scanned")))
    if result.get("format") == "step":
        summary.update(protocol=result.get("protocol"), parts=len(result.get("parts") or []),
                       solids=result.get("solids"))  # fmt: skip
    if result.get("format") == "ifc":
        summary.update(schema=result.get("schema_name"), elements=len(result.get("elements") or []),
                       storeys=len(result.get("storeys") or []))  # fmt: skip
    if result.get("truncated"):
        summary["truncated"] = result["truncated"]
    if result.get("replaced_chars"):
        summary["replaced_chars"] = result["replaced_chars"]  # text that could not be stored as it was
    return summary


def _claim(event: ObjectEvent) -> _Claimed | str:
    """Ingest the event and claim its job; a string says why there is nothing to run."""
    with session_scope() as session:
        job = jobs.ingest_object_event(
            session, bucket=event.bucket, key=event.key, etag=event.etag, size=event.size, sequencer=event.sequencer
        )
        if job is None:
            return "ignored"
        newer = jobs.superseded_by(session, job)
        if newer is not None and job.status == "queued":
            jobs.claim(session, job_id=job.id)
            jobs.fail(session, job_id=job.id, code="superseded",
                      message="A newer version of this file was uploaded; this version was not extracted.",
                      details={"newer_job_id": newer})  # fmt: skip
            return "superseded"
        claimed = jobs.claim(session, job_id=job.id)
        if claimed is None:
            return "duplicate"
        attachment = session.get(Attachment, claimed.attachment_id)
        return _Claimed(
            job_id=claimed.id,
            attachment_id=claimed.attachment_id,
            filename=attachment.filename if attachment else claimed.key.rsplit("/", 1)[-1],
            key=claimed.key,
            etag=claimed.etag,
            size=claimed.size,
            attempt=claimed.attempts,
            version_id=attachment.version_id if attachment and attachment.etag == claimed.etag else None,
        )


def _fail(job_id: str, *, code: str, message: str, details: Any = None, retry: bool = False,
          timings: dict[str, Any] | None = None, last: bool = False) -> str:  # fmt: skip
    if retry and last:
        retry = False
        message = f"{message.removesuffix('; the job will be retried.')} (last of the file's deliveries; not retried)"
    with session_scope() as session:
        job = jobs.fail(session, job_id=job_id, code=code, message=message, details=details, retry=retry,
                        timings=timings)  # fmt: skip
        status = job.status
    logger.info("extraction job failed", extra={"job_id": job_id, "code": code, "status": status})
    if status == "queued":
        raise TransientError(f"{code}: {message}")
    return "failed"


def _thumbnail(claimed: _Claimed, data: bytes, fmt: str) -> tuple[dict[str, Any] | None, str | None]:
    from pybase.extraction.errors import ExtractionError
    from pybase.extraction.thumbnails import make_thumbnail

    try:
        thumb = make_thumbnail(data, format=fmt, max_px=800)
    except ExtractionError as exc:
        return None, f"No preview: {exc.message}"
    except Exception as exc:  # a preview is a nicety: never fail the job for it
        logger.exception("thumbnail failed", extra={"job_id": claimed.job_id})
        return None, f"No preview: {type(exc).__name__}"
    key = f"{claimed.key.rsplit('/', 1)[0]}/thumbnails/preview{thumb.extension}"
    storage.put_bytes(key, thumb.data, content_type=thumb.content_type)
    return {"key": key, "type": thumb.content_type, "width": thumb.width, "height": thumb.height}, None


def process_event(event: ObjectEvent, *, receive_count: int = 1) -> str:
    """Run the job of one S3 object event; returns what happened (for logs and tests).

    `receive_count` is the message's ApproximateReceiveCount: on the last one, nothing is left to retry.
    """
    from pybase.extraction import extract
    from pybase.extraction.errors import ExtractionError
    from pybase.extraction.results import Limits

    if event.bucket != storage.bucket():
        logger.warning("event for another bucket ignored", extra={"bucket": event.bucket})
        return "ignored"
    started = time.perf_counter()
    try:
        claimed = _claim(event)
    except jobs.JobBusy as exc:
        raise TransientError(f"job {exc} is running in another worker") from None
    except storage.ObjectMissing:
        return "missing"  # deleted before we looked: nothing to extract
    except PyBaseError as exc:  # a refusal, not an outage: retrying gives the same answer
        logger.warning("event refused", extra={"key": event.key, "error": exc.message})
        return "refused"
    except (storage.StorageError, OperationalError, DBAPIError) as exc:
        raise TransientError(str(exc)) from exc
    if isinstance(claimed, str):
        logger.info("nothing to run", extra={"key": event.key, "outcome": claimed})
        return claimed
    last = receive_count >= get_settings().extract_max_receives
    timings: dict[str, Any] = {"attempt": claimed.attempt, "receive": receive_count}
    if event.event_time is not None:
        timings["queued_ms"] = round((utcnow() - event.event_time).total_seconds() * 1000, 1)
    max_bytes = get_settings().max_upload_bytes
    try:
        step = time.perf_counter()
        if claimed.size is not None and claimed.size > max_bytes:
            from pybase.extraction.errors import FileTooLarge

            raise FileTooLarge(
                f"The file is {claimed.size} bytes; the extraction limit is {max_bytes} bytes.",
                details={"size_bytes": claimed.size, "max_bytes": max_bytes},
            )
        refusal = _memory_refusal(claimed.size)
        if refusal is not None:
            raise refusal
        data = storage.get_bytes(claimed.key, etag=claimed.etag, version_id=claimed.version_id)
        timings["download_ms"] = _ms(step)
        if len(data) > PROGRESS_BYTES:  # worth telling watchers that the slow part starts
            with session_scope() as session:
                jobs.set_progress(session, job_id=claimed.job_id, progress=30)
        step = time.perf_counter()
        result_model = extract(data, filename=claimed.filename, limits=Limits(max_bytes=max_bytes))
        result = result_model.to_dict()
        del result_model  # the dict is what is kept: no second copy of a large result
        timings["extract_ms"] = _ms(step)
    except ExtractionError as exc:
        timings["total_ms"] = _ms(started)
        return _fail(claimed.job_id, code=exc.code, message=exc.message, details=exc.details, timings=timings)
    except storage.ObjectMissing as exc:
        timings["total_ms"] = _ms(started)
        return _fail(claimed.job_id, code="object_missing", message=str(exc), timings=timings)
    except storage.StorageError as exc:
        return _fail(claimed.job_id, code="storage_unavailable", message=str(exc), retry=True, timings=timings,
                     last=last)  # fmt: skip
    except Exception as exc:
        logger.exception("extraction crashed", extra={"job_id": claimed.job_id})
        return _fail(claimed.job_id, code="internal_error", message=f"Extraction failed: {type(exc).__name__}: {exc}",
                     retry=True, timings=timings, last=last)  # fmt: skip

    fmt = str(result.get("format"))
    warnings = list(result.get("warnings") or [])
    try:
        step = time.perf_counter()
        with session_scope() as session:
            timings["total_ms"] = _ms(started)
            jobs.finish(session, job_id=claimed.job_id, format=fmt, result=result, summary=_summary(result),
                        timings=timings, warnings=warnings)  # fmt: skip
        timings["store_ms"] = _ms(step)
    except (storage.StorageError, OperationalError, DBAPIError) as exc:
        transient, code, message, details = storage_problem(exc)
        logger.warning("result not stored", extra={"job_id": claimed.job_id, "code": code, **details})
        return _fail(claimed.job_id, code=code, message=message, details=details, retry=transient,
                     timings=timings, last=last)  # fmt: skip
    # The preview comes after `done`: the result can be mapped into records while it renders.
    refusal = preview_refusal(result, len(data))
    size = len(data)
    del result
    try:
        _add_preview(claimed, data, fmt, store_ms=timings["store_ms"], refusal=refusal)
    except Exception:  # a missing preview never fails a finished job
        logger.exception("preview failed", extra={"job_id": claimed.job_id})
    if size > LARGE_FILE_BYTES:
        # One large file at a time: hand its memory back before the batch's next message.
        del data
        gc.collect()
    logger.info("extraction job done", extra={"job_id": claimed.job_id, "timings": timings})
    return "done"


def preview_refusal(result: dict[str, Any], size: int) -> str | None:
    """Why no preview will be drawn, decided from the extraction's own counts so that a drawing over the
    limits is never parsed a second time only to be refused."""
    from pybase.extraction.thumbnails import PREVIEW_LIMITS

    if result.get("format") != "dxf":
        return None  # a PDF preview renders the first page only, whatever the file's size
    if size > PREVIEW_LIMITS.max_file_bytes:
        return (f"No preview: the file is {size / (1024 * 1024):.1f} MB; previews are drawn for files up to "
                f"{PREVIEW_LIMITS.max_file_bytes // (1024 * 1024)} MB.")  # fmt: skip
    per_layout = result.get("expanded_entities") or {}
    # The renderer draws model space, or the first layout with something in it.
    expanded = per_layout.get("Model") or next((n for n in per_layout.values() if n), None)
    if expanded is not None and expanded > PREVIEW_LIMITS.max_entities:
        return (f"No preview: the drawing has {expanded} entities once blocks are expanded; previews are drawn "
                f"up to {PREVIEW_LIMITS.max_entities}.")  # fmt: skip
    return None


def _add_preview(claimed: _Claimed, data: bytes, fmt: str, *, store_ms: float, refusal: str | None = None) -> None:
    step = time.perf_counter()
    thumb, problem = (None, refusal) if refusal else _thumbnail(claimed, data, fmt)
    notes = [problem] if problem else []
    with session_scope() as session:
        if thumb is not None:
            attachment = session.get(Attachment, claimed.attachment_id, with_for_update=True)
            if attachment is not None:
                attachment.thumbnails = [thumb]
                if attachment.status == "uploaded":
                    _refresh_record(session, attachment, notes)
        jobs.annotate(session, job_id=claimed.job_id, timings={"store_ms": store_ms, "thumbnail_ms": _ms(step)},
                      warnings=notes, thumbnail=thumb is not None)  # fmt: skip


def _refresh_record(session: Any, attachment: Attachment, warnings: list[str]) -> None:
    """Show the preview on the record; a record that is gone or no longer writable only warns."""
    from pybase.errors import PyBaseError
    from pybase.files import service as files

    try:
        with session.begin_nested():
            files.refresh_on_record(session, attachment)
    except PyBaseError as exc:
        warnings.append(f"The record was not updated with the preview: {exc.message}")


def object_events(body: str) -> list[ObjectEvent]:
    """The ObjectCreated records of one S3 notification (S3's test event and others have none).

    The body is read with Powertools' S3 notification model; a body that is not one (S3's
    s3:TestEvent when notifications are set up, anything else sent to the queue) gives no events and
    is acknowledged: delivering it again could not make it one.
    """
    from urllib.parse import unquote_plus

    from aws_lambda_powertools.utilities.parser.models import S3Model
    from pydantic import ValidationError

    try:
        notification = S3Model.model_validate_json(body)
    # The model's own pre-check of a record reads `s3` and `eventName` without testing them first: a
    # record lacking them raises AttributeError/TypeError rather than a ValidationError.
    except (ValidationError, AttributeError, TypeError) as exc:
        if '"s3:TestEvent"' not in body:
            logger.warning("message is not an S3 event notification; ignored", extra={"error": type(exc).__name__})
        return []
    events = []
    for record in notification.Records:
        obj = record.s3.object
        if not record.eventName.startswith("ObjectCreated") or obj is None:
            continue
        events.append(
            ObjectEvent(
                bucket=record.s3.bucket.name,
                # Keys arrive URL-encoded ("dir%2Fmy+file.dxf"); LocalStack writes a space as %20.
                key=unquote_plus(obj.key),
                etag=(obj.eTag or "").strip('"'),
                size=None if obj.size is None else int(obj.size),
                sequencer=obj.sequencer,
                event_time=record.eventTime,
                event_name=record.eventName,
            )
        )
    return events


def dead_letter_event(event: ObjectEvent, *, receive_count: int | None = None) -> str:
    """An event whose message reached the dead-letter queue: its job ends `failed` (created first when
    no delivery got as far). JobBusy and outages raise TransientError: the message stays in the
    dead-letter queue and comes back."""
    if event.bucket != storage.bucket():
        return "ignored"
    try:
        with session_scope() as session:
            job = jobs.ingest_object_event(
                session, bucket=event.bucket, key=event.key, etag=event.etag, size=event.size,
                sequencer=event.sequencer,
            )  # fmt: skip
            if job is None:
                return "ignored"
            before = job.status
            job = jobs.dead_letter(session, job_id=job.id, receive_count=receive_count)
            outcome = "failed" if before not in ("done", "failed") else before
    except jobs.JobBusy as exc:
        raise TransientError(f"job {exc} is still running") from None
    except storage.ObjectMissing:
        return "missing"
    except PyBaseError as exc:
        logger.warning("dead letter refused", extra={"key": event.key, "error": exc.message})
        return "refused"
    except (storage.StorageError, OperationalError, DBAPIError) as exc:
        raise TransientError(type(exc).__name__) from exc
    logger.info("dead-lettered event handled", extra={"key": event.key, "outcome": outcome})
    return outcome
