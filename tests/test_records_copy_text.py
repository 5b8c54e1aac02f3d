"""Batch creates send rows to PostgreSQL as COPY text: values with characters COPY or JSON escape
come back unchanged, and an anonymous author is stored as NULL."""

from __future__ import annotations

import pytest

from pybase.db import session_scope
from pybase.fields import service as fields
from pybase.records import service as records
from tests.factories import World, make_table, make_world

TRICKY = [
    "back\\slash \\N \\t \\\\",
    "tab\tnew\nline\rreturn",
    'quote " and \' and {"json": [1]}',
    "ünïcödé ✓ 漢字 😀",
    "\\",
    "\t",
]


@pytest.fixture(scope="module")
def world() -> World:
    return make_world(("owner",))


def test_tricky_text_round_trips(world: World) -> None:
    t = make_table(world.base_id, by=world.owner)
    with session_scope() as s:
        name = fields.create_field(s, principal=world.owner.principal, table_id=t.id, name="Notes", type="long_text")
    name = name["id"]
    with session_scope() as s:
        created = records.create_records(
            s, principal=world.owner.principal, table_id=t.id, records=[{"fields": {name: v}} for v in TRICKY]
        )
    assert [r["fields"][name] for r in created] == TRICKY
    with session_scope() as s:
        listed = records.list_records(s, principal=world.owner.principal, table_id=t.id)["records"]
    assert [r["fields"][name] for r in listed] == TRICKY
    assert [r["id"] for r in listed] == [r["id"] for r in created]


def test_anonymous_author_is_null(world: World) -> None:
    t = make_table(world.base_id, by=world.owner)
    with session_scope() as s:
        from pybase.tables.models import Table

        table = s.get(Table, t.id)
        made = records.create_records_unchecked(
            s, table=table, workspace_id=world.workspace_id, records=[{t.primary_field_id: "x"}], actor_id=None
        )
    with session_scope() as s:
        history = records.record_history(s, principal=world.owner.principal, table_id=t.id, record_id=made[0]["id"])
    assert history["created_by"] is None
