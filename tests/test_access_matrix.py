"""Who may call what: a role x endpoint matrix over the auth, workspaces and tables groups, plus ID
guessing across workspaces, base/table grants overriding workspace roles, and API token caps and limits.

Each matrix row is one endpoint; each column an actor: the five workspace roles, an outsider (owner of
another workspace) and an anonymous caller. Cells are exact HTTP statuses. Destructive calls get a
fresh target per cell, made through the service layer.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from pybase.access.roles import Principal
from pybase.auth import service as auth_service
from pybase.auth.models import ApiToken
from pybase.auth.security import sha256
from pybase.db import session_scope
from pybase.workspaces import service as workspaces_service
from pybase.workspaces.models import WorkspaceMember
from tests.conftest import Api
from tests.factories import (
    TestUser,
    World,
    add_member,
    grant,
    make_api_token,
    make_base,
    make_table,
    make_user,
    make_workspace,
    make_world,
    unique_email,
)
from tests.lambda_events import load_function

ACTORS = ("owner", "admin", "editor", "commenter", "viewer", "outsider", "anonymous")

# fmt: off
MATRIX: dict[str, tuple[int, ...]] = {
    #                                                       owner admin editor comm. viewer outsider anon
    "POST /auth/register":                                  (201, 201, 201, 201, 201, 201, 201),
    "POST /auth/login":                                     (200, 200, 200, 200, 200, 200, 200),
    "POST /auth/refresh":                                   (200, 200, 200, 200, 200, 200, 200),
    "POST /auth/logout":                                    (204, 204, 204, 204, 204, 204, 204),
    "GET /me":                                              (200, 200, 200, 200, 200, 200, 401),
    "PATCH /me":                                            (200, 200, 200, 200, 200, 200, 401),
    "GET /api-tokens":                                      (200, 200, 200, 200, 200, 200, 401),
    "POST /api-tokens":                                     (201, 201, 201, 201, 201, 201, 401),
    "DELETE /api-tokens/{tokenId}":                         (204, 204, 204, 204, 204, 204, 401),
    "GET /workspaces":                                      (200, 200, 200, 200, 200, 200, 401),
    "POST /workspaces":                                     (201, 201, 201, 201, 201, 201, 401),
    "GET /workspaces/{workspaceId}":                        (200, 200, 200, 200, 200, 404, 401),
    "PATCH /workspaces/{workspaceId}":                      (200, 200, 403, 403, 403, 404, 401),
    "DELETE /workspaces/{workspaceId}":                     (204, 403, 403, 403, 403, 404, 401),
    "GET /workspaces/{workspaceId}/members":                (200, 200, 200, 200, 200, 404, 401),
    "POST /workspaces/{workspaceId}/members":               (201, 201, 403, 403, 403, 404, 401),
    "PATCH /workspaces/{workspaceId}/members/{userId}":     (200, 200, 403, 403, 403, 404, 401),
    "DELETE /workspaces/{workspaceId}/members/{userId}":    (204, 204, 403, 403, 403, 404, 401),
    "GET /workspaces/{workspaceId}/invitations":            (200, 200, 403, 403, 403, 404, 401),
    "POST /workspaces/{workspaceId}/invitations":           (201, 201, 403, 403, 403, 404, 401),
    "DELETE /workspaces/{workspaceId}/invitations/{invitationId}": (204, 204, 403, 403, 403, 404, 401),
    "POST /invitations/accept":                             (403, 403, 403, 403, 403, 403, 401),
    "GET /workspaces/{workspaceId}/bases":                  (200, 200, 200, 200, 200, 404, 401),
    "POST /workspaces/{workspaceId}/bases":                 (201, 201, 403, 403, 403, 404, 401),
    "GET /bases/{baseId}":                                  (200, 200, 200, 200, 200, 404, 401),
    "PATCH /bases/{baseId}":                                (200, 200, 403, 403, 403, 404, 401),
    "DELETE /bases/{baseId}":                               (204, 204, 403, 403, 403, 404, 401),
    "GET /bases/{baseId}/grants":                           (200, 200, 403, 403, 403, 404, 401),
    "PUT /bases/{baseId}/grants/{userId}":                  (200, 200, 403, 403, 403, 404, 401),
    "DELETE /bases/{baseId}/grants/{userId}":               (204, 204, 403, 403, 403, 404, 401),
    "GET /bases/{baseId}/tables":                           (200, 200, 200, 200, 200, 404, 401),
    "POST /bases/{baseId}/tables":                          (201, 201, 403, 403, 403, 404, 401),
    "GET /tables/{tableId}":                                (200, 200, 200, 200, 200, 404, 401),
    "PATCH /tables/{tableId}":                              (200, 200, 403, 403, 403, 404, 401),
    "DELETE /tables/{tableId}":                             (204, 204, 403, 403, 403, 404, 401),
    "GET /tables/{tableId}/grants":                         (200, 200, 403, 403, 403, 404, 401),
    "PUT /tables/{tableId}/grants/{userId}":                (200, 200, 403, 403, 403, 404, 401),
    "DELETE /tables/{tableId}/grants/{userId}":             (204, 204, 403, 403, 403, 404, 401),
}
# fmt: on


@dataclass
class Ctx:
    world: World
    spare: TestUser  # the account anonymous callers log in / refresh with
    candidate: TestUser  # not a member; POST members adds them
    target: TestUser  # an editor whose role PATCH members changes
    victim: TestUser  # re-added before each DELETE members cell
    grantee: TestUser  # not a member; receives grants

    def user(self, actor: str) -> TestUser | None:
        if actor == "anonymous":
            return None
        if actor == "outsider":
            return self.world.outsider
        return self.world.users[actor]

    def account(self, actor: str) -> TestUser:
        return self.user(actor) or self.spare


@pytest.fixture(scope="module")
def ctx() -> Ctx:
    world = make_world()
    context = Ctx(
        world=world,
        spare=make_user(name="spare"),
        candidate=make_user(name="candidate"),
        target=make_user(name="target"),
        victim=make_user(name="victim"),
        grantee=make_user(name="grantee"),
    )
    add_member(world.workspace_id, context.target, "editor")
    return context


# --- per-cell preparation (service layer, no HTTP) -----------------------------------------------


def _owner(ctx: Ctx) -> Principal:
    return ctx.world.owner.principal


def _is_member(workspace_id: str, user: TestUser) -> bool:
    with session_scope() as session:
        return session.get(WorkspaceMember, (workspace_id, user.id)) is not None


def _ensure_member(ctx: Ctx, user: TestUser) -> None:
    if not _is_member(ctx.world.workspace_id, user):
        add_member(ctx.world.workspace_id, user, "editor")


def _ensure_not_member(ctx: Ctx, user: TestUser) -> None:
    if _is_member(ctx.world.workspace_id, user):
        with session_scope() as session:
            workspaces_service.remove_member(
                session, principal=_owner(ctx), workspace_id=ctx.world.workspace_id, user_id=user.id
            )


def _invitation(ctx: Ctx) -> tuple[str, str]:
    with session_scope() as session:
        invitation, token = workspaces_service.create_invitation(
            session, principal=_owner(ctx), workspace_id=ctx.world.workspace_id, email=unique_email(), role="editor"
        )
        return invitation["id"], token


def _api_token_id(user: TestUser) -> str:
    secret = make_api_token(user)
    with session_scope() as session:
        token_id = session.scalar(select(ApiToken.id).where(ApiToken.token_hash == sha256(secret)))
    assert token_id is not None
    return token_id


def _refresh_token(user: TestUser) -> str:
    with session_scope() as session:
        return auth_service.issue_session(session, user_id=user.id)["refresh_token"]


def _fresh_workspace(ctx: Ctx) -> str:
    """A new workspace where every matrix actor has the same role as in the world's workspace."""
    workspace_id = make_workspace(ctx.world.owner, name="Doomed")
    for role, user in ctx.world.users.items():
        if role != "owner":
            add_member(workspace_id, user, role)
    return workspace_id


