"""Uploads of the deeper formats through LocalStack S3 -> SQS -> the extract function (in-process) ->
jobs -> mapping into records: a DXF parts list drawn with lines, a STEP assembly, an IFC model, and a
scanned PDF reported as such."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
from sqlalchemy import select

from pybase.db import session_scope
from pybase.fields.models import Field
from pybase.jobs.models import ExtractionJob
from pybase.records.models import Record
from tests.factories import make_table, make_world
from tests.fixtures import make_cad
from tests.test_files_support import Aws, Sheet, aws, extracted_job, make_sheet  # noqa: F401


@pytest.fixture(scope="module")
def sheet() -> Sheet:
    return make_sheet(make_world())


def _records(table_id: str) -> list[dict[str, Any]]:
    with session_scope() as session:
        rows = session.scalars(
            select(Record).where(Record.table_id == table_id, Record.deleted_at.is_(None)).order_by(Record.seq)
        )
        fields = {f.id: f.name for f in session.scalars(select(Field).where(Field.table_id == table_id))}
        return [{fields.get(k, k): v for k, v in r.data.items()} for r in rows]


def _map(api: Any, sheet: Sheet, job_id: str, source: str | None = None) -> tuple[dict[str, Any], list[dict]]:
    owner = sheet.world.owner
    target = make_table(sheet.world.base_id, by=owner).id
    query = {"table_id": target, **({"source": source} if source else {})}
    r = api.as_user(owner.token).call("files", "GET", f"/extraction-jobs/{job_id}/mapping", query=query)
    assert r.status == 200, r.text
    suggestion = r.json()
    body = {
        "table_id": target,
        "source": suggestion["source"],
        "columns": [{"source": c["source"], "field": c["field"], "type": c["type"]} for c in suggestion["columns"]],
        "create_missing_fields": True,
    }
    r = api.as_user(owner.token).call("files", "POST", f"/extraction-jobs/{job_id}/mapping", body=body)
    assert r.status == 201, r.text
    return suggestion, _records(target)


def test_dxf_drawn_parts_list_maps_to_records(api, aws: Aws, sheet: Sheet) -> None:  # noqa: F811
    job = extracted_job(api, aws, sheet, "cover.dxf", make_cad.make_dxf_tables())
    suggestion, rows = _map(api, sheet, job)
    assert suggestion["source"] == "bom"
    assert sorted(r["PART NUMBER"] for r in rows) == sorted(
        [r[1] for r in make_cad.DRAWN_BOM] + [r[1] for r in make_cad.ACAD_TABLE_BOM]
    )
    assert {r["PART NUMBER"]: r["QTY"] for r in rows}["ISO 4762 M8x20"] == 4


def test_step_assembly_maps_to_records(api, aws: Aws, sheet: Sheet) -> None:  # noqa: F811
    job = extracted_job(api, aws, sheet, "gearbox.stp", make_cad.make_step("AP214"))
    with session_scope() as session:
        stored = session.get(ExtractionJob, job)
        assert stored.format == "step" and stored.summary["parts"] == 5 and stored.summary["protocol"] == "AP214"
    suggestion, rows = _map(api, sheet, job)
    assert suggestion["source"] == "bom"
    usage = {(r.get("PARENT") or "", r["PART NUMBER"]): r["QTY"] for r in rows}
    assert usage == {("", "A-100"): 1, **{(p, c): n for p, c, n in make_cad.STEP_USAGES}}


@pytest.mark.skipif(importlib.util.find_spec("ifcopenshell") is None, reason="ifcopenshell is not installed")
def test_ifc_elements_map_to_records(api, aws: Aws, sheet: Sheet) -> None:  # noqa: F811
    job = extracted_job(api, aws, sheet, "building.ifc", make_cad.make_ifc("IFC4"))
    suggestion, rows = _map(api, sheet, job)
    assert suggestion["source"] == "elements" and suggestion["sources"]["elements"] == 5
    wall = next(r for r in rows if r["Name"] == "Wall W1")
    assert wall["Type"] == "IfcWall" and wall["Storey"] == "Ground floor"
    assert wall["Qto_WallBaseQuantities.Length"] == 5 and wall["Pset_WallCommon.FireRating"] == "REI60"


def test_scanned_pdf_job_says_so(api, aws: Aws, sheet: Sheet) -> None:  # noqa: F811
    job = extracted_job(api, aws, sheet, "scan.pdf", make_cad.make_scanned_pdf(1))
    r = api.as_user(sheet.world.users["viewer"].token).call("files", "GET", f"/extraction-jobs/{job}")
    body = r.json()
    assert body["status"] == "done" and body["summary"]["scanned"] is True
    assert body["summary"]["text_layer"] == "none"
    assert any("no text layer" in w for w in body["warnings"])
