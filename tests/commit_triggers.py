"""Real PostgreSQL faults at COMMIT for tests: a deferred constraint trigger on a table runs a given
PL/pgSQL body when a transaction that wrote to that table commits."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy.engine import make_url


def admin_url(database: str) -> str:
    return make_url(database).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def at_commit(database: str, table: str, prefix: str, body: str) -> Iterator[None]:
    """While active, `body` (PL/pgSQL statements) runs at COMMIT of every transaction that wrote to `table`."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    with psycopg.connect(admin_url(database), autocommit=True) as conn:
        conn.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} END $$")
        conn.execute(
            f"CREATE CONSTRAINT TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {name}()"
        )
    try:
        yield
    finally:
        with psycopg.connect(admin_url(database), autocommit=True) as conn:
            conn.execute(f"DROP TRIGGER {name} ON {table}")
            conn.execute(f"DROP FUNCTION {name}()")
