"""filterByFormula -> a SQL condition over the records row `r`, through pybase.formulas.

Field names in the formula are resolved to IDs (IDs are accepted too), then the formula is compiled
by the same compiler formula fields use (pybase.links.computed), so a filter agrees with what a
formula field with that text would show. A record matches when the formula's value is truthy and
not an error, as in Airtable. Formulas with no faithful SQL translation are refused with a 422
rather than evaluated row by row in Python.
"""

from __future__ import annotations

from typing import Any

from pybase.airtable.errors import AirtableError
from pybase.formulas import FormulaError, NotCompilable, parse, resolve_references

MAX_FORMULA_LENGTH = 16_000


def _invalid(reason: str) -> AirtableError:
    return AirtableError(422, "INVALID_FILTER_BY_FORMULA", f"The formula for filtering records is invalid: {reason}")


def compile_filter(text: str, fields: list[Any]) -> str | None:
    """SQL boolean for `text` over the table's live `fields`; None for an empty formula."""
    if not text or not text.strip():
        return None
    if len(text) > MAX_FORMULA_LENGTH:
        raise _invalid("the formula is too long")
    from pybase.links.computed import compile_condition

    name_to_id = {f.name: f.id for f in fields}
    try:
        stored = resolve_references(text, name_to_id)
        parse(stored)
    except FormulaError as exc:
        if exc.reason.startswith("Unknown field"):
            raise _invalid(f"Unknown field names: {exc.reason.split(' ', 2)[-1].strip('{}')}") from None
        raise _invalid(exc.message) from None
    try:
        return compile_condition(stored, {f.id: f for f in fields})
    except NotCompilable as exc:
        raise _invalid(f"it cannot be evaluated in the database ({exc})") from None
