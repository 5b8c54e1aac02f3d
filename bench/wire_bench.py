"""Where a request spends its time between the Lambda event and the service call.

Drives the records function's Lambda handler in-process with API Gateway v2 events, as Lambda does,
for three requests: the first page of 100 records (no filter), the count of all records and a
single-record PATCH; each with a session JWT and with an API token. Per request it prints the p50
of each phase (auth, access + fields, the service call itself, commit, serialization, and the rest:
event -> ASGI, routing, validation, response translation), the whole handler, the bare service call
(a session, the service function, the commit) and the ratio handler / (bare service + 1 ms).

--baseline runs the same requests with the API token cache off first, in the same run, to compare.

    .venv/bin/python infra/stack.py run -- .venv/bin/python bench/wire_bench.py [--rows 2000] [--runs 200]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT, migrate, owner_base, p50, timed, with_database

sys.path.insert(0, str(ROOT))

_spent: dict[str, float] = defaultdict(float)


def _wrap(owner: Any, name: str, phase: str) -> None:
    """Replace owner.name by a wrapper adding its time to `phase` (nested phases are not subtracted)."""
    original = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            _spent[phase] += (time.perf_counter() - started) * 1000

    setattr(owner, name, wrapper)


def _instrument() -> None:
    import fastapi.routing
    from sqlalchemy.orm import Session
    from starlette.responses import JSONResponse

    from pybase.auth import service as auth_service
    from pybase.records import service as records_service

    _wrap(auth_service, "authenticate_request", "auth")
    for name in ("table_context", "write_context"):
        _wrap(records_service, name, "access")
    for name in ("list_records", "count_records", "update_record"):
        _wrap(records_service, name, "service")
    _wrap(Session, "commit", "commit")
    _wrap(JSONResponse, "render", "serialize")
    original = fastapi.routing.serialize_response

    async def serialize_response(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await original(*args, **kwargs)
        finally:
            _spent["serialize"] += (time.perf_counter() - started) * 1000

    fastapi.routing.serialize_response = serialize_response


def _setup(rows: int) -> dict[str, Any]:
    from sqlalchemy import text

    from pybase.auth import service as auth_service
    from pybase.auth.security import issue_access_token
    from pybase.db import session_scope
    from pybase.fields import service as fields_service
    from pybase.records import service as records_service
    from pybase.tables import service as tables_service
    from pybase.views import service as views_service

    with session_scope() as session:
        user, base, principal = owner_base(session, f"wire-{time.time_ns()}@example.com")
        table = tables_service.create_table(session, principal=principal, base_id=base.id, name="Wire")
        table_id, primary = table["id"], table["primary_field_id"]
        field_ids = [primary]
        for name, ftype in (("Qty", "number"), ("Notes", "long_text"), ("Done", "checkbox"), ("Due", "date")):
            field_ids.append(fields_service.create_field(session, principal=principal, table_id=table_id,
                                                         name=name, type=ftype, options={})["id"])  # fmt: skip
        user_id = user.id
    with session_scope() as session:
        for start in range(0, rows, 1000):
            batch = [
                {"fields": {field_ids[0]: f"Part {i}", field_ids[1]: i * 1.5, field_ids[2]: f"note {i} " * 4,
                            field_ids[3]: i % 2 == 0, field_ids[4]: f"2026-01-{1 + i % 28:02d}"}}
                for i in range(start, min(rows, start + 1000))
            ]  # fmt: skip
            created = records_service.create_records(session, principal=principal, table_id=table_id, records=batch)
        record_id = created[0]["id"]
    with session_scope() as session:
        _, api_token = auth_service.create_api_token(session, principal=principal, name="wire", scope="write")
        # The web app lists through the table's grid view (made with the table): sorted by Qty here.
        view_id = session.scalar(text("SELECT id FROM views WHERE table_id = :t"), {"t": table_id})
        views_service.update_view(
            session, principal=principal, view_id=view_id, config={"sorts": [{"field_id": field_ids[1]}]}
        )
    jwt, _ = issue_access_token(user_id)
    return {"principal": principal, "table_id": table_id, "record_id": record_id, "qty": field_ids[1],
            "view_id": view_id, "tokens": {"JWT": jwt, "API token": api_token}}  # fmt: skip


def _cases(ctx: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any], Callable[[Any, int], Any]]]:
    from pybase.records import service as records_service

    table_id, record_id, principal = ctx["table_id"], ctx["record_id"], ctx["principal"]
    path = f"/tables/{table_id}/records"

    def bare_list(session: Any, i: int) -> Any:
        return records_service.list_records(session, principal=principal, table_id=table_id, page_size=100)

    def bare_view(session: Any, i: int) -> Any:
        return records_service.list_records(
            session, principal=principal, table_id=table_id, page_size=100, view_id=ctx["view_id"]
        )

    def bare_count(session: Any, i: int) -> Any:
        return records_service.count_records(session, principal=principal, table_id=table_id)

    def bare_patch(session: Any, i: int) -> Any:
        return records_service.update_record(
            session, principal=principal, table_id=table_id, record_id=record_id, fields={ctx["qty"]: i}
        )

    return [
        ("first page of 100", "GET", path, {"query": {"page_size": 100}}, bare_list),
        ("first page of a grid view", "GET", path, {"query": {"page_size": 100, "view": ctx["view_id"]}}, bare_view),
        ("count", "GET", f"{path}/count", {}, bare_count),
        ("single PATCH", "PATCH", f"{path}/{record_id}", {"patch": True}, bare_patch),
    ]


def _bare(fn: Callable[[Any, int], Any], runs: int) -> float:
    from pybase.db import session_scope

    counter = iter(range(10**9))

    def once() -> None:
        with session_scope() as session:
            fn(session, next(counter))

    timed(once, 10)
    return timed(once, runs)[0]


def _wire(group: str, method: str, path: str, token: str, extra: dict[str, Any], qty: str, runs: int) -> dict[str, Any]:
    from tests.lambda_events import LambdaContext, http_event, load_function

    handler = load_function(group).handler
    samples: dict[str, list[float]] = defaultdict(list)
    size = 0
    for i in range(runs + 10):
        kwargs: dict[str, Any] = {"headers": {"authorization": f"Bearer {token}"}}
        if "query" in extra:
            kwargs["query"] = extra["query"]
        if extra.get("patch"):
            kwargs["body"] = {"fields": {qty: 1000 + i}}
        event = http_event(method, path, **kwargs)
        _spent.clear()
        started = time.perf_counter()
        result = handler(event, LambdaContext())
        total = (time.perf_counter() - started) * 1000
        assert result["statusCode"] == 200, result.get("body", "")[:300]
        size = len(result.get("body") or "")
        if i < 10:
            continue  # warm-up
        samples["total"].append(total)
        for phase in ("auth", "access", "service", "commit", "serialize"):
            samples[phase].append(_spent.get(phase, 0.0))
        samples["rest"].append(total - _spent["auth"] - _spent["service"] - _spent["commit"] - _spent["serialize"])
    return {"p50": {k: p50(v) for k, v in samples.items()}, "bytes": size}


def _report(label: str, figures: dict[str, Any], bare: float) -> None:
    f = figures["p50"]
    ratio = f["total"] / (bare + 1.0)
    print(f"  {label:<30} total {f['total']:6.2f}  auth {f['auth']:5.2f}  access {f['access']:5.2f}  "
          f"service {f['service']:5.2f}  commit {f['commit']:5.2f}  serialize {f['serialize']:5.2f}  "
          f"rest {f['rest']:5.2f} ms | bare {bare:5.2f} ms  ratio {ratio:4.2f}{' ok' if ratio <= 1.5 else ''}  "
          f"{figures['bytes']:,} B")  # fmt: skip


def run(url: str, args: argparse.Namespace) -> None:
    from pybase.auth import tokencache

    migrate(url)
    print(f"load {os.getloadavg()[0]:.1f} (1 min), {args.rows:,} records, {args.runs} runs per figure (p50 ms)")
    ctx = _setup(args.rows)
    _instrument()
    modes = [("baseline (token cache off)", False), ("now", True)] if args.baseline else [("now", True)]
    for title, cached in modes:
        tokencache.enabled = cached
        tokencache.clear()
        print(title)
        for name, method, path, extra, bare_fn in _cases(ctx):
            bare = _bare(bare_fn, args.runs)
            for kind, token in ctx["tokens"].items():
                figures = _wire("records", method, path, token, extra, ctx["qty"], args.runs)
                _report(f"{name}, {kind}", figures, bare)
    tokencache.enabled = True
    print(f"load {os.getloadavg()[0]:.1f} (1 min) at the end")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--baseline", action="store_true", help="also run with the API token cache off, first")
    args = parser.parse_args()
    with_database(lambda url: run(url, args), label="wire", PYBASE_LOG_LEVEL="WARNING")


if __name__ == "__main__":
    main()
