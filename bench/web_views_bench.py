"""Web app benchmark of the card views: a kanban of 2,000 cards and a calendar of 5,000 events.

    python bench/web_views_bench.py [--cards 2000] [--events 5000] [--dist frontend/dist]

Starts the same local stack as bench/web_bench.py (whose helpers it uses), loads two tables through the
batch API (a kanban stacked by a 4-option single select; a calendar of events spread over three
months around today), then in headless Chromium (bench/web_views_bench_browser.mjs) measures how long
the first cards/events take to show, and frame times from requestAnimationFrame while the user
works: scrolling the board, dragging a card across stacks, paging months and switching to the week,
dragging an event to another day. Goal: every frame under 50 ms (the view stays interactive).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import secrets
import shutil
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STATUSES = ("Backlog", "Machining", "Inspection", "Shipped")


def web_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pybase_web_bench", ROOT / "bench" / "web_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load(wb: ModuleType, api: str, token: str, table_id: str, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 1000):
        batch = [{"fields": f} for f in rows[start : start + 1000]]
        wb.call(api, "POST", f"/tables/{table_id}/records", {"records": batch, "typecast": True}, token)


def seed(wb: ModuleType, api: str, cards: int, events: int) -> dict[str, Any]:
    owner = {"name": "Bench Owner", "email": f"views-{secrets.token_hex(4)}@example.com", "password": wb.PASSWORD}
    token = wb.call(api, "POST", "/auth/register", owner)["access_token"]
    workspace = wb.call(api, "POST", "/workspaces", {"name": "Bench"}, token)
    base = wb.call(api, "POST", f"/workspaces/{workspace['id']}/bases", {"name": "Views"}, token)

    board = wb.call(api, "POST", f"/bases/{base['id']}/tables", {"name": "Work orders"}, token)
    status = wb.call(api, "POST", f"/tables/{board['id']}/fields",
                     {"name": "Status", "type": "single_select",
                      "options": {"choices": [{"name": s} for s in STATUSES]}}, token)  # fmt: skip
    wb.call(api, "POST", f"/tables/{board['id']}/fields", {"name": "Qty", "type": "number"}, token)
    load(wb, api, token, board["id"],
         [{"Name": f"Order {i:05d}", "Status": STATUSES[i % 4], "Qty": i % 90} for i in range(cards)])  # fmt: skip
    kanban_view = {"name": "Board", "type": "kanban", "config": {"stack_field_id": status["id"]}}
    kanban = wb.call(api, "POST", f"/tables/{board['id']}/views", kanban_view, token)

    cal = wb.call(api, "POST", f"/bases/{base['id']}/tables", {"name": "Events"}, token)
    due = wb.call(api, "POST", f"/tables/{cal['id']}/fields", {"name": "Due", "type": "date"}, token)
    first = dt.date.today().replace(day=1) - dt.timedelta(days=31)
    rows = [{"Name": f"Event {i:05d}", "Due": (first + dt.timedelta(days=i % 92)).isoformat()} for i in range(events)]
    load(wb, api, token, cal["id"], rows)
    calendar_view = {"name": "Schedule", "type": "calendar", "config": {"date_field_id": due["id"]}}
    calendar = wb.call(api, "POST", f"/tables/{cal['id']}/views", calendar_view, token)
    return {
        "owner": owner,
        "kanbanPath": f"/b/{base['id']}/t/{board['id']}?view={kanban['id']}",
        "calendarPath": f"/b/{base['id']}/t/{cal['id']}?view={calendar['id']}",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cards", type=int, default=2000)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--dist", type=Path, help="serve this build instead of building the app")
    parser.add_argument("--rendering", choices=["software", "swiftshader"], default="software",
                        help="how Chromium draws without a GPU (see bench/browser_args.mjs)")  # fmt: skip
    args = parser.parse_args()

    wb = web_bench()
    mod = wb.load_stack()
    state = Path(tempfile.mkdtemp(prefix="pybase-web-views-bench-"))
    stack = mod.Stack()
    try:
        dist = args.dist.resolve() if args.dist else wb.build(state / "dist")
        env = mod.services(stack, state=state, temporary=True)
        env.update(PYBASE_STAGE="local", PYBASE_FILES_BUCKET=f"pybase-bench-{secrets.token_hex(3)}")
        env["PYBASE_EXTRACT_QUEUE"] = env["PYBASE_FILES_BUCKET"].replace("files", "extract")
        ports = mod.OfflinePorts(http=mod.free_port(), websocket=mod.free_port(), lambda_=mod.free_port())
        env["PYBASE_WS_ENDPOINT"] = f"http://127.0.0.1:{ports.websocket}"
        mod.migrate(env["DATABASE_URL"])
        full_env = mod.function_env({**os.environ, **env})
        mod.bootstrap(mod.service_config("local", full_env), env["AWS_ENDPOINT_URL"])
        mod.start_offline(stack, stage="local", ports=ports, env=full_env, logfile=state / "offline.log")
        mod.start_relay(stack, env=full_env, logfile=state / "relay.log")
        web_port = mod.free_port()
        mod.start_web(stack, port=web_port, http_port=ports.http, ws_port=ports.websocket, preview=True,
                      logfile=state / "vite.log", args=["--outDir", str(dist)])  # fmt: skip
        api = f"http://127.0.0.1:{ports.http}"
        world = seed(wb, api, args.cards, args.events)
        config_file = state / "bench.json"
        config = {**world, "webUrl": f"http://127.0.0.1:{web_port}", "rendering": args.rendering}
        config_file.write_text(json.dumps(config))
        figures = wb.run_browser("web_views_bench_browser.mjs", config_file, state / "browser.log")
    except BaseException:
        wb.failure_logs(mod, state, 200)
        raise
    finally:
        stack.stop()
        shutil.rmtree(state, ignore_errors=True)

    print(
        f"\nWeb app views: kanban of {args.cards:,} cards, calendar of {args.events:,} events "
        f"(headless Chromium, {args.rendering} rendering)"
    )
    print(f"{'figure':<52} {'result':>22}  goal")
    for view in ("kanban", "calendar"):
        f = figures[view]
        print(f"{view + ': first cards visible after navigating':<52} {f['first_ms']:>19} ms")
        for name, frames in f["interactions"].items():
            print(f"{'  ' + name + ': frame max / p95':<52} {frames['max']:>9} / {frames['p95']:>6} ms  < 50 ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
