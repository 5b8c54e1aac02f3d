"""API tokens verified once are trusted from the process's cache, until any revocation: the very next
request after a revocation is verified in the database again and refused."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from pybase.auth import service, tokencache
from pybase.auth.models import ApiToken
from pybase.auth.security import sha256
from pybase.db import session_scope, utcnow
from tests.conftest import Api
from tests.factories import make_api_token, make_user

_LONG_AGO = datetime(2001, 1, 1, tzinfo=utcnow().tzinfo)


def _token_id(secret: str) -> str:
    with session_scope() as session:
        return session.scalar(select(ApiToken.id).where(ApiToken.token_hash == sha256(secret)))


def _mark_unused(token_id: str) -> None:
    with session_scope() as session:
        session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=_LONG_AGO))


def _last_used(token_id: str) -> datetime | None:
    with session_scope() as session:
        return session.scalar(select(ApiToken.last_used_at).where(ApiToken.id == token_id))


def test_verified_token_is_served_from_the_cache(api: Api) -> None:
    user = make_user()
    secret = make_api_token(user)
    token_id = _token_id(secret)
    assert api.as_user(secret).call("auth", "GET", "/me").status == 200
    assert _last_used(token_id) > utcnow() - timedelta(minutes=1)
    # A second request within the cache's lifetime does not look the token up (nor record its use).
    _mark_unused(token_id)
    assert api.as_user(secret).call("auth", "GET", "/me").status == 200
    assert _last_used(token_id) == _LONG_AGO


def test_revoked_token_is_refused_on_the_very_next_request(api: Api) -> None:
    user = make_user()
    secret = make_api_token(user)
    token_id = _token_id(secret)
    as_token = api.as_user(secret)
    assert as_token.call("auth", "GET", "/me").status == 200
    assert as_token.call("auth", "GET", "/me").status == 200  # cached now
    assert api.as_user(user.token).call("auth", "DELETE", f"/api-tokens/{token_id}").status == 204
    refused = as_token.call("auth", "GET", "/me")
    assert refused.status == 401, refused.text
    assert refused.json()["error"]["code"] == "invalid_token"


def test_revocation_elsewhere_defeats_the_cache(api: Api) -> None:
    """A revocation committed by another process (here: outside any request) reaches this one through
    the Redis stamp alone."""
    user = make_user()
    secret, other_secret = make_api_token(user), make_api_token(user)
    for token in (secret, other_secret):
        assert api.as_user(token).call("auth", "GET", "/me").status == 200
    with session_scope() as session:
        service.revoke_api_token(session, principal=user.principal, token_id=_token_id(secret))
    assert api.as_user(secret).call("auth", "GET", "/me").status == 401
    # Other tokens are verified again, and still work.
    other_id = _token_id(other_secret)
    _mark_unused(other_id)
    assert api.as_user(other_secret).call("auth", "GET", "/me").status == 200
    assert _last_used(other_id) != _LONG_AGO


def test_rolled_back_revocation_keeps_the_token(api: Api) -> None:
    user = make_user()
    secret = make_api_token(user)
    assert api.as_user(secret).call("auth", "GET", "/me").status == 200
    with session_scope() as session:
        service.revoke_api_token(session, principal=user.principal, token_id=_token_id(secret))
        session.rollback()
    assert api.as_user(secret).call("auth", "GET", "/me").status == 200


def test_cache_off_verifies_every_request(api: Api) -> None:
    user = make_user()
    secret = make_api_token(user)
    token_id = _token_id(secret)
    tokencache.enabled = False
    try:
        assert api.as_user(secret).call("auth", "GET", "/me").status == 200
        _mark_unused(token_id)
        assert api.as_user(secret).call("auth", "GET", "/me").status == 200
        assert _last_used(token_id) != _LONG_AGO
    finally:
        tokencache.enabled = True
