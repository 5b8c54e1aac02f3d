"""The local SQS event source (infra/sqs_poller.py) against LocalStack and serverless offline.

Uses the test-stage-only `sqsProbe` function (tests/e2e/sqs_probe_handler.py; batchSize 5,
ReportBatchItemFailures, timeout 3 s) on a queue with a 4 s visibility timeout and a dead-letter
queue after 2 receives. Also unit checks of the poller's pure parts.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import PROBE_MAX_RECEIVE_COUNT, E2EStack
from tests.lambda_events import ROOT


def _poller() -> Any:
    name = "pybase_infra_sqs_poller"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "infra" / "sqs_poller.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def wait_for(check: Callable[[], Any], timeout: float, what: str, stack: E2EStack | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}\n{stack.logs() if stack else ''}")


def queue_url(stack: E2EStack, name: str) -> str:
    return stack.sqs().get_queue_url(QueueName=name)["QueueUrl"]


def send(stack: E2EStack, *bodies: dict[str, Any]) -> None:
    sqs = stack.sqs()
    entries = [{"Id": str(i), "MessageBody": json.dumps(body)} for i, body in enumerate(bodies)]
    result = sqs.send_message_batch(QueueUrl=queue_url(stack, stack.probe_queue or ""), Entries=entries)
    assert not result.get("Failed"), result


def dlq_bodies(stack: E2EStack) -> list[dict[str, Any]]:
    sqs = stack.sqs()
    url = queue_url(stack, f"{stack.probe_queue}-dlq")
    found = []
    for _ in range(3):
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", []):
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return found


def seen(stack: E2EStack, ident: str) -> list[dict[str, Any]]:
    return [record for record in stack.probe_records() if record["id"] == ident]


def queue_empty(stack: E2EStack) -> bool:
    attrs = stack.sqs().get_queue_attributes(
        QueueUrl=queue_url(stack, stack.probe_queue or ""),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return attrs["ApproximateNumberOfMessages"] == "0" and attrs["ApproximateNumberOfMessagesNotVisible"] == "0"


# ---------------------------------------------------------------------------------------------------
# Unit checks of the poller's semantics (no services)


def test_sources_are_read_from_serverless_config() -> None:
    poller = _poller()
    config = {
        "service": "pybase",
        "provider": {"stage": "local", "timeout": 29},
        "functions": {
            "extract": {
                "name": "pybase-local-extract",
                "timeout": 300,
                "events": [
                    {
                        "sqs": {
                            "arn": {"Fn::GetAtt": ["ExtractQueue", "Arn"]},
                            "batchSize": 5,
                            "functionResponseType": "ReportBatchItemFailures",
                        }
                    }
                ],
            },
            "other": {"events": [{"sqs": "arn:aws:sqs:us-east-1:000000000000:plain"}]},
            "off": {"events": [{"sqs": {"arn": "arn:aws:sqs:us-east-1:0:x", "enabled": False}}]},
            "api": {"events": [{"httpApi": "GET /x"}]},
        },
        "resources": {"Resources": {"ExtractQueue": {"Properties": {"QueueName": "pybase-extract"}}}},
    }
    sources = {s.function: s for s in poller.sqs_sources(config)}
    assert set(sources) == {"extract", "other"}
    extract = sources["extract"]
    assert (extract.function_name, extract.queue_name) == ("pybase-local-extract", "pybase-extract")
    assert extract.batch_size == 5
    assert extract.report_failures and extract.timeout == 300
    other = sources["other"]
    assert (other.function_name, other.queue_name, other.batch_size) == ("pybase-local-other", "plain", 10)
    assert not other.report_failures and other.timeout == 29


def test_batch_item_failure_rules_follow_lambda() -> None:
    failed = _poller().failed_ids
    ids = {"a", "b"}
    assert failed(None, ids, True) == set()
    assert failed({}, ids, True) == set()
    assert failed({"batchItemFailures": []}, ids, True) == set()
    assert failed({"batchItemFailures": [{"itemIdentifier": "b"}]}, ids, True) == {"b"}
    # Invalid responses fail the whole batch.
    assert failed({"batchItemFailures": [{"itemIdentifier": ""}]}, ids, True) is None
    assert failed({"batchItemFailures": [{"itemIdentifier": "zzz"}]}, ids, True) is None
    assert failed({"batchItemFailures": [{"id": "a"}]}, ids, True) is None
    assert failed("oops", ids, True) is None
    # Without ReportBatchItemFailures, a successful invocation deletes everything.
    assert failed({"batchItemFailures": [{"itemIdentifier": "b"}]}, ids, False) == set()


# ---------------------------------------------------------------------------------------------------
# Through LocalStack and serverless offline


@pytest.mark.e2e
def test_batch_with_a_partial_failure(stack: E2EStack) -> None:
    run = uuid.uuid4().hex[:8]
    oks = [f"{run}-ok{i}" for i in range(3)]
    bad = f"{run}-fail"
    send(stack, {"id": oks[0], "action": "ok"}, {"id": bad, "action": "fail"},
         {"id": oks[1], "action": "ok"}, {"id": oks[2], "action": "ok"})  # fmt: skip

    # The failing message is retried until the queue's redrive policy moves it to the DLQ.
    wait_for(lambda: len(seen(stack, bad)) >= PROBE_MAX_RECEIVE_COUNT, 40, "retries of the failing message", stack)
    moved = wait_for(lambda: [b for b in dlq_bodies(stack) if b["id"] == bad], 30, "the DLQ", stack)
    assert moved == [{"id": bad, "action": "fail"}]
    wait_for(lambda: queue_empty(stack), 20, "the queue to drain", stack)

    attempts = seen(stack, bad)
    assert [a["receiveCount"] for a in attempts] == list(range(1, PROBE_MAX_RECEIVE_COUNT + 1))
    for ident in oks:
        # Reported as succeeded: deleted after the first delivery, never seen again.
        records = seen(stack, ident)
        assert len(records) == 1, records
        assert records[0]["receiveCount"] == 1
    first = seen(stack, oks[0])[0]
    assert first["eventSource"] == "aws:sqs"
    assert first["eventSourceARN"].endswith(f":{stack.probe_queue}")
    assert first["hasReceiptHandle"]
    assert 1 <= first["batchSize"] <= 5


@pytest.mark.e2e
def test_handler_error_fails_the_whole_batch_and_the_runtime_survives(stack: E2EStack) -> None:
    run = uuid.uuid4().hex[:8]
    boom = f"{run}-raise"
    send(stack, {"id": boom, "action": "raise"})
    wait_for(lambda: [b for b in dlq_bodies(stack) if b["id"] == boom], 45, "the raising message in the DLQ", stack)
    assert [r["receiveCount"] for r in seen(stack, boom)] == [1, 2]

    after = f"{run}-after"
    send(stack, {"id": after, "action": "ok"})
    wait_for(lambda: seen(stack, after), 20, "a message after the error", stack)
    wait_for(lambda: queue_empty(stack), 20, "the queue to drain", stack)
    assert len(seen(stack, after)) == 1


@pytest.mark.e2e
def test_crash_and_timeout_are_batch_failures_and_the_function_recovers(stack: E2EStack) -> None:
    run = uuid.uuid4().hex[:8]
    crash = f"{run}-exit"
    send(stack, {"id": crash, "action": "exit"})
    wait_for(lambda: len(seen(stack, crash)) >= 1, 20, "the crashing message", stack)
    pids = {r["pid"] for r in seen(stack, crash)}

    ok = f"{run}-ok"
    send(stack, {"id": ok, "action": "ok"})
    wait_for(lambda: seen(stack, ok), 30, "a message after the crash", stack)
    # A fresh Python runtime replaced the one that died.
    assert seen(stack, ok)[0]["pid"] not in pids

    slow = f"{run}-sleep"
    send(stack, {"id": slow, "action": "sleep"})
    wait_for(lambda: len(seen(stack, slow)) >= 1, 20, "the slow message", stack)
    later = f"{run}-later"
    send(stack, {"id": later, "action": "ok"})
    wait_for(lambda: seen(stack, later), 40, "a message after the timeout", stack)

    dead = wait_for(
        lambda: {b["id"] for b in dlq_bodies(stack)} & {crash, slow} or None, 60, "crash/timeout in the DLQ", stack
    )
    remaining = {crash, slow} - dead
    if remaining:
        more = wait_for(lambda: {b["id"] for b in dlq_bodies(stack)} & remaining or None, 60, "the rest", stack)
        dead |= more
    assert dead == {crash, slow}
    assert len(seen(stack, ok)) == 1 and len(seen(stack, later)) == 1


@pytest.mark.e2e
def test_poller_survives_the_queue_disappearing(stack: E2EStack) -> None:
    sqs = stack.sqs()
    url = queue_url(stack, stack.probe_queue or "")
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout", "RedrivePolicy"])
    sqs.delete_queue(QueueUrl=url)
    time.sleep(2.5)  # the poller notices and backs off
    sqs.create_queue(QueueName=stack.probe_queue or "", Attributes=attributes["Attributes"])
    ident = f"{uuid.uuid4().hex[:8]}-back"
    send(stack, {"id": ident, "action": "ok"})
    wait_for(lambda: seen(stack, ident), 40, "a message on the re-created queue", stack)


class _Proxy:
    """A TCP forwarder to LocalStack that can be switched off and on: an AWS endpoint that goes away
    and comes back, as when LocalStack restarts."""

    def __init__(self, target_port: int) -> None:
        import socket

        self.target_port = target_port
        self.port = 0
        self._socket = socket
        self._server: Any = None
        self._conns: list[Any] = []

    def start(self, port: int = 0) -> None:
        import threading

        server = self._socket.socket()
        server.setsockopt(self._socket.SOL_SOCKET, self._socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", port))
        server.listen(16)
        self.port = server.getsockname()[1]
        self._server = server

        def pump(src: Any, dst: Any) -> None:
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                return
            finally:
                for s in (src, dst):
                    with contextlib.suppress(OSError):
                        s.close()

        def accept() -> None:
            while True:
                try:
                    client, _ = server.accept()
                except OSError:
                    return
                upstream = self._socket.create_connection(("127.0.0.1", self.target_port))
                self._conns += [client, upstream]
                threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
                threading.Thread(target=pump, args=(upstream, client), daemon=True).start()

        threading.Thread(target=accept, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would not on Linux.
            with contextlib.suppress(OSError):
                self._server.shutdown(self._socket.SHUT_RDWR)
            self._server.close()
            self._server = None
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.shutdown(self._socket.SHUT_RDWR)
                conn.close()
        self._conns = []


@pytest.mark.e2e
def test_poller_rides_out_an_aws_endpoint_outage(stack: E2EStack, tmp_path: Any) -> None:
    import os
    import signal
    import subprocess
    from urllib.parse import urlparse

    target = urlparse(stack.aws_endpoint_url or "").port
    assert target
    proxy = _Proxy(target)
    proxy.start()
    port = proxy.port
    config = tmp_path / "config.json"
    # Its own queue (no other poller reads it) and the probe function to deliver to.
    queue = f"{stack.probe_queue}-outage"
    stack.sqs().create_queue(QueueName=queue, Attributes={"VisibilityTimeout": "4"})
    config.write_text(json.dumps({
        "service": "pybase", "provider": {"stage": "test"},
        "functions": {"sqsProbe": {"name": "pybase-test-sqsProbe", "timeout": 3,
                                   "events": [{"sqs": {"arn": f"arn:aws:sqs:us-east-1:000000000000:{queue}",
                                                       "batchSize": 5,
                                                       "functionResponseType": "ReportBatchItemFailures"}}]}},
    }))  # fmt: skip
    log = tmp_path / "poller.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "infra" / "sqs_poller.py"), "--config", str(config),
             "--endpoint-url", f"http://127.0.0.1:{port}", "--lambda-port", str(stack.lambda_port),
             "--wait-seconds", "1", "--max-backoff", "1"],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "AWS_ACCESS_KEY_ID": "test",
                                                                  "AWS_SECRET_ACCESS_KEY": "test"},
        )  # fmt: skip
    try:
        wait_for(lambda: b'"polling"' in log.read_bytes(), 20, "the poller to start polling")
        proxy.stop()  # AWS endpoint down
        time.sleep(4)
        assert proc.poll() is None, log.read_text()
        assert b'"retrying"' in log.read_bytes()
        proxy.start(port)  # ... and back
        ident = f"{uuid.uuid4().hex[:8]}-outage"
        sqs = stack.sqs()
        sqs.send_message(QueueUrl=sqs.get_queue_url(QueueName=queue)["QueueUrl"],
                         MessageBody=json.dumps({"id": ident, "action": "ok"}))  # fmt: skip
        wait_for(lambda: seen(stack, ident), 40, "delivery after the outage", stack)
        assert proc.poll() is None
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
        proxy.stop()
    assert code == 0, log.read_text()
