"""Calendar: records placed on a date field (optionally spanning to an end date field)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from pybase.views.registry import (
    DATE_TYPES,
    FieldLike,
    FieldRef,
    ViewConfig,
    ViewQuerySpec,
    ViewType,
    register,
)


class CalendarConfig(ViewConfig):
    date_field_id: str | None = Field(default=None, max_length=40)
    end_date_field_id: str | None = Field(default=None, max_length=40)


@register
class CalendarView(ViewType):
    name = "calendar"
    config_model = CalendarConfig
    required_on_create = ("date_field_id",)

    def field_refs(self, config: ViewConfig) -> list[FieldRef]:
        assert isinstance(config, CalendarConfig)
        refs = super().field_refs(config)
        if config.date_field_id is not None:
            refs.append(FieldRef(("date_field_id",), config.date_field_id, DATE_TYPES, "the date field"))
        if config.end_date_field_id is not None:
            refs.append(FieldRef(("end_date_field_id",), config.end_date_field_id, DATE_TYPES, "the end date field"))
        return refs

    def check(self, config: ViewConfig, *, fields: Mapping[str, FieldLike]) -> list[dict[str, Any]]:
        assert isinstance(config, CalendarConfig)
        if config.end_date_field_id is not None and config.end_date_field_id == config.date_field_id:
            return [{"loc": ["config", "end_date_field_id"], "message": "the end date field must differ"}]
        if config.end_date_field_id is not None and config.date_field_id is None:
            return [{"loc": ["config", "date_field_id"], "message": "an end date needs a start date field"}]
        return []

    def typed_field_keys(self) -> dict[str, frozenset[str]]:
        return {"date_field_id": DATE_TYPES, "end_date_field_id": DATE_TYPES}

    def query_spec(
        self, *, view_id: str, table_id: str, cfg: Mapping[str, Any], fields: Mapping[str, FieldLike]
    ) -> ViewQuerySpec:
        spec = super().query_spec(view_id=view_id, table_id=table_id, cfg=cfg, fields=fields)
        date_field = cfg.get("date_field_id")
        if date_field:
            # Records without a date have no place on a calendar; chronological unless sorted otherwise.
            spec.extra_filters.append({"field": date_field, "op": "is_not_empty"})
            if not spec.sorts:
                spec.sorts = [{"field": date_field, "field_id": date_field, "direction": "asc"}]
        return spec

    def layout(self, cfg: Mapping[str, Any]) -> dict[str, Any]:
        return {"date_field_id": cfg.get("date_field_id"), "end_date_field_id": cfg.get("end_date_field_id")}
