"""Attachfetch function: fetches the files that record cells name by URL into S3.

SQS-triggered by the attachment fetch queue, one message per attachment (`{"attachment_id", "url"}`),
sent once the write that named the URL committed (pybase.files.fetch). Each fetch goes through
pybase.netguard (public addresses only, capped in size and time) and, when the file is acceptable,
completes like an upload: stored, on the record, previews and extraction. A refused URL leaves the
attachment failed with the reason and its message acknowledged; a message that raised (S3 or the
database unreachable) comes back, and after 3 receives goes to the dead-letter queue. The 5-minute
schedule sends again fetches still pending whose message was never sent.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from pybase.files import fetch
from pybase.logs import logger
from pybase.startup import start

start()  # attachment and record events reach realtime
processor = BatchProcessor(event_type=EventType.SQS)


def record_handler(record: SQSRecord) -> str:
    try:
        message = json.loads(record.body)
    except ValueError:
        message = None
    if not isinstance(message, dict) or not message.get("attachment_id"):
        logger.error("attachment fetch message dropped", extra={"message_id": record.message_id})
        return "dropped"
    outcome = fetch.fetch(message)
    logger.info("attachment fetch processed", extra={"attachment_id": message["attachment_id"], "outcome": outcome})
    return outcome


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if "Records" not in event:  # the schedule
        return {"resent": fetch.sweep()}
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
