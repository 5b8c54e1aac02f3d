"""Importing this package registers every field type."""

from pybase.fields.types import dates, engineering, numeric, select, system, text

__all__ = ["dates", "engineering", "numeric", "select", "system", "text"]
