"""Password hashing (argon2id) and session JWTs (HS256 pinned, audience and issuer checked)."""

from __future__ import annotations

import hashlib
import secrets
import time
from functools import cache
from typing import TYPE_CHECKING, Any

import jwt

from pybase.config import get_settings
from pybase.errors import Unauthorized

if TYPE_CHECKING:
    from argon2 import PasswordHasher

JWT_ALGORITHM = "HS256"
API_TOKEN_PREFIX = "pat"


@cache
def _hasher() -> PasswordHasher:
    # argon2 loads with the first password: every API function imports this module for its tokens,
    # only the auth function's register, login and password routes hash or check a password.
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def random_secret(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def issue_access_token(user_id: str, session_id: str | None = None) -> tuple[str, int]:
    """`session_id` (claim `sid`) names the login session (refresh-token family) the token belongs to,
    so that ending the session can also close what the token opened (WebSocket connections)."""
    settings = get_settings()
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": user_id,
        "iat": now,
        "nbf": now,
        "exp": now + settings.access_token_ttl,
        "aud": settings.jwt_audience,
        "iss": settings.jwt_issuer,
        "typ": "access",
    }
    if session_id is not None:
        claims["sid"] = session_id
    return jwt.encode(claims, settings.jwt_secret, algorithm=JWT_ALGORITHM), settings.access_token_ttl


def decode_access_token(token: str) -> dict[str, Any]:
    settings = get_settings()
    try:
        # `algorithms` pins HS256: tokens signed otherwise (or with alg=none) fail to decode.
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=[JWT_ALGORITHM],
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iat", "sub", "aud", "iss"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("The access token has expired.", code="token_expired") from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized("The access token is not valid.", code="invalid_token") from exc
    if claims.get("typ") != "access":
        raise Unauthorized("The access token is not valid.", code="invalid_token")
    return claims
