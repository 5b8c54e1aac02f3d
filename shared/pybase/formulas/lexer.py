"""Tokenizer for the Airtable-compatible formula language."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pybase.formulas.errors import FormulaError, Position

NUMBER = "number"
STRING = "string"
FIELD = "field"
IDENT = "ident"
OP = "op"
LPAREN = "("
RPAREN = ")"
COMMA = ","
EOF = "eof"

_NUMBER_RE = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Longest operators first so "<=" wins over "<".
_OPERATORS = ("<=", ">=", "!=", "<>", "+", "-", "*", "/", "&", "=", "<", ">")
_STRING_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"'}
_WHITESPACE = " \t\r\n\u00a0"


@dataclass(frozen=True)
class Token:
    kind: str
    value: str
    start: int
    end: int


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch in _WHITESPACE:
            i += 1
            continue
        if source.startswith("/*", i):  # block comments, as Airtable's editor allows
            close = source.find("*/", i + 2)
            if close < 0:
                raise FormulaError("Unterminated comment", Position.at(source, i))
            i = close + 2
            continue
        if ch == "{":
            value, end = _read_field(source, i)
            tokens.append(Token(FIELD, value, i, end))
            i = end
            continue
        if ch in "'\"":
            value, end = _read_string(source, i)
            tokens.append(Token(STRING, value, i, end))
            i = end
            continue
        if ch.isdigit() or (ch == "." and i + 1 < n and source[i + 1].isdigit()):
            m = _NUMBER_RE.match(source, i)
            assert m is not None
            tokens.append(Token(NUMBER, m.group(), i, m.end()))
            i = m.end()
            continue
        m = _IDENT_RE.match(source, i)
        if m:
            tokens.append(Token(IDENT, m.group(), i, m.end()))
            i = m.end()
            continue
        if ch in "(),":
            tokens.append(Token(ch, ch, i, i + 1))
            i += 1
            continue
        for op in _OPERATORS:
            if source.startswith(op, i):
                tokens.append(Token(OP, "!=" if op == "<>" else op, i, i + len(op)))
                i += len(op)
                break
        else:
            raise FormulaError(f"Unexpected character {ch!r}", Position.at(source, i))
    tokens.append(Token(EOF, "", n, n))
    return tokens


def _read_field(source: str, start: int) -> tuple[str, int]:
    """`{Name}`; a backslash escapes the next character so `\\}` and `\\\\` can appear in names."""
    out: list[str] = []
    i = start + 1
    while i < len(source):
        ch = source[i]
        if ch == "\\" and i + 1 < len(source):
            out.append(source[i + 1])
            i += 2
            continue
        if ch == "}":
            name = "".join(out)
            if not name.strip():
                raise FormulaError("Empty field reference {}", Position.at(source, start))
            return name, i + 1
        out.append(ch)
        i += 1
    raise FormulaError("Unterminated field reference: missing '}'", Position.at(source, start))


def _read_string(source: str, start: int) -> tuple[str, int]:
    quote = source[start]
    out: list[str] = []
    i = start + 1
    while i < len(source):
        ch = source[i]
        if ch == "\\" and i + 1 < len(source):
            nxt = source[i + 1]
            out.append(_STRING_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
            continue
        if ch == quote:
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    raise FormulaError(f"Unterminated string: missing closing {quote}", Position.at(source, start))


def quote_field(name: str) -> str:
    """The `{...}` reference text for a field name or ID (escaping backslashes and closing braces)."""
    return "{" + name.replace("\\", "\\\\").replace("}", "\\}") + "}"
