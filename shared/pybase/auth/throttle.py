"""Throttling of password guessing and token minting: login, refresh, API-token creation.

Login is limited twice. Per account, failures lead to short growing delays (1, 2, 4 ... 30 s after
5 failures), so a guesser gets a few tries a minute while the real user waits at most 30 s and then
signs in. Per client address, failures against any account lead to longer delays (after 20
failures: 2 s doubling up to 15 min), which stops one address from spraying many accounts; a
success does not reset them (else a guesser would log into an account of their own in between).
Each address also has a plain request cap. Refresh is limited per address the same way (its tokens
cannot be guessed, but a flood of bad ones is an attack); API-token creation per user and address.
A blocked attempt is answered 429 with Retry-After before any password is checked, and does not
count as a failure. Redis down: no throttling, a warning in the log (pybase.ratelimit).
"""

from __future__ import annotations

import hashlib

from fastapi import Request

from pybase.ratelimit import Backoff, fixed_window, too_many_requests

LOGIN_ACCOUNT = Backoff("login-account", free=5, first=1, cap=30, memory=15 * 60)
LOGIN_ADDRESS = Backoff("login-address", free=20, first=2, cap=15 * 60, memory=60 * 60)
REFRESH_ADDRESS = Backoff("refresh-address", free=20, first=2, cap=15 * 60, memory=60 * 60)
LOGINS_PER_ADDRESS_PER_MINUTE = 60
REFRESHES_PER_ADDRESS_PER_MINUTE = 120
API_TOKENS_PER_USER_PER_HOUR = 20
API_TOKENS_PER_ADDRESS_PER_HOUR = 60


def client_address(request: Request) -> str:
    """API Gateway's sourceIp (Mangum puts it in the ASGI scope); forwarded headers are not trusted."""
    return request.client.host if request.client else "unknown"


def _account(email: str) -> str:
    # Redis keys carry a digest, not the address itself.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def _refuse(wait: int, what: str) -> None:
    if wait:
        raise too_many_requests(f"Too many {what}; try again in {wait} s.", wait)


def before_login(email: str, address: str) -> None:
    _refuse(fixed_window("logins", address, limit=LOGINS_PER_ADDRESS_PER_MINUTE, seconds=60), "sign-in attempts")
    _refuse(max(LOGIN_ACCOUNT.wait(_account(email)), LOGIN_ADDRESS.wait(address)), "failed sign-ins")


def login_failed(email: str, address: str) -> None:
    LOGIN_ACCOUNT.failed(_account(email))
    LOGIN_ADDRESS.failed(address)


def login_succeeded(email: str) -> None:
    LOGIN_ACCOUNT.succeeded(_account(email))


def before_refresh(address: str) -> None:
    _refuse(fixed_window("refreshes", address, limit=REFRESHES_PER_ADDRESS_PER_MINUTE, seconds=60), "refreshes")
    _refuse(REFRESH_ADDRESS.wait(address), "invalid refresh tokens")


def refresh_failed(address: str) -> None:
    REFRESH_ADDRESS.failed(address)


def before_api_token(user_id: str, address: str) -> None:
    per_user = fixed_window("api-tokens-user", user_id, limit=API_TOKENS_PER_USER_PER_HOUR, seconds=3600)
    _refuse(per_user, "API tokens created")
    per_address = fixed_window("api-tokens-address", address, limit=API_TOKENS_PER_ADDRESS_PER_HOUR, seconds=3600)
    _refuse(per_address, "API tokens created")
