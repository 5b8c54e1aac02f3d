"""Deferred routers (pybase.routegroups.Deferred): declared with the routes they really have, imported
with the first request to one of them, and answering every request as the same app built without
deferral does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from pybase.app import lambda_handler_for
from pybase.routegroups import GROUPS, _resolve, build_app
from tests.lambda_events import ROOT, LambdaContext, http_event

DEFERRING = sorted(name for name, group in GROUPS.items() if group.deferred)


def test_some_group_defers() -> None:
    assert "records" in DEFERRING


@pytest.mark.parametrize("name", DEFERRING)
def test_declared_routes_are_the_routers_own(name: str) -> None:
    for entry in GROUPS[name].deferred:
        assert entry.router in GROUPS[name].routers
        declared = {(frozenset(r.split(" ", 1)[0].split(",")), r.split(" ", 1)[1]) for r in entry.routes}
        actual = {(frozenset(route.methods), route.path) for route in _resolve(entry.router).routes}
        assert declared == actual, entry.router


def _requests(name: str) -> list[tuple[str, str]]:
    """For each deferred route: the route (no token: 401 or the route's own answer), a method it does
    not serve (405), a trailing slash (redirect) and a neighbour path that nothing serves (404)."""
    requests = []
    for entry in GROUPS[name].deferred:
        for route in entry.routes:
            methods, path = route.split(" ", 1)
            concrete = path.replace("{", "x").replace("}", "")
            requests += [(methods.split(",")[0], concrete), ("PATCH", concrete), ("GET", concrete + "/")]
            requests.append(("GET", concrete + "/nothing-here"))
    return requests


def _answer(handler: Any, method: str, path: str) -> tuple[int, Any, dict[str, str]]:
    result = handler(http_event(method, path), LambdaContext())
    headers = {k: v for k, v in result["headers"].items() if k in ("allow", "location", "content-type")}
    body = json.loads(result["body"]) if result["body"] else None
    return result["statusCode"], body, headers


@pytest.mark.parametrize("name", DEFERRING)
def test_a_deferring_app_answers_as_an_eager_one(name: str) -> None:
    eager = lambda_handler_for(build_app(name, defer=False))
    for method, path in _requests(name):
        # A new app for each request, so that each meets the placeholders.
        deferring = lambda_handler_for(build_app(name))
        assert _answer(deferring, method, path) == _answer(eager, method, path), (method, path)


PROBE = """
import importlib.util, json, sys
sys.path.insert(0, sys.argv[1])
spec = importlib.util.spec_from_file_location("handler", "functions/records/handler.py")
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
from tests.lambda_events import LambdaContext, http_event
watched = ("pybase.csvio.routes", "pybase.views.forms_routes")
before = [name for name in watched if name in sys.modules]
first = module.handler(http_event("GET", "/tables/tblAbCdEfGh1234567/export.csv"), LambdaContext())["statusCode"]
after = [name for name in watched if name in sys.modules]
kinds = sorted({type(route).__name__ for route in module.app.router.routes})
print(json.dumps({"before": before, "after": after, "kinds": kinds, "first": first}))
"""


def test_the_records_function_imports_them_with_their_first_request() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "shared")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["before"] == []
    # The export route answered (no token: 401); its module and only it came in, in its placeholder's
    # place, and the forms' placeholder is still there.
    assert seen["first"] == 401
    assert seen["after"] == ["pybase.csvio.routes"]
    assert seen["kinds"] == ["APIRoute", "DeferredRouter"]
