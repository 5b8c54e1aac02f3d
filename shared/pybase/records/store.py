"""The record store: every statement the API paths run on `records` rows, in one place.

The native records API, the Airtable-compatible `/v0` API and everything built on them (CSV import
and export, extraction jobs, file attachments) read and write rows through these functions, so the
hot paths' tuning (COPY for inserts, one round trip for a single update, keyset pages, the planner
steering of `contains` filters) serves all of them alike. No access checks, validation, events
or history here: pybase.records.service orchestrates those around the store.

A filter with conditions that have no SQL form (see pybase.records.query.Deferred) is checked here too,
in keyset batches under a time budget (`scan`), so pages, counts and group counts agree with it.

Everything runs on the session's own psycopg connection (no ORM objects: they cost more to build
than the queries take on pages of 1,000 rows) and in the caller's transaction.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy.orm import Session

from pybase.db import execute_prepared
from pybase.errors import ValidationFailed
from pybase.events import service as events
from pybase.fields.registry import get_field_type
from pybase.fields.types.base import Params
from pybase.history import service as history
from pybase.records.query import (
    ROW_COLUMNS,
    Condition,
    Deferred,
    FieldSet,
    SortKey,
    build_count_sql,
    build_list_sql,
    compile_sorts,
    decode_cursor,
    encode_cursor,
)

# Columns of ROW_COLUMNS; a page's rows carry their sort values after them.
ROW_WIDTH = len(ROW_COLUMNS.split(","))


@dataclass
class Row:
    """A record row as the field types read it."""

    id: str
    seq: int
    data: dict[str, Any]
    version: int
    created_at: datetime
    created_by: str | None
    updated_at: datetime
    updated_by: str | None
    # Values of computed fields (links, lookups, rollups, counts, formulas) filled for a page by
    # pybase.links.computed.attach; their field types read them from here.
    computed: dict[str, Any] | None = None


def _raw(session: Session) -> Any:
    return session.connection().connection.driver_connection


# --- read -------------------------------------------------------------------------------------


def fetch(session: Session, table_id: str, ids: list[str], *, lock: bool = False) -> dict[str, Row]:
    """The live records among `ids`, by ID; with `lock`, each row locked for update."""
    sql = f"SELECT {ROW_COLUMNS} FROM records r WHERE r.table_id = %s AND r.id = ANY(%s) AND r.deleted_at IS NULL" + (
        " FOR UPDATE" if lock else ""
    )
    return {row[0]: Row(*row) for row in _raw(session).execute(sql, (table_id, ids)).fetchall()}


def fetch_in_order(session: Session, table_id: str, ids: list[str]) -> list[Row]:
    """The live records among `ids`, in the order of `ids` (absent ones left out)."""
    found = fetch(session, table_id, ids)
    return [found[i] for i in ids if i in found]


@dataclass
class Residual:
    """The part of a listing's filter the database cannot run alone: `where` is the whole filter,
    reading columns `_py.cN` of values computed in Python for `deferred`'s fields (see
    pybase.records.query.Deferred); `fields` are the table's fields those values are computed from."""

    where: str
    deferred: Deferred
    fields: list[Any]
    # Every scan of one request (its page, its count, its group counts) shares one time budget.
    started: float = field(default_factory=time.monotonic)


@dataclass
class Listing:
    """A compiled listing: which rows (`where` over alias r, with its bind parameters), in which
    order (`keys`, seq last as the tie-breaker); `conditions` are the filter's field conditions.
    With a `residual`, `where` only narrows the rows and each batch of them is checked against the
    whole filter (see scan)."""

    table_id: str
    where: str
    params: Params
    keys: list[SortKey]
    conditions: list[Condition] = field(default_factory=list)
    residual: Residual | None = None


# 1% of a 400-row sample: reading a row's JSON costs ~10 us, so a rare term pays ~4 ms for the check.
COMMON_TERM_SAMPLE = 400
COMMON_TERM_MATCHES = 4


