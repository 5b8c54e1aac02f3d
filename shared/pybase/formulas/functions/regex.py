"""REGEX_MATCH, REGEX_EXTRACT, REGEX_REPLACE.

Patterns follow Python's `re` (close to RE2 for the common subset). They compile to PostgreSQL only when
the pattern is a literal that means the same in PostgreSQL's ARE dialect (no \\b, named groups,
lookbehind, and for EXTRACT/REPLACE no alternation or lazy quantifiers, whose match choice differs)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from pybase.formulas.errors import FormulaError, NotCompilable, Position
from pybase.formulas.nodes import Call
from pybase.formulas.registry import register
from pybase.formulas.sql import SqlCompiler, SqlValue, any_err, as_text, literal_text
from pybase.formulas.values import Fail, to_text

_SAFE_ESCAPES = set("dDsSwWtnr") | set(r".\()[]{}*+?|^$/-")
_GROUP_REF = re.compile(r"\$(\d|&|\$)")


def _check_pattern(call: Call, source: str) -> None:
    pattern = literal_text(call.args[1])
    if pattern is not None:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise FormulaError(
                f"{call.name}(): invalid regular expression: {exc}", Position.at(source, call.args[1].start)
            ) from None


def _pg_pattern(nodes: Sequence[Any], strict: bool) -> str:
    pattern = literal_text(nodes[1])
    if pattern is None:
        raise NotCompilable("a regular expression that is not a text literal")
    try:
        re.compile(pattern)
    except re.error as exc:
        raise NotCompilable("invalid regular expression") from exc
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            if i + 1 >= len(pattern) or pattern[i + 1] not in _SAFE_ESCAPES:
                raise NotCompilable("regex escape without an identical PostgreSQL meaning")
            i += 2
            continue
        if ch == "(" and pattern.startswith("(?", i) and not pattern.startswith(("(?:", "(?=", "(?!"), i):
            raise NotCompilable("regex group syntax without an identical PostgreSQL meaning")
        if strict and (ch == "|" or (ch in "*+?}" and pattern.startswith("?", i + 1))):
            raise NotCompilable("alternation / lazy quantifiers choose matches differently in PostgreSQL")
        i += 1
    return pattern


def _match(text: Any, pattern: Any) -> re.Match[str] | None:
    try:
        return re.search(to_text(pattern), to_text(text))
    except re.error as exc:
        raise Fail(f"invalid regular expression: {exc}") from exc


@register(
    "REGEX_MATCH",
    2,
    2,
    result_type="boolean",
    check=_check_pattern,
    sql=lambda c, a, n: SqlValue(
        as_text(a[0]).expr.op("~", is_comparison=True)(_pg_pattern(n, False)), "boolean", a[0].err
    ),
)
def regex_match(ev: Any, text: Any, pattern: Any) -> bool:
    """REGEX_MATCH(text, regex): whether the text contains a match."""
    return _match(text, pattern) is not None


def _extract_sql(c: SqlCompiler, args: Sequence[SqlValue], nodes: Sequence[Any]) -> SqlValue:
    pattern = _pg_pattern(nodes, True)
    if re.search(r"\\\d", pattern):
        raise NotCompilable("back-references")
    s = as_text(args[0])
    # The outer group makes substring() return the whole match even when the pattern has groups.
    expr = sa.func.substring(s.expr, "(" + pattern + ")")
    return SqlValue(expr, "text", s.err)


@register("REGEX_EXTRACT", 2, 2, check=_check_pattern, sql=_extract_sql)
def regex_extract(ev: Any, text: Any, pattern: Any) -> str | None:
    """REGEX_EXTRACT(text, regex): the first match, blank when none."""
    m = _match(text, pattern)
    return None if m is None else m.group(0)


def _replacement_parts(replacement: str) -> list[str | int]:
    """Literal pieces and group numbers: $1..$9 and $& (whole match); $$ is a literal dollar."""
    parts: list[str | int] = []
    pos = 0
    for m in _GROUP_REF.finditer(replacement):
        parts.append(replacement[pos : m.start()])
        token = m.group(1)
        parts.append("$" if token == "$" else (0 if token == "&" else int(token)))
        pos = m.end()
    parts.append(replacement[pos:])
    return [p for p in parts if p != ""]


def _replace_sql(c: SqlCompiler, args: Sequence[SqlValue], nodes: Sequence[Any]) -> SqlValue:
    pattern = _pg_pattern(nodes, True)
    replacement = literal_text(nodes[2])
    if replacement is None:
        raise NotCompilable("a replacement that is not a text literal")
    groups = re.compile(pattern).groups
    pg = []
    for part in _replacement_parts(replacement):
        if isinstance(part, int):
            if part > groups:
                raise NotCompilable("reference to a missing group")
            pg.append("\\&" if part == 0 else f"\\{part}")
        else:
            pg.append(part.replace("\\", "\\\\"))
    s = as_text(args[0])
    expr = sa.func.regexp_replace(s.expr, pattern, "".join(pg), "g")
    return SqlValue(expr, "text", any_err(s.err, args[2].err))


@register("REGEX_REPLACE", 3, 3, check=_check_pattern, sql=_replace_sql)
def regex_replace(ev: Any, text: Any, pattern: Any, replacement: Any) -> str:
    """REGEX_REPLACE(text, regex, replacement): replaces every match; $1..$9 and $& refer to groups."""
    try:
        compiled = re.compile(to_text(pattern))
    except re.error as exc:
        raise Fail(f"invalid regular expression: {exc}") from exc
    parts = _replacement_parts(to_text(replacement))
    for part in parts:
        if isinstance(part, int) and part > compiled.groups:
            raise Fail(f"no group {part} in the regular expression")

    def build(m: re.Match[str]) -> str:
        return "".join(p if isinstance(p, str) else (m.group(p) or "") for p in parts)

    return compiled.sub(build, to_text(text))
