"""Search API through the records handler: results only from tables the caller may read (a role
matrix with table- and base-level grants and API tokens), highlights, filters, pagination, errors,
and changes reaching search through the change log, the feeder and the index function."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.factories import World, grant, make_api_token, make_base, make_table, make_user, make_world
from tests.search_pipeline import Pipeline

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def setup() -> dict[str, Any]:
    pipeline = Pipeline()
    world = make_world()
    api = Api(world.owner.token)
    other = make_table(world.base_id, name="Suppliers", by=world.owner)
    notes = api.call("tables", "POST", f"/tables/{world.table.id}/fields", body={"name": "Notes", "type": "long_text"})
    assert notes.status == 201, notes.text
    parts = api.call("records", "POST", f"/tables/{world.table.id}/records", body={"records": [
        {"fields": {"Name": "Flange adapter", "Notes": "stainless flange, 4 bolts"}},
        {"fields": {"Name": "Valve body", "Notes": "cast iron"}},
    ]}, query={"field_key": "name"})  # fmt: skip
    assert parts.status == 201, parts.text
    supplier = api.call("records", "POST", f"/tables/{other.id}/records",
                        body={"fields": {"Name": "Flange Works Ltd"}}, query={"field_key": "name"})  # fmt: skip
    assert supplier.status == 201, supplier.text
    table_guest = make_user(name="table guest")
    grant("table", other.id, table_guest, "viewer", by=world.owner)
    base_guest = make_user(name="base guest")
    grant("base", world.base_id, base_guest, "viewer", by=world.owner)
    elsewhere = make_base(world.workspace_id, name="Elsewhere", by=world.owner)
    assert pipeline.drain() > 0
    return {
        "world": world, "pipeline": pipeline, "other": other.id, "notes": notes.json()["id"],
        "flange": parts.json()["records"][0]["id"], "valve": parts.json()["records"][1]["id"],
        "supplier": supplier.json()["id"], "table_guest": table_guest, "base_guest": base_guest,
        "other_base_token": make_api_token(world.owner, base_ids=[elsewhere]),
        "read_token": make_api_token(world.users["viewer"], scope="read"),
    }  # fmt: skip


def _search(token: str | None, path: str, **query: Any) -> Any:
    return Api(token).call("records", "GET", path, query=query)


def _found(r: Any) -> set[str]:
    assert r.status == 200, r.text
    return {hit["record_id"] for hit in r.json()["results"]}


ACTORS = ("owner", "admin", "editor", "commenter", "viewer", "outsider", "anonymous")
# fmt: off
MATRIX = {
    #                            owner admin editor comm. viewer outsider anonymous
    "GET /bases/{baseId}/search":   (200, 200, 200, 200, 200, 404, 401),
    "GET /tables/{tableId}/search": (200, 200, 200, 200, 200, 404, 401),
    "POST /tables/{tableId}/search/reindex": (200, 200, 403, 403, 403, 404, 401),
}
# fmt: on


def _token(setup: dict[str, Any], actor: str) -> str | None:
    world: World = setup["world"]
    if actor == "anonymous":
        return None
    if actor == "outsider":
        return world.outsider.token
    return world.users[actor].token


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_role_matrix(setup: dict[str, Any], endpoint: str) -> None:
    world: World = setup["world"]
    method, path = endpoint.split(" ")
    path = path.replace("{baseId}", world.base_id).replace("{tableId}", world.table.id)
    for actor, expected in zip(ACTORS, MATRIX[endpoint], strict=True):
        r = Api(_token(setup, actor)).call("records", method, path, query={"q": "flange"})
        assert r.status == expected, (actor, r.text)
        if expected >= 400:
            assert set(r.json()["error"]) == {"code", "message", "details"}
        elif method == "GET":
            assert setup["flange"] in _found(r)


def test_members_find_records_of_every_table(setup: dict[str, Any]) -> None:
    world: World = setup["world"]
    found = _found(_search(world.users["viewer"].token, f"/bases/{world.base_id}/search", q="flange"))
    assert found == {setup["flange"], setup["supplier"]}


def test_a_table_grant_shows_only_that_table(setup: dict[str, Any]) -> None:
    world: World = setup["world"]
    guest = setup["table_guest"].token
    assert _found(_search(guest, f"/bases/{world.base_id}/search", q="flange")) == {setup["supplier"]}
    # Asking for the hidden table by ID changes nothing, and its own search route is 404.
    r = _search(guest, f"/bases/{world.base_id}/search", q="flange", tables=world.table.id)
    assert _found(r) == set()
    assert _search(guest, f"/tables/{world.table.id}/search", q="flange").status == 404
    assert _found(_search(guest, f"/tables/{setup['other']}/search", q="flange")) == {setup["supplier"]}


def test_a_base_grant_shows_every_table(setup: dict[str, Any]) -> None:
    world: World = setup["world"]
    found = _found(_search(setup["base_guest"].token, f"/bases/{world.base_id}/search", q="flange"))
    assert found == {setup["flange"], setup["supplier"]}


def test_api_tokens(setup: dict[str, Any]) -> None:
    world: World = setup["world"]
    assert _search(setup["other_base_token"], f"/bases/{world.base_id}/search", q="flange").status == 404
    assert _search(setup["other_base_token"], f"/tables/{world.table.id}/search", q="flange").status == 404
    assert setup["flange"] in _found(_search(setup["read_token"], f"/bases/{world.base_id}/search", q="flange"))


def test_result_shape_with_highlighted_snippets(setup: dict[str, Any]) -> None:
    world: World = setup["world"]
    r = _search(world.owner.token, f"/tables/{world.table.id}/search", q="flan")
    body = r.json()
    assert r.status == 200 and body["query"] == "flan" and body["next_offset"] is None
    (hit,) = body["results"]
    assert hit["record_id"] == setup["flange"] and hit["title"] == "Flange adapter"
    assert hit["table_id"] == world.table.id and hit["table_name"] == world.table.name
    by_field = {m["field_name"]: m["snippet"] for m in hit["matches"]}
    assert set(by_field) == {"Name", "Notes"}
    assert [s["text"] for s in by_field["Name"] if s["match"]] == ["Flange"]
    assert "".join(s["text"] for s in by_field["Notes"]) == "stainless flange, 4 bolts"


def test_filters_and_pagination(setup: dict[str, Any]) -> None:
    world: World = setup["world"]
    owner = world.owner.token
    base = f"/bases/{world.base_id}/search"
    assert _found(_search(owner, base, q="flange", tables=setup["other"])) == {setup["supplier"]}
    assert _found(_search(owner, base, q="bolts", fields=world.table.primary_field_id)) == set()
    assert _found(_search(owner, base, q="bolts", fields=setup["notes"])) == {setup["flange"]}
    first = _search(owner, base, q="flange", limit=1).json()
    assert len(first["results"]) == 1 and first["next_offset"] == 1
    second = _search(owner, base, q="flange", limit=1, offset=1).json()
    assert second["next_offset"] is None
    assert {first["results"][0]["record_id"], second["results"][0]["record_id"]} == {setup["flange"], setup["supplier"]}


def test_typo(setup: dict[str, Any]) -> None:
    world: World = setup["world"]
    body = _search(world.owner.token, f"/bases/{world.base_id}/search", q="flagne").json()
    assert body["typo_corrected"] is True
    assert {h["record_id"] for h in body["results"]} == {setup["flange"], setup["supplier"]}


@pytest.mark.parametrize(
    "query",
    [{}, {"q": "  "}, {"q": "x" * 201}, {"q": "a", "limit": 0}, {"q": "a", "limit": 51}, {"q": "a", "limit": "many"},
     {"q": "a", "offset": -1}, {"q": "a", "offset": 5000}],
)  # fmt: skip
def test_bad_input_is_a_4xx_envelope(setup: dict[str, Any], query: dict[str, Any]) -> None:
    world: World = setup["world"]
    for path in (f"/bases/{world.base_id}/search", f"/tables/{world.table.id}/search"):
        r = _search(world.owner.token, path, **query)
        assert r.status == 422, r.text
        assert set(r.json()["error"]) == {"code", "message", "details"}


def test_unknown_ids_are_404(setup: dict[str, Any]) -> None:
    owner = setup["world"].owner.token
    assert _search(owner, "/bases/appDoesNotExist00/search", q="a").status == 404
    assert _search(owner, "/tables/tblDoesNotExist00/search", q="a").status == 404
    assert _search(owner, "/bases/not-an-id%00/search", q="a").status == 404


def test_changes_reach_search_through_the_change_log(setup: dict[str, Any]) -> None:
    world: World = setup["world"]
    api = Api(world.owner.token)
    pipeline: Pipeline = setup["pipeline"]
    table = world.table.id

    def found(q: str) -> set[str]:
        return _found(_search(world.owner.token, f"/tables/{table}/search", q=q))

    valve = f"/tables/{table}/records/{setup['valve']}"
    r = api.call("records", "PATCH", valve, body={"fields": {"Name": "Gate valve"}}, query={"field_key": "name"})
    assert r.status == 200, r.text
    pipeline.drain()
    assert found("gate") == {setup["valve"]}
    # Record trash and restore.
    assert api.call("records", "DELETE", f"/tables/{table}/records/{setup['valve']}").status in (200, 204)
    pipeline.drain()
    assert found("gate") == set()
    r = api.call("tables", "POST", f"/trash/record/{setup['valve']}/restore")
    assert r.status == 200, r.text
    pipeline.drain()
    assert found("gate") == {setup["valve"]}
    # A deleted field's text stops matching; restoring the field brings it back.
    assert api.call("tables", "DELETE", f"/fields/{setup['notes']}").status in (200, 204)
    pipeline.drain()
    assert found("stainless") == set()
    r = api.call("tables", "POST", f"/trash/field/{setup['notes']}/restore")
    assert r.status == 200, r.text
    pipeline.drain()
    assert found("stainless") == {setup["flange"]}
    # A rename needs no reindex: results show the new name.
    r = api.call("tables", "PATCH", f"/fields/{setup['notes']}", body={"name": "Remarks"})
    assert r.status == 200, r.text
    before = len(pipeline.messages)
    pipeline.drain()
    assert len(pipeline.messages) == before
    hit = _search(world.owner.token, f"/tables/{table}/search", q="stainless").json()["results"][0]
    assert [m["field_name"] for m in hit["matches"]] == ["Remarks"]


def test_table_trash_and_restore(setup: dict[str, Any]) -> None:
    world: World = setup["world"]
    api = Api(world.owner.token)
    pipeline: Pipeline = setup["pipeline"]
    t = make_table(world.base_id, name="Scratch", by=world.owner)
    r = api.call("records", "POST", f"/tables/{t.id}/records", body={"fields": {"Name": "Quokka gasket"}},
                 query={"field_key": "name"})  # fmt: skip
    rid = r.json()["id"]
    pipeline.drain()
    base = f"/bases/{world.base_id}/search"
    assert _found(_search(world.owner.token, base, q="quokka")) == {rid}
    assert api.call("tables", "DELETE", f"/tables/{t.id}").status in (200, 204)
    pipeline.drain()
    assert _found(_search(world.owner.token, base, q="quokka")) == set()
    assert api.call("tables", "POST", f"/trash/table/{t.id}/restore").status == 200
    pipeline.drain()
    assert _found(_search(world.owner.token, base, q="quokka")) == {rid}


def test_admin_reindex_route(setup: dict[str, Any]) -> None:
    world: World = setup["world"]
    r = Api(world.owner.token).call("records", "POST", f"/tables/{world.table.id}/search/reindex")
    assert r.status == 200 and r.json()["indexed"] >= 2


def test_a_finished_extraction_makes_the_drawing_searchable(setup: dict[str, Any]) -> None:
    from pybase.db import session_scope, utcnow
    from pybase.events.service import emit
    from pybase.files.models import Attachment
    from pybase.jobs.models import ExtractionJob

    world: World = setup["world"]
    pipeline: Pipeline = setup["pipeline"]
    result = {"format": "pdf", "title_block": {"source": "text", "fields": {"drawing_number": "DWG-4471-B"}},
              "pages": [{"number": 1, "text": "Impeller housing, see BOM"}]}  # fmt: skip
    with session_scope() as session:
        attachment = Attachment(
            workspace_id=world.workspace_id, base_id=world.base_id, table_id=world.table.id, record_id=setup["flange"],
            field_id=world.table.primary_field_id, filename="flange.pdf", content_type="application/pdf",
            declared_size=10, bucket="b", key=f"k/{setup['flange']}/flange.pdf", status="uploaded",
        )  # fmt: skip
        session.add(attachment)
        session.flush()
        job = ExtractionJob(
            attachment_id=attachment.id, workspace_id=world.workspace_id, base_id=world.base_id,
            table_id=world.table.id, bucket="b", key=attachment.key, etag="e", status="done", result=result,
            finished_at=utcnow(),
        )  # fmt: skip
        session.add(job)
        session.flush()
        # What the extract worker's finish() appends to the change log.
        payload = {"job_id": job.id, "attachment_id": attachment.id, "status": "done"}
        emit(session, type="job.updated", workspace_id=world.workspace_id, base_id=world.base_id,
             table_id=world.table.id, payload=payload)  # fmt: skip
    pipeline.drain()
    body = _search(world.owner.token, f"/bases/{world.base_id}/search", q="DWG-4471").json()
    assert [h["record_id"] for h in body["results"]] == [setup["flange"]]
    assert [m["field_name"] for m in body["results"][0]["matches"]] == ["Drawing"]


def test_reindex_command(setup: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    from pybase.db import session_scope
    from pybase.search import reindex

    world: World = setup["world"]
    with session_scope() as session:
        session.connection().exec_driver_sql(
            "DELETE FROM search_documents WHERE table_id = %s", (world.table.id,)
        )  # documents lost (say, a message that reached the dead-letter queue)
    assert _found(_search(world.owner.token, f"/tables/{world.table.id}/search", q="flange")) == set()
    assert reindex.main(["--base", world.base_id]) == 0
    assert "records/s" in capsys.readouterr().err
    assert setup["flange"] in _found(_search(world.owner.token, f"/tables/{world.table.id}/search", q="flange"))
