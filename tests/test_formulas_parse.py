"""Formula syntax: tokens, precedence, error positions, references and name/ID rewriting, type inference."""

from __future__ import annotations

import pytest

from pybase.formulas import (
    Binary,
    Call,
    FieldInfo,
    FieldRef,
    FormulaError,
    Literal,
    display_references,
    evaluate,
    evaluation_order,
    infer_type,
    load_formula,
    parse,
    prepare_formula,
    references,
    resolve_references,
)
from pybase.formulas.nodes import walk


def test_precedence_and_literals() -> None:
    tree = parse("1 + 2 * 3 & 'x' = \"7x\"")
    assert isinstance(tree, Binary) and tree.op == "="
    assert evaluate(tree) is True
    assert evaluate(parse("-2 * -3")) == 6
    assert evaluate(parse("(1 + 2) * 3")) == 9
    assert evaluate(parse("10 / 4 - 1")) == 1.5
    assert evaluate(parse(".5 + 1e2 + 2.")) == 102.5
    assert evaluate(parse("1 <> 2")) is True
    assert evaluate(parse("true")) is True and evaluate(parse("FALSE()")) is False
    assert evaluate(parse("2 <= 2")) is True and evaluate(parse("3 >= 4")) is False
    assert evaluate(parse('\'it\\\'s\' & "a \\"q\\"\\n"')) == 'it\'sa "q"\n'
    assert evaluate(parse("if(1, 'a', 'b')")) == "a"  # function names are case-insensitive
    assert evaluate(parse("/* note */ 1 + /* two */ 2")) == 3


def test_field_references_braced_bare_and_escaped() -> None:
    tree = parse(r"{Unit price} * Qty + {Odd \} name \\ here}")
    assert references(tree) == {"Unit price", "Qty", "Odd } name \\ here"}
    refs = sorted((n for n in walk(tree) if isinstance(n, FieldRef)), key=lambda n: n.start)
    assert [r.braced for r in refs] == [True, False, True]
    assert evaluate(tree, {"Unit price": 2.5, "Qty": 4, "Odd } name \\ here": 1}) == 11


@pytest.mark.parametrize(
    ("source", "offset", "line", "column", "fragment"),
    [
        ("1 +", 3, 1, 4, "end of formula"),
        ("IF(1, 2", 7, 1, 8, "')'"),
        ("1 + * 2", 4, 1, 5, "Unexpected '*'"),
        ("{Name", 0, 1, 1, "missing '}'"),
        ("'abc", 0, 1, 1, "Unterminated string"),
        ("1 +\n  2 $ 3", 8, 2, 5, "Unexpected character '$'"),
        ("(1 + 2", 6, 1, 7, "')'"),
        ("1 2", 2, 1, 3, "after a complete expression"),
        ("", 0, 1, 1, "empty"),
        ("SUM(1,,2)", 6, 1, 7, "Missing argument"),
        ("{}", 0, 1, 1, "Empty field reference"),
        ("1 + /* open", 4, 1, 5, "comment"),
    ],
)
def test_syntax_error_positions(source: str, offset: int, line: int, column: int, fragment: str) -> None:
    with pytest.raises(FormulaError) as info:
        parse(source)
    err = info.value
    assert err.position is not None
    assert (err.position.offset, err.position.line, err.position.column) == (offset, line, column)
    assert fragment.lower() in err.reason.lower()
    assert err.details == {"position": {"offset": offset, "line": line, "column": column}}
    assert err.status_code == 422


def test_unknown_function_and_arity() -> None:
    with pytest.raises(FormulaError) as info:
        parse("1 + FOO({a})")
    assert "Unknown function FOO()" in info.value.reason and info.value.position.offset == 4  # type: ignore[union-attr]
    with pytest.raises(FormulaError) as info:
        parse("IF(1)")
    assert "at least 2" in info.value.reason
    with pytest.raises(FormulaError) as info:
        parse("\n  LEN('a', 'b')")
    assert "exactly 1" in info.value.reason and info.value.position.line == 2  # type: ignore[union-attr]
    with pytest.raises(FormulaError) as info:
        parse("NOW(1)")
    assert "exactly 0" in info.value.reason
    with pytest.raises(FormulaError) as info:
        parse("DATEADD(NOW(), 1, 'fortnights')")
    assert "unknown unit" in info.value.reason and info.value.position.offset == 18  # type: ignore[union-attr]
    with pytest.raises(FormulaError) as info:
        parse("REGEX_MATCH('a', '(')")
    assert "invalid regular expression" in info.value.reason
    with pytest.raises(FormulaError):
        parse("LAST_MODIFIED_TIME(1)")
    assert isinstance(parse("FOO(1)", validate=False), Call)


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(FormulaError):
        parse("(" * 500 + "1" + ")" * 500)


FIELDS = [
    FieldInfo("fldPRICE0000000a", "Unit price", "number"),
    FieldInfo("fldQTY000000000b", "Qty", "number"),
    FieldInfo("fldNAME00000000c", "Name {x}", "text"),
    FieldInfo("fldDUE000000000d", "Due", "date"),
    FieldInfo("fldTAGS00000000e", "Tags", "array"),
]


