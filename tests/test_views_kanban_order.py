"""Kanban card order: the order of cards within stacks is saved in the view (records have no position)."""

from __future__ import annotations

import pytest

from tests.conftest import Api
from tests.test_views_support import World, make_world


@pytest.fixture(scope="module")
def world() -> World:
    return make_world()


def _board(api: Api, world: World) -> dict:
    world.extra["boards"] = world.extra.get("boards", 0) + 1
    response = world.api(api, "editor").call(
        "tables",
        "POST",
        f"/tables/{world.table_id}/views",
        body={
            "name": f"Board {world.extra['boards']}",
            "type": "kanban",
            "config": {"stack_field_id": world.fields["Status"]},
        },
    )
    assert response.status == 201, response.text
    return response.json()


def test_card_order_is_saved_and_read_back(api: Api, world: World) -> None:
    board = _board(api, world)
    assert board["config"]["card_order"] == []
    order = ["recB00000000000001", "recA00000000000001"]
    editor = world.api(api, "editor")
    saved = editor.call("tables", "PATCH", f"/views/{board['id']}", body={"config": {"card_order": order}})
    assert saved.status == 200, saved.text
    assert saved.json()["config"]["card_order"] == order
    # Other settings are kept: PATCH merges the config.
    assert saved.json()["config"]["stack_field_id"] == world.fields["Status"]
    again = world.api(api, "viewer").call("tables", "GET", f"/views/{board['id']}").json()
    assert again["config"]["card_order"] == order


@pytest.mark.parametrize("bad", [[""], ["x" * 41], "recA", [1]])
def test_bad_card_order_is_422(api: Api, world: World, bad: object) -> None:
    board = _board(api, world)
    editor = world.api(api, "editor")
    response = editor.call("tables", "PATCH", f"/views/{board['id']}", body={"config": {"card_order": bad}})
    assert response.status == 422, response.text
    assert response.json()["error"]["details"][0]["loc"][:2] == ["config", "card_order"]


def test_card_order_is_kanban_only(api: Api, world: World) -> None:
    response = world.api(api, "editor").call(
        "tables", "POST", f"/tables/{world.table_id}/views", body={"name": "G", "config": {"card_order": ["recA"]}}
    )
    assert response.status == 422
