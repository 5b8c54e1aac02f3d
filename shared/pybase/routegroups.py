"""The HTTP route groups: which routers each API function serves, declared once.

Each API Lambda function (`functions/<group>/handler.py`) builds its app from its entry here, and the
docs function builds the combined OpenAPI document from all of them, so a router added to a group is
served and documented without a second list to keep in step. Routers are named as "module:attribute"
and imported only when their group's app is built: a function imports its own routes, nothing more
(cold starts), and the docs function imports the others only when the document is first asked for.
"""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI


@dataclass(frozen=True)
class RouteGroup:
    name: str
    title: str
    description: str
    routers: tuple[str, ...]
    # Callables "module:attribute" taking the built app, e.g. Airtable's error shapes.
    setup: tuple[str, ...] = ()


# In the order the docs list them (the URL plan of serverless.yml).
GROUPS: dict[str, RouteGroup] = {
    group.name: group
    for group in (
        RouteGroup("health", "PyBase health", "State of every dependency.", ("pybase.health:router",)),
        RouteGroup(
            "auth", "PyBase auth", "Register, sign in, refresh and sign out; your profile; personal API tokens.",
            ("pybase.auth.routes:router",),
        ),
        RouteGroup(
            "workspaces", "PyBase workspaces", "Workspaces, members, invitations, bases and base grants.",
            (
                "pybase.workspaces.routes:router", "pybase.bases.routes:router",
                "pybase.access.routes:base_grants_router",
            ),
        ),
        RouteGroup(
            "tables", "PyBase tables", "Tables, table grants, fields, views and the trash.",
            (
                "pybase.tables.routes:router", "pybase.access.routes:table_grants_router",
                "pybase.fields.routes:router", "pybase.views.routes:router", "pybase.trash.routes:router",
            ),
        ),
        RouteGroup(
            "records", "PyBase records",
            "Records (CRUD, batches, upserts, queries, history), comments, public forms, CSV import and export,"
            " search.",
            (
                "pybase.records.routes:router", "pybase.comments.routes:router", "pybase.views.forms_routes:router",
                "pybase.csvio.routes:router", "pybase.search.routes:router", "pybase.records.index_routes:router",
            ),
        ),
        RouteGroup(
            "files", "PyBase files", "Uploads (presigned S3 PUTs), downloads, extraction jobs and their mapping.",
            ("pybase.files.routes:router", "pybase.jobs.routes:router"),
        ),
        RouteGroup(
            "airtable", "PyBase Airtable-compatible API",
            "Airtable's Web API under /v0 (records, comments, meta API), with Airtable's error shapes.",
            # Webhooks first: the records routes' /v0/{baseId}/{table} would read "bases" as a base ID.
            ("pybase.webhooks.routes:router", "pybase.airtable.routes:router"),
            setup=("pybase.airtable.errors:install",),
        ),
    )
}  # fmt: skip


def _resolve(reference: str) -> Any:
    module, _, attribute = reference.partition(":")
    return getattr(importlib.import_module(module), attribute)


def routers_of(name: str) -> list[Any]:
    return [_resolve(reference) for reference in GROUPS[name].routers]


@contextmanager
def _collector_paused() -> Iterator[None]:
    # Building an app allocates a few hundred thousand objects (classes, schemas, SQL constructs, the
    # routes) and frees almost none, so the cyclic collector's passes over them find nothing: they
    # were 130-150 ms of the CPU of a function's cold start (auth, records, tables). Reference
    # counting still frees everything as usual meanwhile.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build_app(name: str) -> FastAPI:
    """The FastAPI app of one route group, as its Lambda function serves it."""
    with _collector_paused():
        from pybase.app import create_app

        no_pydantic_v1_import()
        group = GROUPS[name]
        app = create_app(group.title, routers_of(name))
        for reference in group.setup:
            _resolve(reference)(app)
    _document_answer_models(app)
    return app


def no_pydantic_v1_import() -> None:
    """FastAPI asks of each parameter, body and answer type of every route whether it is a model of
    pydantic's v1 API, importing pydantic.v1 to ask: 15-18 ms of CPU of each function's cold start,
    though none of our types is one. No class can be one unless pydantic.v1 has been imported, so the
    answer is "no" without it (tests/test_cold_start_imports.py fails if FastAPI moves the function).
    Called before routes are declared: by build_app, and by pybase.apidocs for the docs function's."""
    from fastapi._compat import shared

    ask = shared.is_pydantic_v1_model_class
    if getattr(ask, "pybase_needs_v1_loaded", False):
        return

    def is_pydantic_v1_model_class(cls: Any) -> bool:
        return "pydantic.v1" in sys.modules and ask(cls)

    is_pydantic_v1_model_class.pybase_needs_v1_loaded = True  # type: ignore[attr-defined]
    shared.is_pydantic_v1_model_class = is_pydantic_v1_model_class


def _document_answer_models(app: FastAPI) -> None:
    # The app's own OpenAPI document (tests read it) shows the models of the answers its routes
    # document (pybase.docanswers), which are attached only once a document is asked for.
    from pybase.docanswers import attach_models

    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            attach_models(app.routes)
        return generate()

    app.openapi = openapi  # type: ignore[method-assign]
