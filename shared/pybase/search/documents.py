"""Search documents built from the current state of records (so indexing is idempotent).

Only stored fields of the record's own table are indexed (values of linked tables, lookups and
rollups are left out: a table-level grant may hide the linked table from someone who reads this one).
Text extracted from drawings attached to the record is indexed with it, so "P-101" finds the drawing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pybase.bases.models import AppBase
from pybase.fields.models import Field
from pybase.fields.registry import get_field_type
from pybase.tables.models import Table

# Bounds that keep a document well below tsvector's 1 MB and a Meilisearch document's limits.
MAX_FIELD_CHARS = 20_000
MAX_DRAWING_CHARS = 200_000
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Document:
    table_id: str
    record_id: str
    base_id: str
    workspace_id: str
    primary_field_id: str | None
    fields: dict[str, str] = field(default_factory=dict)
    drawing: str = ""

    @property
    def primary(self) -> str:
        return self.fields.get(self.primary_field_id or "", "")

    @property
    def other(self) -> str:
        return "\n".join(v for k, v in self.fields.items() if k != self.primary_field_id)

    def words(self) -> set[str]:
        text = "\n".join([*self.fields.values(), self.drawing]).lower()
        # Numbers are left out: part and drawing numbers are all distinct and a typo in one is another number.
        return {w for w in WORD.findall(text) if 3 <= len(w) <= 64 and not w.isdigit()}


@dataclass(frozen=True)
class TableInfo:
    table: Table
    workspace_id: str
    fields: list[Field]


def _flat(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(t for t in (_flat(v) for v in value) if t)
    if isinstance(value, dict):
        return str(value.get("filename") or value.get("name") or "")
    return "" if value is None else str(value)


# How a field type's stored value becomes searchable text; types mapped to None are not indexed
# (computed values, values of other tables, flags, timestamps and user IDs).
TextOf = Callable[[Any, Field], str | None]
_SKIP: TextOf | None = None
TEXT_EXTRACTORS: dict[str, TextOf | None] = {
    "checkbox": _SKIP, "link": _SKIP, "lookup": _SKIP, "rollup": _SKIP, "count": _SKIP, "formula": _SKIP,
    "button": _SKIP,
    "created_time": _SKIP, "last_modified_time": _SKIP, "created_by": _SKIP, "last_modified_by": _SKIP,
    "user": _SKIP, "date": _SKIP, "datetime": _SKIP,
    "attachment": lambda stored, f: _flat(stored),
    "multiple_select": lambda stored, f: _flat(stored),
}  # fmt: skip


def _default_text(stored: Any, f: Field) -> str | None:
    return get_field_type(f.type).to_text(stored, f)


# Types whose stored value is the text itself: read as text by PostgreSQL (`data->>'fld'`), so a
# reindex parses no JSON for them.
PLAIN_TEXT_TYPES = frozenset({"single_line_text", "long_text", "email", "url", "phone"})


# Types whose searchable text the database can make itself (`data->>'fld'` when the stored JSON is of
# the given type), so a reindex builds their documents in one statement; a record holding a value of
# any other indexed type (or of an unexpected JSON type) is built in Python through TEXT_EXTRACTORS.
SQL_TEXT_TYPES: dict[str, str] = {**dict.fromkeys(PLAIN_TEXT_TYPES, "string"), "number": "number"}


def field_text(f: Field, stored: Any) -> str | None:
    if stored is None:
        return None
    extractor = TEXT_EXTRACTORS.get(f.type, _default_text)
    if extractor is None:
        return None
    if isinstance(stored, str) and f.type in PLAIN_TEXT_TYPES:
        text: str | None = stored
    else:
        try:
            text = extractor(stored, f)
        except Exception:  # a malformed stored value must not stop the rest of the record being indexed
            text = _flat(stored)
    if not text:
        return None
    return text[:MAX_FIELD_CHARS].replace("\x00", "")


def table_info(session: Session, table_id: str) -> TableInfo | None:
    """The live table with its workspace and live fields; None when missing or in the trash."""
    row = session.execute(
        select(Table, AppBase.workspace_id).join(AppBase, AppBase.id == Table.base_id).where(Table.id == table_id)
    ).first()
    if row is None or row[0].deleted_at is not None:
        return None
    fields = list(
        session.scalars(
            select(Field).where(Field.table_id == table_id, Field.deleted_at.is_(None)).order_by(Field.position)
        )
    )
    return TableInfo(table=row[0], workspace_id=row[1], fields=fields)


def indexed_fields(info: TableInfo) -> list[Field]:
    return [f for f in info.fields if TEXT_EXTRACTORS.get(f.type, _default_text) is not None]


def select_sql(info: TableInfo) -> str:
    """Columns of `records` for building documents: id, then one per indexed field, plain text types
    as text and the others as JSON (field IDs are generated alphanumerics, safe to inline)."""
    columns = ["id"]
    for f in indexed_fields(info):
        columns.append(f"data->>'{f.id}'" if f.type in PLAIN_TEXT_TYPES else f"data->'{f.id}'")
    return ", ".join(columns)


def build_rows(info: TableInfo, rows: Iterable[tuple[Any, ...]]) -> list[Document]:
    """Documents of rows shaped by select_sql(info)."""
    table = info.table
    fields = indexed_fields(info)
    plain = [f.type in PLAIN_TEXT_TYPES for f in fields]
    docs = []
    for row in rows:
        texts = {}
        for f, is_plain, stored in zip(fields, plain, row[1:], strict=True):
            if stored is None or stored == "":
                continue
            # Plain text arrives as text (the common case, kept out of the per-type machinery).
            text = stored[:MAX_FIELD_CHARS].replace("\x00", "") if is_plain else field_text(f, stored)
            if text:
                texts[f.id] = text
        doc = Document(
            table_id=table.id, record_id=row[0], base_id=table.base_id, workspace_id=info.workspace_id,
            primary_field_id=table.primary_field_id, fields=texts,
        )  # fmt: skip
        docs.append(doc)
    return docs


def load_records(session: Session, info: TableInfo, record_ids: list[str]) -> list[Document]:
    return load_where(session, info, "id = ANY(%(ids)s)", {"ids": record_ids})


def load_where(session: Session, info: TableInfo, where: str, params: dict[str, Any]) -> list[Document]:
    """Documents of the table's live records matching `where` (SQL over `records`, named parameters)."""
    raw = session.connection().connection.driver_connection
    rows = raw.execute(
        f"SELECT {select_sql(info)} FROM records WHERE table_id = %(table)s AND deleted_at IS NULL AND ({where})",
        {**params, "table": info.table.id},
    ).fetchall()
    docs = build_rows(info, rows)
    attach_drawings(session, docs)
    return docs


