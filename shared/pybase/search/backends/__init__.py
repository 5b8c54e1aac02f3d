"""Search backends in a registry: `postgres` (default) and `meilisearch`, chosen by PYBASE_SEARCH_BACKEND."""

from __future__ import annotations

import importlib
from functools import lru_cache

from pybase.config import get_settings
from pybase.errors import ServiceUnavailable
from pybase.registry import Registry, UnknownName
from pybase.search.backends.base import SearchBackend

# name -> module defining `make() -> SearchBackend`; imported on first use (the Meilisearch client is optional).
BACKENDS: Registry[str] = Registry("search backend")
BACKENDS.add("postgres", "pybase.search.backends.postgres")
BACKENDS.add("meilisearch", "pybase.search.backends.meili")


def make_backend(name: str) -> SearchBackend:
    try:
        module = BACKENDS.get(name)
    except UnknownName as e:
        # A deployment setting, not the client's doing (this used to fail with a TypeError: no retry_after).
        raise ServiceUnavailable(
            f"Unknown search backend {name!r} (PYBASE_SEARCH_BACKEND).", retry_after=60, details={"backends": e.known}
        ) from None
    return importlib.import_module(module).make()


@lru_cache(maxsize=1)
def get_backend() -> SearchBackend:
    return make_backend(get_settings().search_backend)
