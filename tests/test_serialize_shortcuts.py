"""The shortcuts a page's serialization takes give the same answers as the long ways: a dimension's
number text, a select option's name after its options change, and the two timestamps of a record."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

from pybase.fields.types.engineering import _fmt
from pybase.fields.types.select import SelectBase
from pybase.records.service import serialize


def _long_way(value: float | int) -> str:
    return f"{Decimal(str(value)).normalize():f}"


def test_number_text_matches_the_decimal_form() -> None:
    rng = random.Random(7)
    values: list[float | int] = [0, 0.0, -0.0, 1, -1, 100.0, 1e15, 1e16, 1e-7, 0.1 + 0.2, 12.5, -3.25, 2.0**60]
    values += [round(rng.uniform(-1e6, 1e6), rng.randrange(0, 7)) for _ in range(5000)]
    values += [rng.uniform(-1, 1) * 10 ** rng.randrange(-12, 20) for _ in range(5000)]
    values += [rng.randrange(-(10**12), 10**12) for _ in range(500)]
    for value in values:
        assert _fmt(value) == _long_way(value), value
    assert _fmt(Decimal("12.500")) == "12.5"


def test_option_names_follow_replaced_options_and_two_fields_at_once() -> None:
    select = SelectBase()
    first = SimpleNamespace(options={"choices": [{"id": "selA", "name": "Open"}, {"id": "selB", "name": "Done"}]})
    second = SimpleNamespace(options={"choices": [{"id": "selA", "name": "Small"}]})
    for _ in range(3):  # alternating fields, as the cells of a row do
        assert select.name_of("selA", first) == "Open" and select.name_of("selA", second) == "Small"
    assert select.name_of("selZ", first) is None
    # Options are replaced by a new list when they change (a rename, a new option by typecast).
    first.options = {"choices": [{"id": "selA", "name": "Opened"}, *first.options["choices"][1:]]}
    assert select.name_of("selA", first) == "Opened" and select.name_of("selB", first) == "Done"


def test_a_record_changed_after_its_creation_keeps_both_times() -> None:
    created = datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=UTC)

    def row(updated: datetime) -> SimpleNamespace:
        return SimpleNamespace(id="rec1", version=1, data={}, created_at=created, updated_at=updated)

    same = serialize(row(created + timedelta(0)), [], plan=[])  # type: ignore[arg-type]
    assert same["created_at"] == same["updated_at"] == "2026-01-02T03:04:05.600000Z"
    changed = serialize(row(created + timedelta(seconds=1)), [], plan=[])  # type: ignore[arg-type]
    assert changed["created_at"] == "2026-01-02T03:04:05.600000Z"
    assert changed["updated_at"] == "2026-01-02T03:04:06.600000Z"
    # A different moment right after, equal in value to the first: still its own text.
    again = serialize(row(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)), [], plan=[])  # type: ignore[arg-type]
    assert again["updated_at"] == "2026-01-02T03:04:05Z" and again["created_at"] == "2026-01-02T03:04:05.600000Z"
