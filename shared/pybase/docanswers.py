"""Answers documented by a model in a route's `responses`, whose model only the OpenAPI document reads.

FastAPI builds a serializer (a pydantic TypeAdapter) for the `model` of every `responses` entry when
a route is declared, though nothing but the OpenAPI document uses it: about 0.1 ms each, and the
records function declares some 235 of them (its error answers on every route), so its cold start
built them all for nothing. A `DocumentedAnswer` holds its model beside the entry instead of in it;
`attach_models` puts the models back where FastAPI reads them, on the routes a document is generated
from (`pybase.routegroups.build_app` does it for an app's own document, `pybase.apidocs` for the
combined one). A document generated without that step still lists the answer, without its schema.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class DocumentedAnswer(dict[str, Any]):
    """A `responses` entry ({"description": ...}) that carries its model as an attribute."""

    def __init__(self, model: Any, description: str) -> None:
        super().__init__(description=description)
        self.model = model


def attach_models(routes: Iterable[Any]) -> None:
    """Give the routes' documented answers their models as FastAPI's own `model` entries, once."""
    from fastapi.routing import APIRoute
    from fastapi.utils import create_model_field

    for route in routes:
        if not isinstance(route, APIRoute):
            continue
        if not any(isinstance(answer, DocumentedAnswer) for answer in route.responses.values()):
            continue
        responses: dict[int | str, dict[str, Any]] = {}
        fields = {}
        for status, answer in route.responses.items():
            if isinstance(answer, DocumentedAnswer):
                answer = {"model": answer.model, **answer}
            responses[status] = answer
            if answer.get("model"):
                # As FastAPI names and builds them when it is given `model` entries (in this order).
                fields[status] = route.response_fields.get(status) or create_model_field(
                    name=f"Response_{status}_{route.unique_id}", type_=answer["model"], mode="serialization"
                )
        route.responses = responses
        route.response_fields = fields
