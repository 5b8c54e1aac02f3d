"""PostgreSQL unreachable or shutting down: the API answers 503 "unavailable" with Retry-After (the
Airtable routes in Airtable's shape), never 500, and the pool recovers by itself afterwards.

Real failures only: a URL whose port has nothing listening (as while the server is down or
restarting), backends terminated by the server (as at a shutdown or failover), and a backend that
dies while committing.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from pybase import db
from pybase.config import get_settings
from pybase.records.models import Record
from tests.commit_triggers import admin_url, at_commit
from tests.conftest import Api
from tests.factories import World, make_api_token, make_world
from tests.lambda_events import LambdaContext, load_function

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def world() -> World:
    w = make_world(roles=("owner",))
    w.extra["pat"] = make_api_token(w.owner, scope="admin")
    return w


@pytest.fixture(autouse=True)
def own_pool() -> Iterator[None]:
    """Each test starts and ends with a pool of its own (and so leaves the shared one healthy)."""
    db.reset_engine()
    yield
    db.reset_engine()


@pytest.fixture(autouse=True)
def no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PYBASE_AIRTABLE_REQUESTS_PER_SECOND", "0")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@contextmanager
def database_down(database: str) -> Iterator[None]:
    """The API's database URL points at a local port with nothing listening, as while PostgreSQL is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # A socket directory in the query (embedded servers) would override host and port.
    url = make_url(database).difference_update_query(["host", "port"]).set(host="127.0.0.1", port=port)
    dead = url.render_as_string(hide_password=False)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", dead)
        get_settings.cache_clear()
        db.reset_engine()
        try:
            yield
        finally:
            patch.undo()
            get_settings.cache_clear()
            db.reset_engine()


def terminate_backends(database: str) -> int:
    """Terminate every other connection to the test database, as a server shutdown does."""
    with psycopg.connect(admin_url(database), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        ).fetchall()
    return len(rows)


def backend_dies_at_commit(database: str, table: str) -> AbstractContextManager[None]:
    """A transaction that wrote to `table` loses its server process while committing."""
    return at_commit(
        database,
        table,
        "die_at_commit",
        "PERFORM pg_terminate_backend(pg_backend_pid()); PERFORM pg_sleep(5); RETURN NULL;",
    )


def count_records(table_id: str) -> int:
    with db.session_scope() as session:
        return session.scalar(select(func.count()).select_from(Record).where(Record.table_id == table_id))


def assert_unavailable(response: Any) -> None:
    assert response.status == 503, (response.status, response.text)
    assert response.json()["error"]["code"] == "unavailable", response.text
    assert int(response.headers["retry-after"]) > 0


def assert_airtable_unavailable(response: Any) -> None:
    assert response.status == 503, (response.status, response.text)
    assert response.json()["error"]["type"] == "SERVICE_UNAVAILABLE", response.text
    assert set(response.json()["error"]) == {"type", "message"}
    assert int(response.headers["retry-after"]) > 0


# ---------------------------------------------------------------- nothing listening


def test_database_down_answers_503_on_every_group_then_recovers(api: Api, world: World, database: str) -> None:
    owner = api.as_user(world.owner.token)
    pat = api.as_user(world.extra["pat"])
    records = f"/tables/{world.table.id}/records"
    with database_down(database):
        assert_unavailable(owner.call("records", "GET", records))
        assert_unavailable(owner.call("records", "POST", records, body={"fields": {"Name": "x"}}))
        assert_unavailable(owner.call("tables", "GET", f"/tables/{world.table.id}"))
        assert_unavailable(owner.call("workspaces", "GET", "/workspaces"))
        assert_unavailable(owner.call("auth", "GET", "/me"))
        login = {"email": world.owner.email, "password": world.owner.password}
        assert_unavailable(api.call("auth", "POST", "/auth/login", body=login))
        assert_airtable_unavailable(pat.call("airtable", "GET", f"/v0/{world.base_id}/{world.table.id}"))
        create = {"records": [{"fields": {"Name": "x"}}]}
        assert_airtable_unavailable(pat.call("airtable", "POST", f"/v0/{world.base_id}/{world.table.id}", body=create))
    # Back up: the very next requests succeed.
    assert owner.call("records", "GET", records).status == 200
    assert pat.call("airtable", "GET", f"/v0/{world.base_id}/{world.table.id}").status == 200


