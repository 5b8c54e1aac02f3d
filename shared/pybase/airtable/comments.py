"""Record comments in Airtable's shape, under /v0/{baseId}/{table}/{recordId}/comments: the same
comments as PyBase's own comments API (same roles, mentions written `@[usr…]`), read and written with
Airtable's field names (`createdTime`, `lastUpdatedTime`, `mentioned` keyed by user ID) and its
`offset` paging."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from pybase.access.roles import Principal
from pybase.airtable.errors import AirtableError, invalid_request
from pybase.airtable.service import created_time, resolve_table
from pybase.comments import service as comments
from pybase.comments.schemas import MAX_COMMENT_CHARS, CommentOut

MAX_PAGE = 100


def _comment(comment: CommentOut) -> dict[str, Any]:
    author = comment.author
    return {
        "id": comment.id,
        "author": {"id": author.id, "email": author.email, "name": author.name} if author else None,
        "text": comment.text,
        "createdTime": created_time(comment.created_at),
        "lastUpdatedTime": created_time(comment.updated_at) if comment.updated_at else None,
        "mentioned": {
            m.id: {"type": "user", "id": m.id, "displayName": m.name or m.email or m.id, "email": m.email}
            for m in comment.mentions
        },
    }


def _text(body: dict[str, Any]) -> str:
    text = body.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_COMMENT_CHARS:
        raise invalid_request(f"Invalid request: text must be 1 to {MAX_COMMENT_CHARS:,} characters")
    if body.get("parentCommentId") is not None:
        raise invalid_request("Invalid request: threaded replies (parentCommentId) are not supported")
    return text


def _table_id(session: Session, principal: Principal, base_id: str, table: str) -> str:
    # The comments service checks the caller's role on the table itself (viewer reads, commenter writes).
    return resolve_table(session, principal=principal, base_id=base_id, table=table, role="viewer").table.id


def list_comments(
    session: Session, *, principal: Principal, base_id: str, table: str, record_id: str, page_size: Any, offset: Any
) -> dict[str, Any]:
    try:
        size = MAX_PAGE if page_size in (None, "") else int(page_size)
    except (TypeError, ValueError):
        size = 0
    if not 1 <= size <= MAX_PAGE:
        raise AirtableError(422, "INVALID_PAGE_SIZE", f"pageSize must be between 1 and {MAX_PAGE}")
    table_id = _table_id(session, principal, base_id, table)
    items, cursor = comments.list_comments(
        session, principal=principal, table_id=table_id, record_id=record_id, limit=size, cursor=offset or None
    )
    # Airtable lists comments newest first.
    return {"comments": [_comment(c) for c in reversed(items)], "offset": cursor}


def create_comment(
    session: Session, *, principal: Principal, base_id: str, table: str, record_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    text = _text(body)
    table_id = _table_id(session, principal, base_id, table)
    return _comment(
        comments.create_comment(session, principal=principal, table_id=table_id, record_id=record_id, text=text)
    )


def update_comment(
    session: Session, *, principal: Principal, base_id: str, table: str, record_id: str, comment_id: str,
    body: dict[str, Any],
) -> dict[str, Any]:  # fmt: skip
    text = _text(body)
    table_id = _table_id(session, principal, base_id, table)
    return _comment(
        comments.update_comment(
            session, principal=principal, table_id=table_id, record_id=record_id, comment_id=comment_id, text=text
        )
    )


def delete_comment(
    session: Session, *, principal: Principal, base_id: str, table: str, record_id: str, comment_id: str
) -> dict[str, Any]:
    table_id = _table_id(session, principal, base_id, table)
    comments.delete_comment(session, principal=principal, table_id=table_id, record_id=record_id, comment_id=comment_id)
    return {"id": comment_id, "deleted": True}
