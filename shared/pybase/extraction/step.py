"""A light reader of STEP physical files (ISO 10303-21) for product structure (pure Python).

It reads the header (schema, file name, author, originating system) and, from the data section, only
the entities that carry the product structure: PRODUCT, PRODUCT_DEFINITION_FORMATION(_WITH_SPECIFIED_
SOURCE), PRODUCT_DEFINITION and NEXT_ASSEMBLY_USAGE_OCCURRENCE (one per placed instance of a child in
its parent). Every other entity is only counted. This covers AP203, AP214 and AP242 alike: they share
these entities. Geometry (B-rep solids) is not evaluated; see the README for why.
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
    usages: list[tuple[int, int, str]] = field(default_factory=list)  # (parent PD, child PD, reference designator)
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
                designator = _s(params[5]) if len(params) > 5 else ""
                model.usages.append((parent.id, child.id, designator))
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
