"""Meilisearch backend (the official `meilisearch` client; `pip install 'pybase[search]'`).

One index per workspace (`pybase_<workspace id>`); `base_id` and `table_id` are filterable, so every
search is limited to the caller's readable tables by a filter. Searchable attributes in ranking
order: the primary field, the other fields, drawing text. Writes are tasks: each is awaited with a
timeout and a failed task raises with Meilisearch's own error, so the index function reports the
message as failed (it comes back, then reaches the dead-letter queue).
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy.orm import Session

from pybase.config import get_settings
from pybase.errors import ServiceUnavailable
from pybase.search.backends.base import DRAWING_KEY, MARK_END, MARK_START, Hit, SearchQuery, SearchResult
from pybase.search.documents import Document, TableInfo, load_where

INDEX_PREFIX = "pybase_"
TASK_TIMEOUT_MS = 30_000
TASK_INTERVAL_MS = 25
SETTINGS: dict[str, Any] = {
    "searchableAttributes": ["primary", "fields", "drawing"],
    "filterableAttributes": ["workspace_id", "base_id", "table_id", "record_id", "indexed_at"],
    "displayedAttributes": ["id", "table_id", "record_id", "base_id", "fields", "drawing"],
    "rankingRules": ["words", "typo", "proximity", "attribute", "exactness"],
    "typoTolerance": {"enabled": True, "minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 8}},
}


class MeilisearchTaskFailed(RuntimeError):
    """A write task that Meilisearch did not complete (failed, canceled or timed out)."""


def _quote(value: str) -> str:
    # IDs are alphanumeric; quoting keeps a filter valid whatever they contain.
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class MeilisearchBackend:
    name = "meilisearch"

    def __init__(self, url: str, api_key: str | None = None) -> None:
        import meilisearch

        self.client = meilisearch.Client(url, api_key, timeout=10)
        self._ready: set[str] = set()

    # --- tasks and indexes ---------------------------------------------------------------------

    def _wait(self, info: Any) -> None:
        from meilisearch.errors import MeilisearchTimeoutError

        try:
            task = self.client.wait_for_task(
                info.task_uid, timeout_in_ms=TASK_TIMEOUT_MS, interval_in_ms=TASK_INTERVAL_MS
            )
        except MeilisearchTimeoutError as exc:
            raise MeilisearchTaskFailed(f"Meilisearch task {info.task_uid} not done in {TASK_TIMEOUT_MS} ms") from exc
        if task.status != "succeeded":
            raise MeilisearchTaskFailed(f"Meilisearch task {task.uid} ({task.type}) {task.status}: {task.error}")

    def index_uid(self, workspace_id: str) -> str:
        return f"{INDEX_PREFIX}{workspace_id}"

    def _index(self, workspace_id: str) -> Any:
        from meilisearch.errors import MeilisearchApiError

        uid = self.index_uid(workspace_id)
        if uid not in self._ready:
            try:
                self.client.get_index(uid)
            except MeilisearchApiError as exc:
                if getattr(exc, "code", None) != "index_not_found":
                    raise
                self._wait(self.client.create_index(uid, {"primaryKey": "id"}))
            self._wait(self.client.index(uid).update_settings(SETTINGS))
            self._ready.add(uid)
        return self.client.index(uid)

    def _delete_where(self, workspace_id: str, condition: str) -> None:
        self._wait(self._index(workspace_id).delete_documents(filter=condition))

    # --- writes ---------------------------------------------------------------------------------

    def upsert(self, session: Session, docs: list[Document]) -> None:
        stamp = int(time.time() * 1000)
        by_workspace: dict[str, list[dict[str, Any]]] = {}
        for d in docs:
            document = {
                "id": f"{d.table_id}_{d.record_id}",
                "table_id": d.table_id, "record_id": d.record_id, "base_id": d.base_id,
                "workspace_id": d.workspace_id, "primary": d.primary, "fields": d.fields,
                "drawing": d.drawing, "indexed_at": stamp,
            }  # fmt: skip
            by_workspace.setdefault(d.workspace_id, []).append(document)
        for workspace_id, documents in by_workspace.items():
            self._wait(self._index(workspace_id).add_documents(documents, primary_key="id"))

    def index_where(
        self, session: Session, info: TableInfo, where: str, params: dict[str, Any], *, words: bool = True
    ) -> set[str]:
        docs = load_where(session, info, where, params)
        self.upsert(session, docs)
        return {d.record_id for d in docs}

    def after_reindex(self, session: Session, info: TableInfo, *, shard: tuple[int, int] = (0, 1)) -> None:
        pass  # Meilisearch keeps its own dictionary for typos

    def delete_records(self, session: Session, *, workspace_id: str, table_id: str, record_ids: list[str]) -> None:
        if record_ids:
            ids: list[str | int] = [f"{table_id}_{r}" for r in record_ids]
            self._wait(self._index(workspace_id).delete_documents(ids))

    def reindex_marker(self, session: Session) -> Any:
        return int(time.time() * 1000)

    def delete_stale(self, session: Session, *, workspace_id: str, table_id: str, marker: Any) -> None:
        self._delete_where(workspace_id, f"table_id = {_quote(table_id)} AND indexed_at < {int(marker)}")

    def delete_table(self, session: Session, *, workspace_id: str | None, table_id: str) -> None:
        for uid in self._uids(workspace_id):
            self._wait(self.client.index(uid).delete_documents(filter=f"table_id = {_quote(table_id)}"))

    def delete_base(self, session: Session, *, workspace_id: str | None, base_id: str) -> None:
        for uid in self._uids(workspace_id):
            self._wait(self.client.index(uid).delete_documents(filter=f"base_id = {_quote(base_id)}"))

    def delete_workspace(self, session: Session, *, workspace_id: str) -> None:
        from meilisearch.errors import MeilisearchApiError

        uid = self.index_uid(workspace_id)
        try:
            self._wait(self.client.delete_index(uid))
        except MeilisearchApiError as exc:
            if getattr(exc, "code", None) != "index_not_found":
                raise
        self._ready.discard(uid)

    def _uids(self, workspace_id: str | None) -> list[str]:
        """The workspace's index, or every PyBase index when the workspace is no longer known."""
        if workspace_id is not None:
            return [self._index(workspace_id).uid]
        result = self.client.get_indexes({"limit": 1000})
        return [i.uid for i in result["results"] if i.uid.startswith(INDEX_PREFIX)]

    # --- reads ----------------------------------------------------------------------------------

    def search(self, session: Session, query: SearchQuery) -> SearchResult:
        from meilisearch.errors import MeilisearchApiError, MeilisearchCommunicationError, MeilisearchTimeoutError

        if not query.table_ids or not query.text.strip():
            return SearchResult(hits=[], has_more=False)
        tables = ", ".join(_quote(t) for t in query.table_ids)
        params: dict[str, Any] = {
            "filter": [f"base_id = {_quote(query.base_id)}", f"table_id IN [{tables}]"],
            "limit": query.limit + 1,
            "offset": query.offset,
            "attributesToHighlight": ["fields", "drawing"],
            "attributesToCrop": ["drawing"],
            "cropLength": 24,
            "highlightPreTag": MARK_START,
            "highlightPostTag": MARK_END,
            "showRankingScore": True,
            "attributesToRetrieve": ["table_id", "record_id", "fields"],
        }
        if query.field_ids is not None:
            params["attributesToSearchOn"] = [f"fields.{f}" for f in query.field_ids] or ["fields.none"]
        try:
            answer = self._index(query.workspace_id).search(query.text, params)
        except (MeilisearchCommunicationError, MeilisearchTimeoutError) as exc:
            raise ServiceUnavailable("The search service cannot be reached.", retry_after=5) from exc
        except MeilisearchApiError as exc:
            raise ServiceUnavailable(f"The search service refused the query: {exc}", retry_after=5) from exc
        hits = []
        for item in answer.get("hits", [])[: query.limit]:
            formatted = item.get("_formatted") or {}
            fields = formatted.get("fields") or {}
            highlights = {k: v for k, v in fields.items() if isinstance(v, str) and MARK_START in v}
            drawing = formatted.get("drawing")
            if isinstance(drawing, str) and MARK_START in drawing:
                highlights[DRAWING_KEY] = drawing
            hits.append(
                Hit(table_id=item["table_id"], record_id=item["record_id"], fields=item.get("fields") or {},
                    score=float(item.get("_rankingScore") or 0.0), highlights=highlights)
            )  # fmt: skip
        return SearchResult(hits=hits, has_more=len(answer.get("hits", [])) > query.limit)


def make() -> MeilisearchBackend:
    settings = get_settings()
    if not settings.meilisearch_url:
        raise ServiceUnavailable("PYBASE_SEARCH_BACKEND is meilisearch but MEILISEARCH_URL is not set.", retry_after=60)
    return MeilisearchBackend(settings.meilisearch_url, settings.meilisearch_api_key)
