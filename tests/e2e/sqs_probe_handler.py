"""TEST STAGE ONLY: an SQS consumer for the poller's end-to-end tests (declared for `--stage test` by
infra/serverless-test-functions.js). Each message body is JSON: {"id": ..., "action": ...} where
action is ok | fail (reported in batchItemFailures) | raise (handler error) | exit (the Python
process dies) | sleep (longer than the function timeout). Every record seen is appended as a JSON
line to $PYBASE_PROBE_LOG, so tests can check what the function received."""

from __future__ import annotations

import json
import os
import time
from typing import Any


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    records = event["Records"]
    failures = []
    actions = []
    with open(os.environ["PYBASE_PROBE_LOG"], "a") as out:
        for record in records:
            body = json.loads(record["body"])
            actions.append(body.get("action", "ok"))
            seen = {
                "id": body.get("id"),
                "action": body.get("action", "ok"),
                "messageId": record["messageId"],
                "receiveCount": int(record["attributes"]["ApproximateReceiveCount"]),
                "eventSource": record["eventSource"],
                "eventSourceARN": record["eventSourceARN"],
                "hasReceiptHandle": bool(record.get("receiptHandle")),
                "batchSize": len(records),
                "pid": os.getpid(),
            }
            out.write(json.dumps(seen) + "\n")
            if body.get("action") == "fail":
                failures.append({"itemIdentifier": record["messageId"]})
    if "raise" in actions:
        raise RuntimeError("probe asked to raise")
    if "exit" in actions:
        os._exit(3)
    if "sleep" in actions:
        time.sleep(30)
    return {"batchItemFailures": failures}
