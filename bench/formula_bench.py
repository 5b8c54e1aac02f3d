"""Formula engine speed: parsing, Python evaluation per record, and a filter compiled to PostgreSQL
against the same filter evaluated in Python over fetched rows.

Uses DATABASE_URL's server if set (only a TEMPORARY table is created), otherwise starts an embedded
PostgreSQL (pgserver) in a temporary directory and removes it afterwards.

Usage: python bench/formula_bench.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

FORMULAS = {
    "arithmetic": "ROUND({num} * 1.2 + {num2} / 3, 2)",
    "text": "IF(FIND('7', {text}) > 0, UPPER(LEFT({text}, 4)) & '-' & {num}, BLANK())",
    "dates": "DATETIME_DIFF(DATEADD({due}, 1, 'months'), {due}, 'days') > 29",
    "filter": "AND({num} > 500, FIND('7', {text}) > 0, IS_BEFORE({due}, '2024-06-01'))",
}
KINDS = {"num": "number", "num2": "number", "text": "text", "due": "date"}


def timed(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    samples, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), result


def make_rows(count: int) -> list[dict[str, Any]]:
    rng = random.Random(7)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    rows = []
    for i in range(count):
        data: dict[str, Any] = {
            "num": rng.randint(0, 1000),
            "num2": rng.choice([0, 1, 2.5, None]),
            "text": f"item {rng.randint(0, 99999)}",
            "due": (start + timedelta(minutes=rng.randint(0, 525600))).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        }
        rows.append({"id": f"rec{i:014d}", "data": {k: v for k, v in data.items() if v is not None}})
    return rows


def start_server() -> tuple[str, Callable[[], None]]:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url, lambda: None
    import pgserver

    tmp = tempfile.mkdtemp(prefix="pybase-formula-bench-")
    os.chmod(tmp, 0o777)  # pgserver runs postgres as its own OS user when started by root
    server = pgserver.get_server(tmp, cleanup_mode="stop")

    def cleanup() -> None:
        server.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)

    return server.get_uri(), cleanup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()

    from pybase.formulas import ErrorValue, RecordContext, compile_sql_full, evaluate, jsonb_resolver, parse, truthy

    now = datetime(2024, 3, 15, tzinfo=UTC)
    rows = make_rows(args.rows)

    print("parse (median of 5 x 1000 parses per formula):")
    for name, source in FORMULAS.items():
        seconds, _ = timed(lambda source=source: [parse(source) for _ in range(1000)])
        print(f"  {name:<11} {seconds * 1000:8.1f} us/parse")

    sample = rows[:20_000]
    print(f"python evaluate ({len(sample)} records):")
    for name, source in FORMULAS.items():
        tree = parse(source)

        def run(tree: Any = tree) -> int:
            return sum(
                1
                for row in sample
                if evaluate(tree, RecordContext(values=row["data"], field_kinds=KINDS, now=now)) is not None
            )

        seconds, _ = timed(run, repeat=3)
        print(f"  {name:<11} {len(sample) / seconds:10.0f} records/s")

    import sqlalchemy as sa
    from sqlalchemy.dialects.postgresql import JSONB

    from pybase.db import normalize_url

    url, cleanup = start_server()
    try:
        engine = sa.create_engine(normalize_url(url), poolclass=sa.pool.NullPool)
        table = sa.Table(
            "formula_bench_rows",
            sa.MetaData(),
            sa.Column("id", sa.Text, primary_key=True),
            sa.Column("data", JSONB),
            prefixes=["TEMPORARY"],
        )
        with engine.connect() as conn:
            table.create(conn)
            for i in range(0, len(rows), 5000):
                conn.execute(table.insert(), rows[i : i + 5000])
            conn.execute(sa.text(f"ANALYZE {table.name}"))
            tree = parse(FORMULAS["filter"])
            compiled = compile_sql_full(tree, jsonb_resolver(table.c.data, KINDS), now=now)
            query = sa.select(sa.func.count()).select_from(table).where(compiled.condition())
            sql_seconds, sql_count = timed(lambda: conn.execute(query).scalar_one())

            def python_filter() -> int:
                hits = 0
                for rid, data in conn.execute(sa.select(table.c.id, table.c.data)):
                    value = evaluate(tree, RecordContext(values=data, field_kinds=KINDS, now=now, record_id=rid))
                    hits += not isinstance(value, ErrorValue) and truthy(value)
                return hits

            py_seconds, py_count = timed(python_filter, repeat=3)
            assert sql_count == py_count, (sql_count, py_count)
            print(f"filter {FORMULAS['filter']!r} over {len(rows)} rows ({sql_count} match):")
            print(f"  compiled to SQL      {sql_seconds * 1000:9.1f} ms")
            print(f"  fetched + Python     {py_seconds * 1000:9.1f} ms  ({py_seconds / sql_seconds:.1f}x slower)")
        engine.dispose()
    finally:
        cleanup()


if __name__ == "__main__":
    main()
