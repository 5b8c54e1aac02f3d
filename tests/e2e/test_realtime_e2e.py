"""Realtime end to end: real WebSocket clients through `serverless offline`, the relay worker, Redis
and PostgreSQL. Edits are produced by emit() in committed sessions, exactly as the write services do.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import delete
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from pybase.auth.security import issue_access_token
from pybase.db import session_scope
from pybase.events.service import emit
from pybase.ids import new_id
from pybase.realtime import registry, relay
from pybase.redis_client import get_redis
from pybase.startup import start
from pybase.workspaces.models import WorkspaceMember
from tests.lambda_events import ROOT
from tests.test_realtime_service import World, make_world

pytestmark = pytest.mark.e2e


def _stop(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


@dataclass
class WsStack:
    ws_url: str
    endpoint: str


@pytest.fixture(scope="module")
def ws_stack(stack: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WsStack]:
    """The shared e2e stack (serverless offline etc.) plus the relay worker that `make dev` runs next to it."""
    endpoint = stack.ws_url.replace("ws://", "http://", 1)
    env = {
        **os.environ,
        "PYBASE_WS_ENDPOINT": endpoint,
        "PYTHONPATH": str(ROOT / "shared"),
        "PYBASE_STAGE": "test",
    }
    logs = tmp_path_factory.mktemp("realtime-e2e")
    worker = subprocess.Popen(
        [sys.executable, "-m", "pybase.realtime.relay"],
        cwd=ROOT,
        env=env,
        stdout=open(logs / "relay.log", "wb"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield WsStack(ws_url=stack.ws_url, endpoint=endpoint)
    finally:
        _stop(worker)


class Client:
    def __init__(self, stack: WsStack, token: str) -> None:
        self.ws: ClientConnection = connect(f"{stack.ws_url}?token={token}", open_timeout=20, legacy=True)
        self.inbox: list[dict[str, Any]] = []

    def send(self, **message: Any) -> None:
        self.ws.send(json.dumps(message))

    def wait_for(self, match: Callable[[dict[str, Any]], bool], timeout: float = 15) -> dict[str, Any]:
        for i, message in enumerate(self.inbox):
            if match(message):
                return self.inbox.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no matching message; got {self.inbox[-5:]}")
            try:
                message = json.loads(self.ws.recv(timeout=remaining))
            except TimeoutError:
                continue
            if match(message):
                return message
            self.inbox.append(message)

    def events(self, count: int, timeout: float = 15) -> list[dict[str, Any]]:
        got: list[dict[str, Any]] = []
        while len(got) < count:
            got.extend(self.wait_for(lambda m: m["type"] == "events", timeout)["events"])
        return got

    def quiet(self, seconds: float) -> list[dict[str, Any]]:
        """Everything that arrives within `seconds` (used to show that nothing does)."""
        deadline = time.monotonic() + seconds
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                self.inbox.append(json.loads(self.ws.recv(timeout=remaining)))
            except TimeoutError:
                break
        out, self.inbox = self.inbox, []
        return out

    def subscribe(self, **scope: Any) -> dict[str, Any]:
        self.send(action="subscribe", **scope)
        return self.wait_for(lambda m: m["type"] in ("subscribed", "error"))

    def close(self) -> None:
        self.ws.close()


def _tok(user_id: str) -> str:
    return issue_access_token(user_id)[0]


def _edit(w: World, actor: str, n: int = 1, table_id: str | None = None) -> list[int]:
    with session_scope() as s:
        return [
            emit(
                s,
                type="record.updated",
                workspace_id=w.workspace_id,
                base_id=w.base_id,
                table_id=table_id or w.table_a,
                actor_id=actor,
                payload={"record_id": new_id("rec"), "fields": {"Name": f"v{i}"}},
            )
            for i in range(n)
        ]


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture(autouse=True)
def _publisher() -> None:
    relay.reset_breaker()
    start()  # the realtime publisher, as a started function has it


def test_connect_needs_a_valid_token(ws_stack: WsStack) -> None:
    with pytest.raises(InvalidStatus) as caught:
        connect(f"{ws_stack.ws_url}?token=nonsense", open_timeout=20, legacy=True)
    assert caught.value.response.status_code == 401
    with pytest.raises(InvalidStatus) as caught:
        connect(ws_stack.ws_url, open_timeout=20, legacy=True)
    assert caught.value.response.status_code == 401


def test_two_users_see_each_others_edits(ws_stack: WsStack, world: World) -> None:
    a, b = Client(ws_stack, _tok(world.owner)), Client(ws_stack, _tok(world.editor))
    try:
        assert a.subscribe(table_id=world.table_a)["type"] == "subscribed"
        assert b.subscribe(table_id=world.table_a)["type"] == "subscribed"
        by_a = _edit(world, world.owner)
        by_b = _edit(world, world.editor)
        for client in (a, b):
            got = client.events(2)
            assert [e["id"] for e in got] == by_a + by_b
            assert [e["actor_id"] for e in got] == [world.owner, world.editor]
            assert got[0]["payload"]["fields"] == {"Name": "v0"}
        a.send(action="ping")
        assert a.wait_for(lambda m: m["type"] == "pong")
    finally:
        a.close(), b.close()


def test_viewer_cannot_subscribe_outside_their_grants(ws_stack: WsStack, world: World) -> None:
    guest = Client(ws_stack, _tok(world.guest))
    try:
        denied = guest.subscribe(table_id=world.table_a)
        assert denied["type"] == "error" and denied["error"]["code"] == "not_found"
        assert guest.subscribe(base_id=world.base_id)["error"]["code"] == "forbidden"
        assert guest.subscribe(table_id=world.table_b)["type"] == "subscribed"
        _edit(world, world.owner, table_id=world.table_a)
        allowed = _edit(world, world.owner, table_id=world.table_b)
        assert [e["id"] for e in guest.events(1)] == allowed
    finally:
        guest.close()


def test_revocation_stops_delivery(ws_stack: WsStack, world: World) -> None:
    editor, owner = Client(ws_stack, _tok(world.editor)), Client(ws_stack, _tok(world.owner))
    try:
        editor.subscribe(table_id=world.table_a)
        owner.subscribe(table_id=world.table_a)
        before = _edit(world, world.owner)
        assert [e["id"] for e in editor.events(1)] == before
        with session_scope() as s:
            s.execute(
                delete(WorkspaceMember).where(
                    WorkspaceMember.workspace_id == world.workspace_id, WorkspaceMember.user_id == world.editor
                )
            )
            emit(s, type="member.removed", workspace_id=world.workspace_id, payload={"user_id": world.editor})
        revoked = editor.wait_for(lambda m: m["type"] == "unsubscribed")
        assert revoked == {"type": "unsubscribed", "scope": "table", "table_id": world.table_a, "reason": "revoked"}
        after = _edit(world, world.owner, 2)
        assert [e["id"] for e in owner.events(3)] == before + after  # the owner got them: the relay ran
        assert [m for m in editor.quiet(1.0) if m["type"] == "events"] == []
        again = editor.subscribe(table_id=world.table_a)
        assert again["type"] == "error" and again["error"]["code"] == "not_found"
    finally:
        editor.close(), owner.close()


def test_reconnect_with_replay_delivers_exactly_the_missed_events(ws_stack: WsStack, world: World) -> None:
    a = Client(ws_stack, _tok(world.owner))
    seen = _edit(world, world.editor, 2)
    ack = a.subscribe(table_id=world.table_a)
    last = ack["last_event_id"]
    assert last == seen[-1]
    a.close()
    missed = _edit(world, world.editor, 3)
    _edit(world, world.editor, 1, table_id=world.table_b)
    a = Client(ws_stack, _tok(world.owner))
    try:
        ack = a.subscribe(table_id=world.table_a, last_event_id=last)
        assert ack["replay"] == 3 and ack["last_event_id"] == missed[-1]
        assert [e["id"] for e in a.events(3)] == missed
        assert [m for m in a.quiet(0.5) if m["type"] == "events"] == []
        live = _edit(world, world.editor)
        assert [e["id"] for e in a.events(1)] == live
    finally:
        a.close()


def test_stale_connection_is_cleaned_on_410(ws_stack: WsStack, world: World) -> None:
    from pybase.access.roles import Principal

    r = get_redis()
    stale = "stale" + new_id("con")[3:]  # API Gateway missed its $disconnect
    registry.add_connection(r, connection_id=stale, principal=Principal(user_id=world.editor))
    conn = registry.get_connection(r, stale)
    assert conn is not None
    registry.add_subscription(r, conn, f"table:{world.table_a}")
    live = Client(ws_stack, _tok(world.owner))
    try:
        live.subscribe(table_id=world.table_a)
        ids = _edit(world, world.owner)
        assert [e["id"] for e in live.events(1)] == ids
        deadline = time.monotonic() + 10
        while registry.get_connection(r, stale) is not None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert registry.get_connection(r, stale) is None
        assert stale not in registry.subscribers(r, [f"table:{world.table_a}"])[f"table:{world.table_a}"]
    finally:
        live.close()


def test_presence_updates_arrive(ws_stack: WsStack, world: World) -> None:
    a, b = Client(ws_stack, _tok(world.owner)), Client(ws_stack, _tok(world.editor))
    try:
        a.subscribe(table_id=world.table_a)
        b.subscribe(table_id=world.table_a)
        rec, fld = new_id("rec"), new_id("fld")
        a.send(action="presence", table_id=world.table_a, record_id=rec, field_id=fld)
        seen = b.wait_for(lambda m: m["type"] == "presence" and bool(m["users"]))
        assert [(u["user_id"], u["record_id"], u["field_id"]) for u in seen["users"]] == [(world.owner, rec, fld)]
        a.close()  # $disconnect clears a's presence and tells the others
        gone = b.wait_for(lambda m: m["type"] == "presence" and not m["users"])
        assert gone["table_id"] == world.table_a
    finally:
        b.close()


def test_deleting_an_api_token_closes_its_websocket(stack: Any, ws_stack: WsStack, world: World) -> None:
    """Through the HTTP API and serverless offline: the relay closes the token's socket
    (DeleteConnection) within seconds of the token's deletion; a session's socket stays open."""
    import httpx
    from websockets.exceptions import ConnectionClosed

    auth = {"authorization": f"Bearer {_tok(world.editor)}"}
    created = httpx.post(f"{stack.http_url}/api-tokens", json={"name": "ws", "scope": "read"}, headers=auth, timeout=30)
    assert created.status_code == 201, created.text
    by_token, by_session = Client(ws_stack, created.json()["token"]), Client(ws_stack, _tok(world.editor))
    try:
        for client in (by_token, by_session):
            assert client.subscribe(table_id=world.table_a)["type"] == "subscribed"
        before = _edit(world, world.owner)
        assert [e["id"] for e in by_token.events(1)] == before
        deleted = httpx.delete(f"{stack.http_url}/api-tokens/{created.json()['id']}", headers=auth, timeout=30)
        assert deleted.status_code == 204
        started = time.monotonic()
        told = by_token.wait_for(lambda m: m["type"] == "error", timeout=10)
        assert told["error"]["code"] == "credentials_revoked"
        with pytest.raises(ConnectionClosed):
            while True:
                by_token.ws.recv(timeout=10)
        assert time.monotonic() - started < 10
        after = _edit(world, world.owner)
        assert [e["id"] for e in by_session.events(2)] == before + after
    finally:
        by_token.close(), by_session.close()