# ---------------------------------------------------------------- server-side shutdown of connections


@pytest.mark.parametrize("group", ["records", "airtable"])
def test_terminated_connection_answers_503_and_the_pool_recovers(
    api: Api, world: World, database: str, group: str
) -> None:
    if group == "records":
        client, path, check = api.as_user(world.owner.token), f"/tables/{world.table.id}/records", assert_unavailable
    else:
        client, path = api.as_user(world.extra["pat"]), f"/v0/{world.base_id}/{world.table.id}"
        check = assert_airtable_unavailable
    assert client.call(group, "GET", path).status == 200  # the pool now holds a connection
    assert terminate_backends(database) >= 1
    # Used moments ago, the pooled connection is not pinged (no extra round trip per request): this
    # request meets the dead connection, and the pool drops it.
    check(client.call(group, "GET", path))
    assert client.call(group, "GET", path).status == 200
    assert client.call(group, "GET", path).status == 200


@pytest.mark.parametrize("size", [1, 1000])
def test_connection_lost_at_commit_answers_503_and_nothing_is_saved(
    api: Api, world: World, database: str, size: int
) -> None:
    owner = api.as_user(world.owner.token)
    path = f"/tables/{world.table.id}/records"
    before = count_records(world.table.id)
    batch = {"records": [{"fields": {"Name": f"r{i}"}} for i in range(size)]}
    with backend_dies_at_commit(database, "records"):
        assert_unavailable(owner.call("records", "POST", path, body=batch))
    assert count_records(world.table.id) == before
    r = owner.call("records", "POST", path, body=batch)
    assert r.status == 201, r.text
    assert count_records(world.table.id) == before + size


def test_airtable_connection_lost_at_commit(api: Api, world: World, database: str) -> None:
    pat = api.as_user(world.extra["pat"])
    before = count_records(world.table.id)
    create = {"records": [{"fields": {"Name": "x"}}]}
    with backend_dies_at_commit(database, "records"):
        assert_airtable_unavailable(pat.call("airtable", "POST", f"/v0/{world.base_id}/{world.table.id}", body=create))
    assert count_records(world.table.id) == before


# ---------------------------------------------------------------- WebSocket function


def ws_event(route: str, connection_id: str, *, token: str | None = None, body: str | None = None) -> dict[str, Any]:
    kind = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route, "MESSAGE")
    return {
        "requestContext": {
            "routeKey": route, "eventType": kind, "connectionId": connection_id,
            "domainName": "localhost", "stage": "local", "requestId": "r1", "apiId": "local",
        },
        "queryStringParameters": {"token": token} if token else None,
        "body": body,
        "isBase64Encoded": False,
    }  # fmt: skip


def test_websocket_database_down(world: World, database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from pybase.realtime import registry
    from pybase.realtime.delivery import _posters
    from pybase.redis_client import get_redis
    from tests.test_realtime_service import FakeGateway

    gateway = FakeGateway()
    monkeypatch.setenv("PYBASE_WS_ENDPOINT", gateway.url)
    get_settings.cache_clear()
    ws = load_function("ws")
    try:
        cid = gateway.open()
        assert ws.handler(ws_event("$connect", cid, token=world.owner.token), LambdaContext())["statusCode"] == 200
        subscribe = f'{{"action":"subscribe","table_id":"{world.table.id}"}}'
        with database_down(database):
            late = gateway.open()
            result = ws.handler(ws_event("$connect", late, token=world.owner.token), LambdaContext())
            assert result["statusCode"] == 503
            assert registry.get_connection(get_redis(), late) is None
            assert ws.handler(ws_event("$default", cid, body=subscribe), LambdaContext())["statusCode"] == 503
            (frame,) = gateway.take(cid)
            assert frame["type"] == "error" and frame["action"] == "subscribe"
            assert frame["error"]["code"] == "unavailable"
        assert ws.handler(ws_event("$default", cid, body=subscribe), LambdaContext())["statusCode"] == 200
        assert gateway.take(cid)[0]["type"] == "subscribed"
        ws.handler(ws_event("$disconnect", cid), LambdaContext())
    finally:
        gateway.server.shutdown()
        _posters.clear()
