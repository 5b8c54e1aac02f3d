"""Local SQS event source: feeds SQS-triggered functions from LocalStack through serverless offline.

For every function in serverless.yml whose `events` hold an `sqs` source, a worker long-polls the
queue and invokes the function through serverless offline's Lambda API
(`POST http://127.0.0.1:<lambda port>/2015-03-31/functions/<service>-<stage>-<fn>/invocations`),
so the handler runs in the same local Lambda runtime as the HTTP functions. It follows Lambda's SQS
event-source semantics:

- batches of up to `batchSize` messages (more than one receive when `maximumBatchingWindow` is set),
  passed as the real event shape (`Records` with messageId, receiptHandle, body, attributes including
  ApproximateReceiveCount, messageAttributes, md5OfBody, eventSource, eventSourceARN, awsRegion);
- success deletes the batch; with `functionResponseType: ReportBatchItemFailures` only the messages
  not listed in `batchItemFailures` are deleted (an invalid response fails the whole batch);
- a handler error or timeout fails the whole batch: nothing is deleted, the messages reappear after
  the queue's visibility timeout and the queue's own redrive policy moves them to its dead-letter
  queue after maxReceiveCount receives (the poller never moves messages itself).

It never exits on its own: a missing queue, LocalStack restarting or serverless offline not being up
yet are retried with capped exponential backoff. SIGTERM/SIGINT stop it.

Usage: python infra/sqs_poller.py --stage local [--config resolved.json] [--lambda-port 3002]
The resolved configuration is `serverless print --format json` (run here when --config is absent).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TIMEOUT = 6  # Lambda's (and Serverless') default function timeout, seconds


def log(message: str, **fields: Any) -> None:
    line = {"at": time.strftime("%H:%M:%S"), "msg": message, **fields}
    print("[sqs-poller] " + json.dumps(line, default=str), file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Source:
    function: str
    function_name: str
    queue_name: str
    batch_size: int
    batching_window: float
    report_failures: bool
    timeout: float


def _queue_name(arn: Any, resources: dict[str, Any]) -> str:
    """An `sqs` event's queue: an ARN string, or a CloudFormation GetAtt/Ref to a queue resource."""
    if isinstance(arn, dict):
        if "Fn::GetAtt" in arn:
            logical_id = arn["Fn::GetAtt"][0]
        elif "Ref" in arn:
            logical_id = arn["Ref"]
        else:
            raise ValueError(f"unsupported queue reference {arn!r}")
        return str(resources[logical_id]["Properties"]["QueueName"])
    return str(arn).rsplit(":", 1)[-1]


def sqs_sources(config: dict[str, Any]) -> list[Source]:
    resources = config.get("resources", {}).get("Resources", {}) or {}
    provider = config.get("provider", {})
    stage = provider.get("stage", "local")
    service = config.get("service")
    service = service.get("name") if isinstance(service, dict) else service
    sources = []
    for key, function in (config.get("functions") or {}).items():
        for event in function.get("events") or []:
            if not isinstance(event, dict) or "sqs" not in event:
                continue
            sqs = event["sqs"]
            spec = {"arn": sqs} if isinstance(sqs, str) else dict(sqs)
            if spec.get("enabled") is False:
                continue
            sources.append(
                Source(
                    function=key,
                    function_name=function.get("name") or f"{service}-{stage}-{key}",
                    queue_name=_queue_name(spec["arn"], resources),
                    batch_size=int(spec.get("batchSize", 10)),
                    batching_window=float(spec.get("maximumBatchingWindow", 0)),
                    report_failures=spec.get("functionResponseType") == "ReportBatchItemFailures",
                    timeout=float(function.get("timeout") or provider.get("timeout") or DEFAULT_TIMEOUT),
                )
            )
    return sources


def _message_attributes(raw: dict[str, Any]) -> dict[str, Any]:
    # SQS API shape (StringValue, BinaryValue bytes) -> Lambda event shape (stringValue, base64 binaryValue).
    out = {}
    for name, value in (raw or {}).items():
        binary = value.get("BinaryValue")
        out[name] = {
            "stringValue": value.get("StringValue"),
            "binaryValue": base64.b64encode(binary).decode() if binary is not None else None,
            "stringListValues": value.get("StringListValues", []),
            "binaryListValues": [base64.b64encode(b).decode() for b in value.get("BinaryListValues", [])],
            "dataType": value.get("DataType"),
        }
    return out


