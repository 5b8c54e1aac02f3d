"""Importing this package registers every field type."""

from pybase.fields.types import dates, engineering, formula, numeric, relational, select, system, text

__all__ = ["dates", "engineering", "formula", "numeric", "relational", "select", "system", "text"]
