"""Extraction job routes (files function): /extraction-jobs[/{id}], /extraction-jobs/{id}/mapping."""

from __future__ import annotations

from fastapi import APIRouter, Query

from pybase.api import COMMON, CurrentPrincipal, DbSession, JobId, errors
from pybase.jobs import service
from pybase.jobs.schemas import JobList, JobOut, MappingOut, MappingRequest, SuggestedMapping

router = APIRouter(tags=["extraction jobs"], responses=errors(*COMMON, 409))


@router.get("/extraction-jobs", response_model=JobList)
def list_jobs(
    *,
    table_id: str | None = Query(default=None, max_length=40, description="Jobs of this table (`tbl…`)."),
    attachment_id: str | None = Query(
        default=None, max_length=40, description="Jobs of this attachment (`att…`)."
    ),
    status: str | None = Query(
        default=None, pattern="^(queued|running|done|failed)$", description="Only jobs in this state."
    ),
    limit: int = Query(default=service.MAX_PAGE, ge=1, le=service.MAX_PAGE, description="Jobs per page."),
    cursor: str | None = Query(
        default=None, max_length=200, description="The previous page's `next_cursor`, for the next page."
    ),
    principal: CurrentPrincipal,
    session: DbSession,
) -> JobList:
    """Jobs of a table (`table_id`) or of one attachment (`attachment_id`), newest first."""
    return service.list_jobs(
        session, principal=principal, table_id=table_id, attachment_id=attachment_id, status=status, limit=limit,
        cursor=cursor,
    )  # fmt: skip


@router.get("/extraction-jobs/{job_id}", response_model=JobOut)
def get_job(
    *,
    job_id: JobId,
    include_result: bool = Query(default=True, description="Include what the job extracted (may be large)."),
    principal: CurrentPrincipal,
    session: DbSession,
) -> JobOut:
    """One extraction job: its status, and with `include_result=true` what it extracted."""
    return service.get_job(session, principal=principal, job_id=job_id, include_result=include_result)


@router.get("/extraction-jobs/{job_id}/mapping", response_model=SuggestedMapping)
def suggest_mapping(
    *,
    job_id: JobId,
    table_id: str | None = Query(
        default=None, max_length=40, description="The table to map into (`tbl…`): columns match its fields by name."
    ),
    source: str | None = Query(
        default=None,
        max_length=40,
        description="Which extracted data to map (a parts list, attributes, dimensions…); default: the richest found.",
    ),
    principal: CurrentPrincipal,
    session: DbSession,
) -> SuggestedMapping:
    """A suggested mapping (source, columns -> fields matched by name in `table_id`) with a preview."""
    return service.suggest_mapping(session, principal=principal, job_id=job_id, table_id=table_id, source=source)


@router.post("/extraction-jobs/{job_id}/mapping", response_model=MappingOut, status_code=201)
def apply_mapping(
    job_id: JobId,
    body: MappingRequest,
    principal: CurrentPrincipal,
    session: DbSession,
) -> MappingOut:
    """Create one record per source row in the target table (all or nothing)."""
    return service.apply_mapping(session, principal=principal, job_id=job_id, request=body)
