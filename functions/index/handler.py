"""Index function (SQS-triggered by the indexing queue): keeps search documents up to date.

Each message names a table, records, a base or a workspace that changed (written by the indexer
feeder from the change log, `pybase.search.feeder`). The function loads their current state and
upserts or deletes documents, so duplicates and reordering are harmless. Powertools' batch processor
reports the messages that raised as `batchItemFailures`: only those come back, and after
maxReceiveCount receives they land in the dead-letter queue. A message no retry can fix (unknown op)
is logged and acknowledged.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from pybase.db import session_scope
from pybase.logs import logger
from pybase.search import indexer
from pybase.search.backends import get_backend

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> dict[str, Any]:
    try:
        message = json.loads(record.body)
        if not isinstance(message, dict):
            raise indexer.BadMessage("the body is not a JSON object")
        with session_scope() as session:
            outcome = indexer.apply(session, get_backend(), message)
    except (indexer.BadMessage, json.JSONDecodeError) as exc:
        logger.error("index message dropped", extra={"message_id": record.message_id, "reason": str(exc)})
        return {"dropped": str(exc)}
    logger.info("index message processed", extra={"message_id": record.message_id, "outcome": outcome})
    return outcome


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
