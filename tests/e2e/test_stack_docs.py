"""The combined OpenAPI document and the docs page (in-process merge rules, then through serverless offline)."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.e2e.conftest import E2EStack
from tests.lambda_events import ROOT, load_function


def _refs(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def test_document_covers_every_group_with_resolvable_unique_schemas() -> None:
    from pybase.routegroups import GROUPS, build_app

    doc = load_function("docs").combined_openapi()
    assert "x-pybase-unavailable" not in doc["info"]
    # Every operation a group's own app documents is in the combined document, attributed to it.
    for name in GROUPS:
        for path, item in build_app(name).openapi().get("paths", {}).items():
            for method in item:
                assert doc["paths"][path][method]["x-pybase-function"] == name, (method, path)
    # Same-named models of different domains (tables' and Airtable's TableIn) both stay, under
    # distinct names, and every reference resolves.
    schemas = doc["components"]["schemas"]
    assert sum(1 for name in schemas if name.endswith("TableIn")) >= 2
    missing = {ref for ref in _refs(doc) if ref.removeprefix("#/components/schemas/") not in schemas}
    assert missing == set()
    # Public operations say they need no credential; the rest inherit the bearer scheme.
    assert doc["paths"]["/auth/login"]["post"]["security"] == []
    assert "security" not in doc["paths"]["/tables/{tableId}"]["get"]
    assert doc["security"] == [{"bearer": []}]


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
    assert "http://" not in page.text and "https://" not in page.text  # no CDN: works offline
    # Swagger UI from the project's own files, every one of them served through API Gateway.
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    styles = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page.text)
    assert "docs/swagger-ui-bundle.js" in scripts and "docs/swagger-ui.css" in styles
    for asset in scripts + styles:
        response = httpx.get(f"{stack.http_url}/{asset}", timeout=30)
        assert response.status_code == 200, (asset, response.status_code, response.text[:200])
        kind = "text/css" if asset.endswith(".css") else "text/javascript"
        assert response.headers["content-type"].startswith(kind), asset
    bundle = httpx.get(f"{stack.http_url}/docs/swagger-ui-bundle.js", timeout=30)
    assert "SwaggerUIBundle" in bundle.text and len(bundle.content) > 500_000  # the real bundle
    assert 'url: "openapi.json"' in httpx.get(f"{stack.http_url}/docs/init.js", timeout=30).text
    unknown = httpx.get(f"{stack.http_url}/docs/secrets.txt", timeout=30)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
