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

_STRING_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"'}


@dataclass(frozen=True)
class Token:
    kind: str
    value: str
    start: int
    end: int


# One pass with a master pattern; strings, field references and bad characters are handled by hand.
_MASTER = re.compile(
    r"(?P<ws>[ \t\r\n\u00a0]+)"
    r"|(?P<comment>/\*)"
    r"|(?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)"
    r"|(?P<ident>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op><=|>=|!=|<>|[-+*/&=<>])"
    r"|(?P<punct>[(),])"
)


def tokenize(source: str) -> list[Token]:
    tokens: list[Token] = []
    append = tokens.append
    i, n = 0, len(source)
    match = _MASTER.match
    while i < n:
        ch = source[i]
        if ch == "{":
            value, end = _read_field(source, i)
            append(Token(FIELD, value, i, end))
            i = end
            continue
        if ch == "'" or ch == '"':
            value, end = _read_string(source, i)
            append(Token(STRING, value, i, end))
            i = end
            continue
        m = match(source, i)
        if m is None:
            raise FormulaError(f"Unexpected character {ch!r}", Position.at(source, i))
        kind = m.lastgroup
        end = m.end()
        if kind == "ws":
            pass
        elif kind == "comment":  # block comments, as Airtable's editor allows
            close = source.find("*/", i + 2)
            if close < 0:
                raise FormulaError("Unterminated comment", Position.at(source, i))
            end = close + 2
        elif kind == "number":
            append(Token(NUMBER, m.group(), i, end))
        elif kind == "ident":
            append(Token(IDENT, m.group(), i, end))
        elif kind == "op":
            op = m.group()
            append(Token(OP, "!=" if op == "<>" else op, i, end))
        else:
            append(Token(ch, ch, i, end))
        i = end
    append(Token(EOF, "", n, n))
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
