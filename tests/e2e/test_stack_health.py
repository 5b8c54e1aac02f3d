"""GET /health and an unknown route through serverless offline (the real local HTTP API)."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import E2EStack

pytestmark = pytest.mark.e2e


def test_health_reports_every_dependency_ok(stack: E2EStack) -> None:
    # The first request pays the function's cold import in a fresh Python worker.
    response = httpx.get(f"{stack.http_url}/health", timeout=60)
    assert response.status_code == 200, response.text + stack.logs()
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["dependencies"]) == {"database", "redis", "s3", "sqs"}
    for name, state in body["dependencies"].items():
        assert state["status"] == "ok", (name, state)
    assert body["stage"] == "test"
    assert response.headers.get("x-request-id")


def test_unknown_route_gets_the_json_error_envelope(stack: E2EStack) -> None:
    response = httpx.get(f"{stack.http_url}/no/such/route", timeout=60)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert set(error) == {"code", "message", "details"}
