"""Migrations: one head, and the models say what the migrations build (`alembic check`)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from tests.factories import make_base, make_table, make_user, make_workspace
from tests.lambda_events import ROOT


def _config(url: str | None = None) -> Config:
    cfg = Config(str(ROOT / "infra" / "alembic.ini"))
    if url:
        cfg.attributes["database_url"] = url
    return cfg


def test_one_head() -> None:
    # A new migration must revise the current head; two migrations revising the same parent leave
    # two heads, and `alembic upgrade head` then refuses to run.
    script = ScriptDirectory.from_config(_config())
    assert len(script.get_heads()) == 1, f"several Alembic heads: {script.get_heads()} (add a merge revision)"
    script.get_revision("head")  # raises when "head" is ambiguous (a depends_on left dangling, too)


def test_models_match_migrations(database: str) -> None:
    # A table adds a records partition, made at run time, which the comparison must leave out.
    owner = make_user()
    make_table(make_base(make_workspace(owner), by=owner), by=owner)
    command.check(_config(database))  # raises if an upgrade would need new operations
