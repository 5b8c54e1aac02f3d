"""API functions run their plain routes, dependencies and response validation on the event loop's
thread (one request at a time per Lambda process: a thread pool only adds hand-offs), with a
yield-dependency's exit still seeing the route's error, and every answer tagged with its request ID."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from pybase.app import create_app, lambda_handler_for
from pybase.errors import NotFound
from tests.lambda_events import LambdaContext, http_event

seen: dict[str, Any] = {}


def _session() -> Iterator[str]:
    seen["dependency enter"] = threading.get_ident()
    try:
        yield "session"
    except Exception as error:
        seen["dependency saw"] = type(error).__name__
        raise
    finally:
        seen["dependency exit"] = threading.get_ident()


def _principal(session: str = Depends(_session)) -> str:
    seen["principal"] = threading.get_ident()
    return "usrA"


class Answer(BaseModel):
    user: str


router = APIRouter()


@router.get("/probe", response_model=Answer)
def probe(principal: str = Depends(_principal)) -> dict[str, Any]:
    seen["route"] = threading.get_ident()
    return {"user": principal}


@router.get("/missing")
def missing(principal: str = Depends(_principal)) -> dict[str, Any]:
    raise NotFound("Nothing here")


def _handler() -> Any:
    return lambda_handler_for(create_app("probe", [router], database=False))


def test_plain_routes_and_dependencies_run_on_the_callers_thread() -> None:
    seen.clear()
    result = _handler()(http_event("GET", "/probe"), LambdaContext())
    assert result["statusCode"] == 200 and json.loads(result["body"]) == {"user": "usrA"}
    here = threading.get_ident()
    assert {k: v == here for k, v in seen.items()} == {
        "dependency enter": True,
        "principal": True,
        "route": True,
        "dependency exit": True,
    }
    assert result["headers"]["x-request-id"]


def test_a_routes_error_reaches_the_dependency_exit_and_the_error_answer() -> None:
    seen.clear()
    result = _handler()(http_event("GET", "/missing"), LambdaContext())
    assert result["statusCode"] == 404
    assert json.loads(result["body"])["error"]["code"] == "not_found"
    assert seen["dependency saw"] == "NotFound"
    assert seen["dependency exit"] == threading.get_ident()
    assert result["headers"]["x-request-id"]
