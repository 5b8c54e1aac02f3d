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


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Call):
        return node.args
    return ()


def walk(node: Node):
    """Yield every node of the tree, parents first, left to right. Iterative: a chain of thousands of
    `+` terms is a tree thousands of levels deep, and recursion would hit Python's limit."""
    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        stack.extend(reversed(children(item)))


def left_chain(node: Binary) -> tuple[Node, list[Binary]]:
    """A left-deep chain `a op b op c ...` as (its leftmost operand, the Binary nodes innermost first),
    so evaluators can fold it in a loop instead of recursing once per operator."""
    spine: list[Binary] = []
    current: Node = node
    while isinstance(current, Binary):
        spine.append(current)
        current = current.left
    spine.reverse()
    return current, spine
