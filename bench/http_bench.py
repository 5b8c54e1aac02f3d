"""Records over HTTP through serverless offline, side by side with a peer (NocoDB) on the same machine.

    python bench/http_bench.py [--rows 100000] [--runs 40] [--rounds 5] [--no-peer] [--no-index-builds]

Starts PostgreSQL, Redis and LocalStack (unless their variables point at running ones, as under
`infra/stack.py run`), serverless offline and the SQS poller on free ports, loads --rows identical
records (Name, Qty, Notes, Done, Due) through the batch API, then times seven requests over HTTP with
one keep-alive client, sequentially, each with an API token: the first page of 100 (no filter), the
count of all records, a single-record PATCH, a page with a filter and a sort, a page with a
`contains` filter and a page at depth 50,000 (or half the rows when fewer), by offset and, PyBase
only, by the cursor a client scrolling there holds (NocoDB has only offsets: its row repeats its
offset page). Figures are p50 / p95 in ms. Before timing, each request is sent once and the
expression indexes PyBase then asks for (a large table's filter, sort and `contains` listings) are
waited for, as a deployed table would have them after its first such listings; --no-index-builds
starts no poller, so none gets built.

The peer: a NocoDB answering at NOCODB_URL with the API token NOCODB_TOKEN, else one started here
from an npm installation outside the repository (NOCODB_HOME, default ~/.cache/pybase-bench/nocodb)
on a scratch database of the same PostgreSQL server. Installing it: `npm install --ignore-scripts
nocodb` in that folder (its nocodb-sdk's install script insists on pnpm) with `"overrides": {"xlsx":
"0.18.5"}` in the folder's package.json when its CDN tarball is out of reach, then `node-gyp rebuild`
in node_modules/sqlite3 (the binding it loads at start). It gets the same table and records through
its REST API (v2) and the same requests. The two systems alternate in rounds (and which goes first
alternates too) so that the machine's load falls on both alike. Without a peer the PyBase figures
are printed with the reason the peer was skipped. The machine's load is printed at the start and at
the end. Everything started is stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from common import load_stack  # noqa: E402

PASSWORD = "correct horse battery staple"
DEFAULT_NOCODB_HOME = Path.home() / ".cache" / "pybase-bench" / "nocodb"
DEPTH = 50_000
BATCH = 1000
KINDS = [
    "first page of 100",
    "count of all rows",
    "single PATCH",
    "filter + sort page",
    "contains filter page",
    "page at depth",
    "page at depth, by cursor",
]
GOAL_KINDS = {"first page of 100", "count of all rows", "single PATCH"}
GOAL_RATIO = 0.7
INDEX_WAIT_SECONDS = 300
QUEUES = {
    "PYBASE_EXTRACT_QUEUE": "ExtractQueue",
    "PYBASE_INDEX_QUEUE": "IndexQueue",
    "PYBASE_WEBHOOK_QUEUE": "WebhookQueue",
    "PYBASE_ATTACHMENT_FETCH_QUEUE": "AttachmentFetchQueue",
    "PYBASE_INDEX_BUILD_QUEUE": "IndexBuildQueue",
}

# A request: (method, path with query, JSON body or None); `i` makes each PATCH write a new value.
Request = tuple[str, str, Any]


def record(i: int) -> dict[str, Any]:
    """Row i, the same in both systems."""
    return {
        "Name": f"Part {i:06d}",
        "Qty": i % 500,
        "Notes": f"Batch {i // 1000}, drawing rev {i % 7}",
        "Done": i % 3 == 0,
        "Due": f"2026-{i % 12 + 1:02d}-{i % 28 + 1:02d}",
    }


def load_line() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} (1 min), {five:.2f} (5 min)"


def check(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.method} {response.request.url} -> {response.status_code}: "
                           f"{response.text[:500]}")  # fmt: skip
    return response.json() if response.content else None


class System:
    """One side of the comparison: how it is set up and what each request kind is on its API."""

    name = ""
    client: httpx.Client

    def requests(self, depth: int) -> dict[str, Callable[[int], Request]]:
        raise NotImplementedError

    def rows_in(self, kind: str, answer: Any) -> int:
        """Records in a page's answer, or the count: both systems must agree on these."""
        raise NotImplementedError

    def close(self) -> None:
        self.client.close()


