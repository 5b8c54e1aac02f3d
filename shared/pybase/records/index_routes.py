"""HTTP route of a table's expression indexes and their build states (served by the records function)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from pybase.access.service import require_table
from pybase.api import COMMON, CurrentPrincipal, DbSession, TableId, errors
from pybase.records import indexes

router = APIRouter(tags=["records"], responses=errors(*COMMON))


class RecordIndexOut(BaseModel):
    """One index PyBase asked for on the table's records and where its build stands."""

    name: str = Field(description="The index's name in PostgreSQL.")
    field_id: str = Field(description="The field the index serves.")
    kind: Literal["btree", "sort", "trigram"] = Field(
        description="btree: equality and ranges; sort: the field's sort order; trigram: `contains` filters."
    )
    state: Literal["pending", "building", "ready", "failed"] = Field(
        description="pending: asked for, waiting for the builder; building; ready: queries use it; "
        "failed: see `reason`. Queries run without the index until it is ready."
    )
    reason: str | None = Field(description="PostgreSQL's reason when the last build failed.")
    attempts: int = Field(description="Builds started so far.")
    requested_at: datetime = Field(description="When the index was (last) asked for.")
    started_at: datetime | None = Field(description="When the last build started.")
    finished_at: datetime | None = Field(description="When the last build ended (ready or failed).")


class RecordIndexList(BaseModel):
    indexes: list[RecordIndexOut]


@router.get("/tables/{table_id}/indexes", response_model=RecordIndexList, summary="List a table's indexes")
def list_indexes(table_id: TableId, principal: CurrentPrincipal, session: DbSession) -> dict[str, Any]:
    """The indexes PyBase asked for on this table (a field marked indexed, a saved view's filters and
    sorts, a large table's listings) and the state of each build. Builds run in the background, never
    inside a request; any role that can read the table may see them."""
    require_table(session, principal=principal, table_id=table_id, need="viewer")
    return {"indexes": indexes.list_indexes(session, table_id=table_id)}
