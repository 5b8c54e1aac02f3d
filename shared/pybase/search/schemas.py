"""Response shapes of the search API."""

from __future__ import annotations

from pydantic import BaseModel


class Segment(BaseModel):
    """A piece of a snippet; `match` marks the words that matched the query (render them highlighted)."""

    text: str
    match: bool = False


class Match(BaseModel):
    field_id: str  # "_drawing" for text extracted from the record's drawings
    field_name: str
    snippet: list[Segment]


class SearchHit(BaseModel):
    table_id: str
    table_name: str
    record_id: str
    title: str  # the primary field's text
    score: float
    matches: list[Match]


class SearchResponse(BaseModel):
    query: str
    results: list[SearchHit]
    offset: int
    next_offset: int | None
    typo_corrected: bool


class ReindexResponse(BaseModel):
    indexed: int
