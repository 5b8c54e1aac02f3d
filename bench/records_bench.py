"""Records engine benchmark: a 1,000,000-record table with 10 fields, figures printed as p50s.

    python bench/records_bench.py [--rows 1000000] [--runs 30]
    python bench/records_bench.py --only writes --rows 20000 --write-runs 3

`--only writes` skips the read figures (the table still gets the same indexes, built by untimed
listings) and so takes about a minute; `--write-runs` repeats each write figure and prints every
run, their median and the client's CPU time, since wall-clock figures on a shared machine vary.

Uses DATABASE_URL's server if set (a scratch database is created there and dropped at the end),
otherwise starts an embedded PostgreSQL (pgserver) in a temporary directory and removes it.
Data is bulk-loaded with COPY; every figure below goes through the service layer
(pybase.records.service), as an API request would, unless it says "bare SQL".
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "shared"))
sys.path.insert(0, str(ROOT / "bench"))

from common import migrate, owner_base, p50, timed, with_database  # noqa: E402

ROUNDS = 6  # of the first page and its bare SQL, alternating

WORDS = [
    "bracket",
    "housing",
    "shaft",
    "flange",
    "bolt",
    "washer",
    "gear",
    "plate",
    "cover",
    "spacer",
    "bushing",
    "pin",
    "clamp",
    "mount",
    "frame",
    "rail",
    "spring",
    "lever",
    "hinge",
    "valve",
    "pump",
    "motor",
    "sensor",
    "cable",
    "panel",
    "door",
]
RARE = "zyxwvq"


def setup_table(name: str) -> tuple[Any, str, dict[str, str]]:
    from pybase.access.roles import Principal
    from pybase.auth.models import User
    from pybase.bases.models import AppBase
    from pybase.db import session_scope
    from pybase.fields import service as fields
    from pybase.tables.models import Table

    with session_scope() as s:
        user = s.query(User).filter(User.email == "bench@example.com").one_or_none()
        if user is None:
            user, _, _ = owner_base(s, "bench@example.com")
        base = s.query(AppBase).filter(AppBase.created_by == user.id).first()
        table = Table(base_id=base.id, name=name, created_by=user.id)
        s.add(table)
        s.flush()
        principal = Principal(user_id=user.id)
        spec = [
            ("title", "single_line_text", {}),
            ("num", "number", {"precision": 2}),
            ("due", "date", {}),
            ("status", "single_select", {"choices": ["Todo", "Doing", "Done", "Blocked"]}),
            ("qty", "number", {}),
            ("done", "checkbox", {}),
            ("length", "dimension", {"unit": "mm"}),
            ("email", "email", {}),
            ("rating", "rating", {"max": 5}),
            ("notes", "long_text", {}),
        ]
        ids = {}
        for key, ftype, options in spec:
            created = fields.create_field(
                s, principal=principal, table_id=table.id, name=key, type=ftype, options=options
            )
            ids[key] = created["id"]
            ids[key + ":options"] = created["options"]
        return principal, table.id, ids


def make_title(rng: random.Random, i: int) -> str:
    words = [rng.choice(WORDS) for _ in range(3)]
    if i % 100_000 == 7:
        words.append(RARE)
    return " ".join(words) + f" {i}"


def bulk_load(table_id: str, ids: dict[str, str], rows: int, user_id: str) -> float:
    from pybase.db import get_engine
    from pybase.records.service import record_ids

    rng = random.Random(42)
    choices = [c["id"] for c in ids["status:options"]["choices"]]
    start_day = date(2020, 1, 1)
    now = datetime.now(UTC)
    started = time.perf_counter()
    raw_conn = get_engine().raw_connection()
    try:
        conn = raw_conn.driver_connection
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY records (table_id, id, seq, data, version, created_at, created_by, updated_at, updated_by) "
                "FROM STDIN"
            ) as copy,
        ):
            ids_pool: list[str] = []
            for i in range(rows):
                if not ids_pool:
                    ids_pool = record_ids(10_000)
                mm = round(rng.uniform(1, 500), 2)
                data = {
                    ids["title"]: make_title(rng, i),
                    ids["num"]: round(rng.uniform(0, 1000), 2),
                    ids["due"]: (start_day + timedelta(days=rng.randrange(2000))).isoformat(),
                    ids["status"]: rng.choice(choices),
                    ids["qty"]: rng.randrange(1000),
                    ids["length"]: {"value": mm, "unit": "mm", "mm": mm, "min_mm": mm, "max_mm": mm},
                    ids["email"]: f"user{i}@example.com",
                    ids["rating"]: rng.randrange(1, 6),
                }
                if i % 3 == 0:
                    data[ids["done"]] = True
                copy.write_row((table_id, ids_pool.pop(), i + 1, json.dumps(data), 1, now, user_id, now, user_id))
        conn.execute(
            "INSERT INTO record_sequences (table_id, last_seq, live_count) VALUES (%s, %s, %s)", (table_id, rows, rows)
        )
        conn.commit()
        conn.execute("ANALYZE records")
        conn.commit()
    finally:
        raw_conn.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--batch-records", type=int, default=100_000)
    parser.add_argument("--patches", type=int, default=1000)
    parser.add_argument("--only", choices=["all", "reads", "writes"], default="all")
    parser.add_argument("--write-runs", type=int, default=1, help="repeat each write figure this many times")
    args = parser.parse_args()

    # No Redis here: change events still go to the durable log, nothing is published.
    with_database(lambda url: run(args, url), PYBASE_STAGE="test", PYBASE_REALTIME="off")


def run(args: argparse.Namespace, url: str) -> None:
    import logging

    logging.getLogger("pybase").setLevel(logging.WARNING)
    from pybase.db import get_engine, session_scope
    from pybase.fields.types.base import Params
    from pybase.records import indexes, service
    from pybase.records.query import FieldSet, build_list_sql, compile_filter, compile_sorts, encode_cursor

    migrate(url)
    principal, table_id, ids = setup_table("Parts")
    print(f"PostgreSQL: {get_engine().connect().exec_driver_sql('show server_version').scalar()}   "
          f"load {os.getloadavg()[0]:.1f} (1 min)")  # fmt: skip
    seconds = bulk_load(table_id, ids, args.rows, principal.user_id)
    print(f"bulk load (COPY) of {args.rows:,} records: {seconds:.1f} s ({args.rows / seconds:,.0f} records/s)")

    def listing(**kwargs: Any) -> dict[str, Any]:
        with session_scope() as s:
            return service.list_records(s, principal=principal, table_id=table_id, **kwargs)

    num_filter = {"field": ids["num"], "op": ">", "value": 500}
    date_sort = [{"field": ids["due"], "direction": "desc"}]
    if args.only == "writes":
        # The same expression and trigram indexes as the full run, so writes maintain as many.
        listing(filter=num_filter, sort=date_sort)
        listing(filter={"field": ids["title"], "op": "contains", "value": "housing"})
        indexes.build_pending(table_id)
        write_figures(args, principal, table_id, ids)
        return

    # The first listing finds no index for its filter and sort: it answers without them and asks
    # for them; the indexbuild function's work is done here, timed apart.
    started = time.perf_counter()
    listing(filter=num_filter, sort=date_sort)
    print(f"first filtered+sorted listing, without its indexes (asks for them): {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    indexes.build_pending(table_id)
    print(f"  their builds (indexbuild function, CREATE INDEX CONCURRENTLY): {time.perf_counter() - started:.1f} s")

    # The bare SQL the service compiles for the same request, on a raw connection.
    with session_scope() as s:
        fields = FieldSet(service.live_fields(s, table_id=table_id))
    params = Params()
    where = compile_filter(num_filter, fields, params, [])
    sql = build_list_sql(
        table_id=table_id,
        where=where,
        keys=compile_sorts(date_sort, fields),
        cursor_values=None,
        limit=101,
        params=params,
    )
    raw = get_engine().raw_connection()
    conn = raw.driver_connection
    conn.autocommit = True
    # The two alternate in rounds, so that a change in the machine's speed falls on both alike.
    service_ms: list[float] = []
    bare_ms: list[float] = []
    page: dict[str, Any] = {}
    for _ in range(ROUNDS):
        for _ in range(args.runs):
            started = time.perf_counter()
            page = listing(filter=num_filter, sort=date_sort)
            service_ms.append((time.perf_counter() - started) * 1000)
        for _ in range(args.runs):
            started = time.perf_counter()
            conn.execute(sql, params.values).fetchall()
            bare_ms.append((time.perf_counter() - started) * 1000)
    assert len(page["records"]) == 100
    ms, bare = p50(service_ms), p50(bare_ms)
    print(f"first page of 100, number filter + date sort (service): p50 {ms:.2f} ms   [goal < 25 ms]")
    print(f"  bare SQL it compiles to: p50 {bare:.2f} ms; service/bare ratio {ms / bare:.2f}x   [goal <= 3x]")
    print(f"  ({ROUNDS} alternating rounds of {args.runs}; p50 per round, service/bare: " + ", ".join(
        f"{p50(service_ms[i * args.runs:(i + 1) * args.runs]) / p50(bare_ms[i * args.runs:(i + 1) * args.runs]):.2f}x"
        for i in range(ROUNDS)) + ")")  # fmt: skip

    for label, term in (("common", "housing"), ("rare", RARE)):
        flt = {"field": ids["title"], "op": "contains", "value": term}
        if label == "common":
            started = time.perf_counter()
            listing(filter=flt)
            print(f"first contains listing, without its trigram index: {time.perf_counter() - started:.2f} s")
            started = time.perf_counter()
            indexes.build_pending(table_id)
            print(f"  the trigram index build (indexbuild function): {time.perf_counter() - started:.1f} s")
        ms, page = timed(lambda flt=flt: listing(filter=flt), args.runs)
        print(f"contains filter, {label} term {term!r} ({len(page['records'])} rows): p50 {ms:.2f} ms   [goal < 25 ms]")

    # Keyset depth: the cursor of the row at position 500,000 in (due desc, seq desc) order.
    keys = compile_sorts(date_sort, fields)
    depth = min(500_000, args.rows // 2)
    row = conn.execute(
        f"SELECT {keys[0].expr} AS k, r.seq FROM records r WHERE r.table_id = %s AND r.deleted_at IS NULL "
        f"ORDER BY {keys[0].expr} DESC, r.seq DESC OFFSET %s LIMIT 1",
        (table_id, depth - 1),
    ).fetchone()
    cursor = encode_cursor(keys, [row[0], row[1]])
    first_ms, _ = timed(lambda: listing(sort=date_sort), args.runs)
    deep_ms, page = timed(lambda: listing(sort=date_sort, cursor=cursor), args.runs)
    assert len(page["records"]) == 100
    print(
        f"page of 100 sorted by date: first {first_ms:.2f} ms, at depth {depth:,} by cursor {deep_ms:.2f} ms "
        f"({deep_ms / first_ms:.2f}x)   [goal within 2x]"
    )
    count_ms, page = timed(lambda: listing(filter=num_filter, sort=date_sort, count=True), 5)
    print(f"(for reference) the same first page with count=true: p50 {count_ms:.1f} ms, total {page['total']:,}")
    print(f"load after the read figures: {os.getloadavg()[0]:.1f} (1 min)")
    raw.close()
    if args.only == "all":
        write_figures(args, principal, table_id, ids)


def write_figures(args: argparse.Namespace, principal: Any, table_id: str, ids: dict[str, str]) -> None:
    from pybase.db import get_engine, session_scope
    from pybase.records import service

    # Batch create through the service layer, 1,000 records per call (the API's maximum), each run
    # into a new table.
    rates, cpu_rates = [], []
    for run_no in range(args.write_runs):
        _, new_table, new_ids = setup_table(f"Batch {run_no + 1}")
        rng = random.Random(7)
        batches = []
        for b in range(args.batch_records // 1000):
            batches.append(
                [
                    {
                        "fields": {
                            new_ids["title"]: make_title(rng, b * 1000 + i),
                            new_ids["num"]: round(rng.uniform(0, 1000), 2),
                            new_ids["due"]: "2024-05-01",
                            new_ids["status"]: "Doing",
                            new_ids["qty"]: i,
                            new_ids["done"]: i % 2 == 0,
                            new_ids["length"]: "10.5 ±0.1 mm",
                            new_ids["email"]: f"u{i}@example.com",
                            new_ids["rating"]: 3,
                            new_ids["notes"]: "batch",
                        }
                    }
                    for i in range(1000)
                ]
            )
        # The 100,000 prepared input records are the benchmark's, not the service's: keep them out
        # of the garbage collector's full passes (an API process holds one request's batch).
        gc.collect()
        gc.freeze()
        cpu = time.process_time()
        started = time.perf_counter()
        for batch in batches:
            with session_scope() as s:
                service.create_records(s, principal=principal, table_id=new_table, records=batch)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        gc.unfreeze()
        total = len(batches) * 1000
        rates.append(total / seconds)
        cpu_rates.append(total / cpu)
        print(f"batch create of {total:,} records (1,000 per call): {seconds:.2f} s = {total / seconds:,.0f} records/s"
              f" (client CPU {cpu:.2f} s)   [goal >= 20,000/s]   load {os.getloadavg()[0]:.1f}")  # fmt: skip
    if args.write_runs > 1:
        print(
            f"  median of {args.write_runs} runs: {p50(rates):,.0f} records/s"
            f" (client CPU only: {p50(cpu_rates):,.0f}/s)"
        )

    conn = get_engine().raw_connection()
    try:
        record_ids = [
            r[0]
            for r in conn.driver_connection.execute(
                "SELECT id FROM records WHERE table_id = %s ORDER BY seq LIMIT %s", (table_id, args.patches)
            ).fetchall()
        ]
    finally:
        conn.close()
    medians, cpu_medians = [], []
    for run_no in range(args.write_runs):
        samples, cpu_samples = [], []
        for n, rid in enumerate(record_ids):
            cpu = time.process_time()
            started = time.perf_counter()
            with session_scope() as s:
                service.update_record(
                    s,
                    principal=principal,
                    table_id=table_id,
                    record_id=rid,
                    fields={ids["qty"]: run_no * 100_000 + n, ids["notes"]: "x"},  # a change on every run
                )
            samples.append((time.perf_counter() - started) * 1000)
            cpu_samples.append((time.process_time() - cpu) * 1000)
        medians.append(p50(samples))
        cpu_medians.append(p50(cpu_samples))
        print(f"{len(samples):,} single-record PATCHes (service, each its own transaction): p50 {p50(samples):.2f} ms"
              f" (client CPU p50 {p50(cpu_samples):.2f} ms)   [goal < 5 ms]"
              f"   load {os.getloadavg()[0]:.1f}")  # fmt: skip
    if args.write_runs > 1:
        print(
            f"  median of {args.write_runs} runs: p50 {p50(medians):.2f} ms (client CPU p50 {p50(cpu_medians):.2f} ms)"
        )


if __name__ == "__main__":
    main()
