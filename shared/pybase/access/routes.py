"""Grant routes: /bases/{baseId}/grants (workspaces function) and /tables/{tableId}/grants (tables function).

Both scopes have the same three routes, so one builder makes them and the two cannot drift apart.
"""

from __future__ import annotations

from fastapi import APIRouter, Path, Response

from pybase.access import grants
from pybase.access.schemas import GrantIn, GrantOut
from pybase.api import COMMON, CurrentPrincipal, DbSession, UserId, errors


def _grant_router(scope_type: str, collection: str, id_param: str) -> APIRouter:
    router = APIRouter(tags=["grants"], responses=errors(*COMMON))
    path = f"/{collection}/{{{id_param}}}/grants"

    @router.get(path, response_model=list[GrantOut], name=f"list_{scope_type}_grants")
    def list_grants(
        *,
        scope_id: str = Path(alias=id_param, description=f"ID of the {scope_type}."),
        principal: CurrentPrincipal,
        session: DbSession,
    ) -> object:
        """Per-user role grants on this base or table, overriding the workspace role (admins only)."""
        return grants.list_grants(session, principal=principal, scope_type=scope_type, scope_id=scope_id)

    @router.put(path + "/{userId}", response_model=GrantOut, name=f"set_{scope_type}_grant")
    def set_grant(
        *,
        userId: UserId,
        body: GrantIn,
        scope_id: str = Path(alias=id_param, description=f"ID of the {scope_type}."),
        principal: CurrentPrincipal,
        session: DbSession,
    ) -> object:
        """Give a user a role on this base or table (creates or changes the grant; admins only)."""
        return grants.set_grant(
            session, principal=principal, scope_type=scope_type, scope_id=scope_id, user_id=userId, role=body.role
        )

    @router.delete(path + "/{userId}", status_code=204, name=f"remove_{scope_type}_grant")
    def remove_grant(
        *,
        userId: UserId,
        scope_id: str = Path(alias=id_param, description=f"ID of the {scope_type}."),
        principal: CurrentPrincipal,
        session: DbSession,
    ) -> Response:
        """Remove a user's grant on this base or table: the workspace role applies again."""
        grants.remove_grant(session, principal=principal, scope_type=scope_type, scope_id=scope_id, user_id=userId)
        return Response(status_code=204)

    return router


base_grants_router = _grant_router("base", "bases", "baseId")
table_grants_router = _grant_router("table", "tables", "tableId")
