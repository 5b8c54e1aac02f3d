"""Airtable-compatible API and CSV benchmark on the links benchmark's data (100,000 parts with two
link fields, three lookups, a rollup, a count and a formula).

    python bench/airtable_bench.py [--rows 100000] [--runs 10]

Prints p50s of a page of 100 through pybase.airtable.service.list_records (what GET
/v0/{base}/{table} runs) next to the records engine's own page, a filterByFormula on the formula and
rollup fields (compiled to SQL), a page deep in an offset chain, and the time to export the whole
table as CSV and to import 10,000 rows into a new table. Uses DATABASE_URL's server if set, else an
embedded PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "shared"))
sys.path.insert(0, str(ROOT / "bench"))

from common import migrate, start_database, timed  # noqa: E402
from links_bench import setup  # noqa: E402


def run(world: dict[str, Any], rows: int, runs: int) -> None:
    from pybase.airtable import service as airtable
    from pybase.csvio import service as csvio
    from pybase.db import session_scope
    from pybase.records import service as records
    from pybase.tables.models import Table

    principal, parts = world["principal"], world["tables"]["Parts"]
    with session_scope() as s:
        table = s.get(Table, parts["id"])
        assert table is not None
        base_id = table.base_id

    def at(**kwargs: Any) -> dict[str, Any]:
        with session_scope() as s:
            return airtable.list_records(
                s, principal=principal, base_id=base_id, table=parts["id"], params=airtable.ListParams(**kwargs)
            )

    def native() -> dict[str, Any]:
        with session_scope() as s:
            return records.list_records(s, principal=principal, table_id=parts["id"], page_size=100)

    ms, page = timed(native, runs)
    print(f"records engine, page of 100 with every computed field: {ms:.1f} ms")
    ms, page = timed(lambda: at(page_size=100), runs)
    print(f"airtable list, page of 100 with every computed field: {ms:.1f} ms ({len(page['records'])} records)")
    ms, page = timed(lambda: at(page_size=100, fields=["Name", "Qty"]), runs)
    print(f"airtable list, page of 100, fields[]=Name,Qty: {ms:.1f} ms")
    formula = "AND({Qty} > 900, {Score} > 1900)"
    ms, page = timed(lambda: at(page_size=100, filter_by_formula=formula), runs)
    print(f"airtable filterByFormula {formula!r} (formula + rollup in SQL): {ms:.1f} ms, {len(page['records'])} hits")
    ms, page = timed(lambda: at(page_size=100, sort=[{"field": "Qty", "direction": "desc"}]), runs)
    print(f"airtable sort by Qty desc: {ms:.1f} ms")
    offset = None
    depth = min(50, (rows - 1) // 100)  # the 51st page, or the last one of a smaller table
    for _ in range(depth):
        offset = at(page_size=100, offset=offset, fields=["Name"])["offset"]
    ms, page = timed(lambda: at(page_size=100, offset=offset), runs)
    print(f"airtable page {depth + 1} through the offset chain: {ms:.1f} ms")

    started = time.perf_counter()
    size = sum(len(chunk) for chunk in csvio.export_rows(principal=principal, table_id=parts["id"], view_id=None))
    print(f"CSV export of {rows:,} records with every computed field: {time.perf_counter() - started:.1f} s, "
          f"{size / 1e6:.1f} MB")  # fmt: skip
    lines = ["Part,Qty,Price,Length,Kind"] + [
        f"part {i},{i % 1000},${i % 97}.50,{10 + i % 7}.5 ±0.1 mm,{'ABC'[i % 3]}" for i in range(10_000)
    ]
    started = time.perf_counter()
    with session_scope() as s:
        report = csvio.import_csv(
            s, principal=principal, data="\n".join(lines).encode(), base_id=base_id,
            options=csvio.ImportOptions(name="Imported"),
        )  # fmt: skip
    types = [f["type"] for f in report["fields"]]
    print(f"CSV import of 10,000 rows into a new table ({', '.join(types)}): {time.perf_counter() - started:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    url, cleanup = start_database()
    os.environ["DATABASE_URL"] = url
    os.environ["PYBASE_AIRTABLE_REQUESTS_PER_SECOND"] = "0"
    try:
        from pybase.config import get_settings
        from pybase.db import reset_engine

        get_settings.cache_clear()
        reset_engine()
        migrate(url)
        world = setup(args.rows)
        run(world, args.rows, args.runs)
    finally:
        cleanup()


if __name__ == "__main__":
    main()
