"""Mapping extraction results into records: suggestions, BOM rows, dimensions, block attributes,
roles, all-or-nothing and idempotency (files function in-process, real PostgreSQL and LocalStack)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from pybase.db import session_scope
from pybase.events.models import ChangeEvent
from pybase.fields.models import Field
from pybase.jobs.mapping import dimension_input
from pybase.records.models import Record
from tests.factories import make_table, make_world
from tests.fixtures import make_cad
from tests.test_files_support import Aws, Sheet, aws, extracted_job, make_sheet  # noqa: F401


@pytest.fixture(scope="module")
def sheet() -> Sheet:
    return make_sheet(make_world())


@pytest.fixture(scope="module")
def pdf_job(api_module: Any, aws: Aws, sheet: Sheet) -> str:  # noqa: F811
    return extracted_job(api_module, aws, sheet, "assembly.pdf", make_cad.make_pdf())


@pytest.fixture(scope="module")
def dxf_job(api_module: Any, aws: Aws, sheet: Sheet) -> str:  # noqa: F811
    return extracted_job(api_module, aws, sheet, "housing.dxf", make_cad.make_dxf())


@pytest.fixture(scope="module")
def api_module() -> Any:
    from tests.conftest import Api

    return Api()


def _target(sheet: Sheet) -> str:
    return make_table(sheet.world.base_id, by=sheet.world.owner).id


def _records(table_id: str) -> list[dict[str, Any]]:
    with session_scope() as session:
        rows = session.scalars(
            select(Record).where(Record.table_id == table_id, Record.deleted_at.is_(None)).order_by(Record.seq)
        )
        fields = {f.id: f.name for f in session.scalars(select(Field).where(Field.table_id == table_id))}
        return [{fields.get(k, k): v for k, v in r.data.items()} for r in rows]


def _count(model: Any, **where: Any) -> int:
    with session_scope() as session:
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return int(session.scalar(query) or 0)


def test_dimension_input_conversions() -> None:
    sym = {"kind": "linear", "value": 25.4, "unit": "mm", "tolerance": {"type": "symmetric", "plus": 0.05}}
    assert dimension_input(sym) == {"value": 25.4, "unit": "mm", "tolerance": {"type": "symmetric", "plus": 0.05}}
    dev = {"kind": "linear", "value": 10, "tolerance": {"type": "deviation", "plus": 0.2, "minus": -0.1}}
    assert dimension_input(dev) == {"value": 10, "tolerance": {"type": "asymmetric", "plus": 0.2, "minus": 0.1}}
    both_up = {"value": 10, "tolerance": {"type": "deviation", "plus": 0.3, "minus": 0.1, "upper": 10.3, "lower": 10.1}}
    assert dimension_input(both_up)["tolerance"] == {"type": "limits", "lower": 10.1, "upper": 10.3}
    fit = {"kind": "diameter", "value": 12, "unit": "mm", "tolerance": {"type": "fit", "fit": "H7"}}
    assert dimension_input(fit) == {"value": 12, "unit": "mm"}
    assert dimension_input({"kind": "angular", "value": 30, "unit": "deg"}) is None
    assert dimension_input({"kind": "linear", "measurement": 100.0, "unit": "in"}) == {"value": 100.0, "unit": "in"}


def test_suggested_mapping_for_a_pdf_bom(api, aws: Aws, sheet: Sheet, pdf_job: str) -> None:  # noqa: F811
    target = _target(sheet)
    r = api.as_user(sheet.world.users["viewer"].token).call(
        "files", "GET", f"/extraction-jobs/{pdf_job}/mapping", query={"table_id": target}
    )
    assert r.status == 200, r.text
    s = r.json()
    assert s["source"] == "bom" and s["sources"]["bom"] == s["row_count"] >= 5
    assert s["sources"]["dimensions"] >= 4
    by_source = {c["source"]: c for c in s["columns"]}
    assert by_source["QTY"]["type"] == "number" and by_source["PART NO"]["type"] == "single_line_text"
    assert by_source["PART NO"]["exists"] is False
    assert s["preview"][0]["PART NO"] == "PB-1001-01"


def test_bom_rows_become_records_with_new_fields(api, aws: Aws, sheet: Sheet, pdf_job: str) -> None:  # noqa: F811
    target = _target(sheet)
    admin = sheet.world.users["admin"]
    suggestion = (
        api.as_user(admin.token)
        .call("files", "GET", f"/extraction-jobs/{pdf_job}/mapping", query={"table_id": target, "source": "bom"})
        .json()
    )
    columns = [{"source": c["source"], "field": c["field"]} for c in suggestion["columns"]]
    r = api.as_user(admin.token).call(
        "files",
        "POST",
        f"/extraction-jobs/{pdf_job}/mapping",
        body={"table_id": target, "source": "bom", "columns": columns, "create_missing_fields": True},
    )
    assert r.status == 201, r.text
    out = r.json()
    assert len(out["record_ids"]) == suggestion["row_count"] and len(out["created_fields"]) == len(columns)
    rows = _records(target)
    assert len(rows) == suggestion["row_count"]
    screws = next(row for row in rows if row.get("PART NO") == "ISO 4762-M8x20")
    assert screws["QTY"] == 4 and screws["DESCRIPTION"] == "Socket head cap screw"
    with session_scope() as session:
        types = [e.type for e in session.scalars(select(ChangeEvent).where(ChangeEvent.table_id == target))] + [
            e.payload.get("records_created")
            for e in session.scalars(select(ChangeEvent).where(ChangeEvent.type == "job.updated"))
            if e.payload.get("mapping_id") == out["id"]
        ]
    assert "records.created" in types and "field.created" in types and len(out["record_ids"]) in types
    r = api.as_user(admin.token).call("files", "GET", f"/extraction-jobs/{pdf_job}/mapping", query={"table_id": target})
    assert all(c["exists"] for c in r.json()["columns"])


def test_dimensions_land_in_a_dimension_field(api, aws: Aws, sheet: Sheet, dxf_job: str) -> None:  # noqa: F811
    editor = sheet.world.users["editor"]
    # The sheet's own table has a dimension field "Size" (mm); the editor maps without creating fields.
    before = _count(Record, table_id=sheet.table_id)
    r = api.as_user(editor.token).call(
        "files",
        "POST",
        f"/extraction-jobs/{dxf_job}/mapping",
        body={
            "table_id": sheet.table_id,
            "source": "dimensions",
            "columns": [{"source": "Value", "field": "Size"}, {"source": "Text", "field": "Name"}],
        },
    )
    if r.status == 422 and "Name" in r.text:  # the primary field may be named differently
        pytest.fail(r.text)
    assert r.status == 201, r.text
    created = r.json()["record_ids"]
    assert _count(Record, table_id=sheet.table_id) == before + len(created)
    with session_scope() as session:
        size_id = session.scalar(select(Field.id).where(Field.table_id == sheet.table_id, Field.name == "Size"))
        values = [
            r.data.get(size_id)
            for r in session.scalars(select(Record).where(Record.table_id == sheet.table_id, Record.id.in_(created)))
        ]
    with_value = [v for v in values if v]
    assert with_value, values
    symmetric = [v for v in with_value if (v.get("tolerance") or {}).get("type") == "symmetric"]
    assert any(v["value"] == 100 and v["tolerance"]["plus"] == 0.05 and v["unit"] == "mm" for v in symmetric), values
    assert any((v.get("tolerance") or {}).get("type") in ("asymmetric", "limits") for v in with_value)
    assert any(v["value"] == 25.4 for v in with_value)


def test_block_attributes_become_fields(api, aws: Aws, sheet: Sheet, dxf_job: str) -> None:  # noqa: F811
    target = _target(sheet)
    owner = sheet.world.owner
    r = api.as_user(owner.token).call(
        "files", "GET", f"/extraction-jobs/{dxf_job}/mapping", query={"table_id": target, "source": "blocks"}
    )
    s = r.json()
    # Every block reference with attributes, the title block's too (it is never left out for being one).
    assert s["row_count"] == 3 and {"SIZE", "PART_NO", "DWG_NO"} <= {c["source"] for c in s["columns"]}
    r = api.as_user(owner.token).call(
        "files",
        "POST",
        f"/extraction-jobs/{dxf_job}/mapping",
        body={
            "table_id": target,
            "source": "blocks",
            "columns": [{"source": c["source"], "field": c["field"]} for c in s["columns"]],
            "create_missing_fields": True,
        },
    )
    assert r.status == 201, r.text
    rows = _records(target)
    assert sorted(row["SIZE"] for row in rows if row["Block"] == "BOLT") == ["M10", "M8x1.25"]
    assert sorted(row["Block"] for row in rows) == ["BOLT", "BOLT", "TITLEBLOCK"]


def test_mapping_is_all_or_nothing(api, aws: Aws, sheet: Sheet, pdf_job: str) -> None:  # noqa: F811
    target = _target(sheet)
    admin = sheet.world.users["admin"]
    fields_before = _count(Field, table_id=target)
    # DESCRIPTION text cannot go into a number field: nothing is written, not even the new fields.
    r = api.as_user(admin.token).call(
        "files",
        "POST",
        f"/extraction-jobs/{pdf_job}/mapping",
        body={
            "table_id": target,
            "source": "bom",
            "columns": [
                {"source": "PART NO", "field": "Part"},
                {"source": "DESCRIPTION", "field": "Count", "type": "number"},
            ],
            "create_missing_fields": True,
            "typecast": False,
        },
    )
    assert r.status == 422, r.text
    assert _count(Record, table_id=target) == 0 and _count(Field, table_id=target) == fields_before
    # Unknown fields without create_missing_fields, unknown sources and option errors: 422, nothing written.
    for body in (
        {"table_id": target, "source": "bom", "columns": [{"source": "QTY", "field": "Nope"}]},
        {"table_id": target, "source": "nonsense", "columns": [{"source": "QTY", "field": "Name"}]},
        {
            "table_id": target,
            "source": "bom",
            "options": {"tables": [99]},
            "columns": [{"source": "QTY", "field": "x"}],
        },
        {"table_id": target, "source": "bom", "columns": []},
    ):
        r = api.as_user(admin.token).call("files", "POST", f"/extraction-jobs/{pdf_job}/mapping", body=body)
        assert r.status == 422, (body, r.text)
    assert _count(Record, table_id=target) == 0


def test_mapping_roles_and_idempotency(api, aws: Aws, sheet: Sheet, pdf_job: str) -> None:  # noqa: F811
    target = _target(sheet)
    body = {"table_id": target, "source": "bom", "columns": [{"source": "PART NO", "field": "Part"}]}
    users = sheet.world.users
    new_fields = {**body, "create_missing_fields": True}
    assert (
        api.as_user(users["viewer"].token)
        .call("files", "POST", f"/extraction-jobs/{pdf_job}/mapping", body=new_fields)
        .status
        == 403
    )
    # Creating fields needs admin on the table; an editor may only fill existing ones.
    assert (
        api.as_user(users["editor"].token)
        .call("files", "POST", f"/extraction-jobs/{pdf_job}/mapping", body=new_fields)
        .status
        == 403
    )
    assert (
        api.as_user(sheet.world.outsider.token)
        .call("files", "POST", f"/extraction-jobs/{pdf_job}/mapping", body=new_fields)
        .status
        == 404
    )
    keyed = {**new_fields, "idempotency_key": "import-1"}
    first = api.as_user(users["admin"].token).call("files", "POST", f"/extraction-jobs/{pdf_job}/mapping", body=keyed)
    assert first.status == 201, first.text
    again = api.as_user(users["admin"].token).call("files", "POST", f"/extraction-jobs/{pdf_job}/mapping", body=keyed)
    assert again.status == 201 and again.json()["replayed"] is True
    assert again.json()["record_ids"] == first.json()["record_ids"]
    assert _count(Record, table_id=target) == len(first.json()["record_ids"])
    # The editor can now map into the existing field.
    r = api.as_user(users["editor"].token).call("files", "POST", f"/extraction-jobs/{pdf_job}/mapping", body=body)
    assert r.status == 201, r.text
    assert _count(Record, table_id=target) == 2 * len(first.json()["record_ids"])


def test_unfinished_job_cannot_be_mapped(api, aws: Aws, sheet: Sheet) -> None:  # noqa: F811
    from tests.test_files_support import start_upload

    up = start_upload(api, sheet, "pending.pdf", make_cad.make_pdf())
    done = api.as_user(sheet.world.users["editor"].token).call(
        "files", "POST", f"/uploads/{up['attachment_id']}/complete"
    )
    job_id = done.json()["job_id"]
    r = api.as_user(sheet.world.users["editor"].token).call(
        "files",
        "POST",
        f"/extraction-jobs/{job_id}/mapping",
        body={"table_id": sheet.table_id, "source": "bom", "columns": [{"source": "QTY", "field": "Size"}]},
    )
    assert r.status == 409 and r.json()["error"]["code"] == "conflict"
    aws.delete(aws.receive(key_part=up["attachment_id"]))
