"""Invitations: created by admins for an email and role, accepted once by that person, revocable, expiring."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from pybase.auth.security import sha256
from pybase.db import session_scope, utcnow
from pybase.workspaces.models import Invitation, WorkspaceMember
from tests.conftest import Api
from tests.factories import TestUser, add_member, make_api_token, make_user, make_workspace, unique_email


def _invite(api: Api, by: TestUser, workspace_id: str, email: str, role: str = "editor") -> dict:
    response = api.as_user(by.token).call(
        "workspaces", "POST", f"/workspaces/{workspace_id}/invitations", body={"email": email, "role": role}
    )
    assert response.status == 201, response.text
    return response.json()


def _accept(api: Api, user: TestUser | str, token: str) -> int:
    bearer = user if isinstance(user, str) else user.token
    return api.as_user(bearer).call("workspaces", "POST", "/invitations/accept", body={"token": token}).status


def _role(workspace_id: str, user_id: str) -> str | None:
    with session_scope() as session:
        member = session.get(WorkspaceMember, (workspace_id, user_id))
        return member.role if member else None


def test_invite_then_accept(api: Api) -> None:
    owner, invitee = make_user(), make_user()
    workspace_id = make_workspace(owner, name="Shop floor")
    created = _invite(api, owner, workspace_id, invitee.email.upper(), role="commenter")
    token = created["token"]
    assert token.startswith("inv_") and created["status"] == "pending" and created["email"] == invitee.email
    with session_scope() as session:
        stored = session.get(Invitation, created["id"])
        assert stored is not None and stored.token_hash == sha256(token)
    listed = api.as_user(owner.token).call("workspaces", "GET", f"/workspaces/{workspace_id}/invitations")
    assert [i["id"] for i in listed.json()] == [created["id"]]
    assert token not in listed.text
    accepted = api.as_user(invitee.token).call("workspaces", "POST", "/invitations/accept", body={"token": token})
    assert accepted.status == 200, accepted.text
    assert accepted.json() == {**accepted.json(), "id": workspace_id, "name": "Shop floor", "role": "commenter"}
    assert _role(workspace_id, invitee.id) == "commenter"
    # Used up: neither the invitee nor anyone else can use it again, and it leaves the list.
    assert _accept(api, invitee, token) == 404
    assert api.as_user(owner.token).call("workspaces", "GET", f"/workspaces/{workspace_id}/invitations").json() == []


def test_invitation_for_someone_not_yet_registered(api: Api) -> None:
    owner = make_user()
    workspace_id = make_workspace(owner)
    email = unique_email("later")
    token = _invite(api, owner, workspace_id, email, role="viewer")["token"]
    registered = api.call(
        "auth", "POST", "/auth/register", body={"email": email, "password": "long-enough", "name": "L"}
    )
    assert _accept(api, registered.json()["access_token"], token) == 200
    assert _role(workspace_id, registered.json()["user"]["id"]) == "viewer"


def test_only_the_invited_account_may_accept(api: Api) -> None:
    owner, invitee, stranger = make_user(), make_user(), make_user()
    workspace_id = make_workspace(owner)
    token = _invite(api, owner, workspace_id, invitee.email)["token"]
    assert _accept(api, stranger, token) == 403
    assert _accept(api, make_api_token(invitee, scope="admin"), token) == 403  # needs a login session
    assert api.call("workspaces", "POST", "/invitations/accept", body={"token": token}).status == 401
    assert _role(workspace_id, stranger.id) is None
    assert _accept(api, invitee, token) == 200


def test_revoked_and_expired_invitations(api: Api) -> None:
    owner, invitee = make_user(), make_user()
    workspace_id = make_workspace(owner)
    first = _invite(api, owner, workspace_id, invitee.email)
    as_owner = api.as_user(owner.token)
    path = f"/workspaces/{workspace_id}/invitations/{first['id']}"
    assert as_owner.call("workspaces", "DELETE", path).status == 204
    assert as_owner.call("workspaces", "DELETE", path).status == 404
    assert _accept(api, invitee, first["token"]) == 404

    second = _invite(api, owner, workspace_id, invitee.email)
    with session_scope() as session:
        session.execute(
            update(Invitation).where(Invitation.id == second["id"]).values(expires_at=utcnow() - timedelta(minutes=1))
        )
    listed = as_owner.call("workspaces", "GET", f"/workspaces/{workspace_id}/invitations").json()
    assert [(i["id"], i["status"]) for i in listed] == [(second["id"], "expired")]
    expired = api.as_user(invitee.token).call(
        "workspaces", "POST", "/invitations/accept", body={"token": second["token"]}
    )
    assert expired.status == 409 and expired.json()["error"]["code"] == "invitation_expired"
    assert _role(workspace_id, invitee.id) is None


def test_inviting_again_replaces_the_pending_invitation(api: Api) -> None:
    owner = make_user()
    workspace_id = make_workspace(owner)
    email = unique_email()
    old = _invite(api, owner, workspace_id, email, role="viewer")
    new = _invite(api, owner, workspace_id, email, role="editor")
    with session_scope() as session:
        rows = session.scalars(select(Invitation).where(Invitation.workspace_id == workspace_id)).all()
    assert {row.id: row.revoked_at is not None for row in rows} == {old["id"]: True, new["id"]: False}


def test_members_cannot_be_invited_nor_accept_to_join_again(api: Api) -> None:
    owner, member, joiner = make_user(), make_user(), make_user()
    workspace_id = make_workspace(owner)
    add_member(workspace_id, member, "viewer")
    response = api.as_user(owner.token).call(
        "workspaces", "POST", f"/workspaces/{workspace_id}/invitations", body={"email": member.email, "role": "admin"}
    )
    assert response.status == 409
    token = _invite(api, owner, workspace_id, joiner.email, role="admin")["token"]
    add_member(workspace_id, joiner, "viewer")  # added directly meanwhile
    assert _accept(api, joiner, token) == 409
    assert _role(workspace_id, joiner.id) == "viewer"


def test_cannot_revoke_another_workspaces_invitation(api: Api) -> None:
    owner, other_owner = make_user(), make_user()
    workspace_id = make_workspace(owner)
    other_id = make_workspace(other_owner)
    invitation = _invite(api, owner, workspace_id, unique_email())
    response = api.as_user(other_owner.token).call(
        "workspaces", "DELETE", f"/workspaces/{other_id}/invitations/{invitation['id']}"
    )
    assert response.status == 404
    with session_scope() as session:
        assert session.get(Invitation, invitation["id"]).revoked_at is None


@pytest.mark.parametrize(
    "body",
    [
        {"email": "bad", "role": "viewer"},
        {"email": "ok@example.com", "role": "emperor"},
        {"email": "ok@example.com", "role": "viewer", "expires_in_days": 0},
        {"email": "ok@example.com", "role": "viewer", "expires_in_days": 31},
        {"role": "viewer"},
    ],
)
def test_invitation_bad_input_is_422(api: Api, body: dict) -> None:
    owner = make_user()
    workspace_id = make_workspace(owner)
    response = api.as_user(owner.token).call("workspaces", "POST", f"/workspaces/{workspace_id}/invitations", body=body)
    assert response.status == 422
    with session_scope() as session:
        assert session.scalars(select(Invitation).where(Invitation.workspace_id == workspace_id)).all() == []


def test_accept_with_a_made_up_token(api: Api) -> None:
    user = make_user()
    assert _accept(api, user, "inv_" + "z" * 43) == 404
    assert api.as_user(user.token).call("workspaces", "POST", "/invitations/accept", body={"token": ""}).status == 422
