"""Uploads through the files function (in-process) against real PostgreSQL and LocalStack S3."""

from __future__ import annotations

import urllib.request

import pytest
from sqlalchemy import func, select

from pybase.db import session_scope
from pybase.events.models import ChangeEvent
from pybase.files.models import Attachment
from pybase.files.service import safe_filename
from tests.factories import make_world
from tests.test_files_support import Aws, Sheet, add_record, aws, make_sheet, put_file  # noqa: F401

DXF_BYTES = b"  0\nSECTION\n  2\nENTITIES\n  0\nENDSEC\n  0\nEOF\n"


@pytest.fixture(scope="module")
def sheet() -> Sheet:
    return make_sheet(make_world())


def _upload_body(sheet: Sheet, **overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "table_id": sheet.table_id,
        "record_id": sheet.record_id,
        "field_id": sheet.attachment_field_id,
        "filename": "part.dxf",
        "content_type": "application/octet-stream",
        "size": len(DXF_BYTES),
    }
    body.update(overrides)
    return body


def _record(sheet: Sheet, record_id: str | None = None) -> dict[str, object]:
    from pybase.records import service as records

    with session_scope() as session:
        return records.get_record(
            session,
            principal=sheet.world.owner.principal,
            table_id=sheet.table_id,
            record_id=record_id or sheet.record_id,
        )


def test_safe_filename_keeps_only_safe_characters() -> None:
    assert safe_filename("../../etc/passwd.DXF") == "passwd.dxf"
    assert safe_filename("Bearing housing (rev C).pdf") == "Bearing_housing_rev_C.pdf"
    assert safe_filename("Ø12 Welle äöü.dxf") == "12_Welle_aou.dxf"
    assert safe_filename("...dxf") == "file.dxf"
    assert safe_filename("%2e%2e%2fx.pdf") == "2e_2e_2fx.pdf"
    assert "/" not in safe_filename("a/b\\c.pdf") and safe_filename("a/b\\c.pdf") == "c.pdf"


def test_upload_roundtrip_puts_the_attachment_on_the_record(api, aws: Aws, sheet: Sheet) -> None:  # noqa: F811
    editor = sheet.world.users["editor"]
    record_id = add_record(sheet)
    r = api.as_user(editor.token).call(
        "files", "POST", "/uploads", body=_upload_body(sheet, record_id=record_id, filename="../Bracket plate #2.dxf")
    )
    assert r.status == 201, r.text
    out = r.json()
    att_id = out["attachment_id"]
    assert out["key"] == f"{sheet.world.base_id}/{sheet.table_id}/{att_id}/Bracket_plate_2.dxf"
    assert out["upload"]["method"] == "PUT" and out["upload"]["headers"] == {"content-type": "image/vnd.dxf"}
    assert out["max_bytes"] == 100 * 1024 * 1024

    # Before the PUT, completing is refused and nothing lands on the record.
    r = api.as_user(editor.token).call("files", "POST", f"/uploads/{att_id}/complete")
    assert r.status == 412, r.text

    etag = put_file(out["upload"], DXF_BYTES)
    r = api.as_user(editor.token).call("files", "POST", f"/uploads/{att_id}/complete")
    assert r.status == 200, r.text
    done = r.json()
    assert done["status"] == "uploaded" and done["size"] == len(DXF_BYTES) and done["job_id"].startswith("job")
    assert done["filename"] == "../Bracket plate #2.dxf"

    entries = _record(sheet, record_id)["fields"][sheet.attachment_field_id]
    assert len(entries) == 1
    entry = entries[0]
    assert entry["id"] == att_id and entry["size"] == len(DXF_BYTES) and entry["type"] == "image/vnd.dxf"
    assert entry["filename"] == "../Bracket plate #2.dxf"
    with urllib.request.urlopen(entry["url"], timeout=10) as response:
        assert response.read() == DXF_BYTES

    # Completing again (a retry) changes nothing: still one entry, the same job.
    r = api.as_user(editor.token).call("files", "POST", f"/uploads/{att_id}/complete")
    assert r.status == 200 and r.json()["job_id"] == done["job_id"]
    assert len(_record(sheet, record_id)["fields"][sheet.attachment_field_id]) == 1

    with session_scope() as session:
        attachment = session.get(Attachment, att_id)
        assert attachment is not None and attachment.etag == etag
        types = list(
            session.scalars(
                select(ChangeEvent.type).where(ChangeEvent.table_id == sheet.table_id).order_by(ChangeEvent.id)
            )
        )
    assert types.count("attachment.uploaded") >= 1 and "records.updated" in types and "job.updated" in types

    # Download: viewers get a redirect to a presigned GET; outsiders see nothing.
    viewer = sheet.world.users["viewer"]
    r = api.as_user(viewer.token).call("files", "GET", f"/files/{att_id}")
    assert r.status == 302
    with urllib.request.urlopen(r.headers["location"], timeout=10) as response:
        assert response.read() == DXF_BYTES
        assert "attachment;" in response.headers.get("content-disposition", "")
    r = api.as_user(viewer.token).call("files", "GET", f"/files/{att_id}", query={"redirect": "false"})
    assert r.status == 200 and r.json()["url"].startswith("http")
    r = api.as_user(sheet.world.outsider.token).call("files", "GET", f"/files/{att_id}")
    assert r.status == 404


