"""Airtable-compatible formulas: parse, validate, resolve field names to IDs, evaluate in Python,
compile to PostgreSQL, infer result types. See README.md in this package for the semantics."""

from __future__ import annotations

from pybase.formulas.analysis import (
    FieldInfo,
    PreparedFormula,
    display_references,
    evaluation_order,
    infer_type,
    load_formula,
    prepare_formula,
    references,
    resolve_references,
    rewrite_references,
)
from pybase.formulas.errors import FormulaError, NotCompilable, Position
from pybase.formulas.evaluator import RecordContext, convert_value, evaluate
from pybase.formulas.integration import (
    KIND_BY_FIELD_TYPE,
    SqlText,
    compile_sql_text,
    jsonb_field_expr,
    jsonb_resolver,
    kind_for_field_type,
    render_sql,
    text_resolver,
)
from pybase.formulas.lexer import quote_field, tokenize
from pybase.formulas.nodes import Binary, Call, FieldRef, Literal, Node, Unary
from pybase.formulas.parser import parse, parse_cached
from pybase.formulas.registry import FunctionSpec, all_functions, get_function
from pybase.formulas.sql import SqlFormula, compile_sql, compile_sql_full
from pybase.formulas.values import ErrorValue, to_json_value, to_text, truthy

__all__ = [
    "KIND_BY_FIELD_TYPE",
    "Binary",
    "Call",
    "ErrorValue",
    "FieldInfo",
    "FieldRef",
    "FormulaError",
    "FunctionSpec",
    "Literal",
    "Node",
    "NotCompilable",
    "Position",
    "PreparedFormula",
    "RecordContext",
    "SqlFormula",
    "SqlText",
    "Unary",
    "all_functions",
    "compile_sql",
    "compile_sql_full",
    "compile_sql_text",
    "convert_value",
    "display_references",
    "evaluate",
    "evaluation_order",
    "get_function",
    "infer_type",
    "jsonb_field_expr",
    "jsonb_resolver",
    "kind_for_field_type",
    "load_formula",
    "parse",
    "parse_cached",
    "prepare_formula",
    "quote_field",
    "references",
    "render_sql",
    "resolve_references",
    "rewrite_references",
    "text_resolver",
    "to_json_value",
    "to_text",
    "tokenize",
    "truthy",
]
