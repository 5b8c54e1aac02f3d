"""Rebuild search documents of a table or a base: `python -m pybase.search.reindex --table ID | --base ID`.

Runs against DATABASE_URL with the configured backend (PYBASE_SEARCH_BACKEND), committing after
every chunk of records; prints the count and the rate. Safe to run while the app serves traffic.
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
    args = parser.parse_args(argv)
    backend = get_backend()
    session = new_session()
    started = time.perf_counter()
    try:
        if args.table:
            result = indexer.index_table(session, backend, table_id=args.table, commit=session.commit)
        else:
            result = indexer.index_base(session, backend, base_id=args.base, commit=session.commit)
        session.commit()
    finally:
        session.close()
    seconds = time.perf_counter() - started
    count = result.get("indexed", 0)
    rate = count / seconds if seconds > 0 else 0.0
    print(f"{result} in {seconds:.1f} s ({rate:,.0f} records/s) with the {backend.name} backend", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
