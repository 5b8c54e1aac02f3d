"""Who may do what. Every service function that reads or writes a workspace object goes through here.

The effective role on a table is the most specific grant: a table grant, else a base grant, else the
workspace membership. Objects the caller cannot see at all raise NotFound (never Forbidden), so IDs of
other workspaces leak nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, bindparam, select
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg as psycopg_dialect
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
        select(Grant.scope_id).where(Grant.workspace_id == workspace_id, Grant.user_id == principal.user_id).limit(1)
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
            select(Grant.scope_id)
            .join(Table, Table.id == Grant.scope_id)
            .where(Grant.user_id == principal.user_id, Table.base_id == base_id)
            .limit(1)
        )
        role = "viewer" if has_table_grant is not None else None
    return base, role


def workspace_bases(session: Session, *, principal: Principal, workspace_id: str) -> list[tuple[AppBase, str | None]]:
    """Every base of a workspace (oldest first) with the caller's effective role there, None where they
    cannot reach it; the same precedence as base_role. The caller checks the workspace."""
    member_role = session.scalar(
        select(WorkspaceMember.role).where(
            WorkspaceMember.workspace_id == workspace_id, WorkspaceMember.user_id == principal.user_id
        )
    )
    base_grant = aliased(Grant)
    rows = session.execute(
        select(AppBase, base_grant.role)
        .outerjoin(base_grant, and_(base_grant.scope_id == AppBase.id, base_grant.user_id == principal.user_id))
        .where(AppBase.workspace_id == workspace_id)
        .order_by(AppBase.created_at, AppBase.id)
    ).all()
    via_table_grant = set(
        session.scalars(
            select(Table.base_id)
            .join(Grant, Grant.scope_id == Table.id)
            .join(AppBase, AppBase.id == Table.base_id)
            .where(Grant.user_id == principal.user_id, AppBase.workspace_id == workspace_id)
        )
    )
    result: list[tuple[AppBase, str | None]] = []
    for base, granted in rows:
        role = None
        if principal.may_reach_base(base.id):
            # Base grant, else membership, else a table grant (read-only, to reach that table).
            role = principal.effective(
                _most_specific(member_role, granted) or ("viewer" if base.id in via_table_grant else None)
            )
        result.append((base, role))
    return result


def require_base(session: Session, *, principal: Principal, base_id: str, role: str) -> AppBase:
    base, actual = base_role(session, principal=principal, base_id=base_id)
    _check(principal, actual, role, "Base", base_id)
    return base


def _table_role_select(*columns: Any) -> Any:
    """The one statement behind every table access decision: `columns` of the table, its workspace ID
    and the caller's roles from least to most specific (workspace member, base grant, table grant),
    with the bind parameter user_id; callers add which tables. Built once per shape (building an ORM
    statement per request cost more than running it on the records hot paths)."""
    base_grant = aliased(Grant, name="bg")
    table_grant = aliased(Grant, name="tg")
    user = bindparam("user_id")
    return (
        select(
            *columns,
            AppBase.workspace_id,
            WorkspaceMember.role.label("member_role"),
            base_grant.role.label("base_role"),
            table_grant.role.label("table_role"),
        )
        .join(AppBase, AppBase.id == Table.base_id)
        .outerjoin(
            WorkspaceMember, and_(WorkspaceMember.workspace_id == AppBase.workspace_id, WorkspaceMember.user_id == user)
        )
        .outerjoin(base_grant, and_(base_grant.scope_id == AppBase.id, base_grant.user_id == user))
        .outerjoin(table_grant, and_(table_grant.scope_id == Table.id, table_grant.user_id == user))
    )


_TABLE_ROLE = _table_role_select(Table).where(Table.id == bindparam("table_id"))
_LIVE_TABLE_ROLE = _TABLE_ROLE.where(Table.deleted_at.is_(None))
_BASE_TABLES = (
    _table_role_select(Table)
    .where(Table.base_id == bindparam("base_id"))
    .order_by(Table.position, Table.created_at, Table.id)
)
# The same statement as SQL text for callers on a raw psycopg connection that add their own columns
# to this round trip (the records write path adds the fields and one record): columns id, base_id,
# name, primary_field_id, workspace_id, member_role, base_role, table_role; live tables only.
LIVE_TABLE_ROLE_SQL = str(
    _table_role_select(Table.id, Table.base_id, Table.name, Table.primary_field_id)
    .where(Table.id == bindparam("table_id"), Table.deleted_at.is_(None))
    .compile(dialect=psycopg_dialect())
)


@dataclass(frozen=True, slots=True)
class TableAccess:
    """A table and what the caller may do there."""

    table: Any  # the Table row, or a plain copy of its columns on a raw-SQL path
    workspace_id: str
    # The effective role (an API token's scope applied); None when the caller cannot see the table.
    role: str | None
    # Access from the workspace or a base grant: every table of the base is readable then (links stay
    # within a base), so no linked table needs checking.
    base_wide: bool


def decide_table(
    principal: Principal,
    *,
    table: Any,
    workspace_id: str,
    roles: Sequence[str | None],
    need: str | None,
    what: str = "Table",
    object_id: str | None = None,
) -> TableAccess:
    """The rule itself, for a row of the statement above: the most specific grant wins, then the
    token's scope caps it. A table outside a token's bases is absent; with `need`, a caller who cannot
    see it gets NotFound and one whose role is below `need` Forbidden."""
    object_id = object_id or table.id
    if not principal.may_reach_base(table.base_id):
        raise NotFound(f"{what} not found", details={"id": object_id})
    role = principal.effective(_most_specific(*roles))
    if need is not None:
        _check(principal, role, need, what, object_id)
    return TableAccess(table, workspace_id, role, base_wide=roles[0] is not None or roles[1] is not None)


def table_access(
    session: Session, *, principal: Principal, table_id: str, include_deleted: bool = False
) -> TableAccess:
    """The table and the caller's effective role there (None: cannot see it), in one query; NotFound
    when the table does not exist (or is in the trash, unless `include_deleted`) or is outside the
    token's bases."""
    return require_table(session, principal=principal, table_id=table_id, need=None, include_deleted=include_deleted)


