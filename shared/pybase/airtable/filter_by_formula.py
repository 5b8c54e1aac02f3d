"""filterByFormula -> a SQL condition over the records row `r`, or a bounded server-side scan.

Field names in the formula are resolved to IDs (IDs are accepted too), then the formula is compiled
by the same compiler formula fields use (pybase.links.computed), so a filter agrees with what a
formula field with that text would show. A record matches when the formula's value is truthy and
not an error, as in Airtable. A formula with no faithful SQL translation (arrays of lookups and
links, DATETIME_PARSE of a field, ...) is evaluated in Python by the same evaluator formula fields
use, over keyset batches of the table under a time budget (the records listing's scan, shared with
view filters: pybase.records.store.scan); only a scan that runs out of time is refused (422, saying so).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pybase.airtable.errors import AirtableError
from pybase.formulas import FormulaError, NotCompilable, parse, references, resolve_references
from pybase.formulas.nodes import walk

# A formula is bounded by what it costs to parse and compile, not by its length: pyairtable switches
# to POST .../listRecords exactly when a formula no longer fits a URL (16,000 characters), so long
# OR(RECORD_ID()=...) lists are ordinary. The length cap only stops text that is not worth parsing.
MAX_FORMULA_LENGTH = 256_000
MAX_FORMULA_NODES = 30_000


def _invalid(reason: str) -> AirtableError:
    return AirtableError(422, "INVALID_FILTER_BY_FORMULA", f"The formula for filtering records is invalid: {reason}")


@dataclass(frozen=True)
class ScanFilter:
    """A filter evaluated in Python: the stored formula, computed for each batch of rows as a formula
    field never saved would be (pybase.records.query.Deferred.formula, pybase.records.store.scan)."""

    stored: str
    field_ids: tuple[str, ...]
    reason: str  # why it does not run in the database (reported when the scan runs out of time)


@dataclass(frozen=True)
class FormulaFilter:
    sql: str | None = None
    scan: ScanFilter | None = None


def prepare_filter(text: str, fields: list[Any]) -> FormulaFilter | None:
    """The filter for `text` over the table's live `fields`: SQL when it compiles, else a scan;
    None for an empty formula."""
    if not text or not text.strip():
        return None
    if len(text) > MAX_FORMULA_LENGTH:
        raise _invalid("the formula is too long")
    from pybase.links.computed import compile_condition

    name_to_id = {f.name: f.id for f in fields}
    try:
        stored = resolve_references(text, name_to_id)
        tree = parse(stored)
    except FormulaError as exc:
        if exc.reason.startswith("Unknown field"):
            raise _invalid(f"Unknown field names: {exc.reason.split(' ', 2)[-1].strip('{}')}") from None
        raise _invalid(exc.message) from None
    if sum(1 for _ in walk(tree)) > MAX_FORMULA_NODES:
        raise _invalid(f"the formula has more than {MAX_FORMULA_NODES:,} terms")
    try:
        return FormulaFilter(sql=compile_condition(stored, {f.id: f for f in fields}))
    except NotCompilable as exc:
        return FormulaFilter(scan=ScanFilter(stored, tuple(sorted(references(tree))), str(exc)))


def compile_filter(text: str, fields: list[Any]) -> str | None:
    """SQL boolean for `text`; 422 when it only runs in Python (callers without a scan)."""
    prepared = prepare_filter(text, fields)
    if prepared is None:
        return None
    if prepared.scan is not None:
        raise _invalid(f"it cannot be evaluated in the database ({prepared.scan.reason})")
    return prepared.sql