def test_second_upload_appends_and_keeps_the_first(api, aws: Aws, sheet: Sheet) -> None:  # noqa: F811
    editor = sheet.world.users["editor"]
    record_id = add_record(sheet)
    ids = []
    for name in ("a.pdf", "b.png"):
        ctype = "application/pdf" if name.endswith("pdf") else "image/png"
        r = api.as_user(editor.token).call(
            "files",
            "POST",
            "/uploads",
            body=_upload_body(sheet, record_id=record_id, filename=name, content_type=ctype, size=3),
        )
        assert r.status == 201, r.text
        put_file(r.json()["upload"], b"abc")
        done = api.as_user(editor.token).call("files", "POST", f"/uploads/{r.json()['attachment_id']}/complete")
        assert done.status == 200, done.text
        ids.append(r.json()["attachment_id"])
    assert done.json()["job_id"] is None  # PNG: nothing to extract
    entries = _record(sheet, record_id)["fields"][sheet.attachment_field_id]
    assert [e["id"] for e in entries] == ids


@pytest.mark.parametrize(
    ("role", "status"), [("viewer", 403), ("commenter", 403), ("editor", 201), ("admin", 201), ("owner", 201)]
)
def test_upload_needs_editor(api, aws: Aws, sheet: Sheet, role: str, status: int) -> None:  # noqa: F811
    r = api.as_user(sheet.world.users[role].token).call("files", "POST", "/uploads", body=_upload_body(sheet))
    assert r.status == status, r.text


def test_upload_refusals(api, aws: Aws, sheet: Sheet) -> None:  # noqa: F811
    call = api.as_user(sheet.world.users["editor"].token).call
    before = _count_attachments()
    cases = [
        (_upload_body(sheet, size=100 * 1024 * 1024 + 1), 413, "payload_too_large"),
        (_upload_body(sheet, size=0), 422, "validation_failed"),
        (_upload_body(sheet, filename="virus.exe"), 415, "unsupported_media_type"),
        (_upload_body(sheet, filename="noextension"), 415, "unsupported_media_type"),
        (_upload_body(sheet, filename="page.html", content_type="text/html"), 415, "unsupported_media_type"),
        (_upload_body(sheet, filename="part.pdf", content_type="image/png"), 415, "unsupported_media_type"),
        (_upload_body(sheet, field_id=sheet.dimension_field_id), 422, "validation_failed"),
        (_upload_body(sheet, field_id="fldXXXXXXXXXXXXXX"), 404, "not_found"),
        (_upload_body(sheet, record_id="recXXXXXXXXXXXXXX"), 404, "not_found"),
        (_upload_body(sheet, record_id="../../x"), 404, "not_found"),
        (_upload_body(sheet, table_id="tblXXXXXXXXXXXXXX"), 404, "not_found"),
        (_upload_body(sheet, size=-1), 422, "validation_failed"),
        (_upload_body(sheet, filename="a\x00.pdf"), 422, "validation_failed"),
    ]
    for body, status, code in cases:
        r = call("files", "POST", "/uploads", body=body)
        assert (r.status, r.json()["error"]["code"]) == (status, code), (body, r.text)
    assert _count_attachments() == before
    r = api.as_user(sheet.world.outsider.token).call("files", "POST", "/uploads", body=_upload_body(sheet))
    assert r.status == 404