Prepare = Callable[[Ctx, str], tuple[str, Any]]
W = "/workspaces/{w}"


def _fmt(path: str, ctx: Ctx) -> str:
    return path.format(w=ctx.world.workspace_id, b=ctx.world.base_id, t=ctx.world.table.id)


def fixed(path: str, body: Any = None) -> Prepare:
    return lambda ctx, actor: (_fmt(path, ctx), body(ctx, actor) if callable(body) else body)


def _add_member_call(ctx: Ctx, actor: str) -> tuple[str, Any]:
    _ensure_not_member(ctx, ctx.candidate)
    return _fmt(W + "/members", ctx), {"email": ctx.candidate.email, "role": "viewer"}


def _remove_member_call(ctx: Ctx, actor: str) -> tuple[str, Any]:
    _ensure_member(ctx, ctx.victim)
    return _fmt(W + "/members/", ctx) + ctx.victim.id, None


def _base_grant_removal(ctx: Ctx, actor: str) -> tuple[str, Any]:
    grant("base", ctx.world.base_id, ctx.grantee, "viewer")
    return f"/bases/{ctx.world.base_id}/grants/{ctx.grantee.id}", None


def _table_grant_removal(ctx: Ctx, actor: str) -> tuple[str, Any]:
    grant("table", ctx.world.table.id, ctx.grantee, "viewer")
    return f"/tables/{ctx.world.table.id}/grants/{ctx.grantee.id}", None


ENDPOINTS: dict[str, tuple[str, Prepare]] = {
    "POST /auth/register": (
        "auth",
        fixed("/auth/register", lambda c, a: {"email": unique_email(), "password": "long-enough", "name": "N"}),
    ),
    "POST /auth/login": (
        "auth",
        fixed("/auth/login", lambda c, a: {"email": c.account(a).email, "password": c.account(a).password}),
    ),
    "POST /auth/refresh": (
        "auth",
        fixed("/auth/refresh", lambda c, a: {"refresh_token": _refresh_token(c.account(a))}),
    ),
    "POST /auth/logout": ("auth", fixed("/auth/logout", lambda c, a: {"refresh_token": _refresh_token(c.account(a))})),
    "GET /me": ("auth", fixed("/me")),
    "PATCH /me": ("auth", fixed("/me", lambda c, a: {"name": a})),
    "GET /api-tokens": ("auth", fixed("/api-tokens")),
    "POST /api-tokens": ("auth", fixed("/api-tokens", {"name": "matrix", "scope": "read"})),
    "DELETE /api-tokens/{tokenId}": ("auth", lambda c, a: (f"/api-tokens/{_api_token_id(c.account(a))}", None)),
    "GET /workspaces": ("workspaces", fixed("/workspaces")),
    "POST /workspaces": ("workspaces", fixed("/workspaces", {"name": "Made in the matrix"})),
    "GET /workspaces/{workspaceId}": ("workspaces", fixed(W)),
    "PATCH /workspaces/{workspaceId}": ("workspaces", fixed(W, {"name": "World"})),
    "DELETE /workspaces/{workspaceId}": ("workspaces", lambda c, a: (f"/workspaces/{_fresh_workspace(c)}", None)),
    "GET /workspaces/{workspaceId}/members": ("workspaces", fixed(W + "/members")),
    "POST /workspaces/{workspaceId}/members": ("workspaces", _add_member_call),
    "PATCH /workspaces/{workspaceId}/members/{userId}": (
        "workspaces",
        lambda c, a: (_fmt(W + "/members/", c) + c.target.id, {"role": "commenter"}),
    ),
    "DELETE /workspaces/{workspaceId}/members/{userId}": ("workspaces", _remove_member_call),
    "GET /workspaces/{workspaceId}/invitations": ("workspaces", fixed(W + "/invitations")),
    "POST /workspaces/{workspaceId}/invitations": (
        "workspaces",
        fixed(W + "/invitations", lambda c, a: {"email": unique_email(), "role": "viewer"}),
    ),
    "DELETE /workspaces/{workspaceId}/invitations/{invitationId}": (
        "workspaces",
        lambda c, a: (_fmt(W + "/invitations/", c) + _invitation(c)[0], None),
    ),
    "POST /invitations/accept": ("workspaces", fixed("/invitations/accept", lambda c, a: {"token": _invitation(c)[1]})),
    "GET /workspaces/{workspaceId}/bases": ("workspaces", fixed(W + "/bases")),
    "POST /workspaces/{workspaceId}/bases": ("workspaces", fixed(W + "/bases", {"name": "Another base"})),
    "GET /bases/{baseId}": ("workspaces", fixed("/bases/{b}")),
    "PATCH /bases/{baseId}": ("workspaces", fixed("/bases/{b}", {"name": "World base"})),
    "DELETE /bases/{baseId}": ("workspaces", lambda c, a: (f"/bases/{make_base(c.world.workspace_id)}", None)),
    "GET /bases/{baseId}/grants": ("workspaces", fixed("/bases/{b}/grants")),
    "PUT /bases/{baseId}/grants/{userId}": (
        "workspaces",
        lambda c, a: (f"/bases/{c.world.base_id}/grants/{c.grantee.id}", {"role": "commenter"}),
    ),
    "DELETE /bases/{baseId}/grants/{userId}": ("workspaces", _base_grant_removal),
    "GET /bases/{baseId}/tables": ("tables", fixed("/bases/{b}/tables")),
    "POST /bases/{baseId}/tables": (
        "tables",
        fixed("/bases/{b}/tables", lambda c, a: {"name": f"New {secrets.token_hex(4)}"}),
    ),
    "GET /tables/{tableId}": ("tables", fixed("/tables/{t}")),
    "PATCH /tables/{tableId}": ("tables", fixed("/tables/{t}", {"description": "Edited in the matrix"})),
    "DELETE /tables/{tableId}": ("tables", lambda c, a: (f"/tables/{make_table(c.world.base_id).id}", None)),
    "GET /tables/{tableId}/grants": ("tables", fixed("/tables/{t}/grants")),
    "PUT /tables/{tableId}/grants/{userId}": (
        "tables",
        lambda c, a: (f"/tables/{c.world.table.id}/grants/{c.grantee.id}", {"role": "editor"}),
    ),
    "DELETE /tables/{tableId}/grants/{userId}": ("tables", _table_grant_removal),
}


