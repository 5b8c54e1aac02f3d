"""The extract function on real S3 notifications: LocalStack S3 -> SQS -> the handler (in-process),
with real PostgreSQL. Covers results, thumbnails, duplicates, reordering and every failure case.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from pybase.db import session_scope, utcnow
from pybase.events.models import ChangeEvent
from pybase.files.models import Attachment
from pybase.jobs.models import ExtractionJob
from tests.factories import make_world
from tests.fixtures import make_cad
from tests.test_files_support import (  # noqa: F401
    TEST_MAX_RECEIVE_COUNT,
    Aws,
    Sheet,
    aws,
    make_sheet,
    put_file,
    start_upload,
)


@pytest.fixture(scope="module")
def sheet() -> Sheet:
    return make_sheet(make_world())


def _jobs_for(attachment_id: str) -> list[ExtractionJob]:
    with session_scope() as session:
        return list(session.scalars(select(ExtractionJob).where(ExtractionJob.attachment_id == attachment_id)))


def _job(api: Any, sheet: Sheet, job_id: str) -> dict:
    r = api.as_user(sheet.world.users["viewer"].token).call("files", "GET", f"/extraction-jobs/{job_id}")
    assert r.status == 200, r.text
    return r.json()


def _record_files(sheet: Sheet, record_id: str) -> list[dict]:
    from pybase.records import service as records

    with session_scope() as session:
        rec = records.get_record(
            session, principal=sheet.world.owner.principal, table_id=sheet.table_id, record_id=record_id
        )
    return rec["fields"].get(sheet.attachment_field_id, [])


def test_dxf_event_extracts_and_adds_a_preview(api, aws: Aws, sheet: Sheet) -> None:  # noqa: F811
    up = start_upload(api, sheet, "housing drawing.dxf", make_cad.make_dxf())
    messages = aws.receive(key_part=up["attachment_id"])
    assert len(messages) == 1
    body = json.loads(messages[0]["Body"])
    assert body["Records"][0]["eventName"].startswith("ObjectCreated")
    response = aws.invoke(messages)
    assert response == {"batchItemFailures": []}

    jobs = _jobs_for(up["attachment_id"])
    assert len(jobs) == 1
    job = _job(api, sheet, jobs[0].id)
    assert job["status"] == "done" and job["progress"] == 100 and job["error"] is None
    assert job["format"] == "dxf" and job["attempts"] == 1 and job["filename"] == "housing drawing.dxf"
    kinds = {d["kind"].split("_")[0] for d in job["result"]["dimensions"]}
    assert {"linear", "aligned", "angular", "radial", "diameter", "ordinate"} <= kinds
    assert job["summary"]["dimensions"] == len(job["result"]["dimensions"]) and job["summary"]["inserts"] >= 3
    assert job["result"]["title_block"]["fields"]
    for name in ("download_ms", "extract_ms", "thumbnail_ms", "total_ms"):
        assert job["timings"][name] >= 0

    # The S3 event alone (no /complete call) put the file on the record, with its SVG preview.
    files = _record_files(sheet, up["record_id"])
    assert len(files) == 1 and files[0]["id"] == up["attachment_id"] and files[0]["size"] > 0
    thumbs = files[0]["thumbnails"]
    assert thumbs[0]["type"] == "image/svg+xml" and thumbs[0]["url"].startswith("http")
    import urllib.request

    with urllib.request.urlopen(thumbs[0]["url"], timeout=10) as response_:
        assert b"<svg" in response_.read()

    with session_scope() as session:
        statuses = [
            e.payload["status"]
            for e in session.scalars(
                select(ChangeEvent).where(ChangeEvent.type == "job.updated").order_by(ChangeEvent.id)
            )
            if e.payload.get("job_id") == jobs[0].id
        ]
    assert statuses[0] == "queued" and "running" in statuses and statuses[-1] == "done"

    # Listing: per table and per attachment.
    r = api.as_user(sheet.world.users["viewer"].token).call(
        "files", "GET", "/extraction-jobs", query={"attachment_id": up["attachment_id"]}
    )
    assert r.status == 200 and [j["id"] for j in r.json()["jobs"]] == [jobs[0].id]
    assert "result" not in r.json()["jobs"][0] or r.json()["jobs"][0]["result"] is None
    r = api.as_user(sheet.world.outsider.token).call("files", "GET", f"/extraction-jobs/{jobs[0].id}")
    assert r.status == 404


def test_pdf_event_and_complete_share_one_job(api, aws: Aws, sheet: Sheet) -> None:  # noqa: F811
    up = start_upload(api, sheet, "assembly.pdf", make_cad.make_pdf(), "application/pdf")
    r = api.as_user(sheet.world.users["editor"].token).call("files", "POST", f"/uploads/{up['attachment_id']}/complete")
    assert r.status == 200 and r.json()["job_id"]
    messages = aws.receive(key_part=up["attachment_id"])
    assert aws.invoke(messages) == {"batchItemFailures": []}
    jobs = _jobs_for(up["attachment_id"])
    assert [j.id for j in jobs] == [r.json()["job_id"]]
    job = _job(api, sheet, jobs[0].id)
    assert job["status"] == "done" and job["result"]["page_count"] == 2
    assert any(t["kind"] == "bom" for t in job["result"]["tables"])
    [entry] = _record_files(sheet, up["record_id"])
    # The first page rendered as PNG (pypdfium2), shown on the attachment object.
    assert entry["thumbnails"][0]["type"] == "image/png" and entry["thumbnails"][0]["width"] > 0


def test_duplicate_and_reencoded_events_make_one_job(api, aws: Aws, sheet: Sheet) -> None:  # noqa: F811
    up = start_upload(api, sheet, "dup.dxf", make_cad.make_dxf_text_titleblock())
    [message] = aws.receive(key_part=up["attachment_id"])
    body = message["Body"]
    # The same notification again, and once more with the key URL-encoded as S3 sends special characters.
    aws.sqs.send_message(QueueUrl=aws.queue_url, MessageBody=body)
    encoded = body.replace(up["key"], up["key"].replace("/", "%2F"))
    assert encoded != body
    aws.sqs.send_message(QueueUrl=aws.queue_url, MessageBody=encoded)
    copies = aws.receive(key_part=up["attachment_id"], count=2)
    batch = [message, *copies]
    assert len(batch) == 3
    # One batch with all three (the function sees them together), then a late replay of the first.
    assert aws.invoke(batch) == {"batchItemFailures": []}
    aws.sqs.send_message(QueueUrl=aws.queue_url, MessageBody=body)
    assert aws.invoke(aws.receive(key_part=up["attachment_id"])) == {"batchItemFailures": []}
    jobs = _jobs_for(up["attachment_id"])
    assert len(jobs) == 1 and jobs[0].status == "done" and jobs[0].attempts == 1
    assert len(_record_files(sheet, up["record_id"])) == 1


def test_reordered_versions_keep_the_newest(api, aws: Aws, sheet: Sheet) -> None:  # noqa: F811
    up = start_upload(api, sheet, "rev.dxf", make_cad.make_dxf_text_titleblock())
    [first] = aws.receive(key_part=up["attachment_id"])
    put_file(up["upload"], make_cad.make_dxf())  # the same presigned URL, a second version
    [second] = aws.receive(key_part=up["attachment_id"])
    # Newest first, then the stale one.
    assert aws.invoke([second]) == {"batchItemFailures": []}
    assert aws.invoke([first]) == {"batchItemFailures": []}
    jobs = {j.etag: j for j in _jobs_for(up["attachment_id"])}
    assert len(jobs) == 2
    old_etag = json.loads(first["Body"])["Records"][0]["s3"]["object"]["eTag"].strip('"')
    new_etag = json.loads(second["Body"])["Records"][0]["s3"]["object"]["eTag"].strip('"')
    assert jobs[new_etag].status == "done"
    assert jobs[old_etag].status == "failed" and jobs[old_etag].error_code in ("superseded", "object_missing")
    assert len(_record_files(sheet, up["record_id"])) == 1


@pytest.mark.parametrize(
    ("filename", "maker", "code"),
    [
        ("locked.pdf", lambda: make_cad.make_pdf(owner_password="o", user_password="u"), "encrypted"),
        ("broken.pdf", make_cad.make_corrupt_pdf, "corrupt"),
        ("broken.dxf", make_cad.make_corrupt_dxf, "corrupt"),
        ("empty.dxf", lambda: b"", "empty"),
        ("picture.pdf", lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "corrupt"),
        ("notes.dxf", lambda: b"just some words, not a drawing\n" * 20, "corrupt"),
    ],
)
def test_bad_files_fail_once_and_are_acknowledged(api, aws: Aws, sheet: Sheet, filename, maker, code) -> None:  # noqa: F811
    up = start_upload(api, sheet, filename, maker())
    messages = aws.receive(key_part=up["attachment_id"])
    assert len(messages) == 1
    assert aws.invoke(messages) == {"batchItemFailures": []}  # acknowledged: never retried
    [job] = _jobs_for(up["attachment_id"])
    out = _job(api, sheet, job.id)
    assert out["status"] == "failed" and out["error"]["code"] == code and out["error"]["message"], out
    assert out["attempts"] == 1 and out["result"] is None
    # Nothing comes back after the visibility timeout.
    assert aws.receive(key_part=up["attachment_id"], timeout=3.5) == []


def test_oversized_file_fails_without_download(api, aws: Aws, sheet: Sheet, monkeypatch) -> None:  # noqa: F811
    from pybase.config import get_settings

    up = start_upload(api, sheet, "big.dxf", make_cad.make_dxf())
    messages = aws.receive(key_part=up["attachment_id"])
    monkeypatch.setenv("PYBASE_MAX_UPLOAD_BYTES", "1000")
    get_settings.cache_clear()
    try:
        assert aws.invoke(messages) == {"batchItemFailures": []}
    finally:
        monkeypatch.delenv("PYBASE_MAX_UPLOAD_BYTES")
        get_settings.cache_clear()
    [job] = _jobs_for(up["attachment_id"])
    assert job.status == "failed" and job.error_code == "too_large" and "download_ms" not in job.timings
    with session_scope() as session:
        attachment = session.get(Attachment, up["attachment_id"])
        assert attachment.status == "rejected" and "above the limit" in attachment.error
    assert aws.s3.list_objects_v2(Bucket=aws.bucket, Prefix=up["key"]).get("Contents", []) == []
    assert _record_files(sheet, up["record_id"]) == []


def test_unknown_objects_and_test_events_are_ignored(api, aws: Aws, sheet: Sheet) -> None:  # noqa: F811
    aws.s3.put_object(Bucket=aws.bucket, Key="elsewhere/some file.dxf", Body=make_cad.make_dxf_text_titleblock())
    stray = aws.receive(key_part="elsewhere")
    assert len(stray) == 1
    assert "some%20file.dxf" in stray[0]["Body"] or "some+file.dxf" in stray[0]["Body"]
    aws.sqs.send_message(
        QueueUrl=aws.queue_url,
        MessageBody=json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": aws.bucket, "x": "t3st"}),
    )
    aws.sqs.send_message(QueueUrl=aws.queue_url, MessageBody="not json t3st")
    test_events = aws.receive(key_part="t3st", count=2)
    with session_scope() as session:
        before = session.scalar(select(func.count()).select_from(ExtractionJob))
    assert aws.invoke(stray + test_events) == {"batchItemFailures": []}
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(ExtractionJob)) == before


def test_busy_job_is_retried_then_dead_lettered(api, aws: Aws, sheet: Sheet) -> None:  # noqa: F811
    """A job another worker holds fails only its own message; SQS redelivers it, then moves it to the DLQ."""
    up = start_upload(api, sheet, "busy.dxf", make_cad.make_dxf_text_titleblock())
    busy_msg = aws.receive(key_part=up["attachment_id"])
    ok = start_upload(api, sheet, "fine.dxf", make_cad.make_dxf_text_titleblock())
    ok_msg = aws.receive(key_part=ok["attachment_id"])
    r = api.as_user(sheet.world.users["editor"].token).call("files", "POST", f"/uploads/{up['attachment_id']}/complete")
    with session_scope() as session:
        job = session.get(ExtractionJob, r.json()["job_id"])
        job.status = "running"  # as if a worker had just claimed it
        job.updated_at = utcnow()
    response = aws.invoke(busy_msg + ok_msg)
    assert response == {"batchItemFailures": [{"itemIdentifier": busy_msg[0]["MessageId"]}]}
    assert _jobs_for(ok["attachment_id"])[0].status == "done"
    # Redelivered after the visibility timeout until maxReceiveCount, then in the dead-letter queue.
    for _ in range(TEST_MAX_RECEIVE_COUNT - 1):
        again = aws.receive(key_part=up["attachment_id"], timeout=6)
        assert len(again) == 1
        # Powertools raises when every record of a batch failed: Lambda then retries the whole batch.
        assert aws.invoke(again) == {"error": "BatchProcessingError"}
    deadline = time.monotonic() + 10
    dead: list[dict] = []
    while not dead and time.monotonic() < deadline:
        aws.receive(key_part=up["attachment_id"], count=1, timeout=1)  # a receive triggers the redrive
        dead = [
            m
            for m in aws.sqs.receive_message(QueueUrl=aws.dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
                "Messages", []
            )
            if up["attachment_id"] in m["Body"]
        ]
    assert dead, "the message did not reach the dead-letter queue"
    with session_scope() as session:
        assert session.get(Attachment, up["attachment_id"]).status == "uploaded"


def test_large_result_is_kept_in_s3_and_still_mappable(api, aws: Aws, sheet: Sheet, monkeypatch) -> None:  # noqa: F811
    import urllib.request

    from pybase.jobs import service as jobs_service

    # A lower threshold than the 512 KB default keeps the drawing (and the test) small.
    monkeypatch.setattr(jobs_service, "INLINE_RESULT_BYTES", 20_000)
    INLINE_RESULT_BYTES = jobs_service.INLINE_RESULT_BYTES
    up = start_upload(api, sheet, "big.dxf", make_cad.make_big_dxf(2000))
    assert aws.invoke(aws.receive(key_part=up["attachment_id"])) == {"batchItemFailures": []}
    [job] = _jobs_for(up["attachment_id"])
    assert job.status == "done" and job.result is None and job.result_bytes > INLINE_RESULT_BYTES
    assert job.result_key == f"{up['key'].rsplit('/', 1)[0]}/results/{job.id}.json"
    out = _job(api, sheet, job.id)
    assert out["result"] is None and out["result_url"]
    with urllib.request.urlopen(out["result_url"], timeout=10) as response:
        stored = json.loads(response.read())
    assert stored["format"] == "dxf" and len(stored["dimensions"]) == out["summary"]["dimensions"] > 3
    r = api.as_user(sheet.world.users["viewer"].token).call(
        "files", "GET", f"/extraction-jobs/{job.id}/mapping", query={"source": "blocks"}
    )
    assert r.status == 200 and r.json()["row_count"] == out["summary"]["inserts"] > 30


def test_job_listing_pages_and_validates(api, aws: Aws, sheet: Sheet) -> None:  # noqa: F811
    call = api.as_user(sheet.world.users["viewer"].token).call
    seen: list[str] = []
    cursor = None
    while True:
        query = {"table_id": sheet.table_id, "limit": 2, **({"cursor": cursor} if cursor else {})}
        r = call("files", "GET", "/extraction-jobs", query=query)
        assert r.status == 200, r.text
        seen += [j["id"] for j in r.json()["jobs"]]
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    with session_scope() as session:
        expected = session.scalar(
            select(func.count()).select_from(ExtractionJob).where(ExtractionJob.table_id == sheet.table_id)
        )
    assert len(seen) == len(set(seen)) == expected >= 3
    failed = call("files", "GET", "/extraction-jobs", query={"table_id": sheet.table_id, "status": "failed"})
    assert failed.status == 200 and all(j["status"] == "failed" for j in failed.json()["jobs"])
    assert call("files", "GET", "/extraction-jobs").status == 422
    assert call("files", "GET", "/extraction-jobs", query={"table_id": sheet.table_id, "status": "weird"}).status == 422
    assert call("files", "GET", "/extraction-jobs", query={"table_id": sheet.table_id, "cursor": "@@"}).status == 422
    assert call("files", "GET", "/extraction-jobs/jobXXXXXXXXXXXXXX").status == 404
    outsider = api.as_user(sheet.world.outsider.token).call
    assert outsider("files", "GET", "/extraction-jobs", query={"table_id": sheet.table_id}).status == 404


def test_record_deleted_before_the_event_still_extracts(api, aws: Aws, sheet: Sheet) -> None:  # noqa: F811
    from pybase.records import service as records

    up = start_upload(api, sheet, "orphan.dxf", make_cad.make_dxf_text_titleblock())
    with session_scope() as session:
        records.delete_records(
            session, principal=sheet.world.owner.principal, table_id=sheet.table_id, record_ids=[up["record_id"]]
        )
    assert aws.invoke(aws.receive(key_part=up["attachment_id"])) == {"batchItemFailures": []}
    [job] = _jobs_for(up["attachment_id"])
    assert job.status == "done"
    with session_scope() as session:
        attachment = session.get(Attachment, up["attachment_id"])
        assert attachment.status == "uploaded" and attachment.error.startswith("Not added to the record")


def test_job_whose_workers_keep_dying_fails_for_good(api, aws: Aws, sheet: Sheet) -> None:  # noqa: F811
    from datetime import timedelta

    from pybase.jobs.service import MAX_ATTEMPTS, RUNNING_LEASE

    up = start_upload(api, sheet, "crashy.dxf", make_cad.make_dxf_text_titleblock())
    r = api.as_user(sheet.world.users["editor"].token).call("files", "POST", f"/uploads/{up['attachment_id']}/complete")
    with session_scope() as session:
        job = session.get(ExtractionJob, r.json()["job_id"])
        job.status, job.attempts = "running", MAX_ATTEMPTS
        job.updated_at = utcnow() - RUNNING_LEASE - timedelta(seconds=1)  # its last worker vanished
    assert aws.invoke(aws.receive(key_part=up["attachment_id"])) == {"batchItemFailures": []}
    [job] = _jobs_for(up["attachment_id"])
    assert job.status == "failed" and job.error_code == "worker_crashed" and job.attempts == MAX_ATTEMPTS
