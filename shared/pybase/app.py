"""FastAPI application factory shared by every API function, and its Mangum wrapper."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AbstractContextManager, asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pybase import jsontext
from pybase.errors import PyBaseError, error_body
from pybase.logs import logger

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_requests",
}


def _request_id(request: Request) -> str:
    event = request.scope.get("aws.event") or {}
    context = event.get("requestContext") or {}
    return context.get("requestId") or request.headers.get("x-request-id") or uuid.uuid4().hex


def _clean_validation_errors(errors: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    cleaned = []
    for err in errors:
        cleaned.append(
            {
                "loc": [str(part) for part in err.get("loc", ())],
                "message": err.get("msg", ""),
                "type": err.get("type", ""),
            }
        )
    return cleaned


def install_error_handlers(app: FastAPI, *, database: bool = True) -> None:
    @app.exception_handler(PyBaseError)
    async def _pybase_error(request: Request, exc: PyBaseError) -> JSONResponse:
        headers = getattr(exc, "headers", None)
        # Details often echo what the client sent (NaN, lone surrogates): render them safely.
        return JSONResponse(jsontext.safe(exc.to_dict()), status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        body = error_body("validation_failed", "The request is not valid.", _clean_validation_errors(exc.errors()))
        return JSONResponse(jsontext.safe(body), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        body = jsontext.safe(error_body(code, message, None))
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    if database:
        _install_database_error_handlers(app, _pybase_error)

    @app.exception_handler(UnicodeEncodeError)
    async def _unencodable(request: Request, exc: UnicodeEncodeError) -> JSONResponse:
        # Only text from the client can hold lone surrogates (JSON escapes like "\ud800"); the
        # database driver refuses to encode them, so nothing was written.
        body = error_body("invalid_value", "Text in the request is not valid Unicode (a lone surrogate).", None)
        return JSONResponse(body, status_code=422)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.exception("unhandled error")
        return JSONResponse(error_body("internal_error", "Something went wrong on our side.", None), 500)


def _install_database_error_handlers(
    app: FastAPI, pybase_error: Callable[[Request, PyBaseError], Awaitable[JSONResponse]]
) -> None:
    # Imported here: SQLAlchemy and psycopg are most of a function's cold start (about 250 ms of CPU
    # together), which an app without a database (the docs function) does without.
    import psycopg
    import sqlalchemy.exc

    from pybase import db

    @app.exception_handler(psycopg.DataError)
    @app.exception_handler(sqlalchemy.exc.DataError)
    async def _data_error(request: Request, exc: Exception) -> JSONResponse:
        # SQLSTATE class 22 (data exception) is always a value the client sent that PostgreSQL cannot
        # store or compare, e.g. a NUL character in text; the request's transaction is rolled back.
        original = getattr(exc, "orig", None) or exc
        message = str(original).splitlines()[0] if str(original) else "A value cannot be stored."
        body = error_body("invalid_value", f"A value in the request cannot be stored: {message}", None)
        return JSONResponse(jsontext.safe(body), status_code=422)

    async def _database_error(request: Request, exc: Exception) -> JSONResponse:
        if not db.is_unavailable(exc):
            raise exc  # any other database error is a bug: the generic handler logs it and answers 500
        logger.warning("database unavailable", extra={"error": f"{type(exc).__name__}: {exc}"[:500]})
        return await pybase_error(request, db.unavailable())

    for error_type in db.database_error_types():
        app.add_exception_handler(error_type, _database_error)


class _LogContext:
    """Tags the request's log lines with its ID, path and method, logs its status and answers the ID in
    `x-request-id`. Plain ASGI: Starlette's @app.middleware("http") runs each request in an extra task
    with its own streams, about 0.5 ms of every request here."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        request_id = _request_id(request)
        scope.setdefault("state", {})["request_id"] = request_id
        logger.append_keys(request_id=request_id, path=request.url.path, method=request.method, user=None)
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).append("x-request-id", request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            logger.info("request", extra={"status": status})
            logger.remove_keys(["request_id", "path", "method", "user"])


def create_app(title: str, routers: Iterable[APIRouter], *, docs: bool = False, database: bool = True) -> FastAPI:
    """One FastAPI app per route group. Docs are served once, by the combined docs function.

    database=False: an app whose routes never touch the database (the docs function) neither loads
    SQLAlchemy nor starts the write-side (realtime publisher) at its cold start.
    """
    if database:
        from pybase.startup import start

        start()  # the function's process starts here: publishers registered before any request
    app = FastAPI(
        title=title,
        version="0.1.0",
        docs_url="/docs" if docs else None,
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
    )
    install_error_handlers(app, database=database)

    app.add_middleware(_LogContext)
    for router in routers:
        # The routers' routes themselves, not app.include_router(router): FastAPI would build every
        # included route again (the validators of its parameters, body and answers) on the first
        # request, although no prefix, tags, dependencies or limits are added here to make them differ
        # (65-90 ms of CPU in the records function's first request).
        app.router.routes.extend(router.routes)
    return app


def lambda_handler_for(app: FastAPI) -> Any:
    """Wrap an app for API Gateway (HTTP API v2 payloads) with Mangum."""
    from mangum import Mangum

    run_sync_code_inline()
    return Mangum(app, lifespan="off", api_gateway_base_path=None)


async def _call_inline(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return func(*args, **kwargs)


@asynccontextmanager
async def _enter_inline(cm: AbstractContextManager[Any]) -> AsyncIterator[Any]:
    with cm as value:
        yield value


def run_sync_code_inline() -> None:
    """Run PyBase's plain (sync) routes, dependencies and response validation on the event loop's
    own thread instead of FastAPI's thread pool.

    A Lambda process serves one request at a time, so the pool buys no concurrency, while each of
    the about 20 hand-offs of a request (each dependency, the route, the response) wakes another
    thread: measured in-process at 2,000 records, alternating rounds, load 2-3, the p50 of a first
    page went from 10.5 to 6.5 ms, a count from 6.5 to 3.6 ms and a single PATCH from 10.2 to 6.1 ms.
    FastAPI has no setting for this: the three names it calls are replaced (tests/test_app_inline.py
    fails if a FastAPI upgrade moves them)."""
    import fastapi.dependencies.utils
    import fastapi.routing

    fastapi.routing.run_in_threadpool = _call_inline  # type: ignore[assignment]
    fastapi.dependencies.utils.run_in_threadpool = _call_inline  # type: ignore[assignment]
    fastapi.dependencies.utils.contextmanager_in_threadpool = _enter_inline  # type: ignore[assignment]
