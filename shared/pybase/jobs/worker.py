"""Runs one extraction job for an S3 object event (used only by the extract function: it imports the
extraction library, which pulls in ezdxf/pypdf when a file of that format is read).

Outcome per event:
- permanent problems (encrypted, corrupt, empty, too large, unknown format, object replaced) are
  recorded on the job as `failed` and the event is acknowledged: retrying cannot help;
- transient problems (S3 or the database unreachable, the job busy in another worker) raise
  `TransientError` so the message fails and SQS redelivers it (then the dead-letter queue);
- unexpected errors are retried up to jobs.MAX_ATTEMPTS deliveries, then recorded as failed.
"""

from __future__ import annotations

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
    if result.get("truncated"):
        summary["truncated"] = result["truncated"]
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
        )


def _fail(job_id: str, *, code: str, message: str, details: Any = None, retry: bool = False,
          timings: dict[str, Any] | None = None) -> str:  # fmt: skip
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


def process_event(event: ObjectEvent) -> str:
    """Run the job of one S3 object event; returns what happened (for logs and tests)."""
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
    timings: dict[str, Any] = {"attempt": claimed.attempt}
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
        data = storage.get_bytes(claimed.key, etag=claimed.etag)
        timings["download_ms"] = _ms(step)
        if len(data) > PROGRESS_BYTES:  # worth telling watchers that the slow part starts
            with session_scope() as session:
                jobs.set_progress(session, job_id=claimed.job_id, progress=30)
        step = time.perf_counter()
        result_model = extract(data, filename=claimed.filename, limits=Limits(max_bytes=max_bytes))
        result = result_model.to_dict()
        timings["extract_ms"] = _ms(step)
    except ExtractionError as exc:
        timings["total_ms"] = _ms(started)
        return _fail(claimed.job_id, code=exc.code, message=exc.message, details=exc.details, timings=timings)
    except storage.ObjectMissing as exc:
        timings["total_ms"] = _ms(started)
        return _fail(claimed.job_id, code="object_missing", message=str(exc), timings=timings)
    except storage.StorageError as exc:
        return _fail(claimed.job_id, code="storage_unavailable", message=str(exc), retry=True, timings=timings)
    except Exception as exc:
        logger.exception("extraction crashed", extra={"job_id": claimed.job_id})
        return _fail(claimed.job_id, code="internal_error", message=f"Extraction failed: {type(exc).__name__}: {exc}",
                     retry=True, timings=timings)  # fmt: skip

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
        return _fail(claimed.job_id, code="storage_unavailable", message=str(exc), retry=True, timings=timings)
    # The preview comes after `done`: the result can be mapped into records while it renders.
    try:
        _add_preview(claimed, data, fmt, store_ms=timings["store_ms"])
    except Exception:  # a missing preview never fails a finished job
        logger.exception("preview failed", extra={"job_id": claimed.job_id})
    logger.info("extraction job done", extra={"job_id": claimed.job_id, "timings": timings})
    return "done"


def _add_preview(claimed: _Claimed, data: bytes, fmt: str, *, store_ms: float) -> None:
    step = time.perf_counter()
    thumb, problem = _thumbnail(claimed, data, fmt)
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
