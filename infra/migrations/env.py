"""Alembic environment: the database URL comes from PyBase's settings (DATABASE_URL)."""

from __future__ import annotations

import re
from typing import Any

from alembic import context
from sqlalchemy import create_engine, pool

import pybase.all_models  # noqa: F401  (fills the metadata)
from pybase.config import get_settings
from pybase.db import Base, normalize_url

target_metadata = Base.metadata

# Made at run time, not by migrations: one records partition per user table (with the expression
# indexes built on it, and PostgreSQL's copies of the foreign keys into records that point at it),
# so comparing models with the database (`alembic check`) leaves them out.
_PARTITION = re.compile(r"^records_tbl[A-Za-z0-9]+$")


def include_name(name: str | None, type_: str, parent_names: dict[str, str | None]) -> bool:
    return not (type_ == "table" and name is not None and _PARTITION.match(name))


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    if type_ == "foreign_key_constraint" and reflected:
        return not any(_PARTITION.match(fk.target_fullname.split(".")[0]) for fk in obj.elements)
    return True


def run_migrations_online() -> None:
    url = context.config.attributes.get("database_url") or get_settings().database_url
    engine = create_engine(normalize_url(url), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            include_name=include_name,
            include_object=include_object,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def run_migrations_offline() -> None:
    url = context.config.attributes.get("database_url") or get_settings().database_url
    context.configure(url=normalize_url(url), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
