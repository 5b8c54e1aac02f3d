"""The table access rules live in pybase.access alone: other domains call its API
(require_table, table_access, base_tables, visible_role, table_reader), never its private helpers
nor their own copies of the grant joins."""

from __future__ import annotations

import re

from tests.lambda_events import ROOT

SHARED = ROOT / "shared" / "pybase"
ACCESS = SHARED / "access"
# Reading grants to decide a role (joins on grants or table-grant lookups) outside pybase.access.
COPIES = re.compile(r"JOIN grants|outerjoin\([^)]*Grant|aliased\(Grant")
PRIVATE = re.compile(r"from pybase\.access\.service import[^\n]*\b_\w+|access_service\._\w+|access\._check\b")


def test_no_domain_decides_table_roles_itself() -> None:
    offenders = []
    for path in sorted(SHARED.rglob("*.py")):
        if ACCESS in path.parents:
            continue
        text = path.read_text()
        for pattern in (COPIES, PRIVATE):
            offenders += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert offenders == []


def test_one_statement_serves_orm_and_raw_paths() -> None:
    # The raw-SQL write path of records is built from the access statement, not a copy of it.
    from pybase.access.service import LIVE_TABLE_ROLE_SQL
    from pybase.records import service as records

    assert LIVE_TABLE_ROLE_SQL in records._WRITE_CONTEXT and LIVE_TABLE_ROLE_SQL in records._WRITE_CONTEXT_WITH_RECORD
