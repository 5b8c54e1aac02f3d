"""CSV import (into a new table or an existing one) and CSV export of a view.

Import semantics (what an Airtable user expects from "import CSV", without silent loss):
- Every cell is typecast from text (numbers, dates, checkboxes, dimensions...); `typecast=False` only
  stops new select options from being created for values a select field does not know.
- A row is imported whole or not at all: a row with any cell that its field cannot accept is left
  out and reported (row number as in a spreadsheet, header = row 1, column, value, reason); no cell
  is ever dropped from an imported row. With `on_error="abort"` any bad row fails the whole import
  (422 with the same report) and nothing is written, not even a new table.
- The valid rows are written in all-or-nothing batches of 1,000 within the request's single
  transaction: either the whole import commits or none of it does.
- Progress: a `csv_imports` row (see models.py) is written on its own connection as the import
  runs, readable with GET .../imports/{importId} (a client may choose the ID up front to poll it).

Export applies the view's filters, sorts, hidden fields and field order, streams pages of 1,000
records, and writes every value as it is displayed (links by their primary field text, lookups and
rollups joined, formula errors as #ERROR!).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pybase.access.roles import Principal
from pybase.access.service import require_base, visible_role
from pybase.csvio.infer import infer_type
from pybase.csvio.models import CsvImport
from pybase.db import after_commit, get_engine, session_scope, utcnow
from pybase.errors import BadRequest, Conflict, NotFound, PayloadTooLarge, ValidationFailed
from pybase.events.service import emit
from pybase.fields.models import Field
from pybase.fields.registry import get_field_type
from pybase.fields.types.base import FieldValueError, WriteContext
from pybase.ids import looks_like_id
from pybase.records import service as records

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 500
BATCH = 1000
REPORT_ERRORS = 1000
DELIMITERS = ",;\t|"
_SELECT_TYPES = ("single_select", "multiple_select")


@dataclass
class ImportOptions:
    typecast: bool = True
    on_error: str = "skip"  # skip | abort
    create_missing_fields: bool = False
    delimiter: str | None = None
    columns: dict[str, str | None] | None = None  # CSV header -> field ID or name (None: skip)
    name: str | None = None  # new table name


@dataclass
class Parsed:
    headers: list[str]
    rows: list[list[str]]
    lines: list[int] = field(default_factory=list)  # spreadsheet row number of each row (header = 1)
    shape_errors: list[dict[str, Any]] = field(default_factory=list)


# --- parsing ------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _delimiter(text: str, wanted: str | None) -> str:
    if wanted:
        if len(wanted) != 1:
            raise ValidationFailed("delimiter is a single character.")
        return wanted
    # The header line decides: the candidate it contains most often (sniffing whole samples is
    # thrown off by ragged rows and by commas inside text).
    header = text[:65536].split("\n", 1)[0]
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _clean_headers(raw: list[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for index, header in enumerate(raw):
        name = " ".join((header or "").split())[:200] or f"Field {index + 1}"
        base, n = name, 2
        while name.lower() in seen:
            name = f"{base} ({n})"
            n += 1
        seen.add(name.lower())
        out.append(name)
    return out


def parse_csv(data: bytes, *, delimiter: str | None = None) -> Parsed:
    if len(data) > MAX_BYTES:
        raise PayloadTooLarge(f"A CSV file is at most {MAX_BYTES // (1024 * 1024)} MB.")
    # NUL characters carry nothing in a CSV file and PostgreSQL text cannot hold them.
    text = _decode(data).replace("\x00", "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text, delimiter))
    try:
        header = next(reader, None)
        if not header or not any(h.strip() for h in header):
            raise ValidationFailed("The CSV file has no header row.")
        if len(header) > MAX_COLUMNS:
            raise ValidationFailed(f"A CSV file has at most {MAX_COLUMNS} columns.")
        parsed = Parsed(_clean_headers(header), [])
        width = len(header)
        for line_no, row in enumerate(reader, start=2):
            if not row or not any(cell.strip() for cell in row):
                continue
            if len(parsed.rows) >= MAX_ROWS:
                raise PayloadTooLarge(f"A CSV import has at most {MAX_ROWS:,} rows.")
            if len(row) > width and any(cell.strip() for cell in row[width:]):
                parsed.shape_errors.append(
                    {"row": line_no, "column": None, "value": None,
                     "message": f"The row has {len(row)} cells but the header has {width}."}
                )  # fmt: skip
                parsed.rows.append([])
                parsed.lines.append(line_no)
                continue
            parsed.rows.append(row[:width] + [""] * (width - len(row)))
            parsed.lines.append(line_no)
    except csv.Error as exc:
        raise ValidationFailed(f"The CSV file cannot be read: {exc}.") from None
    return parsed


# --- progress rows ------------------------------------------------------------------------------


def _job_write(job_id: str, **values: Any) -> None:
    """Write a progress row on its own connection (visible before the import commits)."""
    with get_engine().begin() as conn:
        conn.execute(update(CsvImport).where(CsvImport.id == job_id).values(updated_at=utcnow(), **values))


def _job_start(job_id: str, *, base_id: str, table_id: str | None, user_id: str, total: int) -> None:
    now = utcnow()
    with get_engine().begin() as conn:
        exists = conn.execute(select(CsvImport.id).where(CsvImport.id == job_id)).first()
        if exists is not None:
            raise Conflict("An import with this ID exists already.", details={"id": job_id})
        conn.execute(
            CsvImport.__table__.insert().values(
                id=job_id, base_id=base_id, table_id=table_id, created_by=user_id, status="running", phase="parsing",
                total_rows=total, processed_rows=0, imported_rows=0, failed_rows=0, created_at=now, updated_at=now,
            )
        )  # fmt: skip


def job_dict(job: CsvImport) -> dict[str, Any]:
    return {
        "id": job.id,
        "base_id": job.base_id,
        "table_id": job.table_id,
        "status": job.status,
        "phase": job.phase,
        "total_rows": job.total_rows,
        "processed_rows": job.processed_rows,
        "imported_rows": job.imported_rows,
        "failed_rows": job.failed_rows,
        "report": job.report,
        "created_at": job.created_at.isoformat().replace("+00:00", "Z"),
        "finished_at": job.finished_at.isoformat().replace("+00:00", "Z") if job.finished_at else None,
    }


def get_import(
    session: Session, *, principal: Principal, import_id: str, table_id: str | None = None, base_id: str | None = None
) -> dict[str, Any]:
    """An import's progress: for whoever started it, or anyone who can see its table.

    Asked under a table or base path, the import must belong to that table or base.
    """
    job = session.get(CsvImport, import_id) if looks_like_id(import_id, "imp") else None
    if job is not None and (
        (table_id is not None and job.table_id != table_id) or (base_id is not None and job.base_id != base_id)
    ):
        job = None
    if job is None:
        raise NotFound("Import not found", details={"id": import_id})
    others = job.created_by != principal.user_id
    if others and visible_role(session, principal=principal, table_id=job.table_id or "") is None:
        raise NotFound("Import not found", details={"id": import_id})
    return job_dict(job)


# --- import -------------------------------------------------------------------------------------


class _Probe:
    """A copy of a field for validating cells: options typecast adds stay off the real field."""

    def __init__(self, f: Field) -> None:
        self.id, self.name, self.type, self.options = f.id, f.name, f.type, dict(f.options or {})


def _map_columns(
    session: Session, ctx: records.TableContext, principal: Principal, parsed: Parsed, options: ImportOptions
) -> tuple[list[tuple[int, Field]], list[dict[str, Any]], list[str]]:
    """(column index, field) pairs for an existing table, skipped columns, and created field IDs."""
    from pybase.fields import service as fields_service

    mapping: list[tuple[int, Field]] = []
    skipped: list[dict[str, Any]] = []
    created: list[str] = []
    by_lower = {f.name.lower(): f for f in ctx.fields.fields}
    for index, header in enumerate(parsed.headers):
        target: Field | None
        if options.columns is not None and header in options.columns:
            key = options.columns[header]
            if key is None:
                skipped.append({"column": header, "reason": "not mapped"})
                continue
            target = ctx.fields.by_id.get(key) or ctx.fields.by_name.get(key)
            if target is None:
                raise ValidationFailed(f"Column {header!r} is mapped to an unknown field {key!r}.")
        else:
            target = by_lower.get(header.lower())
        if target is None:
            if not options.create_missing_fields:
                skipped.append({"column": header, "reason": "no field with this name"})
                continue
            type_name, type_options = infer_type([row[index] for row in parsed.rows if row])
            made = fields_service.create_field(
                session, principal=principal, table_id=ctx.table.id, name=header, type=type_name,
                options=type_options,
            )  # fmt: skip
            target = session.get(Field, made["id"])
            assert target is not None
            created.append(target.id)
        if get_field_type(target.type).read_only:
            skipped.append({"column": header, "reason": f"{target.name!r} is computed"})
            continue
        mapping.append((index, target))
    return mapping, skipped, created


def _new_table(
    session: Session, principal: Principal, base_id: str, parsed: Parsed, name: str
) -> tuple[str, list[tuple[int, Field]], list[str]]:
    from pybase.fields import service as fields_service
    from pybase.tables import service as tables_service

    table = tables_service.create_table(session, principal=principal, base_id=base_id, name=name)
    columns = [[row[i] for row in parsed.rows if row] for i in range(len(parsed.headers))]
    mapping: list[tuple[int, Field]] = []
    created: list[str] = []
    for index, header in enumerate(parsed.headers):
        type_name, type_options = infer_type(columns[index])
        if index == 0:
            # The first column becomes the primary field, in place of the default "Name".
            fields_service.update_field(
                session, principal=principal, field_id=table["primary_field_id"], name=header,
                type=type_name if type_name != "single_line_text" else None,
                options=type_options if type_name != "single_line_text" else None,
            )  # fmt: skip
            field_id = table["primary_field_id"]
        else:
            field_id = fields_service.create_field(
                session, principal=principal, table_id=table["id"], name=header, type=type_name, options=type_options
            )["id"]
        target = session.get(Field, field_id)
        assert target is not None
        mapping.append((index, target))
        created.append(field_id)
    return table["id"], mapping, created


def _validate(
    parsed: Parsed, mapping: list[tuple[int, Field]], options: ImportOptions
) -> tuple[list[tuple[int, dict[str, str]]], list[dict[str, Any]], int]:
    """Rows that every mapped field accepts ((row number, values by field ID)), cell errors, bad rows."""
    probes = [(index, _Probe(f)) for index, f in mapping]
    wctx = WriteContext(typecast=True)
    valid: list[tuple[int, dict[str, str]]] = []
    errors: list[dict[str, Any]] = list(parsed.shape_errors)
    bad_rows = len(parsed.shape_errors)
    for row, line_no in zip(parsed.rows, parsed.lines, strict=True):
        if not row:
            continue
        values: dict[str, str] = {}
        row_ok = True
        for index, probe in probes:
            text = row[index] if probe.type == "long_text" else row[index].strip()
            if not text.strip():
                continue
            ftype = get_field_type(probe.type)
            try:
                if not options.typecast and probe.type in _SELECT_TYPES:
                    for part in ftype.split(text) if probe.type == "multiple_select" else [text]:  # type: ignore[attr-defined]
                        ftype.option_id(part.strip(), probe, None)  # type: ignore[attr-defined]
                ftype.to_storage(text, probe, wctx)
            except (FieldValueError, ArithmeticError, ValueError, TypeError) as exc:
                row_ok = False
                if len(errors) < REPORT_ERRORS:
                    errors.append({"row": line_no, "column": probe.name, "field_id": probe.id, "value": text[:200],
                                   "message": getattr(exc, "message", str(exc))})  # fmt: skip
                continue
            values[probe.id] = text
        if row_ok:
            valid.append((line_no, values))
        else:
            bad_rows += 1
    return valid, errors, bad_rows


def import_csv(
    session: Session,
    *,
    principal: Principal,
    data: bytes,
    options: ImportOptions,
    table_id: str | None = None,
    base_id: str | None = None,
    import_id: str | None = None,
) -> dict[str, Any]:
    """Import a CSV file into `table_id`, or into a new table of `base_id` named `options.name`."""
    if options.on_error not in ("skip", "abort"):
        raise ValidationFailed("on_error is skip or abort.")
    if import_id is not None and not looks_like_id(import_id, "imp"):
        raise ValidationFailed("An import ID looks like imp followed by 14 letters and digits.")
    if table_id is not None:
        ctx = records.table_context(session, principal=principal, table_id=table_id, role="editor")
        base_id = ctx.table.base_id
        workspace_id = ctx.workspace_id
    else:
        assert base_id is not None
        base = require_base(session, principal=principal, base_id=base_id, role="admin")
        workspace_id = base.workspace_id
        if not options.name or not options.name.strip():
            raise ValidationFailed("A new table needs a name.")
        if "\x00" in options.name or len(options.name) > 200:
            raise ValidationFailed("A table name has at most 200 characters and no NUL characters.")
    parsed = parse_csv(data, delimiter=options.delimiter)
    job_id = import_id or _new_import_id()
    _job_start(job_id, base_id=base_id, table_id=table_id, user_id=principal.user_id, total=len(parsed.rows))
    try:
        report = _run_import(session, principal, parsed, options, job_id, table_id, base_id, workspace_id)
    except Exception as exc:
        message = getattr(exc, "message", None) or "The import failed."
        details = getattr(exc, "details", None)
        _job_write(job_id, status="failed", phase="failed", finished_at=utcnow(),
                   report={"message": message, "details": details})  # fmt: skip
        raise
    return report


def _new_import_id() -> str:
    from pybase.ids import new_id

    return new_id("imp")


def _run_import(
    session: Session, principal: Principal, parsed: Parsed, options: ImportOptions, job_id: str,
    table_id: str | None, base_id: str, workspace_id: str,
) -> dict[str, Any]:  # fmt: skip
    created_table = table_id is None
    skipped: list[dict[str, Any]] = []
    if table_id is None:
        table_id, mapping, created_fields = _new_table(session, principal, base_id, parsed, options.name or "")
        _job_write(job_id, table_id=table_id)
    else:
        ctx = records.table_context(session, principal=principal, table_id=table_id, role="editor")
        mapping, skipped, created_fields = _map_columns(session, ctx, principal, parsed, options)
    _job_write(job_id, phase="validating")
    valid, errors, bad_rows = _validate(parsed, mapping, options)
    report: dict[str, Any] = {
        "import_id": job_id,
        "table_id": table_id,
        "created_table": created_table,
        "fields": [
            {"column": parsed.headers[i], "id": f.id, "name": f.name, "type": f.type, "created": f.id in created_fields}
            for i, f in mapping
        ],
        "skipped_columns": skipped,
        "total_rows": len(parsed.rows),
        "imported_rows": 0,
        "failed_rows": bad_rows,
        "errors": errors,
        "errors_truncated": len(errors) >= REPORT_ERRORS,
    }
    if bad_rows and options.on_error == "abort":
        raise ValidationFailed(
            f"{bad_rows} row(s) cannot be imported; nothing was imported.", details=report, code="import_failed"
        )
    _job_write(job_id, phase="writing", failed_rows=bad_rows, processed_rows=bad_rows)
    imported = 0
    for start in range(0, len(valid), BATCH):
        chunk = valid[start : start + BATCH]
        records.create_records(
            session, principal=principal, table_id=table_id, records=[{"fields": values} for _, values in chunk],
            typecast=True,
        )  # fmt: skip
        imported += len(chunk)
        _job_write(job_id, processed_rows=bad_rows + imported, imported_rows=imported)
    report["imported_rows"] = imported
    emit(
        session, type="table.imported", workspace_id=workspace_id, base_id=base_id, table_id=table_id,
        actor_id=principal.user_id,
        payload={"import_id": job_id, "imported_rows": imported, "failed_rows": bad_rows,
                 "created_table": created_table},
    )  # fmt: skip
    final = dict(report)
    after_commit(session, lambda: _job_write(job_id, status="done", phase="done", finished_at=utcnow(), report=final))
    return report


# --- export -------------------------------------------------------------------------------------

EXPORT_PAGE = 1000


_UTC = ZoneInfo("UTC")
_AS_IS = frozenset({"single_line_text", "long_text", "email", "url", "phone", "single_select", "date"})


def _display(f: Field, value: Any) -> str:
    from pybase.airtable.service import string_value

    if value is None or value is False:
        return ""
    if f.type == "button" and isinstance(value, dict):
        # The URL is the data a button carries; a button without one exports its label.
        return str(value.get("url") or value.get("label") or "")
    if f.type in _AS_IS and isinstance(value, str) and (f.type != "date" or not (f.options or {}).get("format")):
        return value  # already the displayed text (ISO dates for fields without a date format)
    if isinstance(value, int) and not isinstance(value, bool) and f.type != "percent":
        return str(value)
    if f.type == "percent" and isinstance(value, int | float):
        return f"{value * 100:.10g}%"
    return string_value(f, value, _UTC)


# A spreadsheet opening the CSV runs a cell starting with one of these as a formula (CSV injection);
# OWASP's advice is to prefix such cells with a quote, which spreadsheets show as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell(f: Field, value: Any, raw: bool) -> str:
    text = _display(f, value)
    # A plain number (number, currency, percent, duration, a numeric formula result...) cannot carry a
    # formula, so -5 stays -5 and re-imports as a number.
    if raw or (isinstance(value, int | float) and not isinstance(value, bool)):
        return text
    return neutralise(text)


def export_plan(session: Session, *, principal: Principal, table_id: str | None = None,
                view_id: str | None = None) -> tuple[str, str, str | None]:  # fmt: skip
    """Check access and return (table ID, file name, view ID) for an export."""
    from pybase.views.models import View

    if view_id is not None:
        view = session.get(View, view_id) if looks_like_id(view_id, "viw") else None
        if view is None or view.deleted_at is not None or (table_id is not None and view.table_id != table_id):
            raise NotFound("View not found", details={"id": view_id})
        table_id = view.table_id
    if table_id is None:
        raise BadRequest("Name a table or a view to export.")
    try:
        ctx = records.table_context(session, principal=principal, table_id=table_id, role="viewer")
    except NotFound:
        if view_id is None:
            raise
        # A view of a table the caller cannot see answers as absent, never with its table's ID.
        raise NotFound("View not found", details={"id": view_id}) from None
    name = ctx.table.name
    if view_id is not None:
        view = session.get(View, view_id)
        name = f"{name} - {view.name}" if view is not None else name
    safe = "".join(ch if ch.isalnum() or ch in " -_." else "_" for ch in name).strip() or "export"
    return table_id, f"{safe}.csv", view_id


def export_rows(*, principal: Principal, table_id: str, view_id: str | None, raw: bool = False) -> Iterator[str]:
    """The CSV text in chunks (one per page of records), read in a session of its own (the request's
    session is closed before a streamed body is sent). Cells that a spreadsheet would run as formulas
    are prefixed with a quote unless `raw`."""
    with session_scope() as session:
        ctx = records.table_context(session, principal=principal, table_id=table_id, role="viewer")
        shown = list(ctx.fields.fields)
        if view_id is not None:
            from pybase.views.service import get_view_query_spec

            spec = get_view_query_spec(session, view_id=view_id, table_id=table_id)
            shown = [ctx.fields.by_id[fid] for fid in spec.visible_field_ids if fid in ctx.fields.by_id]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([f.name if raw else neutralise(f.name) for f in shown])
        cursor: str | None = None
        while True:
            page = records.list_records(
                session, principal=principal, table_id=table_id, view_id=view_id, page_size=EXPORT_PAGE,
                cursor=cursor, fields=[f.id for f in shown] or None,
            )  # fmt: skip
            for record in page["records"]:
                values = record["fields"]
                writer.writerow([_cell(f, values.get(f.id), raw) for f in shown])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            cursor = page["next_cursor"]
            if not cursor:
                break
