"""Comments on records: viewers read them, commenters and up write them.

Authors edit and delete their own comments; admins (and owners) may delete anyone's. A mention is
written `@[usrXXXXXXXXXXXXXX]` in the text; mentioned users must be able to see the table, and the
"comment.created"/"comment.updated" events list them (newly mentioned ones) for notifications.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from pybase.access.roles import Principal, at_least
from pybase.access.service import require_table, visible_role
from pybase.auth.models import User
from pybase.comments.models import Comment
from pybase.comments.schemas import CommentOut, UserRef
from pybase.db import utcnow
from pybase.errors import BadRequest, Forbidden, NotFound, ValidationFailed
from pybase.events.service import emit
from pybase.ids import looks_like_id
from pybase.records.models import Record
from pybase.tables.models import Table

READ_ROLE = "viewer"
WRITE_ROLE = "commenter"
MODERATOR_ROLE = "admin"
MAX_MENTIONS = 20
MAX_PAGE = 100

MENTION_RE = re.compile(r"@\[(usr[A-Za-z0-9]{14})\]")


def _context(
    session: Session, *, principal: Principal, table_id: str, record_id: str, role: str
) -> tuple[Table, str, str]:
    access = require_table(session, principal=principal, table_id=table_id, need=role)
    if not looks_like_id(record_id, "rec"):
        raise NotFound("Record not found", details={"id": record_id})
    exists = session.scalar(
        select(Record.id).where(Record.table_id == table_id, Record.id == record_id, Record.deleted_at.is_(None))
    )
    if exists is None:
        raise NotFound("Record not found", details={"id": record_id})
    return access.table, access.workspace_id, access.role


def parse_mentions(text: str) -> list[str]:
    """User IDs mentioned in `text`, first occurrence order, without duplicates."""
    seen: dict[str, None] = {}
    for match in MENTION_RE.finditer(text):
        seen.setdefault(match.group(1), None)
    return list(seen)


def _check_mentions(session: Session, *, table_id: str, user_ids: list[str]) -> None:
    if len(user_ids) > MAX_MENTIONS:
        raise ValidationFailed(
            f"A comment can mention at most {MAX_MENTIONS} people.",
            details=[{"loc": ["text"], "message": "too many mentions"}],
        )
    problems = []
    for user_id in user_ids:
        # A mention notifies someone about a record: they must be able to open it.
        if visible_role(session, principal=Principal(user_id=user_id), table_id=table_id) is None:
            problems.append({"loc": ["text"], "message": f"user {user_id} cannot see this table", "user_id": user_id})
    if problems:
        raise ValidationFailed("Only people who can see this table can be mentioned.", details=problems)


def _users(session: Session, ids: set[str]) -> dict[str, User]:
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}


def _out(comment: Comment, users: dict[str, User]) -> CommentOut:
    def ref(user_id: str) -> UserRef:
        user = users.get(user_id)
        return UserRef(id=user_id, name=user.name if user else None, email=user.email if user else None)

    return CommentOut(
        id=comment.id,
        table_id=comment.table_id,
        record_id=comment.record_id,
        author=ref(comment.author_id) if comment.author_id else None,
        text=comment.text,
        mentions=[ref(u) for u in comment.mentions or []],
        created_at=comment.created_at,
        updated_at=comment.updated_at,
    )


def _emit(
    session: Session, *, type: str, table: Table, workspace_id: str, actor_id: str, payload: dict[str, Any]
) -> None:
    emit(
        session,
        type=type,
        workspace_id=workspace_id,
        base_id=table.base_id,
        table_id=table.id,
        actor_id=actor_id,
        payload=payload,
    )


def create_comment(session: Session, *, principal: Principal, table_id: str, record_id: str, text: str) -> CommentOut:
    table, workspace_id, _ = _context(
        session, principal=principal, table_id=table_id, record_id=record_id, role=WRITE_ROLE
    )
    text = _clean(text)
    mentions = parse_mentions(text)
    _check_mentions(session, table_id=table_id, user_ids=mentions)
    comment = Comment(table_id=table_id, record_id=record_id, author_id=principal.user_id, text=text, mentions=mentions)
    session.add(comment)
    session.flush()
    _emit(
        session,
        type="comment.created",
        table=table,
        workspace_id=workspace_id,
        actor_id=principal.user_id,
        payload={"comment_id": comment.id, "record_id": record_id, "mentions": mentions},
    )
    return _out(comment, _users(session, {principal.user_id, *mentions}))


def _clean(text: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationFailed("A comment needs some text.", details=[{"loc": ["text"], "message": "blank"}])
    return text


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _cursor(comment: Comment) -> str:
    """The page cursor after this comment: its creation time in microseconds, then its ID."""
    at = comment.created_at
    micros = (at.replace(tzinfo=UTC) if at.tzinfo is None else at) - EPOCH
    return f"{micros // timedelta(microseconds=1)}.{comment.id}"


def _read_cursor(cursor: str) -> tuple[datetime, str]:
    micros, _, comment_id = cursor.partition(".")
    # isdigit() alone takes digits such as "²" that int() refuses.
    if not (micros.isascii() and micros.isdigit()) or not looks_like_id(comment_id, "com"):
        raise BadRequest("The cursor is not valid.", details={"cursor": cursor})
    try:
        at = EPOCH + timedelta(microseconds=int(micros))
    except OverflowError:
        raise BadRequest("The cursor is not valid.", details={"cursor": cursor}) from None
    return at, comment_id


def list_comments(
    session: Session,
    *,
    principal: Principal,
    table_id: str,
    record_id: str,
    limit: int = MAX_PAGE,
    cursor: str | None = None,
) -> tuple[list[CommentOut], str | None]:
    """Oldest first; `cursor` (from the previous page) continues after it."""
    _context(session, principal=principal, table_id=table_id, record_id=record_id, role=READ_ROLE)
    if not 1 <= limit <= MAX_PAGE:
        raise BadRequest(f"limit must be between 1 and {MAX_PAGE}.", details={"limit": limit})
    query = select(Comment).where(Comment.table_id == table_id, Comment.record_id == record_id)
    if cursor:
        query = query.where(tuple_(Comment.created_at, Comment.id) > _read_cursor(cursor))
    rows = list(session.scalars(query.order_by(Comment.created_at, Comment.id).limit(limit + 1)))
    next_cursor = _cursor(rows[limit - 1]) if len(rows) > limit else None
    rows = rows[:limit]
    ids = {c.author_id for c in rows if c.author_id} | {u for c in rows for u in c.mentions or []}
    users = _users(session, ids)
    return [_out(c, users) for c in rows], next_cursor


def _load(session: Session, *, table_id: str, record_id: str, comment_id: str) -> Comment:
    if not looks_like_id(comment_id, "com"):
        raise NotFound("Comment not found", details={"id": comment_id})
    comment = session.scalar(
        select(Comment)
        .where(Comment.id == comment_id, Comment.table_id == table_id, Comment.record_id == record_id)
        .with_for_update()
    )
    if comment is None:
        raise NotFound("Comment not found", details={"id": comment_id})
    return comment


def get_comment(
    session: Session, *, principal: Principal, table_id: str, record_id: str, comment_id: str
) -> CommentOut:
    _context(session, principal=principal, table_id=table_id, record_id=record_id, role=READ_ROLE)
    if not looks_like_id(comment_id, "com"):
        raise NotFound("Comment not found", details={"id": comment_id})
    comment = session.scalar(
        select(Comment).where(Comment.id == comment_id, Comment.table_id == table_id, Comment.record_id == record_id)
    )
    if comment is None:
        raise NotFound("Comment not found", details={"id": comment_id})
    ids = set(comment.mentions or [])
    if comment.author_id:
        ids.add(comment.author_id)
    return _out(comment, _users(session, ids))


def update_comment(
    session: Session, *, principal: Principal, table_id: str, record_id: str, comment_id: str, text: str
) -> CommentOut:
    table, workspace_id, _ = _context(
        session, principal=principal, table_id=table_id, record_id=record_id, role=WRITE_ROLE
    )
    comment = _load(session, table_id=table_id, record_id=record_id, comment_id=comment_id)
    if comment.author_id != principal.user_id:
        raise Forbidden("Only its author can edit a comment.", details={"id": comment_id})
    text = _clean(text)
    mentions = parse_mentions(text)
    _check_mentions(session, table_id=table_id, user_ids=mentions)
    added = [u for u in mentions if u not in set(comment.mentions or [])]
    comment.text = text
    comment.mentions = mentions
    comment.updated_at = utcnow()
    session.flush()
    _emit(
        session,
        type="comment.updated",
        table=table,
        workspace_id=workspace_id,
        actor_id=principal.user_id,
        payload={"comment_id": comment.id, "record_id": record_id, "mentions": mentions, "new_mentions": added},
    )
    return _out(comment, _users(session, {principal.user_id, *mentions}))


def delete_comment(
    session: Session, *, principal: Principal, table_id: str, record_id: str, comment_id: str
) -> dict[str, Any]:
    table, workspace_id, role = _context(
        session, principal=principal, table_id=table_id, record_id=record_id, role=WRITE_ROLE
    )
    comment = _load(session, table_id=table_id, record_id=record_id, comment_id=comment_id)
    if comment.author_id != principal.user_id and not at_least(role, MODERATOR_ROLE):
        raise Forbidden(
            "Only its author or an admin can delete a comment.",
            details={"id": comment_id, "role": role, "required": MODERATOR_ROLE},
        )
    session.delete(comment)
    session.flush()
    _emit(
        session,
        type="comment.deleted",
        table=table,
        workspace_id=workspace_id,
        actor_id=principal.user_id,
        payload={"comment_id": comment_id, "record_id": record_id},
    )
    return {"id": comment_id, "deleted": True}
