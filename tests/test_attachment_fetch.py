"""Attachments given by URL (fetched by the attachfetch function) and Airtable's uploadAttachment,
against real PostgreSQL, LocalStack S3/SQS and a local HTTP server serving the files."""

from __future__ import annotations

import base64
import http.server
import json
import secrets
import threading
import urllib.request
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from pyairtable import Api as AirtableApi

from pybase.db import session_scope
from pybase.files.models import Attachment
from tests.airtable_transport import LambdaAdapter
from tests.factories import make_api_token, make_world
from tests.lambda_events import LambdaContext, load_function
from tests.test_files_support import Aws, Sheet, add_record, aws, make_sheet, poller_module  # noqa: F401


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    header = (1).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(
        b"IEND", b""
    )


PNG = _png()
FILES: dict[str, tuple[str, bytes]] = {
    "/logo.png": ("image/png", PNG),
    "/download": ("image/png", PNG),  # no extension: the type the server gives names the kind
    "/big.png": ("image/png", PNG + b"\x00" * 5000),
    "/page.html": ("text/html", b"<html>not a file</html>"),
    "/fake.png": ("text/html", b"<html>not a png</html>"),
}


class _Files(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        found = FILES.get(self.path)
        if found is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", found[0])
        self.send_header("Content-Length", str(len(found[1])))
        self.end_headers()
        self.wfile.write(found[1])

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()


@pytest.fixture
def fetch_queue(aws: Aws, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:  # noqa: F811
    name = f"pybase-t-attachfetch-{secrets.token_hex(3)}"
    url = aws.sqs.create_queue(QueueName=name)["QueueUrl"]
    monkeypatch.setenv("PYBASE_ATTACHMENT_FETCH_QUEUE", name)
    monkeypatch.setenv("PYBASE_NETGUARD_ALLOW", "127.0.0.1/32")
    try:
        yield url
    finally:
        aws.sqs.delete_queue(QueueUrl=url)


@pytest.fixture(scope="module")
def sheet() -> Sheet:
    return make_sheet(make_world())


def _run_fetches(aws: Aws, queue_url: str, expected: int) -> dict[str, Any]:  # noqa: F811
    """Receive the fetch messages the writes sent and run the attachfetch function on them."""
    messages: list[dict[str, Any]] = []
    for _ in range(10):
        answer = aws.sqs.receive_message(
            QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1, AttributeNames=["All"]
        )
        messages += answer.get("Messages", [])
        if len(messages) >= expected:
            break
    assert len(messages) == expected
    arn = aws.sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    event = poller_module().sqs_event(messages, queue_arn=arn, region="us-east-1")
    response = load_function("attachfetch").handler(event, LambdaContext())
    for message in messages:
        aws.sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return response


def _write(api: Any, sheet: Sheet, items: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    record_id = add_record(sheet)
    r = api.as_user(sheet.world.users["editor"].token).call(
        "records", "PATCH", f"/tables/{sheet.table_id}/records/{record_id}",
        body={"fields": {sheet.attachment_field_id: items}},
    )  # fmt: skip
    assert r.status == 200, r.text
    return record_id, r.json()["fields"][sheet.attachment_field_id]


def _cell(api: Any, sheet: Sheet, record_id: str) -> list[dict[str, Any]]:
    r = api.as_user(sheet.world.users["viewer"].token).call(
        "records", "GET", f"/tables/{sheet.table_id}/records/{record_id}"
    )
    assert r.status == 200, r.text
    return list(r.json()["fields"][sheet.attachment_field_id])


def _row(attachment_id: str) -> Attachment:
    with session_scope() as session:
        row = session.get(Attachment, attachment_id)
        assert row is not None
        session.expunge(row)
        return row


def test_url_attachment_gets_an_id_at_once_and_is_fetched_into_storage(
    api: Any, aws: Aws, sheet: Sheet, server: str, fetch_queue: str  # noqa: F811
) -> None:
    record_id, written = _write(api, sheet, [{"url": f"{server}/logo.png"}, {"url": f"{server}/download"}])
    assert [item["status"] for item in written] == ["pending", "pending"]
    assert all(item["id"].startswith("att") for item in written)
    assert written[0]["url"] == f"{server}/logo.png" and written[0]["filename"] == "logo.png"
    assert _row(written[0]["id"]).status == "pending"

    response = _run_fetches(aws, fetch_queue, 2)
    assert response == {"batchItemFailures": []}
    cell = _cell(api, sheet, record_id)
    assert [item["id"] for item in cell] == [item["id"] for item in written]
    for item in cell:
        assert "status" not in item and item["type"] == "image/png" and item["size"] == len(PNG)
        assert item["url"].startswith(aws.endpoint) and item["key"].startswith(f"{sheet.world.base_id}/")
        with urllib.request.urlopen(item["url"], timeout=10) as got:
            assert got.read() == PNG
    assert cell[1]["filename"] == "download.png"
    assert _row(written[0]["id"]).status == "uploaded" and _row(written[0]["id"]).size == len(PNG)

    # A second delivery of the same message changes nothing.
    aws.sqs.send_message(
        QueueUrl=fetch_queue, MessageBody=json.dumps({"attachment_id": written[0]["id"], "url": f"{server}/big.png"})
    )
    assert _run_fetches(aws, fetch_queue, 1) == {"batchItemFailures": []}
    assert _row(written[0]["id"]).size == len(PNG)
    assert [item["id"] for item in _cell(api, sheet, record_id)] == [item["id"] for item in written]


def test_without_a_fetch_queue_the_file_is_fetched_before_the_write_is_answered(
    api: Any, aws: Aws, sheet: Sheet, server: str, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    # S3 is there (LocalStack) but no fetch queue is configured, as in a local run without attachfetch.
    monkeypatch.delenv("PYBASE_ATTACHMENT_FETCH_QUEUE", raising=False)
    monkeypatch.setenv("PYBASE_NETGUARD_ALLOW", "127.0.0.1/32")
    record_id, written = _write(api, sheet, [{"url": f"{server}/logo.png"}])
    assert _row(written[0]["id"]).status == "uploaded"
    [item] = _cell(api, sheet, record_id)
    assert item["id"] == written[0]["id"] and "status" not in item and item["size"] == len(PNG)
    with urllib.request.urlopen(item["url"], timeout=10) as got:
        assert got.read() == PNG


@pytest.mark.parametrize(
    ("path", "allow", "reason"),
    [
        ("/logo.png", False, "non-public address"),
        ("/big.png", True, "larger than the upload limit"),
        ("/page.html", True, "not accepted"),
        ("/fake.png", True, "cannot have the content type"),
        ("/nothing.png", True, "HTTP 404"),
    ],
)
def test_refused_url_leaves_a_failed_attachment_with_the_reason(
    api: Any, aws: Aws, sheet: Sheet, server: str, fetch_queue: str, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
    path: str, allow: bool, reason: str,
) -> None:  # fmt: skip
    from pybase.config import get_settings

    if not allow:
        monkeypatch.delenv("PYBASE_NETGUARD_ALLOW")
    monkeypatch.setenv("PYBASE_MAX_UPLOAD_BYTES", "4096")
    get_settings.cache_clear()
    try:
        record_id, written = _write(api, sheet, [{"url": f"{server}{path}"}])
        assert _run_fetches(aws, fetch_queue, 1) == {"batchItemFailures": []}
    finally:
        monkeypatch.delenv("PYBASE_MAX_UPLOAD_BYTES")
        get_settings.cache_clear()
    row = _row(written[0]["id"])
    assert row.status == "failed" and reason in (row.error or "")
    [item] = _cell(api, sheet, record_id)
    assert item["id"] == written[0]["id"] and item["status"] == "failed" and reason in item["error"]
    assert item["url"] == f"{server}{path}" and "key" not in item
    objects = aws.s3.list_objects_v2(Bucket=aws.bucket, Prefix=f"{sheet.world.base_id}/{sheet.table_id}/{row.id}/")
    assert objects.get("KeyCount", 0) == 0


def _airtable(token: str) -> AirtableApi:
    client = AirtableApi(token)
    # uploadAttachment goes to content.airtable.com: PyBase serves it on the API's own host.
    for host in ("https://api.airtable.com", "https://content.airtable.com"):
        client.session.mount(host, LambdaAdapter("airtable"))
    return client


def test_pyairtable_url_attachment_and_upload_attachment(
    aws: Aws, sheet: Sheet, server: str, fetch_queue: str  # noqa: F811
) -> None:
    world = sheet.world
    table = _airtable(make_api_token(world.owner, scope="admin")).table(world.base_id, sheet.table_id)
    created = table.create({"Files": [{"url": f"{server}/logo.png", "filename": "a.png"}]})
    assert created["fields"]["Files"][0]["id"].startswith("att")
    _run_fetches(aws, fetch_queue, 1)

    answer = table.upload_attachment(created["id"], "Files", "notes.txt", b"Hello, World!")
    assert answer["id"] == created["id"] and answer["createdTime"] == created["createdTime"]
    files = answer["fields"][sheet.attachment_field_id]
    assert [(f["filename"], f["type"], f["size"]) for f in files] == [
        ("a.png", "image/png", len(PNG)), ("notes.txt", "text/plain", 13)
    ]
    with urllib.request.urlopen(files[1]["url"], timeout=10) as got:
        assert got.read() == b"Hello, World!"
    assert [f["filename"] for f in table.get(created["id"])["fields"]["Files"]] == ["a.png", "notes.txt"]


def test_upload_attachment_refusals(api: Any, aws: Aws, sheet: Sheet) -> None:  # noqa: F811
    world = sheet.world
    record_id = add_record(sheet)
    path = f"/v0/{world.base_id}/{record_id}/{sheet.attachment_field_id}/uploadAttachment"
    editor = api.as_user(world.users["editor"].token)

    def post(body: dict[str, Any], who: Any = editor) -> Any:
        return who.call("airtable", "POST", path, body=body)

    ok = {"contentType": "text/plain", "filename": "a.txt", "file": base64.b64encode(b"hi").decode()}
    too_big = base64.b64encode(b"x" * (5 * 1024 * 1024 + 1)).decode()
    r = post({**ok, "file": too_big})
    assert r.status == 413 and r.json()["error"]["type"] == "REQUEST_TOO_LARGE"
    r = post({**ok, "file": "not base64!"})
    assert r.status == 422 and r.json()["error"]["type"] == "INVALID_REQUEST_BODY"
    r = post({**ok, "filename": "run.exe"})
    assert r.status == 422, r.text
    r = post(ok, api.as_user(world.users["viewer"].token))
    assert r.status == 403, r.text
    r = editor.call(
        "airtable", "POST", f"/v0/{world.base_id}/recAAAAAAAAAAAAAA/{sheet.attachment_field_id}/uploadAttachment",
        body=ok,
    )  # fmt: skip
    assert r.status == 404
    r = editor.call("airtable", "POST", path.replace(sheet.attachment_field_id, "Nope"), body=ok)
    assert r.status == 422 and r.json()["error"]["type"] == "UNKNOWN_FIELD_NAME"
    with session_scope() as session:
        assert session.query(Attachment).filter(Attachment.record_id == record_id).count() == 0
    r = post(ok)
    assert r.status == 200, r.text
    assert [f["filename"] for f in r.json()["fields"][sheet.attachment_field_id]] == ["a.txt"]
    assert json.loads(r.text)["id"] == record_id
