"""Pratt parser: source text -> syntax tree, with function names and arity checked against the registry."""

from __future__ import annotations

import math
from functools import lru_cache

from pybase.formulas import lexer as lx
from pybase.formulas.errors import FormulaError, Position
from pybase.formulas.nodes import Binary, Call, FieldRef, Literal, Node, Unary, walk

# Excel/Airtable precedence: comparison < & < + - < * / < unary minus.
_BINARY_POWER = {
    "=": 10,
    "!=": 10,
    "<": 10,
    "<=": 10,
    ">": 10,
    ">=": 10,
    "&": 20,
    "+": 30,
    "-": 30,
    "*": 40,
    "/": 40,
}
_PREFIX_POWER = 50
# Nesting (parentheses, function arguments, unary signs; a chain `a + b + c` is one level): the
# evaluator spends about 6 Python frames per level, so 100 levels stay well inside Python's limit.
MAX_DEPTH = 100


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = lx.tokenize(source)
        self.i = 0
        self.depth = 0

    def error(self, message: str, offset: int) -> FormulaError:
        return FormulaError(message, Position.at(self.source, offset))

    @property
    def tok(self) -> lx.Token:
        return self.tokens[self.i]

    def advance(self) -> lx.Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def describe(self, tok: lx.Token) -> str:
        return "end of formula" if tok.kind == lx.EOF else repr(self.source[tok.start : tok.end])

    def parse(self) -> Node:
        if self.tok.kind == lx.EOF:
            raise self.error("Formula is empty", 0)
        node = self.expression(0)
        if self.tok.kind != lx.EOF:
            raise self.error(f"Unexpected {self.describe(self.tok)} after a complete expression", self.tok.start)
        return node

    def expression(self, min_power: int) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"Formula is nested too deeply (at most {MAX_DEPTH} levels)", self.tok.start)
        left = self.prefix()
        while self.tok.kind == lx.OP and _BINARY_POWER[self.tok.value] > min_power:
            op = self.advance()
            right = self.expression(_BINARY_POWER[op.value])
            left = Binary(left.start, right.end, op.value, left, right)
        self.depth -= 1
        return left

    def prefix(self) -> Node:
        tok = self.advance()
        if tok.kind == lx.NUMBER:
            value = float(tok.value)
            if not math.isfinite(value):  # 1e400 would reach SQL as the bare word inf
                raise self.error(f"Number {tok.value[:40]} is out of range", tok.start)
            return Literal(tok.start, tok.end, value)
        if tok.kind == lx.STRING:
            return Literal(tok.start, tok.end, tok.value)
        if tok.kind == lx.FIELD:
            return FieldRef(tok.start, tok.end, tok.value, True)
        if tok.kind == lx.OP and tok.value in "+-":
            operand = self.expression(_PREFIX_POWER)
            return Unary(tok.start, operand.end, tok.value, operand)
        if tok.kind == lx.LPAREN:
            inner = self.expression(0)
            close = self.expect(lx.RPAREN, "')' to close '('", tok.start)
            # Keep the inner node but widen nothing: spans of parenthesised nodes stay the inner span.
            del close
            return inner
        if tok.kind == lx.IDENT:
            if self.tok.kind == lx.LPAREN:
                return self.call(tok)
            upper = tok.value.upper()
            if upper in ("TRUE", "FALSE"):
                return Literal(tok.start, tok.end, upper == "TRUE")
            # Airtable accepts single-word field names without braces.
            return FieldRef(tok.start, tok.end, tok.value, False)
        if tok.kind == lx.EOF:
            raise self.error("Unexpected end of formula: an expression is missing", tok.start)
        raise self.error(f"Unexpected {self.describe(tok)}", tok.start)

    def expect(self, kind: str, what: str, opened_at: int) -> lx.Token:
        if self.tok.kind != kind:
            raise self.error(
                f"Expected {what} (opened at offset {opened_at}), found {self.describe(self.tok)}", self.tok.start
            )
        return self.advance()

    def call(self, name_tok: lx.Token) -> Node:
        open_tok = self.advance()
        args: list[Node] = []
        if self.tok.kind == lx.RPAREN:
            close = self.advance()
        else:
            while True:
                if self.tok.kind in (lx.COMMA, lx.RPAREN):
                    raise self.error(f"Missing argument in {name_tok.value.upper()}()", self.tok.start)
                args.append(self.expression(0))
                if self.tok.kind == lx.COMMA:
                    self.advance()
                    continue
                close = self.expect(lx.RPAREN, f"',' or ')' in {name_tok.value.upper()}(", open_tok.start)
                break
        name = name_tok.value.upper()
        return Call(name_tok.start, close.end, name, _fold(name, args), name_tok.end)


def _fold(name: str, args: list[Node]) -> tuple[Node, ...]:
    """Arguments of an associative function with nested calls of itself spliced in (AND(AND(a, b), c) ->
    AND(a, b, c)); inner calls are already folded, so one level is enough. Empty inner calls stay, so
    their arity error is still reported."""
    from pybase.formulas.registry import get_function

    if not any(isinstance(a, Call) and a.name == name and a.args for a in args):
        return tuple(args)
    spec = get_function(name)
    if spec is None or not spec.associative:
        return tuple(args)
    out: list[Node] = []
    for arg in args:
        if isinstance(arg, Call) and arg.name == name and arg.args:
            out.extend(arg.args)
        else:
            out.append(arg)
    return tuple(out)


def parse(source: str, *, validate: bool = True) -> Node:
    """Parse formula text. Raises FormulaError (with position) on syntax errors, unknown functions, bad arity."""
    if not isinstance(source, str):
        raise FormulaError("Formula must be text")
    node = _Parser(source).parse()
    if validate:
        validate_calls(node, source)
    return node


@lru_cache(maxsize=2048)
def parse_cached(source: str) -> Node:
    """parse() with a cache: trees are immutable, so a stored formula is parsed once per process."""
    return parse(source)


def validate_calls(node: Node, source: str = "") -> None:
    from pybase.formulas.registry import get_function

    for item in walk(node):
        if not isinstance(item, Call):
            continue
        spec = get_function(item.name)
        if spec is None:
            raise FormulaError(f"Unknown function {item.name}()", Position.at(source, item.start))
        problem = spec.arity_problem(len(item.args))
        if problem:
            raise FormulaError(f"{item.name}() {problem}", Position.at(source, item.start))
        if spec.check is not None:
            spec.check(item, source)
