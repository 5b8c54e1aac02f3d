"""Webhook notifications end to end through a real SQS queue on LocalStack and a local HTTP receiver:
the feeder turns changes into payloads and queues one ping per webhook, the `webhooks` function (event
built as the local poller builds it) POSTs the signed notification, a failing receiver gets retries
with growing delays (the message's visibility) and, after the last attempt, the webhook's
notifications are disabled; non-public addresses are refused at delivery."""

from __future__ import annotations

import http.server
import json
import secrets
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text

from pybase import storage
from pybase.config import get_settings
from pybase.db import session_scope
from pybase.webhooks import delivery, feed
from tests.conftest import Api
from tests.factories import make_api_token, make_base, make_table, make_world
from tests.lambda_events import LambdaContext, load_function
from tests.test_files_support import Aws, aws, poller_module, stack_module  # noqa: F401

MAX_ATTEMPTS = 3
QUEUE_VISIBILITY = 30  # far above the backoff, so a quick redelivery shows the backoff was applied


class Receiver:
    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hook"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    thread = threading.Thread(target=r.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield r
    finally:
        r.httpd.shutdown()
        r.httpd.server_close()


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PYBASE_NETGUARD_ALLOW", "127.0.0.1/32")
    monkeypatch.setenv("PYBASE_WEBHOOK_MAX_ATTEMPTS", str(MAX_ATTEMPTS))
    monkeypatch.setenv("PYBASE_WEBHOOK_BACKOFF_SECONDS", "2")
    monkeypatch.setenv("PYBASE_AIRTABLE_REQUESTS_PER_SECOND", "0")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def queue(aws: Aws, settings: None) -> Iterator[dict[str, Any]]:  # noqa: F811
    sqs = stack_module().aws_client("sqs", aws.endpoint)
    name = f"pybase-t-webhooks-{secrets.token_hex(3)}"
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_ATTEMPTS)})
    attributes = {"VisibilityTimeout": str(QUEUE_VISIBILITY), "RedrivePolicy": redrive}
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    storage.reset_clients()
    yield {"name": name, "url": url, "arn": arn, "dlq_url": dlq_url, "sqs": sqs}
    for queue_url in (url, dlq_url):
        sqs.delete_queue(QueueUrl=queue_url)


def _receive_now(q: dict[str, Any]) -> list[dict[str, Any]]:
    return q["sqs"].receive_message(QueueUrl=q["url"], MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])


def _receive(q: dict[str, Any], timeout: float) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = q["sqs"].receive_message(
            QueueUrl=q["url"], MaxNumberOfMessages=10, WaitTimeSeconds=1, AttributeNames=["All"]
        ).get("Messages", [])
        if got:
            return got
    return []


def _mine(q: dict[str, Any], s: dict[str, Any], timeout: float) -> list[dict[str, Any]]:
    """This test's webhook's messages; pings for other tests' webhooks are dropped."""
    messages = _receive(q, timeout)
    keep = []
    for m in messages:
        if json.loads(m["Body"])["webhook_id"] == s["hook"]["id"]:
            keep.append(m)
        else:
            q["sqs"].delete_message(QueueUrl=q["url"], ReceiptHandle=m["ReceiptHandle"])
    return keep


def _invoke(q: dict[str, Any], messages: list[dict[str, Any]]) -> set[str]:
    """The webhooks function on this batch; deletes what it did not fail, as Lambda's event source does."""
    event = poller_module().sqs_event(messages, queue_arn=q["arn"], region="us-east-1")
    response = load_function("webhooks").handler(event, LambdaContext())
    failed = {item["itemIdentifier"] for item in response["batchItemFailures"]}
    for m in messages:
        if m["MessageId"] not in failed:
            q["sqs"].delete_message(QueueUrl=q["url"], ReceiptHandle=m["ReceiptHandle"])
    return failed


def _setup(url: str) -> dict[str, Any]:
    world = make_world(roles=("owner",))
    token = make_api_token(world.owner, scope="admin")
    base_id = make_base(world.workspace_id, name="Hooked", by=world.owner)
    table = make_table(base_id, name="Parts", by=world.owner)
    api = Api(token)
    spec = {"options": {"filters": {"dataTypes": ["tableData"]}}}
    body = {"notificationUrl": url, "specification": spec}
    r = api.call("airtable", "POST", f"/v0/bases/{base_id}/webhooks", body=body)
    assert r.status == 200, r.text
    return {"api": api, "base_id": base_id, "table_id": table.id, "hook": r.json()}


def _write(s: dict[str, Any], name: str) -> None:
    r = s["api"].call("airtable", "POST", f"/v0/{s['base_id']}/{s['table_id']}", body={"fields": {"Name": name}})
    assert r.status == 200, r.text


def _webhook(s: dict[str, Any]) -> dict[str, Any]:
    listed = s["api"].call("airtable", "GET", f"/v0/bases/{s['base_id']}/webhooks").json()["webhooks"]
    return next(h for h in listed if h["id"] == s["hook"]["id"])


