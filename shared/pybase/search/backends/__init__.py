"""Search backends in a registry: `postgres` (default) and `meilisearch`, chosen by PYBASE_SEARCH_BACKEND."""

from __future__ import annotations

import importlib
from functools import lru_cache

from pybase.config import get_settings
from pybase.errors import ServiceUnavailable
from pybase.search.backends.base import SearchBackend

# name -> module defining `make() -> SearchBackend`; imported on first use (the Meilisearch client is optional).
BACKENDS: dict[str, str] = {
    "postgres": "pybase.search.backends.postgres",
    "meilisearch": "pybase.search.backends.meili",
}


def make_backend(name: str) -> SearchBackend:
    module = BACKENDS.get(name)
    if module is None:
        raise ServiceUnavailable(
            f"Unknown search backend {name!r} (PYBASE_SEARCH_BACKEND).", details={"backends": sorted(BACKENDS)}
        )
    return importlib.import_module(module).make()


@lru_cache(maxsize=1)
def get_backend() -> SearchBackend:
    return make_backend(get_settings().search_backend)
