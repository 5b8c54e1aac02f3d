"""A router of rare routes that its function imports with their first request, not at its cold start.

`pybase.routegroups` names such routers with the routes they serve (`Deferred`); the app holds one
`DeferredRouter` in their place, which matches the same methods and paths and, when one of them is
asked for, imports the router, puts its routes where it stood and routes the request again, exactly as
if they had been there from the start. Every later request finds the real routes.

Worth it only for routers whose modules (and what they alone import) the function's other requests
never need: the records function's CSV import/export and public forms (about 2.4% of its cold start's
instructions, measured with callgrind).
"""

from __future__ import annotations

import importlib
import re
import threading
from typing import TYPE_CHECKING, Any

from starlette.routing import BaseRoute, Match, compile_path, get_route_path

if TYPE_CHECKING:
    from fastapi.routing import APIRouter
    from starlette.types import Receive, Scope, Send


def parse_route(route: str) -> tuple[frozenset[str], str]:
    """Parse "GET,HEAD /path/{id}" into ({"GET", "HEAD"}, "/path/{id}")."""
    methods, _, path = route.partition(" ")
    return frozenset(methods.split(",")), path


class DeferredRouter(BaseRoute):
    def __init__(self, reference: str, routes: tuple[str, ...]) -> None:
        self.reference = reference
        self._patterns: list[tuple[frozenset[str], re.Pattern[str]]] = []
        for route in routes:
            methods, path = parse_route(route)
            self._patterns.append((methods, compile_path(path)[0]))
        self._lock = threading.Lock()

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        # As the router's own routes would: FULL on path and method, PARTIAL (a 405) on path alone.
        if scope["type"] != "http":
            return Match.NONE, {}
        path = get_route_path(scope)
        found = Match.NONE
        for methods, pattern in self._patterns:
            if pattern.match(path):
                if scope["method"] in methods:
                    return Match.FULL, {}
                found = Match.PARTIAL
        return found, {}

    def load(self, app_router: APIRouter) -> None:
        """Import the router and put its routes in this placeholder's place among the app's (once)."""
        with self._lock:
            routes = app_router.routes
            if self not in routes:
                return
            module, _, attribute = self.reference.partition(":")
            router: Any = getattr(importlib.import_module(module), attribute)
            at = routes.index(self)
            routes[at : at + 1] = router.routes

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        app_router = scope["router"]  # the app's, which matched this placeholder
        self.load(app_router)
        await app_router.app(scope, receive, send)


def load_all(app_router: APIRouter) -> None:
    """Replace every placeholder of the app by its routes (for the OpenAPI document)."""
    for route in list(app_router.routes):
        if isinstance(route, DeferredRouter):
            route.load(app_router)
