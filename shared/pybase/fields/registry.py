"""The field type registry: one class per type, looked up by its name (e.g. "number", "dimension")."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from pybase.errors import ValidationFailed

if TYPE_CHECKING:
    from pybase.fields.types.base import FieldType

_REGISTRY: dict[str, FieldType] = {}
# Other spellings accepted for a type name (stored fields keep the spelling they were created with).
ALIASES = {"text": "single_line_text", "singleLineText": "single_line_text", "multilineText": "long_text"}
T = TypeVar("T", bound="type[FieldType]")


def register(cls: T) -> T:
    """Class decorator: registers one instance of the type under its `name`."""
    instance = cls()
    if instance.name in _REGISTRY:
        raise RuntimeError(f"field type {instance.name!r} registered twice")
    _REGISTRY[instance.name] = instance
    return cls


def _load() -> None:
    if not _REGISTRY:
        import pybase.fields.types  # noqa: F401  (each module registers its classes)


def get_field_type(name: str) -> FieldType:
    _load()
    try:
        return _REGISTRY[ALIASES.get(name, name)]
    except KeyError:
        raise ValidationFailed(
            f"Unknown field type {name!r}.", details={"type": name, "known": sorted(_REGISTRY)}
        ) from None


def field_type_names() -> list[str]:
    _load()
    return sorted(_REGISTRY)
