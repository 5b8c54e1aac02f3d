"""Grid: rows and columns; the saved filters, sorts, groups, hidden fields and widths apply as they are."""

from __future__ import annotations

from pybase.views.registry import ViewType, register


@register
class GridView(ViewType):
    name = "grid"
