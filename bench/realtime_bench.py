"""Realtime benchmark through the local stack: serverless offline (WebSocket API and management API),
the relay worker, Redis and PostgreSQL, with 100 WebSocket subscribers on one table.

    python bench/realtime_bench.py [--clients 100] [--latency-writes 200] [--rate 500] [--seconds 5]

Phase 1 (latency): single writes spaced 20 ms apart; write-to-delivery latency is measured from just
before the writer's commit (which includes publishing) to the moment each client receives the event.
Phase 2 (throughput): writes at --rate per second for --seconds, one transaction each; every client
must receive every event, in order. Uses DATABASE_URL / REDIS_URL when set, else starts embedded
PostgreSQL (pgserver) and a redis-server on a free port.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
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

    received: list[list[tuple[int, float, float, str]]] = [[] for _ in tokens]
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
                        mine.append((e["id"], e["payload"]["t"], now, e["payload"]["phase"]))
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
            self._spawn(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""], "redis")
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


def _write(ws_id: str, base_id: str, table_id: str, actor: str, n: int, phase: str) -> float:
    """One committed write (one change event); returns the commit-start time carried in the payload."""
    from pybase.db import new_session
    from pybase.events.service import emit
    from pybase.ids import new_id

    session = new_session()
    try:
        t = time.time()
        emit(
            session,
            type="record.updated",
            workspace_id=ws_id,
            base_id=base_id,
            table_id=table_id,
            actor_id=actor,
            payload={"record_id": new_id("rec"), "fields": {"n": n}, "t": t, "phase": phase},
        )
        session.commit()
        return t
    finally:
        session.close()


def _run_clients(url: str, tokens: list[str], table_id: str, expect: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--as-clients", url, table_id, str(expect)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps(tokens) + "\n")
    proc.stdin.flush()
    line = proc.stdout.readline()
    if line.strip() != "READY":
        raise RuntimeError(f"clients did not start: {line!r}")
    return proc


def _collect(proc: subprocess.Popen[str], timeout: float) -> list[list[list[float]]]:
    result: dict[str, Any] = {}

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("RESULT "):
                result["r"] = json.loads(line[7:])
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    if "r" not in result:  # not everything arrived: ask the clients for what they have
        assert proc.stdin is not None
        proc.stdin.write("stop\n")
        proc.stdin.flush()
        reader.join(30)
    try:
        proc.wait(timeout=180)  # the clients close one by one
    except subprocess.TimeoutExpired:
        proc.kill()
    return result.get("r", [])


WRITERS = 4  # paced writer threads: one Python thread cannot commit 500 transactions a second here


def _write_phase(world: Any, *, writes: int, rate: float, phase: str) -> float:
    """Write `writes` changes at `rate` per second (each its own transaction); returns the rate reached."""
    ws_id, base_id, table_id, users, _ = world
    interval = 1.0 / rate
    start = time.perf_counter() + 0.05

    def writer(k: int) -> None:
        for n in range(k, writes, WRITERS):
            delay = start + n * interval - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            _write(ws_id, base_id, table_id, users[n % len(users)], n, phase)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return writes / (time.perf_counter() - start)


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


def _report(received: list[Any], *, phase: str, writes: int, write_rate: float) -> dict[str, Any]:
    per_client = [[e for e in pc if e[3] == phase] for pc in received]
    latencies = [(recv - t) * 1000 for pc in per_client for (_, t, recv, _) in pc]
    last = max((recv for pc in per_client for (_, _, recv, _) in pc), default=0)
    first_t = min((t for pc in per_client for (_, t, _, _) in pc), default=0)
    out = {
        "phase": phase,
        "clients": len(received),
        "writes": writes,
        "write_rate": round(write_rate, 1),
        "deliveries": len(latencies),
        "expected_deliveries": len(received) * writes,
        "clients_complete": sum(1 for pc in per_client if len({e[0] for e in pc}) == writes),
        # Every client sees the same (commit) order; IDs need not be ascending with concurrent writers.
        "same_order_everywhere": len({tuple(e[0] for e in pc) for pc in per_client}) == 1,
        "duplicates": sum(len(pc) - len({e[0] for e in pc}) for pc in per_client),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p99_ms": round(_pct(latencies, 99), 1) if latencies else None,
        "max_ms": round(max(latencies), 1) if latencies else None,
        "delivered_changes_per_s": round(writes / (last - first_t), 1) if last > first_t else None,
    }
    print(json.dumps(out), flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--latency-writes", type=int, default=200)
    parser.add_argument("--rate", type=float, default=500)
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so that `finally` stops the stack
    stack = Stack()
    try:
        stack.start()
        world = _world(args.clients)
        warm, lat_n, thr_n = 5, args.latency_writes, int(args.rate * args.seconds)
        clients = _run_clients(f"ws://127.0.0.1:{stack.ws_port}", world[4], world[2], warm + lat_n + thr_n)
        # Warm up first (the relay's first posts, the clients' first frames), then measure.
        rates = {"warm-up": _write_phase(world, writes=warm, rate=10, phase="warm-up")}
        time.sleep(2)
        rates["latency"] = _write_phase(world, writes=lat_n, rate=50, phase="latency")
        time.sleep(2)
        rates["throughput"] = _write_phase(world, writes=thr_n, rate=args.rate, phase="throughput")
        received = _collect(clients, timeout=60)
        publish_ms = _publish_cost(world)
        lat = _report(received, phase="latency", writes=lat_n, write_rate=rates["latency"])
        thr = _report(received, phase="throughput", writes=thr_n, write_rate=rates["throughput"])
        print()
        print(f"subscribers on one table:        {args.clients}")
        print(f"publish cost on the write path (after commit): p50 {publish_ms[0]} ms, p99 {publish_ms[1]} ms")
        print(f"latency  p50 / p99 (50 writes/s): {lat['p50_ms']} ms / {lat['p99_ms']} ms  (targets < 50 / < 250)")
        print(
            f"throughput: wrote {thr['write_rate']} changes/s for {args.seconds:g} s; "
            f"delivered {thr['deliveries']}/{thr['expected_deliveries']} "
            f"({thr['clients_complete']}/{args.clients} clients complete, same order everywhere: "
            f"{thr['same_order_everywhere']}, duplicates: {thr['duplicates']}); "
            f"p50 {thr['p50_ms']} ms, p99 {thr['p99_ms']} ms under load"
        )
    finally:
        stack.stop()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--as-clients":
        _, _, url, table_id, expect = sys.argv
        tokens = json.loads(sys.stdin.readline())
        asyncio.run(_clients_main(url, tokens, table_id, int(expect)))
    else:
        main()