def sqs_event(messages: list[dict[str, Any]], *, queue_arn: str, region: str) -> dict[str, Any]:
    records = []
    for message in messages:
        record = {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message.get("Body", ""),
            "attributes": dict(message.get("Attributes", {})),
            "messageAttributes": _message_attributes(message.get("MessageAttributes", {})),
            "md5OfBody": message.get("MD5OfBody"),
            "eventSource": "aws:sqs",
            "eventSourceARN": queue_arn,
            "awsRegion": region,
        }
        if message.get("MD5OfMessageAttributes"):
            record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
        records.append(record)
    return {"Records": records}


def failed_ids(payload: Any, batch_ids: set[str], report_failures: bool) -> set[str] | None:
    """Message IDs to keep (retry). None means the whole batch failed."""
    if not report_failures or payload is None:
        return set()
    if not isinstance(payload, dict):
        return None  # not a valid EventResponse
    failures = payload.get("batchItemFailures")
    if failures is None:
        return set()
    if not isinstance(failures, list):
        return None
    keep = set()
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not identifier or identifier not in batch_ids:
            return None  # Lambda treats a null/empty/unknown identifier as a failure of the whole batch
        keep.add(identifier)
    return keep


class Worker(threading.Thread):
    def __init__(self, source: Source, args: argparse.Namespace, stop: threading.Event) -> None:
        super().__init__(name=f"sqs-{source.function}", daemon=True)
        self.source = source
        self.args = args
        self.stop = stop
        self.sqs: Any = None
        self.queue_url: str | None = None
        self.queue_arn: str | None = None
        self.backoff = args.min_backoff

    # -- plumbing -----------------------------------------------------------------------------
    def client(self) -> Any:
        if self.sqs is None:
            import boto3
            from botocore.config import Config

            self.sqs = boto3.client(
                "sqs",
                endpoint_url=self.args.endpoint_url,
                region_name=self.args.region,
                aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID") or "test",
                aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY") or "test",
                config=Config(
                    retries={"max_attempts": 1},
                    connect_timeout=2,
                    read_timeout=self.args.wait_seconds + 10,
                ),
            )
        return self.sqs

    def sleep_backoff(self, reason: str) -> None:
        log("retrying", function=self.source.function, reason=reason[:300], in_seconds=round(self.backoff, 2))
        self.stop.wait(self.backoff)
        self.backoff = min(self.backoff * 2, self.args.max_backoff)

    def resolve_queue(self) -> None:
        sqs = self.client()
        url = sqs.get_queue_url(QueueName=self.source.queue_name)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.queue_url, self.queue_arn = url, arn
        log("polling", function=self.source.function, queue=self.source.queue_name,
            batch_size=self.source.batch_size, report_failures=self.source.report_failures)  # fmt: skip

    def lambda_up(self) -> bool:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            return sock.connect_ex((self.args.lambda_host, self.args.lambda_port)) == 0

    # -- one batch ------------------------------------------------------------------------------
    def receive(self) -> list[dict[str, Any]]:
        sqs = self.client()
        messages: list[dict[str, Any]] = []
        deadline = time.monotonic() + self.source.batching_window
        wait = self.args.wait_seconds
        while len(messages) < self.source.batch_size and not self.stop.is_set():
            response = sqs.receive_message(
                QueueUrl=self.queue_url,
                MaxNumberOfMessages=min(10, self.source.batch_size - len(messages)),
                WaitTimeSeconds=wait,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            )
            got = response.get("Messages", [])
            messages.extend(got)
            remaining = deadline - time.monotonic()
            if not messages:
                if self.source.batching_window <= 0:
                    break  # nothing arrived during the long poll: poll again
                continue
            # Lambda invokes as soon as a receive returned something, unless a batching window asks
            # it to gather more (up to batchSize) until the window closes.
            if remaining <= 0 or not got:
                break
            wait = min(int(remaining), 20)
        return messages

    def invoke(self, event: dict[str, Any]) -> tuple[bool, Any, str]:
        url = (
            f"http://{self.args.lambda_host}:{self.args.lambda_port}/2015-03-31/functions/"
            f"{self.source.function_name}/invocations"
        )
        request = urllib.request.Request(
            url,
            data=json.dumps(event).encode(),
            headers={"Content-Type": "application/json", "X-Amz-Invocation-Type": "RequestResponse"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.source.timeout + 15) as response:
                body = response.read()
                function_error = response.headers.get("X-Amz-Function-Error")
        except urllib.error.HTTPError as exc:
            return False, None, f"invoke HTTP {exc.code}: {exc.read()[:300]!r}"
        except (OSError, TimeoutError) as exc:
            return False, None, f"invoke failed: {exc}"
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            return False, None, f"invalid JSON response: {body[:200]!r}"
        if function_error:
            message = payload.get("errorMessage") if isinstance(payload, dict) else payload
            return False, payload, f"function error: {message}"
        return True, payload, ""

    def delete(self, messages: list[dict[str, Any]]) -> None:
        sqs = self.client()
        for start in range(0, len(messages), 10):
            chunk = messages[start : start + 10]
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)]
            result = sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
            for failure in result.get("Failed", []):
                log("delete failed", function=self.source.function, detail=failure)

    def process(self, messages: list[dict[str, Any]]) -> None:
        assert self.queue_arn is not None
        event = sqs_event(messages, queue_arn=self.queue_arn, region=self.args.region)
        ids = {m["MessageId"] for m in messages}
        started = time.monotonic()
        ok, payload, error = self.invoke(event)
        elapsed = round((time.monotonic() - started) * 1000)
        if not ok:
            # The whole batch failed: leave every message to reappear after the visibility timeout.
            log("batch failed", function=self.source.function, size=len(messages), ms=elapsed, error=error)
            return
        keep = failed_ids(payload, ids, self.source.report_failures)
        if keep is None:
            log("batch failed: invalid batchItemFailures", function=self.source.function, response=payload)
            return
        done = [m for m in messages if m["MessageId"] not in keep]
        if done:
            self.delete(done)
        log("batch done", function=self.source.function, size=len(messages), deleted=len(done),
            retried=len(keep), ms=elapsed)  # fmt: skip

    # -- loop ---------------------------------------------------------------------------------------
    def run(self) -> None:
        while not self.stop.is_set():
            try:
                if not self.lambda_up():
                    # Receiving now would spend the messages' receive counts on nothing.
                    self.sleep_backoff("serverless offline's Lambda port is not reachable")
                    continue
                if self.queue_url is None:
                    self.resolve_queue()
                messages = self.receive()
                self.backoff = self.args.min_backoff
                if messages and not self.stop.is_set():
                    self.process(messages)
            except Exception as exc:  # LocalStack down or restarted, queue deleted: resolve again later
                self.queue_url = None
                self.sqs = None
                self.sleep_backoff(f"{type(exc).__name__}: {exc}")


