"""Deadletter function (SQS-triggered by the extract queue's dead-letter queue).

A message lands there after maxReceiveCount deliveries that did not end it: a worker killed mid-file
(timeout, out of memory), the database down on every try, a job busy each time. Its job must not stay
`queued` or `running` forever, so this function fails it with a reason the user can read. Messages it
cannot settle yet (database down, job still leased to a live worker) are reported as batch failures and
come back.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from pybase.config import get_settings
from pybase.jobs.service import check_extract_settings
from pybase.jobs.worker import dead_letter_event, object_events
from pybase.logs import logger
from pybase.startup import start

check_extract_settings()
start()  # job status events reach realtime
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> list[str]:
    # The dead-letter queue counts its own receives: the extraction had maxReceiveCount deliveries.
    tries = get_settings().extract_max_receives
    outcomes = [dead_letter_event(event, receive_count=tries) for event in object_events(record.body)]
    logger.info("dead letter processed", extra={"message_id": record.message_id, "outcomes": outcomes})
    return outcomes


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