def list_page(
    session: Session, listing: Listing, *, after: list[Any] | None = None, limit: int, offset: int = 0
) -> list[Any]:
    """Up to `limit` rows in listing order, after the keyset position `after` (decoded cursor values)
    or skipping `offset` rows: ROW_COLUMNS then the sort values (see next_cursor).

    The planner multiplies the selectivities of a term's trigrams and so takes every term for a rare
    one: a common term then gets a bitmap scan over all its matches (100,000s of rows) where walking
    the rows in page order would find 100 matches at once. A sample of the table's first rows tells
    the two apart: when the filter already matches 1% of them, bitmap scans are switched off for
    this one query (and so are sequential scans and sorts). Results are the same either way; only the
    plan differs.
    """
    params = Params()
    params.values = dict(listing.params.values)  # the cursor adds its own values
    sql = build_list_sql(
        table_id=listing.table_id, where=listing.where, keys=listing.keys, cursor_values=after, limit=limit,
        params=params, offset=offset,
    )  # fmt: skip
    raw = _raw(session)
    if any(get_field_type(c.field.type).index_kinds.get(c.op) == "trigram" for c in listing.conditions):
        # Stops at the COMMON_TERM_MATCHES-th match, so a common term costs a few dozen rows.
        hits = raw.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM (SELECT r.* FROM records r WHERE r.table_id = '{listing.table_id}' "
            f"AND r.deleted_at IS NULL ORDER BY r.seq LIMIT {COMMON_TERM_SAMPLE}) AS r WHERE {listing.where} "
            f"LIMIT {COMMON_TERM_MATCHES}) AS hits",
            listing.params.values,
        ).fetchone()[0]
        if hits >= COMMON_TERM_MATCHES:
            # Walk an index in page order (the planner, believing the match rare, would otherwise
            # scan and sort the whole table).
            raw.execute(
                "SET LOCAL enable_bitmapscan = off; SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off; "
                "SET LOCAL max_parallel_workers_per_gather = 0"
            )
            try:
                return raw.execute(sql, params.values).fetchall()
            finally:
                raw.execute(
                    "RESET enable_bitmapscan; RESET enable_seqscan; RESET enable_sort; "
                    "RESET max_parallel_workers_per_gather"
                )
    return raw.execute(sql, params.values).fetchall()


def rows_of(fetched: list[Any]) -> list[Row]:
    """Rows of a page from list_page's tuples (without their sort values)."""
    return [Row(*r[:ROW_WIDTH]) for r in fetched]


def next_cursor(listing: Listing, last: Any) -> str:
    """The cursor of the page that follows the list_page tuple `last`."""
    return encode_cursor(listing.keys, list(last[ROW_WIDTH:]))


def count(session: Session, listing: Listing) -> int:
    """How many live records the listing holds (with a residual, counted in a scan)."""
    if listing.residual is not None:
        return sum(1 for _ in scan_listing(session, listing))
    sql = build_count_sql(table_id=listing.table_id, where=listing.where)
    return _raw(session).execute(sql, listing.params.values).fetchone()[0]


# --- filters evaluated in Python ----------------------------------------------------------------

SCAN_BATCH = 500
# Well under API Gateway's 29 s integration timeout, leaving room for the page's own work.
SCAN_BUDGET_SECONDS = 10.0


class ScanOutOfTime(ValidationFailed):
    """A filter evaluated record by record that did not finish within the budget."""

    code = "filter_scan_out_of_time"

    def __init__(self, reason: str, budget: float, read: int) -> None:
        super().__init__(
            f"The filter cannot run in the database ({reason}), and evaluating it record by record took "
            f"longer than {budget:g} s ({read:,} records read); narrow it with a condition that runs in the "
            "database (on a field that is not a formula, lookup or rollup), or filter a view that already does",
            details={"reason": reason, "budget_seconds": budget, "records_read": read},
        )
        self.reason = reason


def scan(
    *,
    fetch: Callable[[Any, int], list[Any]],
    next_cursor: Callable[[Any], Any],
    matches: Callable[[list[Any]], list[bool]],
    cursor: Any,
    reason: str,
    budget: float | None = None,
    started: float | None = None,
) -> Iterator[Any]:
    """The fetched rows that match, in listing order from `cursor`, read in keyset batches until the
    listing ends; ScanOutOfTime once `budget` seconds (SCAN_BUDGET_SECONDS) have passed with rows
    still to read. `fetch(cursor, n)` reads the next n rows, `next_cursor(raw)` is the keyset position
    after a fetched row, `matches(batch)` says which of a batch match. Callers stop early by no longer
    iterating (a page needs its first matches only). The budget counts from `started` (now)."""
    budget = SCAN_BUDGET_SECONDS if budget is None else budget
    deadline = (time.monotonic() if started is None else started) + budget
    read = 0
    while True:
        if time.monotonic() > deadline:
            raise ScanOutOfTime(reason, budget, read)
        batch = fetch(cursor, SCAN_BATCH)
        read += len(batch)
        for raw, ok in zip(batch, matches(batch), strict=True):
            if ok:
                yield raw
        if len(batch) < SCAN_BATCH:
            return
        cursor = next_cursor(batch[-1])


