"""Webhooks function (SQS-triggered by the webhook queue): sends webhook notifications.

Each message names a webhook owed a notification (queued by the webhook feeder,
`pybase.webhooks.feed`). A failed POST is retried with exponential backoff: the message's visibility
is set to the delay and it is reported in `batchItemFailures`, so SQS hands it out again then; the
attempt number is the message's receive count. When the last attempt (PYBASE_WEBHOOK_MAX_ATTEMPTS, the
queue's maxReceiveCount) fails, the webhook's notifications are disabled and the message is
acknowledged; only a crash on the last receive sends a message to the dead-letter queue.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from pybase.config import get_settings
from pybase.logs import logger
from pybase.webhooks import delivery

# A batch whose every ping failed is still a list of retries, not a crash of the function.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


class RetryLater(Exception):
    pass


def _delay(record: SQSRecord, seconds: int) -> None:
    from pybase import storage

    queue_name = record.event_source_arn.rsplit(":", 1)[-1]
    try:
        storage.sqs().change_message_visibility(
            QueueUrl=storage.queue_url(queue_name), ReceiptHandle=record.receipt_handle, VisibilityTimeout=seconds
        )
    except Exception as exc:  # the retry then comes after the queue's own visibility timeout
        logger.warning("could not delay the retry", extra={"error": str(exc)[:300]})


def record_handler(record: SQSRecord) -> dict[str, Any]:
    settings = get_settings()
    try:
        message = json.loads(record.body)
    except json.JSONDecodeError:
        message = None
    if not isinstance(message, dict) or not message.get("webhook_id"):
        logger.error("webhook message dropped", extra={"message_id": record.message_id})
        return {"dropped": "not a webhook message"}
    attempt = int(record.attributes.approximate_receive_count or 1)
    outcome = delivery.deliver(message, attempt=attempt, max_attempts=settings.webhook_max_attempts)
    extra = {"webhook_id": message["webhook_id"], "status": outcome.status, "attempt": attempt}
    logger.info("webhook notification", extra={**extra, "error": outcome.error})
    if outcome.status == "retry":
        _delay(record, delivery.backoff_seconds(attempt, settings.webhook_backoff_seconds))
        raise RetryLater(outcome.error or "notification failed")
    return {"status": outcome.status}


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
