"""Request and response bodies of the auth routes, plus the small input types other domains reuse."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

_EMAIL_RE = re.compile(r"^[^@\s\x00-\x1f\x7f]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def normalize_email(value: str) -> str:
    value = value.strip().lower()
    if len(value) > 320 or not _EMAIL_RE.match(value):
        raise ValueError("not a valid email address")
    return value


def _printable(value: str) -> str:
    # PostgreSQL rejects NUL in text and control characters only cause display trouble.
    if _CONTROL_RE.search(value):
        raise ValueError("must not contain control characters")
    return value


def no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Email = Annotated[str, StringConstraints(max_length=320), AfterValidator(normalize_email)]
# Long enough to be worth guessing; capped because argon2 hashes every byte we accept.
Password = Annotated[str, StringConstraints(min_length=8, max_length=256)]
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(_printable)
]
TokenScope = Literal["read", "write", "admin"]


class Body(BaseModel):
    """Request bodies reject unknown keys, so a typo is an error rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RegisterIn(Body):
    email: Email
    password: Password
    name: Name


class LoginIn(Body):
    email: Annotated[str, StringConstraints(min_length=1, max_length=320), AfterValidator(no_nul)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class RefreshIn(Body):
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class UserOut(Out):
    id: str
    email: str
    name: str
    created_at: datetime


class TokenPairOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int


class SessionOut(TokenPairOut):
    user: UserOut


class MeUpdateIn(Body):
    name: Name | None = None
    email: Email | None = None
    password: Password | None = None
    # Changing the email or the password needs the current password, so a stolen session cannot lock the owner out.
    current_password: Annotated[str, StringConstraints(max_length=256)] | None = None


class ApiTokenCreateIn(Body):
    name: Name
    scope: TokenScope
    base_ids: Annotated[list[str], Field(min_length=1, max_length=100)] | None = None
    expires_in_days: Annotated[int, Field(ge=1, le=3650)] | None = None


class ApiTokenOut(Out):
    id: str
    name: str
    scope: str
    base_ids: list[str] | None
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None


class ApiTokenCreatedOut(ApiTokenOut):
    token: str = Field(description="The secret, shown only in this response.")
