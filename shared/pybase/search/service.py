"""Search: results only from tables the caller may read, only the fields of those tables.

Readable tables come from the tables service (the access rules of pybase.access); documents hold only
stored fields of their own table, so nothing of a linked table reaches a caller through search.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pybase.access.roles import Principal
from pybase.access.service import require_base, require_table
from pybase.bases.models import AppBase
from pybase.errors import ValidationFailed
from pybase.fields.models import Field
from pybase.search.backends import get_backend
from pybase.search.backends.base import DRAWING_KEY, MARK_END, MARK_START, SearchQuery, SearchResult
from pybase.search.schemas import Match, SearchHit, SearchResponse, Segment
from pybase.tables import service as tables_service

MAX_QUERY_CHARS = 200
MAX_LIMIT = 50
MAX_OFFSET = 1000
DRAWING_NAME = "Drawing"


def _check(q: str, limit: int, offset: int) -> str:
    text = (q or "").replace("\x00", "").strip()
    if not text:
        raise ValidationFailed("q is required: the words to search for.")
    if len(text) > MAX_QUERY_CHARS:
        raise ValidationFailed(f"q is at most {MAX_QUERY_CHARS} characters.", details={"length": len(text)})
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(f"limit is between 1 and {MAX_LIMIT}.", details={"limit": limit})
    if not 0 <= offset <= MAX_OFFSET:
        raise ValidationFailed(f"offset is between 0 and {MAX_OFFSET}.", details={"offset": offset})
    return text


def segments(marked: str) -> list[Segment]:
    """Backend text with MARK_START/MARK_END -> plain segments (no markup reaches the client)."""
    out: list[Segment] = []
    for i, part in enumerate(marked.split(MARK_START)):
        if i == 0:
            if part:
                out.append(Segment(text=part.replace(MARK_END, "")))
            continue
        matched, _, rest = part.partition(MARK_END)
        if matched:
            out.append(Segment(text=matched, match=True))
        if rest:
            out.append(Segment(text=rest))
    return out


def _respond(
    session: Session, *, text: str, result: SearchResult, tables: dict[str, dict[str, Any]], offset: int
) -> dict[str, Any]:
    table_ids = sorted({h.table_id for h in result.hits})
    fields_by_table: dict[str, dict[str, str]] = {t: {} for t in table_ids}
    if table_ids:
        for table_id, field_id, name in session.execute(
            select(Field.table_id, Field.id, Field.name)
            .where(Field.table_id.in_(table_ids), Field.deleted_at.is_(None))
            .order_by(Field.position)
        ):
            fields_by_table[table_id][field_id] = name
    hits = []
    for hit in result.hits:
        table = tables.get(hit.table_id)
        if table is None:  # defensive: the backend was asked for readable tables only
            continue
        visible = fields_by_table.get(hit.table_id, {})
        # Fields in the table's order; a field deleted since indexing is not shown.
        matches = [
            Match(field_id=key, field_name=name, snippet=segments(hit.highlights[key]))
            for key, name in visible.items()
            if key in hit.highlights
        ]
        if DRAWING_KEY in hit.highlights:
            snippet = segments(hit.highlights[DRAWING_KEY])
            matches.append(Match(field_id=DRAWING_KEY, field_name=DRAWING_NAME, snippet=snippet))
        primary = table.get("primary_field_id") or ""
        title = hit.fields.get(primary, "") if primary in visible else ""
        found = SearchHit(
            table_id=hit.table_id, table_name=table["name"], record_id=hit.record_id, title=title,
            score=round(hit.score, 6), matches=matches,
        )  # fmt: skip
        hits.append(found)
    response = SearchResponse(
        query=text, results=hits, offset=offset,
        next_offset=offset + len(result.hits) if result.has_more else None, typo_corrected=result.typo_corrected,
    )  # fmt: skip
    return response.model_dump()


def search_base(
    session: Session, *, principal: Principal, base_id: str, q: str, table_ids: list[str] | None = None,
    field_ids: list[str] | None = None, limit: int = 20, offset: int = 0,
) -> dict[str, Any]:  # fmt: skip
    text = _check(q, limit, offset)
    # list_tables checks the caller may see the base (404 otherwise) and loads it into the session.
    readable = {t["id"]: t for t in tables_service.list_tables(session, principal=principal, base_id=base_id)}
    base = session.get(AppBase, base_id)
    assert base is not None
    chosen = [t for t in readable if table_ids is None or t in set(table_ids)]
    query = SearchQuery(
        text=text, workspace_id=base.workspace_id, base_id=base_id, table_ids=chosen, field_ids=field_ids,
        limit=limit, offset=offset,
    )  # fmt: skip
    result = get_backend().search(session, query)
    return _respond(session, text=text, result=result, tables=readable, offset=offset)


def search_table(
    session: Session, *, principal: Principal, table_id: str, q: str, field_ids: list[str] | None = None,
    limit: int = 20, offset: int = 0,
) -> dict[str, Any]:  # fmt: skip
    text = _check(q, limit, offset)
    table = require_table(session, principal=principal, table_id=table_id, need="viewer").table
    base = require_base(session, principal=principal, base_id=table.base_id, role="viewer")
    info = {"id": table.id, "name": table.name, "primary_field_id": table.primary_field_id}
    query = SearchQuery(
        text=text, workspace_id=base.workspace_id, base_id=table.base_id, table_ids=[table.id],
        field_ids=field_ids, limit=limit, offset=offset,
    )  # fmt: skip
    result = get_backend().search(session, query)
    return _respond(session, text=text, result=result, tables={table.id: info}, offset=offset)


def reindex(
    session: Session, *, principal: Principal, table_id: str | None = None, base_id: str | None = None
) -> dict[str, int]:
    """Rebuild the documents of a table or a base now (admins; the reindex command does the same)."""
    from pybase.search import indexer

    backend = get_backend()
    if table_id is not None:
        require_table(session, principal=principal, table_id=table_id, need="admin")
        return {"indexed": indexer.index_table(session, backend, table_id=table_id).get("indexed", 0)}
    assert base_id is not None
    require_base(session, principal=principal, base_id=base_id, role="admin")
    return {"indexed": indexer.index_base(session, backend, base_id=base_id).get("indexed", 0)}
