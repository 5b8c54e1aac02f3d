"""Fixtures and helpers for the files and extraction job tests (no tests here).

`aws` gives real S3 and SQS: the endpoint in AWS_ENDPOINT_URL (as `make test` arranges), or a
LocalStack started for this pytest session when its virtualenv is installed (`make localstack`);
otherwise the tests that need it are skipped with that reason. Each session gets its own bucket,
extract queue and dead-letter queue, wired like serverless.yml (ObjectCreated for .dxf/.pdf -> queue).
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pytest

from tests.lambda_events import ROOT, LambdaContext, load_function

TEST_VISIBILITY_TIMEOUT = 2
TEST_MAX_RECEIVE_COUNT = 2
SUFFIXES = (".dxf", ".DXF", ".pdf", ".PDF", ".step", ".stp", ".ifc")


def _load(path: str, name: str) -> ModuleType:
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def stack_module() -> ModuleType:
    return _load("infra/stack.py", "pybase_infra_stack")


def poller_module() -> ModuleType:
    return _load("infra/sqs_poller.py", "pybase_infra_sqs_poller")


@dataclass
class Aws:
    endpoint: str
    bucket: str
    queue_name: str
    queue_url: str
    queue_arn: str
    dlq_url: str
    s3: Any
    sqs: Any
    seen: set[str] = field(default_factory=set)

    def receive(self, *, key_part: str | None = None, count: int = 1, timeout: float = 10.0) -> list[dict[str, Any]]:
        """Receive (without deleting) messages whose body mentions `key_part`, until `count` arrived.

        Messages of other tests go back to the queue at once.
        """
        found: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while len(found) < count and time.monotonic() < deadline:
            response = self.sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=10,
                WaitTimeSeconds=1,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            for message in response.get("Messages", []):
                if key_part is None or key_part in message["Body"]:
                    found.append(message)
                else:
                    self.sqs.change_message_visibility(
                        QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                    )
        return found

    def delete(self, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])

    def event(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        """The Lambda SQS event for these messages, built exactly as the local poller builds it."""
        return poller_module().sqs_event(messages, queue_arn=self.queue_arn, region="us-east-1")

    def invoke(self, messages: list[dict[str, Any]]) -> dict[str, Any]:
        """Run the extract function in-process on these messages; delete the ones it did not fail."""
        try:
            response = load_function("extract").handler(self.event(messages), LambdaContext())
        except Exception as exc:  # as on Lambda: the whole batch failed and every message comes back
            return {"error": type(exc).__name__}
        failed = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
        self.delete([m for m in messages if m["MessageId"] not in failed])
        return response


def put_file(upload: dict[str, Any], data: bytes) -> str:
    """PUT the bytes to a presigned URL, as a browser would; returns the ETag."""
    request = urllib.request.Request(upload["url"], data=data, method=upload["method"], headers=upload["headers"])
    with urllib.request.urlopen(request, timeout=30) as response:
        return str(response.headers.get("ETag", "")).strip('"')


def _start_localstack(tmp: Any) -> tuple[str, Any]:
    mod = stack_module()
    if not (mod.LOCALSTACK_VENV / "bin" / "python").exists():
        pytest.skip("S3/SQS tests need LocalStack: set AWS_ENDPOINT_URL or run `make localstack` (or `make test`)")
    services = mod.Stack()
    try:
        endpoint = mod.start_localstack(services, tmp / "localstack", mod.free_port())
    except Exception as exc:
        services.stop()
        pytest.skip(f"LocalStack did not start: {exc}")
    return endpoint, services


@pytest.fixture(scope="session")
def aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Aws]:
    started = None
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    saved = {
        k: os.environ.get(k)
        for k in (
            "AWS_ENDPOINT_URL",
            "PYBASE_FILES_BUCKET",
            "PYBASE_EXTRACT_QUEUE",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "POWERTOOLS_TRACE_DISABLED",
        )
    }
    if not endpoint:
        endpoint, started = _start_localstack(tmp_path_factory.mktemp("files-aws"))
        # Later session fixtures (the e2e stack) reuse this LocalStack instead of starting another.
        os.environ["AWS_ENDPOINT_URL"] = endpoint
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "test")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "test")
    os.environ["POWERTOOLS_TRACE_DISABLED"] = "true"
    suffix = secrets.token_hex(3)
    bucket, queue = f"pybase-t-files-{suffix}", f"pybase-t-extract-{suffix}"
    mod = stack_module()
    s3, sqs = mod.aws_client("s3", endpoint), mod.aws_client("sqs", endpoint)
    dlq_url = sqs.create_queue(QueueName=queue + "-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(TEST_MAX_RECEIVE_COUNT)})
    queue_url = sqs.create_queue(
        QueueName=queue, Attributes={"VisibilityTimeout": str(TEST_VISIBILITY_TIMEOUT), "RedrivePolicy": redrive}
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})  # as serverless.yml
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {
                    "QueueArn": queue_arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "suffix", "Value": suffix_}]}},
                }
                for suffix_ in SUFFIXES
            ]
        },
    )
    os.environ["PYBASE_FILES_BUCKET"] = bucket
    os.environ["PYBASE_EXTRACT_QUEUE"] = queue
    from pybase import storage
    from pybase.config import get_settings

    get_settings.cache_clear()
    storage.reset_clients()
    # LocalStack may send an s3:TestEvent when notifications are set: drop it.
    for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get(
        "Messages", []
    ):
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    try:
        yield Aws(endpoint, bucket, queue, queue_url, queue_arn, dlq_url, s3, sqs)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()
        storage.reset_clients()
        if started is not None:
            started.stop()


@dataclass
class Sheet:
    """A table with an attachment field, a dimension field and one record, for upload tests."""

    world: Any
    table_id: str
    attachment_field_id: str
    dimension_field_id: str
    record_id: str


def make_sheet(world: Any) -> Sheet:
    from pybase.db import session_scope
    from pybase.fields import service as fields_service
    from pybase.records import service as records
    from tests.factories import make_table

    owner = world.owner
    table = make_table(world.base_id, name=f"Drawings {secrets.token_hex(2)}", by=owner)
    with session_scope() as session:
        att = fields_service.create_field(
            session, principal=owner.principal, table_id=table.id, name="Files", type="attachment"
        )
        dim = fields_service.create_field(
            session, principal=owner.principal, table_id=table.id, name="Size", type="dimension", options={"unit": "mm"}
        )
        rec = records.create_records(
            session, principal=owner.principal, table_id=table.id, records=[{"fields": {table.primary_field_id: "A"}}]
        )[0]
    return Sheet(world, table.id, att["id"], dim["id"], rec["id"])


def add_record(sheet: Sheet) -> str:
    from pybase.db import session_scope
    from pybase.records import service as records

    with session_scope() as session:
        return records.create_records(
            session, principal=sheet.world.owner.principal, table_id=sheet.table_id, records=[{"fields": {}}]
        )[0]["id"]


def start_upload(
    api: Any, sheet: Sheet, filename: str, data: bytes, content_type: str = "application/octet-stream"
) -> dict[str, Any]:
    """Ask for an upload to a new record of the sheet and PUT the bytes (no /complete call)."""
    record_id = add_record(sheet)
    r = api.as_user(sheet.world.users["editor"].token).call(
        "files",
        "POST",
        "/uploads",
        body={
            "table_id": sheet.table_id,
            "record_id": record_id,
            "field_id": sheet.attachment_field_id,
            "filename": filename,
            "content_type": content_type,
            "size": max(len(data), 1),
        },
    )
    assert r.status == 201, r.text
    out = r.json()
    out["record_id"] = record_id
    out["etag"] = put_file(out["upload"], data)
    return out


def extracted_job(api: Any, aws: Aws, sheet: Sheet, filename: str, data: bytes) -> str:
    """Upload, let the S3 event run the extract function, and return the finished job's ID."""
    from sqlalchemy import select

    from pybase.db import session_scope
    from pybase.jobs.models import ExtractionJob

    up = start_upload(api, sheet, filename, data)
    messages = aws.receive(key_part=up["attachment_id"])
    assert aws.invoke(messages) == {"batchItemFailures": []}
    with session_scope() as session:
        job = session.scalar(select(ExtractionJob).where(ExtractionJob.attachment_id == up["attachment_id"]))
        assert job is not None and job.status == "done", job and job.error_message
        return job.id
