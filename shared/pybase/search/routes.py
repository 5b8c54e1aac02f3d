"""HTTP routes of search (served by the records function): thin, the service does the work."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from pybase.api import COMMON, BaseId, CurrentPrincipal, DbSession, TableId, errors
from pybase.search import schemas, service

router = APIRouter(tags=["search"], responses=errors(*COMMON))


def _ids(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value is not None else None


@router.get("/bases/{base_id}/search", response_model=schemas.SearchResponse)
def search_base(
    *,
    base_id: BaseId,
    q: str = Query("", description="Words to find, each a prefix (as you type); typos corrected when none match."),
    tables: str | None = Query(None, description="Comma-separated table IDs to search (default: all you can read)."),
    fields: str | None = Query(None, description="Comma-separated field IDs: only matches in these fields."),
    limit: int = Query(20, description="Results per page (1-50)."),
    offset: int = Query(0, description="Results to skip (0-1000); use next_offset."),
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """Full-text search across the base's tables you can read: matching records with the matched text highlighted."""
    return service.search_base(
        session, principal=principal, base_id=base_id, q=q, table_ids=_ids(tables), field_ids=_ids(fields),
        limit=limit, offset=offset,
    )  # fmt: skip


@router.get("/tables/{table_id}/search", response_model=schemas.SearchResponse)
def search_table(
    *,
    table_id: TableId,
    q: str = Query("", description="Words to find; each is a prefix (as you type)."),
    fields: str | None = Query(None, description="Comma-separated field IDs: only matches in these fields."),
    limit: int = Query(20, description="Results per page (1-50)."),
    offset: int = Query(0, description="Results to skip (0-1000); use next_offset."),
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """Full-text search in one table's records: matching records with the matched text highlighted."""
    return service.search_table(
        session, principal=principal, table_id=table_id, q=q, field_ids=_ids(fields), limit=limit, offset=offset
    )


@router.post("/tables/{table_id}/search/reindex", response_model=schemas.ReindexResponse)
def reindex_table(
    table_id: TableId, principal: CurrentPrincipal, session: DbSession
) -> dict[str, Any]:
    """Rebuild the table's search documents now (admins). For very large tables use
    `python -m pybase.search.reindex --table ID`, which has no request time limit."""
    return service.reindex(session, principal=principal, table_id=table_id)
