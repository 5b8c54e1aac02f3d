"""Array functions (Python only): ARRAYJOIN, ARRAYUNIQUE, ARRAYCOMPACT, ARRAYFLATTEN, ARRAYSLICE."""

from __future__ import annotations

from typing import Any

from pybase.formulas.registry import register
from pybase.formulas.values import flatten, is_blank, to_number, to_text


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


@register("ARRAYJOIN", 1, 2)
def arrayjoin(ev: Any, value: Any, *separator: Any) -> str:
    """ARRAYJOIN(array, [separator=", "])"""
    sep = to_text(separator[0]) if separator else ", "
    return sep.join(to_text(item) for item in flatten(_items(value)))


@register("ARRAYUNIQUE", 1, 1, result_type="array")
def arrayunique(ev: Any, value: Any) -> list[Any]:
    """ARRAYUNIQUE(array): items without repeats, first occurrence kept."""
    seen: list[Any] = []
    for item in flatten(_items(value)):
        if item not in seen:
            seen.append(item)
    return seen


@register("ARRAYCOMPACT", 1, 1, result_type="array")
def arraycompact(ev: Any, value: Any) -> list[Any]:
    """ARRAYCOMPACT(array): items without blanks (empty text included)."""
    return [item for item in flatten(_items(value)) if not is_blank(item)]


@register("ARRAYFLATTEN", 1, 1, result_type="array")
def arrayflatten(ev: Any, value: Any) -> list[Any]:
    """ARRAYFLATTEN(array): nested arrays made flat."""
    return flatten(_items(value))


@register("ARRAYSLICE", 2, 3, result_type="array")
def arrayslice(ev: Any, value: Any, start: Any, *end: Any) -> list[Any]:
    """ARRAYSLICE(array, start, [end]): items start..end, both included, counted from 1; negative
    positions count from the end (-1 is the last item)."""
    items = flatten(_items(value))
    size = len(items)

    def position(raw: Any) -> int:
        index = int(to_number(raw))
        return index - 1 if index > 0 else size + index if index < 0 else 0

    first = max(position(start), 0)
    last = position(end[0]) if end else size - 1
    return items[first : last + 1] if last >= 0 else []
