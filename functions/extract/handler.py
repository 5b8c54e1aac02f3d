"""Extract function (SQS-triggered): S3 ObjectCreated notifications -> extraction jobs.

Each SQS message body is an S3 event notification. Both layers are read with Powertools' parser
models: the SQS record by the batch processor (`SqsRecordModel`), its body by
`pybase.jobs.worker.object_events` (`S3Model`). Powertools' batch processor reports the
messages whose processing raised (transient failures) as `batchItemFailures`, so only those come
back after the visibility timeout (and reach the dead-letter queue after maxReceiveCount); permanent
failures are recorded on the job and their messages acknowledged. The message's receive count goes to
the worker, which fails the job instead of retrying on the last delivery. A large file runs alone in
an invocation, and only with time left to finish it; other large files of the batch are sent to the
queue again as new messages (see `pybase.jobs.worker.defer_reason`).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Tracer
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel

from pybase.config import get_settings
from pybase.jobs.service import check_extract_settings
from pybase.jobs.worker import Invocation, ObjectEvent, defer_reason, forward_queue, process_event, requeue
from pybase.jobs.worker import object_events as _object_events
from pybase.logs import logger
from pybase.startup import start

# A lease longer than the visibility timeout would leave redelivered jobs busy until the DLQ: refuse to start.
check_extract_settings()
start()  # job status events reach realtime
# No X-Ray daemon runs locally: tracing there would only log discarded segments.
tracer = Tracer(service="pybase", disabled=get_settings().is_local)
# A record that is not a valid SQS record fails alone (reported in batchItemFailures), like any other.
processor = BatchProcessor(event_type=EventType.SQS, model=SqsRecordModel)


def object_events(body: str) -> list[ObjectEvent]:
    return _object_events(body)


@tracer.capture_method
def record_handler(record: SqsRecordModel, lambda_context: Any = None) -> list[str]:
    count = int(record.attributes.ApproximateReceiveCount)
    events = object_events(str(record.body))
    forward = forward_queue(events, from_queue_arn=record.eventSourceARN)
    if forward is not None:
        requeue(str(record.body), forward)  # IFC: to the container image that has ifcopenshell
        logger.info("message forwarded", extra={"message_id": record.messageId, "queue": forward})
        return ["forwarded"]
    remaining = lambda_context.get_remaining_time_in_millis() if lambda_context is not None else None
    reason = defer_reason(events, invocation=_invocation, remaining_ms=remaining)
    if reason is not None:
        requeue(str(record.body), record.eventSourceARN)
        logger.info("message deferred", extra={"message_id": record.messageId, "reason": reason})
        return ["deferred"]
    outcomes = [process_event(event, receive_count=count) for event in events]
    _invocation.note(events)
    logger.info("message processed", extra={"message_id": record.messageId, "outcomes": outcomes, "receive": count})
    return outcomes


_invocation = Invocation()


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    global _invocation
    _invocation = Invocation()  # large files run one per invocation
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
