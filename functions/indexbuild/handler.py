"""Indexbuild function: builds the expression and trigram indexes that queries, fields and views asked for.

SQS-triggered by the index build queue, one message per index (`{"table_id", "name"}`), written after
the asking request committed (pybase.records.indexes). Each build runs CREATE INDEX CONCURRENTLY on
the table's own partition and records its state; a build already done or running is not repeated.
A message that raised (the database unreachable) comes back; after 3 receives it goes to the
dead-letter queue and the build stays pending. The 5-minute schedule sends again builds asked for
and never finished.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from pybase.logs import logger
from pybase.records import indexes

processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> str:
    try:
        name = json.loads(record.body)["name"]
    except (ValueError, KeyError, TypeError):
        logger.error("index build message dropped", extra={"message_id": record.message_id})
        return "dropped"
    outcome = indexes.build_index(str(name))
    logger.info("index build message processed", extra={"index": name, "outcome": outcome})
    return outcome


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if "Records" not in event:  # the schedule
        return {"resent": indexes.sweep()}
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
