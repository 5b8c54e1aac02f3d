"""Login, refresh and API-token creation are throttled in Redis: per account (short growing delays
after failures) and per client address (stricter), answered 429 with Retry-After before any password
is checked; the real user signs in once the short account delay is over. Redis down: not throttled.
Each test uses addresses of its own (API Gateway's sourceIp)."""

from __future__ import annotations

import base64
import logging
import secrets
import socket
import time
from typing import Any

import pytest

from pybase.auth import throttle
from pybase.config import get_settings
from pybase.ratelimit import Backoff, fixed_window
from pybase.redis_client import reset_redis
from tests.factories import DEFAULT_PASSWORD, TestUser, make_user
from tests.lambda_events import LambdaContext, Response, http_event, load_function


def new_address() -> str:
    return "10." + ".".join(str(secrets.randbelow(250) + 1) for _ in range(3))


def call(method: str, path: str, *, ip: str, body: Any = None, token: str | None = None) -> Response:
    event = http_event(method, path, body=body, headers={"authorization": f"Bearer {token}"} if token else None)
    event["requestContext"]["http"]["sourceIp"] = ip
    result = load_function("auth").handler(event, LambdaContext())
    text = result.get("body") or ""
    if result.get("isBase64Encoded"):
        text = base64.b64decode(text).decode()
    headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
    return Response(status=result["statusCode"], headers=headers, text=text)


def login(user: TestUser | str, ip: str, password: str = "wrong-password") -> Response:
    email = user if isinstance(user, str) else user.email
    return call("POST", "/auth/login", ip=ip, body={"email": email, "password": password})


def assert_throttled(response: Response) -> int:
    assert response.status == 429, response.text
    assert response.json()["error"]["code"] == "too_many_requests"
    wait = int(response.headers["retry-after"])
    assert wait >= 1 and response.json()["error"]["details"]["retry_after"] == wait
    return wait


def test_thirty_wrong_passwords_at_9_per_second_then_the_right_one() -> None:
    user, ip = make_user(), new_address()
    statuses = []
    for _ in range(30):
        statuses.append(login(user, ip).status)
        time.sleep(1 / 9)
    # Five free failures, then the account is blocked with growing delays: only a handful more
    # passwords are even checked during those 3.3 seconds.
    assert statuses[:5] == [401] * 5
    assert statuses.count(429) >= 22 and set(statuses) == {401, 429}
    assert statuses.count(401) <= 8
    right = login(user, ip, DEFAULT_PASSWORD)
    wait = assert_throttled(right)
    assert wait <= LOGIN_CAP
    time.sleep(wait + 0.05)
    assert login(user, ip, DEFAULT_PASSWORD).status == 200


LOGIN_CAP = throttle.LOGIN_ACCOUNT.cap


def test_account_delays_grow_and_apply_from_every_address() -> None:
    user = make_user()
    for _ in range(throttle.LOGIN_ACCOUNT.free):
        assert login(user, new_address()).status == 401
    assert login(user, new_address()).status == 401  # the 6th failure starts a 1 s delay
    assert assert_throttled(login(user, new_address(), DEFAULT_PASSWORD)) == 1
    time.sleep(1.05)
    assert login(user, new_address()).status == 401  # the 7th: 2 s
    assert assert_throttled(login(user, new_address())) == 2
    # Another account from those addresses is not affected.
    assert login(make_user(), new_address(), DEFAULT_PASSWORD).status == 200
    assert [throttle.LOGIN_ACCOUNT.delay(n) for n in range(5, 13)] == [0, 1, 2, 4, 8, 16, 30, 30]


def test_a_success_forgets_the_account_failures() -> None:
    user, ip = make_user(), new_address()
    for _ in range(2):
        for _ in range(throttle.LOGIN_ACCOUNT.free - 1):
            assert login(user, ip).status == 401
        assert login(user, ip, DEFAULT_PASSWORD).status == 200


