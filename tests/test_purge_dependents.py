"""Comments and links have no foreign key into `records`: whatever hard-deletes records (the purge of
records and tables, the deletion of a base or workspace) deletes their comments and links itself, in
the same transaction, and leaves those of other records alone."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select, text

from pybase.comments.models import Comment
from pybase.db import session_scope
from pybase.fields.models import Field
from pybase.links.models import RecordLink
from pybase.tables.models import Table
from pybase.trash.purge import purge_expired
from tests.conftest import Api
from tests.test_trash_purge import trash_records
from tests.test_views_support import World, add_records, add_table, make_world, soft_delete


@dataclass
class Linked:
    world: World
    a: str  # table A, with records a1, a2 and a link field into B
    b: str  # table B, with records b1, b2 and a link field into A
    a_ids: list[str]
    b_ids: list[str]


def _link_field(table_id: str, linked_table_id: str) -> str:
    with session_scope() as session:
        field = Field(table_id=table_id, name="Link", type="link", options={"linked_table_id": linked_table_id})
        session.add(field)
        session.flush()
        return field.id


def make_linked(world: World | None = None) -> Linked:
    """Two tables whose records link both ways (a1 <-> b1, a2 <-> b2), a comment on every record."""
    world = world or make_world()
    a, b = world.table_id, add_table(world, "Suppliers")
    a_ids = add_records(world, [{"Name": "a1"}, {"Name": "a2"}], table_id=a)
    b_ids = add_records(world, [{"Name": "b1"}, {"Name": "b2"}], table_id=b)
    a_link, b_link = _link_field(a, b), _link_field(b, a)
    with session_scope() as session:
        for from_id, to_id in zip(a_ids, b_ids, strict=True):
            session.add(
                RecordLink(field_id=a_link, from_record_id=from_id, to_record_id=to_id, from_table_id=a, to_table_id=b)
            )
            session.add(
                RecordLink(field_id=b_link, from_record_id=to_id, to_record_id=from_id, from_table_id=b, to_table_id=a)
            )
        for table_id, ids in ((a, a_ids), (b, b_ids)):
            for record_id in ids:
                session.add(Comment(table_id=table_id, record_id=record_id, author_id=world.users["editor"], text="hi"))
    return Linked(world, a, b, a_ids, b_ids)


def comments_of(table_id: str) -> set[str]:
    with session_scope() as session:
        return set(session.scalars(select(Comment.record_id).where(Comment.table_id == table_id)))


def links_touching(table_id: str) -> set[tuple[str, str]]:
    with session_scope() as session:
        rows = session.execute(
            select(RecordLink.from_record_id, RecordLink.to_record_id).where(
                or_(RecordLink.from_table_id == table_id, RecordLink.to_table_id == table_id)
            )
        )
        return {(r[0], r[1]) for r in rows}


def orphans(*table_ids: str) -> tuple[int, int]:
    """Comments and links (either end) of these tables whose record no longer exists."""
    with session_scope() as session:
        comments = session.scalar(
            text(
                "SELECT count(*) FROM comments c WHERE c.table_id = ANY(:t) AND NOT EXISTS "
                "(SELECT 1 FROM records r WHERE r.table_id = c.table_id AND r.id = c.record_id)"
            ),
            {"t": list(table_ids)},
        )
        links = session.scalar(
            text(
                "SELECT count(*) FROM record_links l "
                "WHERE (l.from_table_id = ANY(:t) OR l.to_table_id = ANY(:t)) AND (NOT EXISTS "
                "(SELECT 1 FROM records r WHERE r.table_id = l.from_table_id AND r.id = l.from_record_id) "
                "OR NOT EXISTS (SELECT 1 FROM records r WHERE r.table_id = l.to_table_id AND r.id = l.to_record_id))"
            ),
            {"t": list(table_ids)},
        )
        return comments, links


def test_no_foreign_key_points_into_records() -> None:
    # Each one would add its checks to every new partition and could not hold across a distribution key.
    with session_scope() as session:
        keys = session.scalars(
            text("SELECT conname FROM pg_constraint WHERE contype = 'f' AND confrelid = 'records'::regclass")
        ).all()
    assert keys == []


def test_purging_a_record_deletes_its_comments_and_links_both_ways() -> None:
    t = make_linked()
    a1, a2 = t.a_ids
    b1, b2 = t.b_ids
    trash_records(t.a, [a1], days_ago=31)
    result = purge_expired(batch_size=1)
    assert result.records >= 1
    assert comments_of(t.a) == {a2}
    assert comments_of(t.b) == {b1, b2}
    # a1 -> b1 (its own link) and b1 -> a1 (another table's link to it) are gone; b1 itself stays.
    assert links_touching(t.a) == {(a2, b2), (b2, a2)}
    assert orphans(t.a, t.b) == (0, 0)


def test_purging_a_table_deletes_the_links_other_tables_have_into_it() -> None:
    t = make_linked()
    soft_delete(Table, t.b, days_ago=40)
    # Batches of one record: each batch's comments and links go with it.
    result = purge_expired(batch_size=1)
    assert result.tables >= 1
    assert comments_of(t.b) == set()
    assert links_touching(t.b) == set()
    assert comments_of(t.a) == set(t.a_ids)
    assert orphans(t.a, t.b) == (0, 0)


def _linked_from_elsewhere(t: Linked) -> tuple[Linked, str]:
    """Another workspace's table linking into t's table A (a link field of a table that survives)."""
    other = make_world()
    c1 = other.table_id
    (r,) = add_records(other, [{"Name": "c1"}], table_id=c1)
    field_id = _link_field(c1, t.a)
    with session_scope() as session:
        session.add(
            RecordLink(field_id=field_id, from_record_id=r, to_record_id=t.a_ids[0], from_table_id=c1, to_table_id=t.a)
        )
    return make_linked(other), c1


def test_deleting_a_base_deletes_the_comments_and_links_of_its_records(api: Api) -> None:
    t = make_linked()
    survivor, c1 = _linked_from_elsewhere(t)
    r = api.as_user(t.world.tokens["owner"]).call("workspaces", "DELETE", f"/bases/{t.world.base_id}")
    assert r.status == 204, r.text
    assert comments_of(t.a) == comments_of(t.b) == set()
    assert links_touching(t.a) == links_touching(t.b) == set()
    assert links_touching(c1) == {
        (survivor.a_ids[0], survivor.b_ids[0]),
        (survivor.a_ids[1], survivor.b_ids[1]),
        (survivor.b_ids[0], survivor.a_ids[0]),
        (survivor.b_ids[1], survivor.a_ids[1]),
    }
    assert orphans(t.a, t.b) == (0, 0)


def test_deleting_a_workspace_deletes_the_comments_and_links_of_its_records(api: Api) -> None:
    t = make_linked()
    _, c1 = _linked_from_elsewhere(t)
    r = api.as_user(t.world.tokens["owner"]).call("workspaces", "DELETE", f"/workspaces/{t.world.workspace_id}")
    assert r.status == 204, r.text
    assert comments_of(t.a) == comments_of(t.b) == set()
    assert links_touching(t.a) == links_touching(t.b) == set()
    assert len(links_touching(c1)) == 4
    assert orphans(t.a, t.b) == (0, 0)
