"""The field type registry: one class per type, looked up by its name (e.g. "number", "dimension")."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from pybase.errors import ValidationFailed
from pybase.registry import Registry, UnknownName

if TYPE_CHECKING:
    from pybase.fields.types.base import FieldType

# Each module of pybase.fields.types registers its classes when imported.
FIELD_TYPES: Registry[FieldType] = Registry("field type", load="pybase.fields.types")
# Other spellings accepted for a type name (stored fields keep the spelling they were created with).
ALIASES = {"text": "single_line_text", "singleLineText": "single_line_text", "multilineText": "long_text"}
T = TypeVar("T", bound="type[FieldType]")


def register(cls: T) -> T:
    """Class decorator: registers one instance of the type under its `name`."""
    instance = cls()
    FIELD_TYPES.add(instance.name, instance)
    return cls


def get_field_type(name: str) -> FieldType:
    try:
        return FIELD_TYPES.get(ALIASES.get(name, name))
    except UnknownName as e:
        raise ValidationFailed(f"Unknown field type {name!r}.", details={"type": name, "known": e.known}) from None


def field_type_names() -> list[str]:
    return FIELD_TYPES.names()
