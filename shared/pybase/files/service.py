"""Uploads and attachments: presigned S3 PUTs, completion, and presigned downloads. No HTTP here.

An upload goes: `create_upload` (editor; checks size, extension and content type; returns a presigned
PUT for a key built from IDs) -> the client PUTs straight to S3 -> `complete_upload` or the S3 event
(whichever comes first) HEADs the object and `mark_uploaded` appends the attachment object to the
record through the records service. Both paths lock the attachment row, so the append happens once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pybase import storage
from pybase.access.roles import Principal
from pybase.access.service import require_table
from pybase.config import get_settings
from pybase.db import utcnow
from pybase.errors import Conflict, NotFound, PayloadTooLarge, PreconditionFailed, PyBaseError, ValidationFailed
from pybase.events.service import emit
from pybase.fields.models import Field
from pybase.files.models import Attachment
from pybase.files.schemas import (
    AttachmentOut,
    FileKindOut,
    FileUrl,
    Thumbnail,
    UploadLimits,
    UploadOut,
    UploadTarget,
)
from pybase.files.urls import READ_URL_SECONDS
from pybase.ids import looks_like_id
from pybase.records.models import Record

WRITE_ROLE = "editor"
READ_ROLE = "viewer"
ATTACHMENT_FIELD_TYPES = ("attachment",)


class UnsupportedMediaType(PyBaseError):
    status_code = 415
    code = "unsupported_media_type"


@dataclass(frozen=True)
class FileKind:
    """An accepted file extension: the content type stored on S3, what clients may declare, and the
    extractor (by registry name) that runs on it, if any."""

    extension: str
    content_type: str
    accepted: tuple[str, ...] = ()
    extract: str | None = None

    def accepts(self, declared: str) -> bool:
        declared = declared.split(";", 1)[0].strip().lower()
        # Browsers know no type for CAD files and send "" or octet-stream.
        return declared in ("", "application/octet-stream", self.content_type, *self.accepted)


_KINDS = [
    FileKind(".dxf", "image/vnd.dxf", ("application/dxf", "application/x-dxf", "image/x-dxf"), extract="dxf"),
    FileKind(".pdf", "application/pdf", ("application/x-pdf",), extract="pdf"),
    FileKind(".dwg", "image/vnd.dwg", ("application/acad", "application/x-dwg", "image/x-dwg")),
    FileKind(".step", "model/step", ("application/step", "application/x-step", "application/p21"), extract="step"),
    FileKind(".stp", "model/step", ("application/step", "application/x-step", "application/p21"), extract="step"),
    FileKind(".ifc", "application/x-step", ("model/ifc", "application/ifc", "application/x-ifc"), extract="ifc"),
    FileKind(".iges", "model/iges", ("application/iges",)),
    FileKind(".igs", "model/iges", ("application/iges",)),
    FileKind(".stl", "model/stl", ("application/sla", "application/vnd.ms-pki.stl", "model/x.stl-binary")),
    FileKind(".png", "image/png"),
    FileKind(".jpg", "image/jpeg", ("image/jpg", "image/pjpeg")),
    FileKind(".jpeg", "image/jpeg", ("image/jpg", "image/pjpeg")),
    FileKind(".gif", "image/gif"),
    FileKind(".webp", "image/webp"),
    FileKind(".txt", "text/plain"),
    FileKind(".csv", "text/csv", ("application/csv", "text/plain", "application/vnd.ms-excel")),
    FileKind(".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    FileKind(".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    FileKind(".zip", "application/zip", ("application/x-zip-compressed",)),
]
FILE_KINDS: dict[str, FileKind] = {kind.extension: kind for kind in _KINDS}

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_STEM = 100


def upload_limits() -> UploadLimits:
    return UploadLimits(
        max_bytes=get_settings().max_upload_bytes,
        kinds=[
            FileKindOut(
                extension=kind.extension, content_type=kind.content_type, accepted=list(kind.accepted),
                extracted=kind.extract is not None,
            )
            for kind in _KINDS
        ],
    )


def file_kind(filename: str) -> FileKind | None:
    dot = filename.rfind(".")
    return FILE_KINDS.get(filename[dot:].lower()) if dot > 0 else None


def safe_filename(filename: str) -> str:
    """ASCII letters, digits, '.', '_' and '-' only, a lower-case extension, never empty or hidden."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    dot = name.rfind(".")
    stem, ext = (name[:dot], name[dot:].lower()) if dot > 0 else (name, "")
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    stem = _UNSAFE.sub("_", stem).strip("._-")[:MAX_STEM].strip("._-") or "file"
    ext = "." + _UNSAFE.sub("", ext[1:]) if ext else ""
    return stem + (ext if ext != "." else "")