def test_upload_limits_match_what_uploads_refuse(api, aws: Aws, sheet: Sheet, monkeypatch) -> None:  # noqa: F811
    monkeypatch.setenv("PYBASE_MAX_UPLOAD_BYTES", "4096")
    from pybase.config import get_settings

    get_settings.cache_clear()
    try:
        call = api.as_user(sheet.world.users["viewer"].token).call
        r = call("files", "GET", "/uploads/limits")
        assert r.status == 200, r.text
        limits = r.json()
        assert limits["max_bytes"] == 4096
        kinds = {k["extension"]: k for k in limits["kinds"]}
        assert kinds[".dxf"]["extracted"] and kinds[".pdf"]["extracted"] and kinds[".ifc"]["extracted"]
        assert not kinds[".png"]["extracted"] and ".exe" not in kinds
        assert "application/dxf" in kinds[".dxf"]["accepted"]
        editor = api.as_user(sheet.world.users["editor"].token).call
        r = editor("files", "POST", "/uploads", body=_upload_body(sheet, size=4097))
        assert r.status == 413 and r.json()["error"]["details"]["max_bytes"] == 4096
        assert api.as_user(None).call("files", "GET", "/uploads/limits").status == 401
    finally:
        monkeypatch.delenv("PYBASE_MAX_UPLOAD_BYTES")
        get_settings.cache_clear()


def _count_attachments() -> int:
    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(Attachment)) or 0)


def test_oversized_object_is_rejected_and_deleted(api, aws: Aws, sheet: Sheet, monkeypatch) -> None:  # noqa: F811
    from pybase.config import get_settings

    editor = sheet.world.users["editor"]
    monkeypatch.setenv("PYBASE_MAX_UPLOAD_BYTES", "1000")
    get_settings.cache_clear()
    try:
        r = api.as_user(editor.token).call(
            "files", "POST", "/uploads", body=_upload_body(sheet, filename="x.txt", content_type="text/plain", size=10)
        )
        assert r.status == 201
        out = r.json()
        put_file(out["upload"], b"x" * 5000)  # lies about its size: the PUT URL cannot cap it
        r = api.as_user(editor.token).call("files", "POST", f"/uploads/{out['attachment_id']}/complete")
        assert r.status == 413, r.text
        objects = aws.s3.list_objects_v2(Bucket=aws.bucket, Prefix=out["key"]).get("Contents", [])
        assert objects == []
        assert all(
            e.get("id") != out["attachment_id"] for e in _record(sheet)["fields"].get(sheet.attachment_field_id, [])
        )
    finally:
        monkeypatch.delenv("PYBASE_MAX_UPLOAD_BYTES")
        get_settings.cache_clear()


def test_unknown_attachment_and_not_uploaded_file(api, aws: Aws, sheet: Sheet) -> None:  # noqa: F811
    call = api.as_user(sheet.world.users["editor"].token).call
    assert call("files", "GET", "/files/attXXXXXXXXXXXXXX").status == 404
    assert call("files", "GET", "/files/../../etc").status == 404
    assert call("files", "POST", "/uploads/attXXXXXXXXXXXXXX/complete").status == 404
    r = call("files", "POST", "/uploads", body=_upload_body(sheet))
    assert call("files", "GET", f"/files/{r.json()['attachment_id']}").status == 404


def test_api_function_imports_no_cad_pdf_or_aws_libraries() -> None:
    import os
    import subprocess
    import sys

    from tests.lambda_events import ROOT

    code = (
        "import sys; from tests.lambda_events import load_function; load_function('files'); "
        "print(sorted(m for m in ('ezdxf', 'pypdf', 'pypdfium2', 'boto3', 'pybase.extraction') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": f"{ROOT / 'shared'}:{ROOT}"},
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
