"""Views through the tables function: CRUD, roles, config validation per view type, field deletion."""

from __future__ import annotations

from typing import Any

import pytest

from pybase.access.roles import Principal
from pybase.db import session_scope
from pybase.errors import NotFound
from pybase.fields.models import Field
from pybase.views import service
from tests.conftest import Api
from tests.test_views_support import World, add_table, events, make_world, soft_delete


@pytest.fixture(scope="module")
def world() -> World:
    return make_world()


def create(api: Api, world: World, role: str = "editor", **body: Any) -> Any:
    body.setdefault("name", f"View {len(body)}-{id(body)}")
    return world.api(api, role).call("tables", "POST", f"/tables/{world.table_id}/views", body=body)


def test_editor_creates_grid_view_with_defaults_and_event(api: Api, world: World) -> None:
    response = create(api, world, name="Everything")
    assert response.status == 201, response.text
    view = response.json()
    assert view["id"].startswith("viw") and view["type"] == "grid"
    assert view["config"]["sorts"] == [] and view["config"]["row_height"] == "short"
    created = [e for e in events(world.table_id, "view.created") if e.payload["view_id"] == view["id"]]
    assert len(created) == 1 and created[0].actor_id == world.users["editor"]


@pytest.mark.parametrize("role,status", [("commenter", 403), ("viewer", 403), ("outsider", 404)])
def test_lower_roles_cannot_create_views(api: Api, world: World, role: str, status: int) -> None:
    response = create(api, world, role=role, name=f"by {role}")
    assert response.status == status
    assert response.json()["error"]["code"] in ("forbidden", "not_found")


def test_viewer_lists_and_reads_views_but_cannot_change_them(api: Api, world: World) -> None:
    view = create(api, world, name="Readable").json()
    listed = world.api(api, "viewer").call("tables", "GET", f"/tables/{world.table_id}/views")
    assert listed.status == 200
    names = [v["name"] for v in listed.json()["views"]]
    assert "Readable" in names and names[0] == "Grid view"
    # The table's first view was stored as {} by the tables service: it reads with every default.
    first = listed.json()["views"][0]["config"]
    assert first["row_height"] == "short" and first["sorts"] == [] and first["filters"] is None
    assert world.api(api, "viewer").call("tables", "GET", f"/views/{view['id']}").status == 200
    patch = world.api(api, "viewer").call("tables", "PATCH", f"/views/{view['id']}", body={"name": "x"})
    assert patch.status == 403
    assert world.api(api, "viewer").call("tables", "DELETE", f"/views/{view['id']}").status == 403
    assert world.api(api, "outsider").call("tables", "GET", f"/views/{view['id']}").status == 404


def test_common_config_saved_and_normalized(api: Api, world: World) -> None:
    f = world.fields
    config = {
        "sorts": [{"field_id": f["Qty"], "direction": "desc"}],
        "group_by": [f["Status"]],
        "hidden_fields": [f["Notes"]],
        "field_order": [f["Qty"], f["Name"]],
        "column_widths": {f["Name"]: 240},
        "row_height": "tall",
    }
    view = create(api, world, name="Configured", config=config).json()
    assert view["config"]["group_by"] == [{"field": f["Status"], "field_id": f["Status"], "direction": "asc"}]
    assert view["config"]["column_widths"] == {f["Name"]: 240}
    again = world.api(api, "viewer").call("tables", "GET", f"/views/{view['id']}").json()
    assert again["config"] == view["config"]


