"""Request bodies of the fields API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class FieldCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    type: str
    options: dict[str, Any] = Field(default_factory=dict)
    description: str | None = Field(default=None, max_length=20_000)


class FieldUpdate(BaseModel):
    """Rename, change options, or change type (existing values are converted; see the report)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    type: str | None = None
    options: dict[str, Any] | None = None
    description: str | None = Field(default=None, max_length=20_000)


# --- answers (documented in OpenAPI; the routes build them as dicts) ----------------------------


class FieldOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str = Field(description="Field ID (`fld…`).")
    table_id: str
    name: str
    type: str = Field(description="A field type of `GET /field-types`.")
    options: dict[str, Any] = Field(description="The type's options (choices, precision, linked table, formula…).")
    description: str | None = None
    position: int
    read_only: bool = Field(description="Computed fields (formula, lookup, rollup…) cannot be written.")
    operators: list[str] = Field(description="The filter operators this field accepts.")
    conversion: dict[str, Any] | None = Field(
        None, description="After a type change: values converted, and those that could not be (cleared)."
    )
    dry_run: bool | None = Field(None, description="True when the change was only tried (`dry_run=true`).")


class FieldList(BaseModel):
    fields: list[FieldOut]


class FieldTypes(BaseModel):
    model_config = ConfigDict(extra="allow")

    types: list[str] = Field(description="Every field type's name.")
    details: list[dict[str, Any]] = Field(
        description="Per type: `name`, `read_only`, `convertible` (can change type) and its filter `operators`."
    )
    formula_operators: dict[str, list[str]] = Field(description="A formula's filter operators by its result kind.")
    formula_functions: list[dict[str, Any]] = Field(description="Formula functions: `name`, `min_args`, `max_args`.")
