"""Formula errors: syntax/validation problems (FormulaError) and the SQL fallback signal (NotCompilable)."""

from __future__ import annotations

from dataclasses import dataclass

from pybase.errors import ValidationFailed


@dataclass(frozen=True)
class Position:
    """Where a problem is: 0-based character offset, 1-based line and column."""

    offset: int
    line: int
    column: int

    @classmethod
    def at(cls, source: str, offset: int) -> Position:
        offset = max(0, min(offset, len(source)))
        line = source.count("\n", 0, offset) + 1
        column = offset - (source.rfind("\n", 0, offset) + 1) + 1
        return cls(offset, line, column)

    def as_dict(self) -> dict[str, int]:
        return {"offset": self.offset, "line": self.line, "column": self.column}


class FormulaError(ValidationFailed):
    """A formula that cannot be accepted. Renders as a 422 with the position in `details`."""

    code = "invalid_formula"

    def __init__(self, message: str, position: Position | None = None) -> None:
        where = f" (line {position.line}, column {position.column})" if position else ""
        super().__init__(message + where, details={"position": position.as_dict() if position else None})
        self.reason = message
        self.position = position


class NotCompilable(Exception):
    """Raised by compile_sql when (part of) a formula has no faithful PostgreSQL translation."""