def test_an_address_spraying_many_accounts_is_blocked_for_all_of_them() -> None:
    ip, other_ip = new_address(), new_address()
    for _ in range(throttle.LOGIN_ADDRESS.free):
        assert login(f"nobody-{secrets.token_hex(4)}@example.com", ip).status == 401
    victim = make_user()
    assert login(victim, ip).status == 401  # the 21st failure blocks the address
    assert assert_throttled(login(victim, ip, DEFAULT_PASSWORD)) == 2
    assert assert_throttled(login(make_user(), ip, DEFAULT_PASSWORD)) == 2
    # The victim, from their own address, is not locked out (their account has one failure).
    assert login(victim, other_ip, DEFAULT_PASSWORD).status == 200
    # A success from the blocked address (once the delay is over) does not reset its failures.
    time.sleep(2.05)
    assert login(victim, ip, DEFAULT_PASSWORD).status == 200
    assert login(victim, ip).status == 401
    assert assert_throttled(login(victim, ip)) == 4


def test_login_requests_per_address_are_capped() -> None:
    users = [make_user() for _ in range(3)]
    limit = throttle.LOGINS_PER_ADDRESS_PER_MINUTE
    for _ in range(3):  # a minute boundary during the loop splits the count: try again
        ip, minute = new_address(), int(time.time() // 60)
        responses = [login(users[i % 3], ip, DEFAULT_PASSWORD) for i in range(limit + 1)]
        if int(time.time() // 60) == minute:
            break
    assert [r.status for r in responses[:-1]] == [200] * limit
    assert 1 <= assert_throttled(responses[-1]) <= 60
    # The fixed window itself: `limit` hits per window, then the seconds left in it.
    key = secrets.token_hex(4)
    assert [fixed_window("probe", key, limit=2, seconds=60, now=120.0 + i) for i in range(3)] == [0, 0, 58]
    assert fixed_window("probe", key, limit=2, seconds=60, now=180.0) == 0


def test_invalid_refresh_tokens_block_the_address() -> None:
    user, ip = make_user(), new_address()
    for _ in range(throttle.REFRESH_ADDRESS.free + 1):
        bad = call("POST", "/auth/refresh", ip=ip, body={"refresh_token": secrets.token_urlsafe(32)})
        assert bad.status == 401
    assert_throttled(call("POST", "/auth/refresh", ip=ip, body={"refresh_token": user.refresh_token}))
    ok = call("POST", "/auth/refresh", ip=new_address(), body={"refresh_token": user.refresh_token})
    assert ok.status == 200, ok.text


def test_api_token_creation_is_capped_per_user() -> None:
    user = make_user()
    body = {"name": "t", "scope": "read"}
    for _ in range(throttle.API_TOKENS_PER_USER_PER_HOUR):
        assert call("POST", "/api-tokens", ip=new_address(), body=body, token=user.token).status == 201
    assert_throttled(call("POST", "/api-tokens", ip=new_address(), body=body, token=user.token))
    # Others are not affected.
    assert call("POST", "/api-tokens", ip=new_address(), body=body, token=make_user().token).status == 201
    assert len(call("GET", "/api-tokens", ip=new_address(), token=user.token).json()) == 20


def test_429_is_documented() -> None:
    paths = load_function("auth").app.openapi()["paths"]
    for path in ("/auth/login", "/auth/refresh", "/api-tokens"):
        assert "429" in paths[path]["post"]["responses"], path


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_redis_down_fails_open_with_a_log_line(monkeypatch: pytest.MonkeyPatch, caplog: Any) -> None:
    user, ip = make_user(), new_address()
    monkeypatch.setenv("REDIS_URL", f"redis://127.0.0.1:{_closed_port()}/0")
    get_settings.cache_clear()
    reset_redis()
    try:
        with caplog.at_level(logging.WARNING):
            statuses = [login(user, ip).status for _ in range(throttle.LOGIN_ACCOUNT.free + 3)]
            assert statuses == [401] * len(statuses)
            assert login(user, ip, DEFAULT_PASSWORD).status == 200
            assert fixed_window("probe", "k", limit=1, seconds=60) == 0
            assert fixed_window("probe", "k", limit=1, seconds=60) == 0
            assert Backoff("probe", free=0, first=1, cap=1, memory=60).wait("k") == 0
        assert "rate limit skipped: Redis unavailable" in caplog.text
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
        reset_redis()