class PyBase(System):
    name = "PyBase"

    def __init__(self, api: str, rows: int) -> None:
        self.client = httpx.Client(base_url=api, timeout=120)
        suffix = secrets.token_hex(4)
        session = check(self.client.post("/auth/register", json={
            "name": "Bench", "email": f"http-{suffix}@example.com", "password": PASSWORD}))  # fmt: skip
        self.client.headers["authorization"] = f"Bearer {session['access_token']}"
        workspace = check(self.client.post("/workspaces", json={"name": "Bench"}))
        base = check(self.client.post(f"/workspaces/{workspace['id']}/bases", json={"name": "Bench"}))
        table = check(self.client.post(f"/bases/{base['id']}/tables", json={"name": "Parts"}))
        self.table_id = table["id"]
        self._cursors: dict[int, str] = {}
        for name, ftype in (("Qty", "number"), ("Notes", "long_text"), ("Done", "checkbox"), ("Due", "date")):
            check(self.client.post(f"/tables/{self.table_id}/fields", json={"name": name, "type": ftype}))
        token = check(self.client.post("/api-tokens", json={"name": "bench", "scope": "write"}))["token"]
        self.client.headers["authorization"] = f"Bearer {token}"
        started = time.monotonic()
        self.record_id = ""
        for start in range(0, rows, BATCH):
            batch = [{"fields": record(i)} for i in range(start, min(start + BATCH, rows))]
            created = check(self.client.post(f"/tables/{self.table_id}/records", json={"records": batch}))
            self.record_id = self.record_id or created["records"][0]["id"]
        elapsed = time.monotonic() - started
        print(f"PyBase: {rows:,} records loaded in {elapsed:.1f} s ({rows / elapsed:,.0f}/s)", file=sys.stderr)

    def build_indexes(self, depth: int) -> None:
        """Send each request once, so PyBase asks for the indexes a large table's listings use, and
        wait for their builds (the SQS poller runs the index builder) before anything is timed."""
        started = time.monotonic()
        for make in self.requests(depth).values():
            method, path, body = make(0)
            check(self.client.request(method, path, json=body))
        states: dict[str, str] = {}
        while time.monotonic() - started < INDEX_WAIT_SECONDS:
            listed = check(self.client.get(f"/tables/{self.table_id}/indexes"))["indexes"]
            states = {f"{i['kind']} {i['field_id']}": i["state"] for i in listed}
            if all(state in ("ready", "failed") for state in states.values()):
                break
            time.sleep(1)
        print(f"PyBase indexes after {time.monotonic() - started:.0f} s: {states or 'none asked for'}", file=sys.stderr)

    def requests(self, depth: int) -> dict[str, Callable[[int], Request]]:
        path = f"/tables/{self.table_id}/records"
        fs = quote(json.dumps({"field": "Qty", "op": ">=", "value": 250}))
        contains = quote(json.dumps({"field": "Name", "op": "contains", "value": "0042"}))
        return {
            "first page of 100": lambda i: ("GET", f"{path}?page_size=100", None),
            "count of all rows": lambda i: ("GET", f"{path}/count", None),
            "single PATCH": lambda i: ("PATCH", f"{path}/{self.record_id}", {"fields": {"Qty": 1000 + i}}),
            "filter + sort page": lambda i: ("GET", f"{path}?page_size=100&filter={fs}&sort=-Due,Name", None),
            "contains filter page": lambda i: ("GET", f"{path}?page_size=100&filter={contains}", None),
            "page at depth": lambda i: ("GET", f"{path}?page_size=100&offset={depth}", None),
            "page at depth, by cursor": lambda i: ("GET", f"{path}?page_size=100&cursor={self.cursor_at(depth)}", None),
        }

    def cursor_at(self, depth: int) -> str:
        """The cursor of the page at `depth` (the page before it's next_cursor), as a client scrolling
        there holds it; asked for once."""
        if depth not in self._cursors:
            path = f"/tables/{self.table_id}/records?page_size=100&offset={max(0, depth - 100)}"
            self._cursors[depth] = quote(check(self.client.get(path))["next_cursor"])
        return self._cursors[depth]

    def rows_in(self, kind: str, answer: Any) -> int:
        if kind == "count of all rows":
            return int(answer["count"])
        return 1 if kind == "single PATCH" else len(answer["records"])