def object_key(*, base_id: str, table_id: str, attachment_id: str, filename: str) -> str:
    return f"{base_id}/{table_id}/{attachment_id}/{safe_filename(filename)}"


def parse_object_key(key: str) -> tuple[str, str, str, str] | None:
    """(base ID, table ID, attachment ID, file name) for an upload's key; None for any other object."""
    parts = key.split("/")
    if len(parts) != 4:
        return None
    base_id, table_id, attachment_id, name = parts
    if not (looks_like_id(base_id, "app") and looks_like_id(table_id, "tbl") and looks_like_id(attachment_id, "att")):
        return None
    return base_id, table_id, attachment_id, name


# --- helpers ----------------------------------------------------------------------------------


def _load(session: Session, attachment_id: str, *, lock: bool = False) -> Attachment:
    if not looks_like_id(attachment_id, "att"):
        raise NotFound("Attachment not found", details={"id": attachment_id})
    query = select(Attachment).where(Attachment.id == attachment_id)
    if lock:
        query = query.with_for_update()
    attachment = session.scalar(query)
    if attachment is None:
        raise NotFound("Attachment not found", details={"id": attachment_id})
    return attachment


def _authorize(
    session: Session, *, principal: Principal, attachment_id: str, role: str, lock: bool = False
) -> Attachment:
    attachment = _load(session, attachment_id, lock=lock)
    try:
        require_table(session, principal=principal, table_id=attachment.table_id, need=role)
    except NotFound:
        raise NotFound("Attachment not found", details={"id": attachment_id}) from None
    return attachment


def thumbnail_entries(attachment: Attachment) -> list[dict[str, Any]]:
    return [
        {"url": storage.presign_get(t["key"], content_type=t["type"], expires=READ_URL_SECONDS), "type": t["type"],
         "width": t.get("width"), "height": t.get("height")}
        for t in attachment.thumbnails or []
    ]  # fmt: skip


def _download_url(attachment: Attachment, *, expires: int = READ_URL_SECONDS) -> str:
    # Signed for the version recorded at completion: a second PUT to the upload URL changes nothing.
    return storage.presign_get(
        attachment.key, filename=attachment.filename, content_type=attachment.content_type, expires=expires,
        version_id=attachment.version_id,
    )  # fmt: skip


def attachment_entry(attachment: Attachment) -> dict[str, Any]:
    """The object kept in the record's attachment field: a stable reference (key, version), from which
    each read signs short-lived URLs (pybase.files.urls), never a long-lived URL."""
    entry: dict[str, Any] = {
        "id": attachment.id,
        "filename": attachment.filename,
        "size": attachment.size,
        "type": attachment.content_type,
        "key": attachment.key,
    }
    if attachment.version_id:
        entry["version"] = attachment.version_id
    thumbs = [
        {"key": t["key"], "type": t["type"], "width": t.get("width"), "height": t.get("height")}
        for t in attachment.thumbnails or []
    ]
    if thumbs:
        entry["thumbnails"] = thumbs
    return entry


def to_out(attachment: Attachment, *, job_id: str | None = None, record: dict[str, Any] | None = None) -> AttachmentOut:
    uploaded = attachment.status == "uploaded"
    return AttachmentOut(
        id=attachment.id,
        table_id=attachment.table_id,
        record_id=attachment.record_id,
        field_id=attachment.field_id,
        filename=attachment.filename,
        type=attachment.content_type,
        size=attachment.size if uploaded else attachment.declared_size,
        status=attachment.status,
        url=_download_url(attachment) if uploaded else None,
        thumbnails=[Thumbnail(**t) for t in thumbnail_entries(attachment)] if uploaded else [],
        job_id=job_id,
        record=record,
    )