def _routes_of(app: Any) -> set[str]:
    """Every "METHOD /path" an app or router serves (read from its OpenAPI document)."""
    if not isinstance(app, FastAPI):
        wrapper = FastAPI()
        wrapper.include_router(app)
        app = wrapper
    return {
        f"{method.upper()} {path}"
        for path, operations in app.openapi()["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }


def test_matrix_covers_every_endpoint_of_these_groups() -> None:
    from pybase.access.routes import table_grants_router
    from pybase.tables.routes import router as tables_router

    expected = _routes_of(load_function("auth").app) | _routes_of(load_function("workspaces").app)
    # The tables function also serves fields, views and trash; those have their own tests.
    mine_in_tables = _routes_of(tables_router) | _routes_of(table_grants_router)
    assert mine_in_tables <= _routes_of(load_function("tables").app)
    assert set(MATRIX) == expected | mine_in_tables
    assert set(ENDPOINTS) == set(MATRIX)
    for endpoint, (group, _) in ENDPOINTS.items():
        assert endpoint in _routes_of(load_function(group).app), endpoint


@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_role_matrix(api: Api, ctx: Ctx, endpoint: str) -> None:
    group, prepare = ENDPOINTS[endpoint]
    method = endpoint.split(" ", 1)[0]
    got: dict[str, int] = {}
    problems: dict[str, str] = {}
    for actor in ACTORS:
        path, body = prepare(ctx, actor)
        user = ctx.user(actor)
        response = api.as_user(user.token if user else None).call(group, method, path, body=body)
        got[actor] = response.status
        if response.status >= 400:
            error = response.json()["error"]
            assert set(error) == {"code", "message", "details"}
        problems[actor] = response.text[:200]
    expected = dict(zip(ACTORS, MATRIX[endpoint], strict=True))
    assert got == expected, {a: problems[a] for a in ACTORS if got[a] != expected[a]}


GARBAGE_BODIES: list[Any] = [
    None,
    [],
    "text",
    12,
    {"name": "nul\x00", "email": "a\x00@example.com", "role": "owner\x00", "token": "\x00", "refresh_token": "\x00"},
    {"name": {"nested": True}, "password": ["x"], "scope": None, "base_ids": [None], "description": 5},
    {"name": "x" * 100_000},
]


@pytest.mark.parametrize("endpoint", list(MATRIX))
def test_garbage_input_never_gives_a_500(api: Api, ctx: Ctx, endpoint: str) -> None:
    group, prepare = ENDPOINTS[endpoint]
    method = endpoint.split(" ", 1)[0]
    path, _ = prepare(ctx, "owner")
    for body in GARBAGE_BODIES:
        response = api.as_user(ctx.world.owner.token).call(group, method, path, body=body)
        assert response.status < 500, (body, response.text)
        if response.status >= 400:
            assert "error" in response.json()
    # Path parameters with junk in them, too.
    junk_path = path
    for marker in (ctx.world.workspace_id, ctx.world.base_id, ctx.world.table.id):
        junk_path = junk_path.replace(marker, "x%00y")
    if junk_path != path:
        response = api.as_user(ctx.world.owner.token).call(group, method, junk_path, body={})
        assert response.status in (404, 422), response.text


# --- ID guessing across workspaces ---------------------------------------------------------------


def _random_id(prefix: str) -> str:
    return prefix + secrets.token_hex(7)


def test_cross_workspace_id_guessing_is_always_404(api: Api, ctx: Ctx) -> None:
    world = ctx.world
    outsider = api.as_user(world.outsider.token)
    other_w = world.other_workspace_id
    invitation_id, _ = _invitation(ctx)
    victim_token_id = _api_token_id(world.owner)
    attempts = [
        # Their IDs under my workspace's paths.
        ("workspaces", "PATCH", f"/workspaces/{other_w}/members/{world.owner.id}", {"role": "viewer"}),
        ("workspaces", "DELETE", f"/workspaces/{other_w}/members/{world.users['admin'].id}", None),
        ("workspaces", "DELETE", f"/workspaces/{other_w}/invitations/{invitation_id}", None),
        # Their objects directly, trying to let myself in.
        (
            "workspaces",
            "POST",
            f"/workspaces/{world.workspace_id}/members",
            {"email": world.outsider.email, "role": "owner"},
        ),
        ("workspaces", "PUT", f"/bases/{world.base_id}/grants/{world.outsider.id}", {"role": "admin"}),
        ("tables", "PUT", f"/tables/{world.table.id}/grants/{world.outsider.id}", {"role": "admin"}),
        ("tables", "POST", f"/bases/{world.base_id}/tables", {"name": "Mine now"}),
        ("tables", "GET", f"/bases/{world.base_id}/tables", None),
        ("auth", "DELETE", f"/api-tokens/{victim_token_id}", None),
        # Well-formed guesses and malformed IDs.
        ("workspaces", "GET", f"/workspaces/{_random_id('wsp')}", None),
        ("workspaces", "GET", f"/bases/{_random_id('app')}", None),
        ("tables", "GET", f"/tables/{_random_id('tbl')}", None),
        ("workspaces", "GET", f"/workspaces/{world.base_id}", None),
        ("tables", "GET", f"/tables/{world.base_id}", None),
        ("workspaces", "GET", "/workspaces/..%2F..%2Fetc", None),
        ("workspaces", "GET", "/workspaces/wsp%00aaaaaaaaaaaaa", None),
        ("tables", "GET", "/tables/tbl'%20OR%201=1--", None),
    ]
    for group, method, path, body in attempts:
        response = outsider.call(group, method, path, body=body)
        assert response.status == 404, (method, path, response.text)
    # Even the owner of the world gets 404 (not 403) for the other workspace's objects.
    owner = api.as_user(world.owner.token)
    assert owner.call("workspaces", "GET", f"/workspaces/{other_w}").status == 404
    assert owner.call("workspaces", "GET", f"/workspaces/{other_w}/bases").status == 404
    # Nothing above changed anything.
    assert not _is_member(world.workspace_id, world.outsider)
    with session_scope() as session:
        assert session.get(ApiToken, victim_token_id).revoked_at is None


# --- grants override workspace roles (most specific wins, both directions) ------------------------


@dataclass
class GrantWorld:
    world: World
    base2: str
    table2: str  # a second table in the world's base
    table3: str  # a table in base2


@pytest.fixture(scope="module")
def gw() -> GrantWorld:
    world = make_world(("owner", "admin", "editor", "viewer"))
    base2 = make_base(world.workspace_id, name="Second base")
    return GrantWorld(
        world=world,
        base2=base2,
        table2=make_table(world.base_id, name="Second table").id,
        table3=make_table(base2, name="Third table").id,
    )


def _status(api: Api, user: TestUser | str, group: str, method: str, path: str, body: Any = None) -> int:
    token = user if isinstance(user, str) else user.token
    return api.as_user(token).call(group, method, path, body=body).status


def test_base_grant_raises_a_workspace_viewer(api: Api, gw: GrantWorld) -> None:
    user = make_user()
    add_member(gw.world.workspace_id, user, "viewer")
    grant("base", gw.world.base_id, user, "admin")
    b, t = gw.world.base_id, gw.world.table.id
    assert _status(api, user, "workspaces", "PATCH", f"/bases/{b}", {"name": "World base"}) == 200
    assert _status(api, user, "workspaces", "GET", f"/bases/{b}/grants") == 200
    assert _status(api, user, "tables", "POST", f"/bases/{b}/tables", {"name": f"T {secrets.token_hex(3)}"}) == 201
    assert _status(api, user, "tables", "PATCH", f"/tables/{t}", {"description": "x"}) == 200
    # The grant is on that base only: the workspace and the other base keep the viewer role.
    assert _status(api, user, "workspaces", "PATCH", f"/bases/{gw.base2}", {"name": "Second base"}) == 403
    assert _status(api, user, "tables", "PATCH", f"/tables/{gw.table3}", {"description": "x"}) == 403
    assert _status(api, user, "workspaces", "POST", f"/workspaces/{gw.world.workspace_id}/bases", {"name": "n"}) == 403
    role = api.as_user(user.token).call("workspaces", "GET", f"/bases/{b}").json()["role"]
    assert role == "admin"


def test_base_grant_lowers_a_workspace_admin(api: Api, gw: GrantWorld) -> None:
    user = make_user()
    add_member(gw.world.workspace_id, user, "admin")
    grant("base", gw.world.base_id, user, "viewer")
    b, t = gw.world.base_id, gw.world.table.id
    assert _status(api, user, "workspaces", "GET", f"/bases/{b}") == 200
    assert _status(api, user, "workspaces", "PATCH", f"/bases/{b}", {"name": "World base"}) == 403
    assert _status(api, user, "tables", "POST", f"/bases/{b}/tables", {"name": "Nope"}) == 403
    assert _status(api, user, "tables", "PATCH", f"/tables/{t}", {"description": "x"}) == 403
    assert _status(api, user, "tables", "GET", f"/tables/{t}/grants") == 403
    assert _status(api, user, "workspaces", "PATCH", f"/bases/{gw.base2}", {"name": "Second base"}) == 200
    listed = api.as_user(user.token).call("workspaces", "GET", f"/workspaces/{gw.world.workspace_id}/bases").json()
    assert {x["id"]: x["role"] for x in listed} == {b: "viewer", gw.base2: "admin"}


def test_table_grant_beats_base_and_workspace_roles(api: Api, gw: GrantWorld) -> None:
    t, t2 = gw.world.table.id, gw.table2
    up = make_user()  # workspace editor, table admin
    add_member(gw.world.workspace_id, up, "editor")
    grant("table", t, up, "admin")
    assert _status(api, up, "tables", "PATCH", f"/tables/{t}", {"description": "x"}) == 200
    assert _status(api, up, "tables", "PATCH", f"/tables/{t2}", {"description": "x"}) == 403
    # Managing grants stays with base admins.
    assert _status(api, up, "tables", "GET", f"/tables/{t}/grants") == 403

    down = make_user()  # base admin (by grant), table viewer
    add_member(gw.world.workspace_id, down, "editor")
    grant("base", gw.world.base_id, down, "admin")
    grant("table", t, down, "viewer")
    assert _status(api, down, "tables", "GET", f"/tables/{t}") == 200
    assert _status(api, down, "tables", "PATCH", f"/tables/{t}", {"description": "x"}) == 403
    assert _status(api, down, "tables", "PATCH", f"/tables/{t2}", {"description": "x"}) == 200
    listed = api.as_user(down.token).call("tables", "GET", f"/bases/{gw.world.base_id}/tables").json()
    roles = {x["id"]: x["role"] for x in listed}
    assert roles[t] == "viewer" and roles[t2] == "admin"


def test_guest_with_one_table_grant_sees_only_that_table(api: Api, gw: GrantWorld) -> None:
    guest = make_user()
    grant("table", gw.world.table.id, guest, "editor")
    w, b, t = gw.world.workspace_id, gw.world.base_id, gw.world.table.id
    me = api.as_user(guest.token)
    table = me.call("tables", "GET", f"/tables/{t}")
    assert table.status == 200 and table.json()["role"] == "editor"
    assert me.call("tables", "PATCH", f"/tables/{t}", body={"description": "x"}).status == 403
    assert me.call("tables", "GET", f"/tables/{gw.table2}").status == 404
    assert me.call("tables", "GET", f"/tables/{gw.table3}").status == 404
    assert [x["id"] for x in me.call("tables", "GET", f"/bases/{b}/tables").json()] == [t]
    assert me.call("workspaces", "GET", f"/bases/{b}").json()["role"] == "viewer"
    assert me.call("workspaces", "GET", f"/bases/{gw.base2}").status == 404
    assert [x["id"] for x in me.call("workspaces", "GET", f"/workspaces/{w}/bases").json()] == [b]
    workspace = me.call("workspaces", "GET", f"/workspaces/{w}")
    assert workspace.status == 200 and workspace.json()["role"] is None
    assert w in [x["id"] for x in me.call("workspaces", "GET", "/workspaces").json()]
    assert me.call("workspaces", "GET", f"/workspaces/{w}/members").status == 403
    assert me.call("workspaces", "PATCH", f"/workspaces/{w}", body={"name": "x"}).status == 403


def test_guest_with_a_base_grant_reaches_all_its_tables(api: Api, gw: GrantWorld) -> None:
    guest = make_user()
    grant("base", gw.world.base_id, guest, "commenter")
    me = api.as_user(guest.token)
    listed = {x["id"]: x["role"] for x in me.call("tables", "GET", f"/bases/{gw.world.base_id}/tables").json()}
    assert listed[gw.world.table.id] == "commenter" and listed[gw.table2] == "commenter"
    assert me.call("tables", "GET", f"/tables/{gw.table2}").status == 200
    assert me.call("tables", "GET", f"/tables/{gw.table3}").status == 404
    assert me.call("tables", "PATCH", f"/tables/{gw.table2}", body={"description": "x"}).status == 403


def test_removing_the_grant_removes_the_access(api: Api, gw: GrantWorld) -> None:
    guest = make_user()
    grant("table", gw.world.table.id, guest, "viewer")
    assert _status(api, guest, "tables", "GET", f"/tables/{gw.world.table.id}") == 200
    owner = gw.world.owner
    path = f"/tables/{gw.world.table.id}/grants/{guest.id}"
    assert _status(api, owner, "tables", "DELETE", path) == 204
    assert _status(api, guest, "tables", "GET", f"/tables/{gw.world.table.id}") == 404
    assert _status(api, guest, "workspaces", "GET", f"/workspaces/{gw.world.workspace_id}") == 404


# --- API tokens: scope caps and base limits ------------------------------------------------------


def test_token_scope_caps_the_users_role(api: Api, gw: GrantWorld) -> None:
    owner = gw.world.owner
    w, b, t = gw.world.workspace_id, gw.world.base_id, gw.world.table.id
    cases = {
        # scope: (GET table role, PATCH table, POST base, POST workspace, PATCH workspace)
        "read": ("viewer", 403, 403, 403, 403),
        "write": ("editor", 403, 403, 403, 403),
        "admin": ("owner", 200, 201, 201, 200),
    }
    for scope, (role, patch_table, post_base, post_ws, patch_ws) in cases.items():
        token = make_api_token(owner, scope=scope)
        got = (
            api.as_user(token).call("tables", "GET", f"/tables/{t}").json()["role"],
            _status(api, token, "tables", "PATCH", f"/tables/{t}", {"description": scope}),
            _status(api, token, "workspaces", "POST", f"/workspaces/{w}/bases", {"name": scope}),
            _status(api, token, "workspaces", "POST", "/workspaces", {"name": scope}),
            _status(api, token, "workspaces", "PATCH", f"/workspaces/{w}", {"name": "World"}),
        )
        assert got == (role, patch_table, post_base, post_ws, patch_ws), scope
        assert _status(api, token, "workspaces", "GET", f"/bases/{b}") == 200
    # A token never lifts its user above their role.
    viewer_token = make_api_token(gw.world.users["viewer"], scope="admin")
    assert _status(api, viewer_token, "tables", "PATCH", f"/tables/{t}", {"description": "x"}) == 403
    assert api.as_user(viewer_token).call("tables", "GET", f"/tables/{t}").json()["role"] == "viewer"


def test_token_base_limit_hides_everything_else(api: Api, gw: GrantWorld) -> None:
    owner = gw.world.owner
    w, b, t = gw.world.workspace_id, gw.world.base_id, gw.world.table.id
    elsewhere = make_workspace(owner, name="Owner's other workspace")
    token = make_api_token(owner, scope="admin", base_ids=[b])
    me = api.as_user(token)
    assert me.call("workspaces", "GET", f"/bases/{b}").status == 200
    assert me.call("tables", "GET", f"/tables/{t}").status == 200
    assert me.call("tables", "PATCH", f"/tables/{t}", body={"description": "limited"}).status == 200
    assert me.call("tables", "POST", f"/bases/{b}/tables", body={"name": f"L {secrets.token_hex(3)}"}).status == 201
    # Outside the limit: 404, as if it did not exist.
    assert me.call("workspaces", "GET", f"/bases/{gw.base2}").status == 404
    assert me.call("tables", "GET", f"/tables/{gw.table3}").status == 404
    assert me.call("tables", "GET", f"/bases/{gw.base2}/tables").status == 404
    assert me.call("workspaces", "GET", f"/workspaces/{elsewhere}").status == 404
    # The base's workspace is visible read-only, listing only the reachable base.
    assert me.call("workspaces", "GET", f"/workspaces/{w}").status == 200
    assert [x["id"] for x in me.call("workspaces", "GET", "/workspaces").json()] == [w]
    assert [x["id"] for x in me.call("workspaces", "GET", f"/workspaces/{w}/bases").json()] == [b]
    assert me.call("workspaces", "PATCH", f"/workspaces/{w}", body={"name": "World"}).status == 403
    assert me.call("workspaces", "POST", f"/workspaces/{w}/bases", body={"name": "x"}).status == 403
    assert me.call("workspaces", "POST", "/workspaces", body={"name": "x"}).status == 403


# --- read-scope API tokens write nothing: comments and presence -----------------------------------

TOKEN_ROLES = ("owner", "admin", "editor", "commenter", "viewer")

# A read-scope token of each workspace role, on the comments of a record. Cells are exact statuses.
# fmt: off
READ_TOKEN_COMMENTS: dict[str, tuple[int, ...]] = {
    #                                                                       owner admin editor comm. viewer
    "GET /tables/{tableId}/records/{recordId}/comments":                    (200, 200, 200, 200, 200),
    "POST /tables/{tableId}/records/{recordId}/comments":                   (403, 403, 403, 403, 403),
    "GET /tables/{tableId}/records/{recordId}/comments/{commentId}":        (200, 200, 200, 200, 200),
    "PATCH /tables/{tableId}/records/{recordId}/comments/{commentId}":      (403, 403, 403, 403, 403),
    "DELETE /tables/{tableId}/records/{recordId}/comments/{commentId}":     (403, 403, 403, 403, 403),
}
# fmt: on


@pytest.fixture(scope="module")
def commented(ctx: Ctx) -> dict[str, str]:
    """A record, and per role the comment its user wrote with a login session (the owner's for viewers)."""
    api, owner = Api(), ctx.world.owner
    made = api.as_user(owner.token).call(
        "records", "POST", f"/tables/{ctx.world.table.id}/records", body={"fields": {}}
    )
    assert made.status in (200, 201), made.text
    record_id = made.json()["id"]
    comments = {"record": record_id}
    url = f"/tables/{ctx.world.table.id}/records/{record_id}/comments"
    for role in TOKEN_ROLES:
        author = ctx.world.users[role if role != "viewer" else "owner"]
        response = api.as_user(author.token).call("records", "POST", url, body={"text": f"by {role}"})
        assert response.status == 201, response.text
        comments[role] = response.json()["id"]
    return comments


def test_read_token_matrix_covers_every_comment_endpoint() -> None:
    from pybase.comments.routes import router as comments_router

    def norm(endpoint: str) -> str:
        return re.sub(r"\{[^}]+\}", "{}", endpoint)

    assert {norm(e) for e in READ_TOKEN_COMMENTS} == {norm(e) for e in _routes_of(comments_router)}


@pytest.mark.parametrize("endpoint", list(READ_TOKEN_COMMENTS))
def test_read_scope_token_never_comments(api: Api, ctx: Ctx, commented: dict[str, str], endpoint: str) -> None:
    method, template = endpoint.split(" ", 1)
    got: dict[str, int] = {}
    for role in TOKEN_ROLES:
        token = make_api_token(ctx.world.users[role], scope="read")
        path = (
            template.replace("{tableId}", ctx.world.table.id)
            .replace("{recordId}", commented["record"])
            .replace("{commentId}", commented[role])
        )
        body = {"text": "written with a read token"} if method in ("POST", "PATCH") else None
        response = api.as_user(token).call("records", method, path, body=body)
        if response.status >= 400:
            assert set(response.json()["error"]) == {"code", "message", "details"}
        got[role] = response.status
    assert got == dict(zip(TOKEN_ROLES, READ_TOKEN_COMMENTS[endpoint], strict=True))
    # The same people with a write-scope token (or a login) still comment as their role allows.
    writer = api.as_user(make_api_token(ctx.world.users["commenter"], scope="write"))
    url = f"/tables/{ctx.world.table.id}/records/{commented['record']}/comments"
    assert writer.call("records", "POST", url, body={"text": "write scope"}).status == 201


class _RecordingPoster:
    def __init__(self) -> None:
        self.frames: list[tuple[str, dict[str, Any]]] = []

    def post(self, connection_id: str, data: str) -> None:
        self.frames.append((connection_id, json.loads(data)))


def test_read_scope_token_cannot_send_presence(ctx: Ctx) -> None:
    from pybase.realtime import registry
    from pybase.realtime import service as realtime
    from pybase.redis_client import get_redis

    r, poster, table_id = get_redis(), _RecordingPoster(), ctx.world.table.id

    def connect(token: str) -> str:
        connection_id = f"con{secrets.token_hex(7)}"
        with session_scope() as session:
            realtime.connect(session, r, connection_id=connection_id, token=token)
        return connection_id

    def send(connection_id: str, message: dict[str, Any]) -> dict[str, Any] | None:
        with session_scope() as session:
            return realtime.handle_message(session, r, poster, connection_id=connection_id, body=json.dumps(message))

    reader = connect(make_api_token(ctx.world.owner, scope="read"))
    writer = connect(make_api_token(ctx.world.users["editor"], scope="write"))
    for connection_id in (reader, writer):
        assert send(connection_id, {"action": "subscribe", "table_id": table_id}) is None
    for message in (
        {"action": "presence", "table_id": table_id, "record_id": f"rec{secrets.token_hex(7)}"},
        {"action": "presence", "table_id": table_id, "state": "leave"},
    ):
        error = send(reader, message)
        assert error is not None and error["error"]["code"] == "token_scope", error
    assert [u["user_id"] for u in registry.presence(r, table_id)] == []
    # A write-scope token (even of a lower role) may say where it is.
    assert send(writer, {"action": "presence", "table_id": table_id}) is None
    assert [u["user_id"] for u in registry.presence(r, table_id)] == [ctx.world.users["editor"].id]
    for connection_id in (reader, writer):
        realtime.disconnect(r, None, connection_id=connection_id)


# --- links, lookups and rollups never reach a table the caller cannot read --------------------------


@dataclass
class LinkWorld:
    world: World
    visible: str  # TA: the guests' table
    hidden: str  # TA2: same base, no grant for the guests
    link: str  # TA -> TA2, made by the owner
    secret_field: str  # a field of TA2
    lookup: str  # owner's lookup of TA2's secret through the link
    rollup: str  # owner's rollup of the same
    record: str  # a TA record linked to a TA2 record


@pytest.fixture(scope="module")
def lw() -> LinkWorld:
    world = make_world(("owner",))
    owner = Api(world.owner.token)
    visible = world.table.id
    hidden = make_table(world.base_id, name="Hidden table").id

    def add_field(table_id: str, name: str, type_: str, **options: Any) -> str:
        r = owner.call(
            "tables", "POST", f"/tables/{table_id}/fields", body={"name": name, "type": type_, "options": options}
        )
        assert r.status == 201, r.text
        return r.json()["id"]

    secret = add_field(hidden, "Secret", "single_line_text")
    link = add_field(visible, "Hidden link", "link", linked_table_id=hidden)
    lookup = add_field(visible, "Secret lookup", "lookup", link_field_id=link, field_id=secret)
    rollup = add_field(visible, "Secret rollup", "rollup", link_field_id=link, field_id=secret, function="ARRAYJOIN")
    r = owner.call(
        "records",
        "POST",
        f"/tables/{hidden}/records",
        body={"fields": {"Name": "TOPSECRET-NAME", secret: "TOPSECRET-VALUE"}},
    )
    assert r.status == 201, r.text
    hidden_record = r.json()["id"]
    r = owner.call(
        "records", "POST", f"/tables/{visible}/records", body={"fields": {"Name": "mine", link: [hidden_record]}}
    )
    assert r.status == 201, r.text
    return LinkWorld(world, visible, hidden, link, secret, lookup, rollup, r.json()["id"])


def _guest(lw: LinkWorld, visible_role: str, hidden_role: str | None = None) -> Api:
    user = make_user()
    grant("table", lw.visible, user, visible_role)
    if hidden_role is not None:
        grant("table", lw.hidden, user, hidden_role)
    return Api(user.token)


def _field_ids(world: World, table_id: str) -> set[str]:
    listed = Api(world.owner.token).call("tables", "GET", f"/tables/{table_id}/fields").json()["fields"]
    return {f["id"] for f in listed}


def _field_call(me: Api, table_id: str, type_: str, **options: Any) -> Any:
    body = {"name": f"F {secrets.token_hex(3)}", "type": type_, "options": options}
    return me.call("tables", "POST", f"/tables/{table_id}/fields", body=body)


# (grant on TA, grant on TA2) -> statuses of creating a link, a lookup, a rollup in TA over TA2.
# fmt: off
LINK_MATRIX: dict[tuple[str, str | None], tuple[int, int, int]] = {
    #                      link  lookup rollup
    ("admin", None):       (422, 422, 422),
    ("admin", "viewer"):   (403, 201, 201),
    ("admin", "editor"):   (403, 201, 201),
    ("admin", "admin"):    (201, 201, 201),
    ("editor", None):      (403, 403, 403),
    ("editor", "admin"):   (403, 403, 403),
}
# fmt: on


@pytest.mark.parametrize("grants", list(LINK_MATRIX), ids=lambda g: f"TA-{g[0]}_TA2-{g[1]}")
def test_link_lookup_rollup_creation_needs_the_linked_table(lw: LinkWorld, grants: tuple[str, str | None]) -> None:
    me = _guest(lw, *grants)
    expected = LINK_MATRIX[grants]
    fields_before = _field_ids(lw.world, lw.hidden)
    got = (
        _field_call(me, lw.visible, "link", linked_table_id=lw.hidden).status,
        _field_call(me, lw.visible, "lookup", link_field_id=lw.link, field_id=lw.secret_field).status,
        _field_call(
            me, lw.visible, "rollup", link_field_id=lw.link, field_id=lw.secret_field, function="ARRAYJOIN"
        ).status,
    )
    assert got == expected
    if expected[0] != 201:  # no inverse field appeared inside the hidden table
        assert _field_ids(lw.world, lw.hidden) == fields_before


def test_a_hidden_linked_table_answers_like_a_missing_one(lw: LinkWorld) -> None:
    me = _guest(lw, "admin")
    hidden = _field_call(me, lw.visible, "link", linked_table_id=lw.hidden)
    missing_id = _random_id("tbl")
    missing = _field_call(me, lw.visible, "link", linked_table_id=missing_id)
    assert hidden.status == missing.status == 422
    h, m = hidden.json()["error"], missing.json()["error"]
    assert (h["code"], h["message"]) == (m["code"], m["message"])
    assert h["details"] == {"linked_table_id": lw.hidden} and m["details"] == {"linked_table_id": missing_id}
    # A lookup through the link answers the same whether the hidden field exists or not.
    real = _field_call(me, lw.visible, "lookup", link_field_id=lw.link, field_id=lw.secret_field)
    guess = _field_call(me, lw.visible, "lookup", link_field_id=lw.link, field_id=_random_id("fld"))
    assert real.status == guess.status == 422 and real.json() == guess.json()


def _no_secret(text: str) -> None:
    assert "TOPSECRET" not in text, text[:500]


def test_computed_values_from_a_hidden_table_are_empty_on_every_path(lw: LinkWorld) -> None:
    owner = Api(lw.world.owner.token)
    # The owner sees everything (the fixture is right).
    r = owner.call("records", "GET", f"/tables/{lw.visible}/records/{lw.record}")
    assert "TOPSECRET-VALUE" in r.text and "TOPSECRET-NAME" in r.text
    for role in ("viewer", "editor", "admin"):
        me = _guest(lw, role)
        one = me.call("records", "GET", f"/tables/{lw.visible}/records/{lw.record}")
        assert one.status == 200, one.text
        _no_secret(one.text)
        cells = one.json()["fields"]
        assert cells[lw.link] == [{"id": cells[lw.link][0]["id"], "name": None}]  # the link itself stays
        assert lw.lookup not in cells and lw.rollup not in cells
        listed = me.call("records", "GET", f"/tables/{lw.visible}/records")
        assert listed.status == 200
        _no_secret(listed.text)
        queried = me.call("records", "POST", f"/tables/{lw.visible}/records/query", body={})
        assert queried.status == 200
        _no_secret(queried.text)
        v0 = me.call("airtable", "GET", f"/v0/{lw.world.base_id}/{lw.visible}")
        assert v0.status == 200, v0.text
        _no_secret(v0.text)
        v0_one = me.call("airtable", "GET", f"/v0/{lw.world.base_id}/{lw.visible}/{lw.record}")
        assert v0_one.status == 200
        _no_secret(v0_one.text)
        for string_format in ({"cellFormat": "string", "timeZone": "UTC", "userLocale": "en-us"},):
            v0_text = me.call("airtable", "GET", f"/v0/{lw.world.base_id}/{lw.visible}", query=string_format)
            assert v0_text.status == 200
            _no_secret(v0_text.text)
        csv_export = me.call("records", "GET", f"/tables/{lw.visible}/export.csv")
        assert csv_export.status == 200, csv_export.text
        assert "mine" in csv_export.text
        _no_secret(csv_export.text)
    # An editor's write answers with the record, computed cells included: still nothing hidden.
    me = _guest(lw, "editor")
    patched = me.call(
        "records", "PATCH", f"/tables/{lw.visible}/records/{lw.record}", body={"fields": {"Name": "mine"}}
    )
    assert patched.status == 200, patched.text
    _no_secret(patched.text)


def test_filters_and_sorts_cannot_test_values_of_a_hidden_table(lw: LinkWorld) -> None:
    owner, me = Api(lw.world.owner.token), _guest(lw, "editor")
    base = lw.world.base_id
    lookup_filter = {"field": lw.lookup, "op": "contains", "value": "TOPSECRET"}
    formula = "FIND('TOPSECRET', ARRAYJOIN({Secret lookup}))"

    def native(api: Api, **query: Any) -> Any:
        return api.call("records", "GET", f"/tables/{lw.visible}/records", query=query)

    # The owner's filters find the record through the hidden values ...
    assert len(native(owner, filter=json.dumps(lookup_filter)).json()["records"]) >= 1
    assert native(owner, sort=json.dumps([{"field": lw.lookup}])).status == 200
    v0 = owner.call("airtable", "GET", f"/v0/{base}/{lw.visible}", query={"sort[0][field]": "Secret lookup"})
    assert v0.status == 200, v0.text
    # ... a guest's are refused like filters on a field that does not exist.
    unknown = native(me, filter=json.dumps({**lookup_filter, "field": _random_id("fld")}))
    for query in (
        {"filter": json.dumps(lookup_filter)},
        {"filter": json.dumps({"field": lw.rollup, "op": "contains", "value": "TOP"})},
        {"filter": json.dumps({"field": lw.link, "op": "contains", "value": "TOP"})},
        {"sort": json.dumps([{"field": lw.lookup}])},
    ):
        r = native(me, **query)
        assert r.status == unknown.status == 422, (query, r.text)
        assert r.json()["error"]["code"] == unknown.json()["error"]["code"]
    assert native(me, filter=json.dumps({"formula": formula})).status == 422
    v0 = me.call("airtable", "GET", f"/v0/{base}/{lw.visible}", query={"filterByFormula": formula})
    assert v0.status == 422, v0.text
    v0 = me.call("airtable", "GET", f"/v0/{base}/{lw.visible}", query={"sort[0][field]": "Secret lookup"})
    assert v0.status == 422, v0.text
    # Fields of the table itself still filter.
    assert native(me, filter=json.dumps({"field": "Name", "op": "=", "value": "mine"}), field_key="name").status == 200


def test_link_cells_into_a_hidden_table_can_only_be_cleared(lw: LinkWorld) -> None:
    owner = Api(lw.world.owner.token)
    hidden_record = owner.call("records", "GET", f"/tables/{lw.visible}/records/{lw.record}").json()["fields"][lw.link]
    real, guess = hidden_record[0]["id"], _random_id("rec")
    me = _guest(lw, "editor")

    def create(ids: list[str]) -> Any:
        return me.call("records", "POST", f"/tables/{lw.visible}/records", body={"fields": {lw.link: ids}})

    a, b = create([real]), create([guess])
    assert a.status == b.status == 422 and a.json() == b.json(), (a.text, b.text)
    r = me.call("records", "PATCH", f"/tables/{lw.visible}/records/{lw.record}", body={"fields": {lw.link: [real]}})
    assert r.status == 422
    # With read access to the linked table the same write works.
    reader = _guest(lw, "editor", "viewer")
    r = reader.call("records", "POST", f"/tables/{lw.visible}/records", body={"fields": {lw.link: [real]}})
    assert r.status == 201, r.text
    # Clearing stays allowed (the cell belongs to the guest's table).
    fresh = owner.call(
        "records", "POST", f"/tables/{lw.visible}/records", body={"fields": {"Name": "clear me", lw.link: [real]}}
    ).json()["id"]
    r = me.call("records", "PATCH", f"/tables/{lw.visible}/records/{fresh}", body={"fields": {lw.link: []}})
    assert r.status == 200, r.text


def test_converting_a_lookup_stores_only_what_the_caller_can_read(lw: LinkWorld) -> None:
    owner = Api(lw.world.owner.token)
    lookup = _field_call(owner, lw.visible, "lookup", link_field_id=lw.link, field_id=lw.secret_field).json()["id"]
    me = _guest(lw, "admin")
    r = me.call("tables", "PATCH", f"/fields/{lookup}", body={"type": "single_line_text"})
    assert r.status == 200, r.text
    _no_secret(r.text)
    cell = owner.call("records", "GET", f"/tables/{lw.visible}/records/{lw.record}").json()["fields"].get(lookup)
    assert cell is None


def test_change_events_carry_no_computed_values_from_linked_tables(lw: LinkWorld) -> None:
    # Realtime rule: change events carry stored values only (a link as record IDs); lookups, rollups
    # and link names are never in a payload, so no subscriber receives another table's values.
    from pybase.events.models import ChangeEvent

    me = _guest(lw, "editor")
    r = me.call("records", "PATCH", f"/tables/{lw.visible}/records/{lw.record}", body={"fields": {"Name": "again"}})
    assert r.status == 200
    r = Api(lw.world.owner.token).call(
        "records", "POST", f"/tables/{lw.visible}/records", body={"fields": {"Name": "new", lw.link: []}}
    )
    assert r.status == 201
    with session_scope() as session:
        events = session.scalars(
            select(ChangeEvent).where(ChangeEvent.table_id == lw.visible, ChangeEvent.type.like("record%"))
        ).all()
        payloads = json.dumps([e.payload for e in events], default=str)
    assert events
    _no_secret(payloads)
    assert lw.lookup not in payloads and lw.rollup not in payloads


def _same_answer(a: Any, b: Any, sent_a: str, sent_b: str) -> None:
    """Two answers alike but for the ID each caller sent (status, code, message, details shape)."""
    assert a.status == b.status, (a.status, a.text, b.status, b.text)
    ea, eb = a.json()["error"], b.json()["error"]
    assert ea["code"] == eb["code"] and ea["message"] == eb["message"], (ea, eb)
    assert json.dumps(ea["details"]).replace(sent_a, "<id>") == json.dumps(eb["details"]).replace(sent_b, "<id>")
    assert sent_a in json.dumps(ea["details"]) and sent_b in json.dumps(eb["details"])


def test_other_tenants_objects_answer_exactly_like_missing_ones(api: Api, ctx: Ctx) -> None:
    from pybase.files.models import Attachment

    world = ctx.world
    victim = api.as_user(world.owner.token)
    body = {"name": f"F {secrets.token_hex(3)}", "type": "number"}
    r = victim.call("tables", "POST", f"/tables/{world.table.id}/fields", body=body)
    assert r.status == 201, r.text
    victim_field = r.json()["id"]
    with session_scope() as session:
        attachment = Attachment(
            workspace_id=world.workspace_id, base_id=world.base_id, table_id=world.table.id,
            record_id=_random_id("rec"), field_id=victim_field, filename="victim.dxf", content_type="image/vnd.dxf",
            declared_size=10, bucket="b", key=f"victim/{secrets.token_hex(6)}.dxf",
        )  # fmt: skip
        session.add(attachment)
        session.flush()
        victim_attachment = attachment.id
    outsider = api.as_user(world.outsider.token)
    own_base = make_base(world.other_workspace_id, name="Outsider base", by=world.outsider)
    own_table = make_table(own_base, name="Outsider table", by=world.outsider).id
    theirs, random_table = world.table.id, _random_id("tbl")

    def link_to(table_id: str) -> Any:
        body = {"name": f"L {secrets.token_hex(3)}", "type": "link", "options": {"linked_table_id": table_id}}
        return outsider.call("tables", "POST", f"/tables/{own_table}/fields", body=body)

    _same_answer(link_to(theirs), link_to(random_table), theirs, random_table)
    missing_att = _random_id("att")

    def jobs_of(attachment_id: str) -> Any:
        return outsider.call("files", "GET", "/extraction-jobs", query={"attachment_id": attachment_id})

    _same_answer(jobs_of(victim_attachment), jobs_of(missing_att), victim_attachment, missing_att)
    assert theirs not in jobs_of(victim_attachment).text
    missing_fld = _random_id("fld")
    for method, body in (("GET", None), ("PATCH", {"name": "mine"}), ("DELETE", None)):
        _same_answer(
            outsider.call("tables", method, f"/fields/{victim_field}", body=body),
            outsider.call("tables", method, f"/fields/{missing_fld}", body=body),
            victim_field,
            missing_fld,
        )
    victim_view = world.table.view_id
    missing_view = _random_id("viw")
    _same_answer(
        outsider.call("records", "GET", f"/tables/{own_table}/records", query={"view": victim_view}),
        outsider.call("records", "GET", f"/tables/{own_table}/records", query={"view": missing_view}),
        victim_view,
        missing_view,
    )
    _same_answer(
        outsider.call("records", "GET", f"/views/{victim_view}/export.csv"),
        outsider.call("records", "GET", f"/views/{missing_view}/export.csv"),
        victim_view,
        missing_view,
    )
