"""Gallery: cards, optionally with a cover image taken from an attachment field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import Field

from pybase.views.registry import ATTACHMENT_TYPES, FieldRef, ViewConfig, ViewType, register


class GalleryConfig(ViewConfig):
    cover_field_id: str | None = Field(default=None, max_length=40)
    cover_fit: Literal["crop", "fit"] = "crop"


@register
class GalleryView(ViewType):
    name = "gallery"
    config_model = GalleryConfig

    def field_refs(self, config: ViewConfig) -> list[FieldRef]:
        assert isinstance(config, GalleryConfig)
        refs = super().field_refs(config)
        if config.cover_field_id is not None:
            refs.append(FieldRef(("cover_field_id",), config.cover_field_id, ATTACHMENT_TYPES, "the cover field"))
        return refs

    def typed_field_keys(self) -> dict[str, frozenset[str]]:
        return {"cover_field_id": ATTACHMENT_TYPES}

    def layout(self, cfg: Mapping[str, Any]) -> dict[str, Any]:
        return {"cover_field_id": cfg.get("cover_field_id"), "cover_fit": cfg.get("cover_fit", "crop")}