def require_table(
    session: Session,
    *,
    principal: Principal,
    table_id: str,
    need: str | None,
    include_deleted: bool = False,
    what: str = "Table",
    object_id: str | None = None,
) -> TableAccess:
    """The table and the caller's access, checked against `need` (see decide_table). `what` and
    `object_id` name the object the caller asked for in errors (a view, a job), so a hidden table's
    ID never shows."""
    object_id = object_id or table_id
    # IDs come from URLs: anything not shaped like an ID (including NUL bytes PostgreSQL rejects) is simply absent.
    if not looks_like_id(table_id, "tbl"):
        raise NotFound(f"{what} not found", details={"id": object_id})
    statement = _TABLE_ROLE if include_deleted else _LIVE_TABLE_ROLE
    row = session.execute(statement, {"table_id": table_id, "user_id": principal.user_id}).first()
    if row is None:
        raise NotFound(f"{what} not found", details={"id": object_id})
    table, workspace_id, *roles = row
    return decide_table(
        principal, table=table, workspace_id=workspace_id, roles=roles, need=need, what=what, object_id=object_id
    )


def base_tables(
    session: Session, *, principal: Principal, base_id: str, include_deleted: bool = False
) -> list[TableAccess]:
    """Every table of a base (in display order; in the trash too with `include_deleted`) with the
    caller's access to each, role None where they cannot see it. The caller checks the base."""
    query = _BASE_TABLES if include_deleted else _BASE_TABLES.where(Table.deleted_at.is_(None))
    result = []
    for table, workspace_id, *roles in session.execute(query, {"base_id": base_id, "user_id": principal.user_id}):
        role = principal.effective(_most_specific(*roles)) if principal.may_reach_base(base_id) else None
        result.append(TableAccess(table, workspace_id, role, base_wide=roles[0] is not None or roles[1] is not None))
    return result


def visible_role(session: Session, *, principal: Principal, table_id: str) -> str | None:
    """The caller's effective role on a table; None when the table is absent or hidden from the caller
    (callers answer both cases alike, so hidden tables are indistinguishable from missing ones)."""
    try:
        return table_access(session, principal=principal, table_id=table_id).role
    except NotFound:
        return None


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
