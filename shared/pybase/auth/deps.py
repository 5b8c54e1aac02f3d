"""FastAPI dependencies that turn the Authorization header into a Principal."""

from __future__ import annotations

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from pybase.access.roles import Principal
from pybase.auth import service
from pybase.db import get_session
from pybase.errors import Unauthorized
from pybase.logs import logger


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Use 'Authorization: Bearer <token>'.", code="invalid_token")
    return token.strip()


def get_principal(request: Request, session: Session = Depends(get_session)) -> Principal:
    token = bearer_token(request)
    if token is None:
        raise Unauthorized("Authentication required.", code="authentication_required")
    principal = service.authenticate_request(session, token=token)
    logger.append_keys(user=principal.user_id)
    request.state.principal = principal
    return principal


def get_optional_principal(request: Request, session: Session = Depends(get_session)) -> Principal | None:
    token = bearer_token(request)
    if token is None:
        return None
    return get_principal(request, session)
