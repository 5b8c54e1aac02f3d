"""Trash routes: GET /bases/{baseId}/trash, POST /trash/{kind}/{id}/restore (tables function)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from pybase.api import COMMON, BaseId, CurrentPrincipal, DbSession, answers, errors
from pybase.trash import service
from pybase.trash.schemas import Restored, TrashList

router = APIRouter(tags=["trash"], responses=errors(*COMMON, 409))


@router.get("/bases/{base_id}/trash", response_model=TrashList)
def list_trash(
    *,
    base_id: BaseId,
    kind: str | None = Query(default=None, description="table, field, view or record"),
    limit: int = Query(default=100, ge=1, le=service.MAX_PAGE, description="Items per page."),
    cursor: str | None = Query(None, description="The previous page's `next_cursor`, for the next page."),
    principal: CurrentPrincipal,
    session: DbSession,
) -> Any:
    """What is in a base's trash (tables, fields, views, records), newest first, until it is purged."""
    return service.list_trash(session, principal=principal, base_id=base_id, kind=kind, limit=limit, cursor=cursor)


@router.post("/trash/{kind}/{object_id}/restore", **answers(Restored, "What was restored."))
def restore(
    kind: Annotated[str, Path(description="What is restored: `table`, `field`, `view` or `record`.")],
    object_id: Annotated[str, Path(description="Its ID, as the trash listing gives it.")],
    principal: CurrentPrincipal,
    session: DbSession,
    table_id: str | None = Query(
        default=None,
        description="The object's table, as the trash listing gives it: a record is then looked for in "
        "that table's records only (faster in a base with many tables).",
    ),
) -> dict[str, Any]:
    """Restore something from the trash, with what was deleted along with it."""
    return service.restore(session, principal=principal, kind=kind, object_id=object_id, table_id=table_id)
