"""Expression and trigram indexes are built outside requests: a request registers them as pending
and sends them to the index build queue; the `indexbuild` function builds each one concurrently on
the table's partition, once, recording its state (GET /tables/{id}/indexes)."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from pybase import storage
from pybase.config import get_settings
from pybase.db import get_engine, session_scope
from pybase.records import indexes
from tests.conftest import Api
from tests.lambda_events import LambdaContext, load_function
from tests.test_files_support import Aws, aws, poller_module, stack_module  # noqa: F401
from tests.test_records_helpers import World, make_table, make_world


def _field(api: Api, world: World, table_id: str, name: str, type: str, **options: Any) -> dict[str, Any]:
    r = api.as_user(world.owner.token).call(
        "tables", "POST", f"/tables/{table_id}/fields", body={"name": name, "type": type, "options": options}
    )
    assert r.status == 201, r.text
    return r.json()


def _listed(api: Api, token: str, table_id: str) -> dict[str, dict[str, Any]]:
    r = api.as_user(token).call("records", "GET", f"/tables/{table_id}/indexes")
    assert r.status == 200, r.text
    return {i["name"]: i for i in r.json()["indexes"]}


_INDEX_STATE = text(
    "SELECT c.oid, i.indisvalid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid WHERE c.relname = :n"
)


def _pg_index(name: str) -> tuple[int, bool] | None:
    """(oid, valid) of the index in PostgreSQL, or None."""
    with session_scope() as s:
        row = s.execute(_INDEX_STATE, {"n": name}).first()
    return None if row is None else (int(row[0]), bool(row[1]))


def _partition_of(name: str) -> str | None:
    with session_scope() as s:
        return s.scalar(text("SELECT tablename FROM pg_indexes WHERE indexname = :n"), {"n": name})


def test_a_request_only_registers_indexes_and_the_build_makes_them_ready(api: Api) -> None:
    world = make_world(roles=("owner", "viewer"))
    table = make_table(world.base_id, by=world.owner)
    field = _field(api, world, table.id, "Part", "single_line_text", indexed=True)

    listed = _listed(api, world.users["viewer"].token, table.id)
    assert sorted(i["kind"] for i in listed.values()) == ["btree", "sort", "trigram"]
    assert {i["state"] for i in listed.values()} == {"pending"}
    assert all(i["field_id"] == field["id"] and i["finished_at"] is None for i in listed.values())
    # Nothing was built inside the request.
    assert all(_pg_index(name) is None for name in listed)

    outcomes = indexes.build_pending(table.id)
    assert outcomes == {name: "ready" for name in listed}
    after = _listed(api, world.owner.token, table.id)
    assert {i["state"] for i in after.values()} == {"ready"}
    assert all(i["attempts"] == 1 and i["finished_at"] is not None and i["reason"] is None for i in after.values())
    for name in listed:
        assert _pg_index(name) is not None and _pg_index(name)[1]  # type: ignore[index]
        # On the table's own partition, not on the partitioned parent.
        assert _partition_of(name) == f"records_{table.id}"


def test_a_build_already_done_or_running_is_not_repeated(api: Api) -> None:
    world = make_world(roles=("owner",))
    table = make_table(world.base_id, by=world.owner)
    _field(api, world, table.id, "Qty", "number", indexed=True)
    names = list(_listed(api, world.owner.token, table.id))

    # Another worker holds the build's lock: this one leaves it alone.
    with get_engine().connect() as other:
        assert other.execute(
            text("SELECT pg_try_advisory_lock(:ns, hashtext(:n))"), {"ns": indexes._LOCK_NAMESPACE, "n": names[0]}
        ).scalar()
        assert indexes.build_index(names[0]) == "running"
        other.rollback()
    assert _listed(api, world.owner.token, table.id)[names[0]]["state"] == "pending"
    assert _pg_index(names[0]) is None

    assert indexes.build_index(names[0]) == "ready"
    oid = _pg_index(names[0])
    # A duplicate message (or the sweep) finds it built: same index, no second attempt.
    assert indexes.build_index(names[0]) == "ready"
    assert _pg_index(names[0]) == oid
    assert _listed(api, world.owner.token, table.id)[names[0]]["attempts"] == 1
    assert indexes.build_index("rx_nosuchindex") == "gone"


def test_an_invalid_index_left_by_a_failed_concurrent_build_is_dropped_and_rebuilt(api: Api) -> None:
    world = make_world(roles=("owner",))
    table = make_table(world.base_id, by=world.owner)
    field = _field(api, world, table.id, "Part", "single_line_text", indexed=True)
    name = next(n for n, i in _listed(api, world.owner.token, table.id).items() if i["kind"] == "btree")
    for value in ("same", "same"):
        r = api.as_user(world.owner.token).call(
            "records", "POST", f"/tables/{table.id}/records", body={"fields": {field["id"]: value}}
        )
        assert r.status == 201, r.text
    # A concurrent build that fails (here: a unique index over duplicates) leaves an INVALID index behind.
    autocommit = get_engine().connect().execution_options(isolation_level="AUTOCOMMIT")
    with autocommit as conn, pytest.raises(Exception, match="could not create unique index"):
        conn.exec_driver_sql(
            f'CREATE UNIQUE INDEX CONCURRENTLY "{name}" ON "records_{table.id}" ((data ->> \'{field["id"]}\'))'
        )
    assert _pg_index(name) is not None and _pg_index(name)[1] is False  # type: ignore[index]

    assert indexes.build_index(name) == "ready"
    rebuilt = _pg_index(name)
    assert rebuilt is not None and rebuilt[1]
    with session_scope() as s:
        definition = s.scalar(text("SELECT indexdef FROM pg_indexes WHERE indexname = :n"), {"n": name})
    assert "UNIQUE" not in definition and "deleted_at IS NULL" in definition


def test_a_failed_build_is_recorded_with_its_reason_and_leaves_no_index(api: Api) -> None:
    world = make_world(roles=("owner",))
    table = make_table(world.base_id, by=world.owner)
    qty = _field(api, world, table.id, "Qty", "number", indexed=True)
    # A value the number index's cast cannot read (written around the API, as a damaged row would be).
    with session_scope() as s:
        s.execute(
            text(
                f'INSERT INTO "records_{table.id}" (table_id, id, seq, data, version, created_at, updated_at) '
                "VALUES (:t, :r, 1, CAST(:d AS jsonb), 1, now(), now())"
            ),
            {"t": table.id, "r": "rec" + secrets.token_hex(7), "d": json.dumps({qty["id"]: "twelve"})},
        )
    outcomes = indexes.build_pending(table.id)
    assert "failed" in outcomes.values()
    listed = _listed(api, world.owner.token, table.id)
    failed = [i for i in listed.values() if i["state"] == "failed"]
    assert failed and all("numeric" in (i["reason"] or "") for i in failed)
    assert all(_pg_index(i["name"]) is None for i in failed)
    # Listings still answer (without the index) while it is failed.
    r = api.as_user(world.owner.token).call(
        "records", "GET", f"/tables/{table.id}/records", query={"sort": json.dumps([{"field": qty["id"]}])}
    )
    assert r.status in (200, 422), r.text


def test_a_large_tables_listing_asks_for_its_index_without_building_it(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYBASE_AUTO_INDEX_MIN_ROWS", "3")
    world = make_world(roles=("owner",))
    table = make_table(world.base_id, by=world.owner)
    qty = _field(api, world, table.id, "Qty", "number")
    assert _listed(api, world.owner.token, table.id) == {}
    body = {"records": [{"fields": {qty["id"]: n}} for n in range(5)]}
    assert (
        api.as_user(world.owner.token).call("records", "POST", f"/tables/{table.id}/records", body=body).status == 201
    )
    flt = json.dumps({"field": qty["id"], "op": ">", "value": 2})
    r = api.as_user(world.owner.token).call("records", "GET", f"/tables/{table.id}/records", query={"filter": flt})
    assert r.status == 200 and len(r.json()["records"]) == 2, r.text
    listed = _listed(api, world.owner.token, table.id)
    assert [i["state"] for i in listed.values()] == ["pending"]
    assert all(_pg_index(name) is None for name in listed)


def test_indexes_of_a_hidden_table_answer_like_a_missing_table(api: Api) -> None:
    world = make_world(roles=("owner",))
    table = make_table(world.base_id, by=world.owner)
    r = api.as_user(world.outsider.token).call("records", "GET", f"/tables/{table.id}/indexes")
    assert r.status == 404 and r.json()["error"]["code"] == "not_found", r.text
    r = api.as_user(world.owner.token).call("records", "GET", "/tables/tblNOPE/indexes")
    assert r.status == 404 and r.json()["error"]["code"] == "not_found", r.text


# --- through a real SQS queue (LocalStack) and the indexbuild function ----------------------------


@pytest.fixture
def build_queue(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:  # noqa: F811
    sqs = stack_module().aws_client("sqs", aws.endpoint)
    name = f"pybase-t-indexbuild-{secrets.token_hex(3)}"
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    monkeypatch.setenv("PYBASE_INDEX_BUILD_QUEUE", name)
    get_settings.cache_clear()
    storage.reset_clients()
    yield {"name": name, "url": url, "arn": arn, "sqs": sqs}
    sqs.delete_queue(QueueUrl=url)
    get_settings.cache_clear()
    storage.reset_clients()


def _receive(q: dict[str, Any], want: int, timeout: float = 15) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(got) < want and time.monotonic() < deadline:
        got += (
            q["sqs"]
            .receive_message(QueueUrl=q["url"], MaxNumberOfMessages=10, WaitTimeSeconds=1, AttributeNames=["All"])
            .get("Messages", [])
        )
    return got


def _invoke(q: dict[str, Any], messages: list[dict[str, Any]]) -> dict[str, Any]:
    event = poller_module().sqs_event(messages, queue_arn=q["arn"], region="us-east-1")
    return load_function("indexbuild").handler(event, LambdaContext())


def test_builds_go_through_the_queue_and_the_indexbuild_function(api: Api, build_queue: dict[str, Any]) -> None:
    world = make_world(roles=("owner",))
    table = make_table(world.base_id, by=world.owner)
    _field(api, world, table.id, "Part", "single_line_text", indexed=True)
    names = set(_listed(api, world.owner.token, table.id))
    messages = _receive(build_queue, 3)
    assert {json.loads(m["Body"])["name"] for m in messages} == names
    assert all(json.loads(m["Body"])["table_id"] == table.id for m in messages)

    response = _invoke(build_queue, messages)
    assert response == {"batchItemFailures": []}
    assert {i["state"] for i in _listed(api, world.owner.token, table.id).values()} == {"ready"}
    # The same messages again (SQS delivers at least once): nothing is rebuilt.
    oids = {name: _pg_index(name) for name in names}
    assert _invoke(build_queue, messages) == {"batchItemFailures": []}
    assert {name: _pg_index(name) for name in names} == oids


def test_the_sweep_sends_again_builds_never_finished(api: Api, build_queue: dict[str, Any]) -> None:
    world = make_world(roles=("owner",))
    table = make_table(world.base_id, by=world.owner)
    _field(api, world, table.id, "Qty", "number", indexed=True)
    names = set(_listed(api, world.owner.token, table.id))
    assert len(_receive(build_queue, len(names))) == len(names)  # lost: neither processed nor deleted
    with session_scope() as s:
        s.execute(
            text("UPDATE record_indexes SET created_at = now() - interval '1 hour' WHERE table_id = :t"),
            {"t": table.id},
        )
    resent = load_function("indexbuild").handler({"source": "aws.events"}, LambdaContext())
    assert resent["resent"] >= len(names)
    again = [m for m in _receive(build_queue, len(names), timeout=10) if json.loads(m["Body"])["table_id"] == table.id]
    assert {json.loads(m["Body"])["name"] for m in again} == names
    assert _invoke(build_queue, again) == {"batchItemFailures": []}
    assert {i["state"] for i in _listed(api, world.owner.token, table.id).values()} == {"ready"}