def _emit(session: Session, attachment: Attachment, *, type: str, actor_id: str | None, **extra: Any) -> None:
    emit(
        session,
        type=type,
        workspace_id=attachment.workspace_id,
        base_id=attachment.base_id,
        table_id=attachment.table_id,
        actor_id=actor_id,
        payload={"attachment_id": attachment.id, "record_id": attachment.record_id,
                 "field_id": attachment.field_id, "status": attachment.status, **extra},
    )  # fmt: skip


# --- create -----------------------------------------------------------------------------------


def check_target(session: Session, *, principal: Principal, table_id: str, record_id: str, field_id: str) -> Any:
    """The table access (editor) for an upload to this record's attachment field; 404/422 otherwise."""
    access = require_table(session, principal=principal, table_id=table_id, need=WRITE_ROLE)
    field = session.get(Field, field_id) if looks_like_id(field_id, "fld") else None
    if field is None or field.table_id != table_id or field.deleted_at is not None:
        raise NotFound("Field not found", details={"id": field_id})
    if field.type not in ATTACHMENT_FIELD_TYPES:
        raise ValidationFailed(
            f"Field {field.name!r} is a {field.type} field; uploads go to attachment fields.",
            details={"field_id": field_id, "type": field.type},
        )
    exists = looks_like_id(record_id, "rec") and session.scalar(
        select(Record.id).where(Record.table_id == table_id, Record.id == record_id, Record.deleted_at.is_(None))
    )
    if not exists:
        raise NotFound("Record not found", details={"id": record_id})
    return access


def check_file(*, filename: str, content_type: str, size: int) -> FileKind:
    """The kind of an accepted file; PayloadTooLarge, ValidationFailed or UnsupportedMediaType otherwise."""
    max_bytes = get_settings().max_upload_bytes
    if size > max_bytes:
        raise PayloadTooLarge(
            f"The file is {size} bytes; uploads are limited to {max_bytes} bytes.",
            details={"size": size, "max_bytes": max_bytes},
        )
    if size == 0:
        raise ValidationFailed("The file is empty.", details={"size": 0})
    if "\x00" in filename or not filename.strip():
        raise ValidationFailed("The file name is not valid.", details={"filename": filename})
    kind = file_kind(filename.strip())
    if kind is None:
        raise UnsupportedMediaType(
            "This kind of file cannot be uploaded.",
            details={"filename": filename, "allowed_extensions": sorted(FILE_KINDS)},
        )
    if not kind.accepts(content_type):
        raise UnsupportedMediaType(
            f"A {kind.extension} file cannot have the content type {content_type!r}.",
            details={"content_type": content_type, "expected": [kind.content_type, *kind.accepted]},
        )
    return kind


def new_attachment(
    session: Session,
    *,
    workspace_id: str,
    base_id: str,
    table_id: str,
    record_id: str,
    field_id: str,
    filename: str,
    content_type: str,
    declared_size: int,
    created_by: str | None,
    attachment_id: str | None = None,
) -> Attachment:
    """A pending attachment row with its S3 key (built from IDs), and its `attachment.created` event."""
    attachment = Attachment(
        workspace_id=workspace_id,
        base_id=base_id,
        table_id=table_id,
        record_id=record_id,
        field_id=field_id,
        filename=" ".join(filename.strip().split())[:255] or "file",
        content_type=content_type,
        declared_size=declared_size,
        bucket=storage.bucket(),
        key="",
        status="pending",
        thumbnails=[],
        created_by=created_by,
    )
    if attachment_id is not None:
        attachment.id = attachment_id
    session.add(attachment)
    session.flush()  # assigns the ID the key is built from
    attachment.key = object_key(
        base_id=base_id, table_id=table_id, attachment_id=attachment.id, filename=attachment.filename
    )
    session.flush()
    _emit(session, attachment, type="attachment.created", actor_id=created_by)
    return attachment


def create_upload(
    session: Session,
    *,
    principal: Principal,
    table_id: str,
    record_id: str,
    field_id: str,
    filename: str,
    content_type: str,
    size: int,
) -> UploadOut:
    access = check_target(session, principal=principal, table_id=table_id, record_id=record_id, field_id=field_id)
    kind = check_file(filename=filename, content_type=content_type, size=size)
    attachment = new_attachment(
        session, workspace_id=access.workspace_id, base_id=access.table.base_id, table_id=table_id,
        record_id=record_id, field_id=field_id, filename=filename, content_type=kind.content_type,
        declared_size=size, created_by=principal.user_id,
    )  # fmt: skip
    url = storage.presign_put(attachment.key, content_type=kind.content_type)
    return UploadOut(
        attachment_id=attachment.id,
        key=attachment.key,
        upload=UploadTarget(
            method="PUT", url=url, headers={"content-type": kind.content_type}, expires_in=storage.PRESIGN_PUT_SECONDS
        ),
        max_bytes=get_settings().max_upload_bytes,
    )


