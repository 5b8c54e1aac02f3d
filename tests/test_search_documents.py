"""Documents built by PostgreSQL (a reindex, the change-log path) equal the ones built in Python
(values of other types, records with drawings): the same fields, the same weighted tsvector, the
same words for typo correction; records of both kinds in one table."""

from __future__ import annotations

from typing import Any

import pytest

from pybase.db import session_scope
from pybase.fields import service as fields_service
from pybase.records import service as records_service
from pybase.search import documents, indexer
from pybase.search.backends.postgres import PostgresBackend
from tests.factories import make_base, make_table, make_user, make_workspace

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _rows(session: Any, table_id: str) -> dict[str, tuple[Any, str]]:
    raw = session.connection().connection.driver_connection
    rows = raw.execute(
        "SELECT record_id, fields, tsv::text FROM search_documents WHERE table_id = %s", (table_id,)
    ).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def _words(session: Any, base_id: str) -> set[str]:
    raw = session.connection().connection.driver_connection
    return {r[0] for r in raw.execute("SELECT word FROM search_terms WHERE base_id = %s", (base_id,)).fetchall()}


def test_database_built_documents_match_python_built_ones() -> None:
    owner = make_user(name="documents owner")
    base_id = make_base(make_workspace(owner, name="Docs"), name="Docs base", by=owner)
    table = make_table(base_id, name="Parts", by=owner)
    with session_scope() as session:
        kinds = {"choices": [{"name": "Cast"}]}
        for name, ftype, options in (("Notes", "long_text", None), ("Qty", "number", {"precision": 1}),
                                     ("Mail", "email", None), ("Kind", "single_select", kinds)):  # fmt: skip
            fields_service.create_field(
                session, principal=owner.principal, table_id=table.id, name=name, type=ftype, options=options
            )
        created = records_service.create_records(
            session, principal=owner.principal, table_id=table.id, field_key="name",
            records=[{"fields": f} for f in (
                {"Name": "Flange P-101/B", "Notes": "stainless\nflange, 4 bolts", "Qty": 12, "Mail": "a.b@example.com"},
                {"Name": "Valve", "Notes": "", "Qty": 2.5},
                {"Name": "Housing", "Kind": "Cast", "Notes": "bröckelig gusseisen"},
                {"Notes": "no name at all"},
                {},
            )])  # fmt: skip
    ids = [r["id"] for r in created]
    backend = PostgresBackend()
    with session_scope() as session:
        assert indexer.index_table(session, backend, table_id=table.id) == {"indexed": len(ids)}
    with session_scope() as session:
        built_by_database = _rows(session, table.id)
        database_words = _words(session, base_id)
    assert set(built_by_database) == set(ids)
    # The same records rebuilt in Python only (what the index function did before).
    with session_scope() as session:
        raw = session.connection().connection.driver_connection
        raw.execute("DELETE FROM search_documents WHERE table_id = %s", (table.id,))
        raw.execute("DELETE FROM search_terms WHERE base_id = %s", (base_id,))
        info = documents.table_info(session, table.id)
        assert info is not None
        PostgresBackend().upsert(session, documents.load_records(session, info, ids))
    with session_scope() as session:
        built_in_python = _rows(session, table.id)
        python_words = _words(session, base_id)
    assert built_by_database == built_in_python
    assert "flange" in database_words and "gusseisen" in database_words
    # Python splits "a.b@example.com" into words, the database keeps the address as one lexeme.
    assert python_words - database_words <= {"example", "com"}
    assert database_words <= python_words

    # The change-log path (a few records) builds them in the database too, and drops what is gone.
    with session_scope() as session:
        records_service.delete_records(session, principal=owner.principal, table_id=table.id, record_ids=[ids[0]])
    with session_scope() as session:
        result = indexer.index_records(session, backend, table_id=table.id, record_ids=ids[:2])
    assert result == {"indexed": 1, "deleted": 1}
    with session_scope() as session:
        assert _rows(session, table.id)[ids[1]] == built_in_python[ids[1]]
        assert ids[0] not in _rows(session, table.id)
