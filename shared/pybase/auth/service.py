"""Authentication: accounts, sessions (access JWT + rotating refresh token), personal API tokens.

Refresh tokens rotate: each use returns a new one and marks the old one rotated. Presenting a rotated
token again means it was copied, so the whole family (every token descended from that login) is revoked.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pybase.access.roles import Principal
from pybase.auth import tokencache
from pybase.auth.models import ApiToken, RefreshToken, User
from pybase.auth.security import (
    API_TOKEN_PREFIX,
    decode_access_token,
    hash_password,
    issue_access_token,
    random_secret,
    sha256,
    verify_password,
)
from pybase.config import get_settings
from pybase.db import execute_prepared, utcnow
from pybase.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from pybase.ids import looks_like_id

_dummy_hash: str | None = None


# Whether the account may still act.
_USER_ACTIVE_SQL = "SELECT is_active FROM users WHERE id = %s"


def authenticate(session: Session, *, token: str) -> Principal:
    """Every use checked in the database (and an API token's use recorded): WebSocket connects."""
    if token.startswith(API_TOKEN_PREFIX + "_"):
        return _authenticate_api_token(session, token=token)
    return _authenticate_jwt(session, token)


def authenticate_request(session: Session, *, token: str) -> Principal:
    """authenticate for HTTP requests: an API token verified in the last seconds is taken from the
    process's cache unless a revocation happened since (see pybase.auth.tokencache)."""
    if not token.startswith(API_TOKEN_PREFIX + "_"):
        return _authenticate_jwt(session, token)
    token_hash = sha256(token)
    stamp = tokencache.current_stamp()  # read before verifying: see tokencache.remember
    principal = tokencache.lookup(token_hash, stamp)
    if principal is None:
        principal = _authenticate_api_token(session, token=token, token_hash=token_hash, stamp=stamp)
    return principal


def _authenticate_jwt(session: Session, token: str) -> Principal:
    claims = decode_access_token(token)
    user_id = str(claims["sub"])
    active = None
    if looks_like_id(user_id, "usr"):
        # On every request with a session token: the driver's connection and a prepared statement
        # instead of a Core statement's execution path.
        raw = session.connection().connection.driver_connection
        found = execute_prepared(raw, _USER_ACTIVE_SQL, (user_id,)).fetchone()
        active = found[0] if found is not None else None
    if not active:
        raise Unauthorized("The access token is not valid.", code="invalid_token")
    return Principal(user_id=user_id)


def session_id_of(token: str) -> str | None:
    """The login session (refresh-token family) a valid access JWT belongs to; None for API tokens
    and for JWTs issued outside a login session."""
    if token.startswith(API_TOKEN_PREFIX + "_"):
        return None
    sid = decode_access_token(token).get("sid")
    return sid if isinstance(sid, str) and len(sid) <= 32 else None


_API_TOKEN = (
    select(ApiToken, User.is_active)
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def _authenticate_api_token(
    session: Session, *, token: str, token_hash: str | None = None, stamp: str | None = None
) -> Principal:
    token_hash = token_hash or sha256(token)
    row = session.execute(_API_TOKEN, {"token_hash": token_hash}).first()
    now = utcnow()
    if row is None:
        raise Unauthorized("The API token is not valid.", code="invalid_token")
    api_token, active = row
    if not active or api_token.revoked_at is not None:
        raise Unauthorized("The API token has been revoked.", code="invalid_token")
    if api_token.expires_at is not None and api_token.expires_at <= now:
        raise Unauthorized("The API token has expired.", code="token_expired")
    api_token.last_used_at = now
    principal = Principal(
        user_id=api_token.user_id,
        token_id=api_token.id,
        token_scope=api_token.scope,
        token_base_ids=frozenset(api_token.base_ids) if api_token.base_ids is not None else None,
    )
    tokencache.remember(token_hash, stamp, principal, api_token.expires_at)
    return principal


# --- accounts -----------------------------------------------------------------------------------


def register(session: Session, *, email: str, password: str, name: str) -> User:
    """Create an account. The route's schema validates the email; it is compared in lower case."""
    email = email.strip().lower()
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("An account with this email already exists.", code="email_taken")
    user = User(email=email, name=name, password_hash=hash_password(password))
    try:
        with session.begin_nested():  # a concurrent registration of the same email loses cleanly
            session.add(user)
            session.flush()
    except IntegrityError as exc:
        raise Conflict("An account with this email already exists.", code="email_taken") from exc
    return user


def login(session: Session, *, email: str, password: str) -> tuple[User, dict[str, Any]]:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        # Spend the same time as a real check so response times do not reveal which emails exist.
        verify_password(_get_dummy_hash(), password)
        raise Unauthorized("Wrong email or password.", code="invalid_credentials")
    if not verify_password(user.password_hash, password) or not user.is_active:
        raise Unauthorized("Wrong email or password.", code="invalid_credentials")
    return user, issue_session(session, user_id=user.id)


def _get_dummy_hash() -> str:
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password(random_secret(16))
    return _dummy_hash


def get_user(session: Session, *, user_id: str) -> User:
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise NotFound("User not found", details={"id": user_id})
    return user


def update_me(
    session: Session,
    *,
    principal: Principal,
    name: str | None = None,
    email: str | None = None,
    password: str | None = None,
    current_password: str | None = None,
) -> User:
    require_session_login(principal)
    user = get_user(session, user_id=principal.user_id)
    needs_password = email is not None or password is not None
    if needs_password and (current_password is None or not verify_password(user.password_hash, current_password)):
        raise Forbidden("Changing the email or password needs the current password.", code="current_password_required")
    if email is not None and email != user.email:
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            raise Conflict("An account with this email already exists.", code="email_taken")
        try:
            with session.begin_nested():
                user.email = email
                session.flush()
        except IntegrityError as exc:
            raise Conflict("An account with this email already exists.", code="email_taken") from exc
    if name is not None:
        user.name = name
    if password is not None:
        user.password_hash = hash_password(password)
        # A new password ends every session: stolen refresh tokens stop working.
        _revoke_refresh_tokens(session, RefreshToken.user_id == user.id)
    session.flush()
    return user


def require_session_login(principal: Principal) -> None:
    """Account management needs a login session; an API token must not mint tokens or change the account."""
    if principal.token_id is not None:
        raise Forbidden("API tokens cannot do this; sign in instead.", code="session_required")


# --- sessions -------------------------------------------------------------------------------------


def issue_session(session: Session, *, user_id: str, family_id: str | None = None) -> dict[str, Any]:
    """A new access token and refresh token (a new family unless continuing one)."""
    family_id = family_id or uuid.uuid4().hex
    access_token, expires_in = issue_access_token(user_id, session_id=family_id)
    refresh_token = random_secret(32)
    session.add(
        RefreshToken(
            id=uuid.uuid4().hex,
            user_id=user_id,
            family_id=family_id,
            token_hash=sha256(refresh_token),
            expires_at=utcnow() + timedelta(seconds=get_settings().refresh_token_ttl),
        )
    )
    session.flush()
    return {"access_token": access_token, "refresh_token": refresh_token, "expires_in": expires_in}


def refresh(session: Session, *, refresh_token: str) -> dict[str, Any]:
    # Row lock: two concurrent uses of one token cannot both rotate it.
    row = session.scalar(select(RefreshToken).where(RefreshToken.token_hash == sha256(refresh_token)).with_for_update())
    if row is None or row.revoked_at is not None:
        raise Unauthorized("The refresh token is not valid.", code="invalid_refresh_token")
    if row.rotated_at is not None:
        _revoke_refresh_tokens(session, RefreshToken.family_id == row.family_id)
        # The revocation must persist although this request fails, so commit it here (the one
        # place a service commits).
        session.commit()
        raise Unauthorized("The refresh token was already used; this session is revoked.", code="refresh_token_reused")
    if row.expires_at <= utcnow():
        raise Unauthorized("The refresh token has expired.", code="refresh_token_expired")
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("The refresh token is not valid.", code="invalid_refresh_token")
    row.rotated_at = utcnow()
    return issue_session(session, user_id=row.user_id, family_id=row.family_id)


def logout(session: Session, *, refresh_token: str) -> None:
    """Revoke the refresh token's whole family (this login on every device that shares it)."""
    row = session.scalar(select(RefreshToken).where(RefreshToken.token_hash == sha256(refresh_token)))
    if row is None:
        raise Unauthorized("The refresh token is not valid.", code="invalid_refresh_token")
    _revoke_refresh_tokens(session, RefreshToken.family_id == row.family_id)


def _revoke_refresh_tokens(session: Session, condition: Any) -> None:
    session.flush()
    session.execute(
        update(RefreshToken)
        .where(condition, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )


# --- personal API tokens ------------------------------------------------------------------------


def create_api_token(
    session: Session,
    *,
    principal: Principal,
    name: str,
    scope: str,
    base_ids: list[str] | None = None,
    expires_in_days: int | None = None,
) -> tuple[ApiToken, str]:
    """Returns the token row and its secret; only the secret's hash is stored."""
    require_session_login(principal)
    if scope not in ("read", "write", "admin"):
        raise ValidationFailed("Unknown scope.", details={"scope": scope, "allowed": ["read", "write", "admin"]})
    limited: list[str] | None = None
    if base_ids is not None:
        from pybase.access.service import require_base

        limited = list(dict.fromkeys(base_ids))
        unknown = []
        for base_id in limited:
            try:
                require_base(session, principal=principal, base_id=base_id, role="viewer")
            except NotFound:
                unknown.append(base_id)
        if unknown:
            raise ValidationFailed("Some bases were not found.", details={"base_ids": unknown})
    secret = f"{API_TOKEN_PREFIX}_{random_secret(32)}"
    token = ApiToken(
        user_id=principal.user_id,
        name=name,
        token_hash=sha256(secret),
        scope=scope,
        base_ids=limited,
        expires_at=utcnow() + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    session.add(token)
    session.flush()
    return token, secret


def list_api_tokens(session: Session, *, principal: Principal) -> list[ApiToken]:
    require_session_login(principal)
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == principal.user_id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at, ApiToken.id)
        )
    )


def revoke_api_token(session: Session, *, principal: Principal, token_id: str) -> None:
    require_session_login(principal)
    token = session.get(ApiToken, token_id) if looks_like_id(token_id, API_TOKEN_PREFIX) else None
    if token is None or token.user_id != principal.user_id or token.revoked_at is not None:
        raise NotFound("API token not found", details={"id": token_id})
    tokencache.tokens_changed(session)
    token.revoked_at = utcnow()
    session.flush()