@pytest.mark.parametrize(
    "vtype,config,loc",
    [
        ("grid", {"sorts": [{"field_id": "fldDoesNotExist01"}]}, ["config", "sorts", "0", "field_id"]),
        ("grid", {"sorts": [{"field_id": "NAME", "direction": "sideways"}]}, ["config", "sorts", "0", "direction"]),
        ("grid", {"colour": "red"}, ["config", "colour"]),
        ("grid", {"column_widths": {"NAME": 5}}, ["config", "column_widths"]),
        ("grid", {"hidden_fields": ["fldDoesNotExist01"]}, ["config", "hidden_fields", "0"]),
        ("grid", {"row_height": "huge"}, ["config", "row_height"]),
        ("kanban", {}, ["config", "stack_field_id"]),
        ("kanban", {"stack_field_id": "NAME"}, ["config", "stack_field_id"]),
        ("kanban", {"stack_field_id": "STATUS", "cover_field_id": "NAME"}, ["config", "cover_field_id"]),
        ("calendar", {}, ["config", "date_field_id"]),
        ("calendar", {"date_field_id": "QTY"}, ["config", "date_field_id"]),
        ("calendar", {"date_field_id": "DUE", "end_date_field_id": "DUE"}, ["config", "end_date_field_id"]),
        ("gallery", {"cover_field_id": "NAME"}, ["config", "cover_field_id"]),
        ("form", {"fields": [{"field_id": "NUMBER"}]}, ["config", "fields", "0", "field_id"]),
        ("form", {"fields": [{"field_id": "NAME"}, {"field_id": "NAME"}]}, ["config", "fields"]),
        ("form", {"redirect_url": "javascript:alert(1)"}, ["config", "redirect_url"]),
    ],
)
def test_bad_configs_are_422_with_location(
    api: Api, world: World, vtype: str, config: dict[str, Any], loc: list[str]
) -> None:
    config = _resolve(world, config)
    response = create(api, world, name=f"bad {vtype}", type=vtype, config=config)
    assert response.status == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    assert any(d["loc"][: len(loc)] == loc for d in error["details"]), error["details"]


