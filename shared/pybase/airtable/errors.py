"""Airtable's error shapes and status codes for the /v0 API.

Airtable answers errors as `{"error": {"type": "...", "message": "..."}}`, except a few plain ones
(`{"error": "NOT_FOUND"}` for an unknown record or route). Unknown bases and tables are a 403
INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND (Airtable does not reveal which it is); invalid input is a
422 with a specific type. PyBase's own exceptions raised by the services are translated here.
"""

from __future__ import annotations

from typing import Any

import psycopg
import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from pybase import db, jsontext
from pybase import errors as pe
from pybase.logs import logger

PERMISSION_MESSAGE = (
    "Invalid permissions, or the requested model was not found. Check that both your user and your token "
    "have the required permissions, and that the model names and/or ids are correct."
)


class AirtableError(Exception):
    """An error in Airtable's shape. `type` None renders the plain `{"error": message}` form."""

    def __init__(self, status: int, type: str | None, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.type = type
        self.message = message
        self.headers = headers

    def body(self) -> dict[str, Any]:
        if self.type is None:
            return {"error": self.message}
        return {"error": {"type": self.type, "message": self.message}}


def not_found() -> AirtableError:
    return AirtableError(404, None, "NOT_FOUND")


def no_model() -> AirtableError:
    return AirtableError(403, "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND", PERMISSION_MESSAGE)


def invalid_request(message: str, type: str = "INVALID_REQUEST_UNKNOWN") -> AirtableError:
    return AirtableError(422, type, message)


def unknown_field(name: Any) -> AirtableError:
    return AirtableError(422, "UNKNOWN_FIELD_NAME", f'Unknown field name: "{name}"')


def from_pybase(exc: pe.PyBaseError) -> AirtableError:
    """The Airtable error for an exception a PyBase service raised."""
    if isinstance(exc, pe.Unauthorized):
        return AirtableError(401, "AUTHENTICATION_REQUIRED", "Authentication required")
    if isinstance(exc, pe.Forbidden):
        return AirtableError(403, "INVALID_PERMISSIONS", "You are not permitted to perform this operation")
    if isinstance(exc, pe.NotFound):
        return no_model()
    if isinstance(exc, pe.TooManyRequests):
        headers = getattr(exc, "headers", None)
        return AirtableError(429, "RATE_LIMIT_REACHED", "Rate limit exceeded. Please try again later", headers)
    if isinstance(exc, pe.ServiceUnavailable):
        return AirtableError(503, "SERVICE_UNAVAILABLE", exc.message, getattr(exc, "headers", None))
    if isinstance(exc, pe.PayloadTooLarge):
        return AirtableError(413, "REQUEST_TOO_LARGE", exc.message)
    if exc.code == "invalid_formula":
        return AirtableError(422, "INVALID_FORMULA", exc.message)
    if exc.code == "invalid_cursor":
        return AirtableError(422, "LIST_RECORDS_ITERATOR_NOT_AVAILABLE", "The offset is not valid.")
    if isinstance(exc, pe.Conflict):
        return AirtableError(422, "DUPLICATE_OR_EMPTY_FIELD_NAME" if "field" in exc.message else "DUPLICATE_TABLE_NAME",
                             exc.message)  # fmt: skip
    return AirtableError(422, "INVALID_REQUEST_UNKNOWN", exc.message)


def install(app: FastAPI) -> None:
    """Replace the app's PyBase error envelope with Airtable's."""

    def respond(err: AirtableError) -> JSONResponse:
        # Messages can quote client input (field names with lone surrogates): render them safely.
        return JSONResponse(jsontext.safe(err.body()), status_code=err.status, headers=err.headers)

    @app.exception_handler(AirtableError)
    async def _airtable(request: Request, exc: AirtableError) -> JSONResponse:
        return respond(exc)

    @app.exception_handler(pe.PyBaseError)
    async def _pybase(request: Request, exc: pe.PyBaseError) -> JSONResponse:
        return respond(from_pybase(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = next(iter(exc.errors()), {})
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        message = "Invalid request: parameter validation failed. Check your request data."
        if where:
            message += f" ({where}: {first.get('msg', '')})"
        return respond(invalid_request(message))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return respond(not_found())
        if exc.status_code == 405:
            return respond(AirtableError(404, None, "NOT_FOUND"))
        return respond(AirtableError(exc.status_code, "INVALID_REQUEST_UNKNOWN", str(exc.detail)))

    @app.exception_handler(psycopg.DataError)
    @app.exception_handler(sqlalchemy.exc.DataError)
    @app.exception_handler(UnicodeEncodeError)
    async def _bad_value(request: Request, exc: Exception) -> JSONResponse:
        # A value PostgreSQL cannot store or compare (SQLSTATE class 22, lone surrogates): the client's.
        return respond(invalid_request("Invalid request: a value in the request cannot be stored"))

    async def _database_error(request: Request, exc: Exception) -> JSONResponse:
        if not db.is_unavailable(exc):
            raise exc  # a bug: SERVER_ERROR from the generic handler below
        logger.warning("database unavailable", extra={"error": f"{type(exc).__name__}: {exc}"[:500]})
        return respond(from_pybase(db.unavailable()))

    for error_type in db.database_error_types():
        app.add_exception_handler(error_type, _database_error)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error")
        return respond(AirtableError(500, "SERVER_ERROR", "Something went wrong on our side."))