def test_a_change_sends_one_signed_notification(queue: dict[str, Any], receiver: Receiver) -> None:
    from pyairtable.models import WebhookNotification

    s = _setup(receiver.url)
    _write(s, "Bracket")
    _write(s, "Shim")
    recorded, sent = feed.step(feed.sqs_sender(queue["name"]))
    assert recorded >= 2 and sent >= 1
    messages = _mine(queue, s, 10)
    assert len(messages) == 1  # both changes, one ping
    assert _invoke(queue, messages) == set()

    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert headers["content-type"] == "application/json"
    notification = WebhookNotification.from_request(
        body.decode(), headers["x-airtable-content-mac"], s["hook"]["macSecretBase64"]
    )
    assert notification.base.id == s["base_id"] and notification.webhook.id == s["hook"]["id"]
    with pytest.raises(ValueError):
        WebhookNotification.from_request(body.decode(), headers["x-airtable-content-mac"], "d3Jvbmcgc2VjcmV0")

    hook = _webhook(s)
    assert hook["lastNotificationResult"]["success"] is True
    assert hook["lastNotificationResult"]["retryNumber"] == 0
    assert hook["lastSuccessfulNotificationTime"] is not None
    assert hook["cursorForNextPayload"] == 3
    # Nothing new: no second ping.
    assert feed.step(feed.sqs_sender(queue["name"])) == (0, 0)


def test_failures_are_retried_with_backoff_then_notifications_are_disabled(
    queue: dict[str, Any], receiver: Receiver
) -> None:
    receiver.status = 500
    s = _setup(receiver.url)
    _write(s, "Bracket")
    feed.step(feed.sqs_sender(queue["name"]))
    for attempt in range(1, MAX_ATTEMPTS + 1):
        # The queue's own visibility is 30 s: a redelivery within seconds is the function's backoff.
        messages = _mine(queue, s, 10)
        assert len(messages) == 1, f"attempt {attempt}: no redelivery"
        assert messages[0]["Attributes"]["ApproximateReceiveCount"] == str(attempt)
        failed = _invoke(queue, messages)
        result = _webhook(s)["lastNotificationResult"]
        assert result["success"] is False and "HTTP 500" in result["error"]["message"]
        assert result["retryNumber"] == attempt - 1
        if attempt < MAX_ATTEMPTS:
            assert failed == {messages[0]["MessageId"]} and result["willBeRetried"] is True
            assert _receive_now(queue) == []  # not before its delay (2 s, then 4 s)
            assert _webhook(s)["areNotificationsEnabled"] is True
        else:
            assert failed == set() and result["willBeRetried"] is False
    assert len(receiver.requests) == MAX_ATTEMPTS
    assert _webhook(s)["areNotificationsEnabled"] is False
    assert _mine(queue, s, 5) == []
    assert queue["sqs"].receive_message(QueueUrl=queue["dlq_url"], WaitTimeSeconds=0).get("Messages") is None

    # Payloads are still recorded while notifications are off, and no ping goes out.
    _write(s, "Shim")
    recorded, _ = feed.step(feed.sqs_sender(queue["name"]))
    assert recorded >= 1 and _mine(queue, s, 2) == []
    # Turning them on again pings for what is waiting.
    receiver.status = 204
    r = s["api"].call("airtable", "POST", f"/v0/bases/{s['base_id']}/webhooks/{s['hook']['id']}/enableNotifications",
                      body={"enable": True})  # fmt: skip
    assert r.status == 200
    feed.step(feed.sqs_sender(queue["name"]))
    assert _invoke(queue, _mine(queue, s, 10)) == set()
    assert _webhook(s)["lastNotificationResult"]["success"] is True


def test_non_public_addresses_are_refused_at_delivery(
    settings: None, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = _setup(receiver.url)  # allowed while PYBASE_NETGUARD_ALLOW lets 127.0.0.1 through
    monkeypatch.delenv("PYBASE_NETGUARD_ALLOW")
    outcome = delivery.deliver({"webhook_id": s["hook"]["id"]}, attempt=1, max_attempts=1)
    assert outcome.status == "failed" and "non-public" in (outcome.error or "")
    assert receiver.requests == []
    hook = _webhook(s)
    assert hook["areNotificationsEnabled"] is False
    assert "non-public" in hook["lastNotificationResult"]["error"]["message"]


def test_backoff_doubles_up_to_the_longest_visibility() -> None:
    assert [delivery.backoff_seconds(n, 30) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert delivery.backoff_seconds(30, 30) == 12 * 3600


def test_payloads_never_come_from_the_write_path(settings: None) -> None:
    """A write records its change event only; payloads appear once a feeder pass reads the log."""
    s = _setup("https://example.com/hook")
    _write(s, "Bracket")
    with session_scope() as session:
        count = session.execute(
            text("SELECT count(*) FROM webhook_payloads WHERE webhook_id = :w"), {"w": s["hook"]["id"]}
        ).scalar_one()
    assert count == 0
    with session_scope() as session:
        feed.catch_up(session)
    assert _webhook(s)["cursorForNextPayload"] == 2
