"""A light reader of STEP physical files (ISO 10303-21) for product structure (pure Python).

It reads the header (schema, file name, author, originating system) and, from the data section, only
the entities that carry the product structure: PRODUCT, PRODUCT_DEFINITION_FORMATION(_WITH_SPECIFIED_
SOURCE), PRODUCT_DEFINITION and NEXT_ASSEMBLY_USAGE_OCCURRENCE (one per placed instance of a child in
its parent) or QUANTIFIED_ASSEMBLY_COMPONENT_USAGE (one for a counted number of instances). Every
other entity is only counted. This covers AP203, AP214 and AP242 alike: they share these entities.
Geometry (B-rep solids) is not evaluated; see the README for why.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

SCHEMAS = (  # FILE_SCHEMA name (prefix, upper case) -> application protocol
    ("CONFIG_CONTROL_DESIGN", "AP203"),
    ("AP203_CONFIGURATION_CONTROLLED_3D_DESIGN", "AP203"),
    ("AUTOMOTIVE_DESIGN", "AP214"),
    ("AP214", "AP214"),
    ("AP242", "AP242"),
)
STRUCTURE = {
    "PRODUCT",
    "PRODUCT_DEFINITION_FORMATION",
    "PRODUCT_DEFINITION_FORMATION_WITH_SPECIFIED_SOURCE",
    "PRODUCT_DEFINITION",
    "NEXT_ASSEMBLY_USAGE_OCCURRENCE",
    # One occurrence standing for several instances; its quantity is a MEASURE_WITH_UNIT (a count).
    "QUANTIFIED_ASSEMBLY_COMPONENT_USAGE",
    "MEASURE_WITH_UNIT",
}
SOLIDS = {"MANIFOLD_SOLID_BREP", "BREP_WITH_VOIDS", "FACETED_BREP", "SHELL_BASED_SURFACE_MODEL"}

# One statement: "#12 = NAME ( ... ) ;" with ';' allowed inside quoted strings ('' escapes a quote).
_STATEMENT = re.compile(r"#(\d+)\s*=\s*((?:[^;']|'(?:[^']|'')*')*);", re.S)
_NAME = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(")
_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<ref>#\d+)|(?P<enum>\.[A-Za-z0-9_]+\.)|(?P<num>[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)"
    r"|(?P<open>\()|(?P<close>\))|(?P<comma>,)|(?P<null>[$*])|(?P<typed>[A-Za-z_][A-Za-z0-9_]*\s*\())",
    re.S,
)


class StepSyntaxError(ValueError):
    pass


def decode_string(raw: str) -> str:
    """A STEP string literal's text: quotes unescaped, \\X2\\...\\X0\\ (UTF-16), \\X4\\ and \\X\\hh decoded."""
    text = raw[1:-1].replace("''", "'")
    if "\\" not in text:
        return text

    def x2(m: re.Match[str]) -> str:
        hexes = m.group(1)
        return "".join(chr(int(hexes[i : i + 4], 16)) for i in range(0, len(hexes) - 3, 4))

    def x4(m: re.Match[str]) -> str:
        hexes = m.group(1)
        return "".join(chr(int(hexes[i : i + 8], 16)) for i in range(0, len(hexes) - 7, 8))

    text = re.sub(r"\\X2\\([0-9A-Fa-f]*)\\X0\\", x2, text)
    text = re.sub(r"\\X4\\([0-9A-Fa-f]*)\\X0\\", x4, text)
    text = re.sub(r"\\X\\([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), text)
    return text.replace("\\\\", "\\")


def parse_params(text: str) -> list[Any]:
    """The parameter list of one entity ("('a',#2,$,(1.,2.))") as Python values: str, Ref, float, None, list."""
    pos = 0
    stack: list[list[Any]] = []
    out: list[Any] | None = None
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            if text[pos:].strip() == "":
                break
            raise StepSyntaxError(f"unexpected {text[pos : pos + 20]!r}")
        pos = m.end()
        kind = m.lastgroup
        if kind in ("open", "typed"):
            stack.append([])
        elif kind == "close":
            if not stack:
                raise StepSyntaxError("unbalanced parenthesis")
            done = stack.pop()
            if stack:
                stack[-1].append(done)
            else:
                out = done
                break
        elif kind == "comma":
            continue
        elif not stack:
            raise StepSyntaxError("value outside a parameter list")
        elif kind == "str":
            stack[-1].append(decode_string(m.group("str")))
        elif kind == "ref":
            stack[-1].append(Ref(int(m.group("ref")[1:])))
        elif kind == "num":
            stack[-1].append(float(m.group("num")))
        elif kind == "enum":
            stack[-1].append(m.group("enum"))
        else:
            stack[-1].append(None)
    if out is None:
        raise StepSyntaxError("unterminated parameter list")
    return out


@dataclass(frozen=True, slots=True)
class Ref:
    id: int


@dataclass
class Product:
    id: str
    name: str
    description: str


@dataclass
class StepModel:
    schema: str = ""
    protocol: str | None = None
    header: dict[str, Any] = field(default_factory=dict)
    entity_counts: Counter[str] = field(default_factory=Counter)
    products: dict[int, Product] = field(default_factory=dict)  # PRODUCT instance -> product
    definitions: dict[int, int] = field(default_factory=dict)  # PRODUCT_DEFINITION -> PRODUCT instance
    # (parent PD, child PD, instances): one per NEXT_ASSEMBLY_USAGE_OCCURRENCE, or a quantified usage's count
    usages: list[tuple[int, int, int]] = field(default_factory=list)
    errors: int = 0


def parse(text: str) -> StepModel:
    """Read a whole STEP file's text. Raises StepSyntaxError when it is not a Part 21 file."""
    head = text[:200].lstrip("\ufeff \r\n\t")
    if not head.upper().startswith("ISO-10303-21"):
        raise StepSyntaxError("not an ISO 10303-21 file")
    model = StepModel()
    upper = text.upper()
    data_at = upper.find("DATA;")
    if data_at < 0:
        raise StepSyntaxError("no DATA section")
    _header(text[:data_at], model)
    formations: dict[int, int] = {}  # formation -> PRODUCT
    pds: dict[int, int] = {}  # PD -> formation
    measures: dict[int, float] = {}  # MEASURE_WITH_UNIT -> value
    quantified: list[tuple[int, int, Any]] = []  # parent PD, child PD, quantity (a reference, resolved at the end)
    for m in _STATEMENT.finditer(text, data_at + 5):
        body = m.group(2)
        nm = _NAME.match(body)
        if nm is None:  # complex instance "(A() B())": count its parts
            for part in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(", body):
                model.entity_counts[part.upper()] += 1
            continue
        name = nm.group(1).upper()
        model.entity_counts[name] += 1
        if name not in STRUCTURE:
            continue
        try:
            params = parse_params(body[nm.end() - 1 :])
        except StepSyntaxError:
            model.errors += 1
            continue
        ident = int(m.group(1))
        if name == "PRODUCT" and len(params) >= 3:
            model.products[ident] = Product(_s(params[0]), _s(params[1]), _s(params[2]))
        elif name.startswith("PRODUCT_DEFINITION_FORMATION") and len(params) >= 3 and isinstance(params[2], Ref):
            formations[ident] = params[2].id
        elif name == "PRODUCT_DEFINITION" and len(params) >= 3 and isinstance(params[2], Ref):
            pds[ident] = params[2].id
        elif name == "NEXT_ASSEMBLY_USAGE_OCCURRENCE" and len(params) >= 5:
            parent, child = params[3], params[4]
            if isinstance(parent, Ref) and isinstance(child, Ref):
                model.usages.append((parent.id, child.id, 1))
        elif name == "QUANTIFIED_ASSEMBLY_COMPONENT_USAGE" and len(params) >= 7:
            parent, child = params[3], params[4]
            if isinstance(parent, Ref) and isinstance(child, Ref):
                quantified.append((parent.id, child.id, params[6]))
        elif name == "MEASURE_WITH_UNIT" and params:
            value = params[0][0] if isinstance(params[0], list) and params[0] else params[0]
            if isinstance(value, float):
                measures[ident] = value
    for parent, child, quantity in quantified:
        count = measures.get(quantity.id) if isinstance(quantity, Ref) else quantity
        if isinstance(count, float) and count >= 1 and count == int(count):
            model.usages.append((parent, child, int(count)))
        else:
            model.usages.append((parent, child, 1))  # a non-count quantity (a length of stock): one usage
    for pd, formation in pds.items():
        product = formations.get(formation)
        if product in model.products:
            model.definitions[pd] = product
    return model


def _s(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _header(text: str, model: StepModel) -> None:
    for name, key in (("FILE_NAME", "file_name"), ("FILE_SCHEMA", "schema"), ("FILE_DESCRIPTION", "description")):
        m = re.search(rf"{name}\s*(\((?:[^;']|'(?:[^']|'')*')*\))\s*;", text, re.I | re.S)
        if m is None:
            continue
        try:
            params = parse_params(m.group(1))
        except StepSyntaxError:
            continue
        if key == "schema":
            schemas = params[0] if params and isinstance(params[0], list) else params
            model.schema = ", ".join(s for s in schemas if isinstance(s, str))
            upper = model.schema.upper()
            model.protocol = next((ap for prefix, ap in SCHEMAS if upper.startswith(prefix)), None)
        elif key == "file_name":
            names = ("name", "time_stamp", "author", "organization", "preprocessor", "originating_system",
                     "authorization")  # fmt: skip
            for label, value in zip(names, params, strict=False):
                if isinstance(value, list):
                    value = ", ".join(v for v in value if isinstance(v, str) and v)
                if isinstance(value, str) and value:
                    model.header[label] = value[:500]
        else:
            descriptions = params[0] if params and isinstance(params[0], list) else []
            text_desc = "; ".join(d for d in descriptions if isinstance(d, str) and d)
            if text_desc:
                model.header["description"] = text_desc[:500]
