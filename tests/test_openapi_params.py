"""Every function group's OpenAPI declares each `{parameter}` of its paths (and no path parameter
that is not in the path), so generated clients and schema-driven fuzzers can call every operation."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pybase.routegroups import GROUPS as ROUTE_GROUPS
from tests.lambda_events import load_function

# The HTTP function groups (each builds its app from pybase.routegroups).
GROUPS = sorted(ROUTE_GROUPS)
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _problems(spec: dict[str, Any]) -> list[str]:
    problems = []
    for path, item in spec.get("paths", {}).items():
        in_path = set(re.findall(r"\{([^}]+)\}", path))
        shared = {p["name"] for p in item.get("parameters", []) if p.get("in") == "path"}
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            declared = shared | {p["name"] for p in operation.get("parameters", []) if p.get("in") == "path"}
            if in_path - declared:
                problems.append(f"{method.upper()} {path}: undeclared {sorted(in_path - declared)}")
            if declared - in_path:
                problems.append(f"{method.upper()} {path}: declared but not in the path {sorted(declared - in_path)}")
    return problems


def test_groups_are_found() -> None:
    assert {"auth", "records", "tables", "workspaces", "files", "airtable"} <= set(GROUPS)


@pytest.mark.parametrize("group", GROUPS)
def test_every_path_parameter_is_declared(group: str) -> None:
    app = load_function(group).app
    assert _problems(app.openapi()) == []


def test_the_combined_document_declares_every_path_parameter() -> None:
    docs = load_function("docs")
    assert _problems(docs.combined_openapi()) == []
