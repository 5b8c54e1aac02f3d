"""Static analysis: field references, name <-> ID rewriting, result type inference."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pybase.formulas import lexer as lx
from pybase.formulas.errors import FormulaError, Position
from pybase.formulas.nodes import Binary, Call, FieldRef, Literal, Node, Unary, walk
from pybase.formulas.parser import parse
from pybase.formulas.registry import get_function

RESULT_KINDS = ("number", "text", "date", "boolean", "array")


def references(node: Node) -> set[str]:
    """Every field name (or ID, in a resolved tree) the formula refers to."""
    return {n.name for n in walk(node) if isinstance(n, FieldRef)}


def rewrite_references(source: str, mapper: Callable[[str, Position], str]) -> str:
    """Rewrite each field reference in `source` to `{mapper(name, position)}`, keeping everything else.

    Rewriting the text (not re-printing a tree) preserves the author's spacing, comments and casing.
    Function names are never field references: `NAME(` is a call."""
    tokens = lx.tokenize(source)
    out: list[str] = []
    pos = 0
    for i, tok in enumerate(tokens):
        is_ref = tok.kind == lx.FIELD or (
            tok.kind == lx.IDENT and tokens[i + 1].kind != lx.LPAREN and tok.value.upper() not in ("TRUE", "FALSE")
        )
        if not is_ref:
            continue
        out.append(source[pos : tok.start])
        out.append(lx.quote_field(mapper(tok.value, Position.at(source, tok.start))))
        pos = tok.end
    out.append(source[pos:])
    return "".join(out)


def resolve_references(source: str, name_to_id: Mapping[str, str], *, accept_ids: bool = True) -> str:
    """User text -> storage text: `{Field name}` becomes `{fldXXXX}`. IDs already present are kept when
    `accept_ids` and known. Unknown names raise FormulaError at their position."""
    known_ids = set(name_to_id.values())
    folded: dict[str, str | None] = {}
    for field_name, field_id in name_to_id.items():
        key = field_name.casefold()
        folded[key] = None if key in folded and folded[key] != field_id else field_id

    def mapper(name: str, position: Position) -> str:
        if name in name_to_id:
            return name_to_id[name]
        if accept_ids and name in known_ids:
            return name
        # A different case still finds the field when only one field has that name.
        found = folded.get(name.casefold())
        if found:
            return found
        raise FormulaError(f"Unknown field {lx.quote_field(name)}", position)

    return rewrite_references(source, mapper)


def display_references(stored: str, id_to_name: Mapping[str, str], *, missing: str | None = None) -> str:
    """Storage text -> user text: `{fldXXXX}` becomes `{Field name}`. A reference to a field that no longer
    exists stays as its ID (or becomes `missing` if given), so the user sees what is broken."""

    def mapper(field_id: str, position: Position) -> str:
        if field_id in id_to_name:
            return id_to_name[field_id]
        return missing if missing is not None else field_id

    return rewrite_references(stored, mapper)


def infer_type(node: Node, field_kind: Callable[[str], str] | Mapping[str, str]) -> str:
    """The formula's result kind: number, text, date, boolean or array (mixed branches give text)."""
    kind = _static_type(node, field_kind.get if isinstance(field_kind, Mapping) else field_kind)
    return "text" if kind in ("blank", None) else kind


def _static_type(node: Node, field_kind: Callable[[str], str | None]) -> str:
    if isinstance(node, Literal):
        if isinstance(node.value, bool):
            return "boolean"
        return "number" if isinstance(node.value, float) else "text"
    if isinstance(node, FieldRef):
        return field_kind(node.name) or "text"
    if isinstance(node, Unary):
        return "number"
    if isinstance(node, Binary):
        if node.op == "&":
            return "text"
        return "number" if node.op in ("+", "-", "*", "/") else "boolean"
    if isinstance(node, Call):
        spec = get_function(node.name)
        if spec is None:
            return "text"
        return spec.type_for([_static_type(arg, field_kind) for arg in node.args])
    return "text"


@dataclass(frozen=True)
class FieldInfo:
    """What the formula layer needs to know about a field."""

    id: str
    name: str
    kind: str  # number | text | date | boolean | array


@dataclass(frozen=True)
class PreparedFormula:
    """A validated formula ready to store and run: `stored` uses field IDs, `tree` is parsed from it."""

    stored: str
    tree: Node
    field_ids: frozenset[str]
    result_type: str


def prepare_formula(text: str, fields: list[FieldInfo] | tuple[FieldInfo, ...]) -> PreparedFormula:
    """Validate user text against a table's fields and turn it into its stored form.

    Raises FormulaError (with position) for syntax errors, unknown functions, wrong arity, bad literal
    units or regexes, and unknown field names."""
    parse(text)  # syntax and function errors first, positioned in the user's text
    by_name = {f.name: f.id for f in fields}
    stored = resolve_references(text, by_name)
    tree = parse(stored)
    kinds = {f.id: f.kind for f in fields}
    return PreparedFormula(stored, tree, frozenset(references(tree)), infer_type(tree, kinds))


def load_formula(stored: str, fields: list[FieldInfo] | tuple[FieldInfo, ...]) -> PreparedFormula:
    """Re-check a stored formula (e.g. after fields changed); FormulaError if it refers to a missing field."""
    tree = parse(stored)
    kinds = {f.id: f.kind for f in fields}
    for node in walk(tree):
        if isinstance(node, FieldRef) and node.name not in kinds:
            raise FormulaError(f"Unknown field {lx.quote_field(node.name)}", Position.at(stored, node.start))
    return PreparedFormula(stored, tree, frozenset(references(tree)), infer_type(tree, kinds))


def evaluation_order(dependencies: Mapping[str, set[str] | frozenset[str]]) -> list[str]:
    """Order formula fields so each comes after the formula fields it reads.

    `dependencies` maps each formula field ID to the field IDs it references (PreparedFormula.field_ids);
    references to non-formula fields are ignored. Raises FormulaError naming a cycle."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1 = in progress, 2 = done

    def visit(field_id: str, path: list[str]) -> None:
        if state.get(field_id) == 2:
            return
        if state.get(field_id) == 1:
            cycle = [*path[path.index(field_id) :], field_id]
            raise FormulaError("Circular formula references: " + " -> ".join(lx.quote_field(f) for f in cycle))
        state[field_id] = 1
        for dep in sorted(dependencies[field_id]):
            if dep in dependencies:
                visit(dep, [*path, field_id])
        state[field_id] = 2
        order.append(field_id)

    for field_id in sorted(dependencies):
        visit(field_id, [])
    return order
