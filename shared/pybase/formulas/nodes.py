"""Formula syntax tree. Every node keeps its source span so errors and rewrites can point at it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Node:
    start: int
    end: int


@dataclass(frozen=True)
class Literal(Node):
    value: Any  # float, str or bool


@dataclass(frozen=True)
class FieldRef(Node):
    name: str  # a field name as typed, or a field ID once resolved
    braced: bool = True


@dataclass(frozen=True)
class Unary(Node):
    op: str  # "-" or "+"
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str  # + - * / & = != < <= > >=  ("<>" is normalised to "!=")
    left: Node
    right: Node


@dataclass(frozen=True)
class Call(Node):
    name: str  # upper-cased function name
    args: tuple[Node, ...]
    name_end: int = 0


def walk(node: Node):
    """Yield every node of the tree, parents first."""
    yield node
    if isinstance(node, Unary):
        yield from walk(node.operand)
    elif isinstance(node, Binary):
        yield from walk(node.left)
        yield from walk(node.right)
    elif isinstance(node, Call):
        for arg in node.args:
            yield from walk(arg)
