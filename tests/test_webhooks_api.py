"""Airtable's webhooks API on /v0/bases/{baseId}/webhooks: shapes, specification checks, payloads
built from the change log with cursor paging, filters, and who may manage webhooks (in-process
airtable handler, real PostgreSQL)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.conftest import Api
from tests.factories import World, make_api_token, make_base, make_table, make_world

pytestmark = pytest.mark.usefixtures("no_airtable_rate_limit")

TEXT_SPEC = {"options": {"filters": {"dataTypes": ["tableData"]}}}


@pytest.fixture(scope="module")
def world() -> World:
    w = make_world(roles=("owner", "admin", "editor", "viewer"))
    w.extra["owner"] = make_api_token(w.owner, scope="admin")
    w.extra["owner_write"] = make_api_token(w.owner, scope="write")
    for role in ("admin", "editor", "viewer"):
        w.extra[role] = make_api_token(w.users[role], scope="admin")
    w.extra["outsider"] = make_api_token(w.outsider, scope="admin")
    return w


def hooks_path(base_id: str, rest: str = "") -> str:
    return f"/v0/bases/{base_id}/webhooks{rest}"


def call(api: Api, token: str, method: str, path: str, **kwargs: Any) -> Any:
    return api.as_user(token).call("airtable", method, path, **kwargs)


def create(api: Api, token: str, base_id: str, spec: dict[str, Any] | None = None, url: str | None = None) -> Any:
    body: dict[str, Any] = {"specification": TEXT_SPEC if spec is None else spec}
    if url is not None:
        body["notificationUrl"] = url
    return call(api, token, "POST", hooks_path(base_id), body=body)


def records(api: Api, token: str, base_id: str, table_id: str, method: str, body: Any = None, **kw: Any) -> Any:
    r = call(api, token, method, f"/v0/{base_id}/{table_id}", body=body, **kw)
    assert r.status == 200, r.text
    return r.json()


def payloads(api: Api, token: str, base_id: str, hook_id: str, **query: Any) -> Any:
    r = call(api, token, "GET", hooks_path(base_id, f"/{hook_id}/payloads"), query=query or None)
    assert r.status == 200, r.text
    return r.json()


def fresh_table(world: World) -> tuple[str, str, str]:
    base_id = make_base(world.workspace_id, name="Hooks", by=world.owner)
    table = make_table(base_id, name="Parts", by=world.owner)
    return base_id, table.id, table.primary_field_id


def test_create_answers_the_secret_once_and_list_shows_the_webhook(api: Api, world: World) -> None:
    base_id, _, _ = fresh_table(world)
    r = create(api, world.extra["owner"], base_id, url="https://example.com/hook")
    assert r.status == 200, r.text
    created = r.json()
    assert created["id"].startswith("ach") and len(created["id"]) == 17
    assert len(base64.b64decode(created["macSecretBase64"])) == 32
    expires = datetime.fromisoformat(created["expirationTime"].replace("Z", "+00:00"))
    assert timedelta(days=6, hours=23) < expires - datetime.now(UTC) <= timedelta(days=7)

    listed = call(api, world.extra["owner"], "GET", hooks_path(base_id)).json()["webhooks"]
    assert listed == [
        {
            "id": created["id"],
            "areNotificationsEnabled": True,
            "cursorForNextPayload": 1,
            "isHookEnabled": True,
            "lastSuccessfulNotificationTime": None,
            "notificationUrl": "https://example.com/hook",
            "lastNotificationResult": None,
            "expirationTime": created["expirationTime"],
            "specification": TEXT_SPEC,
        }
    ]
    assert "macSecretBase64" not in listed[0]


def test_enable_refresh_delete(api: Api, world: World) -> None:
    base_id, _, _ = fresh_table(world)
    token = world.extra["owner"]
    hook = create(api, token, base_id, url="https://example.com/hook").json()
    r = call(api, token, "POST", hooks_path(base_id, f"/{hook['id']}/enableNotifications"), body={"enable": False})
    assert r.status == 200 and r.json() == {}
    assert call(api, token, "GET", hooks_path(base_id)).json()["webhooks"][0]["areNotificationsEnabled"] is False
    bad = call(api, token, "POST", hooks_path(base_id, f"/{hook['id']}/enableNotifications"), body={"enable": "yes"})
    assert bad.status == 422 and bad.json()["error"]["type"] == "INVALID_REQUEST_BODY"

    r = call(api, token, "POST", hooks_path(base_id, f"/{hook['id']}/refresh"))
    assert r.status == 200 and set(r.json()) == {"expirationTime"}
    assert r.json()["expirationTime"] >= hook["expirationTime"]

    r = call(api, token, "DELETE", hooks_path(base_id, f"/{hook['id']}"))
    assert r.status == 200 and r.json() == {}
    assert call(api, token, "GET", hooks_path(base_id)).json() == {"webhooks": []}
    gone = call(api, token, "POST", hooks_path(base_id, f"/{hook['id']}/refresh"))
    assert gone.status == 404 and gone.json() == {"error": "NOT_FOUND"}


@pytest.mark.parametrize(
    "spec",
    [
        {},
        {"options": {}},
        {"options": {"filters": {}}},
        {"options": {"filters": {"dataTypes": []}}},
        {"options": {"filters": {"dataTypes": ["records"]}}},
        {"options": {"filters": {"dataTypes": ["tableData"], "changeTypes": ["create"]}}},
        {"options": {"filters": {"dataTypes": ["tableData"], "fromSources": ["browser"]}}},
        {"options": {"filters": {"dataTypes": ["tableData"], "recordChangeScope": "tblAAAAAAAAAAAAAA"}}},
        {"options": {"filters": {"dataTypes": ["tableData"], "watchDataInFieldIds": ["fldAAAAAAAAAAAAAA"]}}},
        {"options": {"filters": {"dataTypes": ["tableData"], "surprise": True}}},
        {"options": {"filters": {"dataTypes": ["tableData"]}, "includes": {"includePreviousCellValues": "yes"}}},
    ],
)
def test_invalid_specifications_are_refused(api: Api, world: World, spec: dict[str, Any]) -> None:
    r = create(api, world.extra["owner"], world.base_id, spec=spec)
    assert r.status == 422, r.text
    assert r.json()["error"]["type"] == "INVALID_WEBHOOK_SPECIFICATION"
    assert call(api, world.extra["owner"], "GET", hooks_path(world.base_id)).json() == {"webhooks": []}


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/x", "example.com", "http://127.0.0.1:8080/x", "http://169.254.169.254/latest",
     "http://[::1]/x", "http://10.0.0.5/x", "http://localhost:9000/", "https://user:pw@example.com/", 42],
)  # fmt: skip
def test_notification_urls_that_are_refused(
    api: Api, world: World, url: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYBASE_NETGUARD_ALLOW", raising=False)
    r = create(api, world.extra["owner"], world.base_id, url=url)
    assert r.status == 422, r.text
    assert r.json()["error"]["type"] == "INVALID_NOTIFICATION_URL"


def test_payloads_of_creates_updates_and_deletes_with_cursor_paging(api: Api, world: World) -> None:
    base_id, table_id, name_id = fresh_table(world)
    token = world.extra["owner"]
    spec = {"options": {"filters": {"dataTypes": ["tableData"]}, "includes": {"includePreviousCellValues": True}}}
    hook = create(api, token, base_id, spec=spec).json()
    made = records(api, token, base_id, table_id, "POST", {"records": [{"fields": {"Name": "Bracket"}},
                                                                        {"fields": {"Name": "Shim"}}]})  # fmt: skip
    first, second = (r["id"] for r in made["records"])
    records(api, token, base_id, table_id, "PATCH", {"records": [{"id": first, "fields": {"Name": "Bracket B"}}]})
    call(api, token, "DELETE", f"/v0/{base_id}/{table_id}", query=[("records[]", second)])

    page = payloads(api, token, base_id, hook["id"], limit="2")
    assert page["cursor"] == 3 and page["mightHaveMore"] is True and len(page["payloads"]) == 2
    created, updated = page["payloads"]
    assert created["payloadFormat"] == "v0"
    assert created["actionMetadata"]["source"] == "client"
    assert created["actionMetadata"]["sourceMetadata"]["user"]["id"] == world.owner.id
    made_by_id = created["changedTablesById"][table_id]["createdRecordsById"]
    assert {rid: v["cellValuesByFieldId"] for rid, v in made_by_id.items()} == {
        first: {name_id: "Bracket"}, second: {name_id: "Shim"}
    }
    assert updated["changedTablesById"][table_id]["changedRecordsById"] == {
        first: {
            "current": {"cellValuesByFieldId": {name_id: "Bracket B"}},
            "previous": {"cellValuesByFieldId": {name_id: "Bracket"}},
        }
    }
    assert updated["baseTransactionNumber"] > created["baseTransactionNumber"]

    rest = payloads(api, token, base_id, hook["id"], cursor=str(page["cursor"]))
    assert rest["cursor"] == 4 and rest["mightHaveMore"] is False
    assert [p["changedTablesById"][table_id] for p in rest["payloads"]] == [{"destroyedRecordIds": [second]}]
    # Reading from the start again gives the same payloads; past the end, none.
    assert payloads(api, token, base_id, hook["id"])["payloads"][:2] == page["payloads"]
    assert payloads(api, token, base_id, hook["id"], cursor="4") == {"cursor": 4, "mightHaveMore": False,
                                                                     "payloads": []}  # fmt: skip
    listed = call(api, token, "GET", hooks_path(base_id)).json()["webhooks"][0]
    assert listed["cursorForNextPayload"] == 4
    bad = call(api, token, "GET", hooks_path(base_id, f"/{hook['id']}/payloads"), query={"limit": "51"})
    assert bad.status == 422


def test_changes_before_creation_are_not_payloads(api: Api, world: World) -> None:
    base_id, table_id, _ = fresh_table(world)
    token = world.extra["owner"]
    records(api, token, base_id, table_id, "POST", {"records": [{"fields": {"Name": "Early"}}]})
    hook = create(api, token, base_id).json()
    assert payloads(api, token, base_id, hook["id"])["payloads"] == []


def test_filters_scope_change_types_watched_fields_and_included_values(api: Api, world: World) -> None:
    from pybase.db import session_scope
    from pybase.fields import service as fields

    base_id, table_id, name_id = fresh_table(world)
    other = make_table(base_id, name="Other", by=world.owner)
    with session_scope() as session:
        qty_id = fields.create_field(
            session, principal=world.owner.principal, table_id=table_id, name="Qty", type="number", options={}
        )["id"]
    token = world.extra["owner"]

    def spec(**filters: Any) -> dict[str, Any]:
        return {"options": {"filters": {"dataTypes": ["tableData"], **filters}}}

    scoped = create(api, token, base_id, spec(recordChangeScope=other.id)).json()
    removals = create(api, token, base_id, spec(changeTypes=["remove"])).json()
    watched = create(api, token, base_id, {
        "options": {"filters": {"dataTypes": ["tableData"], "recordChangeScope": table_id,
                                "watchDataInFieldIds": [qty_id]},
                    "includes": {"includeCellValuesInFieldIds": [name_id]}},
    }).json()  # fmt: skip
    schema = create(api, token, base_id, {"options": {"filters": {"dataTypes": ["tableFields"]}}}).json()

    rec = records(api, token, base_id, table_id, "POST", {"records": [{"fields": {"Name": "Pin", "Qty": 1}}]})
    rid = rec["records"][0]["id"]
    records(api, token, base_id, table_id, "PATCH", {"records": [{"id": rid, "fields": {"Name": "Pin 2"}}]})
    records(api, token, base_id, table_id, "PATCH", {"records": [{"id": rid, "fields": {"Qty": 3}}]})
    call(api, token, "DELETE", f"/v0/{base_id}/{table_id}/{rid}")
    with session_scope() as session:
        fields.create_field(session, principal=world.owner.principal, table_id=table_id, name="Note", type="long_text")

    assert payloads(api, token, base_id, scoped["id"])["payloads"] == []
    only_removal = payloads(api, token, base_id, removals["id"])["payloads"]
    assert [p["changedTablesById"][table_id] for p in only_removal] == [{"destroyedRecordIds": [rid]}]
    watched_payloads = payloads(api, token, base_id, watched["id"])["payloads"]
    changes = [p["changedTablesById"][table_id] for p in watched_payloads]
    # The create, the Qty change (not the Name change) and the delete; the Name comes along unchanged.
    assert changes[1] == {"changedRecordsById": {rid: {
        "current": {"cellValuesByFieldId": {qty_id: 3}},
        "unchanged": {"cellValuesByFieldId": {name_id: "Pin 2"}},
    }}}  # fmt: skip
    assert len(changes) == 3 and "createdRecordsById" in changes[0] and "destroyedRecordIds" in changes[2]
    schema_payloads = payloads(api, token, base_id, schema["id"])["payloads"]
    assert len(schema_payloads) == 1
    created_fields = schema_payloads[0]["changedTablesById"][table_id]["createdFieldsById"]
    assert list(created_fields.values()) == [{"name": "Note", "type": "multilineText"}]


def test_who_may_manage_webhooks(api: Api, world: World) -> None:
    base_id = world.base_id
    hook = create(api, world.extra["owner"], base_id).json()
    admin = create(api, world.extra["admin"], base_id)
    assert admin.status == 200, admin.text
    call(api, world.extra["admin"], "DELETE", hooks_path(base_id, f"/{admin.json()['id']}"))
    actions = [
        ("GET", hooks_path(base_id), None),
        ("POST", hooks_path(base_id), {"specification": TEXT_SPEC}),
        ("POST", hooks_path(base_id, f"/{hook['id']}/refresh"), None),
        ("POST", hooks_path(base_id, f"/{hook['id']}/enableNotifications"), {"enable": False}),
        ("GET", hooks_path(base_id, f"/{hook['id']}/payloads"), None),
        ("DELETE", hooks_path(base_id, f"/{hook['id']}"), None),
    ]
    for who in ("editor", "viewer", "owner_write"):
        for method, path, body in actions:
            r = call(api, world.extra[who], method, path, body=body)
            assert r.status == 403, (who, method, path, r.text)
            assert r.json()["error"]["type"] == "INVALID_PERMISSIONS", (who, path)
    for method, path, body in actions:
        r = call(api, world.extra["outsider"], method, path, body=body)
        assert r.status == 403 and r.json()["error"]["type"] == "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND"
    # A webhook of another base, or none at all: 404.
    other_base, _, _ = fresh_table(world)
    for path in (hooks_path(other_base, f"/{hook['id']}/refresh"), hooks_path(base_id, "/achAAAAAAAAAAAAAA/refresh"),
                 hooks_path(base_id, "/nope/refresh")):  # fmt: skip
        r = call(api, world.extra["owner"], "POST", path)
        assert r.status == 404 and r.json() == {"error": "NOT_FOUND"}, path
    assert call(api, world.extra["owner"], "GET", hooks_path(base_id)).json()["webhooks"][0]["id"] == hook["id"]
    call(api, world.extra["owner"], "DELETE", hooks_path(base_id, f"/{hook['id']}"))


def test_at_most_ten_webhooks_per_base(api: Api, world: World) -> None:
    base_id, _, _ = fresh_table(world)
    for _ in range(10):
        assert create(api, world.extra["owner"], base_id).status == 200
    r = create(api, world.extra["owner"], base_id)
    assert r.status == 422 and r.json()["error"]["type"] == "TOO_MANY_WEBHOOKS"


def test_an_id_left_by_a_rolled_back_write_does_not_hold_back_payloads(api: Api, world: World) -> None:
    """Rolled-back writes leave holes in the change log's IDs. With no other transaction in progress a
    hole can never fill, so the changes after it become payloads at once instead of after the grace."""
    from sqlalchemy import text

    from pybase.db import session_scope

    base_id, table_id, _ = fresh_table(world)
    token = world.extra["owner"]
    hook = create(api, token, base_id).json()
    with session_scope() as session:  # an ID no row will use, as a rolled-back write leaves
        session.execute(text("SELECT nextval(format('change_events_s%s_id', pybase_log_shard(:b)))"), {"b": base_id})
    records(api, token, base_id, table_id, "POST", {"records": [{"fields": {"Name": "After the hole"}}]})
    page = payloads(api, token, base_id, hook["id"])
    assert len(page["payloads"]) == 1 and page["cursor"] == 2
