"""Auth routes: register, login, refresh, logout, /me, personal API tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from pybase.api import CurrentPrincipal, DbSession, errors
from pybase.auth import schemas, service, throttle
from pybase.errors import Unauthorized

router = APIRouter(tags=["auth"], responses=errors(401, 403, 409, 422, 429, 503))

THROTTLED = {429: {"description": "Too many attempts; the Retry-After header says how many seconds to wait."}}


@router.post("/auth/register", status_code=201, response_model=schemas.SessionOut)
def register(body: schemas.RegisterIn, session: DbSession) -> dict:
    user = service.register(session, email=body.email, password=body.password, name=body.name)
    return {"user": user, **service.issue_session(session, user_id=user.id)}


@router.post("/auth/login", response_model=schemas.SessionOut, responses=THROTTLED)
def login(body: schemas.LoginIn, request: Request, session: DbSession) -> dict:
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
    address = throttle.client_address(request)
    throttle.before_refresh(address)
    try:
        return service.refresh(session, refresh_token=body.refresh_token)
    except Unauthorized:
        throttle.refresh_failed(address)
        raise


@router.post("/auth/logout", status_code=204)
def logout(body: schemas.RefreshIn, session: DbSession) -> Response:
    service.logout(session, refresh_token=body.refresh_token)
    return Response(status_code=204)


@router.get("/me", response_model=schemas.UserOut)
def get_me(principal: CurrentPrincipal, session: DbSession) -> object:
    return service.get_user(session, user_id=principal.user_id)


@router.patch("/me", response_model=schemas.UserOut)
def update_me(
    body: schemas.MeUpdateIn,
    principal: CurrentPrincipal,
    session: DbSession,
) -> object:
    return service.update_me(session, principal=principal, **body.model_dump(exclude_unset=True))


@router.get("/api-tokens", response_model=list[schemas.ApiTokenOut])
def list_api_tokens(principal: CurrentPrincipal, session: DbSession) -> object:
    return service.list_api_tokens(session, principal=principal)


@router.post("/api-tokens", status_code=201, response_model=schemas.ApiTokenCreatedOut, responses=THROTTLED)
def create_api_token(
    body: schemas.ApiTokenCreateIn,
    request: Request,
    principal: CurrentPrincipal,
    session: DbSession,
) -> object:
    throttle.before_api_token(principal.user_id, throttle.client_address(request))
    token, secret = service.create_api_token(session, principal=principal, **body.model_dump())
    return {**schemas.ApiTokenOut.model_validate(token).model_dump(), "token": secret}


@router.delete("/api-tokens/{tokenId}", status_code=204)
def revoke_api_token(
    tokenId: str, principal: CurrentPrincipal, session: DbSession
) -> Response:
    service.revoke_api_token(session, principal=principal, token_id=tokenId)
    return Response(status_code=204)
