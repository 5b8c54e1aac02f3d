"""The Airtable-compatible API driven by the third-party client pyairtable (requests go to the
in-process airtable handler through tests/airtable_transport.LambdaAdapter)."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from pybase.db import session_scope
from tests.airtable_transport import pyairtable_api
from tests.factories import World, make_api_token, make_base, make_table, make_user, make_world

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.usefixtures("no_airtable_rate_limit"),
]


@pytest.fixture(scope="module")
def world() -> World:
    w = make_world(roles=("owner", "editor", "viewer"))
    w.extra["token"] = make_api_token(w.owner, scope="admin")
    w.extra["read_token"] = make_api_token(w.owner, scope="read")
    return w


def add_fields(table_id: str, world: World) -> dict[str, str]:
    from pybase.fields import service as fields

    specs = [
        ("Qty", "number", {"precision": 2}),
        ("Status", "single_select", {"choices": [{"name": "Todo"}, {"name": "Done"}]}),
        ("Done", "checkbox", {}),
        ("Due", "date", {}),
        ("Email", "email", {}),
    ]
    ids = {}
    with session_scope() as session:
        for name, type_name, options in specs:
            ids[name] = fields.create_field(
                session, principal=world.owner.principal, table_id=table_id, name=name, type=type_name, options=options
            )["id"]
    return ids


@pytest.fixture
def table(world: World) -> Any:
    base_id = make_base(world.workspace_id, name="Parts base", by=world.owner)
    ref = make_table(base_id, name="Parts list", by=world.owner)
    ref_fields = add_fields(ref.id, world)
    api = pyairtable_api(world.extra["token"])
    t = api.table(base_id, ref.id)
    t.ref = ref  # type: ignore[attr-defined]
    t.field_ids = ref_fields  # type: ignore[attr-defined]
    return t


def seed(table: Any, count: int = 25) -> list[dict[str, Any]]:
    rows = [
        {
            "Name": f"Part {i:02d}",
            "Qty": i,
            "Status": "Done" if i % 3 == 0 else "Todo",
            "Done": i % 2 == 0,
            "Due": f"2026-01-{i + 1:02d}",
        }
        for i in range(count)
    ]
    return table.batch_create(rows)


def error_of(exc: pytest.ExceptionInfo[requests.HTTPError]) -> tuple[int, Any]:
    response = exc.value.response
    return response.status_code, response.json()


def count_records(table: Any) -> int:
    return len(table.all())


# --- reading ------------------------------------------------------------------------------------


def test_list_paginates_with_offset_and_respects_page_size_and_max_records(table: Any) -> None:
    seed(table, 25)
    pages = list(table.iterate(page_size=10))
    assert [len(p) for p in pages] == [10, 10, 5]
    names = [r["fields"]["Name"] for page in pages for r in page]
    assert names == [f"Part {i:02d}" for i in range(25)]
    assert len({r["id"] for page in pages for r in page}) == 25
    assert len(table.all(max_records=12, page_size=5)) == 12
    first = table.first()
    assert first is not None and first["fields"]["Name"] == "Part 00"
    assert set(first) == {"id", "createdTime", "fields"}
    assert first["createdTime"].endswith("Z") and len(first["createdTime"]) == 24


def test_empty_and_false_values_are_omitted(table: Any) -> None:
    created = table.create({"Name": "Bare", "Done": False, "Qty": 0})
    assert created["fields"] == {"Name": "Bare", "Qty": 0}
    got = table.get(created["id"])
    assert got["fields"] == {"Name": "Bare", "Qty": 0}


def test_filter_by_formula_runs_the_formula(table: Any) -> None:
    seed(table, 25)
    found = table.all(formula="AND({Qty} > 10, {Status} = 'Done')")
    assert sorted(r["fields"]["Qty"] for r in found) == [12, 15, 18, 21, 24]
    found = table.all(formula="AND(FIND('2', {Name}), NOT({Done}))")
    assert sorted(r["fields"]["Name"] for r in found) == ["Part 21", "Part 23"]
    found = table.all(formula="IS_BEFORE({Due}, '2026-01-04')")
    assert [r["fields"]["Name"] for r in found] == ["Part 00", "Part 01", "Part 02"]
    assert table.all(formula="{Qty} > 1000") == []


def test_filter_by_formula_from_pyairtable_formula_builder(table: Any) -> None:
    from pyairtable.formulas import GT, Field, match

    seed(table, 10)
    found = table.all(formula=match({"Status": "Done"}))
    assert sorted(r["fields"]["Qty"] for r in found) == [0, 3, 6, 9]
    found = table.all(formula=GT(Field("Qty"), 7))
    assert sorted(r["fields"]["Qty"] for r in found) == [8, 9]


def test_sort_and_fields(table: Any) -> None:
    seed(table, 12)
    rows = table.all(sort=["-Qty"], fields=["Name", "Qty"])
    assert [r["fields"]["Qty"] for r in rows] == list(range(11, -1, -1))
    assert all(set(r["fields"]) <= {"Name", "Qty"} for r in rows)
    rows = table.all(sort=["Status", "-Qty"], page_size=5)
    statuses = [r["fields"]["Status"] for r in rows]
    assert statuses == ["Todo"] * 8 + ["Done"] * 4  # select fields sort by option order
    assert [r["fields"]["Qty"] for r in rows][:3] == [11, 10, 8]


def test_view_filters_and_sorts(table: Any, world: World) -> None:
    from pybase.views import service as views

    seed(table, 12)
    with session_scope() as session:
        views.create_view(
            session, principal=world.owner.principal, table_id=table.ref.id, name="Done first",
            config={
                "filters": {"and": [{"field": table.field_ids["Status"], "op": "is", "value": "Done"}]},
                "sorts": [{"field": table.field_ids["Qty"], "direction": "desc"}],
            },
        )  # fmt: skip
    rows = table.all(view="Done first")
    assert [r["fields"]["Qty"] for r in rows] == [9, 6, 3, 0]
    rows = table.all(view="Done first", sort=["Qty"], formula="{Qty} > 2")
    assert [r["fields"]["Qty"] for r in rows] == [3, 6, 9]


def test_return_fields_by_field_id_and_cell_format_string(table: Any) -> None:
    created = table.create({"Name": "Bolt", "Qty": 3.5, "Done": True, "Due": "2026-03-04"})
    by_id = table.get(created["id"], use_field_ids=True)
    assert by_id["fields"][table.ref.primary_field_id] == "Bolt"
    assert by_id["fields"][table.field_ids["Qty"]] == 3.5
    rows = table.all(use_field_ids=True)
    assert rows[0]["fields"][table.field_ids["Done"]] is True
    rows = table.all(cell_format="string", time_zone="Europe/Paris", user_locale="en-gb")
    assert rows[0]["fields"]["Done"] == "checked"
    assert rows[0]["fields"]["Qty"] == "3.50"  # the field's precision (2), as Airtable shows it
    assert rows[0]["fields"]["Due"] == "2026-03-04"


def test_list_records_by_post_body(table: Any) -> None:
    seed(table, 8)
    url = table.urls.records_post
    body = {"filterByFormula": "{Qty} >= 5", "sort": [{"field": "Qty", "direction": "desc"}],
            "fields": ["Qty"], "pageSize": 2}  # fmt: skip
    first = table.api.post(url, json=body)
    assert [r["fields"] for r in first["records"]] == [{"Qty": 7}, {"Qty": 6}]
    second = table.api.post(url, json={**body, "offset": first["offset"]})
    assert [r["fields"]["Qty"] for r in second["records"]] == [5]
    assert "offset" not in second


# --- writing ------------------------------------------------------------------------------------


def test_create_get_update_replace_delete(table: Any) -> None:
    created = table.create({"Name": "Nut", "Qty": 4, "Status": "Todo", "Email": "a@example.com"})
    assert created["fields"]["Status"] == "Todo"
    record_id = created["id"]
    updated = table.update(record_id, {"Qty": 5})
    assert updated["fields"] == {"Name": "Nut", "Qty": 5, "Status": "Todo", "Email": "a@example.com"}
    replaced = table.update(record_id, {"Name": "Nut M4"}, replace=True)
    assert replaced["fields"] == {"Name": "Nut M4"}
    assert table.get(record_id)["fields"] == {"Name": "Nut M4"}
    assert table.delete(record_id) == {"id": record_id, "deleted": True}
    with pytest.raises(requests.HTTPError) as exc:
        table.get(record_id)
    assert error_of(exc) == (404, {"error": "NOT_FOUND"})


def test_batch_update_and_batch_delete(table: Any) -> None:
    created = seed(table, 12)
    changes = [{"id": r["id"], "fields": {"Qty": 100 + i}} for i, r in enumerate(created)]
    updated = table.batch_update(changes)  # two requests: 10 + 2
    assert [r["fields"]["Qty"] for r in updated] == [100 + i for i in range(12)]
    assert all(r["fields"]["Name"].startswith("Part") for r in updated)
    deleted = table.batch_delete([r["id"] for r in created[:11]])
    assert deleted == [{"id": r["id"], "deleted": True} for r in created[:11]]
    assert [r["fields"]["Name"] for r in table.all()] == ["Part 11"]


def test_upsert_by_fields_to_merge_on(table: Any) -> None:
    seed(table, 3)
    result = table.batch_upsert(
        [
            {"fields": {"Name": "Part 01", "Qty": 41}},
            {"fields": {"Name": "Part 99", "Qty": 99}},
            {"fields": {"Name": "Part 02", "Status": "Done"}},
        ],
        key_fields=["Name"],
    )
    assert len(result["createdRecords"]) == 1 and len(result["updatedRecords"]) == 2
    by_name = {r["fields"]["Name"]: r for r in result["records"]}
    assert by_name["Part 01"]["fields"]["Qty"] == 41
    assert by_name["Part 02"]["fields"] == {"Name": "Part 02", "Qty": 2, "Status": "Done", "Due": "2026-01-03",
                                             "Done": True}  # fmt: skip
    assert result["createdRecords"] == [by_name["Part 99"]["id"]]
    assert [r["id"] for r in result["records"]][1] == by_name["Part 99"]["id"]
    assert count_records(table) == 4
    again = table.batch_upsert([{"fields": {"Name": "Part 99", "Qty": 100}}], key_fields=["Name"])
    assert again["createdRecords"] == [] and again["updatedRecords"] == result["createdRecords"]
    # PUT (replace=True) clears what the upsert does not give on the records it matches.
    replaced = table.batch_upsert([{"fields": {"Name": "Part 00", "Qty": 5}}], key_fields=["Name"], replace=True)
    assert replaced["records"][0]["fields"] == {"Name": "Part 00", "Qty": 5}
    # A record without a value in a merge field matches nothing: Airtable creates it.
    blank = table.api.request("PATCH", table.urls.records, json={
        "records": [{"fields": {"Qty": 1}}, {"fields": {"Name": None, "Qty": 2}}],
        "performUpsert": {"fieldsToMergeOn": ["Name"]}})  # fmt: skip
    assert len(blank["createdRecords"]) == 2 and blank["updatedRecords"] == []
    assert [r["fields"] for r in blank["records"]] == [{"Qty": 1}, {"Qty": 2}]
    assert count_records(table) == 6


def test_typecast(table: Any) -> None:
    with pytest.raises(requests.HTTPError) as exc:
        table.create({"Name": "x", "Qty": "42"})
    status, body = error_of(exc)
    assert status == 422 and body["error"]["type"] == "INVALID_VALUE_FOR_COLUMN"
    assert '"Qty"' in body["error"]["message"]
    created = table.create({"Name": "x", "Qty": "42", "Status": "Blocked", "Done": "yes"}, typecast=True)
    assert created["fields"]["Qty"] == 42 and created["fields"]["Status"] == "Blocked" and created["fields"]["Done"]
    choices = [c.name for c in table.schema(force=True).field("Status").options.choices]
    assert choices == ["Todo", "Done", "Blocked"]


def test_a_bad_record_in_a_batch_writes_nothing(table: Any) -> None:
    existing = seed(table, 10)
    batch = [{"Name": f"New {i}", "Qty": i} for i in range(10)]
    batch[7]["Qty"] = "seven"
    with pytest.raises(requests.HTTPError) as exc:
        table.batch_create(batch)
    assert error_of(exc)[0] == 422
    assert count_records(table) == 10
    updates = [{"id": r["id"], "fields": {"Qty": 500}} for r in existing]
    updates[9]["fields"] = {"Email": "not an email"}
    with pytest.raises(requests.HTTPError) as exc:
        table.batch_update(updates)
    status, body = error_of(exc)
    assert status == 422 and body["error"]["type"] == "INVALID_VALUE_FOR_COLUMN"
    assert all(r["fields"]["Qty"] < 500 for r in table.all())
    ids = [r["id"] for r in existing[:9]] + ["recAAAAAAAAAAAAAA"]
    with pytest.raises(requests.HTTPError) as exc:
        table.batch_delete(ids)
    status, body = error_of(exc)
    assert status == 404 and body["error"]["type"] == "MODEL_ID_NOT_FOUND"
    assert count_records(table) == 10


# --- errors -------------------------------------------------------------------------------------


def test_error_shapes_and_status_codes(table: Any, world: World) -> None:
    def fails(call: Any) -> tuple[int, Any]:
        with pytest.raises(requests.HTTPError) as exc:
            call()
        return error_of(exc)

    status, body = fails(lambda: table.create({"Nope": 1}))
    assert (status, body["error"]["type"]) == (422, "UNKNOWN_FIELD_NAME")
    assert body["error"]["message"] == 'Unknown field name: "Nope"'
    status, body = fails(lambda: table.all(fields=["Nope"]))
    assert (status, body["error"]["type"]) == (422, "UNKNOWN_FIELD_NAME")
    status, body = fails(lambda: table.all(sort=["Nope"]))
    assert (status, body["error"]["type"]) == (422, "UNKNOWN_FIELD_NAME")
    status, body = fails(lambda: table.all(formula="{Nope} = 1"))
    assert (status, body["error"]["type"]) == (422, "INVALID_FILTER_BY_FORMULA")
    status, body = fails(lambda: table.all(formula="AND({Qty} > "))
    assert (status, body["error"]["type"]) == (422, "INVALID_FILTER_BY_FORMULA")
    status, body = fails(lambda: table.all(page_size=101))
    assert status == 422 and body["error"]["type"].startswith("INVALID_REQUEST")
    status, body = fails(lambda: table.all(offset="itrgarbage"))
    assert (status, body["error"]["type"]) == (422, "INVALID_OFFSET_VALUE")
    status, body = fails(lambda: table.all(view="No such view"))
    assert (status, body["error"]["type"]) == (422, "VIEW_NAME_NOT_FOUND")
    status, body = fails(lambda: table.api.post(table.urls.records, json={"records": [{"fields": {}}] * 11}))
    assert (status, body["error"]["type"]) == (422, "INVALID_RECORDS")
    status, body = fails(lambda: table.api.post(table.urls.records, json={"records": "x"}))
    assert status == 422

    anonymous = pyairtable_api("")
    anonymous.session.headers.pop("Authorization", None)
    status, body = fails(lambda: anonymous.table(table.ref.base_id, table.ref.id).all())
    assert (status, body) == (401, {"error": {"type": "AUTHENTICATION_REQUIRED", "message": "Authentication required"}})
    status, body = fails(lambda: pyairtable_api("pat_wrong").table(table.ref.base_id, table.ref.id).all())
    assert (status, body["error"]["type"]) == (401, "AUTHENTICATION_REQUIRED")

    api = table.api
    for base_id, name in [
        (table.ref.base_id, "No such table"),
        (world.base_id, table.ref.id),
        ("appAAAAAAAAAAAAAA", table.ref.id),
        ("junk", "x"),
    ]:
        status, body = fails(lambda b=base_id, n=name: api.table(b, n).all())
        assert (status, body["error"]["type"]) == (403, "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND")
    outsider = pyairtable_api(make_api_token(world.outsider, scope="admin"))
    status, body = fails(lambda: outsider.table(table.ref.base_id, table.ref.id).all())
    assert (status, body["error"]["type"]) == (403, "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND")
    reader = pyairtable_api(world.extra["read_token"]).table(table.ref.base_id, table.ref.id)
    assert reader.all() == []
    status, body = fails(lambda: reader.create({"Name": "x"}))
    assert (status, body["error"]["type"]) == (403, "INVALID_PERMISSIONS")
    viewer = pyairtable_api(make_api_token(world.users["viewer"], scope="write"))
    status, body = fails(lambda: viewer.table(table.ref.base_id, table.ref.id).create({"Name": "x"}))
    assert status == 403
    status, body = fails(lambda: table.update("recAAAAAAAAAAAAAA", {"Name": "x"}))
    assert (status, body["error"]["type"]) == (404, "MODEL_ID_NOT_FOUND")
    status, body = fails(lambda: table.get("junk"))
    assert (status, body) == (404, {"error": "NOT_FOUND"})
    status, body = fails(lambda: api.request("GET", api.build_url("meta", "nothing", "here", "at", "all", "x")))
    assert (status, body) == (404, {"error": "NOT_FOUND"})
    status, body = fails(lambda: api.request("POST", table.urls.records, json=None))
    assert status == 422


def test_table_by_name_and_record_by_url(table: Any, world: World) -> None:
    by_name = table.api.table(table.ref.base_id, "Parts list")
    created = by_name.create({"Name": "Washer"})
    assert table.get(created["id"])["fields"]["Name"] == "Washer"


# --- meta ---------------------------------------------------------------------------------------


def test_whoami_and_bases(world: World) -> None:
    api = pyairtable_api(world.extra["token"])
    me = api.whoami()
    assert me["id"] == world.owner.id and "data.records:write" in me["scopes"]
    bases = api.bases()
    assert (world.base_id, "World base", "create") in [(b.id, b.name, b.permission_level) for b in bases]
    reader = pyairtable_api(world.extra["read_token"])
    assert "data.records:write" not in reader.whoami()["scopes"]
    stranger = pyairtable_api(make_api_token(make_user(), scope="admin"))
    assert stranger.bases() == []


def test_base_collaborators_for_owners_only(world: World) -> None:
    owner = pyairtable_api(world.extra["token"])
    info = owner.base(world.base_id).collaborators()
    assert info.id == world.base_id and info.name == "World base" and info.permission_level == "create"
    members = {c.email: c.permission_level for c in info.individual_collaborators.via_workspace}
    assert members == {world.owner.email: "create", world.users["editor"].email: "edit",
                       world.users["viewer"].email: "read"}  # fmt: skip
    editor = pyairtable_api(make_api_token(world.users["editor"], scope="admin"))
    with pytest.raises(requests.HTTPError) as exc:
        editor.base(world.base_id).collaborators()
    assert error_of(exc)[0] == 403 and error_of(exc)[1]["error"]["type"] == "INVALID_PERMISSIONS"
    stranger = pyairtable_api(make_api_token(make_user(), scope="admin"))
    with pytest.raises(requests.HTTPError) as exc:
        stranger.base(world.base_id).collaborators()
    assert error_of(exc)[0] == 403 and error_of(exc)[1]["error"]["type"] == "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND"


def test_schema_maps_field_types(table: Any, world: World) -> None:
    schema = table.api.base(table.ref.base_id).schema(force=True)
    parts = schema.table(table.ref.id)
    assert parts.name == "Parts list" and parts.primary_field_id == table.ref.primary_field_id
    types = {f.name: f.type for f in parts.fields}
    assert types == {"Name": "singleLineText", "Qty": "number", "Status": "singleSelect", "Done": "checkbox",
                     "Due": "date", "Email": "email"}  # fmt: skip
    assert parts.field("Qty").options.precision == 2
    assert [c.name for c in parts.field("Status").options.choices] == ["Todo", "Done"]
    assert [v.name for v in parts.views] == ["Grid view"]


def test_create_table_and_fields_through_meta(world: World) -> None:
    api = pyairtable_api(world.extra["token"])
    base = api.base(world.base_id)
    created = base.create_table(
        "Suppliers",
        [
            {"name": "Supplier", "type": "singleLineText"},
            {"name": "Rating", "type": "rating", "options": {"max": 3, "icon": "star", "color": "yellowBright"}},
            {"name": "Tier", "type": "singleSelect", "options": {"choices": [{"name": "A"}, {"name": "B"}]}},
            {"name": "Notes", "type": "multilineText"},
            {"name": "Since", "type": "dateTime", "options": {"timeZone": "Europe/Berlin",
             "dateFormat": {"name": "iso"}, "timeFormat": {"name": "24hour"}}},
        ],
        description="Who we buy from",
    )  # fmt: skip
    schema = created.schema(force=True)
    assert schema.name == "Suppliers" and schema.description == "Who we buy from"
    assert [(f.name, f.type) for f in schema.fields] == [
        ("Supplier", "singleLineText"), ("Rating", "rating"), ("Tier", "singleSelect"), ("Notes", "multilineText"),
        ("Since", "dateTime"),
    ]  # fmt: skip
    assert schema.primary_field_id == schema.fields[0].id
    assert schema.field("Since").options.time_zone == "Europe/Berlin"
    price = created.create_field("Price", "currency", options={"precision": 2, "symbol": "€"})
    assert price.type == "currency" and price.options.symbol == "€"
    record = created.create({"Supplier": "ACME", "Price": 12.5, "Tier": "A", "Rating": 2,
                             "Since": "2026-01-02T10:00:00.000Z"})  # fmt: skip
    assert record["fields"] == {"Supplier": "ACME", "Price": 12.5, "Tier": "A", "Rating": 2,
                                "Since": "2026-01-02T10:00:00.000Z"}  # fmt: skip
    with pytest.raises(requests.HTTPError) as exc:
        created.create_field("Weird", "noSuchType")
    assert error_of(exc)[1]["error"]["type"] == "INVALID_FIELD_TYPE"
    with pytest.raises(requests.HTTPError) as exc:
        created.create_field("price", "number")
    assert error_of(exc)[0] == 422
    # Renames through PATCH (pyairtable's save() of a schema object).
    field = created.schema(force=True).field("Notes")
    field.name = "Remarks"
    field.save()
    assert [f.name for f in created.schema(force=True).fields][3] == "Remarks"
    with pytest.raises(requests.HTTPError) as exc:
        base.create_table("Suppliers", [{"name": "Name", "type": "singleLineText"}])
    assert error_of(exc)[0] == 422
    editor = pyairtable_api(make_api_token(world.users["editor"], scope="admin"))
    with pytest.raises(requests.HTTPError) as exc:
        editor.base(world.base_id).create_table("Mine", [{"name": "Name", "type": "singleLineText"}])
    assert error_of(exc)[0] == 403


def test_rate_limit_per_base_is_a_429_with_retry_after(table: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from pybase.config import get_settings

    monkeypatch.setenv("PYBASE_AIRTABLE_REQUESTS_PER_SECOND", "3")
    get_settings.cache_clear()
    try:
        statuses = []
        for _ in range(10):
            try:
                table.all()
                statuses.append(200)
            except requests.HTTPError as exc:
                statuses.append(exc.response.status_code)
                assert exc.response.headers["retry-after"] == "1"
                assert exc.response.json()["error"]["type"] == "RATE_LIMIT_REACHED"
        assert 200 in statuses and 429 in statuses
    finally:
        monkeypatch.setenv("PYBASE_AIRTABLE_REQUESTS_PER_SECOND", "0")
        get_settings.cache_clear()


def test_collaborator_fields_read_as_airtable_collaborators(table: Any, world: World) -> None:
    owner = world.owner
    table.create_field("Owner", "singleCollaborator")
    table.create_field("Created by", "createdBy")
    schema = table.schema(force=True)
    assert schema.field("Owner").type == "singleCollaborator" and schema.field("Created by").type == "createdBy"
    created = table.create({"Name": "Mine", "Owner": {"id": owner.id}})
    person = {"id": owner.id, "email": owner.email, "name": owner.name}
    assert created["fields"]["Owner"] == person and created["fields"]["Created by"] == person
    rows = table.all(cell_format="string", time_zone="UTC", user_locale="en")
    assert rows[0]["fields"]["Owner"] == owner.name


def test_junk_input_is_never_a_500(table: Any, world: World) -> None:
    from tests.lambda_events import invoke

    token = {"authorization": f"Bearer {table.api.api_key}"}
    base, tid = table.ref.base_id, table.ref.id
    seed(table, 3)
    record_id = table.first()["id"]
    cases: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/v0/app\x00/x", {}),
        ("GET", f"/v0/{base}/tbl\x00AAAAAAAAAAAAA", {}),
        ("GET", f"/v0/{base}/{tid}", {"query": {"pageSize": "abc"}}),
        ("GET", f"/v0/{base}/{tid}", {"query": {"maxRecords": "-1"}}),
        ("GET", f"/v0/{base}/{tid}", {"query": {"cellFormat": "xml"}}),
        ("GET", f"/v0/{base}/{tid}", {"query": {"cellFormat": "string", "timeZone": "Mars/Base", "userLocale": "x"}}),
        ("GET", f"/v0/{base}/{tid}", {"query": {"offset": "itr!!!"}}),
        ("GET", f"/v0/{base}/{tid}", {"query": {"sort[0][direction]": "desc"}}),
        ("GET", f"/v0/{base}/{tid}", {"query": {"sort[0][field]": "Qty", "sort[0][direction]": "sideways"}}),
        ("GET", f"/v0/{base}/{tid}", {"query": {"filterByFormula": "{"}}),
        ("GET", f"/v0/{base}/{tid}", {"query": {"filterByFormula": "IF("}}),
        ("GET", f"/v0/{base}/{tid}", {"query": {"filterByFormula": "NOSUCHFUNCTION(1)"}}),
        ("GET", f"/v0/{base}/{tid}", {"query": {"filterByFormula": "REGEX_MATCH({Name}, '(')"}}),
        ("GET", f"/v0/{base}/{tid}", {"query": {"filterByFormula": "'" + "x" * 300_000 + "'"}}),
        ("POST", f"/v0/{base}/{tid}/listRecords", {"body": {"filterByFormula": "1+" * 40_000 + "1"}}),
        ("POST", f"/v0/{base}/{tid}", {"raw_body": "{not json"}),
        ("POST", f"/v0/{base}/{tid}", {"body": [1]}),
        ("POST", f"/v0/{base}/{tid}", {"body": {"records": [1, 2]}}),
        ("POST", f"/v0/{base}/{tid}", {"body": {"fields": "x"}}),
        ("POST", f"/v0/{base}/{tid}", {"body": {"fields": {"Qty": {"nested": [1]}}}}),
        ("POST", f"/v0/{base}/{tid}", {"body": {"fields": {"Due": "not a date"}, "typecast": True}}),
        ("POST", f"/v0/{base}/{tid}/listRecords", {"body": {"pageSize": "many", "sort": "Qty"}}),
        ("POST", f"/v0/{base}/{tid}/listRecords", {"body": {"sort": [{"direction": "asc"}]}}),
        ("PATCH", f"/v0/{base}/{tid}", {"body": {"records": [{"id": 5, "fields": {}}]}}),
        ("PATCH", f"/v0/{base}/{tid}", {"body": {"records": [{"fields": {}}], "performUpsert": "x"}}),
        ("PATCH", f"/v0/{base}/{tid}", {"body": {"records": [{"fields": {"Name": "a"}}],
                                                  "performUpsert": {"fieldsToMergeOn": "Name"}}}),
        ("PATCH", f"/v0/{base}/{tid}", {"body": {"records": [{"fields": {"Name": "a"}}],
                                                  "performUpsert": {"fieldsToMergeOn": ["Nope"]}}}),
        ("PATCH", f"/v0/{base}/{tid}/{record_id}", {"body": {"fields": None}}),
        ("PATCH", f"/v0/{base}/{tid}/rec\x00", {"body": {"fields": {}}}),
        ("DELETE", f"/v0/{base}/{tid}", {"query": [("records[]", "x"), ("records[]", record_id)]}),
        ("DELETE", f"/v0/{base}/{tid}", {}),
        ("POST", f"/v0/meta/bases/{base}/tables", {"body": {"name": "T", "fields": []}}),
        ("POST", f"/v0/meta/bases/{base}/tables", {"body": {"name": "T", "fields": [{"name": "A", "type": 3}]}}),
        ("POST", f"/v0/meta/bases/{base}/tables/{tid}/fields", {"body": {"name": "Z", "type": "singleSelect",
                                                                          "options": {"choices": "x"}}}),
        ("POST", f"/v0/meta/bases/{base}/tables/{tid}/fields", {"body": {"name": "L", "type": "multipleRecordLinks",
                                                                          "options": {}}}),
        ("PATCH", f"/v0/meta/bases/{base}/tables/{tid}/fields/fldAAAAAAAAAAAAAA", {"body": {"name": "x"}}),
        ("GET", "/v0/meta/bases/junk/tables", {}),
    ]  # fmt: skip
    for method, path, kwargs in cases:
        response = invoke("airtable", method, path, headers=token, **kwargs)
        assert 400 <= response.status < 500, (method, path, kwargs, response.status, response.text)
        body = response.json()
        assert "error" in body, body
    assert len(table.all()) == 3
    assert table.all(formula="SQRT(-1 - {Qty})") == []  # an error is not a match (and not a failure)
    # Division by zero is Infinity (true) as in Airtable, 0/0 NaN (false).
    assert sorted(r["fields"]["Qty"] for r in table.all(formula="{Qty} / 0")) == [1, 2]


def test_record_comments(table: Any, world: World) -> None:
    record = table.create({"Name": "Commented"})
    owner_id = world.owner.id
    for i in range(3):
        table.add_comment(record["id"], f"note {i} for @[{owner_id}]")
    page = table.api.request("GET", table.urls.record_comments(record["id"]), params={"pageSize": 2})
    assert [c["text"] for c in page["comments"]] == [f"note 1 for @[{owner_id}]", f"note 0 for @[{owner_id}]"]
    assert page["comments"][0]["author"]["id"] == owner_id and owner_id in page["comments"][0]["mentioned"]
    assert page["offset"]
    comments = table.comments(record["id"])  # every page, through pyairtable's offset loop
    assert len(comments) == 3
    comments[0].text = "edited"
    comments[0].save()
    assert "edited" in [c.text for c in table.comments(record["id"])]
    viewer = pyairtable_api(make_api_token(world.users["viewer"], scope="write")).table(table.ref.base_id, table.ref.id)
    with pytest.raises(requests.HTTPError) as exc:
        viewer.add_comment(record["id"], "hello")
    assert error_of(exc)[0] == 403
    editor = pyairtable_api(make_api_token(world.users["editor"], scope="write")).table(table.ref.base_id, table.ref.id)
    with pytest.raises(requests.HTTPError) as exc:  # only its author edits a comment
        editor.api.request("PATCH", f"{editor.urls.record_comments(record['id'])}/{comments[0].id}",
                           json={"text": "mine now"})  # fmt: skip
    assert error_of(exc)[0] == 403
    with pytest.raises(requests.HTTPError) as exc:
        table.add_comment(record["id"], "   ")
    assert error_of(exc)[0] == 422
    comments[0].delete()
    assert len(table.comments(record["id"])) == 2


def test_unknown_select_option_and_string_numbers(table: Any, world: World) -> None:
    with pytest.raises(requests.HTTPError) as exc:
        table.create({"Name": "x", "Status": "Blocked"})
    status, body = error_of(exc)
    assert status == 422 and body["error"]["type"] == "INVALID_MULTIPLE_CHOICE_OPTIONS"
    assert "Blocked" in body["error"]["message"]
    with pytest.raises(requests.HTTPError) as exc:
        table.create({"Name": "x", "Status": 7})  # not an option name at all: a bad value
    assert error_of(exc)[1]["error"]["type"] == "INVALID_VALUE_FOR_COLUMN"
    assert count_records(table) == 0
    price = table.create_field("Price", "currency", options={"precision": 2, "symbol": "€"})
    share = table.create_field("Share", "percent", options={"precision": 1})
    table.create({"Name": "x", "Qty": 2.5, "Price": -3, "Share": 0.5})
    (row,) = table.all(cell_format="string", time_zone="UTC", user_locale="en")
    assert (row["fields"]["Qty"], row["fields"]["Price"], row["fields"]["Share"]) == ("2.50", "-€3.00", "50.0%")
    assert price.id and share.id


def test_text_sorts_case_insensitively_blanks_last(table: Any) -> None:
    names = ["banana", "Apple", "cherry", "", "apricot", "Banana split"]
    table.batch_create([{"Name": n, "Qty": i} for i, n in enumerate(names)])
    up = [r["fields"].get("Name", "") for r in table.all(sort=["Name"])]
    assert up == ["Apple", "apricot", "banana", "Banana split", "cherry", ""]
    down = [r["fields"].get("Name", "") for r in table.all(sort=["-Name"])]
    assert down == ["", "cherry", "Banana split", "banana", "apricot", "Apple"]
    paged = [r["fields"].get("Name", "") for page in table.iterate(sort=["Name"], page_size=2) for r in page]
    assert paged == up


def test_barcode_field(table: Any) -> None:
    field = table.create_field("Code", "barcode")
    assert field.type == "barcode"
    made = table.batch_create([{"Name": "a", "Code": {"text": "0123456789012", "type": "ean13"}},
                               {"Name": "b", "Code": "ABC-1"}])  # fmt: skip
    assert made[0]["fields"]["Code"] == {"text": "0123456789012", "type": "ean13"}
    assert made[1]["fields"]["Code"] == {"text": "ABC-1"}
    assert [r["fields"]["Name"] for r in table.all(formula="FIND('ABC', {Code})")] == ["b"]
    assert [r["fields"]["Name"] for r in table.all(sort=["Code"])] == ["a", "b"]
    with pytest.raises(requests.HTTPError) as exc:
        table.create({"Name": "c", "Code": {"text": "", "kind": "x"}})
    assert error_of(exc)[1]["error"]["type"] == "INVALID_VALUE_FOR_COLUMN"


def test_percent_precision_counts_digits_of_the_percentage(table: Any) -> None:
    table.create_field("Share", "percent", options={"precision": 1})
    table.create_field("Whole", "percent", options={"precision": 0})
    made = table.batch_create([{"Name": "a", "Share": 0.125, "Whole": 0.07}, {"Name": "b", "Share": 0.12345}])
    # The stored fraction keeps the percentage's digits: 12.5% is 0.125, not 0.1 (rounded as a fraction).
    assert [r["fields"]["Share"] for r in made] == [0.125, 0.123]
    rows = table.all(sort=["Name"], cell_format="string", time_zone="UTC", user_locale="en")
    assert [r["fields"]["Share"] for r in rows] == ["12.5%", "12.3%"]
    assert rows[0]["fields"]["Whole"] == "7%"
    assert [r["fields"]["Name"] for r in table.all(formula="{Share} > 0.124")] == ["a"]


def test_formula_special_values_follow_airtable(table: Any, world: World) -> None:
    from pybase.fields import service as fields

    specs = {"Nan": "{Name} * 1", "Inf": "{Qty} / 0", "NegInf": "-1 / {Qty}", "Err": "SQRT(-1)",
             "Text": "({Name} * 1) & ''", "Big": "IF({Qty} / 0 > 1000, 'big', 'small')"}  # fmt: skip
    with session_scope() as session:
        for name, formula in specs.items():
            fields.create_field(
                session, principal=world.owner.principal, table_id=table.ref.id, name=name, type="formula",
                options={"formula": formula},
            )  # fmt: skip
    table.batch_create([{"Name": "abc", "Qty": 2}, {"Name": "7", "Qty": 0}])
    rows = {r["fields"]["Name"]: r["fields"] for r in table.all()}
    assert rows["abc"]["Nan"] == {"specialValue": "NaN"} and rows["7"]["Nan"] == 7
    assert rows["abc"]["Inf"] == {"specialValue": "Infinity"}
    assert rows["7"]["NegInf"] == {"specialValue": "-Infinity"} and rows["abc"]["NegInf"] == -0.5
    assert rows["abc"]["Err"] == {"error": "#ERROR!"}
    assert (rows["abc"]["Text"], rows["abc"]["Big"]) == ("NaN", "big")
    # 0/0 is NaN, and NaN compares as nothing: the filter and the value agree.
    assert rows["7"]["Inf"] == {"specialValue": "NaN"} and rows["7"]["Big"] == "small"
    assert [r["fields"]["Name"] for r in table.all(formula="{Nan} != 5")] == ["abc", "7"]
    assert [r["fields"]["Name"] for r in table.all(formula="{Nan}")] == ["7"]  # NaN is false
    assert [r["fields"]["Name"] for r in table.all(formula="{Inf} > 1")] == ["abc"]
    strings = table.all(cell_format="string", time_zone="UTC", user_locale="en")
    shown = {r["fields"]["Name"]: r["fields"] for r in strings}
    assert (shown["abc"]["Nan"], shown["abc"]["Inf"], shown["abc"]["Err"]) == ("NaN", "Infinity", "#ERROR!")


def test_button_field(table: Any, world: World) -> None:
    from pybase.fields import service as fields

    with session_scope() as session:
        made = fields.create_field(
            session, principal=world.owner.principal, table_id=table.ref.id, name="Open", type="button",
            options={"label": "Open part", "url_formula": "IF({Qty}, 'https://parts.example/' & {Name}, '')"},
        )  # fmt: skip
        plain = fields.create_field(
            session, principal=world.owner.principal, table_id=table.ref.id, name="Plain", type="button",
            options={"label": "Go"},
        )  # fmt: skip
        fields.create_field(
            session, principal=world.owner.principal, table_id=table.ref.id, name="Says", type="formula",
            options={"formula": "{Open} & '!'"},
        )  # fmt: skip
    table.batch_create([{"Name": "bolt", "Qty": 2}, {"Name": "nut"}])
    rows = {r["fields"]["Name"]: r["fields"] for r in table.all()}
    assert rows["bolt"]["Open"] == {"label": "Open part", "url": "https://parts.example/bolt"}
    assert rows["nut"]["Open"] == {"label": "Open part", "url": None}
    assert rows["nut"]["Plain"] == {"label": "Go", "url": None}
    assert rows["bolt"]["Says"] == "Open part!"  # a formula reads a button as its label
    assert [r["fields"]["Name"] for r in table.all(formula="{Open} = 'Open part'", sort=["Name"])] == ["bolt", "nut"]
    schema = {f.name: f for f in table.schema(force=True).fields}
    assert schema["Open"].type == "button" and schema["Open"].id == made["id"]
    # Read-only: writes are refused as Airtable refuses them, filters and sorts on it are 422s.
    with pytest.raises(requests.HTTPError) as exc:
        table.create({"Name": "x", "Plain": {"label": "y"}})
    assert error_of(exc)[0] == 422
    with pytest.raises(requests.HTTPError) as exc:
        table.all(sort=["Plain"])
    assert error_of(exc)[0] == 422
    # The meta API creates one too; the native API shows the cell in the same shape.
    created = table.create_field("Visit", "button", options={"label": "Visit", "urlFormula": "'https://x.example'"})
    assert created.type == "button"
    assert table.all(fields=["Visit"])[0]["fields"]["Visit"] == {"label": "Visit", "url": "https://x.example"}
    from tests.lambda_events import invoke

    auth = {"authorization": f"Bearer {table.api.api_key}"}
    native = invoke("records", "GET", f"/tables/{table.ref.id}/records", headers=auth)
    cells = [r["fields"].get(plain["id"]) for r in native.json()["records"]]
    assert cells == [{"label": "Go", "url": None}] * 2
    # Listed among the field types, read-only and without filter operators.
    listed = {t["name"]: t for t in invoke("tables", "GET", "/field-types", headers=auth).json()["details"]}
    assert listed["button"]["read_only"] is True and listed["button"]["operators"] == []
    # As text (cellFormat=string) a button is its label; a CSV export carries its URL, or its label without one.
    strings = table.all(cell_format="string", time_zone="UTC", user_locale="en", fields=["Name", "Open"])
    assert {r["fields"]["Name"]: r["fields"].get("Open") for r in strings} == {"bolt": "Open part", "nut": "Open part"}
    csv_text = invoke("records", "GET", f"/tables/{table.ref.id}/export.csv", headers=auth).text
    lines = {line.split(",")[0]: line for line in csv_text.splitlines()}
    assert "https://parts.example/bolt" in lines["bolt"] and ",Go," in lines["bolt"] + ","
    # A CSV import skips a button column as it skips every computed one.
    imported = invoke(
        "records", "POST", f"/tables/{table.ref.id}/import", raw_body="Name,Plain\nscrew,Click\n",
        headers={**auth, "content-type": "text/csv"},
    )  # fmt: skip
    assert imported.status == 200, imported.text
    assert imported.json()["skipped_columns"] == [{"column": "Plain", "reason": "'Plain' is computed"}]
    assert table.all(formula="{Name} = 'screw'")[0]["fields"]["Plain"] == {"label": "Go", "url": None}


def test_a_button_added_later_shows_on_existing_records(table: Any, world: World) -> None:
    from pybase.fields import service as fields

    table.batch_create([{"Name": "bolt", "Qty": 2}])
    with session_scope() as session:
        made = fields.create_field(
            session, principal=world.owner.principal, table_id=table.ref.id, name="Open", type="button",
            options={"label": "Open part", "url_formula": "'https://parts.example/' & {Name}"},
        )  # fmt: skip
    assert table.all()[0]["fields"]["Open"] == {"label": "Open part", "url": "https://parts.example/bolt"}
    from tests.lambda_events import invoke

    auth = {"authorization": f"Bearer {table.api.api_key}"}
    native = invoke("records", "GET", f"/tables/{table.ref.id}/records", headers=auth).json()["records"]
    assert native[0]["fields"][made["id"]] == {"label": "Open part", "url": "https://parts.example/bolt"}
    one = invoke("records", "GET", f"/tables/{table.ref.id}/records/{native[0]['id']}", headers=auth).json()
    assert one["fields"][made["id"]] == {"label": "Open part", "url": "https://parts.example/bolt"}
