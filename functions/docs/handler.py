"""Docs function: one OpenAPI document for every route group (GET /openapi.json) and a page (GET /docs).

Each API function is its own FastAPI app; this function imports them (lazily, on the first request,
so its cold start stays small) and merges their `openapi()` output. The page is self-contained HTML
(no CDN: it must work offline and in locked-down networks) that renders the operations from the JSON.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
import threading
from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse

from pybase.app import create_app, lambda_handler_for
from pybase.logs import logger

FUNCTIONS = Path(__file__).resolve().parent.parent
# Route groups in the order the page lists them (the URL plan of serverless.yml).
GROUPS = ("health", "auth", "workspaces", "tables", "records", "files", "airtable")
TITLE = "PyBase API"
VERSION = "0.1.0"

_lock = threading.Lock()
_cached: dict[str, Any] | None = None


def _load_group_app(group: str) -> Any:
    """Import functions/<group>/handler.py as Lambda would (a top-level file), return its FastAPI app."""
    name = f"pybase_function_{group}"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, FUNCTIONS / group / "handler.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(name, None)
            raise
    return getattr(module, "app", None)


def _rename_schemas(spec: dict[str, Any], renames: dict[str, str]) -> dict[str, Any]:
    if not renames:
        return spec
    text = json.dumps(spec)
    for old, new in renames.items():
        text = text.replace(f'"#/components/schemas/{old}"', f'"#/components/schemas/{new}"')
    renamed = json.loads(text)
    schemas = renamed.get("components", {}).get("schemas", {})
    for old, new in renames.items():
        if old in schemas:
            schemas[new] = schemas.pop(old)
    return renamed


def merge_openapi(specs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Merge per-group OpenAPI documents. Same-named schemas that differ get the group as a prefix."""
    combined: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION, "description": "All PyBase route groups in one document."},
        "paths": {},
        "components": {
            "schemas": {},
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An access token from POST /auth/login, or a personal API token (pat_...).",
                }
            },
        },
        "security": [{"bearer": []}],
        "tags": [],
    }
    schemas = combined["components"]["schemas"]
    for group, original in specs.items():
        spec = copy.deepcopy(original)
        group_schemas = spec.get("components", {}).get("schemas", {})
        renames = {
            name: f"{group}__{name}"
            for name, schema in group_schemas.items()
            if name in schemas and schemas[name] != schema
        }
        spec = _rename_schemas(spec, renames)
        schemas.update(spec.get("components", {}).get("schemas", {}))
        for path, item in spec.get("paths", {}).items():
            target = combined["paths"].setdefault(path, {})
            for method, operation in item.items():
                if isinstance(operation, dict):
                    operation.setdefault("tags", [group])
                    operation["x-pybase-function"] = group
                target[method] = operation
        combined["tags"].append({"name": group, "description": spec.get("info", {}).get("title", group)})
    return combined