def python_only_sql(info: TableInfo) -> str:
    """A condition over `records` true for the records whose document needs Python (see SQL_TEXT_TYPES)."""
    parts = []
    other = [f.id for f in indexed_fields(info) if f.type not in SQL_TEXT_TYPES]
    if other:
        parts.append("data ?| ARRAY[" + ", ".join(f"'{k}'" for k in other) + "]")
    for f in indexed_fields(info):
        if f.type in SQL_TEXT_TYPES:
            parts.append(f"coalesce(jsonb_typeof(data->'{f.id}'), 'null') NOT IN ('null', '{SQL_TEXT_TYPES[f.type]}')")
    return " OR ".join(parts) or "false"


def records_with_drawings(session: Session, table_id: str, record_ids: list[str]) -> list[str]:
    """Those of the records that hold an attachment with a finished extraction (drawing text)."""
    if not record_ids:
        return []
    raw = session.connection().connection.driver_connection
    rows = raw.execute(
        "SELECT DISTINCT a.record_id FROM attachments a JOIN extraction_jobs j ON j.attachment_id = a.id"
        " WHERE a.table_id = %s AND a.record_id = ANY(%s) AND a.status = 'uploaded' AND j.status = 'done'",
        (table_id, record_ids),
    ).fetchall()
    return [r[0] for r in rows]


# --- drawings ------------------------------------------------------------------------------------


def drawing_text(result: dict[str, Any]) -> str:
    """The searchable text of an extraction result: title block, block attributes, texts, table and
    BOM rows, form fields and page text; each distinct string once, bounded."""
    seen: dict[str, None] = {}

    def add(value: Any) -> None:
        if isinstance(value, str):
            value = value.strip()
            if value and value not in seen:
                seen[value] = None

    title = result.get("title_block") or {}
    for value in (title.get("fields") or {}).values():
        add(value)
    for value in (title.get("raw") or {}).values():
        add(value)
    for insert in result.get("inserts") or []:
        for value in (insert.get("attributes") or {}).values():
            add(value)
    for item in result.get("texts") or []:
        add(item.get("text"))
    for table in result.get("tables") or []:
        for row in table.get("rows") or []:
            for value in row.values():
                add(value)
    for form_field in result.get("form_fields") or []:
        add(form_field.get("value") if isinstance(form_field.get("value"), str) else None)
    for page in result.get("pages") or []:
        add(page.get("text"))
    text = "\n".join(seen)
    return text[:MAX_DRAWING_CHARS].replace("\x00", "")


def attach_drawings(session: Session, docs: list[Document]) -> None:
    """Add the text of each record's finished extraction jobs (newest per attachment) to its document."""
    if not docs:
        return
    # Imported here: only the index function builds documents; the search API never needs jobs.
    from pybase.files.models import Attachment
    from pybase.jobs.models import ExtractionJob
    from pybase.jobs.service import load_result

    by_record = {(d.table_id, d.record_id): d for d in docs}
    table_id = docs[0].table_id
    jobs = session.execute(
        select(Attachment.record_id, ExtractionJob)
        .join(ExtractionJob, ExtractionJob.attachment_id == Attachment.id)
        .where(
            Attachment.table_id == table_id,
            Attachment.record_id.in_([d.record_id for d in docs]),
            Attachment.status == "uploaded",
            ExtractionJob.status == "done",
        )
        .order_by(Attachment.record_id, ExtractionJob.attachment_id, ExtractionJob.finished_at.desc())
    ).all()
    done: set[str] = set()
    for record_id, job in jobs:
        if job.attachment_id in done:
            continue
        done.add(job.attachment_id)
        doc = by_record.get((table_id, record_id))
        if doc is None:
            continue
        try:
            result = load_result(job)
        except Exception:  # a result in S3 that cannot be read now: index the fields, retry on the next change
            continue
        text = drawing_text(result or {})
        if text:
            doc.drawing = (doc.drawing + "\n" + text).strip()[:MAX_DRAWING_CHARS]