def test_resolve_and_display_round_trip() -> None:
    text = "IF({Unit price} * Qty > 10, {Name {x\\}} & '!', /* keep */ LEN({Name {x\\}}))"
    prepared = prepare_formula(text, FIELDS)
    assert prepared.stored == (
        "IF({fldPRICE0000000a} * {fldQTY000000000b} > 10, {fldNAME00000000c} & '!', /* keep */ LEN({fldNAME00000000c}))"
    )
    assert prepared.field_ids == {"fldPRICE0000000a", "fldQTY000000000b", "fldNAME00000000c"}
    assert prepared.result_type == "text"
    names = {f.id: f.name for f in FIELDS}
    assert display_references(prepared.stored, names) == text.replace("Qty", "{Qty}")
    # A rename changes only the display.
    renamed = {**names, "fldQTY000000000b": "Quantity"}
    assert "{Quantity}" in display_references(prepared.stored, renamed)
    # Users may type IDs too.
    assert prepare_formula("{fldQTY000000000b} + 1", FIELDS).stored == "{fldQTY000000000b} + 1"
    # Function names are not mistaken for bare field names.
    assert resolve_references("LEN(Qty)", {"Qty": "fldQ", "LEN": "fldL"}) == "LEN({fldQ})"


def test_unknown_and_deleted_fields_are_positioned_errors() -> None:
    with pytest.raises(FormulaError) as info:
        prepare_formula("{Qty} + {Missing}", FIELDS)
    assert "Unknown field {Missing}" in info.value.reason and info.value.position.offset == 8  # type: ignore[union-attr]
    with pytest.raises(FormulaError) as info:
        prepare_formula("1 + Nope", FIELDS)
    assert info.value.position.column == 5  # type: ignore[union-attr]
    stored = prepare_formula("{Qty} * 2", FIELDS).stored
    assert load_formula(stored, FIELDS).result_type == "number"
    with pytest.raises(FormulaError) as info:
        load_formula(stored, [f for f in FIELDS if f.name != "Qty"])
    assert "fldQTY000000000b" in info.value.reason and info.value.position.offset == 0  # type: ignore[union-attr]
    # A deleted field shows as its ID so the user sees what broke.
    assert display_references(stored, {}) == "{fldQTY000000000b} * 2"


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("{Unit price} * 2", "number"),
        ("{Name {x\\}} & 1", "text"),
        ("{Due}", "date"),
        ("DATEADD({Due}, 1, 'days')", "date"),
        ("{Qty} > 3", "boolean"),
        ("IF({Qty}, 1, BLANK())", "number"),
        ("IF({Qty}, 1, 'x')", "text"),
        ("SWITCH({Qty}, 1, NOW(), 2, TODAY())", "date"),
        ("{Tags}", "array"),
        ("ARRAYUNIQUE({Tags})", "array"),
        ("AND({Qty}, 1)", "boolean"),
        ("DATETIME_FORMAT({Due}, 'YYYY')", "text"),
        ("BLANK()", "text"),
        ("LEN({Name {x\\}})", "number"),
    ],
)
def test_infer_type(source: str, kind: str) -> None:
    prepared = prepare_formula(source, FIELDS)
    assert prepared.result_type == kind
    assert infer_type(parse(source), {f.name: f.kind for f in FIELDS}) == kind


def test_literal_nodes_keep_spans() -> None:
    tree = parse("  'abc'  ")
    assert isinstance(tree, Literal) and (tree.start, tree.end) == (2, 7)


def test_evaluation_order_and_cycles() -> None:
    deps = {"fldC": {"fldB", "fldX"}, "fldB": {"fldA"}, "fldA": {"fldX"}}
    assert evaluation_order(deps) == ["fldA", "fldB", "fldC"]
    with pytest.raises(FormulaError) as info:
        evaluation_order({"fldA": {"fldB"}, "fldB": {"fldA"}})
    assert "{fldA} -> {fldB} -> {fldA}" in info.value.reason


def test_field_names_match_case_insensitively_when_unambiguous() -> None:
    assert resolve_references("{qty} + {UNIT PRICE}", {"Qty": "fldQ", "Unit price": "fldU"}) == "{fldQ} + {fldU}"
    with pytest.raises(FormulaError):
        resolve_references("{name}", {"Name": "fldA", "NAME": "fldB"})
    assert resolve_references("{Name}", {"Name": "fldA", "NAME": "fldB"}) == "{fldA}"


def test_json_shapes_of_results() -> None:
    from datetime import UTC, datetime

    from pybase.formulas import to_json_value

    assert to_json_value(evaluate(parse("SQRT(-1)"))) == {"error": "#ERROR!"}
    assert to_json_value(evaluate(parse("1/0"))) == {"specialValue": "Infinity"}
    assert to_json_value(evaluate(parse("-1/0"))) == {"specialValue": "-Infinity"}
    assert to_json_value(evaluate(parse("'abc' * 2"))) == {"specialValue": "NaN"}
    assert to_json_value(evaluate(parse("NOW()"), {})).endswith("Z")
    assert to_json_value(datetime(2024, 1, 2, 3, 4, 5, 6000, tzinfo=UTC)) == "2024-01-02T03:04:05.006Z"
    assert to_json_value(3.0) == 3 and to_json_value([1.5, None]) == [1.5, None]