class NocoDB(System):
    name = "NocoDB"

    def __init__(self, url: str, token: str, rows: int, batch: int = 100) -> None:
        self.client = httpx.Client(base_url=url, timeout=120, headers={"xc-token": token})
        # A base of its own (on its default data source: the metadata database) with the same table.
        base = check(self.client.post("/api/v2/meta/bases", json={"title": f"bench_{secrets.token_hex(3)}"}))
        columns = [
            {"column_name": "Name", "title": "Name", "uidt": "SingleLineText", "pv": True},
            {"column_name": "Qty", "title": "Qty", "uidt": "Number"},
            {"column_name": "Notes", "title": "Notes", "uidt": "LongText"},
            {"column_name": "Done", "title": "Done", "uidt": "Checkbox"},
            {"column_name": "Due", "title": "Due", "uidt": "Date", "meta": {"date_format": "YYYY-MM-DD"}},
        ]
        table = check(self.client.post(f"/api/v2/meta/bases/{base['id']}/tables",
                                       json={"title": "Parts", "table_name": "parts", "columns": columns}))  # fmt: skip
        self.table_id = table["id"]
        started = time.monotonic()
        self.record_id: Any = None
        for start in range(0, rows, batch):
            chunk = [record(i) for i in range(start, min(start + batch, rows))]
            created = check(self.client.post(f"/api/v2/tables/{self.table_id}/records", json=chunk))
            self.record_id = self.record_id if self.record_id is not None else created[0]["Id"]
        elapsed = time.monotonic() - started
        print(f"NocoDB: {rows:,} records loaded in {elapsed:.1f} s ({rows / elapsed:,.0f}/s)", file=sys.stderr)

    def requests(self, depth: int) -> dict[str, Callable[[int], Request]]:
        path = f"/api/v2/tables/{self.table_id}/records"
        fs = quote("(Qty,gte,250)")
        contains = quote("(Name,like,%0042%)")
        return {
            "first page of 100": lambda i: ("GET", f"{path}?limit=100", None),
            "count of all rows": lambda i: ("GET", f"{path}/count", None),
            "single PATCH": lambda i: ("PATCH", path, [{"Id": self.record_id, "Qty": 1000 + i}]),
            "filter + sort page": lambda i: ("GET", f"{path}?limit=100&where={fs}&sort=-Due,Name", None),
            "contains filter page": lambda i: ("GET", f"{path}?limit=100&where={contains}", None),
            "page at depth": lambda i: ("GET", f"{path}?limit=100&offset={depth}", None),
            # NocoDB pages by offset only: the same page its own way.
            "page at depth, by cursor": lambda i: ("GET", f"{path}?limit=100&offset={depth}", None),
        }

    def rows_in(self, kind: str, answer: Any) -> int:
        if kind == "count of all rows":
            return int(answer["count"])
        return 1 if kind == "single PATCH" else len(answer["list"])


