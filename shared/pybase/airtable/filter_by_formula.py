"""filterByFormula -> a SQL condition over the records row `r`, or a bounded server-side scan.

Field names in the formula are resolved to IDs (IDs are accepted too), then the formula is compiled
by the same compiler formula fields use (pybase.links.computed), so a filter agrees with what a
formula field with that text would show. A record matches when the formula's value is truthy and
not an error, as in Airtable. A formula with no faithful SQL translation (arrays of lookups and
links, DATETIME_PARSE of a field, ...) is evaluated in Python by the same evaluator formula fields
use, over keyset batches of the table under a time budget; only a scan that runs out of time is
refused (422, saying so).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
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
SCAN_BATCH = 500
# Well under API Gateway's 29 s integration timeout, leaving room for the page's own work.
SCAN_BUDGET_SECONDS = 10.0
_FILTER_FIELD_ID = "fldFilterByFormula0"


def _invalid(reason: str) -> AirtableError:
    return AirtableError(422, "INVALID_FILTER_BY_FORMULA", f"The formula for filtering records is invalid: {reason}")


@dataclass(frozen=True)
class ScanFilter:
    """A filter evaluated in Python: a formula field, never stored, computed for each batch of rows."""

    stored: str
    field_ids: tuple[str, ...]
    reason: str  # why it does not run in the database (reported when the scan runs out of time)

    def matches(self, session: Any, fields: Sequence[Any], rows: list[Any]) -> list[bool]:
        from pybase.links.computed import FieldSnap, attach

        table_id = fields[0].table_id if fields else None
        options = {"formula": self.stored, "referenced_field_ids": list(self.field_ids)}
        probe = FieldSnap.of(_FILTER_FIELD_ID, _FILTER_FIELD_ID, "formula", options, table_id)
        attach(session, table_fields=list(fields), rows=rows, wanted=[probe])
        return [_api_truthy(row.computed.pop(_FILTER_FIELD_ID, None)) for row in rows]


def _api_truthy(value: Any) -> bool:
    """Truthiness of a formula result in its API form (errors are dicts and never match)."""
    if value is None or isinstance(value, dict):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0 and value == value  # NaN is false
    if isinstance(value, str | list):
        return len(value) > 0
    return True


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


def scan(
    session: Any,
    check: ScanFilter,
    fields: Sequence[Any],
    *,
    fetch: Callable[[Any, int], list[Any]],
    next_cursor: Callable[[Any], Any],
    make_row: Callable[[Any], Any],
    cursor: Any,
    want: int,
    budget: float | None = None,
) -> list[Any]:
    """Up to `want` fetched rows (in the listing's order, from `cursor`) that match `check`.

    `fetch(cursor, n)` reads the next n rows of the listing, `next_cursor(raw)` is the keyset
    position after a fetched row, `make_row(raw)` the row the field types read."""
    budget = SCAN_BUDGET_SECONDS if budget is None else budget
    deadline = time.monotonic() + budget
    matched: list[Any] = []
    while len(matched) < want:
        if time.monotonic() > deadline:
            raise _invalid(
                f"it cannot be evaluated in the database ({check.reason}), and evaluating it record by record "
                f"took longer than {budget:g} s; narrow it with a condition that runs in the database or a view"
            )
        batch = fetch(cursor, SCAN_BATCH)
        if not batch:
            break
        rows = [make_row(raw) for raw in batch]
        for raw, ok in zip(batch, check.matches(session, fields, rows), strict=True):
            if ok:
                matched.append(raw)
        if len(batch) < SCAN_BATCH:
            break
        cursor = next_cursor(batch[-1])
    return matched[:want]