def check_residual(session: Session, listing: Listing, batch: list[Any]) -> list[bool]:
    """Which list_page rows of `batch` match the listing's whole filter: the deferred fields'
    values are computed in Python (pybase.links.computed.attach, as a page shows them) and the
    filter runs over them in one statement, so every operator means what it means in SQL."""
    from pybase.links.computed import attach

    residual = listing.residual
    if residual is None or not batch:
        return [True] * len(batch)
    rows = rows_of(batch)
    leaves = residual.deferred.leaves
    attach(session, table_fields=residual.fields, rows=rows, wanted=[leaf.field for leaf in leaves])
    values = dict(listing.params.values)
    values["_py_ids"] = [row.id for row in rows]
    for index, leaf in enumerate(leaves):
        values[f"_py_c{index}"] = [leaf.encode((row.computed or {}).get(leaf.field.id)) for row in rows]
    arrays = "".join(f", %(_py_c{i})s::text[]" for i in range(len(leaves)))
    columns = "".join(f", c{i}" for i in range(len(leaves)))
    sql = (
        f"SELECT r.id FROM unnest(%(_py_ids)s::text[]{arrays}) AS _py(id{columns}) JOIN records r "
        f"ON r.table_id = '{listing.table_id}' AND r.id = _py.id AND r.deleted_at IS NULL WHERE {residual.where}"
    )
    found = {row[0] for row in _raw(session).execute(sql, values).fetchall()}
    return [row.id in found for row in rows]


def scan_listing(
    session: Session, listing: Listing, *, after: list[Any] | None = None, budget: float | None = None
) -> Iterator[Any]:
    """The listing's rows (list_page tuples) from the keyset position `after`, its residual checked
    in a scan (see scan)."""
    keys = listing.keys or compile_sorts([], FieldSet([]))  # a count's listing has no order of its own
    ordered = listing if listing.keys else Listing(listing.table_id, listing.where, listing.params, keys,
                                                   listing.conditions, listing.residual)  # fmt: skip
    return scan(
        fetch=lambda cursor, n: list_page(session, ordered, after=cursor, limit=n),
        next_cursor=lambda raw: decode_cursor(next_cursor(ordered, raw), keys),
        matches=lambda batch: check_residual(session, ordered, batch),
        cursor=after,
        reason=listing.residual.deferred.reason if listing.residual is not None else "",
        budget=budget,
        started=listing.residual.started if listing.residual is not None else None,
    )


def page(
    session: Session, listing: Listing, *, after: list[Any] | None = None, limit: int, offset: int = 0
) -> list[Any]:
    """list_page for any listing: with a residual, the first `limit` matches after `offset` of them
    come from a scan."""
    if listing.residual is None:
        return list_page(session, listing, after=after, limit=limit, offset=offset)
    return list(islice(scan_listing(session, listing, after=after), offset, offset + limit))


# --- insert -----------------------------------------------------------------------------------


COPY_CHUNK_ROWS = 100
_COPY_RECORDS = (
    "COPY records (table_id, id, seq, data, version, created_at, created_by, updated_at, updated_by) FROM STDIN"
)
_COMPACT_JSON = json.JSONEncoder(separators=(",", ":")).encode  # json.dumps builds an encoder per call
_BACKSLASH = "\\"
_TWO_BACKSLASHES = "\\\\"


