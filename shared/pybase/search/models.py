"""Search tables of the PostgreSQL backend, and the indexer feeder's cursor over the change log.

A document is derived data: the `index` function rebuilds it from the record's current values, so
it may be dropped and rebuilt at any time (`python -m pybase.search.reindex`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, SmallInteger, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from pybase.db import Base, utcnow


class SearchDocument(Base):
    __tablename__ = "search_documents"
    __table_args__ = (
        Index("ix_search_documents_tsv", "tsv", postgresql_using="gin"),
        Index("ix_search_documents_base_id", "base_id"),
        Index("ix_search_documents_workspace_id", "workspace_id"),
    )

    table_id: Mapped[str] = mapped_column(String(17), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(17), primary_key=True)
    base_id: Mapped[str] = mapped_column(String(17))
    workspace_id: Mapped[str] = mapped_column(String(17))
    # Field ID -> text of each stored field (IDs, so a rename needs no reindex); highlights come from here.
    fields: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # Text extracted from drawings attached to the record (title block, block attributes, texts, BOM rows).
    drawing: Mapped[str] = mapped_column(Text, default="")
    # Weighted: primary field A, other fields B, drawing text C.
    tsv: Mapped[Any] = mapped_column(TSVECTOR)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchTerm(Base):
    """The words of a base's documents, for typo correction. `variants` holds the word and the word
    with each one letter left out: two words share a variant when one substitution, insertion,
    deletion or swap of neighbours turns one into the other, so a GIN index over the variants finds
    the candidates of a misspelt word in a few index probes; they are then ranked by trigram
    similarity (pybase_trigrams, which works without pg_trgm)."""

    __tablename__ = "search_terms"
    __table_args__ = (Index("ix_search_terms_variants", "variants", postgresql_using="gin"),)

    base_id: Mapped[str] = mapped_column(String(17), primary_key=True)
    word: Mapped[str] = mapped_column(String(64), primary_key=True)
    variants: Mapped[list[str]] = mapped_column(ARRAY(Text))


class SearchCursor(Base):
    """How far the indexer feeder has read each shard of the change log (`change_events.id`)."""

    __tablename__ = "search_cursor"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    last_id: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
