"""PostgreSQL full-text backend: one row per record in `search_documents`.

- A weighted `tsvector` ('simple' configuration: no stemming, any language): the primary field A,
  the other fields B, drawing text C; `ts_rank` orders hits.
- Every query word is a prefix (`word:*`), so results follow as you type.
- Typos: when a query finds nothing, each word is replaced by the base's nearest known words
  (`search_terms`, compared by padded trigrams through a GIN index, which works without pg_trgm).
- Highlights with `ts_headline` per field, on the page's hits only.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from pybase.search.backends.base import DRAWING_KEY, MARK_END, MARK_START, Hit, SearchQuery, SearchResult
from pybase.search.documents import Document

# Ranking reads the tsvector of every candidate: a very common prefix ("a") would rank a million rows.
# Candidates are capped; hits beyond the cap are still found by more specific queries.
MAX_CANDIDATES = 2000
TYPO_MIN_LENGTH = 4
TYPO_ALTERNATIVES = 3
TYPO_MIN_SIMILARITY = 0.25  # a swap of two letters in a 6-letter word scores 0.27
# Hyphens and slashes split words both when indexing and querying: "P-101" finds "P 101" and "101".
_SPLIT_SQL = "regexp_replace({}, '[-/]', ' ', 'g')"
_SPLIT = re.compile(r"[-/]")
_HEADLINE_OPTIONS = (
    f"StartSel={MARK_START},StopSel={MARK_END},MaxWords=18,MinWords=6,MaxFragments=2,FragmentDelimiter= … "
)

_UPSERT = f"""
INSERT INTO search_documents (table_id, record_id, base_id, workspace_id, fields, drawing, tsv, updated_at)
SELECT t, r, b, w, f, d,
       setweight(to_tsvector('simple', {_SPLIT_SQL.format("p")}), 'A')
       || setweight(to_tsvector('simple', {_SPLIT_SQL.format("o")}), 'B')
       || setweight(to_tsvector('simple', {_SPLIT_SQL.format("d")}), 'C'),
       clock_timestamp()
FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::jsonb[], %s::text[], %s::text[], %s::text[])
     AS u(t, r, b, w, f, d, p, o)
ON CONFLICT (table_id, record_id) DO UPDATE SET
  base_id = EXCLUDED.base_id, workspace_id = EXCLUDED.workspace_id, fields = EXCLUDED.fields,
  drawing = EXCLUDED.drawing, tsv = EXCLUDED.tsv, updated_at = EXCLUDED.updated_at
"""
_TERMS = """
INSERT INTO search_terms (base_id, word, trigrams)
SELECT %s, w, string_to_array(g, chr(1)) FROM unnest(%s::text[], %s::text[]) AS u(w, g)
ON CONFLICT DO NOTHING
"""
_SIMILAR = """
SELECT word FROM (
  SELECT word, cardinality(ARRAY(SELECT unnest(trigrams) INTERSECT SELECT unnest(%(g)s::text[])))::float8 AS shared,
         cardinality(trigrams) AS n
  FROM search_terms
  WHERE base_id = %(base)s AND trigrams && %(g)s::text[] AND length(word) BETWEEN %(lo)s AND %(hi)s
) AS c
WHERE shared / (n + %(len)s - shared) >= %(min)s
ORDER BY shared / (n + %(len)s - shared) DESC, word
LIMIT %(k)s
"""


def trigrams(word: str) -> list[str]:
    """pg_trgm's padded trigrams ("  w", " wo", ..., "rd "), so short words and word starts count."""
    padded = f"  {word} "
    return sorted({padded[i : i + 3] for i in range(len(padded) - 2)})


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


