"""A write is answered only after its transaction committed, on every route group.

The commit is made to fail on the real PostgreSQL: a deferred constraint trigger on the table a route
writes raises at COMMIT (after the route's work succeeded). The client must then get an error, not
a 2xx, the row must not be there, and nothing may be published to realtime.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

import psycopg
import pytest
from sqlalchemy import func, select

from pybase.db import session_scope
from pybase.events import service as events
from pybase.records.models import Record
from tests.commit_triggers import admin_url, at_commit
from tests.conftest import Api
from tests.factories import World, make_api_token, make_world

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def refuse_commits(database: str, table: str) -> AbstractContextManager[None]:
    """Every transaction that wrote to `table` fails at COMMIT while this is active."""
    return at_commit(database, table, "refuse_commit", "RAISE EXCEPTION 'commit refused by the test';")


@pytest.fixture
def published(database: str) -> Iterator[list[dict[str, Any]]]:
    """Events handed to realtime publishers during the test, each marked with whether another
    connection could already see its row in the change log (that is, whether it was committed)."""
    seen: list[dict[str, Any]] = []

    def publisher(batch: list[dict[str, Any]]) -> None:
        with psycopg.connect(admin_url(database), autocommit=True) as conn:
            ids = [e["id"] for e in batch]
            committed = {row[0] for row in conn.execute("SELECT id FROM change_events WHERE id = ANY(%s)", (ids,))}
        seen.extend({**e, "committed": e["id"] in committed} for e in batch)

    events.register_publisher(publisher)
    yield seen
    events.unregister_publisher(publisher)


@pytest.fixture(scope="module")
def world() -> World:
    w = make_world(roles=("owner", "editor"))
    w.extra["pat"] = make_api_token(w.owner, scope="admin")
    return w


def count_records(table_id: str) -> int:
    with session_scope() as session:
        return session.scalar(
            select(func.count()).select_from(Record).where(Record.table_id == table_id, Record.deleted_at.is_(None))
        )


def assert_refused(response: Any) -> None:
    assert not 200 <= response.status < 300, (response.status, response.text)
    assert "error" in response.json(), response.text


# ---------------------------------------------------------------- native routes (records, tables, workspaces)


def test_single_record_create(api: Api, world: World, database: str, published: list[Any]) -> None:
    owner = api.as_user(world.owner.token)
    before = count_records(world.table.id)
    with refuse_commits(database, "records"):
        r = owner.call("records", "POST", f"/tables/{world.table.id}/records", body={"fields": {"Name": "lost?"}})
    assert_refused(r)
    assert r.json()["error"]["code"] == "internal_error"
    assert count_records(world.table.id) == before
    assert published == []
    # The same request goes through once commits work again.
    r = owner.call("records", "POST", f"/tables/{world.table.id}/records", body={"fields": {"Name": "kept"}})
    assert r.status == 201, r.text
    assert count_records(world.table.id) == before + 1
    assert [(e["type"], e["committed"]) for e in published] == [("records.created", True)]


def test_batch_of_1000_records(api: Api, world: World, database: str, published: list[Any]) -> None:
    owner = api.as_user(world.owner.token)
    before = count_records(world.table.id)
    batch = {"records": [{"fields": {"Name": f"r{i}"}} for i in range(1000)]}
    with refuse_commits(database, "records"):
        r = owner.call("records", "POST", f"/tables/{world.table.id}/records", body=batch)
    assert_refused(r)
    assert count_records(world.table.id) == before
    assert published == []


def test_record_patch(api: Api, world: World, database: str, published: list[Any]) -> None:
    owner = api.as_user(world.owner.token)
    r = owner.call("records", "POST", f"/tables/{world.table.id}/records", body={"fields": {"Name": "before"}})
    assert r.status == 201, r.text
    record_id = r.json()["id"]
    published.clear()
    path = f"/tables/{world.table.id}/records/{record_id}"
    with refuse_commits(database, "records"):
        r = owner.call("records", "PATCH", path, body={"fields": {"Name": "after"}})
    assert_refused(r)
    assert owner.call("records", "GET", path).json()["fields"] == {world.table.primary_field_id: "before"}
    assert published == []


def test_field_create(api: Api, world: World, database: str) -> None:
    owner = api.as_user(world.owner.token)
    path = f"/tables/{world.table.id}/fields"
    with refuse_commits(database, "fields"):
        r = owner.call("tables", "POST", path, body={"name": "Qty", "type": "number"})
    assert_refused(r)
    assert "Qty" not in [f["name"] for f in owner.call("tables", "GET", path).json()["fields"]]


def test_workspace_create(api: Api, world: World, database: str) -> None:
    owner = api.as_user(world.owner.token)
    with refuse_commits(database, "workspaces"):
        r = owner.call("workspaces", "POST", "/workspaces", body={"name": "Never made"})
    assert_refused(r)
    listed = owner.call("workspaces", "GET", "/workspaces").json()
    names = [w["name"] for w in (listed["workspaces"] if isinstance(listed, dict) else listed)]
    assert "Never made" not in names


# ---------------------------------------------------------------- Airtable-compatible /v0


def test_airtable_create(api: Api, world: World, database: str, published: list[Any]) -> None:
    pat = api.as_user(world.extra["pat"])
    before = count_records(world.table.id)
    path = f"/v0/{world.base_id}/{world.table.id}"
    with refuse_commits(database, "records"):
        r = pat.call("airtable", "POST", path, body={"records": [{"fields": {"Name": "lost?"}}]})
    assert_refused(r)
    assert r.json()["error"]["type"] == "SERVER_ERROR"  # Airtable's shape, not PyBase's
    assert count_records(world.table.id) == before
    assert published == []


# ---------------------------------------------------------------- public forms


def test_public_form_submission(api: Api, world: World, database: str) -> None:
    owner = api.as_user(world.owner.token)
    config = {"fields": [{"field_id": world.table.primary_field_id}], "public": True}
    body = {"name": "Intake", "type": "form", "config": config}
    r = owner.call("tables", "POST", f"/tables/{world.table.id}/views", body=body)
    assert r.status == 201, r.text
    form = r.json()
    before = count_records(world.table.id)
    with refuse_commits(database, "records"):
        r = api.call(
            "records", "POST", f"/forms/{form['id']}", query={"share": form["config"]["share_token"]},
            body={"fields": {"Name": "lost?"}},
        )  # fmt: skip
    assert_refused(r)
    assert count_records(world.table.id) == before


# ---------------------------------------------------------------- CSV import


def test_csv_import(api: Api, world: World, database: str) -> None:
    owner = api.as_user(world.owner.token)
    before = count_records(world.table.id)
    with refuse_commits(database, "records"):
        r = owner.call(
            "records", "POST", f"/tables/{world.table.id}/import",
            raw_body="Name\nalpha\nbeta\n", headers={"content-type": "text/csv"},
        )  # fmt: skip
    assert_refused(r)
    assert count_records(world.table.id) == before


# ---------------------------------------------------------------- uploads


def test_upload_create(api: Api, world: World, database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from pybase.files.models import Attachment

    # Presigning is local computation; it only needs credentials to sign with.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    owner = api.as_user(world.owner.token)
    r = owner.call("tables", "POST", f"/tables/{world.table.id}/fields", body={"name": "Files", "type": "attachment"})
    assert r.status == 201, r.text
    field_id = r.json()["id"]
    r = owner.call("records", "POST", f"/tables/{world.table.id}/records", body={"fields": {"Name": "with file"}})
    record_id = r.json()["id"]
    body = {
        "table_id": world.table.id, "record_id": record_id, "field_id": field_id,
        "filename": "part.dxf", "content_type": "application/octet-stream", "size": 10,
    }  # fmt: skip
    with refuse_commits(database, "attachments"):
        r = owner.call("files", "POST", "/uploads", body=body)
    assert_refused(r)
    with session_scope() as session:
        made = select(func.count()).select_from(Attachment).where(Attachment.record_id == record_id)
        assert session.scalar(made) == 0


# ---------------------------------------------------------------- WebSocket function


def ws_connect_event(connection_id: str, token: str) -> dict[str, Any]:
    return {
        "requestContext": {
            "routeKey": "$connect", "eventType": "CONNECT", "connectionId": connection_id,
            "domainName": "localhost", "stage": "local", "requestId": "r1", "apiId": "local",
        },
        "queryStringParameters": {"token": token},
        "body": None,
        "isBase64Encoded": False,
    }  # fmt: skip


def test_websocket_connect_with_api_token(world: World, database: str) -> None:
    from pybase.realtime import registry
    from pybase.redis_client import get_redis
    from tests.lambda_events import LambdaContext, load_function

    # An API token's use is recorded (last_used_at) in the $connect transaction.
    connection_id = f"con{secrets.token_hex(8)}"
    with refuse_commits(database, "api_tokens"):
        result = load_function("ws").handler(ws_connect_event(connection_id, world.extra["pat"]), LambdaContext())
    assert result["statusCode"] != 200
    assert registry.get_connection(get_redis(), connection_id) is None
    result = load_function("ws").handler(ws_connect_event(connection_id, world.extra["pat"]), LambdaContext())
    assert result["statusCode"] == 200
    assert registry.get_connection(get_redis(), connection_id) is not None
