"""Deeper DXF extraction: parts lists drawn with lines and text or stored as ACAD_TABLE, dimensions
written in TEXT/MTEXT (stacked tolerances decoded), title blocks by place and attribute names,
declared units."""

from __future__ import annotations

import pytest

from pybase.extraction import extract
from pybase.extraction.results import DxfResult
from pybase.jobs.mapping import get_source
from tests.fixtures import make_cad


@pytest.fixture(scope="module")
def result() -> DxfResult:
    res = extract(make_cad.make_dxf_tables(), filename="cover.dxf")
    assert isinstance(res, DxfResult)
    return res


def _rows(table) -> list[tuple[str, ...]]:  # type: ignore[no-untyped-def]
    return [tuple(row[h] for h in table.header) for row in table.rows]


def test_drawn_parts_list_becomes_a_bom_table(result: DxfResult) -> None:
    drawn = [t for t in result.tables if ("1", "PB-200", "HOUSING", "1") in _rows(t)]
    assert len(drawn) == 1
    table = drawn[0]
    assert table.kind == "bom" and table.header == ["ITEM", "PART NUMBER", "DESCRIPTION", "QTY"]
    assert _rows(table) == make_cad.DRAWN_BOM  # read upwards from the header at the bottom


def test_acad_table_content_becomes_a_bom_table(result: DxfResult) -> None:
    acad = [t for t in result.tables if ("10", "PB-300", "COVER", "1") in _rows(t)]
    assert len(acad) == 1 and acad[0].kind == "bom"
    assert acad[0].header == ["ITEM", "PART NUMBER", "DESCRIPTION", "QTY"]  # the title row is not the header
    assert _rows(acad[0]) == make_cad.ACAD_TABLE_BOM


def test_bom_mapping_works_for_dxf(result: DxfResult) -> None:
    data = result.to_dict()
    source = get_source("bom")
    rows = source.rows(data, source.default_options(data))
    assert {r["PART NUMBER"] for r in rows} == {"PB-200", "ISO 4762 M8x20", "PB-210", "PB-300", "DIN 912 M6x16"}
    assert next(c for c in source.columns(data, {}) if c.name == "QTY").type == "number"


def test_dimensions_in_text_and_mtext(result: DxfResult) -> None:
    scanned = [d for d in result.dimensions if d.source == "text"]
    got = {(d.kind, d.value, d.tolerance.plus if d.tolerance else None, d.tolerance.minus if d.tolerance else None)
           for d in scanned}  # fmt: skip
    expected = {(kind, value, plus, minus) for _, kind, value, plus, minus in make_cad.TEXT_DIMENSIONS}
    assert got == expected
    thread = next(d for d in scanned if d.kind == "thread")
    assert thread.pitch == 1.25 and thread.layer == "NOTES" and thread.handle and thread.position is not None
    stacked = next(d for d in scanned if d.value == 25.4 and d.tolerance)
    assert stacked.text == "25.4 +0.1/-0.0" and stacked.unit == "mm"
    assert stacked.tolerance.upper == 25.5 and stacked.tolerance.lower == 25.4


def test_mtext_stacked_tolerance_is_decoded_not_mangled(result: DxfResult) -> None:
    mtexts = [t.text for t in result.texts if t.kind == "MTEXT"]
    assert mtexts == ["25.4 +0.1/-0.0"]


def test_table_cells_are_not_scanned_as_dimensions(result: DxfResult) -> None:
    texts = {d.text for d in result.dimensions}
    assert not any("M8x20" in t or "M6x16" in t or t == "Ø10" for t in texts), texts


def test_title_block_by_place_and_names_not_the_balloon(result: DxfResult) -> None:
    tb = result.title_block
    assert tb is not None and tb.block == "A3_SHEET"
    assert tb.fields["drawing_number"] == "PB-2001" and tb.fields["revision"] == "B"


def test_balloon_alone_is_not_a_title_block() -> None:
    import ezdxf

    from tests.fixtures.make_cad import _to_bytes

    doc = ezdxf.new("R2010")
    block = doc.blocks.new("TB")  # a name that looks like a title block's
    block.add_attdef("PART_NUMBER", (0, 0))
    block.add_attdef("MATERIAL", (0, -3))
    doc.modelspace().add_blockref("TB", (400, 5)).add_auto_attribs({"PART_NUMBER": "PB-9", "MATERIAL": "S235"})
    res = extract(_to_bytes(doc), filename="part.dxf")
    assert res.title_block is None


def test_blocks_mapping_keeps_the_title_block(result: DxfResult) -> None:
    data = result.to_dict()
    source = get_source("blocks")
    rows = source.rows(data, source.default_options(data))
    assert sorted(r["Block"] for r in rows) == ["A3_SHEET", "BALLOON", "BALLOON", "BALLOON"]
    assert {r["PART_NUMBER"] for r in rows if r["Block"] == "BALLOON"} == {"PB-200", "PB-210", "PB-220"}


@pytest.mark.parametrize(
    ("insunits", "measurement", "units", "system"),
    [(4, 1, "mm", "metric"), (1, 0, "in", "imperial"), (0, None, "unspecified", "unspecified"),
     (None, None, "unspecified", "unspecified")],
)  # fmt: skip
def test_declared_units(insunits: int | None, measurement: int | None, units: str, system: str) -> None:
    res = extract(make_cad.make_dxf_units(insunits, measurement), filename="u.dxf")
    assert (res.units, res.measurement) == (units, system)


def test_title_block_grid_is_not_a_table_and_a_bom_on_it_is() -> None:
    """A title block drawn with lines and label texts, a parts list sitting on it: one BOM table, and the
    title block read from its labels without the parts list's headings."""
    import ezdxf

    doc = ezdxf.new("R2010")
    msp = doc.modelspace()
    make_cad._border(msp)
    make_cad._grid_table(msp, 240, 5, [60, 60, 55], [("A3", "PB-1001", "C"), ("SIZE", "DWG NO", "REV")])
    make_cad._grid_table(msp, 240, 21, [60, 60, 55], [("Bracket", "1:2", "A. Engineer"),
                                                      ("TITLE", "SCALE", "DRAWN BY")])  # fmt: skip
    bom = [("ITEM", "PART NUMBER", "DESCRIPTION", "QTY"), ("1", "PB-9", "PLATE", "2"), ("2", "PB-8", "ROD Ø8", "1")]
    make_cad._grid_table(msp, 240, 37, [15, 90, 55, 15], bom)
    res = extract(make_cad._to_bytes(doc), filename="sheet.dxf")
    (table,) = res.tables
    assert table.kind == "bom" and _rows(table) == [("1", "PB-9", "PLATE", "2"), ("2", "PB-8", "ROD Ø8", "1")]
    assert res.title_block is not None
    assert res.title_block.fields == {"size": "A3", "drawing_number": "PB-1001", "revision": "C", "title": "Bracket",
                                      "scale": "1:2", "author": "A. Engineer"}  # fmt: skip
    assert not res.dimensions  # "ROD Ø8" is a cell, not a callout