class PostgresBackend:
    name = "postgres"

    def __init__(self) -> None:
        # (base, word) pairs this process has already written: a reindex does not resend every word.
        self._known_terms: set[tuple[str, str]] = set()

    # --- writes -----------------------------------------------------------------------------

    def upsert(self, session: Session, docs: list[Document]) -> None:
        if not docs:
            return
        columns: list[list[Any]] = [[] for _ in range(8)]
        for d in docs:
            values = (d.table_id, d.record_id, d.base_id, d.workspace_id, json.dumps(d.fields), d.drawing,
                      d.primary, d.other)  # fmt: skip
            for column, value in zip(columns, values, strict=True):
                column.append(value)
        raw = session.connection().connection.driver_connection
        raw.execute(_UPSERT, columns)
        new_terms: dict[str, list[str]] = defaultdict(list)
        for d in docs:
            for word in d.words():
                key = (d.base_id, word)
                if key not in self._known_terms:
                    self._known_terms.add(key)
                    new_terms[d.base_id].append(word)
        for base_id, words in new_terms.items():
            raw.execute(_TERMS, (base_id, words, [chr(1).join(trigrams(w)) for w in words]))

    def forget_terms(self) -> None:
        self._known_terms.clear()

    def delete_records(self, session: Session, *, workspace_id: str, table_id: str, record_ids: list[str]) -> None:
        if record_ids:
            self._raw(session).execute(
                "DELETE FROM search_documents WHERE table_id = %s AND record_id = ANY(%s)", (table_id, record_ids)
            )

    def reindex_marker(self, session: Session) -> Any:
        return self._raw(session).execute("SELECT clock_timestamp()").fetchone()[0]

    def delete_stale(self, session: Session, *, workspace_id: str, table_id: str, marker: Any) -> None:
        self._raw(session).execute(
            "DELETE FROM search_documents WHERE table_id = %s AND updated_at < %s", (table_id, marker)
        )

    def delete_table(self, session: Session, *, workspace_id: str | None, table_id: str) -> None:
        self._raw(session).execute("DELETE FROM search_documents WHERE table_id = %s", (table_id,))

    def delete_base(self, session: Session, *, workspace_id: str | None, base_id: str) -> None:
        raw = self._raw(session)
        raw.execute("DELETE FROM search_documents WHERE base_id = %s", (base_id,))
        raw.execute("DELETE FROM search_terms WHERE base_id = %s", (base_id,))
        self._known_terms = {k for k in self._known_terms if k[0] != base_id}

    def delete_workspace(self, session: Session, *, workspace_id: str) -> None:
        rows = self._raw(session).execute(
            "SELECT DISTINCT base_id FROM search_documents WHERE workspace_id = %s", (workspace_id,)
        ).fetchall()
        for (base_id,) in rows:
            self.delete_base(session, workspace_id=workspace_id, base_id=base_id)

    # --- reads ------------------------------------------------------------------------------

    @staticmethod
    def _raw(session: Session) -> Any:
        return session.connection().connection.driver_connection

    def _words(self, session: Session, text: str) -> list[str]:
        """The query's words as the index splits them (PostgreSQL's own parser, same configuration)."""
        row = self._raw(session).execute(
            "SELECT coalesce(array_agg(lexeme ORDER BY lexeme), '{}') FROM unnest(to_tsvector('simple', %s))",
            (_SPLIT.sub(" ", text),),
        ).fetchone()
        return [w for w in row[0] if w]

    def search(self, session: Session, query: SearchQuery) -> SearchResult:
        words = self._words(session, query.text)
        if not words or not query.table_ids:
            return SearchResult(hits=[], has_more=False)
        tsquery = " & ".join(f"{_lexeme(w)}:*" for w in words)
        hits, more = self._run(session, query, tsquery)
        # Typo correction only when the words as typed find nothing at all (not past the last page).
        if hits or (query.offset and self._exists(session, query, tsquery)):
            return SearchResult(hits=hits, has_more=more)
        corrected = self._typo_query(session, query.base_id, words)
        if corrected is None:
            return SearchResult(hits=[], has_more=False)
        hits, more = self._run(session, query, corrected)
        return SearchResult(hits=hits, has_more=more, typo_corrected=True)

    def _typo_query(self, session: Session, base_id: str, words: list[str]) -> str | None:
        raw = self._raw(session)
        parts = []
        changed = False
        for word in words:
            alternatives = [f"{_lexeme(word)}:*"]
            if len(word) >= TYPO_MIN_LENGTH:
                grams = trigrams(word)
                similar = [r[0] for r in raw.execute(_SIMILAR, {
                    "g": grams, "base": base_id, "lo": len(word) - 2, "hi": len(word) + 2, "len": len(grams),
                    "min": TYPO_MIN_SIMILARITY, "k": TYPO_ALTERNATIVES,
                })]  # fmt: skip
                for alt in similar:
                    if alt != word:
                        alternatives.append(_lexeme(alt))
                        changed = True
            parts.append("(" + " | ".join(alternatives) + ")")
        return " & ".join(parts) if changed else None

    def _filters(self, query: SearchQuery, params: dict[str, Any]) -> str:
        params.update(base=query.base_id, tables=query.table_ids)
        sql = "d.base_id = %(base)s AND d.table_id = ANY(%(tables)s)"
        if query.field_ids is not None:
            params["fields"] = query.field_ids
            sql += (
                " AND EXISTS (SELECT 1 FROM jsonb_each_text(d.fields) AS f WHERE f.key = ANY(%(fields)s)"
                f" AND to_tsvector('simple', {_SPLIT_SQL.format('f.value')}) @@ q.q)"
            )
        return sql

    def _exists(self, session: Session, query: SearchQuery, tsquery: str) -> bool:
        params: dict[str, Any] = {"q": tsquery}
        where = self._filters(query, params)
        sql = (
            "SELECT 1 FROM search_documents d, (SELECT %(q)s::tsquery AS q) AS q"
            f" WHERE d.tsv @@ q.q AND {where} LIMIT 1"
        )
        return self._raw(session).execute(sql, params).fetchone() is not None

    def _run(self, session: Session, query: SearchQuery, tsquery: str) -> tuple[list[Hit], bool]:
        params: dict[str, Any] = {
            "q": tsquery, "cap": MAX_CANDIDATES, "limit": query.limit + 1, "offset": query.offset,
            "opts": _HEADLINE_OPTIONS,
        }  # fmt: skip
        where = self._filters(query, params)
        sql = f"""
        WITH q AS (SELECT %(q)s::tsquery AS q),
        cand AS (
          SELECT d.table_id, d.record_id, d.fields, d.drawing, ts_rank(d.tsv, q.q) AS score
          FROM search_documents d, q WHERE d.tsv @@ q.q AND {where} LIMIT %(cap)s
        ),
        page AS (SELECT * FROM cand ORDER BY score DESC, table_id, record_id LIMIT %(limit)s OFFSET %(offset)s)
        SELECT p.table_id, p.record_id, p.score, p.fields,
          (SELECT coalesce(jsonb_object_agg(f.key, ts_headline('simple', f.value, q.q, %(opts)s)), '{{}}'::jsonb)
             FROM (SELECT key, value FROM jsonb_each_text(p.fields) UNION ALL SELECT '{DRAWING_KEY}', p.drawing) AS f
             WHERE to_tsvector('simple', {_SPLIT_SQL.format('f.value')}) @@ q.q)
        FROM page p, q
        ORDER BY p.score DESC, p.table_id, p.record_id
        """
        rows = self._raw(session).execute(sql, params).fetchall()
        more = len(rows) > query.limit
        hits = [
            Hit(table_id=t, record_id=r, score=float(s), fields=f or {}, highlights=h or {})
            for t, r, s, f, h in rows[: query.limit]
        ]
        return hits, more


def make() -> PostgresBackend:
    return PostgresBackend()