def upload_content(
    session: Session,
    *,
    principal: Principal,
    table_id: str,
    record_id: str,
    field_id: str,
    filename: str,
    content_type: str,
    data: bytes,
) -> Attachment:
    """A small file sent in the request itself (Airtable's uploadAttachment): stored in S3 and put on the
    record like a completed upload, in the caller's transaction."""
    access = check_target(session, principal=principal, table_id=table_id, record_id=record_id, field_id=field_id)
    kind = check_file(filename=filename, content_type=content_type, size=len(data))
    attachment = new_attachment(
        session, workspace_id=access.workspace_id, base_id=access.table.base_id, table_id=table_id,
        record_id=record_id, field_id=field_id, filename=filename, content_type=kind.content_type,
        declared_size=len(data), created_by=principal.user_id,
    )  # fmt: skip
    store_and_complete(session, attachment=attachment, data=data, actor=principal)
    return attachment


# --- complete ---------------------------------------------------------------------------------


def _append_to_record(session: Session, attachment: Attachment, *, actor: Principal) -> dict[str, Any]:
    """Add (or refresh) this attachment's object in the record's field, through the records service."""
    return _put_entry(session, attachment, attachment_entry(attachment), actor=actor)


def set_on_record(session: Session, attachment: Attachment, entry: dict[str, Any]) -> dict[str, Any]:
    """Replace (or add) the attachment's entry on its record, as the attachment's creator."""
    return _put_entry(session, attachment, entry, actor=Principal(user_id=attachment.created_by or ""))


def emit_event(session: Session, attachment: Attachment, *, type: str, **extra: Any) -> None:
    _emit(session, attachment, type=type, actor_id=None, **extra)


def _put_entry(session: Session, attachment: Attachment, entry: dict[str, Any], *, actor: Principal) -> dict[str, Any]:
    from pybase.records import service as records

    # Lock the record first: two uploads finishing together must not overwrite each other's append.
    locked = session.scalar(
        select(Record.id)
        .where(Record.table_id == attachment.table_id, Record.id == attachment.record_id, Record.deleted_at.is_(None))
        .with_for_update()
    )
    if locked is None:
        raise NotFound("Record not found", details={"id": attachment.record_id})
    current = records.get_record(session, principal=actor, table_id=attachment.table_id, record_id=attachment.record_id)
    items = list(current["fields"].get(attachment.field_id) or [])
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == attachment.id:
            items[i] = entry
            break
    else:
        items.append(entry)
    return records.update_record(
        session,
        principal=actor,
        table_id=attachment.table_id,
        record_id=attachment.record_id,
        fields={attachment.field_id: items},
    )


def refresh_on_record(session: Session, attachment: Attachment) -> dict[str, Any]:
    """Rewrite the attachment's object on its record (e.g. after thumbnails were added)."""
    return _append_to_record(session, attachment, actor=Principal(user_id=attachment.created_by or ""))


def mark_uploaded(
    session: Session, *, attachment: Attachment, info: storage.ObjectInfo, actor: Principal
) -> dict[str, Any] | None:
    """pending -> uploaded once the object exists (the caller holds the attachment's row lock).

    Returns the updated record, or None when the attachment was already uploaded (a replay).
    """
    if attachment.status == "uploaded":
        return None
    if attachment.status != "pending":
        raise Conflict(f"The upload was {attachment.status}.", details={"id": attachment.id, "error": attachment.error})
    max_bytes = get_settings().max_upload_bytes
    if info.size > max_bytes:
        # The presigned PUT cannot cap the size: the check happens here, and the object goes.
        storage.delete(attachment.key)
        raise PayloadTooLarge(
            f"The uploaded file is {info.size} bytes; uploads are limited to {max_bytes} bytes.",
            details={"size": info.size, "max_bytes": max_bytes},
        )
    attachment.status = "uploaded"
    attachment.size = info.size
    attachment.etag = info.etag
    attachment.version_id = info.version_id
    attachment.uploaded_at = utcnow()
    session.flush()
    record = _append_to_record(session, attachment, actor=actor)
    _emit(session, attachment, type="attachment.uploaded", actor_id=actor.user_id, size=info.size)
    return record