def start_nocodb(mod: ModuleType, stack: Any, home: Path, database_url: str, state: Path) -> tuple[str, str]:
    """NocoDB from `home` on a scratch database of `database_url`'s server; its URL and an API token.
    It runs in `state` (its working folder: whatever it writes stays there)."""
    import psycopg
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    name = f"nocodb_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    stack.add("nocodb database", drop)
    host = url.host or url.query.get("host") or "127.0.0.1"
    if isinstance(host, tuple):
        host = host[0]
    # A knex connection (NC_DB_JSON) rather than NC_DB's URL: the embedded server listens on a Unix
    # socket only, which node-postgres takes as a folder in `host`.
    connection = {"host": host, "port": url.port or 5432, "user": url.username or "postgres",
                  "password": url.password or "", "database": name}  # fmt: skip
    port = mod.free_port()
    workdir = state / "nocodb"
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "server.js").write_text(
        "const express = require('express');\n"
        f"const {{ Noco }} = require({json.dumps(str(home / 'node_modules' / 'nocodb'))});\n"
        "(async () => {\n"
        "  const app = express();\n"
        "  const server = app.listen(Number(process.env.PORT), '127.0.0.1');\n"
        "  app.use(await Noco.init({}, server, app));\n"
        "})().catch((err) => { console.error(err); process.exit(1); });\n"
    )
    env = {
        # Not PyBase's DATABASE_URL: NocoDB would take it over NC_DB_JSON and settle in PyBase's database.
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "PORT": str(port),
        "NC_DB_JSON": json.dumps({"client": "pg", "connection": connection}),
        "NC_DISABLE_TELE": "true",
        "NC_DATA_PAYLOAD_LIMIT": str(BATCH),  # loads 1,000 per call like PyBase (100 by default)
        "NC_DISABLE_ERR_REPORTS": "true",
        "NC_AUTH_JWT_SECRET": secrets.token_hex(16),
        "NODE_PATH": str(home / "node_modules"),
        "NODE_ENV": "production",
    }
    started = time.monotonic()
    log = state / "nocodb.log"
    proc = mod.spawn(stack, "nocodb", ["node", "server.js"], env=env, logfile=log, cwd=workdir)
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        return httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200

    mod.wait_until(ready, timeout=240, what="nocodb", proc=proc, logfile=log)
    print(f"NocoDB ready in {time.monotonic() - started:.1f} s", file=sys.stderr)
    email = f"bench-{secrets.token_hex(3)}@example.com"
    signup = check(httpx.post(f"{base}/api/v1/auth/user/signup", json={"email": email, "password": PASSWORD},
                              timeout=60))  # fmt: skip
    token = check(httpx.post(f"{base}/api/v1/tokens", json={"description": "bench"},
                             headers={"xc-auth": signup["token"]}, timeout=60))["token"]  # fmt: skip
    scratch = url.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    with psycopg.connect(scratch) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    if not tables or not tables[0]:
        raise RuntimeError(f"NocoDB keeps its data elsewhere than its scratch database {name}")
    return base, token


def time_kind(
    system: System, kind: str, make: Callable[[int], Request], runs: int, start: int
) -> tuple[list[float], str]:
    """Timed requests in ms, and what the last one answered (rows, bytes): both systems must agree on rows."""
    samples = []
    rows = size = 0
    for i in range(start, start + runs):
        method, path, body = make(i)
        began = time.perf_counter()
        response = system.client.request(method, path, json=body)
        elapsed = (time.perf_counter() - began) * 1000
        rows = system.rows_in(kind, check(response))
        size = len(response.content)
        samples.append(elapsed)
    return samples, f"{rows} rows, {size:,} B"


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(systems: list[System], runs: int, rounds: int, depth: int) -> dict[str, dict[str, list[float]]]:
    samples: dict[str, dict[str, list[float]]] = {s.name: defaultdict(list) for s in systems}
    answers: dict[str, dict[str, str]] = {s.name: {} for s in systems}
    plans = {s.name: s.requests(depth) for s in systems}
    counter = 0
    for system in systems:  # warm-up: each function, connection and plan once before timing
        for kind in KINDS:
            time_kind(system, kind, plans[system.name][kind], 5, counter)
            counter += 5
    for number in range(rounds):
        order = systems if number % 2 == 0 else systems[::-1]
        for system in order:
            for kind in KINDS:
                taken, rows = time_kind(system, kind, plans[system.name][kind], runs, counter)
                counter += runs
                samples[system.name][kind].extend(taken)
                answers[system.name][kind] = rows
        print(f"  round {number + 1}/{rounds} done, {load_line()}", file=sys.stderr)
    if len(systems) == 2:
        first, second = (answers[s.name] for s in systems)
        for kind in KINDS:
            if first[kind].split(",")[0] != second[kind].split(",")[0]:
                raise RuntimeError(f"{kind}: {systems[0].name} answered {first[kind]} rows, "
                                   f"{systems[1].name} {second[kind]}")  # fmt: skip
    for system in systems:
        print(f"  {system.name} answers: {answers[system.name]}", file=sys.stderr)
    return samples


def report(samples: dict[str, dict[str, list[float]]], rows: int, depth: int, skipped: str | None) -> None:
    names = list(samples)
    print(f"\nRecords over HTTP, {rows:,} identical rows, sequential keep-alive requests (p50 / p95 ms)")
    header = f"{'request':<34}" + "".join(f"{name:>20}" for name in names)
    if len(names) == 2:
        header += f"{'ratio p50':>12}  goal"
    print(header)
    for kind in KINDS:
        label = kind.replace("page at depth", f"page at depth {depth:,}")
        line = f"{label:<34}"
        for name in names:
            taken = samples[name][kind]
            line += f"{f'{statistics.median(taken):.2f} / {p95(taken):.2f}':>20}"
        if len(names) == 2:
            ratio = statistics.median(samples[names[0]][kind]) / statistics.median(samples[names[1]][kind])
            goal = ""
            if kind in GOAL_KINDS:
                goal = f"<= {GOAL_RATIO}x " + ("met" if ratio <= GOAL_RATIO else "not met")
            line += f"{ratio:>11.2f}x  {goal}"
        print(line)
    if skipped:
        print(f"peer skipped: {skipped}")


