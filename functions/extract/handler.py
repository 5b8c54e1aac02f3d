"""Extract function (SQS-triggered): S3 ObjectCreated notifications -> extraction jobs.

Each SQS message body is an S3 event notification. Powertools' batch processor reports the
messages whose processing raised (transient failures) as `batchItemFailures`, so only those come
back after the visibility timeout (and reach the dead-letter queue after maxReceiveCount); permanent
failures are recorded on the job and their messages acknowledged. The message's receive count goes to
the worker, which fails the job instead of retrying on the last delivery.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Tracer
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from pybase.config import get_settings
from pybase.jobs.service import check_extract_settings
from pybase.jobs.worker import ObjectEvent, process_event
from pybase.jobs.worker import object_events as _object_events
from pybase.logs import logger

# A lease longer than the visibility timeout would leave redelivered jobs busy until the DLQ: refuse to start.
check_extract_settings()
# No X-Ray daemon runs locally: tracing there would only log discarded segments.
tracer = Tracer(service="pybase", disabled=get_settings().is_local)
processor = BatchProcessor(event_type=EventType.SQS)


def object_events(body: str) -> list[ObjectEvent]:
    return _object_events(body)


def receive_count(record: SQSRecord) -> int:
    try:
        return int(record.attributes.approximate_receive_count or 1)
    except (TypeError, ValueError):
        return 1


@tracer.capture_method
def record_handler(record: SQSRecord) -> list[str]:
    count = receive_count(record)
    outcomes = [process_event(event, receive_count=count) for event in object_events(record.body)]
    logger.info("message processed", extra={"message_id": record.message_id, "outcomes": outcomes, "receive": count})
    return outcomes


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