def load_config(args: argparse.Namespace) -> dict[str, Any]:
    if args.config:
        return json.loads(Path(args.config).read_text())
    result = subprocess.run(
        ["node", str(ROOT / "node_modules" / "serverless" / "bin" / "serverless.js"), "print",
         "--stage", args.stage, "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(result.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", default=os.environ.get("PYBASE_STAGE") or "local")
    parser.add_argument("--config", help="resolved serverless config (JSON); default: run `serverless print`")
    parser.add_argument("--endpoint-url", default=os.environ.get("AWS_ENDPOINT_URL") or "http://127.0.0.1:4566")
    parser.add_argument("--region", default=os.environ.get("AWS_REGION") or "us-east-1")
    parser.add_argument("--lambda-host", default="127.0.0.1")
    parser.add_argument("--lambda-port", type=int, default=int(os.environ.get("PYBASE_LAMBDA_PORT") or 3002))
    parser.add_argument("--wait-seconds", type=int, default=10, help="SQS long-poll wait (max 20)")
    parser.add_argument("--min-backoff", type=float, default=0.5)
    parser.add_argument("--max-backoff", type=float, default=10.0)
    parser.add_argument("--only", action="append", help="poll only these functions (repeatable)")
    args = parser.parse_args(argv)
    args.wait_seconds = max(0, min(20, args.wait_seconds))

    sources = [s for s in sqs_sources(load_config(args)) if not args.only or s.function in args.only]
    if not sources:
        log("no SQS-triggered functions in serverless.yml; idling")
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    workers = [Worker(source, args, stop) for source in sources]
    for worker in workers:
        worker.start()
    log("started", functions=[s.function for s in sources], endpoint=args.endpoint_url, lambda_port=args.lambda_port)
    while not stop.is_set():
        stop.wait(1)
    # Workers are daemons blocked at most one long poll; whatever they received reappears later.
    log("stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
