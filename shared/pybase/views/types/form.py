"""Form: a titled set of fields to fill in, with required flags, labels and help text.

A form can be shared publicly: then anyone holding its share token may submit (see forms_routes.py).
The share token is managed here, never set by clients: made when a form becomes public, dropped when
it stops being public (so re-sharing gives a new link and old links stop working).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from pydantic import AnyHttpUrl, Field, field_validator

from pybase.views.registry import (
    READ_ONLY_TYPES,
    FieldLike,
    FieldRef,
    FormFieldSpec,
    ViewConfig,
    ViewType,
    register,
)


class FormConfig(ViewConfig):
    title: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    fields: list[FormFieldSpec] = Field(default_factory=list, max_length=500)
    public: bool = False
    share_token: str | None = Field(default=None, max_length=64)
    submit_message: str | None = Field(default=None, max_length=2000)
    redirect_url: AnyHttpUrl | None = None

    @field_validator("fields")
    @classmethod
    def _unique(cls, value: list[FormFieldSpec]) -> list[FormFieldSpec]:
        seen: set[str] = set()
        for item in value:
            if item.field_id in seen:
                raise ValueError(f"field {item.field_id} appears twice in the form")
            seen.add(item.field_id)
        return value


@register
class FormView(ViewType):
    name = "form"
    config_model = FormConfig

    def field_refs(self, config: ViewConfig) -> list[FieldRef]:
        assert isinstance(config, FormConfig)
        return [
            *super().field_refs(config),
            *(FieldRef(("fields", i, "field_id"), item.field_id) for i, item in enumerate(config.fields)),
        ]

    def check(self, config: ViewConfig, *, fields: Mapping[str, FieldLike]) -> list[dict[str, Any]]:
        assert isinstance(config, FormConfig)
        return [
            {
                "loc": ["config", "fields", str(i), "field_id"],
                "message": f"field {item.field_id} is computed ({fields[item.field_id].type}) and cannot be in a form",
            }
            for i, item in enumerate(config.fields)
            if item.field_id in fields and fields[item.field_id].type in READ_ONLY_TYPES
        ]

    def sanitize_extra(self, cfg: dict[str, Any], *, fields: Mapping[str, FieldLike]) -> dict[str, Any]:
        cfg["fields"] = [
            item
            for item in cfg.get("fields") or []
            if isinstance(item, dict)
            and item.get("field_id") in fields
            and fields[item["field_id"]].type not in READ_ONLY_TYPES
        ]
        return cfg

    def finalize(self, cfg: dict[str, Any], *, previous: Mapping[str, Any] | None) -> dict[str, Any]:
        previous_token = (previous or {}).get("share_token")
        if cfg.get("public"):
            cfg["share_token"] = previous_token or secrets.token_urlsafe(24)
        else:
            cfg["share_token"] = None
        return cfg

    def visible_fields(self, cfg: Mapping[str, Any], *, fields: Mapping[str, FieldLike]) -> list[str]:
        listed = [item["field_id"] for item in cfg.get("fields") or [] if item.get("field_id") in fields]
        return listed or super().visible_fields(cfg, fields=fields)

    def layout(self, cfg: Mapping[str, Any]) -> dict[str, Any]:
        return {"title": cfg.get("title"), "public": bool(cfg.get("public"))}
