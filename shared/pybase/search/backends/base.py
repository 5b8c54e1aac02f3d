"""The interface every search backend implements, and the shapes passed across it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from pybase.search.documents import Document, TableInfo

# Highlighted matches are wrapped in these two control characters by every backend; the service turns
# them into segments, so no backend's markup (or a value's own "<mark>") ever reaches a client as HTML.
MARK_START = "\x02"
MARK_END = "\x03"
DRAWING_KEY = "_drawing"


@dataclass(frozen=True)
class SearchQuery:
    text: str
    workspace_id: str
    base_id: str
    table_ids: list[str]  # only these tables (the caller's readable ones, narrowed by the request)
    field_ids: list[str] | None = None  # only matches in these fields (None: every field and drawings)
    limit: int = 20
    offset: int = 0


@dataclass
class Hit:
    table_id: str
    record_id: str
    score: float
    # Field ID (or DRAWING_KEY) -> text with MARK_START/MARK_END around the matches.
    highlights: dict[str, str] = field(default_factory=dict)
    # Field ID -> indexed text of the record's fields (the service keeps only fields the caller sees).
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class SearchResult:
    hits: list[Hit]
    has_more: bool
    typo_corrected: bool = False


class SearchBackend(Protocol):
    name: str

    def upsert(self, session: Session, docs: list[Document]) -> None: ...

    def index_where(
        self, session: Session, info: TableInfo, where: str, params: dict[str, Any], *, words: bool = True
    ) -> set[str]:
        """Rebuild the documents of the table's live records matching `where` (SQL over `records`,
        named parameters); returns the IDs of the records written. `words=False`: a full reindex of
        the table, which calls after_reindex once its batches are written."""
        ...

    def after_reindex(self, session: Session, info: TableInfo, *, shard: tuple[int, int] = (0, 1)) -> None:
        """Work left for the end of a full reindex of a table (after its last batch). A rebuild over
        several connections calls it once per connection, shard=(k, n): the k-th of n parts."""
        ...

    def delete_records(self, session: Session, *, workspace_id: str, table_id: str, record_ids: list[str]) -> None: ...

    def reindex_marker(self, session: Session) -> Any:
        """A point in the backend's own clock, taken before a full reindex of a table starts."""
        ...

    def delete_stale(self, session: Session, *, workspace_id: str, table_id: str, marker: Any) -> None:
        """Drop the table's documents not written since `marker` (records gone before the reindex)."""
        ...

    def delete_table(self, session: Session, *, workspace_id: str | None, table_id: str) -> None: ...

    def delete_base(self, session: Session, *, workspace_id: str | None, base_id: str) -> None: ...

    def delete_workspace(self, session: Session, *, workspace_id: str) -> None: ...

    def search(self, session: Session, query: SearchQuery) -> SearchResult: ...
