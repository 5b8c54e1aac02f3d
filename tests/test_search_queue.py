"""The indexing path through a real SQS queue on LocalStack: the feeder sends what the change log
says changed, the `index` function takes the batch (event built as the local poller builds it) and
reports only failing messages, and a message that keeps failing reaches the dead-letter queue by the
queue's own redrive policy."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest

from pybase import storage
from pybase.config import get_settings
from pybase.db import get_engine
from pybase.search import feeder
from tests.conftest import Api
from tests.factories import make_world
from tests.lambda_events import LambdaContext, load_function
from tests.test_files_support import Aws, aws, poller_module, stack_module  # noqa: F401

VISIBILITY = 2
MAX_RECEIVES = 2


@pytest.fixture(scope="module")
def index_queue(aws: Aws) -> Iterator[dict[str, Any]]:  # noqa: F811
    sqs = stack_module().aws_client("sqs", aws.endpoint)
    name = f"pybase-t-index-{secrets.token_hex(3)}"
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVES)})
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": str(VISIBILITY), "RedrivePolicy": redrive})[
        "QueueUrl"
    ]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    storage.reset_clients()
    get_settings.cache_clear()
    yield {"name": name, "url": url, "arn": arn, "dlq_url": dlq_url, "sqs": sqs}
    for queue in (url, dlq_url):
        sqs.delete_queue(QueueUrl=queue)


def _receive(sqs: Any, url: str, want: int, timeout: float = 15) -> list[dict[str, Any]]:
    got: list[dict[str, Any]] = []
    deadline = time.monotonic() + timeout
    while len(got) < want and time.monotonic() < deadline:
        got += sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, AttributeNames=["All"]).get(
            "Messages", []
        )
    return got


def _invoke(q: dict[str, Any], messages: list[dict[str, Any]]) -> dict[str, Any]:
    """The index function on this batch; deletes what it did not fail, as Lambda's event source does."""
    event = poller_module().sqs_event(messages, queue_arn=q["arn"], region="us-east-1")
    try:
        response = load_function("index").handler(event, LambdaContext())
    except Exception as exc:  # every message failed: Powertools raises, Lambda returns the whole batch
        return {"error": type(exc).__name__}
    failed = {item["itemIdentifier"] for item in response["batchItemFailures"]}
    for m in messages:
        if m["MessageId"] not in failed:
            q["sqs"].delete_message(QueueUrl=q["url"], ReceiptHandle=m["ReceiptHandle"])
    return response


def test_changes_go_through_the_queue_and_a_poison_message_reaches_the_dlq(index_queue: dict[str, Any]) -> None:
    q = index_queue
    feed = feeder.Feeder(feeder.sqs_sender(q["name"]), name=f"test-queue-{secrets.token_hex(3)}")
    with get_engine().connect() as conn:
        feed.poll(conn, start_at_end=True)
    world = make_world(roles=("owner",))
    api = Api(world.owner.token)
    r = api.call("records", "POST", f"/tables/{world.table.id}/records", body={"fields": {"Name": "Quenched axle"}},
                 query={"field_key": "name"})  # fmt: skip
    assert r.status == 201, r.text
    record_id = r.json()["id"]
    with get_engine().connect() as conn:
        assert feed.poll(conn) > 0
    messages = _receive(q["sqs"], q["url"], 1)
    assert any(json.loads(m["Body"]).get("record_ids") == [record_id] for m in messages)
    # A message that fails on every try (a table ID of the wrong type) next to good ones.
    q["sqs"].send_message(QueueUrl=q["url"], MessageBody=json.dumps({"op": "table", "table_id": 12345}))
    messages += _receive(q["sqs"], q["url"], 1)
    poison = [m for m in messages if json.loads(m["Body"]).get("table_id") == 12345]
    assert len(poison) == 1
    response = _invoke(q, messages)
    assert response == {"batchItemFailures": [{"itemIdentifier": poison[0]["MessageId"]}]}
    found = api.call("records", "GET", f"/tables/{world.table.id}/search", query={"q": "quench"}).json()
    assert [h["record_id"] for h in found["results"]] == [record_id]
    # Redelivered after the visibility timeout, failing again; then the queue moves it to the DLQ.
    again = _receive(q["sqs"], q["url"], 1, timeout=VISIBILITY + 10)
    assert [m["MessageId"] for m in again] == [poison[0]["MessageId"]]
    assert _invoke(q, again) == {"error": "BatchProcessingError"}
    assert _receive(q["sqs"], q["url"], 1, timeout=VISIBILITY + 3) == []
    dead = _receive(q["sqs"], q["dlq_url"], 1)
    assert [json.loads(m["Body"]) for m in dead] == [{"op": "table", "table_id": 12345}]


def test_an_unknown_message_is_acknowledged_not_retried(index_queue: dict[str, Any]) -> None:
    q = index_queue
    q["sqs"].send_message(QueueUrl=q["url"], MessageBody="not json")
    q["sqs"].send_message(QueueUrl=q["url"], MessageBody=json.dumps({"op": "nonsense"}))
    messages = _receive(q["sqs"], q["url"], 2)
    assert _invoke(q, messages) == {"batchItemFailures": []}
    assert _receive(q["sqs"], q["url"], 1, timeout=VISIBILITY + 2) == []
