"""The WebSocket Lambda handler called in-process with API Gateway WebSocket events, and the relay
consumer loop (lease, handover, delivery), against real PostgreSQL and Redis."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from pybase.access.roles import Principal
from pybase.config import get_settings
from pybase.realtime import registry, relay
from pybase.realtime.delivery import _posters
from pybase.redis_client import get_redis
from pybase.startup import start
from tests.lambda_events import LambdaContext, load_function
from tests.test_realtime_service import FakeGateway, World, _emit, make_world


@pytest.fixture(scope="module")
def gateway() -> Iterator[FakeGateway]:
    gw = FakeGateway()
    yield gw
    gw.server.shutdown()


@pytest.fixture
def endpoint(gateway: FakeGateway, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("PYBASE_WS_ENDPOINT", gateway.url)
    get_settings.cache_clear()
    yield gateway.url
    monkeypatch.undo()
    get_settings.cache_clear()
    _posters.clear()


@pytest.fixture
def world() -> World:
    return make_world()


def ws_event(route: str, cid: str, *, token: str | None = None, body: str | None = None) -> dict[str, Any]:
    kind = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route, "MESSAGE")
    return {
        "requestContext": {
            "routeKey": route,
            "eventType": kind,
            "connectionId": cid,
            "domainName": "localhost",
            "stage": "local",
            "requestId": "r1",
            "apiId": "local",
        },
        "queryStringParameters": {"token": token} if token else None,
        "body": body,
        "isBase64Encoded": False,
    }


def call(event: dict[str, Any]) -> dict[str, Any]:
    return load_function("ws").handler(event, LambdaContext())


def test_handler_routes(endpoint: str, gateway: FakeGateway, world: World) -> None:
    cid = gateway.open()
    assert call(ws_event("$connect", cid))["statusCode"] == 401
    assert call(ws_event("$connect", cid, token="garbage"))["statusCode"] == 401
    assert call(ws_event("$connect", cid, token=world.tokens[world.owner]))["statusCode"] == 200
    assert registry.get_connection(get_redis(), cid) is not None
    assert call(ws_event("$default", cid, body='{"action":"ping"}'))["statusCode"] == 200
    assert gateway.take(cid)[0]["type"] == "pong"
    call(ws_event("$default", cid, body="{not json"))
    assert gateway.take(cid)[0]["error"]["code"] == "bad_request"
    call(ws_event("$default", cid, body=f'{{"action":"subscribe","table_id":"{world.table_a}"}}'))
    assert gateway.take(cid)[0]["type"] == "subscribed"
    assert call(ws_event("$disconnect", cid))["statusCode"] == 200
    assert registry.get_connection(get_redis(), cid) is None
    assert cid not in registry.subscribers(get_redis(), [f"table:{world.table_a}"])[f"table:{world.table_a}"]


def test_relay_loop_delivers_and_holds_the_lease(gateway: FakeGateway, world: World) -> None:
    relay.reset_breaker()
    start()  # the realtime publisher, as a started function has it
    r = get_redis()
    relay.ensure_group(r)
    cid = gateway.open()
    registry.add_connection(r, connection_id=cid, principal=Principal(world.owner))
    conn = registry.get_connection(r, cid)
    assert conn is not None
    registry.add_subscription(r, conn, f"table:{world.table_a}")
    stop = threading.Event()
    options = {"should_stop": stop.is_set, "block_ms": 200}
    worker = threading.Thread(target=relay.run, args=(gateway.poster,), kwargs=options)
    worker.start()
    try:
        ids = _emit(world, 3)
        deadline = time.monotonic() + 10
        got: list[int] = []
        while len(got) < 3 and time.monotonic() < deadline:
            got += [e["id"] for e in gateway.events(cid)]
            time.sleep(0.05)
        assert got == ids
        # A scheduled run finding this long-running holder leaves at once instead of waiting.
        started = time.monotonic()
        assert relay.run(gateway.poster, should_stop=lambda: False, handover_wait=90) == 0
        assert time.monotonic() - started < 2
    finally:
        stop.set()
        worker.join(10)
    assert r.get(relay._lock_key()) is None  # released on the way out


def test_scheduled_run_takes_over_a_holder_about_to_stop(gateway: FakeGateway) -> None:
    r = get_redis()
    r.set(relay._lock_key(), f"other:{time.time() + 1:.0f}", px=1500)
    stop_at = time.monotonic() + 4
    started = time.monotonic()
    relay.run(gateway.poster, should_stop=lambda: time.monotonic() >= stop_at, block_ms=200, handover_wait=90)
    assert time.monotonic() - started >= 3.5  # waited for the lease, then consumed until told to stop


def test_relay_handler_skips_under_serverless_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IS_OFFLINE", "true")
    assert load_function("relay").handler({}, LambdaContext())["skipped"] == "offline"
