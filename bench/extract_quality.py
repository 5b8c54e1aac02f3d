"""Extraction quality on a generated corpus whose contents are known: precision and recall per kind.

    python bench/extract_quality.py [--drawings 40] [--seed 7]

Generates DXF sheets (parts lists drawn with lines and text, header at the top or the bottom, or stored
as ACAD_TABLE; dimension callouts written as TEXT/MTEXT among decoy notes; a title block in paper or
model space among PART_NUMBER/MATERIAL balloons), PDF sheets (a BOM whose cells name screws and
spacers by size, beside real callouts), IFC models (with ifcopenshell, when installed) and STEP
assemblies (AP203/AP214/AP242), extracts each, and compares what came out with what was put in:

  tables        one item per BOM row (all cells equal)
  dimensions    one item per callout (kind, nominal, tolerance); decoys found count as false positives
  title blocks  one item per title-block field (field, value)
  ifc elements  one item per element (class, name, storey, properties, quantities)
  step parts    one item per part (part number, name, total quantity)
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]

from pybase.extraction import extract, iso286  # noqa: E402
from tests.fixtures import make_cad  # noqa: E402

DECOYS = ["SEE NOTE 3", "GENERAL TOLERANCES ISO 2768-m", "BREAK ALL EDGES", "PB-4411 REV 2", "DO NOT SCALE",
          "ITEM 4 OPTIONAL", "2 PLACES", "FINISH: ANODISED", "SEE DETAIL A 2:1", "ISO 1302 Ra 1.6",
          "TORQUE 25 Nm", "WEIGHT 2.5 kg"]  # fmt: skip
HEADERS = [("ITEM", "PART NUMBER", "DESCRIPTION", "QTY"), ("POS", "PART NO", "NAME", "QTY"),
           ("ITEM NO", "DWG NO", "DESCRIPTION", "QUANTITY")]  # fmt: skip
PARTS = ["SOCKET HEAD CAP SCREW", "DEEP GROOVE BALL BEARING",
         "ISO 4762 M8x20", "DIN 912 M6x16", "SPACER Ø10", "PB-200", "PB-210", "WASHER 8.4", "NUT M8",
         "PIN Ø6x30", "BRACKET", "COVER", "SHAFT Ø20 h6", "BEARING 6204"]  # fmt: skip


class Score:
    def __init__(self) -> None:
        self.tp: Counter[str] = Counter()
        self.fp: Counter[str] = Counter()
        self.fn: Counter[str] = Counter()

    def add(self, kind: str, expected: Iterable[Any], found: Iterable[Any]) -> None:
        want, got = Counter(expected), Counter(found)
        hit = sum((want & got).values())
        self.tp[kind] += hit
        self.fp[kind] += sum(got.values()) - hit
        self.fn[kind] += sum(want.values()) - hit

    def rows(self) -> list[tuple[str, int, int, float, float]]:
        out = []
        for kind in sorted(set(self.tp) | set(self.fp) | set(self.fn)):
            tp, fp, fn = self.tp[kind], self.fp[kind], self.fn[kind]
            precision = tp / (tp + fp) if tp + fp else 1.0
            recall = tp / (tp + fn) if tp + fn else 1.0
            out.append((kind, tp + fn, tp + fp, precision, recall))
        return out


def _callout(rng: random.Random) -> tuple[str, tuple[Any, ...]]:
    """A dimension callout as written, and what it means: (kind, nominal, plus, minus)."""
    n = rng.choice([6, 8, 10, 12, 16, 20, 25, 40, 50, 63, 80])
    form = rng.randrange(8)
    if form == 6:
        count = rng.randrange(2, 9)
        return f"{count}x Ø{n}.6 THRU", ("diameter", n + 0.6, None, None)
    if form == 7:
        fit = rng.choice(["H7", "h6"])
        plus, minus = iso286.deviations(n, fit) or (None, None)
        return f"Ø{n} {fit}", ("diameter", float(n), plus, minus)
    if form == 0:
        pitch = {6: 1.0, 8: 1.25, 10: 1.5, 12: 1.75, 16: 2.0, 20: 2.5}.get(n, 1.5)
        return f"M{n}x{pitch:g}", ("thread", float(n), None, None)
    if form == 1:
        return f"{n} +0.1/-0.05", ("length", float(n), 0.1, -0.05)
    if form == 2:
        return f"Ø{n}.4mm", ("diameter", n + 0.4, None, None)
    if form == 3:
        return f"{n} \\S+0.2^-0.1;", ("length", float(n), 0.2, -0.1)
    if form == 4:
        return f"{n} %%p0.05", ("length", float(n), 0.05, -0.05)
    return f"R{n}", ("radius", float(n), None, None)


def _bom(rng: random.Random, count: int) -> list[tuple[str, str, str, str]]:
    return [(str(i + 1), f"PB-{rng.randrange(100, 999)}", rng.choice(PARTS), str(rng.randrange(1, 9)))
            for i in range(count)]  # fmt: skip


def _wrapped_grid(space: Any, x0: float, y0: float, widths: list[float], rows: list[tuple[str, ...]], *,
                  wrap: bool) -> None:
    """A grid table drawn with LINEs and TEXTs, rows[0] at the bottom; with `wrap`, a description of
    several words is written on two lines inside its cell (as drafters do in narrow columns)."""
    h = 9.0
    x_end = x0 + sum(widths)
    for r in range(len(rows) + 1):
        space.add_line((x0, y0 + r * h), (x_end, y0 + r * h))
    x = x0
    for w in [*widths, 0.0]:
        space.add_line((x, y0), (x, y0 + len(rows) * h))
        x += w
    for r, row in enumerate(rows):
        x = x0
        for c, (w, value) in enumerate(zip(widths, row, strict=True)):
            words = value.split()
            if wrap and c == 2 and len(words) > 1:
                half = (len(words) + 1) // 2
                lines = [" ".join(words[:half]), " ".join(words[half:])]
            else:
                lines = [value]
            for k, line in enumerate(lines):
                y = y0 + r * h + (5.2 - 3.6 * k if len(lines) > 1 else 3.0)
                space.add_text(line, dxfattribs={"height": 2.2}).set_placement((x + 1.5, y))
            x += w


def make_dxf_sheet(rng: random.Random) -> tuple[bytes, dict[str, Any]]:
    import ezdxf

    doc = ezdxf.new("R2010", setup=True, units=4)
    msp = doc.modelspace()
    make_cad._border(msp)
    header = rng.choice(HEADERS)
    rows = _bom(rng, rng.randrange(2, 7))
    style = rng.choice(["grid_bottom", "grid_top", "acad", "text_only"])
    if style in ("grid_bottom", "grid_top"):
        ordered = [header, *rows] if style == "grid_bottom" else [*reversed(rows), header]
        _wrapped_grid(msp, 230, 60, [15, 55, 55, 15], ordered, wrap=rng.random() < 0.5)
    elif style == "text_only":  # a parts list typed as text in columns, no lines
        for r, row in enumerate([header, *rows]):
            for x, value in zip((230, 245, 300, 355), row, strict=True):
                msp.add_text(value, dxfattribs={"height": 2.5}).set_placement((x, 120 - r * 5))
    callouts = [_callout(rng) for _ in range(rng.randrange(2, 7))]
    y = 200.0
    for text, _ in callouts:
        if "\\S" in text or rng.random() < 0.3:  # MTEXT, sometimes with font formatting around the callout
            content = text if "\\S" in text else "{\\fArial|b0|i0;" + text + "}"
            msp.add_mtext(content, dxfattribs={"insert": (20, y), "char_height": 3.0})
        else:
            msp.add_text(text, dxfattribs={"height": 3.0}).set_placement((20, y))
        y -= 9
    for text in rng.sample(DECOYS, 3):
        msp.add_text(text, dxfattribs={"height": 2.5}).set_placement((120, y))
        y -= 7
    balloon = doc.blocks.new("BALLOON")
    balloon.add_circle((0, 0), 5)
    balloon.add_attdef("PART_NUMBER", (0, 0))
    balloon.add_attdef("MATERIAL", (0, -3))
    for i in range(rng.randrange(1, 4)):
        msp.add_blockref("BALLOON", (60 + 30 * i, 260)).add_auto_attribs({"PART_NUMBER": f"PB-{i}", "MATERIAL": "S235"})
    attribs = {"DWG_NO": f"PB-{rng.randrange(1000, 9999)}", "TITLE": rng.choice(["Cover", "Housing", "Shaft"]),
               "REV": rng.choice("ABCD"), "SCALE": rng.choice(["1:1", "1:2", "2:1"])}  # fmt: skip
    frame = doc.blocks.new("SHEET_FRAME")
    frame.add_lwpolyline([(0, 0), (180, 0), (180, 40), (0, 40)], close=True)
    for i, tag in enumerate(attribs):
        frame.add_attdef(tag, (5, 35 - i * 7), dxfattribs={"height": 2.5})
    where = rng.choice(["paper", "model", "drawn"])
    if where == "drawn":  # drawn with lines and label texts in model space, under the parts list's corner
        make_cad._grid_table(msp, 240, 5, [60, 60, 55], [(attribs["DWG_NO"], attribs["REV"], attribs["SCALE"]),
                                                         ("DWG NO", "REV", "SCALE")])  # fmt: skip
        make_cad._grid_table(msp, 240, 21, [175], [(attribs["TITLE"],), ("TITLE",)])
    else:
        space = doc.layouts.get("Layout1") if where == "paper" else msp
        if space is not msp:
            make_cad._border(space)
        space.add_blockref("SHEET_FRAME", (235, 5)).add_auto_attribs(attribs)
    data = make_cad._to_bytes(doc)
    if style == "acad":
        text = data.decode(doc.output_encoding)
        cells = [["PARTS LIST", "", "", ""], list(header), *[list(r) for r in rows]]
        entity = make_cad._acad_table_tags("FFFF0", msp.block_record_handle, cells, (20.0, 280.0))
        end = text.index("  0\nENDSEC\n", text.index("ENTITIES\n"))
        data = (text[:end] + entity + text[end:]).encode(doc.output_encoding)
    fields = {"drawing_number": attribs["DWG_NO"], "title": attribs["TITLE"], "revision": attribs["REV"],
              "scale": attribs["SCALE"]}  # fmt: skip
    return data, {"rows": rows, "dims": [m for _, m in callouts], "title": fields}


def make_pdf_sheet(rng: random.Random) -> tuple[bytes, dict[str, Any]]:
    from fpdf import FPDF

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    callouts = []
    for i in range(rng.randrange(2, 6)):
        text, meaning = _callout(rng)
        if "\\S" in text or "%%" in text:
            n = meaning[1]
            text, meaning = f"{n:g} ±0.05", ("length", n, 0.05, -0.05)
        pdf.text(20, 20 + 8 * i, text)
        callouts.append(meaning)
    for i, decoy in enumerate(rng.sample(DECOYS, 3)):
        pdf.text(150, 20 + 8 * i, decoy)
    rows = _bom(rng, rng.randrange(2, 7))
    pdf.set_xy(15, 90)
    widths = [15, 50, 50, 15]
    for h, w in zip(["ITEM", "PART NO", "DESCRIPTION", "QTY"], widths, strict=True):
        pdf.cell(w, 6, h, border=1)
    pdf.ln()
    for row in rows:
        pdf.set_x(15)
        for value, w in zip(row, widths, strict=True):
            pdf.cell(w, 6, value, border=1)
        pdf.ln()
    tb = {"drawing_number": f"PB-{rng.randrange(1000, 9999)}", "title": "Bracket", "revision": rng.choice("ABC"),
          "scale": "1:2"}  # fmt: skip
    pdf.set_font("Helvetica", size=8)
    for i, (label, key) in enumerate((("DWG NO:", "drawing_number"), ("TITLE:", "title"), ("REV:", "revision"),
                                      ("SCALE:", "scale"))):  # fmt: skip
        pdf.text(200, 175 + i * 5, label)
        pdf.text(225, 175 + i * 5, tb[key])
    return bytes(pdf.output()), {"rows": rows, "dims": callouts, "title": tb}


def _dim_key(d: Any) -> tuple[Any, ...]:
    tol = d.tolerance
    return (d.kind, round(d.value, 6) if d.value is not None else None,
            tol.plus if tol else None, tol.minus if tol else None)  # fmt: skip


def score_drawing(score: Score, result: Any, truth: dict[str, Any], label: str) -> None:
    found_rows = [tuple(r.values())[:4] for t in result.tables for r in t.rows]
    score.add("tables (BOM rows)", [tuple(r) for r in truth["rows"]], found_rows)
    dims = [d for d in result.dimensions if d.source != "entity"]
    expected = [(k, float(v), p, m) for k, v, p, m in truth["dims"]]
    score.add(f"dimension texts ({label})", expected, [_dim_key(d) for d in dims])
    fields = (result.title_block.fields if result.title_block else {}).items()
    score.add(f"title blocks ({label}, fields)", truth["title"].items(),
              [(k, v) for k, v in fields if k in truth["title"]] + [(k, v) for k, v in fields if k not in truth["title"]
                                                                    and k not in ("material",)])  # fmt: skip


def make_step_assembly(rng: random.Random) -> tuple[bytes, dict[str, tuple[str, int]]]:
    parts = {f"P-{i}": (f"Part {i}", "") for i in range(rng.randrange(3, 8))}
    subs = {f"SA-{i}": (f"Sub-assembly {i}", "") for i in range(rng.randrange(1, 3))}
    usages = []
    for sub in subs:
        for p in rng.sample(sorted(parts), 2):
            usages.append((sub, p, rng.randrange(1, 4)))
    for child in [*subs, *rng.sample(sorted(parts), 2)]:
        usages.append(("TOP", child, rng.randrange(1, 3)))
    products = {"TOP": ("Top assembly", ""), **subs, **parts}
    totals: Counter[str] = Counter({"TOP": 1})

    def walk(node: str, mult: int) -> None:
        for parent, child, n in usages:
            if parent == node:
                totals[child] += mult * n
                walk(child, mult * n)

    walk("TOP", 1)
    saved = (make_cad.STEP_PARTS, make_cad.STEP_USAGES)
    make_cad.STEP_PARTS, make_cad.STEP_USAGES = products, usages  # type: ignore[assignment]
    try:
        data = make_cad.make_step(rng.choice(["AP203", "AP214", "AP242"]))
    finally:
        make_cad.STEP_PARTS, make_cad.STEP_USAGES = saved
    # A product that nothing uses is a top-level product of the file: one of it.
    return data, {p: (products[p][0], totals[p] or 1) for p in products}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drawings", type=int, default=40, help="DXF and PDF sheets each")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    score = Score()
    started = time.perf_counter()
    counts: Counter[str] = Counter()
    for _ in range(args.drawings):
        data, truth = make_dxf_sheet(rng)
        score_drawing(score, extract(data, filename="sheet.dxf"), truth, "DXF")
        counts["DXF"] += 1
        data, truth = make_pdf_sheet(rng)
        score_drawing(score, extract(data, filename="sheet.pdf"), truth, "PDF")
        counts["PDF"] += 1
    for _ in range(max(args.drawings // 4, 3)):
        data, truth = make_step_assembly(rng)
        res = extract(data, filename="assembly.stp")
        score.add("step parts", truth.items(), [(p.part_number, (p.name, p.quantity)) for p in res.parts])
        counts["STEP"] += 1
    if importlib.util.find_spec("ifcopenshell") is not None:
        for schema in ("IFC4", "IFC4X3"):
            res = extract(make_cad.make_ifc(schema), filename="model.ifc")
            expected = [(cls, name, make_cad.IFC_STOREYS[s], repr(sorted(p.items())), repr(sorted(q.items())))
                        for cls, name, s, p, q in make_cad.IFC_ELEMENTS]  # fmt: skip
            found = [(e.type, e.name, e.storey, repr(sorted(next(iter(e.properties.values()), {}).items())),
                      repr(sorted(next(iter(e.quantities.values()), {}).items()))) for e in res.elements]  # fmt: skip
            score.add("ifc elements", expected, found)
            counts["IFC"] += 1
    else:
        print("ifcopenshell is not installed: IFC left out (pip install -e '.[ifc]')")
    elapsed = time.perf_counter() - started
    print(f"corpus: {', '.join(f'{n} {k}' for k, n in counts.items())} (seed {args.seed}), {elapsed:.1f} s\n")
    print(f"| {'kind':<32} | expected | found | precision | recall |")
    print(f"|{'-' * 34}|---------:|------:|----------:|-------:|")
    for kind, expected, found, precision, recall in score.rows():
        print(f"| {kind:<32} | {expected:>8} | {found:>5} | {precision:>9.3f} | {recall:>6.3f} |")


if __name__ == "__main__":
    main()
