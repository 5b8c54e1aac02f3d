"""Realtime service tests against real PostgreSQL and Redis.

The API Gateway management API is played by a small local HTTP server that records what is posted
and answers 410 for connections it does not know, the way serverless-offline and AWS do; the real
boto3 poster talks to it. End-to-end tests through serverless offline are in tests/e2e.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

import pytest
from sqlalchemy import delete, update

from pybase.access.models import Grant
from pybase.auth.models import ApiToken, User
from pybase.auth.security import issue_access_token, sha256
from pybase.bases.models import AppBase
from pybase.db import session_scope
from pybase.errors import Unauthorized
from pybase.events.models import ChangeEvent
from pybase.events.service import emit, log_shard
from pybase.ids import new_id
from pybase.realtime import registry, relay, service
from pybase.realtime.delivery import Gone, ManagementApiPoster, PipelinedPoster, deliver
from pybase.realtime.schemas import MAX_MESSAGE_BYTES
from pybase.redis_client import get_redis, rkey
from pybase.startup import start
from pybase.tables.models import Table
from pybase.workspaces.models import Workspace, WorkspaceMember


class FakeGateway:
    """POST /@connections/<id>: records the frame for a known connection, 410 for any other."""

    def __init__(self) -> None:
        self.live: set[str] = set()
        self.auth: list[str] = []
        self.frames: dict[str, list[dict[str, Any]]] = {}
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                cid = unquote(self.path.rsplit("/", 1)[-1])
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                with gateway.lock:
                    gateway.auth.append(self.headers.get("authorization") or "")
                    known = cid in gateway.live
                    if known:
                        gateway.frames.setdefault(cid, []).append(json.loads(body))
                self.send_response(200 if known else 410)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.poster = ManagementApiPoster(self.url)

    def open(self) -> str:
        cid = new_id("con")
        self.live.add(cid)
        return cid

    def take(self, cid: str) -> list[dict[str, Any]]:
        with self.lock:
            return self.frames.pop(cid, [])

    def events(self, cid: str) -> list[dict[str, Any]]:
        return [e for f in self.take(cid) if f["type"] == "events" for e in f["events"]]


@pytest.fixture(scope="module")
def gateway() -> Iterator[FakeGateway]:
    gw = FakeGateway()
    yield gw
    gw.server.shutdown()


@dataclass
class World:
    workspace_id: str
    base_id: str
    table_a: str
    table_b: str
    owner: str
    editor: str
    guest: str  # viewer on table B only
    tokens: dict[str, str] = field(default_factory=dict)


def _user(session: Any, name: str) -> str:
    user = User(email=f"{name}-{new_id('usr').lower()}@example.com", name=name, password_hash="x")
    session.add(user)
    session.flush()
    return user.id


def make_world() -> World:
    """Owner and editor (workspace members), guest (viewer on table B only); base with tables A, B."""
    with session_scope() as s:
        owner, editor, guest = _user(s, "owner"), _user(s, "editor"), _user(s, "guest")
        ws = Workspace(name="Realtime", created_by=owner)
        s.add(ws)
        s.flush()
        s.add_all(
            [
                WorkspaceMember(workspace_id=ws.id, user_id=owner, role="owner"),
                WorkspaceMember(workspace_id=ws.id, user_id=editor, role="editor"),
            ]
        )
        base = AppBase(workspace_id=ws.id, name="Plant")
        s.add(base)
        s.flush()
        ta, tb = Table(base_id=base.id, name="Pumps"), Table(base_id=base.id, name="Valves")
        s.add_all([ta, tb])
        s.flush()
        s.add(Grant(user_id=guest, workspace_id=ws.id, scope_type="table", scope_id=tb.id, role="viewer"))
        w = World(ws.id, base.id, ta.id, tb.id, owner, editor, guest)
    w.tokens = {uid: issue_access_token(uid)[0] for uid in (w.owner, w.editor, w.guest)}
    return w


@pytest.fixture
def world() -> World:
    return make_world()


def _connect(gw: FakeGateway, token: str) -> str:
    cid = gw.open()
    with session_scope() as s:
        service.connect(s, get_redis(), connection_id=cid, token=token)
    return cid


def _send(gw: FakeGateway, cid: str, message: dict[str, Any]) -> dict[str, Any] | None:
    with session_scope() as s:
        return service.handle_message(s, get_redis(), gw.poster, connection_id=cid, body=json.dumps(message))


def _emit(w: World, n: int = 1, *, table_id: str | None = None, **payload: Any) -> list[int]:
    ids = []
    with session_scope() as s:
        for i in range(n):
            ids.append(
                emit(
                    s,
                    type="record.updated",
                    workspace_id=w.workspace_id,
                    base_id=w.base_id,
                    table_id=table_id or w.table_a,
                    actor_id=w.owner,
                    payload={"record_id": new_id("rec"), "n": i, **payload},
                )
            )
    return ids


def _drain(gw: FakeGateway) -> int:
    return relay.drain(get_redis(), gw.poster)


@pytest.fixture(autouse=True)
def _fresh_relay() -> Iterator[None]:
    relay.reset_breaker()
    start()  # the realtime publisher, as a started function has it
    r = get_redis()
    relay.ensure_group(r)
    relay.drain(r, _NullPoster())  # whatever earlier tests left in the stream
    yield


class _NullPoster:
    def post(self, connection_id: str, data: str) -> None:
        pass


def test_connect_requires_a_valid_token(gateway: FakeGateway, world: World) -> None:
    with session_scope() as s:
        with pytest.raises(Unauthorized):
            service.connect(s, get_redis(), connection_id="c1", token=None)
        with pytest.raises(Unauthorized):
            service.connect(s, get_redis(), connection_id="c1", token="not-a-jwt")
    assert registry.get_connection(get_redis(), "c1") is None
    cid = _connect(gateway, world.tokens[world.editor])
    conn = registry.get_connection(get_redis(), cid)
    assert conn is not None and conn.principal.user_id == world.editor
    assert get_redis().ttl(rkey("ws", "conn", cid)) > 7000


def test_api_token_connects_with_its_scope(gateway: FakeGateway, world: World) -> None:
    secret = "pat_" + new_id("sec")
    with session_scope() as s:
        s.add(ApiToken(user_id=world.editor, name="t", token_hash=sha256(secret), scope="read", base_ids=None))
    cid = _connect(gateway, secret)
    conn = registry.get_connection(get_redis(), cid)
    assert conn is not None and conn.principal.token_scope == "read"
    assert _send(gateway, cid, {"action": "subscribe", "table_id": world.table_a}) is None
    assert gateway.take(cid)[0]["type"] == "subscribed"


def test_two_users_see_each_others_edits_and_base_subscribers_too(gateway: FakeGateway, world: World) -> None:
    a = _connect(gateway, world.tokens[world.owner])
    b = _connect(gateway, world.tokens[world.editor])
    base_watcher = _connect(gateway, world.tokens[world.editor])
    _send(gateway, a, {"action": "subscribe", "table_id": world.table_a})
    _send(gateway, b, {"action": "subscribe", "table_id": world.table_a})
    _send(gateway, base_watcher, {"action": "subscribe", "base_id": world.base_id})
    ack = gateway.take(a)[0]
    assert ack["type"] == "subscribed" and ack["table_id"] == world.table_a and ack["replay"] == 0
    gateway.take(b), gateway.take(base_watcher)

    ids = _emit(world, 3)
    other = _emit(world, 1, table_id=world.table_b)
    assert _drain(gateway) == 4
    for cid in (a, b):
        got = gateway.events(cid)
        assert [e["id"] for e in got] == ids
        assert got[0]["type"] == "record.updated" and got[0]["table_id"] == world.table_a
        assert got[0]["payload"]["n"] == 0
    assert [e["id"] for e in gateway.events(base_watcher)] == ids + other


def test_a_burst_is_batched_into_few_frames(gateway: FakeGateway, world: World) -> None:
    a = _connect(gateway, world.tokens[world.owner])
    _send(gateway, a, {"action": "subscribe", "table_id": world.table_a})
    gateway.take(a)
    ids = _emit(world, 50)
    _drain(gateway)
    frames = gateway.take(a)
    assert len(frames) == 1
    assert [e["id"] for e in frames[0]["events"]] == ids


def test_publish_after_commit_only(gateway: FakeGateway, world: World) -> None:
    r = get_redis()
    before = r.xlen(relay.stream_key())
    with session_scope() as s:
        emit(s, type="record.created", workspace_id=world.workspace_id, base_id=world.base_id, table_id=world.table_a)
        assert r.xlen(relay.stream_key()) == before  # nothing leaves before the commit
    assert r.xlen(relay.stream_key()) == before + 1
    s = session_scope()
    with pytest.raises(RuntimeError), s as sess:
        where = {"workspace_id": world.workspace_id, "base_id": world.base_id, "table_id": world.table_a}
        emit(sess, type="record.created", **where)
        raise RuntimeError("rolled back")
    assert r.xlen(relay.stream_key()) == before + 1


@pytest.mark.parametrize("keep_alive", [True, False])
def test_pipelined_poster_keeps_order_reports_gone_and_survives_closing_servers(keep_alive: bool) -> None:
    """Serverless offline's path: a whole batch pipelined on keep-alive sockets. A server that closes
    after each answer (HTTP/1.0) makes it fall back to one post at a time; nothing is lost either way."""
    gw = FakeGateway()
    if keep_alive:
        gw.server.RequestHandlerClass.protocol_version = "HTTP/1.1"  # type: ignore[attr-defined]
    try:
        poster = PipelinedPoster(gw.url)
        live = [gw.open() for _ in range(9)]
        frames = {cid: [json.dumps({"type": "events", "events": [{"id": n}]}) for n in range(3)] for cid in live}
        frames["con" + "x" * 14] = ['{"type":"events","events":[]}']  # unknown: 410
        for _ in range(2):  # twice: the second batch reuses the sockets
            result = deliver(poster, frames)
            assert result.sent == 27 and result.gone == ["con" + "x" * 14] and not result.failed
            for cid in live:
                assert [e["id"] for e in gw.events(cid)] == [0, 1, 2]
    finally:
        gw.server.shutdown()


def test_the_publisher_is_registered_when_a_function_starts(monkeypatch: Any) -> None:
    """Events publish to what a function registered at start (pybase.startup), never loading the
    relay themselves: threads committing at once all find the publisher (the install on the first
    commit it replaces needed a lock against that race), and events import nothing of realtime."""
    import ast
    import inspect

    from pybase import startup
    from pybase.events import service as events

    assert not [
        node
        for node in ast.walk(ast.parse(inspect.getsource(events)))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pybase.realtime")
    ]
    seen: list[int] = []
    monkeypatch.setattr(events, "_publishers", [])
    events._publish([{"id": 0}])  # no function started: nothing registered, nothing published, no error
    monkeypatch.setattr(relay, "publish", lambda evts: seen.extend(e["id"] for e in evts))
    startup.start()
    startup.start()  # idempotent
    assert events._publishers == [startup._realtime]
    threads = [threading.Thread(target=events._publish, args=([{"id": i}],)) for i in range(1, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(seen) == list(range(1, 9))
    monkeypatch.setenv("PYBASE_REALTIME", "off")
    monkeypatch.setattr(events, "_publishers", [])
    startup.start()
    assert events._publishers == []


def test_viewer_cannot_subscribe_outside_their_grants(gateway: FakeGateway, world: World) -> None:
    g = _connect(gateway, world.tokens[world.guest])
    err = _send(gateway, g, {"action": "subscribe", "table_id": world.table_a})
    assert err is not None and err["error"]["code"] == "not_found"
    err = _send(gateway, g, {"action": "subscribe", "base_id": world.base_id})
    assert err is not None and err["error"]["code"] == "forbidden"
    assert _send(gateway, g, {"action": "subscribe", "table_id": world.table_b}) is None
    frames = gateway.take(g)
    assert [f["type"] for f in frames] == ["error", "error", "subscribed", "presence"]
    _emit(world, 1, table_id=world.table_a)
    b_ids = _emit(world, 1, table_id=world.table_b)
    _drain(gateway)
    assert [e["id"] for e in gateway.events(g)] == b_ids
    bad = _send(gateway, g, {"action": "subscribe", "table_id": "nope"})
    assert bad is not None and bad["error"]["code"] == "validation_failed"
    assert _send(gateway, g, {"action": "dance"})["error"]["code"] == "validation_failed"  # type: ignore[index]


def test_revocation_stops_delivery(gateway: FakeGateway, world: World) -> None:
    e = _connect(gateway, world.tokens[world.editor])
    o = _connect(gateway, world.tokens[world.owner])
    _send(gateway, e, {"action": "subscribe", "table_id": world.table_a})
    _send(gateway, e, {"action": "subscribe", "base_id": world.base_id})
    _send(gateway, o, {"action": "subscribe", "table_id": world.table_a})
    gateway.take(e), gateway.take(o)
    before = _emit(world, 1)
    with session_scope() as s:
        s.execute(delete(WorkspaceMember).where(WorkspaceMember.user_id == world.editor))
        emit(
            s,
            type="member.removed",
            workspace_id=world.workspace_id,
            actor_id=world.owner,
            payload={"user_id": world.editor},
        )
    after = _emit(world, 2)
    _drain(gateway)
    frames = gateway.take(e)
    got = [ev["id"] for f in frames if f["type"] == "events" for ev in f["events"]]
    assert got == before  # the edit before the removal (once, though subscribed twice), nothing after
    revoked = sorted(f.get("table_id") or f.get("base_id") for f in frames if f["type"] == "unsubscribed")
    assert revoked == sorted([world.table_a, world.base_id])
    assert registry.get_connection(get_redis(), e).scopes == set()  # type: ignore[union-attr]
    assert [ev["id"] for ev in gateway.events(o)] == before + after


def test_grant_change_keeps_what_is_still_allowed(gateway: FakeGateway, world: World) -> None:
    g = _connect(gateway, world.tokens[world.guest])
    _send(gateway, g, {"action": "subscribe", "table_id": world.table_b})
    gateway.take(g)
    with session_scope() as s:
        s.execute(update(Grant).where(Grant.user_id == world.guest).values(role="editor"))
        emit(s, type="grant.changed", workspace_id=world.workspace_id, payload={"user_id": world.guest})
    ids = _emit(world, 1, table_id=world.table_b)
    _drain(gateway)
    assert [e["id"] for e in gateway.events(g)] == ids


def test_reconnect_with_replay_gets_exactly_the_missed_events(gateway: FakeGateway, world: World) -> None:
    a = _connect(gateway, world.tokens[world.owner])
    _send(gateway, a, {"action": "subscribe", "table_id": world.table_a})
    seen = _emit(world, 2)
    _drain(gateway)
    assert [e["id"] for e in gateway.events(a)] == seen
    with session_scope():
        pass
    service.disconnect(get_redis(), gateway.poster, connection_id=a)
    missed = _emit(world, 3)
    _emit(world, 2, table_id=world.table_b)  # another table: not replayed to a table subscriber
    _drain(gateway)
    a2 = _connect(gateway, world.tokens[world.owner])
    _send(gateway, a2, {"action": "subscribe", "table_id": world.table_a, "last_event_id": seen[-1]})
    frames = gateway.take(a2)
    assert frames[0]["type"] == "subscribed" and frames[0]["replay"] == 3
    assert frames[0]["last_event_id"] == missed[-1]
    assert [e["id"] for f in frames if f["type"] == "events" for e in f["events"]] == missed


def test_replay_too_far_back_says_refetch(gateway: FakeGateway, world: World, monkeypatch: Any) -> None:
    first = _emit(world, 1)[0]
    _emit(world, 4)
    a = _connect(gateway, world.tokens[world.owner])
    monkeypatch.setenv("PYBASE_WS_REPLAY_LIMIT", "3")
    _send(gateway, a, {"action": "subscribe", "table_id": world.table_a, "last_event_id": first})
    frames = gateway.take(a)
    assert frames[0]["replay"] == "refetch"
    assert frames[1] == {"type": "refetch", "scope": "table", "table_id": world.table_a, "reason": "too_far_behind"}
    monkeypatch.setenv("PYBASE_WS_REPLAY_LIMIT", "1000")
    with session_scope() as s:
        s.execute(
            update(ChangeEvent)
            .where(ChangeEvent.id == first)
            .values(created_at=ChangeEvent.created_at - timedelta(days=3))
        )
    _send(gateway, a, {"action": "subscribe", "table_id": world.table_a, "last_event_id": first})
    assert gateway.take(a)[1]["type"] == "refetch"


def test_gone_connection_is_dropped_on_410(gateway: FakeGateway, world: World) -> None:
    a = _connect(gateway, world.tokens[world.owner])
    stale = _connect(gateway, world.tokens[world.editor])
    _send(gateway, a, {"action": "subscribe", "table_id": world.table_a})
    _send(gateway, stale, {"action": "subscribe", "table_id": world.table_a})
    gateway.live.discard(stale)  # the client vanished without a $disconnect
    ids = _emit(world, 1)
    _drain(gateway)
    r = get_redis()
    assert registry.get_connection(r, stale) is None
    assert stale not in registry.subscribers(r, [f"table:{world.table_a}"])[f"table:{world.table_a}"]
    assert stale not in registry.user_connections(r, world.editor)
    assert [e["id"] for e in gateway.events(a)] == ids


def test_presence_is_broadcast_and_expires(gateway: FakeGateway, world: World) -> None:
    a = _connect(gateway, world.tokens[world.owner])
    b = _connect(gateway, world.tokens[world.editor])
    _send(gateway, a, {"action": "subscribe", "table_id": world.table_a})
    _send(gateway, b, {"action": "subscribe", "table_id": world.table_a})
    gateway.take(a), gateway.take(b)
    rec, fld = new_id("rec"), new_id("fld")
    _send(gateway, a, {"action": "presence", "table_id": world.table_a, "record_id": rec, "field_id": fld})
    msg = gateway.take(b)[-1]
    assert msg["type"] == "presence" and msg["table_id"] == world.table_a
    assert [(u["user_id"], u["record_id"], u["field_id"]) for u in msg["users"]] == [(world.owner, rec, fld)]
    assert gateway.take(a)[-1] == msg  # the sender sees the same list
    # Presence on a table one has not subscribed to is refused.
    err = _send(gateway, b, {"action": "presence", "table_id": world.table_b})
    assert err is not None and err["error"]["code"] == "forbidden"
    # Expiry: an entry not refreshed within PRESENCE_TTL is gone.
    users = registry.presence(get_redis(), world.table_a, now=time.time() + registry.PRESENCE_TTL + 1)
    assert users == []
    # Leaving (or disconnecting) is broadcast.
    _send(gateway, b, {"action": "presence", "table_id": world.table_a, "field_id": fld})
    gateway.take(a)
    service.disconnect(get_redis(), gateway.poster, connection_id=b)
    assert [u["user_id"] for u in gateway.take(a)[-1]["users"]] == []


def test_ping_pong_and_unsubscribe(gateway: FakeGateway, world: World) -> None:
    a = _connect(gateway, world.tokens[world.owner])
    _send(gateway, a, {"action": "ping"})
    assert gateway.take(a)[0]["type"] == "pong"
    _send(gateway, a, {"action": "subscribe", "table_id": world.table_a})
    _send(gateway, a, {"action": "unsubscribe", "table_id": world.table_a})
    expected = {"type": "unsubscribed", "scope": "table", "table_id": world.table_a, "reason": "requested"}
    assert gateway.take(a)[-1] == expected
    _emit(world, 1)
    _drain(gateway)
    assert gateway.take(a) == []


def test_large_event_is_sent_as_ids_with_refetch(gateway: FakeGateway, world: World) -> None:
    a = _connect(gateway, world.tokens[world.owner])
    _send(gateway, a, {"action": "subscribe", "table_id": world.table_a})
    gateway.take(a)
    rec = new_id("rec")
    with session_scope() as s:
        eid = emit(
            s,
            type="records.updated",
            workspace_id=world.workspace_id,
            base_id=world.base_id,
            table_id=world.table_a,
            payload={"record_ids": [rec], "fields": {"notes": "x" * 40_000}},
        )
    small = _emit(world, 30, filler="y" * 1500)
    _drain(gateway)
    frames = gateway.take(a)
    assert all(len(json.dumps(f, separators=(",", ":")).encode()) <= MAX_MESSAGE_BYTES for f in frames)
    events = [e for f in frames for e in f["events"]]
    assert [e["id"] for e in events] == [eid, *small]
    assert events[0]["refetch"] is True and events[0]["payload"] == {"record_ids": [rec]}
    assert len(frames) > 1  # 30 x 1.5 KB does not fit one frame


def test_redis_down_does_not_fail_writes(world: World, monkeypatch: Any) -> None:
    from pybase.config import get_settings
    from pybase.redis_client import reset_redis

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    get_settings.cache_clear()
    reset_redis()
    relay.reset_breaker()
    try:
        started = time.perf_counter()
        ids = _emit(world, 1)
        first = time.perf_counter() - started
        started = time.perf_counter()
        ids += _emit(world, 1)
        second = time.perf_counter() - started
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
        reset_redis()
        relay.reset_breaker()
    assert first < 2.0 and second < 0.2  # the breaker spares later writes the wait
    with session_scope() as s:
        shard = log_shard(world.workspace_id, world.base_id)
        assert s.get(ChangeEvent, (shard, ids[0])) is not None and s.get(ChangeEvent, (shard, ids[1])) is not None


def test_poster_signs_requests_outside_local_stages(gateway: FakeGateway, monkeypatch: Any) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    cid = gateway.open()
    ManagementApiPoster(gateway.url, sign=True).post(cid, '{"type":"pong"}')
    ManagementApiPoster(gateway.url, sign=False).post(cid, '{"type":"pong"}')
    assert gateway.take(cid) == [{"type": "pong"}, {"type": "pong"}]
    signed, unsigned = gateway.auth[-2:]
    assert signed.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") and "/execute-api/aws4_request" in signed
    assert unsigned == ""
    with pytest.raises(Gone):
        ManagementApiPoster(gateway.url).post("unknown", "{}")
