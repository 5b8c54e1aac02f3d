"""Register, login, refresh rotation, logout and /me through the auth function."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from pybase.auth.models import RefreshToken, User
from pybase.auth.security import sha256
from pybase.db import session_scope, utcnow
from tests.conftest import Api
from tests.factories import DEFAULT_PASSWORD, make_user, unique_email

STRONG = "s3cret-enough"


def _register(api: Api, email: str | None = None, password: str = STRONG, name: str = "Ada") -> dict:
    response = api.call(
        "auth", "POST", "/auth/register", body={"email": email or unique_email(), "password": password, "name": name}
    )
    assert response.status == 201, response.text
    return response.json()


def _user_count(email: str) -> int:
    with session_scope() as session:
        return len(session.scalars(select(User.id).where(User.email == email)).all())


def test_register_returns_user_and_session_and_hashes_password(api: Api) -> None:
    email = unique_email("Ada").upper()
    body = _register(api, email=email)
    assert body["user"]["email"] == email.lower()
    assert body["user"]["id"].startswith("usr") and len(body["user"]["id"]) == 17
    assert body["token_type"] == "bearer" and body["expires_in"] > 0
    assert "password" not in str(body).lower()
    with session_scope() as session:
        user = session.get(User, body["user"]["id"])
        assert user is not None
        assert user.password_hash.startswith("$argon2id$")
        assert STRONG not in user.password_hash
        stored = session.scalar(select(RefreshToken).where(RefreshToken.user_id == user.id))
        assert stored is not None and stored.token_hash == sha256(body["refresh_token"])
    me = api.as_user(body["access_token"]).call("auth", "GET", "/me")
    assert me.status == 200 and me.json()["id"] == body["user"]["id"]


def test_duplicate_email_is_409_whatever_the_case(api: Api) -> None:
    email = unique_email()
    _register(api, email=email)
    again = api.call("auth", "POST", "/auth/register", body={"email": email.upper(), "password": STRONG, "name": "B"})
    assert again.status == 409
    assert again.json()["error"]["code"] == "email_taken"
    assert _user_count(email) == 1


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not-an-email", "password": STRONG, "name": "A"},
        {"email": "a@b", "password": STRONG, "name": "A"},
        {"email": "a b@example.com", "password": STRONG, "name": "A"},
        {"email": "VALID@example.com", "password": "short7!", "name": "A"},
        {"email": "VALID@example.com", "password": STRONG, "name": "   "},
        {"email": "VALID@example.com", "password": STRONG, "name": "x" * 201},
        {"email": "VALID@example.com", "password": STRONG, "name": "bad\x00name"},
        {"email": "VALID@example.com", "password": "p" * 257, "name": "A"},
        {"email": "VALID@example.com", "password": STRONG},
        {"email": "VALID@example.com", "password": STRONG, "name": "A", "admin": True},
        {"email": 42, "password": STRONG, "name": "A"},
        [],
    ],
)
def test_register_rejects_bad_input_with_422_and_writes_nothing(api: Api, body: object) -> None:
    response = api.call("auth", "POST", "/auth/register", body=body)
    assert response.status == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed" and error["details"]
    assert _user_count("valid@example.com") == 0


def test_register_rejects_malformed_json(api: Api) -> None:
    response = api.call(
        "auth", "POST", "/auth/register", raw_body="{not json", headers={"content-type": "application/json"}
    )
    assert response.status == 422
    assert response.json()["error"]["code"] == "validation_failed"


def test_login_right_and_wrong(api: Api) -> None:
    user = make_user()
    ok = api.call("auth", "POST", "/auth/login", body={"email": user.email.upper(), "password": DEFAULT_PASSWORD})
    assert ok.status == 200, ok.text
    assert ok.json()["user"]["id"] == user.id
    wrong = api.call("auth", "POST", "/auth/login", body={"email": user.email, "password": "wrong-password"})
    unknown = api.call("auth", "POST", "/auth/login", body={"email": unique_email(), "password": "wrong-password"})
    for response in (wrong, unknown):
        assert response.status == 401
        assert response.json()["error"]["code"] == "invalid_credentials"
    empty = api.call("auth", "POST", "/auth/login", body={"email": "", "password": ""})
    assert empty.status == 422


def test_refresh_rotates_and_reuse_revokes_the_family(api: Api) -> None:
    user = make_user()
    first = api.call("auth", "POST", "/auth/refresh", body={"refresh_token": user.refresh_token})
    assert first.status == 200, first.text
    second_token = first.json()["refresh_token"]
    assert second_token != user.refresh_token
    assert api.as_user(first.json()["access_token"]).call("auth", "GET", "/me").status == 200

    # The rotated token presented again: someone copied it. Both it and its successor die.
    reuse = api.call("auth", "POST", "/auth/refresh", body={"refresh_token": user.refresh_token})
    assert reuse.status == 401
    assert reuse.json()["error"]["code"] == "refresh_token_reused"
    after = api.call("auth", "POST", "/auth/refresh", body={"refresh_token": second_token})
    assert after.status == 401
    with session_scope() as session:
        rows = session.scalars(select(RefreshToken).where(RefreshToken.user_id == user.id)).all()
        assert len(rows) == 2 and all(row.revoked_at is not None for row in rows)


def test_refresh_families_are_independent(api: Api) -> None:
    user = make_user()
    other_login = api.call("auth", "POST", "/auth/login", body={"email": user.email, "password": DEFAULT_PASSWORD})
    api.call("auth", "POST", "/auth/refresh", body={"refresh_token": user.refresh_token})
    api.call("auth", "POST", "/auth/refresh", body={"refresh_token": user.refresh_token})  # reuse: family 1 dies
    still = api.call("auth", "POST", "/auth/refresh", body={"refresh_token": other_login.json()["refresh_token"]})
    assert still.status == 200


def test_logout_revokes_the_family(api: Api) -> None:
    user = make_user()
    rotated = api.call("auth", "POST", "/auth/refresh", body={"refresh_token": user.refresh_token}).json()
    out = api.call("auth", "POST", "/auth/logout", body={"refresh_token": rotated["refresh_token"]})
    assert out.status == 204
    again = api.call("auth", "POST", "/auth/refresh", body={"refresh_token": rotated["refresh_token"]})
    assert again.status == 401
    assert api.call("auth", "POST", "/auth/logout", body={"refresh_token": "nonsense"}).status == 401


def test_expired_or_unknown_refresh_token_is_401(api: Api) -> None:
    user = make_user()
    with session_scope() as session:
        session.execute(
            update(RefreshToken)
            .where(RefreshToken.token_hash == sha256(user.refresh_token))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    expired = api.call("auth", "POST", "/auth/refresh", body={"refresh_token": user.refresh_token})
    assert expired.status == 401 and expired.json()["error"]["code"] == "refresh_token_expired"
    unknown = api.call("auth", "POST", "/auth/refresh", body={"refresh_token": "x" * 43})
    assert unknown.status == 401
    assert api.call("auth", "POST", "/auth/refresh", body={}).status == 422


def test_me_update_name(api: Api) -> None:
    user = make_user()
    response = api.as_user(user.token).call("auth", "PATCH", "/me", body={"name": "  Grace  "})
    assert response.status == 200 and response.json()["name"] == "Grace"
    bad = api.as_user(user.token).call("auth", "PATCH", "/me", body={"name": ""})
    assert bad.status == 422
    assert api.call("auth", "GET", "/me").status == 401


def test_me_email_and_password_change_need_the_current_password(api: Api) -> None:
    user = make_user()
    me = api.as_user(user.token)
    new_email = unique_email("new")
    assert me.call("auth", "PATCH", "/me", body={"email": new_email}).status == 403
    wrong = me.call("auth", "PATCH", "/me", body={"password": "another-pass", "current_password": "nope-nope"})
    assert wrong.status == 403
    taken = make_user()
    dup = me.call("auth", "PATCH", "/me", body={"email": taken.email, "current_password": DEFAULT_PASSWORD})
    assert dup.status == 409
    ok = me.call(
        "auth",
        "PATCH",
        "/me",
        body={"email": new_email, "password": "another-pass", "current_password": DEFAULT_PASSWORD},
    )
    assert ok.status == 200 and ok.json()["email"] == new_email
    # The new password works, the old one does not, and sessions from before the change are over.
    assert api.call("auth", "POST", "/auth/login", body={"email": new_email, "password": "another-pass"}).status == 200
    assert (
        api.call("auth", "POST", "/auth/login", body={"email": new_email, "password": DEFAULT_PASSWORD}).status == 401
    )
    assert api.call("auth", "POST", "/auth/refresh", body={"refresh_token": user.refresh_token}).status == 401
    short = me.call("auth", "PATCH", "/me", body={"password": "short", "current_password": "another-pass"})
    assert short.status == 422
