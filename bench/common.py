"""What the database benchmarks share: a scratch database, migrations, the bench owner's base and timing.

Each benchmark adds `bench/` to `sys.path` and imports from here; nothing here is part of the product.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "shared") not in sys.path:
    sys.path.insert(0, str(ROOT / "shared"))


def load_stack() -> ModuleType:
    """infra/stack.py as a module (it is a script, not a package): the benchmarks that run the local
    stack (serverless offline, LocalStack) start it through it."""
    spec = importlib.util.spec_from_file_location("pybase_infra_stack", ROOT / "infra" / "stack.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["pybase_infra_stack"] = module
    spec.loader.exec_module(module)
    return module


def p50(samples: list[float]) -> float:
    return statistics.median(samples)


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """p50 in ms of `runs` calls of `fn`, and the last call's result."""
    samples = []
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    return p50(samples), result


def start_database(label: str = "bench") -> tuple[str, Callable[[], None]]:
    """A scratch database on DATABASE_URL's server, else on an embedded PostgreSQL (pgserver) in a
    temporary directory; returns its URL and a function that drops it (and stops what it started)."""
    import psycopg
    from sqlalchemy.engine import make_url

    server = None
    tmp = None
    url = os.environ.get("DATABASE_URL")
    if not url:
        import pgserver

        tmp = tempfile.mkdtemp(prefix=f"pybase-{label}-")
        os.chmod(tmp, 0o777)  # pgserver runs postgres as its own OS user when started by root
        server = pgserver.get_server(tmp, cleanup_mode="stop")
        url = server.get_uri()
    libpq = make_url(url).set(drivername="postgresql")
    name = f"pybase_{label.replace('-', '_')}_{os.getpid()}_{secrets.token_hex(3)}"
    admin = libpq.set(database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    bench_url = libpq.set(database=name).render_as_string(hide_password=False)

    def cleanup() -> None:
        from pybase.db import reset_engine

        reset_engine()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if server is not None:
            server.cleanup()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    return bench_url, cleanup


def use_database(url: str, **defaults: str) -> None:
    """Point pybase at `url` (settings and engine rebuilt); `defaults` are environment variables set
    unless the caller's environment already has them."""
    os.environ["DATABASE_URL"] = url
    for key, value in defaults.items():
        os.environ.setdefault(key, value)
    from pybase.config import get_settings
    from pybase.db import reset_engine
    from pybase.startup import start

    get_settings.cache_clear()
    reset_engine()
    start()  # writes publish to realtime, as in an API function


def with_database(run: Callable[[str], None], label: str = "bench", **defaults: str) -> None:
    """`run(url)` against a scratch database (see `start_database`, `use_database`), dropped afterwards."""
    url, cleanup = start_database(label)
    try:
        use_database(url, **defaults)
        run(url)
    finally:
        cleanup()


def migrate(url: str) -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(ROOT / "infra" / "alembic.ini"))
    cfg.attributes["database_url"] = url
    command.upgrade(cfg, "heads")


def owner_base(session: Any, email: str) -> tuple[Any, Any, Any]:
    """A user owning a workspace named Bench with one base named Bench: (user, base, principal)."""
    from pybase.access.roles import Principal
    from pybase.auth.models import User
    from pybase.bases.models import AppBase
    from pybase.workspaces.models import Workspace, WorkspaceMember

    user = User(email=email, name="Bench", password_hash="x")
    session.add(user)
    session.flush()
    ws = Workspace(name="Bench", created_by=user.id)
    session.add(ws)
    session.flush()
    session.add(WorkspaceMember(workspace_id=ws.id, user_id=user.id, role="owner"))
    base = AppBase(workspace_id=ws.id, name="Bench", created_by=user.id)
    session.add(base)
    session.flush()
    return user, base, Principal(user_id=user.id)
