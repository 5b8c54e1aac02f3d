"""JSONB values come back parsed by orjson on every connection the engine opens, the same values
the json module would give for what PyBase stores (text in any script, numbers below 10^15)."""

from __future__ import annotations

import json

import orjson

from pybase.db import session_scope

STORED = {"t": "Flansch Ø 40 — ok \\ \"q\" \n", "n": [0, -5, 999999999999999, 2.5, 1e-7], "b": True, "z": None}


def test_jsonb_is_parsed_by_orjson_with_the_values_json_gives() -> None:
    with session_scope() as session:
        raw = session.connection().connection.driver_connection
        loader = raw.adapters.get_loader(raw.adapters.types["jsonb"].oid, 0)
        assert loader._loads is orjson.loads  # type: ignore[attr-defined]  # the class attribute psycopg reads
        (value,) = raw.execute("SELECT %s::jsonb", (json.dumps(STORED),)).fetchone()
    assert value == json.loads(json.dumps(STORED))
