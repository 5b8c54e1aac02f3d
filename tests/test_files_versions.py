"""Upload URLs cannot swap a file after its checks, and record cells keep references, not long-lived URLs
(LocalStack S3 with versioning, as serverless.yml configures the bucket)."""

from __future__ import annotations

import secrets
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import select

from pybase.db import session_scope
from pybase.files.models import Attachment
from pybase.jobs.models import ExtractionJob
from pybase.records.models import Record
from tests.factories import make_world
from tests.test_files_support import Aws, Sheet, aws, make_sheet, put_file, start_upload  # noqa: F401

ORIGINAL = b"  0\nSECTION\n  2\nENTITIES\n  0\nENDSEC\n  0\nEOF\n"
SWAPPED = b"  0\nSECTION\n  2\nENTITIES\n  0\nTEXT\n  1\nSWAPPED\n  0\nENDSEC\n  0\nEOF\n"


@pytest.fixture(scope="module")
def sheet() -> Sheet:
    return make_sheet(make_world())


def _download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return bytes(response.read())


def _cell(api, sheet: Sheet, record_id: str, token: str) -> list[dict]:
    r = api.as_user(token).call("records", "GET", f"/tables/{sheet.table_id}/records/{record_id}")
    assert r.status == 200, r.text
    return r.json()["fields"][sheet.attachment_field_id]


def test_a_second_put_after_completion_swaps_nothing(api, aws: Aws, sheet: Sheet) -> None:  # noqa: F811
    editor = sheet.world.users["editor"]
    up = start_upload(api, sheet, "plate.dxf", ORIGINAL)
    att_id = up["attachment_id"]
    r = api.as_user(editor.token).call("files", "POST", f"/uploads/{att_id}/complete")
    assert r.status == 200, r.text
    first_events = aws.receive(key_part=att_id)

    # The upload URL is still valid (15 minutes): PUT other bytes to it.
    swapped_etag = put_file(up["upload"], SWAPPED)
    assert swapped_etag != up["etag"]
    swap_events = aws.receive(key_part=att_id)

    # Every download serves the checked version.
    r = api.as_user(editor.token).call("files", "GET", f"/files/{att_id}")
    assert r.status == 302
    assert _download(r.headers["location"]) == ORIGINAL
    r = api.as_user(editor.token).call("files", "GET", f"/uploads/{att_id}")
    if r.status == 200 and r.json().get("url"):
        assert _download(r.json()["url"]) == ORIGINAL
    [entry] = _cell(api, sheet, up["record_id"], editor.token)
    assert _download(entry["url"]) == ORIGINAL

    # Extraction never runs on the swapped bytes: the swap's event makes no job, and the job of the
    # completed upload reads only the ETag recorded at completion.
    aws.invoke(first_events + swap_events)
    with session_scope() as session:
        jobs = session.scalars(select(ExtractionJob).where(ExtractionJob.attachment_id == att_id)).all()
        attachment = session.get(Attachment, att_id)
        assert attachment is not None and attachment.etag == up["etag"] and attachment.version_id
        assert {job.etag for job in jobs} == {up["etag"], swapped_etag}
        [swap_job] = [job for job in jobs if job.etag == swapped_etag]
        assert swap_job.status == "failed" and swap_job.error_code == "replaced_after_upload"
        assert all("SWAPPED" not in str(job.result or "") for job in jobs)
        # The completed upload's own job read the recorded version, not the swapped object.
        [own] = [job for job in jobs if job.etag == up["etag"]]
        assert own.status == "done", (own.error_code, own.error_message)


def test_record_cells_keep_a_reference_and_reads_sign_short_lived_urls(api, aws: Aws, sheet: Sheet) -> None:  # noqa: F811
    editor = sheet.world.users["editor"]
    up = start_upload(api, sheet, "drawing.dxf", ORIGINAL)
    att_id = up["attachment_id"]
    assert api.as_user(editor.token).call("files", "POST", f"/uploads/{att_id}/complete").status == 200
    aws.delete(aws.receive(key_part=att_id))
    with session_scope() as session:
        stored = session.scalar(
            select(Record.data).where(Record.table_id == sheet.table_id, Record.id == up["record_id"])
        )
    [kept] = stored[sheet.attachment_field_id]
    assert "url" not in kept and kept["key"] == up["key"] and kept["id"] == att_id

    viewer = sheet.world.users["viewer"]
    [entry] = _cell(api, sheet, up["record_id"], viewer.token)
    query = urllib.parse.parse_qs(urllib.parse.urlparse(entry["url"]).query)
    assert query["X-Amz-Expires"] == ["600"] and query.get("versionId")
    assert _download(entry["url"]) == ORIGINAL
    # The Airtable API signs the same way.
    r = api.as_user(viewer.token).call(
        "airtable", "GET", f"/v0/{sheet.world.base_id}/{sheet.table_id}/{up['record_id']}"
    )
    assert r.status == 200, r.text
    [at_entry] = next(v for v in r.json()["fields"].values() if isinstance(v, list))
    assert "X-Amz-Expires=600" in at_entry["url"]


def test_a_forged_key_in_a_cell_signs_nothing(api, aws: Aws, sheet: Sheet) -> None:  # noqa: F811
    editor = sheet.world.users["editor"]
    other = make_sheet(make_world())
    up = start_upload(api, other, "secret.dxf", ORIGINAL)
    aws.delete(aws.receive(key_part=up["attachment_id"]))
    forged = [
        {"id": up["attachment_id"], "key": up["key"], "filename": "secret.dxf"},  # another tenant's object
        {"id": "att" + secrets.token_hex(7), "key": f"x/{sheet.table_id}/att00000000000000/../../{up['key']}"},
    ]
    r = api.as_user(editor.token).call(
        "records",
        "POST",
        f"/tables/{sheet.table_id}/records",
        body={"fields": {sheet.attachment_field_id: forged}},
    )
    assert r.status == 201, r.text
    cell = r.json()["fields"][sheet.attachment_field_id]
    assert all("url" not in item for item in cell)
    assert all("url" not in item for item in _cell(api, sheet, r.json()["id"], editor.token))