def combined_openapi() -> dict[str, Any]:
    global _cached
    with _lock:
        if _cached is None:
            specs: dict[str, dict[str, Any]] = {}
            problems: dict[str, str] = {}
            for group in GROUPS:
                if not (FUNCTIONS / group / "handler.py").exists():
                    continue
                try:
                    app = _load_group_app(group)
                    if app is not None:
                        specs[group] = app.openapi()
                except Exception as exc:  # one broken group must not hide the others' docs
                    logger.exception("openapi of a route group failed", extra={"group": group})
                    problems[group] = f"{type(exc).__name__}: {exc}"[:300]
            _cached = merge_openapi(specs)
            if problems:
                _cached["info"]["x-pybase-unavailable"] = problems
        return _cached


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PyBase API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:14px 24px;display:flex;gap:16px;align-items:center}
header h1{font-size:18px;margin:0}header a{color:#9cc3ff}
main{max-width:1100px;margin:0 auto;padding:16px 24px}
input{width:100%;padding:8px 10px;font-size:14px;border:1px solid #c9ced8;border-radius:6px;box-sizing:border-box}
h2{margin:24px 0 8px;font-size:16px;text-transform:capitalize}
details{background:#fff;border:1px solid #e0e4ea;border-radius:6px;margin:6px 0}
summary{cursor:pointer;padding:8px 10px;display:flex;gap:10px;align-items:center}
.m{font:600 12px monospace;padding:2px 6px;border-radius:4px;color:#fff;min-width:52px;text-align:center}
.get{background:#2f7d32}.post{background:#1565c0}.patch{background:#8a5a00}.put{background:#6a1b9a}
.delete{background:#b71c1c}.other{background:#555}
code,pre{font-family:ui-monospace,monospace;font-size:12.5px}
pre{background:#f3f5f8;padding:8px;border-radius:4px;overflow:auto;max-height:360px}
.body{padding:4px 12px 12px}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #eef0f3;padding:4px 6px;text-align:left;vertical-align:top}
.muted{color:#6b7280}
</style></head>
<body><header><h1>PyBase API</h1><span class="muted" id="count"></span>
<a href="openapi.json">openapi.json</a></header>
<main><input id="q" placeholder="Filter by path, method, tag or summary" autofocus>
<div id="out" class="muted">Loading openapi.json...</div></main>
<script>
const ENT = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"};
const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ENT[c]);
let spec = null;
const refName = r => r && r.$ref ? r.$ref.split("/").pop() : null;
function schemaOf(s) {
  const name = refName(s); if (name) return spec.components.schemas[name] || {};
  return s || {};
}
function typeLabel(s) {
  if (!s) return "";
  const n = refName(s); if (n) return n;
  if (s.type === "array") return typeLabel(s.items) + "[]";
  if (s.anyOf) return s.anyOf.map(typeLabel).join(" | ");
  return s.type || "object";
}
function op(path, method, o) {
  const cls = ["get","post","patch","put","delete"].includes(method) ? method : "other";
  const params = (o.parameters || []).map(p => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td>
    <td>${esc(typeLabel(p.schema))}</td><td>${p.required ? "required" : ""}</td></tr>`).join("");
  const body = o.requestBody && o.requestBody.content ? Object.entries(o.requestBody.content).map(([ct, c]) =>
    `<p><b>Body</b> <code>${esc(ct)}</code>: <code>${esc(typeLabel(c.schema))}</code></p>
     <pre>${esc(JSON.stringify(schemaOf(c.schema), null, 2))}</pre>`).join("") : "";
  const responses = Object.entries(o.responses || {}).map(([code, r]) => {
    const c = r.content && (r.content["application/json"] || Object.values(r.content)[0]);
    const type = c ? typeLabel(c.schema) : "";
    return `<tr><td>${esc(code)}</td><td>${esc(r.description)}</td><td><code>${esc(type)}</code></td></tr>`;
  }).join("");
  const key = [method, path, o.summary || "", ...(o.tags || [])].join(" ").toLowerCase();
  return `<details data-k="${esc(key)}">
   <summary><span class="m ${cls}">${esc(method.toUpperCase())}</span><code>${esc(path)}</code>
   <span class="muted">${esc(o.summary || "")}</span></summary><div class="body">
   ${o.description ? `<p>${esc(o.description)}</p>` : ""}
   ${params ? `<table><tr><th>Parameter</th><th>In</th><th>Type</th><th></th></tr>${params}</table>` : ""}
   ${body}<table><tr><th>Status</th><th>Description</th><th>Schema</th></tr>${responses}</table></div></details>`;
}
function render() {
  const groups = {};
  let n = 0;
  for (const [path, item] of Object.entries(spec.paths || {}))
    for (const [method, o] of Object.entries(item)) {
      if (typeof o !== "object" || !o.responses) continue;
      const tag = (o.tags || ["other"])[0]; (groups[tag] ||= []).push(op(path, method, o)); n++;
    }
  document.getElementById("count").textContent = n + " operations";
  document.getElementById("out").className = "";
  document.getElementById("out").innerHTML = Object.entries(groups).map(([tag, ops]) =>
    `<section><h2>${esc(tag)}</h2>${ops.join("")}</section>`).join("") || "No operations.";
}
document.getElementById("q").addEventListener("input", e => {
  const q = e.target.value.toLowerCase();
  document.querySelectorAll("details").forEach(d => d.style.display = d.dataset.k.includes(q) ? "" : "none");
});
fetch("openapi.json").then(r => r.json()).then(j => { spec = j; render(); })
  .catch(e => { document.getElementById("out").textContent = "Could not load openapi.json: " + e; });
</script></body></html>
"""

router = APIRouter(tags=["docs"])


@router.get("/openapi.json", include_in_schema=False)
def openapi_json() -> JSONResponse:
    return JSONResponse(combined_openapi())


@router.get("/docs", include_in_schema=False)
def docs_page() -> HTMLResponse:
    return HTMLResponse(PAGE)


app = create_app("PyBase docs", [router])
handler = lambda_handler_for(app)
