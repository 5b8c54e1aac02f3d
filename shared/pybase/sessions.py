"""The request's database session as a FastAPI dependency (imported as pybase.db.get_session).

One session per request, committed before the response is sent: the unit of work is a dependency
of FastAPI's "function" scope, whose exit runs once the route has returned and its response is
built, but before a byte of it goes out. A failed commit therefore becomes the client's error
response instead of a success already sent (the default "request" scope exits after sending).
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Depends
from sqlalchemy.orm import Session

from pybase.db import session_scope


def _unit_of_work() -> Iterator[Session]:
    with session_scope() as session:
        yield session


async def get_session(session: Session = Depends(_unit_of_work, scope="function")) -> Session:
    # FastAPI takes a scope from the Depends() that names a dependency, and every route says plain
    # Depends(get_session): this wrapper carries the scope for them. Async: no thread hand-off.
    return session