def too_large(info: storage.ObjectInfo) -> bool:
    return info.size > get_settings().max_upload_bytes


def reject(session: Session, *, attachment: Attachment, message: str) -> None:
    """pending -> rejected for good (the S3 event path, which has nobody to answer to): the object is
    deleted and the attachment never reaches the record."""
    attachment.status = "rejected"
    attachment.error = message[:2000]
    session.flush()
    storage.delete(attachment.key)
    _emit(session, attachment, type="attachment.rejected", actor_id=None, error=message[:300])


def store_and_complete(
    session: Session, *, attachment: Attachment, data: bytes, actor: Principal
) -> dict[str, Any] | None:
    """Write bytes we hold (uploadAttachment, a fetched URL) to the attachment's key, then complete it
    as an upload: on the record, and an extraction job for the kinds that have one. The caller holds
    the attachment's row lock."""
    storage.put_bytes(attachment.key, data, content_type=attachment.content_type)
    info = storage.head(attachment.key)
    record = mark_uploaded(session, attachment=attachment, info=info, actor=actor)
    kind = file_kind(attachment.key)
    if kind is not None and kind.extract:
        from pybase.jobs import service as jobs

        jobs.ensure_job(session, attachment=attachment, etag=info.etag, size=info.size, actor_id=actor.user_id)
    return record


def complete_upload(session: Session, *, principal: Principal, attachment_id: str) -> AttachmentOut:
    attachment = _authorize(session, principal=principal, attachment_id=attachment_id, role=WRITE_ROLE, lock=True)
    if attachment.status == "rejected":
        raise Conflict("This upload was rejected.", details={"id": attachment.id, "error": attachment.error})
    if attachment.status == "uploaded":
        info = storage.ObjectInfo(attachment.key, attachment.size or 0, attachment.etag or "", attachment.content_type)
        record = None
    else:
        try:
            info = storage.head(attachment.key)
        except storage.ObjectMissing:
            raise PreconditionFailed(
                "The file has not been uploaded yet: PUT it to the upload URL first.", details={"id": attachment.id}
            ) from None
        record = mark_uploaded(session, attachment=attachment, info=info, actor=principal)
    job_id = None
    kind = file_kind(attachment.key)
    if kind is not None and kind.extract:
        from pybase.jobs import service as jobs

        job_id = jobs.ensure_job(
            session, attachment=attachment, etag=info.etag, size=info.size, actor_id=principal.user_id
        ).id
    return to_out(attachment, job_id=job_id, record=record)


# --- read -------------------------------------------------------------------------------------


def get_attachment(session: Session, *, principal: Principal, attachment_id: str) -> AttachmentOut:
    attachment = _authorize(session, principal=principal, attachment_id=attachment_id, role=READ_ROLE)
    return to_out(attachment)


def file_url(session: Session, *, principal: Principal, attachment_id: str, thumbnail: int | None = None) -> FileUrl:
    attachment = _authorize(session, principal=principal, attachment_id=attachment_id, role=READ_ROLE)
    if attachment.status != "uploaded":
        raise NotFound("The file has not been uploaded.", details={"id": attachment_id, "status": attachment.status})
    if thumbnail is not None:
        thumbs = attachment.thumbnails or []
        if not 0 <= thumbnail < len(thumbs):
            raise NotFound("No such thumbnail.", details={"id": attachment_id, "thumbnail": thumbnail})
        t = thumbs[thumbnail]
        url = storage.presign_get(t["key"], content_type=t["type"], expires=READ_URL_SECONDS)
        return FileUrl(
            id=attachment.id, url=url, filename=attachment.filename, type=t["type"], expires_in=READ_URL_SECONDS
        )
    url = _download_url(attachment)
    return FileUrl(
        id=attachment.id, url=url, filename=attachment.filename, type=attachment.content_type,
        expires_in=READ_URL_SECONDS,
    )  # fmt: skip
