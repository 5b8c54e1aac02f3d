"""Extraction jobs: the idempotent state machine, reads, and mapping results into records. No HTTP here,
and no CAD/PDF library either (the extract function's worker module runs the extractors).

State machine (forward only): queued -> running -> done | failed. `running` may go back to `queued`
only when a transient error will be retried. One job per object version (bucket, key, ETag): S3's
duplicate notifications find the existing row and change nothing.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from pybase import storage
from pybase.access.roles import Principal
from pybase.access.service import require_table, visible_role
from pybase.config import get_settings
from pybase.db import utcnow
from pybase.errors import Conflict, NotFound, PyBaseError, ValidationFailed
from pybase.events.service import emit
from pybase.files.models import Attachment
from pybase.ids import looks_like_id
from pybase.jobs import mapping as sources
from pybase.jobs.models import ExtractionJob, JobMapping
from pybase.jobs.schemas import (
    JobError,
    JobList,
    JobOut,
    MappingOut,
    MappingRequest,
    SuggestedColumn,
    SuggestedMapping,
)

READ_ROLE = "viewer"
MAX_PAGE = 100
# Results above this size go to S3 (the row keeps the key); smaller ones stay in the JSONB column.
INLINE_RESULT_BYTES = 512 * 1024
# A job `running` for longer than its lease is taken over by the next delivery (its worker died). The
# lease outlives the function's timeout (a live worker is never robbed) and must end before the queue's
# visibility timeout, or a redelivered message would find the job still leased, fail as busy and burn
# its receives until the dead-letter queue. RUNNING_LEASE is the lease with the default settings.
LEASE_MARGIN_SECONDS = 10
RUNNING_LEASE = timedelta(seconds=300 + LEASE_MARGIN_SECONDS)
# Unexpected errors are retried this many times (SQS redelivers), then the job fails for good.
MAX_ATTEMPTS = 3


class JobBusy(Exception):
    """Another worker holds the job right now: the message should come back later (transient)."""


def running_lease(settings: Any = None) -> timedelta:
    settings = settings or get_settings()
    return timedelta(seconds=settings.extract_timeout + LEASE_MARGIN_SECONDS)


def check_extract_settings(settings: Any = None) -> None:
    """Refuse to start with a lease that the queue's visibility timeout would cut short (checked when the
    extract functions load)."""
    settings = settings or get_settings()
    lease = running_lease(settings).total_seconds()
    if lease >= settings.extract_visibility_timeout:
        raise RuntimeError(
            f"PYBASE_EXTRACT_VISIBILITY_TIMEOUT ({settings.extract_visibility_timeout} s) must exceed the job lease "
            f"({lease:.0f} s = the extract timeout {settings.extract_timeout} s + {LEASE_MARGIN_SECONDS} s)"
        )
    if settings.extract_max_receives < 1:
        raise RuntimeError("PYBASE_EXTRACT_MAX_RECEIVES must be at least 1")


# --- creation (idempotent) --------------------------------------------------------------------


def _emit(session: Session, job: ExtractionJob, *, actor_id: str | None = None, **extra: Any) -> None:
    emit(
        session,
        type="job.updated",
        workspace_id=job.workspace_id,
        base_id=job.base_id,
        table_id=job.table_id,
        actor_id=actor_id,
        payload={"job_id": job.id, "attachment_id": job.attachment_id, "status": job.status,
                 "progress": job.progress, **extra},
    )  # fmt: skip


def ensure_job(
    session: Session,
    *,
    attachment: Attachment,
    etag: str,
    size: int | None,
    sequencer: str | None = None,
    actor_id: str | None = None,
) -> ExtractionJob:
    """The job of this object version, created (queued) if it does not exist yet.

    INSERT ... ON CONFLICT DO NOTHING on (bucket, key, etag), so concurrent duplicate events cannot
    both create one; then the row is read with a lock.
    """
    from pybase.ids import new_id

    now = utcnow()
    inserted = session.execute(
        pg_insert(ExtractionJob)
        .values(
            id=new_id("job"),
            attachment_id=attachment.id,
            workspace_id=attachment.workspace_id,
            base_id=attachment.base_id,
            table_id=attachment.table_id,
            bucket=attachment.bucket,
            key=attachment.key,
            etag=etag,
            sequencer=sequencer,
            status="queued",
            progress=0,
            attempts=0,
            size=size,
            summary={},
            timings={},
            warnings=[],
            created_by=attachment.created_by,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(constraint="uq_extraction_jobs_object_version")
        .returning(ExtractionJob.id)
    ).scalar_one_or_none()
    job = session.scalar(
        select(ExtractionJob)
        .where(ExtractionJob.bucket == attachment.bucket, ExtractionJob.key == attachment.key,
               ExtractionJob.etag == etag)
        .with_for_update()
        .execution_options(populate_existing=True)
    )  # fmt: skip
    assert job is not None
    if inserted is not None:
        _emit(session, job, actor_id=actor_id)
    elif sequencer and not job.sequencer:
        job.sequencer = sequencer
    return job


def ingest_object_event(
    session: Session, *, bucket: str, key: str, etag: str, size: int | None, sequencer: str | None
) -> ExtractionJob | None:
    """An S3 ObjectCreated notification: mark the attachment uploaded (if `complete` was not called)
    and return its job. None for objects that are not uploads (nothing to do)."""
    from pybase.files import service as files

    if files.parse_object_key(key) is None:
        return None
    attachment = session.scalar(
        select(Attachment).where(Attachment.bucket == bucket, Attachment.key == key).with_for_update()
    )
    if attachment is None:
        return None
    if attachment.status == "pending":
        info = storage.head(key)
        if info.etag == etag and files.too_large(info):
            # The job below fails on the size too, so the uploader sees why in the job's error.
            files.reject(session, attachment=attachment, message=f"The file is {info.size} bytes, above the limit.")
        elif info.etag == etag:
            _mark_uploaded_or_note(session, attachment, info)
    kind = files.file_kind(key)
    if kind is None or kind.extract is None:
        return None
    job = ensure_job(session, attachment=attachment, etag=etag, size=size, sequencer=sequencer)
    replaced = attachment.status == "uploaded" and attachment.etag and etag != attachment.etag
    if replaced and job.status == "queued" and _is_current(key, etag):
        # A PUT to a still-valid upload URL after the upload completed: the attachment is the file
        # checked then, so this newer object is never extracted (a stale older version's job fails
        # on its own when the worker reads it with its ETag).
        claim(session, job_id=job.id)
        fail(session, job_id=job.id, code="replaced_after_upload",
             message="The file was replaced after its upload completed; this version was not extracted.",
             details={"uploaded_etag": attachment.etag})  # fmt: skip
    return job


def _is_current(key: str, etag: str) -> bool:
    try:
        return storage.head(key).etag == etag
    except storage.ObjectMissing:
        return False


def _mark_uploaded_or_note(session: Session, attachment: Attachment, info: storage.ObjectInfo) -> None:
    """The event path has nobody to answer: when the record can no longer take the file (deleted, the
    field gone, the uploader's access revoked), the file still counts as uploaded and is extracted, and
    the attachment keeps the reason."""
    from pybase.files import service as files

    try:
        with session.begin_nested():
            files.mark_uploaded(
                session, attachment=attachment, info=info, actor=Principal(user_id=attachment.created_by or "")
            )
    except PyBaseError as exc:
        attachment.status = "uploaded"
        attachment.size = info.size
        attachment.etag = info.etag
        attachment.version_id = info.version_id
        attachment.uploaded_at = utcnow()
        attachment.error = f"Not added to the record: {exc.message}"[:2000]
        session.flush()


def _sequencer_value(sequencer: str | None) -> int:
    # S3 sequencers are hex strings of varying length: compare them as numbers.
    try:
        return int(sequencer or "0", 16)
    except ValueError:
        return 0


def superseded_by(session: Session, job: ExtractionJob) -> str | None:
    """The ID of a job for a newer version of the same object, if there is one."""
    if not job.sequencer:
        return None
    mine = _sequencer_value(job.sequencer)
    for other_id, other_seq in session.execute(
        select(ExtractionJob.id, ExtractionJob.sequencer).where(
            ExtractionJob.bucket == job.bucket, ExtractionJob.key == job.key, ExtractionJob.id != job.id
        )
    ):
        if _sequencer_value(other_seq) > mine:
            return other_id
    return None


# --- transitions ------------------------------------------------------------------------------


def _locked(session: Session, job_id: str) -> ExtractionJob:
    job = session.scalar(
        select(ExtractionJob)
        .where(ExtractionJob.id == job_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if job is None:
        raise NotFound("Extraction job not found", details={"id": job_id})
    return job


def claim(session: Session, *, job_id: str) -> ExtractionJob | None:
    """queued -> running (attempts + 1). None when the job is already finished (a replayed event);
    JobBusy when another worker is running it within its lease."""
    job = _locked(session, job_id)
    if job.status in ("done", "failed"):
        return None
    now = utcnow()
    if job.status == "running" and job.updated_at and now - job.updated_at < running_lease():
        raise JobBusy(job.id)
    if job.status == "running" and job.attempts >= MAX_ATTEMPTS:
        # Every worker that took it died without a word (killed, out of memory): stop trying.
        job.status = "failed"
        job.error_code = "worker_crashed"
        job.error_message = f"The extraction stopped without finishing {job.attempts} times; it will not be retried."
        job.finished_at = job.updated_at = now
        _emit(session, job, error={"code": job.error_code})
        return None
    job.status = "running"
    job.attempts += 1
    job.progress = 5
    job.started_at = job.started_at or now
    job.updated_at = now
    job.error_code = job.error_message = None
    job.error_details = None
    _emit(session, job, attempt=job.attempts)
    return job


def set_progress(session: Session, *, job_id: str, progress: int) -> None:
    job = _locked(session, job_id)
    if job.status == "running":
        job.progress = max(job.progress, min(progress, 99))
        job.updated_at = utcnow()
        _emit(session, job)


def finish(
    session: Session,
    *,
    job_id: str,
    format: str,
    result: dict[str, Any],
    summary: dict[str, Any],
    timings: dict[str, Any],
    warnings: list[str],
) -> ExtractionJob:
    """running -> done, storing the result inline or (large) in S3."""
    job = _locked(session, job_id)
    if job.status != "running":
        return job  # someone else finished it: keep their outcome
    body = json.dumps(result, separators=(",", ":"), default=str).encode()
    job.result_bytes = len(body)
    if len(body) > INLINE_RESULT_BYTES:
        base_key = job.key.rsplit("/", 1)[0]
        job.result_key = f"{base_key}/results/{job.id}.json"
        storage.put_bytes(job.result_key, body, content_type="application/json")
        job.result = None
    else:
        job.result = result
    job.format = format
    job.summary = summary
    job.timings = timings
    job.warnings = warnings[:100]
    job.status = "done"
    job.progress = 100
    job.finished_at = job.updated_at = utcnow()
    _emit(session, job, summary=summary)
    return job


def annotate(session: Session, *, job_id: str, timings: dict[str, Any], warnings: list[str], thumbnail: bool) -> None:
    """Add what happened after `done` (the preview) to a finished job, without changing its status."""
    job = _locked(session, job_id)
    job.timings = {**(job.timings or {}), **timings}
    if warnings:
        job.warnings = [*(job.warnings or []), *warnings][:100]
    job.summary = {**(job.summary or {}), "thumbnail": thumbnail}
    job.updated_at = utcnow()
    _emit(session, job, thumbnail=thumbnail)


def fail(
    session: Session,
    *,
    job_id: str,
    code: str,
    message: str,
    details: Any = None,
    retry: bool = False,
    timings: dict[str, Any] | None = None,
) -> ExtractionJob:
    """running -> failed (permanent), or back to queued when the error will be retried."""
    job = _locked(session, job_id)
    if job.status in ("done", "failed"):
        return job
    job.error_code = code[:40]
    job.error_message = message[:2000]
    job.error_details = details
    job.updated_at = utcnow()
    if timings:
        job.timings = {**(job.timings or {}), **timings}
    if retry and job.attempts < MAX_ATTEMPTS:
        job.status = "queued"
    else:
        job.status = "failed"
        job.finished_at = job.updated_at
    _emit(session, job, error={"code": job.error_code, "message": job.error_message[:300]})
    return job


def dead_letter(session: Session, *, job_id: str, receive_count: int | None = None) -> ExtractionJob:
    """The job's message ended in the dead-letter queue: fail it for good with a reason a user can read,
    keeping the last recorded error. A finished job stays as it is; a job still leased to a live worker
    raises JobBusy (the dead-letter message comes back later and ends it then)."""
    job = _locked(session, job_id)
    if job.status in ("done", "failed"):
        return job
    now = utcnow()
    if job.status == "running" and job.updated_at and now - job.updated_at < running_lease():
        raise JobBusy(job.id)
    tries = f"{receive_count} deliveries" if receive_count else "every delivery"
    reason = "The extraction did not finish"
    if job.error_code:
        reason += f" (last error: {job.error_message or job.error_code})"
    elif job.status == "running":
        reason += " (the worker stopped: timed out or ran out of memory)"
    job.error_details = {"previous_code": job.error_code, "attempts": job.attempts, "receives": receive_count}
    job.error_code = "not_processed"
    job.error_message = f"{reason} after {tries}; it will not be retried. Upload the file again to retry."[:2000]
    job.status = "failed"
    job.finished_at = job.updated_at = now
    _emit(session, job, error={"code": job.error_code, "message": job.error_message[:300]})
    return job


# --- reads ------------------------------------------------------------------------------------


def _authorized_job(session: Session, *, principal: Principal, job_id: str, role: str = READ_ROLE) -> ExtractionJob:
    job = session.get(ExtractionJob, job_id) if looks_like_id(job_id, "job") else None
    if job is None:
        raise NotFound("Extraction job not found", details={"id": job_id})
    try:
        require_table(
            session, principal=principal, table_id=job.table_id, need=role, what="Extraction job", object_id=job_id
        )
    except NotFound:  # the job's table is hidden or gone: the job answers as absent, never its table's ID
        raise NotFound("Extraction job not found", details={"id": job_id}) from None
    return job


def load_result(job: ExtractionJob) -> dict[str, Any] | None:
    if job.result is not None:
        return job.result
    if job.result_key:
        return json.loads(storage.get_bytes(job.result_key))
    return None


def to_out(job: ExtractionJob, *, filename: str | None = None, include_result: bool = False) -> JobOut:
    out = JobOut(
        id=job.id,
        attachment_id=job.attachment_id,
        table_id=job.table_id,
        filename=filename,
        format=job.format,
        status=job.status,
        progress=job.progress,
        attempts=job.attempts,
        size=job.size,
        error=JobError(code=job.error_code, message=job.error_message or "", details=job.error_details)
        if job.error_code
        else None,
        warnings=job.warnings or [],
        summary=job.summary or {},
        timings=job.timings or {},
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
    )
    if include_result:
        if job.result is not None:
            out.result = job.result
        elif job.result_key:
            out.result_url = storage.presign_get(job.result_key, content_type="application/json", expires=3600)
    return out


def get_job(session: Session, *, principal: Principal, job_id: str, include_result: bool = True) -> JobOut:
    job = _authorized_job(session, principal=principal, job_id=job_id)
    filename = session.scalar(select(Attachment.filename).where(Attachment.id == job.attachment_id))
    return to_out(job, filename=filename, include_result=include_result)


def _cursor(job: ExtractionJob) -> str:
    return base64.urlsafe_b64encode(f"{job.created_at.isoformat()}|{job.id}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        at, _, job_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return datetime.fromisoformat(at), job_id
    except Exception:
        raise ValidationFailed("The cursor is not valid.", details={"cursor": cursor}) from None


def list_jobs(
    session: Session,
    *,
    principal: Principal,
    table_id: str | None = None,
    attachment_id: str | None = None,
    status: str | None = None,
    limit: int = MAX_PAGE,
    cursor: str | None = None,
) -> JobList:
    """Jobs of a table or of one attachment, newest first."""
    if attachment_id:
        attachment = session.get(Attachment, attachment_id) if looks_like_id(attachment_id, "att") else None
        # An attachment in a table the caller cannot see answers like one that does not exist (it used
        # to answer "Table not found" with the other tenant's table ID).
        if attachment is None or visible_role(session, principal=principal, table_id=attachment.table_id) is None:
            raise NotFound("Attachment not found", details={"id": attachment_id})
        table_id = table_id or attachment.table_id
        if attachment.table_id != table_id:
            return JobList(jobs=[])
    if not table_id:
        raise ValidationFailed("Give table_id or attachment_id.", details={"params": ["table_id", "attachment_id"]})
    require_table(session, principal=principal, table_id=table_id, need=READ_ROLE)
    query = (
        select(ExtractionJob, Attachment.filename)
        .join(Attachment, Attachment.id == ExtractionJob.attachment_id)
        .where(ExtractionJob.table_id == table_id)
    )
    if attachment_id:
        query = query.where(ExtractionJob.attachment_id == attachment_id)
    if status:
        query = query.where(ExtractionJob.status == status)
    if cursor:
        at, last_id = _decode_cursor(cursor)
        query = query.where(
            or_(ExtractionJob.created_at < at, and_(ExtractionJob.created_at == at, ExtractionJob.id < last_id))
        )
    rows = session.execute(
        query.order_by(ExtractionJob.created_at.desc(), ExtractionJob.id.desc()).limit(limit + 1)
    ).all()
    jobs = [to_out(job, filename=filename) for job, filename in rows[:limit]]
    next_cursor = _cursor(rows[limit - 1][0]) if len(rows) > limit else None
    return JobList(jobs=jobs, next_cursor=next_cursor)


# --- mapping ----------------------------------------------------------------------------------


def _done_result(job: ExtractionJob) -> dict[str, Any]:
    if job.status != "done":
        raise Conflict(
            f"The job is {job.status}; only finished jobs can be mapped.", details={"id": job.id, "status": job.status}
        )
    result = load_result(job)
    if result is None:
        raise Conflict("The job has no stored result.", details={"id": job.id})
    return result


def suggest_mapping(
    session: Session,
    *,
    principal: Principal,
    job_id: str,
    table_id: str | None = None,
    source: str | None = None,
) -> SuggestedMapping:
    from pybase.records import service as records

    job = _authorized_job(session, principal=principal, job_id=job_id)
    result = _done_result(job)
    counts = {}
    for name in sources.source_names():
        src = sources.get_source(name)
        counts[name] = len(src.rows(result, src.default_options(result)))
    if source is None:
        # The richest structured source first: a parts list, then attributes, then dimensions.
        source = next(
            (n for n in ("bom", "elements", "blocks", "dimensions", "title_block", "texts") if counts.get(n)), "texts"
        )
    src = sources.get_source(source)
    options = src.default_options(result)
    existing: dict[str, Any] = {}
    if table_id:
        ctx = records.table_context(session, principal=principal, table_id=table_id, role=READ_ROLE)
        existing = {f.name.lower(): f for f in ctx.fields.fields}
    columns = []
    for col in src.columns(result, options):
        match = existing.get(col.name.lower())
        columns.append(
            SuggestedColumn(
                source=col.name,
                field=match.name if match else col.name,
                field_id=match.id if match else None,
                type=match.type if match else col.type,
                options=dict(match.options or {}) if match else dict(col.options),
                exists=match is not None,
            )
        )
    rows = src.rows(result, options)
    return SuggestedMapping(
        table_id=table_id, source=source, sources=counts, columns=columns, options=options,
        row_count=len(rows), preview=[_preview(r) for r in rows[:5]],
    )  # fmt: skip


def _preview(row: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.get("text") or v.get("value")) if isinstance(v, dict) else v for k, v in row.items()}


def _mapping_out(m: JobMapping, *, replayed: bool = False) -> MappingOut:
    return MappingOut(
        id=m.id, job_id=m.job_id, table_id=m.table_id, source=m.source, record_ids=m.record_ids,
        created_fields=m.created_fields, created_at=m.created_at, replayed=replayed,
    )  # fmt: skip


def apply_mapping(session: Session, *, principal: Principal, job_id: str, request: MappingRequest) -> MappingOut:
    """Create one record per source row in the target table, all or nothing (one transaction)."""
    from pybase.fields import service as fields_service
    from pybase.records import service as records

    job = _authorized_job(session, principal=principal, job_id=job_id)
    if request.idempotency_key:
        previous = session.scalar(
            select(JobMapping).where(JobMapping.job_id == job.id, JobMapping.idempotency_key == request.idempotency_key)
        )
        if previous is not None:
            return _mapping_out(previous, replayed=True)
    result = _done_result(job)
    src = sources.get_source(request.source)
    options = {**src.default_options(result), **request.options}
    rows = src.rows(result, options)
    if not rows:
        raise ValidationFailed(
            f"The result has nothing to map from {request.source!r}.", details={"source": request.source}
        )
    if len(rows) > sources.MAX_ROWS:
        raise ValidationFailed(
            f"At most {sources.MAX_ROWS} records per mapping.", details={"rows": len(rows), "max": sources.MAX_ROWS}
        )
    ctx = records.table_context(session, principal=principal, table_id=request.table_id, role="editor")
    suggested = {c.name: c for c in src.columns(result, options)}
    by_id = {f.id: f for f in ctx.fields.fields}
    by_name = {f.name.lower(): f for f in ctx.fields.fields}
    targets: list[tuple[str, Any]] = []
    missing: list[dict[str, Any]] = []
    created: list[str] = []
    for col in request.columns:
        field = by_id.get(col.field) or by_name.get(col.field.lower())
        if field is None and request.create_missing_fields:
            spec = suggested.get(col.source)
            made = fields_service.create_field(
                session,
                principal=principal,
                table_id=request.table_id,
                name=col.field,
                type=col.type or (spec.type if spec else sources.TEXT),
                options=col.options if col.options is not None else (dict(spec.options) if spec else None),
            )
            created.append(made["id"])
            ctx = records.table_context(session, principal=principal, table_id=request.table_id, role="editor")
            by_id = {f.id: f for f in ctx.fields.fields}
            field = by_id[made["id"]]
            by_name[field.name.lower()] = field
        if field is None:
            missing.append({"source": col.source, "field": col.field})
            continue
        targets.append((col.source, field))
    if missing:
        raise ValidationFailed(
            "Some mapped fields do not exist in the table (set create_missing_fields to add them).",
            details={"missing": missing},
        )
    payload = []
    for row in rows:
        values = {}
        for source_name, field in targets:
            value = sources.convert(row.get(source_name), field.type)
            if value is not None:
                values[field.id] = value
        payload.append({"fields": values})
    record_ids: list[str] = []
    for start in range(0, len(payload), records.MAX_BATCH):
        created_records = records.create_records(
            session,
            principal=principal,
            table_id=request.table_id,
            records=payload[start : start + records.MAX_BATCH],
            typecast=request.typecast,
        )
        record_ids.extend(r["id"] for r in created_records)
    applied = JobMapping(
        job_id=job.id,
        table_id=request.table_id,
        source=request.source,
        mapping=request.model_dump(mode="json"),
        record_ids=record_ids,
        created_fields=created,
        idempotency_key=request.idempotency_key,
        created_by=principal.user_id,
    )
    session.add(applied)
    session.flush()
    _emit(
        session, job, actor_id=principal.user_id, mapping_id=applied.id, target_table_id=request.table_id,
        records_created=len(record_ids),
    )  # fmt: skip
    return _mapping_out(applied)


def list_mappings(session: Session, *, principal: Principal, job_id: str) -> list[MappingOut]:
    job = _authorized_job(session, principal=principal, job_id=job_id)
    return [
        _mapping_out(m)
        for m in session.scalars(select(JobMapping).where(JobMapping.job_id == job.id).order_by(JobMapping.created_at))
    ]
