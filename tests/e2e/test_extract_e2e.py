"""Files end to end: the HTTP API through serverless offline, presigned PUTs to LocalStack S3, the S3
notification on SQS, the local SQS event source invoking the extract function, then the job result
and the records mapped from it, read back through the HTTP API."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from pybase.db import session_scope
from pybase.jobs.models import ExtractionJob
from tests.e2e.conftest import E2EStack
from tests.factories import make_table, make_world
from tests.fixtures import make_cad
from tests.test_files_support import Sheet, add_record, make_sheet

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sheet() -> Sheet:
    return make_sheet(make_world())


def _call(stack: E2EStack, token: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.request(
        method, f"{stack.http_url}{path}", headers={"authorization": f"Bearer {token}"}, timeout=60, **kwargs
    )


def _upload(stack: E2EStack, sheet: Sheet, filename: str, data: bytes, content_type: str) -> dict[str, Any]:
    token = sheet.world.users["editor"].token
    record_id = add_record(sheet)
    r = _call(
        stack,
        token,
        "POST",
        "/uploads",
        json={
            "table_id": sheet.table_id,
            "record_id": record_id,
            "field_id": sheet.attachment_field_id,
            "filename": filename,
            "content_type": content_type,
            "size": len(data),
        },
    )
    assert r.status_code == 201, r.text + stack.logs()
    out = r.json()
    assert out["upload"]["url"].startswith(stack.aws_endpoint_url or "http")
    put = httpx.put(out["upload"]["url"], content=data, headers=out["upload"]["headers"], timeout=30)
    assert put.status_code == 200, put.text
    out["record_id"] = record_id
    out["etag"] = put.headers["etag"].strip('"')
    return out


def _wait_job(stack: E2EStack, sheet: Sheet, attachment_id: str, timeout: float = 90) -> dict[str, Any]:
    token = sheet.world.users["viewer"].token
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        r = _call(stack, token, "GET", "/extraction-jobs", params={"attachment_id": attachment_id})
        assert r.status_code == 200, r.text
        jobs = r.json()["jobs"]
        last = jobs
        if jobs and jobs[0]["status"] in ("done", "failed"):
            r = _call(stack, token, "GET", f"/extraction-jobs/{jobs[0]['id']}")
            assert r.status_code == 200
            return r.json()
        time.sleep(0.3)
    raise AssertionError(f"no finished job for {attachment_id}: {last}\n{stack.logs()}")


def _queue_drained(stack: E2EStack, name: str, timeout: float = 30) -> None:
    sqs = stack.sqs()
    url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        attrs = sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        )["Attributes"]
        if int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"]) == 0:
            return
        time.sleep(0.3)
    raise AssertionError(f"queue {name} still has messages\n{stack.logs()}")


def _dlq_count(stack: E2EStack) -> int:
    sqs = stack.sqs()
    url = sqs.get_queue_url(QueueName=f"{stack.extract_queue}-dlq")["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"])


def test_dxf_upload_to_records(stack: E2EStack, sheet: Sheet) -> None:
    up = _upload(stack, sheet, "Housing drawing.dxf", make_cad.make_dxf(), "application/octet-stream")
    # No /complete call: the S3 event alone attaches the file and runs the extraction.
    job = _wait_job(stack, sheet, up["attachment_id"])
    assert job["status"] == "done", job
    assert job["format"] == "dxf" and job["result"]["title_block"]["fields"]
    assert {d["kind"] for d in job["result"]["dimensions"]} >= {"linear", "diameter", "radial", "ordinate_x"}

    owner = sheet.world.owner.token
    # The preview is rendered right after the job is done; wait for it to reach the record.
    deadline = time.monotonic() + 30
    while True:
        record = _call(stack, owner, "GET", f"/tables/{sheet.table_id}/records/{up['record_id']}")
        assert record.status_code == 200, record.text
        [entry] = record.json()["fields"][sheet.attachment_field_id]
        if entry.get("thumbnails") or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert entry["id"] == up["attachment_id"] and entry["thumbnails"][0]["type"] == "image/svg+xml"

    target = make_table(sheet.world.base_id, by=sheet.world.owner).id
    suggestion = _call(
        stack,
        owner,
        "GET",
        f"/extraction-jobs/{job['id']}/mapping",
        params={"table_id": target, "source": "dimensions"},
    ).json()
    r = _call(
        stack,
        owner,
        "POST",
        f"/extraction-jobs/{job['id']}/mapping",
        json={
            "table_id": target,
            "source": "dimensions",
            "create_missing_fields": True,
            "columns": [{"source": c["source"], "field": c["field"]} for c in suggestion["columns"]],
        },
    )
    assert r.status_code == 201, r.text + stack.logs()
    mapped = r.json()["record_ids"]
    assert len(mapped) == suggestion["row_count"] > 5
    listing = _call(stack, owner, "GET", f"/tables/{target}/records", params={"page_size": 100})
    assert listing.status_code == 200, listing.text
    got = listing.json()["records"]
    assert sorted(rec["id"] for rec in got) == sorted(mapped)
    fields = {f["name"]: f["id"] for f in _call(stack, owner, "GET", f"/tables/{target}/fields").json()["fields"]}
    values = [rec["fields"].get(fields["Value"]) for rec in got]
    assert any(v and v["value"] == 100 and (v.get("tolerance") or {}).get("plus") == 0.05 for v in values), values


def test_pdf_upload_with_complete_and_bom_mapping(stack: E2EStack, sheet: Sheet) -> None:
    up = _upload(stack, sheet, "assembly.pdf", make_cad.make_pdf(), "application/pdf")
    editor = sheet.world.users["editor"].token
    r = _call(stack, editor, "POST", f"/uploads/{up['attachment_id']}/complete")
    assert r.status_code == 200, r.text
    job_id = r.json()["job_id"]
    job = _wait_job(stack, sheet, up["attachment_id"])
    assert job["id"] == job_id and job["status"] == "done" and job["result"]["page_count"] == 2

    admin = sheet.world.users["admin"].token
    target = make_table(sheet.world.base_id, by=sheet.world.owner).id
    suggestion = _call(stack, admin, "GET", f"/extraction-jobs/{job_id}/mapping", params={"table_id": target}).json()
    assert suggestion["source"] == "bom"
    r = _call(
        stack,
        admin,
        "POST",
        f"/extraction-jobs/{job_id}/mapping",
        json={
            "table_id": target,
            "source": "bom",
            "create_missing_fields": True,
            "columns": [{"source": c["source"], "field": c["field"]} for c in suggestion["columns"]],
        },
    )
    assert r.status_code == 201, r.text
    listing = _call(stack, admin, "GET", f"/tables/{target}/records", params={"page_size": 100}).json()["records"]
    fields = {f["name"]: f["id"] for f in _call(stack, admin, "GET", f"/tables/{target}/fields").json()["fields"]}
    parts = {rec["fields"].get(fields["PART NO"]) for rec in listing}
    assert {"PB-1001-01", "6204-2RS"} <= parts and len(listing) == suggestion["row_count"]


def _notification(stack: E2EStack, key: str, etag: str, size: int) -> str:
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return json.dumps(
        {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "awsRegion": "us-east-1",
                    "eventTime": now,
                    "eventName": "ObjectCreated:Put",
                    "userIdentity": {"principalId": "AWS:e2e"},
                    "requestParameters": {"sourceIPAddress": "127.0.0.1"},
                    "responseElements": {"x-amz-request-id": "E2E0000000000000", "x-amz-id-2": "e2e"},
                    "s3": {
                        "s3SchemaVersion": "1.0",
                        "configurationId": "e2e",
                        "bucket": {
                            "name": stack.files_bucket,
                            "ownerIdentity": {"principalId": "e2e"},
                            "arn": f"arn:aws:s3:::{stack.files_bucket}",
                        },
                        "object": {
                            "key": key.replace(" ", "+"),
                            "size": size,
                            "eTag": etag,
                            "sequencer": uuid.uuid4().hex[:16].upper(),
                        },
                    },
                }
            ]
        }
    )


def test_duplicated_s3_event_makes_one_job(stack: E2EStack, sheet: Sheet) -> None:
    data = make_cad.make_dxf_text_titleblock()
    up = _upload(stack, sheet, "plate.dxf", data, "image/vnd.dxf")
    first = _wait_job(stack, sheet, up["attachment_id"])
    assert first["status"] == "done"
    sqs = stack.sqs()
    url = sqs.get_queue_url(QueueName=stack.extract_queue)["QueueUrl"]
    body = _notification(stack, up["key"], up["etag"], len(data))
    sqs.send_message(QueueUrl=url, MessageBody=body)
    sqs.send_message(QueueUrl=url, MessageBody=body)
    _queue_drained(stack, stack.extract_queue)
    with session_scope() as session:
        jobs = list(session.scalars(select(ExtractionJob).where(ExtractionJob.attachment_id == up["attachment_id"])))
    assert len(jobs) == 1 and jobs[0].attempts == 1 and jobs[0].status == "done"
    record = _call(stack, sheet.world.owner.token, "GET", f"/tables/{sheet.table_id}/records/{up['record_id']}")
    assert len(record.json()["fields"][sheet.attachment_field_id]) == 1


def test_corrupt_file_fails_once_and_leaves_the_queue(stack: E2EStack, sheet: Sheet) -> None:
    dlq_before = _dlq_count(stack)
    up = _upload(stack, sheet, "broken.pdf", make_cad.make_corrupt_pdf(), "application/pdf")
    job = _wait_job(stack, sheet, up["attachment_id"])
    assert job["status"] == "failed" and job["error"]["code"] == "corrupt" and job["attempts"] == 1
    _queue_drained(stack, stack.extract_queue)
    assert _dlq_count(stack) == dlq_before


def test_dead_lettered_message_fails_its_job(stack: E2EStack, sheet: Sheet) -> None:
    """A message in the extract queue's dead-letter queue (here: a worker killed mid-file on its last
    delivery) reaches the deadletter function through the local SQS event source; the job ends failed."""
    from datetime import timedelta

    from pybase.db import utcnow
    from pybase.jobs.service import running_lease

    data = make_cad.make_dxf_text_titleblock()
    up = _upload(stack, sheet, "killed.dxf", data, "image/vnd.dxf")
    first = _wait_job(stack, sheet, up["attachment_id"])
    assert first["status"] == "done"
    with session_scope() as session:
        job = session.get(ExtractionJob, first["id"])
        # Rewind the finished job to a worker that claimed it and vanished.
        job.status, job.progress, job.result, job.finished_at = "running", 30, None, None
        job.updated_at = utcnow() - running_lease() - timedelta(seconds=1)
    sqs = stack.sqs()
    dlq_url = sqs.get_queue_url(QueueName=f"{stack.extract_queue}-dlq")["QueueUrl"]
    sqs.send_message(QueueUrl=dlq_url, MessageBody=_notification(stack, up["key"], up["etag"], len(data)))
    job_out = _wait_job(stack, sheet, up["attachment_id"])
    assert job_out["status"] == "failed" and job_out["error"]["code"] == "not_processed", job_out
    assert "worker stopped" in job_out["error"]["message"]
    _queue_drained(stack, f"{stack.extract_queue}-dlq")
