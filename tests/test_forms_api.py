"""Forms through the records function: schema, submissions, public sharing by token, validation."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from pybase.db import session_scope
from pybase.fields.models import Field
from pybase.records.models import Record
from tests.conftest import Api
from tests.test_views_support import World, events, make_world, record_row, soft_delete


@pytest.fixture
def world() -> World:
    return make_world()


def make_form(api: Api, world: World, **extra: Any) -> dict[str, Any]:
    f = world.fields
    config = {
        "title": "Report a part",
        "description": "Tell us what you found.",
        "fields": [
            {"field_id": f["Name"], "required": True, "label": "Part name", "help": "As printed"},
            {"field_id": f["Qty"]},
            {"field_id": f["Status"]},
        ],
        "submit_message": "Thanks!",
        **extra,
    }
    response = world.api(api, "editor").call(
        "tables", "POST", f"/tables/{world.table_id}/views", body={"name": "Intake", "type": "form", "config": config}
    )
    assert response.status == 201, response.text
    return response.json()


def count_records(table_id: str) -> int:
    with session_scope() as session:
        return session.scalar(
            select(func.count()).select_from(Record).where(Record.table_id == table_id, Record.deleted_at.is_(None))
        )


def test_signed_in_users_read_and_submit_by_role(api: Api, world: World) -> None:
    form = make_form(api, world)
    path = f"/forms/{form['id']}"
    assert api.call("records", "GET", path).status == 401
    assert world.api(api, "outsider").call("records", "GET", path).status == 404
    schema = world.api(api, "viewer").call("records", "GET", path)
    assert schema.status == 200, schema.text
    body = schema.json()
    assert body["title"] == "Report a part" and body["submit_message"] == "Thanks!"
    assert [(x["label"], x["required"]) for x in body["fields"]] == [
        ("Part name", True),
        ("Qty", False),
        ("Status", False),
    ]
    assert [c["name"] for c in body["fields"][2]["options"]["choices"]] == ["Todo", "Done"]
    submission = {"fields": {"Part name": "Bracket", world.fields["Qty"]: 3, "Status": "Todo"}}
    assert world.api(api, "viewer").call("records", "POST", path, body=submission).status == 403
    assert api.call("records", "POST", path, body=submission).status == 401
    created = world.api(api, "editor").call("records", "POST", path, body=submission)
    assert created.status == 201, created.text
    record_id = created.json()["record_id"]
    assert created.json()["submit_message"] == "Thanks!"
    row = record_row(world.table_id, record_id)
    assert row.data[world.fields["Name"]] == "Bracket" and row.data[world.fields["Qty"]] == 3
    assert row.created_by == world.users["editor"]
    submitted = [e for e in events(world.table_id, "form.submitted") if e.payload["record_id"] == record_id]
    assert len(submitted) == 1 and submitted[0].payload["public"] is False
    assert any(record_id in e.payload.get("record_ids", []) for e in events(world.table_id, "records.created"))


def test_public_form_needs_its_share_token(api: Api, world: World) -> None:
    form = make_form(api, world, public=True)
    token = form["config"]["share_token"]
    path = f"/forms/{form['id']}"
    assert api.call("records", "GET", path).status == 404
    assert api.call("records", "GET", path, query={"share": "wrong"}).status == 404
    assert api.call("records", "GET", path, query={"share": token}).status == 200
    assert api.call("records", "GET", path, headers={"x-share-token": token}).status == 200
    before = count_records(world.table_id)
    created = api.call("records", "POST", path, query={"share": token}, body={"fields": {"Part name": "Gear"}})
    assert created.status == 201, created.text
    row = record_row(world.table_id, created.json()["record_id"])
    assert row.created_by is None and row.data[world.fields["Name"]] == "Gear"
    assert count_records(world.table_id) == before + 1
    # Someone signed in with no role on the table can use the public link too; they are the author.
    by_outsider = world.api(api, "outsider").call(
        "records", "POST", path, query={"share": token}, body={"fields": {"Part name": "Nut"}}
    )
    assert by_outsider.status == 201
    assert record_row(world.table_id, by_outsider.json()["record_id"]).created_by == world.outsider
    # Unsharing stops the link; sharing again makes a new one.
    world.api(api, "editor").call("tables", "PATCH", f"/views/{form['id']}", body={"config": {"public": False}})
    assert api.call("records", "GET", path, query={"share": token}).status == 401
    reshared = world.api(api, "editor").call(
        "tables", "PATCH", f"/views/{form['id']}", body={"config": {"public": True}}
    )
    assert api.call("records", "GET", path, query={"share": token}).status == 404
    new_token = reshared.json()["config"]["share_token"]
    assert api.call("records", "GET", path, query={"share": new_token}).status == 200


@pytest.mark.parametrize(
    "fields,where",
    [
        ({"Qty": 2}, "NAME"),  # required field missing
        ({"Part name": "   "}, None),  # blank text is empty
        ({"Part name": "x", "Notes": "not on the form"}, "Notes"),
        ({"Part name": "x", "Qty": "lots"}, None),  # the number type refuses it
        ({"Part name": "x", "Status": "Brand new option"}, None),  # anonymous never typecasts
        ({"Part name": "x", "Name": "twice"}, "Name"),
    ],
)
def test_bad_public_submissions_write_nothing(
    api: Api, world: World, fields: dict[str, Any], where: str | None
) -> None:
    form = make_form(api, world, public=True)
    token = form["config"]["share_token"]
    before = count_records(world.table_id)
    response = api.call(
        "records", "POST", f"/forms/{form['id']}", query={"share": token}, body={"fields": fields, "typecast": True}
    )
    assert response.status == 422, response.text
    assert response.json()["error"]["code"] == "validation_failed"
    if where is not None:
        key = world.fields["Name"] if where == "NAME" else where
        assert any(key in d["loc"] for d in response.json()["error"]["details"]), response.text
    assert count_records(world.table_id) == before
    with session_scope() as session:
        choices = session.get(Field, world.fields["Status"]).options["choices"]
    assert [c["name"] for c in choices] == ["Todo", "Done"]


def test_editors_may_typecast_new_options(api: Api, world: World) -> None:
    form = make_form(api, world)
    response = world.api(api, "editor").call(
        "records",
        "POST",
        f"/forms/{form['id']}",
        body={"fields": {"Part name": "x", "Status": "Blocked"}, "typecast": True},
    )
    assert response.status == 201, response.text


def test_form_follows_field_deletion_and_only_form_views_are_forms(api: Api, world: World) -> None:
    form = make_form(api, world, public=True)
    token = form["config"]["share_token"]
    soft_delete(Field, world.fields["Qty"])
    schema = api.call("records", "GET", f"/forms/{form['id']}", query={"share": token}).json()
    assert [x["name"] for x in schema["fields"]] == ["Name", "Status"]
    refused = api.call(
        "records", "POST", f"/forms/{form['id']}", query={"share": token}, body={"fields": {"Part name": "x", "Qty": 1}}
    )
    assert refused.status == 422
    grid = world.api(api, "editor").call("tables", "GET", f"/tables/{world.table_id}/views").json()["views"][0]
    assert world.api(api, "editor").call("records", "GET", f"/forms/{grid['id']}").status == 404
    assert api.call("records", "GET", "/forms/nonsense").status == 404
    world.api(api, "editor").call("tables", "DELETE", f"/views/{form['id']}")
    assert api.call("records", "GET", f"/forms/{form['id']}", query={"share": token}).status == 404


def test_anonymous_submissions_are_rate_limited(api: Api, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from pybase.config import get_settings

    monkeypatch.setenv("PYBASE_FORM_SUBMISSIONS_PER_MINUTE", "2")
    get_settings.cache_clear()
    try:
        form = make_form(api, world, public=True)
        token = form["config"]["share_token"]
        statuses = [
            api.call(
                "records", "POST", f"/forms/{form['id']}", query={"share": token}, body={"fields": {"Part name": "p"}}
            )
            for _ in range(3)
        ]
        assert [r.status for r in statuses] == [201, 201, 429]
        assert statuses[2].json()["error"]["code"] == "too_many_requests"
        assert 0 < int(statuses[2].headers["retry-after"]) <= 60
        # Signed-in editors using the form normally are not counted.
        editor = world.api(api, "editor").call(
            "records", "POST", f"/forms/{form['id']}", body={"fields": {"Part name": "q"}}
        )
        assert editor.status == 201
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
