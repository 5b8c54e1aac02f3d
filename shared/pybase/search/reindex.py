"""Rebuild search documents of a table or a base: `python -m pybase.search.reindex --table ID | --base ID`.

Runs against DATABASE_URL with the configured backend (PYBASE_SEARCH_BACKEND), committing after
every chunk of records, over two connections at once (--workers); prints the count and the rate.
Safe to run while the app serves traffic.
"""

from __future__ import annotations

import argparse
import sys
import time

from pybase.db import new_session
from pybase.search import indexer
from pybase.search.backends import get_backend


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--table", help="table ID (tbl...)")
    target.add_argument("--base", help="base ID (app...)")
    parser.add_argument("--workers", type=int, default=indexer.REBUILD_WORKERS,
                        help="connections used at once (default %(default)s)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    backend = get_backend()
    started = time.perf_counter()
    if args.table:
        result = indexer.rebuild_table(new_session, backend, table_id=args.table, workers=args.workers)
    else:
        result = indexer.rebuild_base(new_session, backend, base_id=args.base, workers=args.workers)
    seconds = time.perf_counter() - started
    count = result.get("indexed", 0)
    rate = count / seconds if seconds > 0 else 0.0
    print(f"{result} in {seconds:.1f} s ({rate:,.0f} records/s) with the {backend.name} backend", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
