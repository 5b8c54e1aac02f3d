"""Values PostgreSQL cannot store (a NUL character in text) are the client's error: 422, nothing written."""

import json

from tests.conftest import Api
from tests.factories import make_world

NUL = "a\x00b"


def test_nul_characters_get_a_422_and_write_nothing(api: Api) -> None:
    world = make_world(roles=("owner",))
    owner = api.as_user(world.owner.token)
    table = world.table

    field = owner.call("tables", "POST", f"/tables/{table.id}/fields", body={"name": NUL, "type": "number"})
    assert field.status == 422, field.text
    assert field.json()["error"]["code"] == "invalid_value"
    fields = owner.call("tables", "GET", f"/tables/{table.id}/fields").json()
    names = [f["name"] for f in (fields["fields"] if isinstance(fields, dict) else fields)]
    assert NUL not in names

    record = owner.call(
        "records", "POST", f"/tables/{table.id}/records", body={"fields": {table.primary_field_id: NUL}}
    )
    assert record.status == 422, record.text
    listed = owner.call("records", "GET", f"/tables/{table.id}/records").json()
    assert listed["records"] == []

    condition = {"field": table.primary_field_id, "op": "contains", "value": NUL}
    query = owner.call("records", "GET", f"/tables/{table.id}/records", query={"filter": json.dumps(condition)})
    assert query.status == 422, query.text

    workspace = owner.call("workspaces", "POST", "/workspaces", body={"name": NUL})
    assert workspace.status == 422, workspace.text
