"""SQL and Python must agree: each formula is compiled to PostgreSQL and evaluated in Python on the same
rows (blanks, zero divisors, odd text, dates), and the results are compared, errors included."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, TIMESTAMP

from pybase.db import normalize_url
from pybase.formulas import (
    ErrorValue,
    NotCompilable,
    RecordContext,
    compile_sql,
    compile_sql_full,
    compile_sql_text,
    evaluate,
    infer_type,
    jsonb_resolver,
    parse,
    truthy,
)

NOW = datetime(2024, 3, 15, 13, 45, 30, 250000, tzinfo=UTC)
KINDS = {
    "num": "number",
    "num2": "number",
    "text": "text",
    "text2": "text",
    "date": "date",
    "date2": "date",
    "flag": "boolean",
    "tags": "array",
}

ROWS: dict[str, dict[str, Any]] = {
    "r1": {
        "num": 12.5,
        "num2": 0,
        "text": "Hello World",
        "text2": "42",
        "date": "2024-01-31T09:05:07Z",
        "date2": "2024-03-15T13:45:30.250Z",
        "flag": True,
    },
    "r2": {},
    "r3": {
        "num": -7,
        "num2": 3,
        "text": "",
        "text2": " 1e3 ",
        "date": "2024-02-29T23:59:59Z",
        "date2": "2023-02-28T00:00:00Z",
        "flag": False,
    },
    "r4": {
        "num": 0.1,
        "num2": 0.2,
        "text": "abc",
        "text2": "abc",
        "date": "2024-12-31T00:00:00Z",
        "date2": "2024-01-01T00:00:00Z",
    },
    "r5": {
        "num": 2.675,
        "num2": -2.5,
        "text": "a-b-c",
        "text2": "x",
        "date": "2024-03-17T12:00:00Z",
        "date2": "2024-03-23T12:00:00Z",
        "flag": None,
    },
    "r6": {
        "num": 1e16,
        "num2": 1.5e-7,
        "text": "Order #123-45",
        "text2": "-3.5",
        "date": "2024-01-31T00:00:00Z",
        "date2": "2024-03-31T00:00:00Z",
        "flag": True,
    },
    "r7": {"num": 7, "num2": -3, "text": "John Smith", "text2": "7", "date2": "2024-05-05T05:05:05Z"},
    "r9": {"num": 3, "text": "x", "date": "2024-02-29", "date2": "2024-03-31", "flag": True, "text2": "3"},
    "r8": {
        "num": 100,
        "num2": 4,
        "text": "  padded \t",
        "text2": "",
        "date": "2000-01-01T00:00:00Z",
        "date2": "2000-01-01T00:00:00Z",
        "flag": False,
    },
}
CREATED = datetime(2023, 12, 1, 8, 0, tzinfo=UTC)
MODIFIED = datetime(2024, 3, 1, 17, 30, tzinfo=UTC)

metadata = sa.MetaData()
rows_table = sa.Table(
    "formula_agreement_rows",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("data", JSONB, nullable=False),
    sa.Column("created_at", TIMESTAMP(timezone=True)),
    sa.Column("updated_at", TIMESTAMP(timezone=True)),
    prefixes=["TEMPORARY"],
)


@pytest.fixture(scope="module")
def conn(database: str) -> Iterator[sa.Connection]:
    engine = sa.create_engine(normalize_url(database), poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        # Results must not depend on the session time zone.
        connection.execute(sa.text("SET TIME ZONE 'America/New_York'"))
        metadata.create_all(connection)
        connection.execute(
            rows_table.insert(),
            [{"id": rid, "data": data, "created_at": CREATED, "updated_at": MODIFIED} for rid, data in ROWS.items()],
        )
        connection.commit()  # tests roll back after each query so one failure cannot poison the next
        yield connection
    engine.dispose()


resolver = jsonb_resolver(rows_table.c.data, KINDS)


def context(rid: str) -> RecordContext:
    # Raw JSON values, as the records engine stores them; date strings are read through field_kinds.
    return RecordContext(
        values=ROWS[rid],
        record_id=rid,
        created_time=CREATED,
        last_modified_time=MODIFIED,
        now=NOW,
        field_kinds=KINDS,
    )


def _blank(v: Any) -> bool:
    return v is None or v == ""


def agree(py: Any, value: Any, error: bool | None) -> bool:
    if isinstance(py, ErrorValue):
        return bool(error)
    if error:
        return False
    if _blank(py) or _blank(value):
        return _blank(py) and _blank(value)
    if isinstance(py, bool) or isinstance(value, bool):
        return py is value
    if isinstance(py, int | float):
        if math.isnan(py) or math.isinf(py):  # NaN and Infinity: the same special value on both sides
            return repr(float(py)) == repr(float(value))
        return math.isclose(float(py), float(value), rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(py, datetime):
        return py == value
    return py == value


FORMULAS = [
    # operators, coercion, blanks, division by zero
    "{num} + {num2}",
    "{num} - {num2} * 2",
    "{num} / {num2}",
    "-{num}",
    "{num} + {text2}",
    "{text2} * 2",
    "{num} + {flag}",
    "{num} & {text}",
    "{num2} & ''",
    "{num} & '|' & {flag} & '|' & {date}",
    "0.1 + 0.2 = 0.3",
    "{num} + {num2} = 0.30000000000000004",
    "{num} = 0",
    "{num} = BLANK()",
    "{text} = BLANK()",
    "{text} = ''",
    "{date} = BLANK()",
    "{date} != BLANK()",
    "{flag} = BLANK()",
    "{flag} = 1",
    "{num} = {text2}",
    "{num} != {text2}",
    "{num} < {text2}",
    "{text2} >= {num2}",
    "{text} < {text2}",
    "{text} = {text2}",
    "{text} > 'B'",
    "{date} < {date2}",
    "{date} >= {date2}",
    "{num} > {num2}",
    "{num} <= 12.5",
    "{flag} > {num2}",
    "BLANK() < {text}",
    "{num2} < BLANK()",
    # logic
    "IF({num} > 10, 'big', 'small')",
    "IF({num}, {num} * 2)",
    "IF({text}, {text}, 'none')",
    "IF({date}, DATEADD({date}, 1, 'days'), BLANK())",
    "IF({flag}, 1, 0)",
    "IF({num} / {num2} > 1, 'a', 'b')",
    "IF({num} > 0, 1, 1 / {num2})",
    "IF({num} > 0, ERROR(), 5)",
    "SWITCH({num}, 12.5, 'twelve', 7, 'seven', 'other')",
    "SWITCH({text}, 'abc', 1, '', 2)",
    "SWITCH({num2}, 0, 1 / {num2}, 3, LEN('x' & 1), -1)",
    "AND({num}, {text})",
    "OR({num2}, {flag})",
    "AND({num} > 0, {num2} / 1)",
    "OR({num} / {num2}, 1)",
    "XOR({num}, {num2}, {flag})",
    "NOT({text})",
    "NOT({date})",
    "TRUE() & FALSE()",
    "ISERROR({num} / {num2})",
    "COUNTA(NOT({num} > 1), NOT({text}))",
    "(NOT({num} > 1)) & ''",
    "ISERROR({text2} + 1)",
    "ISERROR(1)",
    "ERROR()",
    "BLANK()",
    # text
    "CONCATENATE({text}, '-', {num}, {flag})",
    "LEFT({text}, 3)",
    "LEFT({text}, {num2})",
    "RIGHT({text}, 4)",
    "MID({text}, 2, 3)",
    "MID({text}, {num2}, 2)",
    "LEN({text})",
    "LEN({num})",
    "LOWER({text})",
    "UPPER({text})",
    "LOWER('ÉCOLE Ω') & UPPER('straße é')",
    "LEN('héllo wörld') & LEFT('日本語テキスト', 2)",
    "TRIM({text})",
    "SUBSTITUTE({text}, '-', '+')",
    "SUBSTITUTE({text}, 'o', '')",
    "FIND('o', {text})",
    "FIND('o', {text}, 6)",
    "FIND({text2}, {text})",
    "SEARCH('O', {text})",
    "SEARCH('o', {text}, 6)",
    "REPLACE({text}, 2, 3, '*')",
    "REPLACE({text}, 20, 1, '!')",
    "REPT({text2}, 2)",
    "REPT('ab', {num2})",
    "VALUE({text2})",
    "VALUE('$1,234.5')",
    "VALUE({num})",
    "VALUE({flag})",
    "T({text})",
    "T({num})",
    # numbers
    "ROUND({num}, 2)",
    "ROUND({num})",
    "ROUND({num2})",
    "ROUND({num}, -1)",
    "ROUNDUP({num}, 1)",
    "ROUNDUP({num2})",
    "ROUNDDOWN({num}, 1)",
    "ROUNDDOWN({num2})",
    "INT({num2})",
    "ABS({num2})",
    "CEILING({num}, {num2})",
    "CEILING({num})",
    "FLOOR({num}, 5)",
    "FLOOR({num2})",
    "MOD({num}, {num2})",
    "MOD({num}, 3)",
    "POWER({num2}, 2)",
    "POWER({num2}, 0.5)",
    "POWER({num2}, -1)",
    "SQRT({num})",
    "SQRT({num2})",
    "LOG({num})",
    "LOG({num}, {num2})",
    "EXP({num2})",
    "EXP({num})",
    "EVEN({num})",
    "ODD({num2})",
    "MIN({num}, {num2})",
    "MIN({num}, {text}, 3)",
    "MAX({num}, {num2}, -100)",
    "SUM({num}, {num2}, {text2}, {flag})",
    "AVERAGE({num}, {num2})",
    "AVERAGE({num})",
    "COUNT({num}, {num2}, {text})",
    "COUNTA({num}, {text}, {date}, {flag})",
    "COUNTALL({num}, {text})",
    "SUM({num}, 1 / {num2})",
    # dates
    "NOW()",
    "TODAY()",
    "DATEADD({date}, 1, 'months')",
    "DATEADD({date}, -13, 'M')",
    "DATEADD({date}, 1, 'quarter')",
    "DATEADD({date}, {num2}, 'years')",
    "DATEADD({date}, 1.5, 'days')",
    "DATEADD({date}, {num}, 'hours')",
    "DATEADD({date}, 90, 'm')",
    "DATEADD({date}, 2, 'w')",
    "DATEADD({date}, 1500, 'ms')",
    "DATEADD({date}, 3, 's')",
    "DATETIME_DIFF({date2}, {date})",
    "DATETIME_DIFF({date2}, {date}, 'ms')",
    "DATETIME_DIFF({date2}, {date}, 'minutes')",
    "DATETIME_DIFF({date2}, {date}, 'hours')",
    "DATETIME_DIFF({date2}, {date}, 'days')",
    "DATETIME_DIFF({date2}, {date}, 'weeks')",
    "DATETIME_DIFF({date2}, {date}, 'months')",
    "DATETIME_DIFF({date}, {date2}, 'months')",
    "DATETIME_DIFF({date2}, {date}, 'quarters')",
    "DATETIME_DIFF({date2}, {date}, 'years')",
    "DATETIME_DIFF(NOW(), {date}, 'd')",
    "DATETIME_FORMAT({date})",
    "DATETIME_FORMAT({date}, 'YYYY-MM-DD')",
    "DATETIME_FORMAT({date}, 'DD/MM/YYYY HH:mm')",
    "DATETIME_FORMAT({date}, 'M/D/YY h:mm:ss a')",
    "DATETIME_FORMAT({date2}, 'dddd, MMMM Do YYYY, hh A')",
    "DATETIME_FORMAT({date2}, 'ddd MMM D [at \"q\" \\\\] HH:mm:ss.SSS')",
    "DATETIME_FORMAT({date2}, 'Q DDD DDDD E W WW Mo')",
    "DATETIME_FORMAT({date2}, 'LLLL')",
    "DATETIME_FORMAT({date}, 'YYYY-MM-DDTHH:mm:ssZ')",
    "DATESTR({date})",
    "YEAR({date})",
    "MONTH({date})",
    "DAY({date})",
    "HOUR({date})",
    "MINUTE({date})",
    "SECOND({date2})",
    "WEEKDAY({date})",
    "WEEKDAY({date}, 'Monday')",
    "WEEKNUM({date})",
    "WEEKNUM({date2}, 'Monday')",
    "WEEKNUM(DATEADD({date}, {num}, 'days'))",
    "TIMESTR({date})",
    "TIMESTR({date2})",
    "TONOW({date})",
    "FROMNOW({date2})",
    "DATETIME_PARSE('2024-01-02') = {date}",
    "DATETIME_PARSE({date})",
    "IS_BEFORE({date}, {date2})",
    "IS_AFTER({date}, {date2})",
    "IS_SAME({date}, {date2})",
    "IS_SAME({date}, {date2}, 'week')",
    "IS_SAME({date}, {date2}, 'month')",
    "IS_SAME({date}, {date2}, 'quarter')",
    "IS_SAME({date}, {date2}, 'year')",
    "IS_SAME({date}, {date2}, 'day')",
    "IS_SAME({date}, {date2}, 'hour')",
    "IS_SAME({date}, {date2}, 'minute')",
    "IS_SAME({date}, {date2}, 'second')",
    "IS_SAME({date}, {date2}, 'ms')",
    "IS_BEFORE({date}, NOW())",
    "{date} < NOW()",
    "IS_BEFORE({date}, '2024-02-01')",
    "IS_SAME({date}, '2024-01-31', 'day')",
    "IS_AFTER({date}, 'not a date')",
    "DATETIME_DIFF('2024-06-01T12:00:00+02:00', {date}, 'hours')",
    "YEAR('2020-05-06') + DAY('')",
    "{date} = '2024-01-31T09:05:07Z'",
    "{date} >= 'March 1, 2024'",
    "{date} != 'garbage'",
    "{date} < ''",
    # Airtable's special values: text in arithmetic is NaN, division by zero +-Infinity (0/0 NaN); NaN
    # equals nothing and is false; a function given one is an error; IF passes one through
    "{text} * 1",
    "-{text}",
    "{num} / {num2} + 1",
    "-{num} / {num2}",
    "{num2} / {num2}",
    "({text} * 1) = ({text} * 1)",
    "({text} * 1) != 5",
    "{num} / {num2} > 1",
    "BLANK() < {text} * 1",
    "IF({text} * 1, 'yes', 'no')",
    "IF({num} / {num2} > 0, {num} / {num2}, {text} * 1) & ''",
    "ROUND({num} / {num2}, 1)",
    "SUM({text} * 1, 1)",
    "ISERROR({text} - 1)",
    "({text} * 1) & ''",
    "'abc' * 2",
    "0 / 0",
    "-1 / 0",
    "IF({text} - 1 < 0, 'neg', 'other')",
    # constant inputs that would make PostgreSQL raise if they were not guarded (plan-time folding)
    "SQRT(-1)",
    "VALUE('abc')",
    "'abc' + 1",
    "' 12 ' * 2",
    "1 / 0",
    "POWER(-8, 1/3)",
    "POWER(0, -1)",
    "LOG(0)",
    "LOG(10, 1)",
    "EXP(1000)",
    "MOD(1, 0)",
    "DATEADD(NOW(), 1e16, 'hours')",
    "DATEADD(NOW(), 1e16, 'years')",
    "DATEADD(NOW(), 9000, 'years')",
    "DATEADD({date}, -2030, 'years')",
    "REPT('ab', 1e12)",
    "LEFT('abc', 1e12) & MID('abc', -5, 1e12)",
    "ROUND(1e300, 2)",
    # record metadata
    "RECORD_ID()",
    "CREATED_TIME()",
    "LAST_MODIFIED_TIME()",
    "DATETIME_DIFF(LAST_MODIFIED_TIME(), CREATED_TIME(), 'days')",
    # regex
    "REGEX_MATCH({text}, 'W.r')",
    "REGEX_MATCH({text}, '^[a-z]')",
    "REGEX_MATCH({text}, '^$')",
    "REGEX_EXTRACT({text}, '\\\\d+')",
    "REGEX_EXTRACT({text}, '#(\\\\d+)')",
    "REGEX_EXTRACT({text}, '[A-Z][a-z]+')",
    "REGEX_REPLACE({text}, '[aeiou]', '_')",
    "REGEX_REPLACE({text}, '(\\\\w+) (\\\\w+)', '$2, $1 ($&) $$ \\\\ ')",
]


@pytest.mark.parametrize("source", FORMULAS)
def test_sql_agrees_with_python(conn: sa.Connection, source: str) -> None:
    tree = parse(source)
    compiled = compile_sql_full(
        tree,
        resolver,
        record_id=rows_table.c.id,
        created_time=rows_table.c.created_at,
        last_modified_time=rows_table.c.updated_at,
        now=NOW,
    )
    assert compiled.result_type == infer_type(tree, KINDS)
    error = compiled.error if compiled.error is not None else sa.false()
    query = sa.select(rows_table.c.id, compiled.value.label("value"), error.label("error")).order_by(rows_table.c.id)
    mismatches = []
    try:
        results = conn.execute(query).all()
    finally:
        conn.rollback()
    for rid, value, err in results:
        py = evaluate(tree, context(rid))
        if not agree(py, value, err):
            mismatches.append((rid, py, value, err))
    assert not mismatches, mismatches


FILTERS = [
    "{num} > 5",
    "{text}",
    "{num} / {num2}",
    "AND({date}, IS_BEFORE({date}, '2024-06-01' & ''))" if False else "AND({date}, YEAR({date}) = 2024)",
    "OR({flag}, FIND('a', {text}))",
    "ISERROR({text2} * 1)",
    "{text} * 1",
    "{num} / {num2}",
    "({text} * 1) != 0",
]


@pytest.mark.parametrize("source", FILTERS)
def test_filter_condition_matches_python_truthiness(conn: sa.Connection, source: str) -> None:
    tree = parse(source)
    compiled = compile_sql_full(tree, resolver, now=NOW)
    try:
        selected = set(conn.scalars(sa.select(rows_table.c.id).where(compiled.condition())))
    finally:
        conn.rollback()
    expected = set()
    for rid in ROWS:
        value = evaluate(tree, context(rid))
        if not isinstance(value, ErrorValue) and truthy(value):
            expected.add(rid)
    assert selected == expected


def test_compile_sql_returns_expression_and_type(conn: sa.Connection) -> None:
    expr, kind = compile_sql(parse("{num} * 2"), resolver)
    assert kind == "number"
    values = dict(conn.execute(sa.select(rows_table.c.id, expr)).all())
    assert values["r1"] == 25 and values["r3"] == -14 and values["r2"] == 0
    # Sorting by a compiled formula runs in PostgreSQL.
    order = conn.scalars(sa.select(rows_table.c.id).order_by(expr.desc().nulls_last(), rows_table.c.id)).all()
    assert order[:2] == ["r6", "r8"]


def test_compile_sql_text_for_raw_sql_callers(conn: sa.Connection) -> None:
    """The records engine builds SQL strings with psycopg parameters; formulas render into them."""

    def field_sql(field_id: str) -> tuple[str, str]:
        kind = KINDS[field_id]
        cast = {"number": "::numeric", "boolean": "::boolean"}.get(kind, "")
        if kind == "date":
            return f"timezone('UTC', (r.data ->> '{field_id}')::timestamp)", kind
        return f"((r.data ->> '{field_id}'){cast})", kind

    source = "IF({num} / {num2} > 1, UPPER(LEFT({text}, 3)) & RECORD_ID(), DATESTR({date}))"
    tree = parse(source)
    a = compile_sql_text(tree, field_sql, record_id_sql="r.id", now=NOW, prefix="a")
    b = compile_sql_text(parse("{text} & 'x'"), field_sql, prefix="b")
    assert a.result_type == "text" and set(a.params).isdisjoint(b.params)
    sql = (
        f"SELECT r.id, {a.value}, {a.error}, {b.value} FROM formula_agreement_rows r "
        f"WHERE {a.condition} AND %(own)s ORDER BY r.id"
    )
    try:
        rows = conn.exec_driver_sql(sql, {**a.params, **b.params, "own": True}).all()
    finally:
        conn.rollback()
    expected = []
    for rid in sorted(ROWS):
        value = evaluate(tree, context(rid))
        if not isinstance(value, ErrorValue) and truthy(value):
            expected.append((rid, value, False, evaluate(parse("{text} & 'x'"), context(rid))))
    assert len(expected) >= 3
    assert rows == expected


@pytest.mark.parametrize(
    "source",
    [
        "DATETIME_PARSE({text2})",
        "{tags} & ''",
        "ARRAYJOIN({tags})",
        "ENCODE_URL_COMPONENT({text})",
        "DATEADD({date}, 1, {text})",
        "DATETIME_FORMAT({date}, {text})",
        "DATETIME_FORMAT({date}, 'x')",
        "IF({num}, 1, 'a')",
        "{date} = {text}",
        "{date} + 1",
        "REGEX_MATCH({text}, {text2})",
        "REGEX_MATCH({text}, '\\\\bword')",
        "REGEX_EXTRACT({text}, 'a|ab')",
        "REGEX_REPLACE({text}, 'a+?', 'x')",
        "SUBSTITUTE({text}, 'a', 'b', 2)",
        "LAST_MODIFIED_TIME({num})",
        "WEEKDAY({date}, {text})",
        "WEEKNUM({date}, {text})",
        "DATETIME_PARSE({text}, 'YYYY')",
        "WORKDAY({date}, 3)",
        "ARRAYSLICE({tags}, 1)",
        "SET_TIMEZONE({date}, 'Europe/Paris')",
        "DATEADD({text}, 1, 'days')",
    ],
)
def test_not_compilable(source: str) -> None:
    with pytest.raises(NotCompilable):
        compile_sql(parse(source), resolver, now=NOW)


def test_record_metadata_needs_columns() -> None:
    with pytest.raises(NotCompilable):
        compile_sql(parse("RECORD_ID()"), resolver)


class RandomFormulas:
    """Random well-typed formulas over the test fields (seeded, so failures reproduce)."""

    NUMS = ("{num}", "{num2}", "0", "1", "-2.5", "3", "0.1", "BLANK()", "{flag}", "{text2}")
    TEXTS = ("{text}", "{text2}", "''", "'abc'", "' 7 '", "'a-b'")
    DATES = ("{date}", "{date2}", "NOW()", "'2024-02-29'")

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def pick(self, options: Any) -> Any:
        return self.rng.choice(options)

    def num(self, d: int) -> str:
        if d <= 0:
            return self.pick(self.NUMS)
        n, a, t, dt = self.num, self.any, self.text, self.date
        return self.pick(
            [
                lambda: f"({n(d - 1)} {self.pick('+-*/')} {n(d - 1)})",
                lambda: f"IF({a(d - 1)}, {n(d - 1)}, {n(d - 1)})",
                lambda: (
                    f"{self.pick(['ROUND', 'ROUNDUP', 'ROUNDDOWN'])}({n(d - 1)}, {self.pick(['0', '1', '-1', '2'])})"
                ),
                lambda: f"{self.pick(['INT', 'ABS', 'SQRT', 'EVEN', 'ODD', 'EXP', 'LOG'])}({n(d - 1)})",
                lambda: f"{self.pick(['MOD', 'POWER', 'CEILING', 'FLOOR'])}({n(d - 1)}, {n(d - 1)})",
                lambda: f"{self.pick(['MIN', 'MAX', 'SUM', 'AVERAGE', 'COUNT', 'COUNTA'])}({n(d - 1)}, {a(d - 1)})",
                lambda: f"LEN({t(d - 1)})",
                lambda: f"{self.pick(['FIND', 'SEARCH'])}({t(d - 1)}, {t(d - 1)})",
                lambda: f"VALUE({t(d - 1)})",
                lambda: f"DATETIME_DIFF({dt(d - 1)}, {dt(d - 1)}, '{self.pick(['days', 'months', 'hours', 'years'])}')",
                lambda: f"{self.pick(['YEAR', 'MONTH', 'DAY', 'WEEKDAY', 'HOUR'])}({dt(d - 1)})",
                lambda: f"-{n(d - 1)}",
                lambda: f"SWITCH({a(d - 1)}, {a(d - 1)}, {n(d - 1)}, {n(d - 1)})",
            ]
        )()

    def text(self, d: int) -> str:
        if d <= 0:
            return self.pick(self.TEXTS)
        n, a, t, dt = self.num, self.any, self.text, self.date
        return self.pick(
            [
                lambda: f"({a(d - 1)} & {a(d - 1)})",
                lambda: f"{self.pick(['LEFT', 'RIGHT', 'REPT'])}({t(d - 1)}, {n(d - 1)})",
                lambda: f"MID({t(d - 1)}, {n(d - 1)}, {n(d - 1)})",
                lambda: f"{self.pick(['UPPER', 'LOWER', 'TRIM', 'T'])}({a(d - 1)})",
                lambda: f"SUBSTITUTE({t(d - 1)}, {t(d - 1)}, {t(d - 1)})",
                lambda: f"REPLACE({t(d - 1)}, {n(d - 1)}, {n(d - 1)}, {t(d - 1)})",
                lambda: f"DATETIME_FORMAT({dt(d - 1)}, '{self.pick(['YYYY-MM-DD', 'Do MMM', 'h:mm a', 'DDDD W'])}')",
                lambda: f"IF({a(d - 1)}, {t(d - 1)}, {t(d - 1)})",
                lambda: f"REGEX_REPLACE({t(d - 1)}, '[a-c]', 'x')",
                lambda: f"CONCATENATE({a(d - 1)}, {a(d - 1)})",
            ]
        )()

    def date(self, d: int) -> str:
        if d <= 0:
            return self.pick(self.DATES)
        n, a, dt = self.num, self.any, self.date
        return self.pick(
            [
                lambda: f"DATEADD({dt(d - 1)}, {n(d - 1)}, '{self.pick(['days', 'months', 'hours', 'years', 'ms'])}')",
                lambda: f"IF({a(d - 1)}, {dt(d - 1)}, BLANK())",
                lambda: self.pick(self.DATES),
            ]
        )()

    def boolean(self, d: int) -> str:
        a, t, dt = self.any, self.text, self.date
        return self.pick(
            [
                lambda: f"({a(d - 1)} {self.pick(['=', '!=', '<', '>', '<=', '>='])} {a(d - 1)})",
                lambda: f"{self.pick(['AND', 'OR', 'XOR'])}({a(d - 1)}, {a(d - 1)})",
                lambda: f"NOT({a(d - 1)})",
                lambda: f"ISERROR({a(d - 1)})",
                lambda: f"{self.pick(['IS_BEFORE', 'IS_AFTER'])}({dt(d - 1)}, {dt(d - 1)})",
                lambda: f"REGEX_MATCH({t(d - 1)}, '^[a-z]')",
            ]
        )()

    def any(self, d: int) -> str:
        if d <= 0:
            return self.pick([self.num, self.text])(0)
        return self.pick([self.num, self.text, self.date, self.boolean])(d)


def test_random_formulas_agree(conn: sa.Connection) -> None:
    """Differential check on 150 random formulas: whatever compiles must agree with Python on every row."""
    gen = RandomFormulas(20261125)
    compiled_count = 0
    mismatches = []
    for _ in range(150):
        source = gen.any(gen.rng.randint(1, 4))
        tree = parse(source)
        try:
            compiled = compile_sql_full(tree, resolver, now=NOW, record_id=rows_table.c.id)
        except NotCompilable:
            continue
        compiled_count += 1
        error = compiled.error if compiled.error is not None else sa.false()
        query = sa.select(rows_table.c.id, compiled.value, error).order_by(rows_table.c.id)
        try:
            results = conn.execute(query).all()
        finally:
            conn.rollback()
        for rid, value, err in results:
            py = evaluate(tree, context(rid))
            if not agree(py, value, err):
                mismatches.append((source, rid, py, value, err))
    assert compiled_count > 100
    assert not mismatches, mismatches[:3]