def _resolve(world: World, value: Any) -> Any:
    """Replace upper-case field names (NAME, STATUS, ...) with the world's field IDs."""
    by_upper = {name.upper(): fid for name, fid in world.fields.items()}
    if isinstance(value, dict):
        return {by_upper.get(k, k): _resolve(world, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(world, v) for v in value]
    return by_upper.get(value, value) if isinstance(value, str) else value


def test_unknown_view_type_is_422(api: Api, world: World) -> None:
    response = create(api, world, name="odd", type="timeline")
    assert response.status == 422
    assert response.json()["error"]["code"] == "validation_failed"


@pytest.mark.parametrize(
    "vtype,config",
    [
        ("kanban", {"stack_field_id": "STATUS", "cover_field_id": "PHOTOS"}),
        ("kanban", {"stack_field_id": "OWNER"}),
        ("calendar", {"date_field_id": "DUE", "end_date_field_id": "ENDS"}),
        ("gallery", {"cover_field_id": "PHOTOS", "cover_fit": "fit"}),
        ("form", {"title": "Report a part", "fields": [{"field_id": "NAME", "required": True, "label": "Part"}]}),
    ],
)
def test_each_view_type_accepts_right_field_types(api: Api, world: World, vtype: str, config: dict[str, Any]) -> None:
    response = create(
        api, world, name=f"good {vtype} {len(config)}-{id(config)}", type=vtype, config=_resolve(world, config)
    )
    assert response.status == 201, response.text
    saved = response.json()["config"]
    for key, value in _resolve(world, config).items():
        if key != "fields":
            assert saved[key] == value


def test_patch_merges_config_and_checks_names(api: Api, world: World) -> None:
    f = world.fields
    view = create(api, world, name="Patchable", config={"hidden_fields": [f["Notes"]]}).json()
    other = create(api, world, name="Taken").json()
    editor = world.api(api, "editor")
    response = editor.call("tables", "PATCH", f"/views/{view['id']}", body={"config": {"row_height": "medium"}})
    assert response.status == 200, response.text
    assert response.json()["config"]["hidden_fields"] == [f["Notes"]]
    assert response.json()["config"]["row_height"] == "medium"
    clash = editor.call("tables", "PATCH", f"/views/{view['id']}", body={"name": "taken"})
    assert clash.status == 409
    assert editor.call("tables", "PATCH", f"/views/{view['id']}", body={"name": "  "}).status == 422
    bad = editor.call("tables", "PATCH", f"/views/{view['id']}", body={"config": {"sorts": [{"field_id": "x"}]}})
    assert bad.status == 422
    renamed = editor.call("tables", "PATCH", f"/views/{view['id']}", body={"name": "Renamed", "position": 7})
    assert renamed.json()["name"] == "Renamed" and renamed.json()["position"] == 7
    updates = [e for e in events(world.table_id, "view.updated") if e.payload["view_id"] == view["id"]]
    assert [e.payload["changed"] for e in updates] == [["config"], ["name", "position"]]
    assert other["id"] != view["id"]


def test_switching_type_needs_the_new_types_settings(api: Api, world: World) -> None:
    view = create(api, world, name="Becomes kanban").json()
    editor = world.api(api, "editor")
    missing = editor.call("tables", "PATCH", f"/views/{view['id']}", body={"type": "kanban"})
    assert missing.status == 422
    ok = editor.call(
        "tables",
        "PATCH",
        f"/views/{view['id']}",
        body={"type": "kanban", "config": {"stack_field_id": world.fields["Status"]}},
    )
    assert ok.status == 200, ok.text
    assert ok.json()["type"] == "kanban"
    cleared = editor.call("tables", "PATCH", f"/views/{view['id']}", body={"config": {"stack_field_id": None}})
    assert cleared.status == 422


def test_form_share_token_is_managed_by_the_server(api: Api, world: World) -> None:
    f = world.fields
    editor = world.api(api, "editor")
    view = create(api, world, name="Intake", type="form", config={"fields": [{"field_id": f["Name"]}]}).json()
    assert view["config"]["share_token"] is None
    shared = editor.call(
        "tables", "PATCH", f"/views/{view['id']}", body={"config": {"public": True, "share_token": "mine"}}
    ).json()
    token = shared["config"]["share_token"]
    assert token and token != "mine" and len(token) >= 24
    again = editor.call("tables", "PATCH", f"/views/{view['id']}", body={"config": {"title": "Intake form"}}).json()
    assert again["config"]["share_token"] == token
    assert (
        world.api(api, "viewer").call("tables", "GET", f"/views/{view['id']}").json()["config"]["share_token"] is None
    )
    unshared = editor.call("tables", "PATCH", f"/views/{view['id']}", body={"config": {"public": False}}).json()
    assert unshared["config"]["share_token"] is None
    reshared = editor.call("tables", "PATCH", f"/views/{view['id']}", body={"config": {"public": True}}).json()
    assert reshared["config"]["share_token"] not in (None, token)


def test_delete_moves_view_out_of_listing(api: Api, world: World) -> None:
    view = create(api, world, name="Short lived").json()
    editor = world.api(api, "editor")
    assert editor.call("tables", "DELETE", f"/views/{view['id']}").status == 200
    assert editor.call("tables", "GET", f"/views/{view['id']}").status == 404
    listed = editor.call("tables", "GET", f"/tables/{world.table_id}/views").json()["views"]
    assert view["id"] not in {v["id"] for v in listed}
    assert any(e.payload["view_id"] == view["id"] for e in events(world.table_id, "view.deleted"))
    # The name is free again for a new view.
    assert create(api, world, name="Short lived").status == 201


def test_malformed_ids_are_404_not_500(api: Api, world: World) -> None:
    editor = world.api(api, "editor")
    assert editor.call("tables", "GET", "/views/viw%00bad").status == 404
    assert editor.call("tables", "GET", "/tables/nonsense/views").status == 404


def test_deleting_a_field_drops_it_from_views_and_restoring_brings_it_back(api: Api) -> None:
    world = make_world()
    f = world.fields
    config = {
        "stack_field_id": f["Status"],
        "sorts": [{"field_id": f["Qty"]}, {"field_id": f["Name"]}],
        "hidden_fields": [f["Qty"]],
        "field_order": [f["Qty"], f["Name"]],
        "column_widths": {f["Qty"]: 100},
    }
    kanban = create(api, world, name="Board", type="kanban", config=config).json()
    soft_delete(Field, f["Qty"])
    soft_delete(Field, f["Status"])
    seen = world.api(api, "viewer").call("tables", "GET", f"/views/{kanban['id']}").json()["config"]
    assert seen["stack_field_id"] is None
    assert seen["sorts"] == [{"field": f["Name"], "field_id": f["Name"], "direction": "asc"}]
    assert seen["hidden_fields"] == [] and seen["field_order"] == [f["Name"]] and seen["column_widths"] == {}
    with session_scope() as session:
        spec = service.get_view_query_spec(session, view_id=kanban["id"])
    assert f["Qty"] not in spec.visible_field_ids and spec.group_by == []
    # Editing the view works on what is visible now.
    edit = world.api(api, "editor").call("tables", "PATCH", f"/views/{kanban['id']}", body={"name": "Board 2"})
    assert edit.status == 200
    # Restoring the field (clearing deleted_at) brings it back into the view.
    with session_scope() as session:
        session.get(Field, f["Status"]).deleted_at = None
    seen = world.api(api, "viewer").call("tables", "GET", f"/views/{kanban['id']}").json()["config"]
    assert seen["stack_field_id"] == f["Status"]


def test_field_type_change_unsets_typed_keys(api: Api) -> None:
    world = make_world()
    calendar = create(api, world, name="Cal", type="calendar", config={"date_field_id": world.fields["Due"]}).json()
    with session_scope() as session:
        session.get(Field, world.fields["Due"]).type = "single_line_text"
    seen = world.api(api, "viewer").call("tables", "GET", f"/views/{calendar['id']}").json()["config"]
    assert seen["date_field_id"] is None


def test_query_spec_per_type(api: Api, world: World) -> None:
    f = world.fields
    kanban = create(
        api,
        world,
        name="Spec board",
        type="kanban",
        config={"stack_field_id": f["Status"], "sorts": [{"field_id": f["Qty"], "direction": "desc"}]},
    ).json()
    calendar = create(api, world, name="Spec cal", type="calendar", config={"date_field_id": f["Due"]}).json()
    grid = create(
        api,
        world,
        name="Spec grid",
        config={"hidden_fields": [f["Notes"]], "field_order": [f["Qty"]], "filters": None},
    ).json()
    form = create(
        api, world, name="Spec form", type="form", config={"fields": [{"field_id": f["Due"]}, {"field_id": f["Name"]}]}
    ).json()
    viewer = Principal(user_id=world.users["viewer"])
    with session_scope() as session:
        k = service.get_view_query_spec(session, view_id=kanban["id"], principal=viewer, table_id=world.table_id)
        c = service.get_view_query_spec(session, view_id=calendar["id"], principal=viewer)
        g = service.get_view_query_spec(session, view_id=grid["id"])
        fo = service.get_view_query_spec(session, view_id=form["id"])
        with pytest.raises(NotFound):
            service.get_view_query_spec(session, view_id=grid["id"], principal=Principal(user_id=world.outsider))
        other_table = add_table(world, "Other")
        with pytest.raises(NotFound):
            service.get_view_query_spec(session, view_id=grid["id"], table_id=other_table)
    assert [(s["field"], s["direction"]) for s in k.sorts] == [(f["Status"], "asc"), (f["Qty"], "desc")]
    assert all(s["field"] == s["field_id"] for s in k.sorts)
    assert k.group_by == [{"field": f["Status"], "field_id": f["Status"], "direction": "asc"}]
    assert k.layout["stack_field_id"] == f["Status"]
    assert c.extra_filters == [{"field": f["Due"], "op": "is_not_empty"}]
    assert c.filter_tree() == {"field": f["Due"], "op": "is_not_empty"}
    assert [(s["field"], s["direction"]) for s in c.sorts] == [(f["Due"], "asc")]
    assert g.visible_field_ids[0] == f["Qty"] and f["Notes"] not in g.visible_field_ids
    assert g.hidden_field_ids == [f["Notes"]]
    assert fo.visible_field_ids == [f["Due"], f["Name"]]
    groups = service.group_records(
        k,
        [
            {"id": "a", "fields": {f["Status"]: "Done"}},
            {"id": "b", "fields": {f["Status"]: "Done"}},
            {"id": "c", "fields": {f["Status"]: "Todo"}},
        ],
    )
    assert [(g["value"], [r["id"] for r in g["records"]]) for g in groups] == [("Done", ["a", "b"]), ("Todo", ["c"])]


def test_filters_are_saved_by_field_id_checked_and_pruned(api: Api) -> None:
    world = make_world()
    f = world.fields
    tree = {
        "and": [
            {"field": "Qty", "op": ">", "value": 3},
            {"not": {"field": f["Status"], "op": "is", "value": "Done"}},
        ]
    }
    view = create(api, world, name="Filtered", config={"filters": tree}).json()
    saved = view["config"]["filters"]
    assert saved["and"][0]["field"] == f["Qty"]  # the name became the field's ID
    assert saved["and"][1] == {"not": {"field": f["Status"], "op": "is", "value": "Done"}}
    bad_op = create(api, world, name="Bad op", config={"filters": {"field": f["Qty"], "op": "sounds_like", "value": 1}})
    assert bad_op.status == 422
    assert bad_op.json()["error"]["details"][0]["loc"][:2] == ["config", "filters"]
    unknown = create(
        api, world, name="Unknown", config={"filters": {"field": "fldNopeNopeNope01", "op": "is", "value": 1}}
    )
    assert unknown.status == 422
    soft_delete(Field, f["Qty"])
    with session_scope() as session:
        spec = service.get_view_query_spec(session, view_id=view["id"])
    assert spec.filters == {"and": [{"not": {"field": f["Status"], "op": "is", "value": "Done"}}]}
    soft_delete(Field, f["Status"])
    seen = world.api(api, "viewer").call("tables", "GET", f"/views/{view['id']}").json()["config"]
    assert seen["filters"] is None
