"""Bearer tokens: session JWTs are HS256-pinned and fully checked; personal API tokens are hashed and revocable."""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta

import jwt
import pytest
from sqlalchemy import select, update

from pybase.auth.models import ApiToken, User
from pybase.auth.security import sha256
from pybase.config import get_settings
from pybase.db import session_scope, utcnow
from tests.conftest import Api
from tests.factories import make_api_token, make_base, make_user, make_workspace


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(user_id: str, **overrides: object) -> dict:
    settings = get_settings()
    now = int(time.time())
    claims = {
        "sub": user_id,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "aud": settings.jwt_audience,
        "iss": settings.jwt_issuer,
        "typ": "access",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(claims: dict, *, algorithm: str = "HS256", secret: str | None = None) -> str:
    return jwt.encode(claims, secret or get_settings().jwt_secret, algorithm=algorithm)


def _tamper_payload(token: str, **changes: object) -> str:
    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data.update(changes)
    return f"{header}.{_b64(data)}.{signature}"


def _bad_tokens(user_id: str, other_id: str, valid: str) -> dict[str, str]:
    none_header = _b64({"alg": "none", "typ": "JWT"})
    header, payload, signature = valid.split(".")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    return {
        "alg_none": f"{none_header}.{_b64(_claims(user_id))}.",
        "alg_none_with_signature": f"{none_header}.{_b64(_claims(user_id))}.{signature}",
        "expired": _sign(_claims(user_id, iat=int(time.time()) - 7200, nbf=None, exp=int(time.time()) - 3600)),
        "tampered_sub": _tamper_payload(valid, sub=other_id),
        "tampered_signature": f"{header}.{payload}.{flipped}",
        "wrong_audience": _sign(_claims(user_id, aud="someone-else")),
        "wrong_issuer": _sign(_claims(user_id, iss="evil")),
        "wrong_secret": _sign(_claims(user_id), secret="not-the-secret-at-all-0123456789abcdef"),
        "hs512": _sign(_claims(user_id), algorithm="HS512"),
        "not_an_access_token": _sign(_claims(user_id, typ="refresh")),
        "missing_exp": _sign(_claims(user_id, exp=None)),
        "not_yet_valid": _sign(_claims(user_id, nbf=int(time.time()) + 3600)),
        "unknown_user": _sign(_claims("usr" + "x" * 14)),
        "garbage": "abc.def.ghi",
        "api_token_unknown": "pat_" + "x" * 43,
    }


def test_valid_session_token_works(api: Api) -> None:
    user = make_user()
    assert api.as_user(user.token).call("auth", "GET", "/me").status == 200
    assert api.as_user(_sign(_claims(user.id))).call("auth", "GET", "/me").status == 200


# Signing the HS512 case with the (HS256-sized) secret is the point, so its key-length warning is expected.
@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize(
    "case",
    [
        "alg_none",
        "alg_none_with_signature",
        "expired",
        "tampered_sub",
        "tampered_signature",
        "wrong_audience",
        "wrong_issuer",
        "wrong_secret",
        "hs512",
        "not_an_access_token",
        "missing_exp",
        "not_yet_valid",
        "unknown_user",
        "garbage",
        "api_token_unknown",
    ],
)
def test_bad_bearer_tokens_are_401(api: Api, case: str) -> None:
    user, other = make_user(), make_user()
    token = _bad_tokens(user.id, other.id, user.token)[case]
    for group, path in (("auth", "/me"), ("workspaces", "/workspaces")):
        response = api.as_user(token).call(group, "GET", path)
        assert response.status == 401, (case, response.text)
        assert response.json()["error"]["code"] in ("invalid_token", "token_expired")
    if case == "expired":
        assert response.json()["error"]["code"] == "token_expired"


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "Token abc"])
def test_malformed_authorization_header_is_401(api: Api, header: str) -> None:
    response = api.call("auth", "GET", "/me", headers={"authorization": header})
    assert response.status == 401
    assert response.json()["error"]["code"] in ("invalid_token", "authentication_required")


def test_deactivated_user_token_stops_working(api: Api) -> None:
    user = make_user()
    secret = make_api_token(user, scope="read")
    with session_scope() as session:
        session.execute(update(User).where(User.id == user.id).values(is_active=False))
    assert api.as_user(user.token).call("auth", "GET", "/me").status == 401
    assert api.as_user(secret).call("auth", "GET", "/me").status == 401
    login = api.call("auth", "POST", "/auth/login", body={"email": user.email, "password": user.password})
    assert login.status == 401
    assert api.call("auth", "POST", "/auth/refresh", body={"refresh_token": user.refresh_token}).status == 401


