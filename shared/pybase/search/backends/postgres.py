"""PostgreSQL full-text backend: one row per record in `search_documents`.

- A weighted `tsvector` ('simple' configuration: no stemming, any language): the primary field A,
  the other fields B, drawing text C; `ts_rank` orders hits.
- Every query word is a prefix (`word:*`), so results follow as you type.
- Typos: when a query finds nothing, each word may also be one of the base's known words within
  one edit (`search_terms`: shared one-deletion variants through a GIN index), ranked by trigram
  similarity with `pybase_trigrams()` (works without pg_trgm).
- Highlights with `ts_headline` per field, on the page's hits only.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from pybase.search import documents
from pybase.search.backends.base import DRAWING_KEY, MARK_END, MARK_START, Hit, SearchQuery, SearchResult
from pybase.search.documents import Document

# Ranking reads the tsvector of every candidate: a very common prefix ("a") would rank a million rows.
# Candidates are capped; hits beyond the cap are still found by more specific queries.
MAX_CANDIDATES = 1000
# A query of short words (as you type "br") or of a common word ("flange", 1 record in 15) matches a
# large share of the documents, and the GIN bitmap of its hits is built in full before any row is read
# (46-60 ms for 100,000 hits of 200,000; it grows with the table). So every query first reads the
# first PROBE_ROWS documents of the tables in order; when they hold a page of hits (limit + 1,
# whatever the offset, so every page of a query takes the same path), candidates come from them
# alone, otherwise (a rarer word: a small bitmap) from the GIN index.
PROBE_ROWS = 5000
TYPO_MIN_LENGTH = 4
TYPO_ALTERNATIVES = 3
# Hyphens and slashes split words both when indexing and querying: "P-101" finds "P 101" and "101".
_SPLIT = str.maketrans({"-": " ", "/": " "})
_SPLIT_SQL = "translate({}, '-/', '  ')"
# Headlines are cut from the text with hyphens and slashes swapped for look-alikes the parser takes as
# separators (so "101" lights up in "P-101"), swapped back afterwards.
_LOOKALIKE = "\u2011\u2215"
_HEADLINE_TEXT = "translate({}, '-/', '" + _LOOKALIKE + "')"
_UNLOOK = str.maketrans({_LOOKALIKE[0]: "-", _LOOKALIKE[1]: "/"})
_HEADLINE_OPTIONS = (
    f"StartSel={MARK_START},StopSel={MARK_END},MaxWords=18,MinWords=6,MaxFragments=2,FragmentDelimiter= … "
)
# Each word of the (already split) query text as a prefix, ANDed; NULL (matches nothing) without words.
# Lexemes are quoted for to_tsquery: backslashes and quotes doubled. A one-letter word next to longer
# ones is left out (the "P" of "P-101"): as a prefix it matches nearly every document, adding nothing.
PREFIX_TSQUERY = r"""(SELECT to_tsquery('simple', string_agg(
    '''' || replace(replace(lexeme, '\', '\\'), '''', '''''') || ''':*', ' & '))
  FROM (SELECT lexeme, max(length(lexeme)) OVER () AS longest FROM unnest(to_tsvector('simple', %(text)s))) AS w
  WHERE length(lexeme) > 1 OR longest = 1)"""

# Documents go through a temporary table filled by COPY (the fastest way in; arrays passed as query
# parameters are escaped value by value in Python), then one upsert computes the weighted tsvectors.
_LOAD_TABLE = """
CREATE TEMP TABLE IF NOT EXISTS pybase_search_load (
  t text, r text, b text, w text, f jsonb, d text, p text, o text, dd text
) ON COMMIT DELETE ROWS
"""
_UPSERT = """
INSERT INTO search_documents (table_id, record_id, base_id, workspace_id, fields, drawing, tsv, updated_at)
SELECT t, r, b, w, f, d,
       setweight(to_tsvector('simple', p), 'A') || setweight(to_tsvector('simple', o), 'B')
       || setweight(to_tsvector('simple', dd), 'C'),
       clock_timestamp()
FROM pybase_search_load
ON CONFLICT (table_id, record_id) DO UPDATE SET
  base_id = EXCLUDED.base_id, workspace_id = EXCLUDED.workspace_id, fields = EXCLUDED.fields,
  drawing = EXCLUDED.drawing, tsv = EXCLUDED.tsv, updated_at = EXCLUDED.updated_at
"""
# New words as one newline-separated string (no per-value escaping); variants computed by the server.
_TERMS = r"""
INSERT INTO search_terms (base_id, word, variants)
SELECT %s, w, ARRAY(SELECT w UNION SELECT overlay(w PLACING '' FROM i FOR 1) FROM generate_series(1, length(w)) AS i)
FROM unnest(string_to_array(%s, E'\n')) AS w
ON CONFLICT DO NOTHING
"""
_SIMILAR = """
SELECT word FROM search_terms
WHERE base_id = %(base)s AND variants && %(keys)s::text[] AND word <> %(word)s
ORDER BY cardinality(ARRAY(SELECT unnest(pybase_trigrams(word)) INTERSECT SELECT unnest(pybase_trigrams(%(word)s))))
         DESC, abs(length(word) - length(%(word)s)), word
LIMIT %(k)s
"""
# Documents built by the database from `records` (see index_where): fields as JSON and the weighted
# tsvector, with the new words of the typo table unless a whole table's come after its last batch.
_BUILD = r"""
WITH src AS (
  SELECT id, {columns} FROM records
  WHERE table_id = %(table)s AND deleted_at IS NULL AND ({where}) AND NOT ({python_only})
),
ins AS (
  INSERT INTO search_documents (table_id, record_id, base_id, workspace_id, fields, drawing, tsv, updated_at)
  SELECT %(table)s, id, %(base)s, %(workspace)s, {fields}, '',
         setweight(to_tsvector('simple', translate({primary}, '-/', '  ')), 'A')
         || setweight(to_tsvector('simple', translate({other}, '-/', '  ')), 'B'),
         clock_timestamp()
  FROM src
  ON CONFLICT (table_id, record_id) DO UPDATE SET
    base_id = EXCLUDED.base_id, workspace_id = EXCLUDED.workspace_id, fields = EXCLUDED.fields,
    drawing = EXCLUDED.drawing, tsv = EXCLUDED.tsv, updated_at = EXCLUDED.updated_at
  RETURNING record_id, tsv
)
{terms}SELECT record_id FROM ins
"""
# The new words of the written documents into the typo table (see SearchTerm), from their lexemes.
_NEW_WORDS = r"""
  INSERT INTO search_terms (base_id, word, variants)
  SELECT %(base)s::varchar, w,
         ARRAY(SELECT w UNION SELECT overlay(w PLACING '' FROM i FOR 1) FROM generate_series(1, length(w)) AS i)
  FROM (SELECT DISTINCT lexeme AS w FROM {source}, unnest(tsv)) AS words
  WHERE length(w) BETWEEN 3 AND 64 AND w ~ '^\w+$' AND w !~ '^[0-9]+$'
    AND NOT EXISTS (SELECT 1 FROM search_terms t WHERE t.base_id = %(base)s::varchar AND t.word = words.w)
  ON CONFLICT DO NOTHING
"""
# jsonb_build_object takes at most 100 arguments: fields go in groups of this many pairs.
_JSON_PAIRS = 40
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def variants(word: str) -> list[str]:
    """The word and each one-letter deletion of it (see SearchTerm)."""
    return sorted({word, *(word[:i] + word[i + 1 :] for i in range(len(word)))})


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


class PostgresBackend:
    name = "postgres"

    def __init__(self) -> None:
        # (base, word) pairs this process has already written: a reindex does not resend every word.
        self._known_terms: set[tuple[str, str]] = set()

    @staticmethod
    def _raw(session: Session) -> Any:
        return session.connection().connection.driver_connection

    # --- writes -----------------------------------------------------------------------------

    def upsert(self, session: Session, docs: list[Document]) -> None:
        if not docs:
            return
        raw = self._raw(session)
        raw.execute(_LOAD_TABLE)
        lines = []
        for d in docs:
            values = (d.table_id, d.record_id, d.base_id, d.workspace_id, json.dumps(d.fields), d.drawing,
                      d.primary.translate(_SPLIT), d.other.translate(_SPLIT), d.drawing.translate(_SPLIT))  # fmt: skip
            lines.append("\t".join(v.translate(_COPY_ESCAPES) for v in values))
        with raw.cursor() as cur, cur.copy("COPY pybase_search_load FROM STDIN") as copy:
            copy.write("\n".join(lines) + "\n")
        raw.execute(_UPSERT)
        raw.execute("TRUNCATE pybase_search_load")
        new_terms: dict[str, list[str]] = defaultdict(list)
        for d in docs:
            for word in d.words():
                key = (d.base_id, word)
                if key not in self._known_terms:
                    self._known_terms.add(key)
                    new_terms[d.base_id].append(word)
        for base_id, words in new_terms.items():
            raw.execute(_TERMS, (base_id, "\n".join(words)))

    def index_where(
        self, session: Session, info: documents.TableInfo, where: str, params: dict[str, Any], *, words: bool = True
    ) -> set[str]:
        """Rebuild the documents of the table's live records matching `where`; the IDs written.

        Records whose values are all text or numbers are built by PostgreSQL (no Python per record:
        5-10x fewer round trips of data); the others, and records with drawing text, in Python.
        """
        table = info.table
        fields = documents.indexed_fields(info)
        columns = [f"nullif(left(data->>'{f.id}', {documents.MAX_FIELD_CHARS}), '') AS c{i}"
                   for i, f in enumerate(fields) if f.type in documents.SQL_TEXT_TYPES]  # fmt: skip
        sql_fields = [(i, f) for i, f in enumerate(fields) if f.type in documents.SQL_TEXT_TYPES]
        pairs = [f"'{f.id}', c{i}" for i, f in sql_fields]
        groups = [pairs[k : k + _JSON_PAIRS] for k in range(0, len(pairs), _JSON_PAIRS)] or [[]]
        fields_json = " || ".join(f"jsonb_strip_nulls(jsonb_build_object({', '.join(g)}))" for g in groups)
        primary = next((f"c{i}" for i, f in sql_fields if f.id == table.primary_field_id), None)
        other = [f"c{i}" for i, f in sql_fields if f.id != table.primary_field_id]
        sql = _BUILD.format(
            columns=", ".join(columns) or "1 AS none", where=where, python_only=documents.python_only_sql(info),
            fields=fields_json, primary=f"coalesce({primary}, '')" if primary else "''",
            other=f"concat_ws(E'\\n', {', '.join(other)})" if other else "''",
            terms=f", terms AS ({_NEW_WORDS.format(source='ins')})\n" if words else "",
        )  # fmt: skip
        values = {**params, "table": table.id, "base": table.base_id, "workspace": info.workspace_id}
        raw = self._raw(session)
        if not words:
            # A full rebuild's chunk: a larger GIN pending list merges into the index in fewer, larger
            # steps (with room in memory to sort them).
            raw.execute("SET LOCAL work_mem = '64MB'")
            raw.execute("SET LOCAL gin_pending_list_limit = '32MB'")
        written = {r[0] for r in raw.execute(sql, values).fetchall()}
        # The rest in Python: values of other types, and drawing text (read from the extraction results).
        drawn = documents.records_with_drawings(session, table.id, sorted(written))
        docs = documents.load_where(session, info, f"({where}) AND ({documents.python_only_sql(info)})", params)
        if drawn:
            docs += documents.load_records(session, info, drawn)
        self.upsert(session, docs)
        return written | {d.record_id for d in docs}

    def after_reindex(
        self, session: Session, info: documents.TableInfo, *, shard: tuple[int, int] = (0, 1)
    ) -> None:
        # The words of a whole table in one pass: per batch, each batch's words were checked again
        # against the typo table (half the time of a reindex). A shard takes the documents whose
        # record ID hashes to it; a word in several shards is inserted once (ON CONFLICT).
        source = (
            "(SELECT tsv FROM search_documents WHERE table_id = %(table)s"
            " AND (%(shards)s = 1 OR abs(hashtext(record_id)) %% %(shards)s = %(shard)s)) AS d"
        )
        params = {"table": info.table.id, "base": info.table.base_id, "shard": shard[0], "shards": shard[1]}
        raw = self._raw(session)
        # The distinct words of a large table are a hash of millions of lexemes: in memory, not on disk.
        raw.execute("SET LOCAL work_mem = '64MB'")
        if shard[0] == 0:
            # The rebuild's GIN pending list merged into the index now, as part of the rebuild (its
            # chunks let it grow to 32 MB), not left for autovacuum while searches scan it linearly.
            raw.execute("SELECT gin_clean_pending_list('ix_search_documents_tsv'::regclass)")
        raw.execute(_NEW_WORDS.format(source=source), params)

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

    def _words(self, session: Session, text: str) -> list[str]:
        """The query's words as the index splits them (PostgreSQL's own parser, same configuration)."""
        row = self._raw(session).execute(
            "SELECT coalesce(array_agg(lexeme ORDER BY lexeme), '{}') FROM unnest(to_tsvector('simple', %s))",
            (text.translate(_SPLIT),),
        ).fetchone()
        return [w for w in row[0] if w]

    def search(self, session: Session, query: SearchQuery) -> SearchResult:
        if not query.table_ids:
            return SearchResult(hits=[], has_more=False)
        # The prefix query is built by the server inside the search statement: one round trip.
        params = {"text": query.text.translate(_SPLIT)}
        hits, more = self._run(session, query, PREFIX_TSQUERY, params)
        # Typo correction only when the words as typed find nothing at all (not past the last page).
        if hits or (query.offset and self._exists(session, query, PREFIX_TSQUERY, params)):
            return SearchResult(hits=hits, has_more=more)
        words = self._words(session, query.text)
        corrected = self._typo_query(session, query.base_id, words) if words else None
        if corrected is None:
            return SearchResult(hits=[], has_more=False)
        hits, more = self._run(session, query, "%(typo)s::tsquery", {"typo": corrected})
        return SearchResult(hits=hits, has_more=more, typo_corrected=True)

    def _typo_query(self, session: Session, base_id: str, words: list[str]) -> str | None:
        raw = self._raw(session)
        parts = []
        changed = False
        for word in words:
            alternatives = [f"{_lexeme(word)}:*"]
            if len(word) >= TYPO_MIN_LENGTH:
                params = {"base": base_id, "keys": variants(word), "word": word, "k": TYPO_ALTERNATIVES}
                for (alt,) in raw.execute(_SIMILAR, params):
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

    def _exists(self, session: Session, query: SearchQuery, tsquery_sql: str, extra: dict[str, Any]) -> bool:
        params: dict[str, Any] = dict(extra)
        where = self._filters(query, params)
        sql = (
            f"SELECT 1 FROM search_documents d, (SELECT {tsquery_sql} AS q) AS q"
            f" WHERE d.tsv @@ q.q AND {where} LIMIT 1"
        )
        return self._raw(session).execute(sql, params).fetchone() is not None

    def _run(
        self, session: Session, query: SearchQuery, tsquery_sql: str, extra: dict[str, Any]
    ) -> tuple[list[Hit], bool]:
        params: dict[str, Any] = {
            **extra, "cap": MAX_CANDIDATES, "limit": query.limit + 1, "offset": query.offset,
            "opts": _HEADLINE_OPTIONS,
        }  # fmt: skip
        where = self._filters(query, params)
        gin = f"SELECT d.* FROM search_documents d, q WHERE d.tsv @@ q.q AND {where} LIMIT %(cap)s"
        params.update(probe=PROBE_ROWS, enough=min(query.limit + 1, MAX_CANDIDATES))
        matched = f"""probe AS MATERIALIZED (
      SELECT d.* FROM (SELECT * FROM search_documents d
                       WHERE d.base_id = %(base)s AND d.table_id = ANY(%(tables)s) LIMIT %(probe)s) AS d, q
      WHERE d.tsv @@ q.q AND {where} LIMIT %(cap)s
    ),
    matched AS (
      SELECT * FROM probe WHERE (SELECT count(*) FROM probe) >= %(enough)s
      UNION ALL
      (SELECT * FROM ({gin}) AS g WHERE (SELECT count(*) FROM probe) < %(enough)s)
    ),"""
        sql = f"""
        WITH q AS MATERIALIZED (SELECT {tsquery_sql} AS q),
        {matched}
        cand AS (SELECT d.table_id, d.record_id, d.fields, d.drawing, ts_rank(d.tsv, q.q) AS score FROM matched d, q),
        page AS (SELECT * FROM cand ORDER BY score DESC, table_id, record_id LIMIT %(limit)s OFFSET %(offset)s)
        SELECT p.table_id, p.record_id, p.score, p.fields,
          (SELECT coalesce(jsonb_object_agg(f.key, ts_headline('simple', {_HEADLINE_TEXT.format('f.value')}, q.q,
                                                       %(opts)s)), '{{}}'::jsonb)
             FROM (SELECT key, value FROM jsonb_each_text(p.fields) UNION ALL SELECT '{DRAWING_KEY}', p.drawing) AS f
             WHERE to_tsvector('simple', {_SPLIT_SQL.format('f.value')}) @@ q.q)
        FROM page p, q
        ORDER BY p.score DESC, p.table_id, p.record_id
        """
        rows = self._raw(session).execute(sql, params).fetchall()
        more = len(rows) > query.limit
        hits = [
            Hit(table_id=t, record_id=r, score=float(s), fields=f or {},
                highlights={k: v.translate(_UNLOOK) for k, v in (h or {}).items()})
            for t, r, s, f, h in rows[: query.limit]
        ]
        return hits, more


def make() -> PostgresBackend:
    return PostgresBackend()