def peer_home() -> Path:
    return Path(os.environ.get("NOCODB_HOME") or DEFAULT_NOCODB_HOME)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40, help="timed requests per kind per system per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-peer", action="store_true", help="PyBase only (no NocoDB, no network)")
    parser.add_argument("--no-index-builds", action="store_true",
                        help="no SQS poller: the expression indexes PyBase asks for are never built")  # fmt: skip
    args = parser.parse_args()
    depth = min(DEPTH, args.rows // 2)

    print(f"start: {load_line()}, {os.cpu_count()} cores")
    mod = load_stack()
    state = Path(tempfile.mkdtemp(prefix="pybase-http-bench-"))
    os.chmod(state, 0o755)
    stack = mod.Stack()
    systems: list[System] = []
    skipped: str | None = None
    try:
        env = mod.services(stack, state=state, temporary=True)
        env.update(PYBASE_STAGE="local", PYBASE_LOG_LEVEL="WARNING")
        env.setdefault("PYBASE_FILES_BUCKET", f"pybase-bench-{secrets.token_hex(3)}")
        ports = mod.OfflinePorts(http=mod.free_port(), websocket=mod.free_port(), lambda_=mod.free_port())
        env["PYBASE_WS_ENDPOINT"] = f"http://127.0.0.1:{ports.websocket}"
        mod.migrate(env["DATABASE_URL"])
        config = None
        if not args.no_index_builds:
            # The queues as `make dev` has them, so the expression indexes PyBase asks for get built.
            config = mod.service_config("local", mod.function_env({**os.environ, **env}))
            mod.bootstrap(config, env["AWS_ENDPOINT_URL"])
            resources = config.get("resources", {}).get("Resources", {})
            for variable, logical_id in QUEUES.items():
                env[variable] = mod._resource_name(resources, logical_id)
        full_env = mod.function_env({**os.environ, **env})
        mod.start_offline(stack, stage="local", ports=ports, env=full_env, logfile=state / "offline.log")
        if config is not None:
            config_file = state / "serverless-config.json"
            config_file.write_text(json.dumps(config))
            mod.start_poller(stack, stage="local", config_file=config_file, lambda_port=ports.lambda_,
                             env=full_env, logfile=state / "poller.log")  # fmt: skip
        pybase = PyBase(f"http://127.0.0.1:{ports.http}", args.rows)
        systems.append(pybase)
        if config is not None:
            pybase.build_indexes(depth)

        if args.no_peer:
            skipped = "--no-peer"
        elif os.environ.get("NOCODB_URL") and os.environ.get("NOCODB_TOKEN"):
            systems.append(NocoDB(os.environ["NOCODB_URL"], os.environ["NOCODB_TOKEN"], args.rows))
        elif not (peer_home() / "node_modules" / "nocodb").is_dir():
            skipped = (f"no NOCODB_URL/NOCODB_TOKEN and no NocoDB installed in {peer_home()} "
                       f"(npm install --prefix {peer_home()} nocodb)")  # fmt: skip
        else:
            url, token = start_nocodb(mod, stack, peer_home(), env["DATABASE_URL"], state)
            systems.append(NocoDB(url, token, args.rows, batch=BATCH))
        print(f"timing: {load_line()}", file=sys.stderr)
        samples = measure(systems, args.runs, args.rounds, depth)
    except BaseException:
        for name in ("offline.log", "poller.log", "nocodb.log"):
            print(f"--- {name} ---\n{mod.tail(state / name, 60)}", file=sys.stderr)
        raise
    finally:
        for system in systems:
            system.close()
        stack.stop()
        shutil.rmtree(state, ignore_errors=True)
    report(samples, args.rows, depth, skipped)
    print(f"end: {load_line()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
