"""Airtable's uploadAttachment: a small file sent base64-encoded in a JSON body, appended to a record's
attachment cell (`POST /v0/{baseId}/{recordId}/{attachmentFieldIdOrName}/uploadAttachment`).

Airtable serves it on content.airtable.com; here it is on the API's own host, next to the rest of
/v0. The file is stored in S3 and completed like any upload (previews, extraction) in the request's
transaction, so the answer (the record's ID, created time and the field's attachments, keyed by
field ID, as Airtable answers) comes after the S3 write and the commit.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pybase.access.roles import Principal
from pybase.airtable import service
from pybase.airtable.errors import AirtableError, invalid_request, unknown_field
from pybase.config import get_settings
from pybase.files import service as files
from pybase.ids import looks_like_id
from pybase.records.models import Record
from pybase.tables.models import Table

# Airtable's own limit for this endpoint; larger files go through presigned uploads (POST /uploads).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def max_bytes() -> int:
    return min(MAX_UPLOAD_BYTES, get_settings().max_upload_bytes)


def _decode(body: dict[str, Any]) -> tuple[str, str, bytes]:
    filename, content_type, encoded = body.get("filename"), body.get("contentType"), body.get("file")
    if not isinstance(filename, str) or not filename.strip():
        raise invalid_request("Invalid request: filename must be a non-empty string", "INVALID_REQUEST_BODY")
    if not isinstance(content_type, str) or not content_type.strip():
        raise invalid_request("Invalid request: contentType must be a non-empty string", "INVALID_REQUEST_BODY")
    if not isinstance(encoded, str) or not encoded:
        raise invalid_request("Invalid request: file must be a base64 string", "INVALID_REQUEST_BODY")
    limit = max_bytes()
    # Refused before decoding: base64 is 4 characters per 3 bytes (line breaks aside).
    if len(encoded) > (limit + 2) // 3 * 4 * 1.05 + 64:
        raise AirtableError(413, "REQUEST_TOO_LARGE", f"The file is larger than {limit} bytes.")
    try:
        data = base64.b64decode("".join(encoded.split()), validate=True)
    except (binascii.Error, ValueError):
        raise invalid_request("Invalid request: file is not valid base64", "INVALID_REQUEST_BODY") from None
    if len(data) > limit:
        raise AirtableError(413, "REQUEST_TOO_LARGE", f"The file is {len(data)} bytes; the limit is {limit} bytes.")
    return filename.strip(), content_type.strip(), data


def record_table(session: Session, *, base_id: str, record_id: str) -> str | None:
    """The table of a live record of the base. The URL names no table, so the record is looked for
    in the base's tables by their IDs: only their partitions of `records` are planned and opened (a
    join on `tables` would plan every partition in the database)."""
    base_tables = list(session.scalars(select(Table.id).where(Table.base_id == base_id, Table.deleted_at.is_(None))))
    if not base_tables:
        return None
    return session.scalar(
        select(Record.table_id).where(
            Record.table_id.in_(base_tables), Record.id == record_id, Record.deleted_at.is_(None)
        )
    )


def upload_attachment(
    session: Session, *, principal: Principal, base_id: str, record_id: str, field: str, body: dict[str, Any]
) -> dict[str, Any]:
    filename, content_type, data = _decode(body)
    if not looks_like_id(record_id, "rec") or not looks_like_id(base_id, "app"):
        raise AirtableError(404, "MODEL_ID_NOT_FOUND", f'Could not find a record with ID "{record_id}".')
    table_id = record_table(session, base_id=base_id, record_id=record_id)
    if table_id is None:
        raise AirtableError(404, "MODEL_ID_NOT_FOUND", f'Could not find a record with ID "{record_id}".')
    ctx = service.resolve_table(session, principal=principal, base_id=base_id, table=table_id, role="editor")
    target = ctx.fields.by_id.get(field) or ctx.fields.by_name.get(field)
    if target is None:
        raise unknown_field(field)
    if target.type not in files.ATTACHMENT_FIELD_TYPES:
        raise invalid_request(f'Field "{target.name}" is not an attachment field', "INVALID_VALUE_FOR_COLUMN")
    files.upload_content(
        session, principal=principal, table_id=table_id, record_id=record_id, field_id=target.id,
        filename=filename, content_type=content_type, data=data,
    )  # fmt: skip
    record = service.get_record(
        session, principal=principal, base_id=base_id, table=table_id, record_id=record_id, by_id=True
    )
    return {"id": record["id"], "createdTime": record["createdTime"],
            "fields": {target.id: record["fields"].get(target.id, [])}}  # fmt: skip
