"""Extract function (SQS-triggered): S3 ObjectCreated notifications -> extraction jobs.

Each SQS message body is an S3 event notification. Powertools' batch processor reports the
messages whose processing raised (transient failures) as `batchItemFailures`, so only those come
back after the visibility timeout (and reach the dead-letter queue after maxReceiveCount); permanent
failures are recorded on the job and their messages acknowledged.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools import Tracer
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes import S3Event
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from pybase.config import get_settings
from pybase.jobs.worker import ObjectEvent, process_event
from pybase.logs import logger

# No X-Ray daemon runs locally: tracing there would only log discarded segments.
tracer = Tracer(service="pybase", disabled=get_settings().is_local)
processor = BatchProcessor(event_type=EventType.SQS)


def object_events(body: str) -> list[ObjectEvent]:
    """The ObjectCreated records of one notification (S3's test event and others have none)."""
    try:
        payload = json.loads(body)
    except ValueError:
        logger.warning("message body is not JSON; ignored")
        return []
    if not isinstance(payload, dict) or not isinstance(payload.get("Records"), list):
        return []
    events = []
    for record in S3Event(payload).records:
        if not record.event_name.startswith("ObjectCreated"):
            continue
        obj = record.s3.get_object
        events.append(
            ObjectEvent(
                bucket=record.s3.bucket.name,
                # Keys arrive URL-encoded ("dir%2Fmy+file.dxf"); LocalStack writes a space as %20.
                key=unquote_plus(obj.key),
                etag=(obj.etag or "").strip('"'),
                size=obj.size,
                sequencer=obj.sequencer,
                event_time=_parse_time(record.event_time),
                event_name=record.event_name,
            )
        )
    return events


def _parse_time(value: str | None) -> Any:
    from datetime import datetime

    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


@tracer.capture_method
def record_handler(record: SQSRecord) -> list[str]:
    outcomes = [process_event(event) for event in object_events(record.body)]
    logger.info("message processed", extra={"message_id": record.message_id, "outcomes": outcomes})
    return outcomes


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
