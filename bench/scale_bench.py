"""Many tables in one database: do one table's requests slow down as the database fills up?

    python bench/scale_bench.py [--tables 10000] [--rows 20000] [--runs 30] [--rounds 4]

One table ("Parts", 10 fields, `--rows` records loaded with COPY, the expression indexes its
filtered listing asks for) is measured in a database where `--tables` more tables were added, most
small (0-20 records), every 500th large (5,000 records), each with an expression index of its own,
and in a second database on the same server holding only that table. The two are measured in
alternating rounds (`--rounds`), so the machine's changing load falls on both alike. Figures go
through the service layer (pybase.records.service) as an API request would: a one-record insert, a
single-record PATCH and a filtered first page, as p50s, plus the planning time of the page's SQL
(EXPLAIN ANALYZE), and the ratio crowded/single (goal: within 1.5x). Before and after the tables are
added it also times the creation of a table through the tables service and the trash: a trashed
record found by its ID alone and with its table ID, a restore through the trash service, a purge run.

The extra tables are made with SQL that mirrors what the tables service does for the records
store (a `tables` row, its records partition created and attached, records copied in, an
expression index on the partition), in transactions of 100 tables, rather than one API request
each: the service also writes a primary field, a default view and change events, which do not
touch `records` and would only make the setup slower.

Uses DATABASE_URL's server if set (a scratch database there), otherwise an embedded PostgreSQL.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "shared"))
sys.path.insert(0, str(ROOT / "bench"))

from common import migrate, p50, start_database, use_database, with_database  # noqa: E402
from records_bench import bulk_load, setup_table  # noqa: E402


def measure(principal: Any, table_id: str, ids: dict[str, str], runs: int) -> dict[str, list[float]]:
    from sqlalchemy import text

    from pybase.db import session_scope
    from pybase.records import service

    page_filter = {"field": ids["num"], "op": ">", "value": 500}
    inserts, patches, pages, planning = [], [], [], []
    with session_scope() as s:
        targets = list(
            s.scalars(
                text("SELECT id FROM records WHERE table_id = :t ORDER BY seq LIMIT :n"), {"t": table_id, "n": runs}
            )
        )
    for n in range(runs):  # each run a new record, a PATCH of another one, a page
        started = time.perf_counter()
        with session_scope() as s:
            service.create_records(
                s, principal=principal, table_id=table_id, records=[{"fields": {ids["title"]: f"new {n}"}}]
            )
        inserts.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        with session_scope() as s:
            service.update_record(
                s,
                principal=principal,
                table_id=table_id,
                record_id=targets[n],
                fields={ids["qty"]: time.time_ns() % 10**9},
            )
        patches.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        with session_scope() as s:
            page = service.list_records(s, principal=principal, table_id=table_id, filter=page_filter)
        pages.append((time.perf_counter() - started) * 1000)
        assert len(page["records"]) == 100
        with session_scope() as s:
            plan = s.execute(
                text(
                    "EXPLAIN (ANALYZE, FORMAT JSON) SELECT id, data FROM records "
                    f"WHERE table_id = :t AND deleted_at IS NULL AND ((data ->> '{ids['num']}'))::numeric > 500 "
                    "ORDER BY seq LIMIT 100"
                ),
                {"t": table_id},
            ).scalar()
        planning.append(float(plan[0]["Planning Time"]))
    return {"insert": inserts, "patch": patches, "page": pages, "planning": planning}


def medians(samples: dict[str, list[float]]) -> dict[str, float]:
    return {k: p50(v) for k, v in samples.items()}


def trash_figures(principal: Any, table_id: str, runs: int) -> dict[str, Any]:
    """Queries on `records` that may not name a table: a trashed record found by its ID alone (as a
    restore from the trash starts), the same with its table ID, a restore through the trash service,
    and a purge run with nothing expired. Without the table ID every partition (and its indexes) is
    opened and locked in one transaction, which `max_locks_per_transaction` bounds."""
    from sqlalchemy import text

    from pybase.db import session_scope
    from pybase.records import service
    from pybase.trash import purge
    from pybase.trash import service as trash

    out: dict[str, Any] = {}
    with session_scope() as s:
        victims = list(
            s.scalars(
                text("SELECT id FROM records WHERE table_id = :t AND deleted_at IS NULL ORDER BY seq DESC LIMIT :n"),
                {"t": table_id, "n": runs},
            )
        )
    with session_scope() as s:
        service.delete_records(s, principal=principal, table_id=table_id, record_ids=victims)
    for label, sql in (
        ("by ID alone", "SELECT table_id FROM records WHERE id = :r AND deleted_at IS NOT NULL"),
        ("with table ID", "SELECT table_id FROM records WHERE table_id = :t AND id = :r AND deleted_at IS NOT NULL"),
    ):
        samples: list[float] = []
        try:
            for rid in victims:
                started = time.perf_counter()
                with session_scope() as s:
                    assert s.scalar(text(sql), {"r": rid, "t": table_id}) == table_id
                samples.append((time.perf_counter() - started) * 1000)
            out[f"find trashed record {label}"] = f"p50 {p50(samples):.2f} ms"
        except Exception as exc:  # at many partitions: out of shared memory (lock table full)
            out[f"find trashed record {label}"] = f"failed: {str(exc).splitlines()[0][:120]}"
    # Half restored by ID alone, half with the table ID the trash listing gives (one partition).
    for label, given, rids in (
        ("by ID alone", None, victims[: len(victims) // 2]),
        ("with table ID", table_id, victims[len(victims) // 2 :]),
    ):
        samples = []
        try:
            for rid in rids:
                started = time.perf_counter()
                with session_scope() as s:
                    trash.restore(s, principal=principal, kind="record", object_id=rid, table_id=given)
                samples.append((time.perf_counter() - started) * 1000)
            out[f"restore from the trash (service), {label}"] = f"p50 {p50(samples):.2f} ms"
        except Exception as exc:
            out[f"restore from the trash (service), {label}"] = f"failed: {str(exc).splitlines()[0][:120]}"
    started = time.perf_counter()
    try:
        purge.purge_expired()
        out["purge run, nothing expired"] = f"{(time.perf_counter() - started) * 1000:.1f} ms"
    except Exception as exc:
        out["purge run, nothing expired"] = f"failed: {str(exc).splitlines()[0][:120]}"
    return out


def create_tables_timed(principal: Any, base_id: str, count: int) -> float:
    """p50 ms of creating a table through the tables service (partition, primary field, default view)."""
    from pybase.db import session_scope
    from pybase.tables import service as tables

    samples = []
    for _ in range(count):
        started = time.perf_counter()
        with session_scope() as s:
            tables.create_table(s, principal=principal, base_id=base_id, name=f"Timed {time.time_ns()}")
        samples.append((time.perf_counter() - started) * 1000)
    return p50(samples)


def add_tables(count: int, base_id: str, user_id: str, field_id: str) -> float:
    from pybase.db import get_engine
    from pybase.ids import new_id
    from pybase.records.partitions import create_partition_sql, partition_name
    from pybase.records.service import record_ids

    rng = random.Random(7)
    now = datetime.now(UTC)
    started = time.perf_counter()
    raw = get_engine().raw_connection()
    try:
        conn = raw.driver_connection
        for start in range(0, count, 100):
            for n in range(start, min(start + 100, count)):
                table_id = new_id("tbl")
                conn.execute(
                    "INSERT INTO tables (id, base_id, name, position, created_by, created_at) "
                    "VALUES (%s, %s, %s, %s, %s, %s)",
                    (table_id, base_id, f"T{n}", n + 1, user_id, now),
                )
                for statement in create_partition_sql(table_id):
                    conn.execute(statement)
                rows = 5_000 if n % 500 == 499 else rng.randrange(21)
                if rows:
                    with conn.cursor().copy(
                        f'COPY "{partition_name(table_id)}" (table_id, id, seq, data, version, created_at, '
                        "updated_at) FROM STDIN"
                    ) as copy:
                        for seq, rid in enumerate(record_ids(rows), start=1):
                            data = json.dumps({field_id: rng.randrange(1000)})
                            copy.write_row((table_id, rid, seq, data, 1, now, now))
                    conn.execute(
                        "INSERT INTO record_sequences (table_id, last_seq, live_count) VALUES (%s, %s, %s)",
                        (table_id, rows, rows),
                    )
                conn.execute(
                    f'CREATE INDEX "rx_{table_id[3:]}_bench" ON "{partition_name(table_id)}" '
                    f"(((data ->> '{field_id}'))) WHERE deleted_at IS NULL"
                )
            conn.commit()
            if start and start % 1000 == 0:
                print(f"  {start:,} tables, {time.perf_counter() - started:.0f} s", flush=True)
        conn.execute("ANALYZE tables")
        conn.commit()
    finally:
        raw.close()
    return time.perf_counter() - started


def prepare_parts(rows: int) -> tuple[Any, str, dict[str, str]]:
    """The measured table in the current database: records loaded, its filter's index built."""
    from pybase.db import session_scope
    from pybase.records import indexes, service

    principal, table_id, ids = setup_table("Parts")
    load_s = bulk_load(table_id, ids, rows, principal.user_id)
    print(f"Parts: {rows:,} records loaded in {load_s:.1f} s")
    # The listing asks for its expression index; the indexbuild function's work is done here.
    with session_scope() as s:
        service.list_records(
            s, principal=principal, table_id=table_id, filter={"field": ids["num"], "op": ">", "value": 1}
        )
    indexes.build_pending(table_id)
    return principal, table_id, ids


