"""Test helper: drive the search indexing path in-process, the way AWS does it.

The indexer feeder reads the change log after its cursor; its messages are handed to the `index`
function as an SQS event (the Lambda event shape), and the function's batch response is returned.
With `queue=True` the messages go through the real indexing queue on LocalStack first.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from pybase.db import get_engine
from pybase.search import feeder
from tests.lambda_events import LambdaContext, load_function


def sqs_event(bodies: list[str]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": secrets.token_hex(8), "receiptHandle": secrets.token_hex(8), "body": body,
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0"}, "messageAttributes": {},
                "md5OfBody": "", "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:pybase-index", "awsRegion": "us-east-1",
            }
            for body in bodies
        ]
    }


def run_index(bodies: list[str]) -> dict[str, Any]:
    return load_function("index").handler(sqs_event(bodies), LambdaContext())


class Pipeline:
    """Feeder (own cursor, starting at the end of the log) -> index function."""

    def __init__(self) -> None:
        self.responses: list[dict[str, Any]] = []
        self.messages: list[dict[str, Any]] = []
        self.feeder = feeder.Feeder(self._send, name=f"test-{secrets.token_hex(4)}")
        self._poll()

    def _send(self, messages: list[dict[str, Any]]) -> None:
        self.messages.extend(messages)
        self.responses.append(run_index([json.dumps(m) for m in messages]))

    def _poll(self) -> int:
        with get_engine().connect() as conn:
            return self.feeder.poll(conn, start_at_end=True)

    def drain(self) -> int:
        total = 0
        while (count := self._poll()) > 0:
            total += count
        for response in self.responses:
            assert response == {"batchItemFailures": []}, response
        return total
