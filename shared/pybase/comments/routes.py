"""Comment routes: /tables/{tableId}/records/{recordId}/comments[/{commentId}] (records function)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from pybase.api import COMMON, CommentId, CurrentPrincipal, DbSession, Deleted, RecordId, TableId, answers, errors
from pybase.comments import service
from pybase.comments.schemas import CommentCreate, CommentList, CommentOut, CommentUpdate

router = APIRouter(tags=["comments"], responses=errors(*COMMON))

BASE = "/tables/{table_id}/records/{record_id}/comments"


@router.get(BASE, response_model=CommentList)
def list_comments(
    *,
    table_id: TableId,
    record_id: RecordId,
    limit: int = Query(default=service.MAX_PAGE, ge=1, le=service.MAX_PAGE, description="Comments per page."),
    cursor: str | None = Query(None, description="The previous page's `next_cursor`, for the next page."),
    principal: CurrentPrincipal,
    session: DbSession,
) -> CommentList:
    """A record's comments, oldest first, a page at a time (`next_cursor` continues)."""
    comments, next_cursor = service.list_comments(
        session, principal=principal, table_id=table_id, record_id=record_id, limit=limit, cursor=cursor
    )
    return CommentList(comments=comments, next_cursor=next_cursor)


@router.post(BASE, response_model=CommentOut, status_code=201)
def create_comment(
    table_id: TableId,
    record_id: RecordId,
    body: CommentCreate,
    principal: CurrentPrincipal,
    session: DbSession,
) -> CommentOut:
    """Comment on a record (commenters and up); `@[usr…]` mentions notify the users named."""
    return service.create_comment(session, principal=principal, table_id=table_id, record_id=record_id, text=body.text)


@router.get(BASE + "/{comment_id}", response_model=CommentOut)
def get_comment(
    table_id: TableId,
    record_id: RecordId,
    comment_id: CommentId,
    principal: CurrentPrincipal,
    session: DbSession,
) -> CommentOut:
    """One comment of a record, with its author and mentions."""
    return service.get_comment(
        session, principal=principal, table_id=table_id, record_id=record_id, comment_id=comment_id
    )


@router.patch(BASE + "/{comment_id}", response_model=CommentOut)
def update_comment(
    table_id: TableId,
    record_id: RecordId,
    comment_id: CommentId,
    body: CommentUpdate,
    principal: CurrentPrincipal,
    session: DbSession,
) -> CommentOut:
    """Edit the text of your own comment."""
    return service.update_comment(
        session, principal=principal, table_id=table_id, record_id=record_id, comment_id=comment_id, text=body.text
    )


@router.delete(BASE + "/{comment_id}", **answers(Deleted, "The comment is deleted."))
def delete_comment(
    table_id: TableId,
    record_id: RecordId,
    comment_id: CommentId,
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """Delete a comment (its author, or a base admin)."""
    return service.delete_comment(
        session, principal=principal, table_id=table_id, record_id=record_id, comment_id=comment_id
    )
