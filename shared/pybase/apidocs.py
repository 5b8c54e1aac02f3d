"""The combined OpenAPI document of every route group, and the interactive docs page (Swagger UI).

The document is generated once by FastAPI over the routes of all groups (`pybase.routegroups`), so
schema names are made unique by the generator itself and every `$ref` is right by construction.
Each operation keeps its router's tags and says which Lambda function serves it
(`x-pybase-function`). Building it imports every group's routes, so it is built on the first request
and kept (the docs function's cold start stays small).

The page is Swagger UI from the `swagger-ui-dist` npm package that the project installs (root
package.json); `serverless.yml` ships its files with the docs function. Nothing loads from a CDN: the
docs work offline and behind firewalls.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response

from pybase.docanswers import attach_models
from pybase.errors import NotFound
from pybase.logs import logger
from pybase.routegroups import GROUPS, build_app, no_pydantic_v1_import, routers_of

TITLE = "PyBase API"
VERSION = "0.1.0"
DESCRIPTION = """\
All PyBase route groups in one document.

**Authentication.** Send `Authorization: Bearer <token>` with an access token from `POST /auth/login`
or a personal API token (`pat_...`, from `POST /api-tokens`).

**Errors.** Every error of the native API is JSON `{"error": {"code", "message", "details"}}` with a
4xx status for bad input, and 503 `unavailable` (with `Retry-After`) while the database cannot be
reached. The `/v0` routes answer in Airtable's own error shapes instead.

**Field names or IDs.** Record fields are keyed by field ID by default; `field_key=name` keys them by
field name in the answers of every record read and write (writes accept IDs or names either way), and
value errors name the field as the request keyed it (`field`, with `field_id`). `view=` takes a view's
ID or its name.
"""

_lock = threading.Lock()
_cached: dict[str, Any] | None = None


def _uses(dependant: Any, call: Any) -> bool:
    """Whether a route's dependency tree includes `call` (e.g. the principal dependency)."""
    return any(dep.call is call or _uses(dep, call) for dep in dependant.dependencies)


def build_document() -> dict[str, Any]:
    from fastapi.openapi.utils import get_openapi
    from fastapi.routing import APIRoute

    from pybase.auth.deps import get_optional_principal, get_principal

    routes: list[Any] = []
    owner: dict[tuple[str, str], tuple[str, bool | None]] = {}
    problems: dict[str, str] = {}
    for name in GROUPS:
        try:
            app = build_app(name)
            routers = routers_of(name)
        except Exception as exc:  # one broken group must not hide the others' docs
            logger.exception("route group failed to load", extra={"group": name})
            problems[name] = f"{type(exc).__name__}: {exc}"[:300]
            continue
        routes.extend(app.routes)
        for router in routers:
            for route in router.routes:
                if not isinstance(route, APIRoute):
                    continue
                # None: a credential is required; True: optional; False: none is read.
                optional = _uses(route.dependant, get_optional_principal)
                auth = None if _uses(route.dependant, get_principal) and not optional else optional
                for method in route.methods:
                    owner[(route.path_format, method.lower())] = (name, auth)
    attach_models(routes)
    document = get_openapi(title=TITLE, version=VERSION, description=DESCRIPTION, routes=routes)
    document.setdefault("components", {})["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "An access token from POST /auth/login, or a personal API token (pat_...).",
        }
    }
    document["security"] = [{"bearer": []}]
    tags: dict[str, None] = {}
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if (path, method) not in owner:
                continue
            group, auth = owner[(path, method)]
            operation["x-pybase-function"] = group
            operation.setdefault("tags", [group])
            tags.update(dict.fromkeys(operation["tags"]))
            if auth is not None:
                # No credential needed; an optional one may still be sent.
                operation["security"] = [{}, {"bearer": []}] if auth else []
    document["tags"] = [{"name": tag} for tag in tags]
    _documented_models_only(document)
    if problems:
        document["info"]["x-pybase-unavailable"] = problems
    return document


def _documented_models_only(document: dict[str, Any]) -> None:
    """Routes documented with `pybase.api.answers` send their dict as `dict[str, Any]` at run time, and
    FastAPI merges that plain object into the documented model's schema: keep only the model."""
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for answer in operation.get("responses", {}).values():
                for content in (answer.get("content") or {}).values():
                    schema = content.get("schema")
                    if isinstance(schema, dict) and "$ref" in schema and len(schema) > 1:
                        content["schema"] = {"$ref": schema["$ref"]}
                    elif isinstance(schema, dict) and ("anyOf" in schema) and schema.get("type") == "object":
                        content["schema"] = {"anyOf": schema["anyOf"]}


def combined_openapi() -> dict[str, Any]:
    global _cached
    with _lock:
        if _cached is None:
            _cached = build_document()
        return _cached


# Swagger UI's files, served from the installed npm package. LICENSE and NOTICE ship with them.
ASSETS: dict[str, str] = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
    "favicon-16x16.png": "image/png",
}
PACKAGE = "swagger-ui-dist"


def assets_dir() -> Path | None:
    """node_modules/swagger-ui-dist in the nearest folder above this module: the repository locally,
    the function's root (/var/task) on Lambda, where serverless.yml packages the files."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "node_modules" / PACKAGE
        if (candidate / "swagger-ui-bundle.js").is_file():
            return candidate
    return None


INIT_SCRIPT = """\
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    filter: true,
    persistAuthorization: true,
    displayRequestDuration: true,
    defaultModelsExpandDepth: 0,
    docExpansion: "none",
    tryItOutEnabled: false
  });
});
"""

# Relative URLs: the page works under any API Gateway stage prefix.
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>PyBase API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="docs/swagger-ui.css">
<link rel="icon" type="image/png" href="docs/favicon-32x32.png" sizes="32x32">
<style>body{margin:0}</style>
</head>
<body>
<main id="swagger-ui"><noscript>The PyBase API reference needs JavaScript; the document itself is
<a href="openapi.json">openapi.json</a>.</noscript></main>
<script src="docs/swagger-ui-bundle.js"></script>
<script src="docs/init.js"></script>
</body>
</html>
"""

_CACHE = {"cache-control": "public, max-age=3600"}

no_pydantic_v1_import()  # before the routes below are declared
router = APIRouter(tags=["docs"])


@router.get("/openapi.json", include_in_schema=False)
def openapi_json() -> JSONResponse:
    return JSONResponse(combined_openapi())


@router.get("/docs", include_in_schema=False)
def docs_page() -> HTMLResponse:
    return HTMLResponse(PAGE)


@router.get("/docs/{asset}", include_in_schema=False)
def docs_asset(asset: str) -> Response:
    if asset == "init.js":
        return Response(INIT_SCRIPT, media_type="text/javascript; charset=utf-8", headers=_CACHE)
    folder = assets_dir()
    if asset not in ASSETS:
        raise NotFound(f"No docs asset named {asset!r}.")
    if folder is None:
        raise NotFound(f"Swagger UI's files are not installed ({PACKAGE}: run `npm ci` at the repository root).")
    return FileResponse(folder / asset, media_type=ASSETS[asset], headers=_CACHE)
