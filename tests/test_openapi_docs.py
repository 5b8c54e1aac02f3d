"""The combined OpenAPI document teaches the API on its own: every operation has a summary and a
description, every parameter is described, success answers have a typed model (no bare object),
and the error answers are documented with the error model of their API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.lambda_events import load_function

METHODS = ("get", "put", "post", "delete", "patch")
NATIVE_ERROR = "#/components/schemas/ErrorResponse"
AIRTABLE_ERROR = "#/components/schemas/AirtableErrorResponse"
# The health check answers 503 with its usual report (which dependency fails), not an error.
OWN_ERROR_BODIES = {("/health", "503")}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return load_function("docs").combined_openapi()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, item in document["paths"].items() for m, op in item.items() if m in METHODS]


def _typed(schema: dict[str, Any], document: dict[str, Any]) -> bool:
    """A named model, a list of them, or a scalar: not an object without declared properties."""
    if "$ref" in schema:
        target = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        # A closed object without properties is typed too: the answer is exactly `{}`.
        closed = target.get("additionalProperties") is False
        return target.get("type") != "object" or bool(target.get("properties")) or closed
    if schema.get("type") == "array":
        return _typed(schema.get("items", {}), document)
    if "anyOf" in schema or "oneOf" in schema:
        return all(_typed(s, document) for s in schema.get("anyOf", schema.get("oneOf", [])))
    return schema.get("type") in ("string", "integer", "number", "boolean") or bool(schema.get("properties"))


def _problems(method: str, path: str, op: dict[str, Any], document: dict[str, Any]) -> list[str]:
    where = f"{method.upper()} {path}"
    problems = []
    if not op.get("summary"):
        problems.append(f"{where}: no summary")
    if len((op.get("description") or "").strip()) < 20:
        problems.append(f"{where}: no description")
    for param in op.get("parameters", []):
        if not (param.get("description") or "").strip():
            problems.append(f"{where}: parameter {param['name']} ({param['in']}) not described")
    responses = op.get("responses", {})
    successes = {code: r for code, r in responses.items() if code.startswith("2")}
    if not successes:
        problems.append(f"{where}: no success answer")
    for code, answer in successes.items():
        for media, content in (answer.get("content") or {}).items():
            if media == "application/json" and not _typed(content.get("schema", {}), document):
                problems.append(f"{where}: {code} answer is an untyped object")
    error_model = AIRTABLE_ERROR if path.startswith("/v0/") else NATIVE_ERROR
    errors = {code: r for code, r in responses.items() if code[0] in "45"}
    if not errors:
        problems.append(f"{where}: no error answers")
    for code, answer in errors.items():
        schema = ((answer.get("content") or {}).get("application/json") or {}).get("schema", {})
        if (path, code) in OWN_ERROR_BODIES:
            continue
        if schema.get("$ref") != error_model:
            problems.append(f"{where}: {code} is not documented with {error_model.rsplit('/', 1)[-1]}")
    if op.get("security") != [] and "401" not in errors:
        problems.append(f"{where}: needs a credential but does not document 401")
    return problems


def test_every_operation_is_documented(document: dict[str, Any]) -> None:
    problems = [p for method, path, op in _operations(document) for p in _problems(method, path, op, document)]
    assert problems == [], "\n".join(problems)


def test_the_checks_catch_what_they_look_for() -> None:
    """The walk above would pass vacuously if it checked nothing: a bare operation fails every check."""
    bare = {"responses": {"200": {"content": {"application/json": {"schema": {"type": "object"}}}}},
            "parameters": [{"name": "q", "in": "query"}]}  # fmt: skip
    found = " ".join(_problems("get", "/x", bare, {"components": {"schemas": {}}}))
    for expected in ("no summary", "no description", "not described", "untyped object", "no error answers", "401"):
        assert expected in found


def test_filters_and_sorts_are_explained_with_examples(document: dict[str, Any]) -> None:
    listing = document["paths"]["/tables/{table_id}/records"]["get"]
    params = {p["name"]: p for p in listing["parameters"]}
    for name in ("filter", "sort"):
        assert params[name].get("examples") or params[name]["schema"].get("examples"), name
    assert '"and"' in params["filter"]["description"] and '"op"' in params["filter"]["description"]
    assert "-" in params["sort"]["description"]
    query = document["paths"]["/tables/{table_id}/records/query"]["post"]
    body = query["requestBody"]["content"]["application/json"]["schema"]
    model = document["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
    assert model["properties"]["filter"].get("description") and model["properties"]["sort"].get("description")
    airtable = {p["name"]: p for p in document["paths"]["/v0/{base_id}/{table}"]["get"]["parameters"]}
    assert {"filterByFormula", "sort[0][field]", "view", "pageSize", "offset", "fields[]"} <= set(airtable)
