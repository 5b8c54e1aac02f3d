"""Importing this package registers every view type."""

from pybase.views.types import calendar, form, gallery, grid, kanban

__all__ = ["calendar", "form", "gallery", "grid", "kanban"]
