"""Kanban: one stack per value of a single select (or user) field; records listed stack by stack."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field

from pybase.views.registry import (
    ATTACHMENT_TYPES,
    SELECT_TYPES,
    USER_TYPES,
    FieldLike,
    FieldRef,
    ViewConfig,
    ViewQuerySpec,
    ViewType,
    register,
)

STACKABLE = SELECT_TYPES | frozenset({"user", "collaborator"})


class KanbanConfig(ViewConfig):
    stack_field_id: str | None = Field(default=None, max_length=40)
    cover_field_id: str | None = Field(default=None, max_length=40)
    hide_empty_stacks: bool = False
    # Order of cards within stacks (drag to reorder): record IDs, ranked only among cards of the same
    # stack; records not listed follow in the listing's order. Records have no position of their own.
    card_order: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default_factory=list, max_length=10_000
    )


@register
class KanbanView(ViewType):
    name = "kanban"
    config_model = KanbanConfig
    required_on_create = ("stack_field_id",)

    def field_refs(self, config: ViewConfig) -> list[FieldRef]:
        assert isinstance(config, KanbanConfig)
        refs = super().field_refs(config)
        if config.stack_field_id is not None:
            refs.append(FieldRef(("stack_field_id",), config.stack_field_id, STACKABLE, "the stack field"))
        if config.cover_field_id is not None:
            refs.append(FieldRef(("cover_field_id",), config.cover_field_id, ATTACHMENT_TYPES, "the cover field"))
        return refs

    def typed_field_keys(self) -> dict[str, frozenset[str]]:
        return {"stack_field_id": STACKABLE, "cover_field_id": ATTACHMENT_TYPES}

    def query_spec(
        self, *, view_id: str, table_id: str, cfg: Mapping[str, Any], fields: Mapping[str, FieldLike]
    ) -> ViewQuerySpec:
        stack = cfg.get("stack_field_id")
        if stack:
            # The stack field is the first grouping key, so records arrive stack by stack.
            others = [g for g in cfg.get("group_by") or [] if g.get("field_id") != stack]
            cfg = {**cfg, "group_by": [{"field_id": stack, "direction": "asc"}, *others]}
        return super().query_spec(view_id=view_id, table_id=table_id, cfg=cfg, fields=fields)

    def layout(self, cfg: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "stack_field_id": cfg.get("stack_field_id"),
            "cover_field_id": cfg.get("cover_field_id"),
            "hide_empty_stacks": bool(cfg.get("hide_empty_stacks", False)),
        }


__all__ = ["STACKABLE", "USER_TYPES", "KanbanConfig", "KanbanView"]
