"""Records API end to end through the records handler, on real PostgreSQL."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tests.conftest import Api
from tests.factories import World, make_table, make_world

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def world() -> World:
    return make_world()


def _field(api: Api, token: str, table_id: str, name: str, type: str, **options: Any) -> str:
    r = api.as_user(token).call(
        "tables", "POST", f"/tables/{table_id}/fields", body={"name": name, "type": type, "options": options}
    )
    assert r.status == 201, r.text
    return r.json()["id"]


@pytest.fixture(scope="module")
def table(world: World) -> dict[str, Any]:
    api = Api()
    owner = world.owner.token
    t = make_table(world.base_id, by=world.owner)
    ids = {
        "name": t.primary_field_id,
        "qty": _field(api, owner, t.id, "Qty", "number", precision=2),
        "due": _field(api, owner, t.id, "Due", "date"),
        "status": _field(api, owner, t.id, "Status", "single_select", choices=["Todo", "Done"]),
    }
    return {"id": t.id, "fields": ids}


def test_create_get_patch_put_delete(api: Api, world: World, table: dict[str, Any]) -> None:
    ed = api.as_user(world.users["editor"].token)
    f = table["fields"]
    r = ed.call("records", "POST", f"/tables/{table['id']}/records", body={"fields": {f["name"]: "a", f["qty"]: 1.234}})
    assert r.status == 201, r.text
    rec = r.json()
    assert rec["fields"] == {f["name"]: "a", f["qty"]: 1.23}
    assert r.headers["etag"] == '"1"'
    rid = rec["id"]
    r = ed.call("records", "GET", f"/tables/{table['id']}/records/{rid}")
    assert r.status == 200 and r.json()["fields"][f["qty"]] == 1.23
    r = ed.call("records", "PATCH", f"/tables/{table['id']}/records/{rid}", body={"fields": {"Status": "Done"}})
    assert r.status == 200, r.text
    assert r.json()["fields"] == {f["name"]: "a", f["qty"]: 1.23, f["status"]: "Done"}
    assert r.headers["etag"] == '"2"'
    r = ed.call("records", "PUT", f"/tables/{table['id']}/records/{rid}", body={"fields": {f["qty"]: 5}})
    assert r.status == 200 and r.json()["fields"] == {f["qty"]: 5}
    r = ed.call("records", "GET", f"/tables/{table['id']}/records/{rid}/history")
    assert r.status == 200
    assert [e["action"] for e in r.json()["entries"]] == ["updated", "updated"]
    assert r.json()["entries"][1]["changes"][f["status"]] == {"field_name": "Status", "from": None, "to": "Done"}
    r = ed.call("records", "DELETE", f"/tables/{table['id']}/records/{rid}")
    assert r.status == 200
    assert ed.call("records", "GET", f"/tables/{table['id']}/records/{rid}").status == 404
