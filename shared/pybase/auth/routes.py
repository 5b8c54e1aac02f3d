"""Auth routes: register, login, refresh, logout, /me, personal API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from pybase.api import CurrentPrincipal, DbSession, ErrorResponse, errors
from pybase.auth import schemas, service, throttle
from pybase.docanswers import DocumentedAnswer
from pybase.errors import Unauthorized

router = APIRouter(tags=["auth"], responses=errors(401, 403, 409, 422, 429, 503))

THROTTLED = {
    429: DocumentedAnswer(ErrorResponse, "Too many attempts; the Retry-After header says how many seconds to wait.")
}


@router.post("/auth/register", status_code=201, response_model=schemas.SessionOut)
def register(body: schemas.RegisterIn, session: DbSession) -> dict:
    """Create an account with an email and a password (at least 8 characters) and sign in: answers the user with an
    access and a refresh token."""
    user = service.register(session, email=body.email, password=body.password, name=body.name)
    return {"user": user, **service.issue_session(session, user_id=user.id)}


@router.post("/auth/login", response_model=schemas.SessionOut, responses=THROTTLED)
def login(body: schemas.LoginIn, request: Request, session: DbSession) -> dict:
    """Sign in with email and password: answers an access token (short-lived) and a refresh token. Repeated failures
    are throttled (429)."""
    address = throttle.client_address(request)
    throttle.before_login(body.email, address)
    try:
        user, tokens = service.login(session, email=body.email, password=body.password)
    except Unauthorized:
        throttle.login_failed(body.email, address)
        raise
    throttle.login_succeeded(body.email)
    return {"user": user, **tokens}


@router.post("/auth/refresh", response_model=schemas.TokenPairOut, responses=THROTTLED)
def refresh(body: schemas.RefreshIn, request: Request, session: DbSession) -> dict:
    """Trade a refresh token for a new access and refresh token pair; the old refresh token stops working."""
    address = throttle.client_address(request)
    throttle.before_refresh(address)
    try:
        return service.refresh(session, refresh_token=body.refresh_token)
    except Unauthorized:
        throttle.refresh_failed(address)
        raise


@router.post("/auth/logout", status_code=204)
def logout(body: schemas.RefreshIn, session: DbSession) -> Response:
    """Revoke a refresh token, ending that session; access tokens already issued expire on their own."""
    service.logout(session, refresh_token=body.refresh_token)
    return Response(status_code=204)


@router.get("/me", response_model=schemas.UserOut)
def get_me(principal: CurrentPrincipal, session: DbSession) -> object:
    """The signed-in user: ID, email and name."""
    return service.get_user(session, user_id=principal.user_id)


@router.patch("/me", response_model=schemas.UserOut)
def update_me(
    body: schemas.MeUpdateIn,
    principal: CurrentPrincipal,
    session: DbSession,
) -> object:
    """Change the signed-in user's name, email or password (a new email or password needs the current password)."""
    return service.update_me(session, principal=principal, **body.model_dump(exclude_unset=True))


@router.get("/api-tokens", response_model=list[schemas.ApiTokenOut])
def list_api_tokens(principal: CurrentPrincipal, session: DbSession) -> object:
    """Your personal API tokens (name, scopes, bases, last use); the secrets themselves are never shown again."""
    return service.list_api_tokens(session, principal=principal)


@router.post("/api-tokens", status_code=201, response_model=schemas.ApiTokenCreatedOut, responses=THROTTLED)
def create_api_token(
    body: schemas.ApiTokenCreateIn,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
) -> object:
    """Create a personal API token (`pat_…`), optionally read-only or limited to some bases. The secret is in this
    answer only."""
    throttle.before_api_token(principal.user_id, throttle.client_address(request))
    token, secret = service.create_api_token(session, principal=principal, **body.model_dump())
    return {**schemas.ApiTokenOut.model_validate(token).model_dump(), "token": secret}


@router.delete("/api-tokens/{tokenId}", status_code=204)
def revoke_api_token(
    tokenId: Annotated[str, Path(description="ID of the API token, as listed by `GET /api-tokens`.")],
    principal: CurrentPrincipal,
    session: DbSession,
) -> Response:
    """Revoke one of your personal API tokens; requests with it fail from now on."""
    service.revoke_api_token(session, principal=principal, token_id=tokenId)
    return Response(status_code=204)
