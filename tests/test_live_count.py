"""A table's count of all its records comes from the live count its writes keep
(record_sequences.live_count): after every kind of write it equals the rows counted."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import psycopg
from sqlalchemy import text, update

from pybase.db import session_scope, utcnow
from pybase.records.models import Record
from pybase.trash.purge import purge_expired
from tests.conftest import Api
from tests.test_records_helpers import make_table, make_world


def _counted(table_id: str) -> int:
    with session_scope() as session:
        return int(
            session.execute(
                text("SELECT count(*) FROM records WHERE table_id = :t AND deleted_at IS NULL"), {"t": table_id}
            ).scalar_one()
        )


def _served(api: Api, table_id: str) -> int:
    response = api.call("records", "GET", f"/tables/{table_id}/records/count")
    assert response.status == 200, response.text
    return int(response.json()["count"])


def test_every_write_keeps_the_count(api: Api) -> None:
    world = make_world(("owner",))
    owner = api.as_user(world.owner.token)
    table = make_table(world.base_id, by=world.owner)
    url = f"/tables/{table.id}/records"
    name = table.primary_field_id
    steps: list[tuple[str, int]] = []

    def check(step: str) -> None:
        steps.append((step, _served(owner, table.id)))
        assert steps[-1][1] == _counted(table.id), steps

    check("empty table (no counter row yet)")
    batch = owner.call("records", "POST", url, body={"records": [{"fields": {name: f"r{i}"}} for i in range(30)]})
    assert batch.status == 201, batch.text
    ids = [r["id"] for r in batch.json()["records"]]
    check("batch create")
    assert owner.call("records", "POST", url, body={"fields": {name: "single"}}).status == 201
    check("single create")
    upsert = owner.call(
        "records", "POST", f"{url}/upsert",
        body={"merge_on": ["Name"], "records": [{"fields": {"Name": "r0"}}, {"fields": {"Name": "new"}}]},
    )  # fmt: skip
    assert upsert.status == 200 and len(upsert.json()["created_ids"]) == 1, upsert.text
    check("upsert (one update, one create)")
    csv = owner.call("records", "POST", f"/tables/{table.id}/import", raw_body="Name\nc1\nc2\nc3\n",
                     headers={"content-type": "text/csv"})  # fmt: skip
    assert csv.status in (200, 201), csv.text
    check("CSV import")
    airtable = owner.call("airtable", "POST", f"/v0/{world.base_id}/{table.id}",
                          body={"records": [{"fields": {"Name": "a1"}}, {"fields": {"Name": "a2"}}]})  # fmt: skip
    assert airtable.status == 200, airtable.text
    check("Airtable create")
    gone = owner.call("airtable", "DELETE", f"/v0/{world.base_id}/{table.id}",
                      query=[("records[]", airtable.json()["records"][0]["id"])])  # fmt: skip
    assert gone.status == 200, gone.text
    check("Airtable delete")
    deleted = owner.call("records", "DELETE", url, body={"records": ids[:10]})
    assert deleted.status == 200, deleted.text
    check("batch delete to trash")
    again = owner.call("records", "DELETE", f"{url}/{ids[0]}")
    assert again.status == 404, again.text  # already in the trash: counted out once only
    check("deleting a trashed record again")
    for rid in ids[:4]:
        assert owner.call("tables", "POST", f"/trash/records/{rid}/restore").status == 200
    assert owner.call("tables", "POST", f"/trash/records/{ids[0]}/restore").status == 404
    check("restore from the trash")
    # Purging expired trash removes trashed rows only: the live count stays.
    with session_scope() as session:
        session.execute(
            update(Record)
            .where(Record.table_id == table.id, Record.id.in_(ids[4:10]))
            .values(deleted_at=utcnow() - timedelta(days=40))
        )
    purge_expired(batch_size=2)
    check("purge of expired trash")
    assert steps[-1][1] == 30 + 1 + 1 + 3 + 2 - 1 - 10 + 4
    # A listing's own total (count=true) takes the same path.
    page = owner.call("records", "GET", url, query={"page_size": 1, "count": "true"})
    assert page.json()["total"] == steps[-1][1]


def test_a_filtered_count_still_counts_rows(api: Api) -> None:
    world = make_world(("owner",))
    owner = api.as_user(world.owner.token)
    table = make_table(world.base_id, by=world.owner)
    rows: list[dict[str, Any]] = [{"fields": {table.primary_field_id: "x" if i % 3 else "y"}} for i in range(9)]
    assert owner.call("records", "POST", f"/tables/{table.id}/records", body={"records": rows}).status == 201
    with session_scope() as session:  # a counter out of step would show in the unfiltered count only
        session.execute(text("UPDATE record_sequences SET live_count = 1000 WHERE table_id = :t"), {"t": table.id})
    only_y = '{"field": "Name", "op": "=", "value": "y"}'
    response = owner.call("records", "GET", f"/tables/{table.id}/records/count", query={"filter": only_y})
    assert response.json() == {"count": 3}
    assert _served(owner, table.id) == 1000


def test_migration_counts_the_live_records_of_existing_tables(empty_database: tuple[Any, str]) -> None:
    from alembic import command

    cfg, libpq = empty_database
    command.upgrade(cfg, "0062")
    counted, unseen = "tbl" + secrets.token_hex(7), "tbl" + secrets.token_hex(7)
    with psycopg.connect(libpq) as conn:
        conn.execute("INSERT INTO workspaces (id, name, created_at) VALUES ('wspMigrate0000001', 'w', now())")
        conn.execute(
            "INSERT INTO bases (id, workspace_id, name, created_at) "
            "VALUES ('appMigrate0000001', 'wspMigrate0000001', 'b', now())"
        )
        for table_id in (counted, unseen):
            conn.execute(
                "INSERT INTO tables (id, base_id, name, position, created_at) "
                "VALUES (%s, 'appMigrate0000001', 't', 0, now())",
                (table_id,),
            )
            conn.execute(f"CREATE TABLE \"records_{table_id}\" PARTITION OF records FOR VALUES IN ('{table_id}')")
        # `counted` has its sequence row (5 handed out, one record since purged, one trashed);
        # `unseen` has records and no row (as a table loaded before the row existed could).
        conn.execute("INSERT INTO record_sequences (table_id, last_seq) VALUES (%s, 5)", (counted,))
        for table_id, seq, trashed in [(counted, 1, False), (counted, 2, True), (counted, 3, False),
                                       (counted, 5, False), (unseen, 1, False), (unseen, 7, False)]:  # fmt: skip
            conn.execute(
                "INSERT INTO records (table_id, id, seq, data, version, created_at, updated_at, deleted_at) "
                "VALUES (%s, %s, %s, '{}', 1, now(), now(), CASE WHEN %s THEN now() END)",
                (table_id, f"rec{seq:014d}", seq, trashed),
            )
    command.upgrade(cfg, "heads")
    with psycopg.connect(libpq) as conn:
        rows = {r[0]: (r[1], r[2]) for r in conn.execute("SELECT table_id, last_seq, live_count FROM record_sequences")}
    assert rows == {counted: (5, 3), unseen: (7, 2)}
    command.downgrade(cfg, "0062")
