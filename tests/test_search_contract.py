"""One contract for every search backend: the same tests run against PostgreSQL always and against
Meilisearch whenever MEILISEARCH_URL points at a running server (skipped otherwise).

Documents are built by the indexer from records written through the records service, exactly as
the `index` function builds them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from pybase.db import session_scope, utcnow
from pybase.fields import service as fields_service
from pybase.records import service as records_service
from pybase.search import indexer
from pybase.search.backends import make_backend
from pybase.search.backends.base import DRAWING_KEY, MARK_START, SearchBackend, SearchQuery, SearchResult
from pybase.tables import service as tables_service
from tests.factories import TestUser, make_base, make_table, make_user, make_workspace

MEILI_SKIP = (
    "MEILISEARCH_URL is not set: the Meilisearch contract tests need a running Meilisearch "
    "(docker compose -f localstack-compose.yml up -d meilisearch; export MEILISEARCH_URL=http://127.0.0.1:7700)"
)


@pytest.fixture(params=["postgres", "meilisearch"])
def backend(request: pytest.FixtureRequest) -> SearchBackend:
    if request.param == "meilisearch" and not os.environ.get("MEILISEARCH_URL"):
        pytest.skip(MEILI_SKIP)
    if request.param == "meilisearch":
        from pybase.search.backends.meili import MeilisearchBackend

        return MeilisearchBackend(os.environ["MEILISEARCH_URL"], os.environ.get("MEILISEARCH_API_KEY"))
    return make_backend(request.param)


@dataclass
class Shop:
    owner: TestUser
    workspace_id: str
    base_id: str
    parts: str  # table IDs
    tools: str
    name_field: str
    notes_field: str
    ids: dict[str, str]


def _records(user: TestUser, table_id: str, rows: list[dict[str, str]]) -> list[str]:
    with session_scope() as session:
        created = records_service.create_records(
            session, principal=user.principal, table_id=table_id, records=[{"fields": r} for r in rows],
            field_key="name",
        )  # fmt: skip
        return [r["id"] for r in created]


@pytest.fixture
def shop(backend: SearchBackend) -> Iterator[Shop]:
    owner = make_user(name="search owner")
    workspace_id = make_workspace(owner, name="Search shop")
    base_id = make_base(workspace_id, name="Parts base", by=owner)
    parts = make_table(base_id, name="Parts", by=owner)
    tools = make_table(base_id, name="Tools", by=owner)
    with session_scope() as session:
        notes = fields_service.create_field(
            session, principal=owner.principal, table_id=parts.id, name="Notes", type="long_text"
        )
    names = ["Bracket steel", "Hinge plate", "Motor housing", "Gearbox cover"]
    notes_text = ["for the gearbox", "zinc plated", "cast aluminium", "bolted to the frame"]
    rows = [{"Name": n, "Notes": t} for n, t in zip(names, notes_text, strict=True)]
    ids = dict(zip(names, _records(owner, parts.id, rows), strict=True))
    ids["Torque wrench"] = _records(owner, tools.id, [{"Name": "Torque wrench"}])[0]
    with session_scope() as session:
        indexer.index_table(session, backend, table_id=parts.id)
        indexer.index_table(session, backend, table_id=tools.id)
    yield Shop(owner, workspace_id, base_id, parts.id, tools.id, parts.primary_field_id, notes["id"], ids)
    with session_scope() as session:
        backend.delete_base(session, workspace_id=workspace_id, base_id=base_id)


def _search(backend: SearchBackend, shop: Shop, text: str, **kw: object) -> SearchResult:
    query = SearchQuery(
        text=text, workspace_id=shop.workspace_id, base_id=shop.base_id,
        table_ids=kw.pop("table_ids", [shop.parts, shop.tools]), **kw,  # type: ignore[arg-type]
    )  # fmt: skip
    with session_scope() as session:
        return backend.search(session, query)


def _ids(result: SearchResult) -> list[str]:
    return [h.record_id for h in result.hits]


def test_prefix_finds_as_you_type_with_highlights(backend: SearchBackend, shop: Shop) -> None:
    result = _search(backend, shop, "brack")
    assert _ids(result) == [shop.ids["Bracket steel"]]
    hit = result.hits[0]
    assert hit.table_id == shop.parts
    assert MARK_START in hit.highlights[shop.name_field]
    assert hit.fields[shop.name_field] == "Bracket steel"
    assert _ids(_search(backend, shop, "torq wre")) == [shop.ids["Torque wrench"]]


def test_a_typo_still_finds_the_record(backend: SearchBackend, shop: Shop) -> None:
    assert shop.ids["Bracket steel"] in _ids(_search(backend, shop, "bracet"))
    assert shop.ids["Motor housing"] in _ids(_search(backend, shop, "housnig"))


def test_primary_field_ranks_above_other_fields(backend: SearchBackend, shop: Shop) -> None:
    # "gearbox" is the Gearbox cover's name and only a note of the Bracket.
    assert _ids(_search(backend, shop, "gearbox")) == [shop.ids["Gearbox cover"], shop.ids["Bracket steel"]]


def test_only_the_tables_asked_for(backend: SearchBackend, shop: Shop) -> None:
    assert _ids(_search(backend, shop, "torque", table_ids=[shop.parts])) == []
    assert _ids(_search(backend, shop, "torque", table_ids=[])) == []
    assert _ids(_search(backend, shop, "torque", table_ids=[shop.tools])) == [shop.ids["Torque wrench"]]


def test_field_filter(backend: SearchBackend, shop: Shop) -> None:
    assert _ids(_search(backend, shop, "zinc", field_ids=[shop.name_field])) == []
    assert _ids(_search(backend, shop, "zinc", field_ids=[shop.notes_field])) == [shop.ids["Hinge plate"]]


def test_pagination(backend: SearchBackend, shop: Shop) -> None:
    ids = _records(shop.owner, shop.parts, [{"Name": f"Spacer {i}"} for i in range(25)])
    with session_scope() as session:
        indexer.index_records(session, backend, table_id=shop.parts, record_ids=ids)
    first = _search(backend, shop, "spacer", limit=10)
    second = _search(backend, shop, "spacer", limit=10, offset=10)
    last = _search(backend, shop, "spacer", limit=10, offset=20)
    assert first.has_more and second.has_more and not last.has_more
    seen = _ids(first) + _ids(second) + _ids(last)
    assert sorted(seen) == sorted(ids)


def test_indexing_is_idempotent_and_follows_deletes_and_restores(backend: SearchBackend, shop: Shop) -> None:
    rid = shop.ids["Hinge plate"]
    with session_scope() as session:
        indexer.index_records(session, backend, table_id=shop.parts, record_ids=[rid])
        indexer.index_records(session, backend, table_id=shop.parts, record_ids=[rid])
    assert _ids(_search(backend, shop, "hinge")) == [rid]
    with session_scope() as session:
        records_service.delete_records(session, principal=shop.owner.principal, table_id=shop.parts, record_ids=[rid])
    with session_scope() as session:
        assert indexer.index_records(session, backend, table_id=shop.parts, record_ids=[rid]) == {
            "indexed": 0, "deleted": 1,
        }  # fmt: skip
    assert _ids(_search(backend, shop, "hinge")) == []
    with session_scope() as session:
        records_service.restore_records(session, principal=shop.owner.principal, table_id=shop.parts, record_ids=[rid])
    with session_scope() as session:
        indexer.index_records(session, backend, table_id=shop.parts, record_ids=[rid])
    assert _ids(_search(backend, shop, "hinge")) == [rid]


def test_edits_replace_the_old_text(backend: SearchBackend, shop: Shop) -> None:
    rid = shop.ids["Motor housing"]
    with session_scope() as session:
        records_service.update_records(
            session, principal=shop.owner.principal, table_id=shop.parts,
            records=[{"id": rid, "fields": {shop.name_field: "Pump impeller"}}],
        )  # fmt: skip
    with session_scope() as session:
        indexer.index_records(session, backend, table_id=shop.parts, record_ids=[rid])
    assert _ids(_search(backend, shop, "motor")) == []
    assert _ids(_search(backend, shop, "impeller")) == [rid]


def test_a_table_in_the_trash_loses_its_documents(backend: SearchBackend, shop: Shop) -> None:
    with session_scope() as session:
        tables_service.delete_table(session, principal=shop.owner.principal, table_id=shop.tools)
    with session_scope() as session:
        assert indexer.index_table(session, backend, table_id=shop.tools) == {"deleted_table": 1}
    assert _ids(_search(backend, shop, "torque")) == []


def test_drawing_text_is_found_on_the_record_holding_the_attachment(backend: SearchBackend, shop: Shop) -> None:
    from pybase.files.models import Attachment
    from pybase.jobs.models import ExtractionJob

    rid = shop.ids["Gearbox cover"]
    result = {
        "format": "dxf",
        "title_block": {"source": "attributes", "fields": {"drawing_number": "P-101", "title": "Cover plate"}},
        "inserts": [{"block": "TAG", "attributes": {"TAG": "VLV-7734"}}],
        "texts": [{"text": "DEBURR ALL EDGES", "kind": "MTEXT"}],
        "tables": [{"kind": "bom", "header": ["Part", "Qty"], "rows": [{"Part": "Hexbolt M8", "Qty": "4"}]}],
    }
    with session_scope() as session:
        attachment = Attachment(
            workspace_id=shop.workspace_id, base_id=shop.base_id, table_id=shop.parts, record_id=rid,
            field_id=shop.notes_field, filename="cover.dxf", content_type="application/dxf", declared_size=10,
            bucket="b", key=f"k/{rid}/cover.dxf", status="uploaded",
        )  # fmt: skip
        session.add(attachment)
        session.flush()
        job = ExtractionJob(
            attachment_id=attachment.id, workspace_id=shop.workspace_id, base_id=shop.base_id,
            table_id=shop.parts, bucket="b", key=attachment.key, etag="e1", status="done", result=result,
            finished_at=utcnow(),
        )  # fmt: skip
        session.add(job)
    with session_scope() as session:
        indexer.index_records(session, backend, table_id=shop.parts, record_ids=[rid])
    for words in ("P-101", "vlv-7734", "deburr", "hexbolt"):
        found = _search(backend, shop, words)
        assert _ids(found) == [rid], words
        assert MARK_START in found.hits[0].highlights[DRAWING_KEY], words


@pytest.mark.parametrize("probe_rows", [2, 5000])
def test_short_prefixes_through_the_probe_and_the_index(
    backend: SearchBackend, shop: Shop, monkeypatch: pytest.MonkeyPatch, probe_rows: int
) -> None:
    # PostgreSQL reads every query from the first documents when they fill the page (5000), from the
    # GIN index otherwise (2): both give the same hits, ranking, filters and pages.
    if backend.name != "postgres":
        pytest.skip("the probe is the PostgreSQL backend's")
    from pybase.search.backends import postgres

    monkeypatch.setattr(postgres, "PROBE_ROWS", probe_rows)
    assert _ids(_search(backend, shop, "ge")) == [shop.ids["Gearbox cover"], shop.ids["Bracket steel"]]
    assert _ids(_search(backend, shop, "gearbox")) == [shop.ids["Gearbox cover"], shop.ids["Bracket steel"]]
    assert _ids(_search(backend, shop, "zi", field_ids=[shop.name_field])) == []
    assert _ids(_search(backend, shop, "zi", field_ids=[shop.notes_field])) == [shop.ids["Hinge plate"]]
    assert _ids(_search(backend, shop, "to", table_ids=[shop.tools])) == [shop.ids["Torque wrench"]]
    ids = _records(shop.owner, shop.parts, [{"Name": f"Spacer {i}"} for i in range(25)])
    with session_scope() as session:
        indexer.index_records(session, backend, table_id=shop.parts, record_ids=ids)
    pages = [_search(backend, shop, "sp", limit=10, offset=o) for o in (0, 10, 20)]
    assert [p.has_more for p in pages] == [True, True, False]
    assert sorted(i for p in pages for i in _ids(p)) == sorted(ids)


def test_rebuild_over_two_connections_in_small_chunks(
    backend: SearchBackend, shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reindex command's rebuild: chunks spread over two connections write every live record's
    document once, drop the documents of records gone since, and (PostgreSQL) add every new word to
    the typo table whichever connection's shard holds it."""
    from pybase.db import new_session

    monkeypatch.setattr(indexer, "REINDEX_CHUNK", 2)
    words = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golfish")
    extra = _records(shop.owner, shop.parts, [{"Name": f"Spacer {w}"} for w in words])
    gone = shop.ids["Hinge plate"]
    with session_scope() as session:
        records_service.delete_records(session, principal=shop.owner.principal, table_id=shop.parts, record_ids=[gone])
        if backend.name == "postgres":
            session.connection().exec_driver_sql("DELETE FROM search_terms WHERE base_id = %s", (shop.base_id,))
    result = indexer.rebuild_table(new_session, backend, table_id=shop.parts, workers=2)
    assert result == {"indexed": 3 + len(extra)}
    assert sorted(_ids(_search(backend, shop, "spacer", limit=50))) == sorted(extra)
    assert _ids(_search(backend, shop, "hinge")) == []
    assert _ids(_search(backend, shop, "housing")) == [shop.ids["Motor housing"]]
    if backend.name == "postgres":
        with session_scope() as session:
            known = {w for (w,) in session.connection().exec_driver_sql(
                "SELECT word FROM search_terms WHERE base_id = %s", (shop.base_id,)).all()}  # fmt: skip
        assert {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golfish", "spacer", "bracket"} <= known
        # "golfsh" (one letter short) finds "golfish" only through the typo table.
        typo = _search(backend, shop, "golfsh")
        assert typo.typo_corrected and _ids(typo) == [extra[-1]]

