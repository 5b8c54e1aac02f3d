"""STEP (AP203, AP214, AP242) product structure with the light Part 21 reader: parts, assembly tree,
quantities, names with escaped characters, the indented parts list as a BOM table, damaged files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pybase.extraction import CorruptFile, extract
from pybase.extraction.extractors import detect_format
from pybase.extraction.results import StepResult, result_from_dict
from pybase.extraction.step import decode_string, parse_params
from pybase.files.service import FILE_KINDS
from pybase.jobs.mapping import get_source
from tests.fixtures import make_cad

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("protocol", ["AP203", "AP214", "AP242"])
def test_parts_and_quantities(protocol: str) -> None:
    res = extract(make_cad.make_step(protocol), filename="gearbox.stp")
    assert isinstance(res, StepResult) and res.protocol == protocol
    parts = {p.part_number: p for p in res.parts}
    assert {k: (p.name, p.description) for k, p in parts.items()} == make_cad.STEP_PARTS
    assert {k: p.quantity for k, p in parts.items()} == make_cad.STEP_TOTALS
    assert parts["S-8"].parents == ["A-100", "SA-10"] and parts["SA-10"].assembly and not parts["P-1"].assembly
    assert res.solids == 3 and res.entity_counts["NEXT_ASSEMBLY_USAGE_OCCURRENCE"] == 12
    assert res.metadata["author"] == "A. Engineer" and res.metadata["originating_system"] == "make_cad"
    assert res.geometry is None  # no Lambda-sized kernel evaluates B-rep solids


def test_assembly_tree() -> None:
    res = extract(make_cad.make_step(), filename="gearbox.step")
    (root,) = res.assembly
    assert (root.part_number, root.quantity) == ("A-100", 1)
    kids = {c.part_number: c for c in root.children}
    assert {k: c.quantity for k, c in kids.items()} == {"P-1": 1, "S-8": 6, "SA-10": 2}
    assert {c.part_number: c.quantity for c in kids["SA-10"].children} == {"P-2": 1, "S-8": 2}
    assert result_from_dict(res.to_dict()) == res


def test_bom_table_maps_like_a_drawing_bom() -> None:
    data = extract(make_cad.make_step("AP242"), filename="gearbox.stp").to_dict()
    (table,) = data["tables"]
    assert table["kind"] == "bom"
    source = get_source("bom")
    rows = source.rows(data, source.default_options(data))
    usage = {(r["PARENT"], r["PART NUMBER"]): int(r["QTY"]) for r in rows}
    assert usage == {("", "A-100"): 1, **{(p, c): n for p, c, n in make_cad.STEP_USAGES}}
    assert next(c for c in source.columns(data, {}) if c.name == "QTY").type == "number"
    shaft = next(r for r in rows if r["PART NUMBER"] == "P-2")
    assert shaft["NAME"] == "Shaft Ø20" and shaft["LEVEL"] == "2"  # \\X2\\00D8\\X0\\ decoded


def test_reader_details() -> None:
    assert decode_string("'it''s \\X2\\00D8\\X0\\20 \\X\\E4'") == "it's Ø20 ä"
    params = parse_params("('a;b',#12,$,*,.T.,(1.,2.5E1),MEASURE(3.))")
    assert params[0] == "a;b" and params[1].id == 12 and params[2] is None and params[3] is None
    assert params[4] == ".T." and params[5] == [1.0, 25.0] and params[6] == [3.0]


def test_ifc_and_step_are_told_apart_by_schema() -> None:
    assert detect_format(make_cad.make_step()[:4096]).name == "step"
    ifc_head = b"ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION((''),'2;1');\nFILE_NAME('','',(''),(''),'','','');\n"
    assert detect_format(ifc_head + b"FILE_SCHEMA(('IFC4'));\nENDSEC;\n").name == "ifc"


@pytest.mark.parametrize(
    "data",
    [b"ISO-10303-21;\nHEADER;\nFILE_SCHEMA(('AUTOMOTIVE_DESIGN'));\nENDSEC;\n",  # no DATA section
     b"not a step file at all"],
)  # fmt: skip
def test_damaged_step_fails_cleanly(data: bytes) -> None:
    with pytest.raises(CorruptFile):
        extract(data, filename="broken.stp")


def test_no_products_is_reported() -> None:
    data = (
        b"ISO-10303-21;\nHEADER;\nFILE_SCHEMA(('CONFIG_CONTROL_DESIGN'));\nENDSEC;\nDATA;\n"
        b"#1=CARTESIAN_POINT('',(0.,0.,0.));\nENDSEC;\nEND-ISO-10303-21;\n"
    )
    res = extract(data, filename="points.stp")
    assert res.parts == [] and "no PRODUCT" in res.warnings[0]


def test_uploads_of_step_and_ifc_are_extracted() -> None:
    """Every file kind with an extractor reaches the extract queue (serverless.yml suffix rules)."""
    template = (ROOT / "serverless.yml").read_text()
    suffixes = set(re.findall(r"Name: suffix, Value: (\.\w+)\}", template))
    for ext, kind in FILE_KINDS.items():
        if kind.extract:
            assert ext in suffixes, ext
    assert {FILE_KINDS[e].extract for e in (".step", ".stp", ".ifc")} == {"step", "ifc"}


def test_quantified_usage_counts_its_instances() -> None:
    text = make_cad.make_step("AP214").decode()
    lines = text.split("\n")
    usages = [ln for ln in lines if "NEXT_ASSEMBLY_USAGE_OCCURRENCE" in ln]
    # The six screws of the top assembly: one quantified usage of 6 instead of six occurrences.
    pair = usages[1].split(",")[3:5]
    top_screws = [ln for ln in usages if ln.split(",")[3:5] == pair]
    assert len(top_screws) == 6
    kept = [ln for ln in lines if ln not in top_screws[1:]]
    kept[kept.index(top_screws[0])] = (
        f"#9001=QUANTIFIED_ASSEMBLY_COMPONENT_USAGE('Q1','screws','',{pair[0]},{pair[1]},$,#9002);\n"
        "#9002=MEASURE_WITH_UNIT(COUNT_MEASURE(6.),#9003);"
    )
    res = extract("\n".join(kept).encode(), filename="gearbox.stp")
    assert {p.part_number: p.quantity for p in res.parts} == make_cad.STEP_TOTALS
    assert res.entity_counts["NEXT_ASSEMBLY_USAGE_OCCURRENCE"] == 6 and res.entity_counts["MEASURE_WITH_UNIT"] == 1
