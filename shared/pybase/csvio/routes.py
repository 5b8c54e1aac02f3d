"""HTTP routes of CSV import and export (served by the records function).

POST /tables/{tableId}/import          CSV into an existing table
POST /bases/{baseId}/tables/import     CSV into a new table (?name=)
GET  /tables/{tableId}/imports/{id}    progress and report of an import (also /bases/{baseId}/imports/{id})
GET  /tables/{tableId}/export.csv      CSV of the table, or of a view with ?view=viw… (?raw=true: no formula guard)
GET  /views/{viewId}/export.csv        CSV of a view

The CSV goes in the body as text/csv (options in the query string) or as JSON
{"csv": "...", "typecast", "on_error", "create_missing_fields", "delimiter", "columns", "name", "import_id"}.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from pybase import jsontext
from pybase.access.roles import Principal
from pybase.api import COMMON, BaseId, CurrentPrincipal, DbSession, ImportId, TableId, ViewId, answers, errors
from pybase.csvio import service
from pybase.csvio.schemas import ImportReport, ImportStatus
from pybase.errors import BadRequest, ValidationFailed
from pybase.records import service as records

router = APIRouter(tags=["csv"], responses=errors(*COMMON, 400, 413, 415))


def _flag(value: Any, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes"):
        return True
    if text in ("0", "false", "no"):
        return False
    raise ValidationFailed(f"Expected true or false, got {value!r}.")


async def _request_import(request: Request) -> tuple[bytes, service.ImportOptions, str | None]:
    body = await request.body()
    query = dict(request.query_params)
    spec: dict[str, Any] = dict(query)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        try:
            payload = jsontext.loads(body or b"{}")
        except ValueError:
            raise BadRequest("The body is not valid JSON.") from None
        if not isinstance(payload, dict) or not isinstance(payload.get("csv"), str):
            raise ValidationFailed('A JSON body carries the file as {"csv": "<text>"}.')
        spec.update(payload)
        data = payload["csv"].encode()
    else:
        data = body
    if not data.strip():
        raise ValidationFailed("The CSV file is empty.")
    columns = spec.get("columns")
    if isinstance(columns, str):
        try:
            columns = jsontext.loads(columns)
        except ValueError:
            raise BadRequest("columns is not valid JSON.") from None
    if columns is not None and not (
        isinstance(columns, dict) and all(isinstance(v, str | type(None)) for v in columns.values())
    ):
        raise ValidationFailed("columns maps CSV headers to field IDs or names (or null to skip).")
    options = service.ImportOptions(
        typecast=_flag(spec.get("typecast"), True),
        on_error=str(spec.get("on_error") or "skip"),
        create_missing_fields=_flag(spec.get("create_missing_fields"), False),
        delimiter=spec.get("delimiter") or None,
        columns=columns,
        name=spec.get("name"),
    )
    return data, options, spec.get("import_id")


@router.post("/tables/{table_id}/import", **answers(ImportReport, "What was imported and what was refused."))
async def import_into_table(
    table_id: TableId,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """Import CSV rows into an existing table: columns match fields by name (or `columns` maps them), values are
    converted to the fields' types; answers the import's report."""
    data, options, import_id = await _request_import(request)
    return service.import_csv(
        session, principal=principal, data=data, options=options, table_id=table_id, import_id=import_id
    )


@router.post(
    "/bases/{base_id}/tables/import",
    status_code=201,
    **answers(ImportReport, "The new table's ID, and what was imported and refused.", status=201),
)
async def import_new_table(
    base_id: BaseId,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """Create a table from a CSV (`?name=`): one text field per column, then the rows; answers the new table and the
    import's report."""
    data, options, import_id = await _request_import(request)
    return service.import_csv(
        session, principal=principal, data=data, options=options, base_id=base_id, import_id=import_id
    )


@router.get("/tables/{table_id}/imports/{import_id}", **answers(ImportStatus, "The import's progress."))
def get_table_import(
    table_id: TableId,
    import_id: ImportId,
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """Progress and report of a CSV import into a table: rows done, rows refused with their errors."""
    return service.get_import(session, principal=principal, import_id=import_id, table_id=table_id)


@router.get("/bases/{base_id}/imports/{import_id}", **answers(ImportStatus, "The import's progress."))
def get_base_import(
    base_id: BaseId,
    import_id: ImportId,
    principal: CurrentPrincipal,
    session: DbSession,
) -> dict[str, Any]:
    """Progress and report of a CSV import that created a table in this base."""
    return service.get_import(session, principal=principal, import_id=import_id, base_id=base_id)


# A CSV file, not JSON: documented as text/csv.
CSV_ANSWER: dict[str, Any] = {
    "response_class": StreamingResponse,
    "responses": {200: {"description": "The CSV file (UTF-8, a header row first).",
                        "content": {"text/csv": {"schema": {"type": "string"}}}}},
}  # fmt: skip

RAW_QUERY = Query(
    default=False,
    description=(
        "Write cell values exactly as stored. By default a cell starting with =, +, -, @, tab or carriage "
        "return is prefixed with a single quote (') so that spreadsheets do not run it as a formula (CSV "
        "injection); plain numbers are never prefixed. Use raw=true only for programs that read the file "
        "as data, never for a file people open in a spreadsheet."
    ),
)


def _csv_response(
    table_id: str, filename: str, view_id: str | None, principal: Principal, raw: bool
) -> StreamingResponse:
    chunks = service.export_rows(principal=principal, table_id=table_id, view_id=view_id, raw=raw)
    return StreamingResponse(
        chunks,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/tables/{table_id}/export.csv", **CSV_ANSWER)
def export_table(
    *,
    table_id: TableId,
    view: str | None = Query(None, description="A view's ID (`viw…`) or name: export its records and columns."),
    raw: bool = RAW_QUERY,
    principal: CurrentPrincipal,
    session: DbSession,
) -> StreamingResponse:
    """The table's records as CSV (text/csv), one column per visible field; with `view=` the view's filter, sort and
    hidden fields apply."""
    if view is not None:
        view = records.resolve_view(session, table_id=table_id, ref=view)
    table_id, filename, view_id = service.export_plan(session, principal=principal, table_id=table_id, view_id=view)
    return _csv_response(table_id, filename, view_id, principal, raw)


@router.get("/views/{view_id}/export.csv", **CSV_ANSWER)
def export_view(
    *,
    view_id: ViewId,
    raw: bool = RAW_QUERY,
    principal: CurrentPrincipal,
    session: DbSession,
) -> StreamingResponse:
    """A view's records as CSV (text/csv): its filter, sort and visible fields, in its column order."""
    table_id, filename, view_id = service.export_plan(session, principal=principal, view_id=view_id)
    return _csv_response(table_id, filename, view_id, principal, raw)