def copy_text(table_id: str, actor_id: str | None, now: datetime, rows: list[Row]) -> str:
    """New rows in COPY's text format, as one string (cheaper than a write_row call per row). IDs are
    alphanumeric and json's output is ASCII with control characters escaped, so the JSON's
    backslashes are the only characters COPY needs escaped."""
    actor = "\\N" if actor_id is None else actor_id
    stamp = now.isoformat()
    tail = f"\t1\t{stamp}\t{actor}\t{stamp}\t{actor}\n"
    head = table_id + "\t"
    encode = _COMPACT_JSON
    return "".join(
        f"{head}{row.id}\t{row.seq}\t{encode(row.data).replace(_BACKSLASH, _TWO_BACKSLASHES)}{tail}" for row in rows
    )


def insert(
    session: Session,
    table_id: str,
    actor_id: str | None,
    now: datetime,
    rows: list[Row],
    *,
    meanwhile: Callable[[], Any] | None = None,
) -> Any:
    """Insert new rows (version 1, created and updated by `actor_id` at `now`) with COPY. Rows go
    out in chunks as they are formatted, so the server parses and indexes the first ones while the
    rest are formatted; `meanwhile` runs after the last chunk is sent, while the server is still
    busy with it, and its result is returned."""
    raw = _raw(session)
    cur = raw.cursor()
    result = None
    with cur, cur.copy(_COPY_RECORDS) as copy:
        for start in range(0, len(rows), COPY_CHUNK_ROWS):
            copy.write(copy_text(table_id, actor_id, now, rows[start : start + COPY_CHUNK_ROWS]))
        if meanwhile is not None:
            result = meanwhile()
    return result


# --- update -----------------------------------------------------------------------------------


def update(session: Session, table_id: str, actor_id: str | None, now: datetime, rows: list[Row]) -> None:
    """Write the rows' new data, each version advanced by one (the rows are locked by the caller)."""
    _raw(session).execute(
        "UPDATE records AS r SET data = v.data, version = r.version + 1, updated_at = %s, updated_by = %s "
        "FROM unnest(%s::text[], %s::jsonb[]) AS v(id, data) WHERE r.table_id = %s AND r.id = v.id",
        (
            now,
            actor_id,
            [row.id for row in rows],
            [json.dumps(row.data, separators=(",", ":")) for row in rows],
            table_id,
        ),
    )


# One record's UPDATE, its history row and its change event in one statement (one round trip where
# three statements take three), written only while the record still has the version that was read.
# A prepared statement per table (planning took 0.17 ms of its 0.4): the table's ID is written into
# the UPDATE's condition so that the generic plan holds that table's partition only (and its base's
# log shard into the event's values).
_UPDATE_ONE = (
    "WITH u AS (UPDATE records SET data = %(data)s::jsonb, version = version + 1, updated_at = %(now)s, "
    "updated_by = %(actor_id)s WHERE table_id = '{table_id}' AND id = %(id)s AND version = %(version)s "
    "AND deleted_at IS NULL RETURNING id, version), "
    f"h AS (INSERT INTO record_history ({history.COLUMNS}) "
    "SELECT %(table_id)s, id, version, 'updated', %(actor_id)s, %(changes)s::jsonb, %(now)s FROM u) "
    f"INSERT INTO change_events ({events.COLUMNS}) SELECT {{event_key}}, %(workspace_id)s, %(base_id)s, "
    "%(table_id)s, 'records.updated', %(actor_id)s, %(payload)s::jsonb, %(now)s FROM u RETURNING id"
)


def update_one_if_unchanged(
    session: Session,
    *,
    row: Row,
    table_id: str,
    workspace_id: str,
    base_id: str,
    actor_id: str | None,
    changes: dict[str, Any],
    payload: dict[str, Any],
    now: datetime,
) -> int | None:
    """Write one updated row (its version already advanced) with its history row and its
    records.updated change event; the event's ID, or None, having written nothing, when the stored
    version is no longer the one read."""
    written = execute_prepared(
        _raw(session),
        _UPDATE_ONE.replace("{table_id}", table_id).replace(
            "{event_key}", events.key_values(events.log_shard(workspace_id, base_id))
        ),
        {
            "data": json.dumps(row.data, separators=(",", ":")),
            "now": now,
            "actor_id": actor_id,
            "table_id": table_id,
            "id": row.id,
            "version": row.version - 1,
            "changes": history.encode_changes(changes),
            "workspace_id": workspace_id,
            "base_id": base_id,
            "payload": json.dumps(payload),
        },
    ).fetchone()
    return None if written is None else written[0]
