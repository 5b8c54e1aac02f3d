"""Who may do what. Every service function that reads or writes a workspace object goes through here.

The effective role on a table is the most specific grant: a table grant, else a base grant, else the
workspace membership. Objects the caller cannot see at all raise NotFound (never Forbidden), so IDs of
other workspaces leak nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from pybase.access.models import Grant
from pybase.access.roles import RANK, Principal, at_least
from pybase.bases.models import AppBase
from pybase.errors import Forbidden, NotFound
from pybase.ids import looks_like_id
from pybase.tables.models import Table
from pybase.workspaces.models import Workspace, WorkspaceMember


def _check(principal: Principal, role: str | None, needed: str, what: str, object_id: str) -> str:
    role = principal.effective(role)
    if role is None:
        raise NotFound(f"{what} not found", details={"id": object_id})
    if not at_least(role, needed):
        raise Forbidden(
            f"Your role ({role}) cannot do this; it needs {needed} or higher.",
            details={"id": object_id, "role": role, "required": needed},
        )
    return role


def workspace_role(session: Session, *, principal: Principal, workspace_id: str) -> tuple[Workspace, str | None]:
    # IDs come from URLs: anything not shaped like an ID (including NUL bytes PostgreSQL rejects) is simply absent.
    if not looks_like_id(workspace_id, "wsp"):
        raise NotFound("Workspace not found", details={"id": workspace_id})
    row = session.execute(
        select(Workspace, WorkspaceMember.role)
        .outerjoin(
            WorkspaceMember,
            and_(WorkspaceMember.workspace_id == Workspace.id, WorkspaceMember.user_id == principal.user_id),
        )
        .where(Workspace.id == workspace_id)
    ).first()
    if row is None:
        raise NotFound("Workspace not found", details={"id": workspace_id})
    role = row[1]
    if role is not None and principal.token_base_ids is not None:
        # A token limited to some bases sees their workspace, but never acts on the workspace itself;
        # the user's other workspaces are outside the token's reach altogether.
        reaches = session.scalar(
            select(AppBase.id)
            .where(AppBase.workspace_id == workspace_id, AppBase.id.in_(principal.token_base_ids))
            .limit(1)
        )
        role = "viewer" if reaches is not None else None
    return row[0], role


def require_workspace(session: Session, *, principal: Principal, workspace_id: str, role: str) -> Workspace:
    workspace, actual = workspace_role(session, principal=principal, workspace_id=workspace_id)
    if actual is None and principal.token_base_ids is None:
        actual = _base_only_role(session, principal=principal, workspace_id=workspace_id)
    _check(principal, actual, role, "Workspace", workspace_id)
    return workspace


def _base_only_role(session: Session, *, principal: Principal, workspace_id: str) -> str | None:
    """Someone invited to a single base or table (not the workspace) can see the workspace's name only."""
    found = session.scalar(
        select(Grant.id).where(Grant.workspace_id == workspace_id, Grant.user_id == principal.user_id).limit(1)
    )
    return "viewer" if found is not None else None


def base_role(session: Session, *, principal: Principal, base_id: str) -> tuple[AppBase, str | None]:
    if not looks_like_id(base_id, "app"):
        raise NotFound("Base not found", details={"id": base_id})
    base_grant = aliased(Grant)
    row = session.execute(
        select(AppBase, WorkspaceMember.role, base_grant.role)
        .outerjoin(
            WorkspaceMember,
            and_(WorkspaceMember.workspace_id == AppBase.workspace_id, WorkspaceMember.user_id == principal.user_id),
        )
        .outerjoin(base_grant, and_(base_grant.scope_id == AppBase.id, base_grant.user_id == principal.user_id))
        .where(AppBase.id == base_id)
    ).first()
    if row is None or not principal.may_reach_base(base_id):
        raise NotFound("Base not found", details={"id": base_id})
    base, member_role, granted = row
    role = _most_specific(member_role, granted)
    if role is None:
        # A table grant alone makes the base visible (read-only) so the table can be reached.
        has_table_grant = session.scalar(
            select(Grant.id)
            .join(Table, Table.id == Grant.scope_id)
            .where(Grant.user_id == principal.user_id, Table.base_id == base_id)
            .limit(1)
        )
        role = "viewer" if has_table_grant is not None else None
    return base, role


def require_base(session: Session, *, principal: Principal, base_id: str, role: str) -> AppBase:
    base, actual = base_role(session, principal=principal, base_id=base_id)
    _check(principal, actual, role, "Base", base_id)
    return base


def table_role(
    session: Session, *, principal: Principal, table_id: str, include_deleted: bool = False
) -> tuple[Table, str, str | None]:
    """The table, its workspace ID and the caller's effective role there, in one query."""
    if not looks_like_id(table_id, "tbl"):
        raise NotFound("Table not found", details={"id": table_id})
    base_grant = aliased(Grant)
    table_grant = aliased(Grant)
    query = (
        select(Table, AppBase.workspace_id, WorkspaceMember.role, base_grant.role, table_grant.role)
        .join(AppBase, AppBase.id == Table.base_id)
        .outerjoin(
            WorkspaceMember,
            and_(WorkspaceMember.workspace_id == AppBase.workspace_id, WorkspaceMember.user_id == principal.user_id),
        )
        .outerjoin(base_grant, and_(base_grant.scope_id == AppBase.id, base_grant.user_id == principal.user_id))
        .outerjoin(table_grant, and_(table_grant.scope_id == Table.id, table_grant.user_id == principal.user_id))
        .where(Table.id == table_id)
    )
    if not include_deleted:
        query = query.where(Table.deleted_at.is_(None))
    row = session.execute(query).first()
    if row is None or not principal.may_reach_base(row[0].base_id):
        raise NotFound("Table not found", details={"id": table_id})
    table, workspace_id, member_role, base_granted, table_granted = row
    return table, workspace_id, _most_specific(member_role, base_granted, table_granted)


def require_table(
    session: Session, *, principal: Principal, table_id: str, role: str, include_deleted: bool = False
) -> Table:
    table, _, actual = table_role(session, principal=principal, table_id=table_id, include_deleted=include_deleted)
    _check(principal, actual, role, "Table", table_id)
    return table


def visible_role(session: Session, *, principal: Principal, table_id: str) -> str | None:
    """The caller's effective role on a table; None when the table is absent or hidden from the caller
    (callers answer both cases alike, so hidden tables are indistinguishable from missing ones)."""
    try:
        _, _, role = table_role(session, principal=principal, table_id=table_id)
    except NotFound:
        return None
    return principal.effective(role)


def table_reader(session: Session, principal: Principal) -> Callable[[str], bool]:
    """table_id -> whether the caller may read it, asked once per table (computed fields of a page
    reach a few linked tables, each asked many times)."""
    known: dict[str, bool] = {}

    def readable(table_id: str) -> bool:
        if table_id not in known:
            known[table_id] = visible_role(session, principal=principal, table_id=table_id) is not None
        return known[table_id]

    return readable


def _most_specific(*roles: str | None) -> str | None:
    """Roles ordered from least to most specific; the last one set wins."""
    chosen = None
    for role in roles:
        if role is not None:
            chosen = role
    return chosen


def outranks(role: str, other: str) -> bool:
    return RANK[role] > RANK[other]
