"""Strict JSON for text clients send (bodies read by hand, filter/sort query parameters, cursors), and
JSON-safe copies of values that error bodies echo back.

Python's json module accepts NaN and Infinity, turns 1e400 into inf and raises RecursionError (not
ValueError) on deeply nested input; none of that is JSON a client may send, and each of those values
used to surface later as a 500 (a SQL literal `inf`, an error body that cannot be rendered).
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 200


class InvalidJSON(ValueError):
    """Text that is not strict JSON; a ValueError, so `except ValueError` around json.loads still holds."""


def _no_constant(name: str) -> Any:
    raise InvalidJSON(f"{name} is not a JSON value")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise InvalidJSON(f"the number {text[:40]} is out of range")
    return value


def _depth(value: Any) -> int:
    """Nesting depth without recursion (the parsed value may be a few hundred levels deep)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def loads(data: str | bytes | bytearray) -> Any:
    """json.loads that refuses NaN/Infinity, numbers beyond float range and nesting deeper than MAX_DEPTH."""
    try:
        value = json.loads(data, parse_constant=_no_constant, parse_float=_finite_float)
    except RecursionError:
        raise InvalidJSON("the JSON is nested too deeply") from None
    except UnicodeDecodeError as exc:
        raise InvalidJSON("the JSON is not valid UTF-8") from exc
    if _depth(value) > MAX_DEPTH:
        raise InvalidJSON(f"the JSON is nested deeper than {MAX_DEPTH} levels")
    return value


def safe(value: Any) -> Any:
    """A copy of `value` that renders as strict UTF-8 JSON: non-finite floats become strings, lone
    surrogates are replaced, keys become strings, anything else unknown becomes its str()."""

    def convert(item: Any, depth: int) -> Any:
        if depth > MAX_DEPTH:
            return "..."
        if item is None or isinstance(item, bool):
            return item
        if isinstance(item, int):
            # Python refuses to print integers of more than 4300 digits.
            return item if item.bit_length() < 14_000 else "<a very large integer>"
        if isinstance(item, float):
            return item if math.isfinite(item) else str(item)
        if isinstance(item, str):
            return item.encode("utf-8", "replace").decode("utf-8") if _has_surrogate(item) else item
        if isinstance(item, dict):
            return {str(convert(k, depth + 1)): convert(v, depth + 1) for k, v in item.items()}
        if isinstance(item, list | tuple | set | frozenset):
            return [convert(v, depth + 1) for v in item]
        return convert(str(item), depth + 1)

    return convert(value, 0)


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
