"""Comments on records through the records function: roles, mentions, own edits, moderation, paging."""

from __future__ import annotations

import pytest

from tests.conftest import Api
from tests.test_views_support import World, add_records, add_table, events, make_world


@pytest.fixture(scope="module")
def world() -> World:
    w = make_world()
    w.extra["record"] = add_records(w, [{"Name": "Housing"}])[0]
    return w


def path(world: World, record_id: str | None = None) -> str:
    return f"/tables/{world.table_id}/records/{record_id or world.extra['record']}/comments"


def post(api: Api, world: World, role: str, text: str, record_id: str | None = None):  # type: ignore[no-untyped-def]
    return world.api(api, role).call("records", "POST", path(world, record_id), body={"text": text})


def test_commenter_writes_viewer_reads_and_event_lists_mentions(api: Api, world: World) -> None:
    viewer = world.users["viewer"]
    response = post(api, world, "commenter", f"Can you check this, @[{viewer}]?")
    assert response.status == 201, response.text
    comment = response.json()
    assert comment["id"].startswith("com") and comment["author"]["id"] == world.users["commenter"]
    assert comment["author"]["name"] == "commenter"
    assert [m["id"] for m in comment["mentions"]] == [viewer]
    created = [e for e in events(world.table_id, "comment.created") if e.payload["comment_id"] == comment["id"]]
    assert created[0].payload["mentions"] == [viewer] and created[0].actor_id == world.users["commenter"]
    listed = world.api(api, "viewer").call("records", "GET", path(world))
    assert listed.status == 200
    assert comment["id"] in [c["id"] for c in listed.json()["comments"]]
    one = world.api(api, "viewer").call("records", "GET", f"{path(world)}/{comment['id']}")
    assert one.status == 200 and one.json()["text"] == comment["text"]


@pytest.mark.parametrize("role,status", [("viewer", 403), ("outsider", 404)])
def test_viewers_and_strangers_cannot_comment(api: Api, world: World, role: str, status: int) -> None:
    assert post(api, world, role, "hello").status == status
    if role == "outsider":
        assert world.api(api, role).call("records", "GET", path(world)).status == 404


def test_mentions_must_be_people_who_can_see_the_table(api: Api, world: World) -> None:
    response = post(api, world, "editor", f"cc @[{world.outsider}]")
    assert response.status == 422
    assert response.json()["error"]["details"][0]["user_id"] == world.outsider
    assert post(api, world, "editor", "cc @[usrNobodyNobody01]").status == 422
    # Repeated mentions count once.
    ok = post(api, world, "editor", f"@[{world.users['admin']}] and again @[{world.users['admin']}]")
    assert [m["id"] for m in ok.json()["mentions"]] == [world.users["admin"]]


def test_bad_text_and_missing_records(api: Api, world: World) -> None:
    assert post(api, world, "editor", "   ").status == 422
    assert post(api, world, "editor", "x" * 10_001).status == 422
    assert post(api, world, "editor", "hi", record_id="recNopeNopeNope01").status == 404
    assert post(api, world, "editor", "hi", record_id="not-an-id").status == 404
    other_table = add_table(world, "Elsewhere")
    wrong = world.api(api, "editor").call(
        "records", "POST", f"/tables/{other_table}/records/{world.extra['record']}/comments", body={"text": "x"}
    )
    assert wrong.status == 404
    assert world.api(api, "editor").call("records", "GET", f"{path(world)}/comNopeNopeNope01").status == 404


def test_only_authors_edit_and_admins_moderate(api: Api, world: World) -> None:
    mine = post(api, world, "commenter", "first draft").json()
    url = f"{path(world)}/{mine['id']}"
    other = world.api(api, "editor").call("records", "PATCH", url, body={"text": "hijacked"})
    assert other.status == 403
    edited = world.api(api, "commenter").call(
        "records", "PATCH", url, body={"text": f"final, cc @[{world.users['editor']}]"}
    )
    assert edited.status == 200, edited.text
    assert edited.json()["text"].startswith("final") and edited.json()["updated_at"] is not None
    updated = [e for e in events(world.table_id, "comment.updated") if e.payload["comment_id"] == mine["id"]]
    assert updated[0].payload["new_mentions"] == [world.users["editor"]]
    assert world.api(api, "editor").call("records", "DELETE", url).status == 403
    assert world.api(api, "admin").call("records", "DELETE", url).status == 200
    assert world.api(api, "viewer").call("records", "GET", url).status == 404
    own = post(api, world, "commenter", "mine to delete").json()
    own_url = f"{path(world)}/{own['id']}"
    assert world.api(api, "commenter").call("records", "DELETE", own_url).status == 200
    deleted = [e.payload["comment_id"] for e in events(world.table_id, "comment.deleted")]
    assert mine["id"] in deleted and own["id"] in deleted


def test_comments_page_oldest_first(api: Api) -> None:
    world = make_world()
    record_id = add_records(world, [{"Name": "Pin"}])[0]
    made = [post(api, world, "editor", f"note {i}", record_id=record_id).json()["id"] for i in range(5)]
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = world.api(api, "viewer").call("records", "GET", path(world, record_id), query=query).json()
        seen += [c["id"] for c in body["comments"]]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == made and pages == 3
    bad = world.api(api, "viewer").call("records", "GET", path(world, record_id), query={"cursor": "abc"})
    assert bad.status == 400
    # Shaped like a cursor but not one: superscript digits, a time past any date, a foreign ID.
    for cursor in ("²³.comAAAAAAAAAAAAAA", "9" * 30 + ".comAAAAAAAAAAAAAA", "1764770000000000.recAAAAAAAAAAAAAA"):
        odd = world.api(api, "viewer").call("records", "GET", path(world, record_id), query={"cursor": cursor})
        assert odd.status == 400 and odd.json()["error"]["code"] == "bad_request", (cursor, odd.text)
