"""Upload and file routes (files function): POST /uploads, POST /uploads/{id}/complete, GET /files/{id}."""

from __future__ import annotations

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, RedirectResponse, Response

from pybase.api import COMMON, AttachmentId, CurrentPrincipal, DbSession, errors
from pybase.files import service
from pybase.files.schemas import AttachmentOut, FileUrl, UploadCreate, UploadLimits, UploadOut

router = APIRouter(tags=["files"], responses=errors(*COMMON, 409, 413))


@router.post("/uploads", response_model=UploadOut, status_code=201)
def create_upload(
    body: UploadCreate, principal: CurrentPrincipal, session: DbSession
) -> UploadOut:
    """A presigned S3 PUT for one file of a record's attachment field; PUT the bytes, then complete."""
    return service.create_upload(
        session,
        principal=principal,
        table_id=body.table_id,
        record_id=body.record_id,
        field_id=body.field_id,
        filename=body.filename,
        content_type=body.content_type,
        size=body.size,
    )


@router.get("/uploads/limits", response_model=UploadLimits)
def upload_limits(principal: CurrentPrincipal) -> UploadLimits:
    """The largest accepted file and the accepted kinds of file (extension, content types, extracted or not)."""
    return service.upload_limits()


@router.post("/uploads/{attachment_id}/complete", response_model=AttachmentOut)
def complete_upload(
    attachment_id: AttachmentId, principal: CurrentPrincipal, session: DbSession
) -> AttachmentOut:
    """Check the uploaded object and put the attachment on its record (idempotent)."""
    return service.complete_upload(session, principal=principal, attachment_id=attachment_id)


@router.get("/files/{attachment_id}", response_model=FileUrl, responses={302: {"description": "Redirect to S3"}})
def get_file(
    *,
    attachment_id: AttachmentId,
    redirect: bool = Query(default=True, description="false: return the URL as JSON instead of redirecting"),
    thumbnail: int | None = Query(default=None, ge=0, description="the index of a preview instead of the file"),
    principal: CurrentPrincipal,
    session: DbSession,
) -> Response:
    """A short-lived presigned download URL for the file (or one of its previews)."""
    found = service.file_url(session, principal=principal, attachment_id=attachment_id, thumbnail=thumbnail)
    if redirect:
        return RedirectResponse(found.url, status_code=302, headers={"cache-control": "private, max-age=60"})
    return JSONResponse(found.model_dump(mode="json"))