def interleaved(
    dbs: dict[str, tuple[str, tuple[Any, str, dict[str, str]]]], runs: int, rounds: int
) -> dict[str, dict[str, float]]:
    """p50s per database, measured in alternating rounds (a new connection and a warm-up each) so
    that the machine's changing load falls on both databases alike."""
    samples: dict[str, dict[str, list[float]]] = {label: {} for label in dbs}
    per_round = max(1, runs // rounds)
    for n in range(rounds):
        for label, (url, (principal, table_id, ids)) in dbs.items():
            use_database(url, PYBASE_STAGE="test", PYBASE_REALTIME="off")
            measure(principal, table_id, ids, 5)  # warm-up: the connection's caches
            for key, values in measure(principal, table_id, ids, per_round).items():
                samples[label].setdefault(key, []).extend(values)
        print(f"  round {n + 1}/{rounds} done   load {os.getloadavg()[0]:.1f}", flush=True)
    return {label: medians(figures) for label, figures in samples.items()}


def run(args: argparse.Namespace, url: str) -> None:
    import logging

    logging.getLogger("pybase").setLevel(logging.WARNING)
    from sqlalchemy import text

    from pybase.db import session_scope

    migrate(url)
    principal, table_id, ids = crowded_parts = prepare_parts(args.rows)
    measure(principal, table_id, ids, 5)  # warm-up: caches, connections, the index just built
    alone = medians(measure(principal, table_id, ids, args.runs))
    print(f"before  (1 table):  {fmt(alone)}   load {os.getloadavg()[0]:.1f}")
    for label, figure in trash_figures(principal, table_id, 10).items():
        print(f"  {label}: {figure}")
    with session_scope() as s:
        base_id = s.scalar(text("SELECT base_id FROM tables WHERE id = :t"), {"t": table_id})
    print(f"  create a table (tables service): p50 {create_tables_timed(principal, base_id, 10):.1f} ms")
    seconds = add_tables(args.tables, base_id, principal.user_id, ids["num"])
    print(f"added {args.tables:,} tables (partition, records, one expression index each) in {seconds:.0f} s")
    for label, figure in trash_figures(principal, table_id, 10).items():
        print(f"  {label}: {figure}")
    print(f"  create a table (tables service): p50 {create_tables_timed(principal, base_id, 10):.1f} ms")
    # The comparison: a second database on the same server holding only the same table, measured in
    # turns with the crowded one.
    single_url, drop_single = start_database("scale-single")
    try:
        use_database(single_url, PYBASE_STAGE="test", PYBASE_REALTIME="off")
        migrate(single_url)
        single_parts = prepare_parts(args.rows)
        figures = interleaved(
            {"single": (single_url, single_parts), "crowded": (url, crowded_parts)}, args.runs, args.rounds
        )
    finally:
        drop_single()
        use_database(url, PYBASE_STAGE="test", PYBASE_REALTIME="off")
    print(f"single-table database:       {fmt(figures['single'])}")
    print(f"crowded ({args.tables + 1:,} tables):     {fmt(figures['crowded'])}")
    ratios = {k: figures["crowded"][k] / figures["single"][k] for k in figures["single"]}
    print("crowded / single:  " + "  ".join(f"{k} {v:.2f}x" for k, v in ratios.items()) + "   [goal <= 1.5x]")
    with session_scope() as s:
        locks = s.scalar(text("SHOW max_locks_per_transaction"))
        conns = s.scalar(text("SHOW max_connections"))
    print(f"  (server: max_locks_per_transaction {locks}, max_connections {conns})   load {os.getloadavg()[0]:.1f}")


def fmt(figures: dict[str, float]) -> str:
    return (
        f"insert p50 {figures['insert']:.2f} ms, PATCH p50 {figures['patch']:.2f} ms, "
        f"filtered page p50 {figures['page']:.2f} ms, planning p50 {figures['planning']:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=4, help="alternations between the two databases")
    args = parser.parse_args()
    with_database(lambda url: run(args, url), PYBASE_STAGE="test", PYBASE_REALTIME="off")


if __name__ == "__main__":
    main()
