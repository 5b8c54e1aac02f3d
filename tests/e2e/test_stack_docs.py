"""The combined OpenAPI document and the docs page (in-process merge rules, then through serverless offline)."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import E2EStack
from tests.lambda_events import ROOT, load_function


def test_merge_keeps_every_path_and_renames_conflicting_schemas() -> None:
    merge = load_function("docs").merge_openapi
    ref = {"$ref": "#/components/schemas/Item"}
    a = {
        "info": {"title": "A"},
        "paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {"schema": ref}}}}}}},
        "components": {"schemas": {"Item": {"type": "object", "properties": {"x": {"type": "string"}}},
                                   "Shared": {"type": "string"}}},
    }  # fmt: skip
    b = {
        "info": {"title": "B"},
        "paths": {"/b": {"post": {"responses": {"200": {"content": {"application/json": {"schema": ref}}}}}}},
        "components": {"schemas": {"Item": {"type": "integer"}, "Shared": {"type": "string"}}},
    }
    doc = merge({"alpha": a, "beta": b})
    assert set(doc["paths"]) == {"/a", "/b"}
    schemas = doc["components"]["schemas"]
    assert schemas["Item"] == {"type": "object", "properties": {"x": {"type": "string"}}}
    assert schemas["beta__Item"] == {"type": "integer"}
    assert "beta__Shared" not in schemas  # identical schemas are shared, not duplicated
    b_schema = doc["paths"]["/b"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert b_schema == {"$ref": "#/components/schemas/beta__Item"}
    assert doc["paths"]["/a"]["get"]["tags"] == ["alpha"]
    assert [t["name"] for t in doc["tags"]] == ["alpha", "beta"]


def test_docs_function_does_not_import_the_groups_until_asked() -> None:
    import subprocess
    import sys

    probe = (
        "import importlib.util, sys;"
        "s = importlib.util.spec_from_file_location('d', 'functions/docs/handler.py');"
        "m = importlib.util.module_from_spec(s); s.loader.exec_module(m);"
        "print(sorted(n for n in sys.modules if n.startswith('pybase_function_') or n in ('ezdxf', 'pypdf', 'boto3')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env={"PYTHONPATH": str(ROOT / "shared")},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert out.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.e2e
def test_openapi_and_docs_page_through_serverless_offline(stack: E2EStack) -> None:
    response = httpx.get(f"{stack.http_url}/openapi.json", timeout=90)
    assert response.status_code == 200, response.text + stack.logs()
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    assert "/health" in doc["paths"]
    groups = {op.get("x-pybase-function") for item in doc["paths"].values() for op in item.values()}
    present = {g for g in ("health", "auth", "workspaces", "tables", "records", "files", "airtable")
               if (ROOT / "functions" / g / "handler.py").exists()}  # fmt: skip
    assert present <= groups, doc["info"].get("x-pybase-unavailable")
    assert "x-pybase-unavailable" not in doc["info"]
    page = httpx.get(f"{stack.http_url}/docs", timeout=30)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'fetch("openapi.json")' in page.text
    assert "http://" not in page.text and "https://" not in page.text  # no CDN: works offline