# --- personal API tokens ------------------------------------------------------------------------


def test_api_token_is_shown_once_stored_hashed_and_usable(api: Api) -> None:
    user = make_user()
    me = api.as_user(user.token)
    created = me.call("auth", "POST", "/api-tokens", body={"name": "CI", "scope": "write"})
    assert created.status == 201, created.text
    body = created.json()
    secret = body["token"]
    assert secret.startswith("pat_") and len(secret) > 40
    assert body["id"].startswith("pat") and body["scope"] == "write" and body["base_ids"] is None
    with session_scope() as session:
        row = session.get(ApiToken, body["id"])
        assert row is not None and row.token_hash == sha256(secret)
        assert secret not in (row.token_hash, row.name)
    listed = me.call("auth", "GET", "/api-tokens")
    assert listed.status == 200
    assert [t["id"] for t in listed.json()] == [body["id"]]
    assert secret not in listed.text and "token" not in listed.json()[0]
    as_token = api.as_user(secret).call("auth", "GET", "/me")
    assert as_token.status == 200 and as_token.json()["id"] == user.id
    with session_scope() as session:
        assert session.get(ApiToken, body["id"]).last_used_at is not None


def test_api_token_revocation(api: Api) -> None:
    user, other = make_user(), make_user()
    secret = make_api_token(user)
    with session_scope() as session:
        token_id = session.scalar(select(ApiToken.id).where(ApiToken.token_hash == sha256(secret)))
    assert api.as_user(other.token).call("auth", "DELETE", f"/api-tokens/{token_id}").status == 404
    assert api.as_user(secret).call("auth", "GET", "/me").status == 200
    assert api.as_user(user.token).call("auth", "DELETE", f"/api-tokens/{token_id}").status == 204
    assert api.as_user(secret).call("auth", "GET", "/me").status == 401
    assert api.as_user(user.token).call("auth", "DELETE", f"/api-tokens/{token_id}").status == 404
    assert api.as_user(user.token).call("auth", "GET", "/api-tokens").json() == []


def test_expired_api_token_is_401(api: Api) -> None:
    user = make_user()
    secret = make_api_token(user)
    with session_scope() as session:
        session.execute(
            update(ApiToken).where(ApiToken.token_hash == sha256(secret)).values(expires_at=utcnow() - timedelta(1))
        )
    response = api.as_user(secret).call("auth", "GET", "/me")
    assert response.status == 401 and response.json()["error"]["code"] == "token_expired"


def test_api_tokens_cannot_manage_tokens_or_the_account(api: Api) -> None:
    user = make_user()
    secret = make_api_token(user, scope="admin")
    as_token = api.as_user(secret)
    assert as_token.call("auth", "POST", "/api-tokens", body={"name": "x", "scope": "admin"}).status == 403
    assert as_token.call("auth", "GET", "/api-tokens").status == 403
    assert as_token.call("auth", "PATCH", "/me", body={"name": "Mallory"}).status == 403


@pytest.mark.parametrize(
    "body",
    [
        {"name": "t", "scope": "superuser"},
        {"name": "", "scope": "read"},
        {"name": "t"},
        {"name": "t", "scope": "read", "base_ids": []},
        {"name": "t", "scope": "read", "base_ids": "app12345678901234"},
        {"name": "t", "scope": "read", "expires_in_days": 0},
        {"name": "t", "scope": "read", "secret": "mine"},
    ],
)
def test_api_token_bad_input_is_422(api: Api, body: dict) -> None:
    user = make_user()
    response = api.as_user(user.token).call("auth", "POST", "/api-tokens", body=body)
    assert response.status == 422, response.text
    assert api.as_user(user.token).call("auth", "GET", "/api-tokens").json() == []


def test_api_token_base_limit_must_name_visible_bases(api: Api) -> None:
    user, stranger = make_user(), make_user()
    mine = make_base(make_workspace(user))
    theirs = make_base(make_workspace(stranger))
    me = api.as_user(user.token)
    bad = me.call("auth", "POST", "/api-tokens", body={"name": "t", "scope": "read", "base_ids": [mine, theirs]})
    assert bad.status == 422
    assert bad.json()["error"]["details"] == {"base_ids": [theirs]}
    ok = me.call("auth", "POST", "/api-tokens", body={"name": "t", "scope": "read", "base_ids": [mine, mine]})
    assert ok.status == 201 and ok.json()["base_ids"] == [mine]
    dated = me.call("auth", "POST", "/api-tokens", body={"name": "t", "scope": "read", "expires_in_days": 30})
    assert dated.status == 201 and dated.json()["expires_at"] is not None
