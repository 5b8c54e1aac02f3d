"""Every formula function, evaluated in Python with Airtable semantics (blanks, coercion, errors, dates)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from pybase.formulas import ErrorValue, RecordContext, all_functions, evaluate, parse

ERR = ErrorValue  # marker in the table: "this formula gives an error value"
NOW = datetime(2024, 3, 15, 13, 45, 30, 250000, tzinfo=UTC)

CTX = RecordContext(
    values={
        "num": 12.5,
        "zero": 0,
        "neg": -7,
        "dec": Decimal("2.5"),
        "blank": None,
        "text": "Hello World",
        "numtext": " 42 ",
        "empty": "",
        "yes": True,
        "no": False,
        "due": datetime(2024, 1, 31, 9, 5, 7, tzinfo=UTC),
        "day": date(2024, 2, 29),
        "duetext": "2024-01-31T09:05:07.000Z",
        "tags": ["b", "a", "b", None, ""],
        "nums": [1, 2, 3.5],
    },
    record_id="recABCDEFGHIJKLMN",
    created_time=datetime(2023, 12, 1, tzinfo=UTC),
    last_modified_time=datetime(2024, 3, 1, tzinfo=UTC),
    now=NOW,
    field_kinds={"duetext": "date"},
    field_modified_times={"text": datetime(2024, 2, 1, tzinfo=UTC), "num": datetime(2024, 2, 20, tzinfo=UTC)},
)

CASES: list[tuple[str, Any]] = [
    # operators, blanks and coercion
    ("{num} + {blank}", 12.5),
    ("{blank} * 3", 0),
    ("{numtext} + 1", 43),
    ("{text} + 1", ERR),
    ("{yes} + {yes}", 2),
    ("{num} / {zero}", ERR),
    ("{num} / {blank}", ERR),
    ("-{neg}", 7),
    ("{dec} * 2", 5),
    ("{text} & {blank} & 1 & {yes}", "Hello World11"),
    ("{num} & ''", "12.5"),
    ("1/3 & ''", "0.3333333333333333"),
    ("{due} & ''", "2024-01-31T09:05:07.000Z"),
    ("{tags} & ''", "b, a, b"),
    ("{blank} = 0", True),
    ("{blank} = ''", True),
    ("{empty} = BLANK()", True),
    ("{blank} = BLANK()", True),
    ("{due} = BLANK()", False),
    ("{due} != BLANK()", True),
    ("{numtext} = 42", True),
    ("{text} = 42", False),
    ("{text} != 42", True),
    ("'abc' < 'abd'", True),
    ("'B' < 'a'", True),
    ("{due} < NOW()", True),
    ("{due} = '2024-01-31T09:05:07Z'", True),
    ("{due} > 3", ERR),
    ("{yes} = 1", True),
    ("{no} = BLANK()", True),
    ("{duetext} = {due}", True),
    # logic
    ("IF({num} > 10, 'big', 'small')", "big"),
    ("IF({blank}, 'x')", None),
    ("IF({empty}, 1, 2)", 2),
    ("IF('0', 1, 2)", 1),
    ("IF(1/0, 1, 2)", ERR),
    ("IF(1, 2, 1/0)", 2),
    ("SWITCH({num}, 1, 'one', 12.5, 'twelve and a half', 'other')", "twelve and a half"),
    ("SWITCH('z', 'a', 1, 'b', 2)", None),
    ("SWITCH('z', 'a', 1, 'b', 2, 0)", 0),
    ("SWITCH({blank}, '', 'blank matched', 'no')", "blank matched"),
    ("AND({num}, {text}, {yes})", True),
    ("AND({num}, {empty})", False),
    ("AND({tags})", False),  # arrays are flattened: blank items make AND false
    ("AND({nums})", True),
    ("OR({blank}, {zero}, {no})", False),
    ("OR({blank}, 'x')", True),
    ("OR(1, 1/0)", ERR),
    ("XOR(1, 1, 1)", True),
    ("XOR(1, 0, {yes})", False),
    ("NOT({blank})", True),
    ("NOT({num})", False),
    ("TRUE()", True),
    ("FALSE()", False),
    ("BLANK()", None),
    ("ERROR()", ERR),
    ("ISERROR(ERROR())", True),
    ("ISERROR({num} / {zero})", True),
    ("ISERROR(1)", False),
    ("ISERROR(VALUE('abc'))", True),
    # text
    ("CONCATENATE('a', 1, {blank}, {yes}, {num})", "a1112.5"),
    ("LEFT({text}, 5)", "Hello"),
    ("LEFT({text}, -1)", ""),
    ("LEFT({blank}, 3)", ""),
    ("RIGHT({text}, 5)", "World"),
    ("RIGHT({text}, 0)", ""),
    ("RIGHT('ab', 10)", "ab"),
    ("MID({text}, 7, 3)", "Wor"),
    ("MID({text}, 0, 2)", "He"),
    ("MID({text}, 50, 2)", ""),
    ("LEN({text})", 11),
    ("LEN({blank})", 0),
    ("LEN({num})", 4),
    ("LOWER({text})", "hello world"),
    ("UPPER({text})", "HELLO WORLD"),
    ("TRIM('  a b \t\n')", "a b"),
    ("SUBSTITUTE('a-b-c', '-', '+')", "a+b+c"),
    ("SUBSTITUTE('a-b-c', '-', '+', 2)", "a-b+c"),
    ("SUBSTITUTE('a-b-c', '-', '+', 5)", "a-b-c"),
    ("SUBSTITUTE('abc', '', 'x')", "abc"),
    ("FIND('o', {text})", 5),
    ("FIND('o', {text}, 6)", 8),
    ("FIND('z', {text})", 0),
    ("FIND('O', {text})", 0),
    ("SEARCH('O', {text})", 5),
    ("SEARCH('z', {text})", None),
    ("SEARCH('o', {text}, 6)", 8),
    ("REPLACE({text}, 7, 5, 'There')", "Hello There"),
    ("REPLACE('abc', 10, 1, 'X')", "abcX"),
    ("REPT('ab', 3)", "ababab"),
    ("REPT('ab', -1)", ""),
    ("REPT('ab', 10000000)", ERR),
    ("VALUE('$1,234.50')", 1234.5),
    ("VALUE({numtext})", 42),
    ("VALUE('abc')", ERR),
    ("VALUE({blank})", None),
    ("VALUE({num})", 12.5),
    ("T({text})", "Hello World"),
    ("T({num})", ""),
    ("T({blank})", ""),
    ("ENCODE_URL_COMPONENT('a b&c/é')", "a%20b%26c%2F%C3%A9"),
    # numbers
    ("ROUND(2.675, 2)", 2.68),
    ("ROUND(-2.5)", -3),
    ("ROUND(1234.5, -2)", 1200),
    ("ROUND({blank})", 0),
    ("ROUNDUP(2.001, 2)", 2.01),
    ("ROUNDUP(-2.001, 2)", -2.01),
    ("ROUNDDOWN(2.999, 2)", 2.99),
    ("ROUNDDOWN(-2.999)", -2),
    ("INT(-2.5)", -3),
    ("INT(2.9)", 2),
    ("ABS({neg})", 7),
    ("CEILING(2.1)", 3),
    ("CEILING(7, 5)", 10),
    ("CEILING(7, 0)", 0),
    ("FLOOR(7, 5)", 5),
    ("FLOOR(-2.5)", -3),
    ("MOD(7, 3)", 1),
    ("MOD(-7, 3)", -1),
    ("MOD(7.5, 2)", 1.5),
    ("MOD(1, 0)", ERR),
    ("POWER(2, 10)", 1024),
    ("POWER(-8, 1/3)", ERR),
    ("POWER(0, -1)", ERR),
    ("POWER(4, 0.5)", 2),
    ("SQRT(16)", 4),
    ("SQRT(-1)", ERR),
    ("LOG(1000)", pytest.approx(3)),
    ("LOG(8, 2)", pytest.approx(3)),
    ("LOG(0)", ERR),
    ("EXP(0)", 1),
    ("EXP(1)", pytest.approx(2.718281828459045)),
    ("EXP(1000)", ERR),
    ("EVEN(1.5)", 2),
    ("EVEN(3)", 4),
    ("EVEN(-1)", -2),
    ("ODD(1.5)", 3),
    ("ODD(2)", 3),
    ("ODD(0)", 1),
    ("ODD(-2)", -3),
    ("MIN(3, {num}, {blank}, 'x', {neg})", -7),
    ("MIN({blank}, 'x')", None),
    ("MAX(3, {num}, {nums})", 12.5),
    ("SUM(1, {num}, {blank}, {nums}, '5', {yes})", 20),
    ("AVERAGE(1, 2, {blank}, 'x')", 1.5),
    ("AVERAGE({blank})", None),
    ("COUNT(1, {blank}, 'x', {nums}, {num})", 5),
    ("COUNTA(1, {blank}, {empty}, 'x', {no}, {tags})", 6),
    ("COUNTALL(1, {blank}, {empty})", 3),
    ("SUM(1, 1/0)", ERR),
    # dates
    ("NOW()", NOW),
    ("TODAY()", datetime(2024, 3, 15, tzinfo=UTC)),
    ("DATEADD({due}, 1, 'months')", datetime(2024, 2, 29, 9, 5, 7, tzinfo=UTC)),
    ("DATEADD({due}, 13, 'M')", datetime(2025, 2, 28, 9, 5, 7, tzinfo=UTC)),
    ("DATEADD({due}, -1, 'quarters')", datetime(2023, 10, 31, 9, 5, 7, tzinfo=UTC)),
    ("DATEADD({due}, 1, 'years')", datetime(2025, 1, 31, 9, 5, 7, tzinfo=UTC)),
    ("DATEADD({due}, 1.5, 'days')", datetime(2024, 2, 1, 21, 5, 7, tzinfo=UTC)),
    ("DATEADD({due}, 2, 'w')", datetime(2024, 2, 14, 9, 5, 7, tzinfo=UTC)),
    ("DATEADD({due}, 90, 'm')", datetime(2024, 1, 31, 10, 35, 7, tzinfo=UTC)),
    ("DATEADD({due}, 3, 'h')", datetime(2024, 1, 31, 12, 5, 7, tzinfo=UTC)),
    ("DATEADD({due}, 3, 'seconds')", datetime(2024, 1, 31, 9, 5, 10, tzinfo=UTC)),
    ("DATEADD({due}, 1500, 'ms')", datetime(2024, 1, 31, 9, 5, 8, 500000, tzinfo=UTC)),
    ("DATEADD({blank}, 1, 'days')", None),
    ("DATEADD({day}, 1, 'day')", datetime(2024, 3, 1, tzinfo=UTC)),
    ("DATEADD('2024-01-01', 1, 'day')", datetime(2024, 1, 2, tzinfo=UTC)),
    ("DATEADD({due}, 1, {text})", ERR),
    ("DATETIME_DIFF(NOW(), {due}, 'days')", 44),
    ("DATETIME_DIFF({due}, NOW(), 'days')", -44),
    ("DATETIME_DIFF(NOW(), {due})", 3818423),
    ("DATETIME_DIFF(NOW(), {due}, 'hours')", 1060),
    ("DATETIME_DIFF(NOW(), {due}, 'weeks')", 6),
    ("DATETIME_DIFF(NOW(), {due}, 'months')", 1),
    ("DATETIME_DIFF('2024-03-31', '2024-01-31', 'months')", 2),
    ("DATETIME_DIFF('2024-03-30', '2024-01-31', 'months')", 1),
    ("DATETIME_DIFF('2023-01-31', '2024-03-01', 'months')", -13),
    ("DATETIME_DIFF('2026-01-01', '2024-03-01', 'years')", 1),
    ("DATETIME_DIFF('2024-12-31', '2024-01-01', 'quarters')", 3),
    ("DATETIME_DIFF({due}, {due}, 'ms')", 0),
    ("DATETIME_DIFF({blank}, {due}, 'days')", None),
    ("DATETIME_FORMAT({due})", "2024-01-31T09:05:07.000Z"),
    ("DATETIME_FORMAT({due}, 'YYYY-MM-DD')", "2024-01-31"),
    ("DATETIME_FORMAT({due}, 'DD/MM/YYYY HH:mm')", "31/01/2024 09:05"),
    ("DATETIME_FORMAT({due}, 'M/D/YY h:mm:ss a')", "1/31/24 9:05:07 am"),
    ("DATETIME_FORMAT(NOW(), 'dddd, MMMM Do YYYY, h A')", "Friday, March 15th 2024, 1 PM"),
    ("DATETIME_FORMAT(NOW(), 'ddd MMM D [at] HH:mm:ss.SSS')", "Fri Mar 15 at 13:45:30.250"),
    ("DATETIME_FORMAT(NOW(), 'Q DDD DDDD E W d')", "1 75 075 5 11 5"),
    ("DATETIME_FORMAT(NOW(), 'LL')", "March 15, 2024"),
    ("DATETIME_FORMAT(NOW(), 'X')", str(int(NOW.timestamp()))),
    ("DATETIME_FORMAT({blank}, 'YYYY')", None),
    ("DATETIME_PARSE('2024-02-03')", datetime(2024, 2, 3, tzinfo=UTC)),
    ("DATETIME_PARSE('2024-02-03T10:20:30+02:00')", datetime(2024, 2, 3, 8, 20, 30, tzinfo=UTC)),
    ("DATETIME_PARSE('03/02/2024', 'DD/MM/YYYY')", datetime(2024, 2, 3, tzinfo=UTC)),
    ("DATETIME_PARSE('3 February 2024 4:05 pm', 'D MMMM YYYY h:mm a')", datetime(2024, 2, 3, 16, 5, tzinfo=UTC)),
    ("DATETIME_PARSE('2/3/2024')", datetime(2024, 2, 3, tzinfo=UTC)),
    ("DATETIME_PARSE('Feb 3, 2024')", datetime(2024, 2, 3, tzinfo=UTC)),
    ("DATETIME_PARSE('not a date')", ERR),
    ("DATETIME_PARSE('2024-02-30')", ERR),
    ("DATETIME_PARSE({blank})", None),
    ("DATESTR({due})", "2024-01-31"),
    ("DATESTR({blank})", None),
    ("YEAR({due})", 2024),
    ("MONTH({due})", 1),
    ("DAY({due})", 31),
    ("HOUR({due})", 9),
    ("MINUTE({due})", 5),
    ("SECOND({due})", 7),
    ("YEAR({blank})", None),
    ("YEAR('2020-05-06')", 2020),
    ("YEAR(5)", ERR),
    ("WEEKDAY({due})", 3),
    ("WEEKDAY({due}, 'Monday')", 2),
    ("WEEKDAY('2024-03-17')", 0),
    ("WEEKDAY('2024-03-17', 'Monday')", 6),
    ("IS_BEFORE({due}, NOW())", True),
    ("IS_BEFORE(NOW(), {due})", False),
    ("IS_BEFORE({blank}, NOW())", False),
    ("IS_AFTER(NOW(), {due})", True),
    ("IS_AFTER({due}, '2024-02-01')", False),
    ("IS_SAME({due}, {duetext})", True),
    ("IS_SAME({due}, '2024-01-31', 'day')", True),
    ("IS_SAME({due}, '2024-01-31')", False),
    ("IS_SAME('2024-03-17', '2024-03-23', 'week')", True),
    ("IS_SAME('2024-03-16', '2024-03-17', 'week')", False),
    ("IS_SAME({due}, '2024-01-01', 'month')", True),
    ("IS_SAME({due}, '2024-03-31', 'quarter')", True),
    ("IS_SAME({due}, '2023-01-31', 'year')", False),
    ("IS_SAME({due}, '2024-01-31T09:05:59Z', 'minute')", True),
    ("IS_SAME({due}, '2024-01-31T09:59:59Z', 'hour')", True),
    # record metadata
    ("RECORD_ID()", "recABCDEFGHIJKLMN"),
    ("CREATED_TIME()", datetime(2023, 12, 1, tzinfo=UTC)),
    ("LAST_MODIFIED_TIME()", datetime(2024, 3, 1, tzinfo=UTC)),
    ("LAST_MODIFIED_TIME({text}, {num})", datetime(2024, 2, 20, tzinfo=UTC)),
    ("LAST_MODIFIED_TIME({due})", datetime(2024, 3, 1, tzinfo=UTC)),
    # regex
    ("REGEX_MATCH({text}, 'W.r')", True),
    ("REGEX_MATCH({text}, '^w')", False),
    ("REGEX_MATCH({blank}, '^$')", True),
    ("REGEX_EXTRACT('Order #123-45', '\\\\d+')", "123"),
    ("REGEX_EXTRACT('Order #123-45', '#(\\\\d+)')", "#123"),
    ("REGEX_EXTRACT({text}, 'xyz')", None),
    ("REGEX_REPLACE('a1b22c', '\\\\d+', '#')", "a#b#c"),
    ("REGEX_REPLACE('John Smith', '(\\\\w+) (\\\\w+)', '$2, $1 ($&) $$')", "Smith, John (John Smith) $"),
    ("REGEX_REPLACE('abc', '(b)', '$2')", ERR),
    ("REGEX_MATCH('abc', {text} & '(')", ERR),
    # arrays
    ("ARRAYJOIN({tags}, '|')", "b|a|b||"),
    ("ARRAYJOIN({nums})", "1, 2, 3.5"),
    ("ARRAYUNIQUE({tags})", ["b", "a", None, ""]),
    ("ARRAYCOMPACT({tags})", ["b", "a", "b"]),
    ("ARRAYFLATTEN({nums})", [1, 2, 3.5]),
    ("ARRAYJOIN({blank})", ""),
]


@pytest.mark.parametrize(("source", "expected"), CASES, ids=[c[0] for c in CASES])
def test_function(source: str, expected: Any) -> None:
    result = evaluate(parse(source), CTX)
    if expected is ERR:
        assert isinstance(result, ErrorValue), result
        assert str(result) == "#ERROR!"
    else:
        assert not isinstance(result, ErrorValue), result
        assert result == expected
        if isinstance(expected, bool):
            assert isinstance(result, bool)


REQUIRED = """IF SWITCH AND OR NOT BLANK ERROR ISERROR CONCATENATE LEFT RIGHT MID LEN LOWER UPPER TRIM SUBSTITUTE FIND
SEARCH REPLACE REPT VALUE T ROUND ROUNDUP ROUNDDOWN INT ABS CEILING FLOOR MOD POWER SQRT MIN MAX SUM AVERAGE COUNT
COUNTA DATEADD DATETIME_DIFF DATETIME_FORMAT DATETIME_PARSE DATESTR NOW TODAY YEAR MONTH DAY WEEKDAY IS_BEFORE IS_AFTER
IS_SAME RECORD_ID CREATED_TIME LAST_MODIFIED_TIME REGEX_MATCH REGEX_EXTRACT REGEX_REPLACE""".split()


def test_every_function_is_registered_and_covered() -> None:
    registered = all_functions()
    assert set(REQUIRED) <= set(registered)
    used = {name for source, _ in CASES for name in re.findall(r"([A-Z_]+)\(", source)}
    assert set(registered) - used == set(), "registered functions without a test case"
    for spec in registered.values():
        assert spec.description, f"{spec.name} has no description"


def test_now_is_fixed_for_one_evaluation_and_defaults_to_the_clock() -> None:
    assert evaluate(parse("DATETIME_DIFF(NOW(), NOW(), 'ms')"), RecordContext()) == 0
    before = datetime.now(UTC)
    value = evaluate(parse("NOW()"), {})
    assert isinstance(value, datetime) and before <= value <= datetime.now(UTC)


def test_missing_fields_are_blank_and_plain_mappings_work() -> None:
    assert evaluate(parse("{nope} & 'x'"), {"other": 1}) == "x"
    assert evaluate(parse("{a} * 2"), {"a": 21}) == 42
