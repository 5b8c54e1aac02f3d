"""Roles and the rank order that decides what each may do."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("viewer", "commenter", "editor", "admin", "owner")
RANK = {role: rank for rank, role in enumerate(ROLES)}
GRANTABLE_BELOW_WORKSPACE = ("viewer", "commenter", "editor", "admin")

# What an API token's scope lets it do at most, whatever its user's role. `read` writes nothing,
# not even comments (commenter is a write role).
TOKEN_SCOPE_CAP = {"read": "viewer", "write": "editor", "admin": "owner"}


def at_least(role: str | None, needed: str) -> bool:
    return role is not None and RANK[role] >= RANK[needed]


def cap(role: str, ceiling: str) -> str:
    return role if RANK[role] <= RANK[ceiling] else ceiling


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user, through a session JWT or one of their API tokens."""

    user_id: str
    token_id: str | None = None
    token_scope: str | None = None
    token_base_ids: frozenset[str] | None = None

    def effective(self, role: str | None) -> str | None:
        if role is None or self.token_scope is None:
            return role
        return cap(role, TOKEN_SCOPE_CAP[self.token_scope])

    def may_reach_base(self, base_id: str) -> bool:
        return self.token_base_ids is None or base_id in self.token_base_ids

    @property
    def read_only(self) -> bool:
        """A read-scope API token: it may look, never write (records, comments, presence)."""
        return self.token_scope == "read"
