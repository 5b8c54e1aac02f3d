"""Authentication: who a bearer token belongs to."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from pybase.access.roles import Principal
from pybase.auth.models import ApiToken, User
from pybase.auth.security import API_TOKEN_PREFIX, decode_access_token, sha256
from pybase.db import utcnow
from pybase.errors import Unauthorized


def authenticate(session: Session, *, token: str) -> Principal:
    if token.startswith(API_TOKEN_PREFIX + "_"):
        return _authenticate_api_token(session, token=token)
    claims = decode_access_token(token)
    user = session.get(User, claims["sub"])
    if user is None or not user.is_active:
        raise Unauthorized("The access token is not valid.", code="invalid_token")
    return Principal(user_id=user.id)


def _authenticate_api_token(session: Session, *, token: str) -> Principal:
    row = session.execute(
        select(ApiToken, User.is_active)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == sha256(token))
    ).first()
    now = utcnow()
    if row is None:
        raise Unauthorized("The API token is not valid.", code="invalid_token")
    api_token, active = row
    if not active or api_token.revoked_at is not None:
        raise Unauthorized("The API token has been revoked.", code="invalid_token")
    if api_token.expires_at is not None and api_token.expires_at <= now:
        raise Unauthorized("The API token has expired.", code="token_expired")
    api_token.last_used_at = now
    return Principal(
        user_id=api_token.user_id,
        token_id=api_token.id,
        token_scope=api_token.scope,
        token_base_ids=frozenset(api_token.base_ids) if api_token.base_ids is not None else None,
    )
