"""Every operation of the OpenAPI document answered by its function through serverless offline: a
route the apps serve but serverless.yml does not send to their function falls to the catch-all route
(or the emulator's own 404) and answers a bare "Not Found" (how GET /field-types was found)."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.e2e.conftest import E2EStack

PLACEHOLDER_IDS = {"workspace": "wsp", "base": "app", "table": "tbl", "field": "fld", "view": "viw", "record": "rec",
                   "user": "usr", "comment": "com", "job": "job", "upload": "upl", "token": "tok"}  # fmt: skip


def _concrete(path: str) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        for key, prefix in PLACEHOLDER_IDS.items():
            if key in name:
                return prefix + "A" * 14
        return "x"

    return re.sub(r"\{([^}]+)\}", fill, path)


def _answered_by_its_function(response: httpx.Response) -> bool:
    """False for the emulator's own answer (no x-request-id) and for the catch-all route's 404 (the
    health function answers paths no function declares with Starlette's bare "Not Found"); a
    function's own 404 names what it did not find."""
    if "x-request-id" not in response.headers or "Serverless-offline" in response.text:
        return False
    if response.status_code != 404:
        return True
    try:
        error = response.json().get("error")
    except ValueError:
        return False
    return not (isinstance(error, dict) and error.get("message") == "Not Found")


@pytest.mark.e2e
def test_every_openapi_operation_reaches_pybase(stack: E2EStack) -> None:
    doc = httpx.get(f"{stack.http_url}/openapi.json", timeout=90).json()
    not_pybase = []
    with httpx.Client(base_url=stack.http_url, timeout=90) as client:
        for path, item in sorted(doc["paths"].items()):
            for method in sorted(item):
                if method not in ("get", "post", "put", "patch", "delete"):
                    continue
                body = None if method in ("get", "delete") else "{}"
                response = client.request(method.upper(), _concrete(path), content=body,
                                          headers={"content-type": "application/json"})  # fmt: skip
                if not _answered_by_its_function(response):
                    not_pybase.append(f"{method.upper()} {path}: {response.status_code} {response.text[:80]}")
    assert not not_pybase, "\n".join(not_pybase) + stack.logs()
