"""PDF extraction on generated sheets: metadata, pages, form fields, BOM tables, title block, dimensions, failures."""

from __future__ import annotations

import json

import pytest

from pybase.extraction import extract
from pybase.extraction.errors import (
    CorruptFile,
    EmptyFile,
    EncryptedFile,
    ExtractionError,
    FileTooLarge,
    UnsupportedFormat,
)
from pybase.extraction.results import Limits, PdfResult, result_from_dict
from pybase.extraction.tables import Fragment, find_tables
from tests.fixtures import make_cad


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return make_cad.make_pdf()


@pytest.fixture(scope="module")
def result(pdf_bytes: bytes) -> PdfResult:
    res = extract(pdf_bytes, filename="housing.pdf", content_type="application/pdf")
    assert isinstance(res, PdfResult)
    return res


def test_metadata_and_pages(result: PdfResult) -> None:
    meta = result.metadata
    assert (meta["title"], meta["author"], meta["subject"]) == (
        "Bearing housing assembly",
        "A. Engineer",
        "Assembly drawing",
    )
    assert meta["keywords"] == "bearing housing bom" and meta["created"].startswith("20")
    assert result.page_count == 2 and not result.encrypted and result.warnings == []
    first, second = result.pages
    assert (first.width_mm, first.height_mm) == (297.0, 210.0)  # A4 landscape
    assert (second.width_mm, second.height_mm) == (210.0, 297.0)
    assert "BEARING HOUSING ASSEMBLY" in first.text and "PARTS LIST" in second.text


def test_form_fields(result: PdfResult) -> None:
    fields = {f.name: (f.type, f.value) for f in result.form_fields}
    assert fields == {"approved_by": ("Tx", "B. Checker"), "project": ("Tx", "Gearbox"), "released": ("Btn", "Yes")}


def test_bom_tables(result: PdfResult) -> None:
    bom, parts = result.tables
    assert (bom.page, bom.kind, bom.header) == (1, "bom", ["ITEM", "PART NO", "DESCRIPTION", "QTY", "MATERIAL"])
    assert len(bom.rows) == 5
    assert bom.rows[2] == {
        "ITEM": "3", "PART NO": "ISO 4762-M8x20", "DESCRIPTION": "Socket head cap screw", "QTY": "4",
        "MATERIAL": "8.8 steel",
    }  # fmt: skip
    assert bom.rows[3]["MATERIAL"] == ""  # an empty cell stays empty, the row does not shift
    assert (parts.page, parts.header) == (2, ["POS", "QTY", "PART NUMBER", "DESCRIPTION"])
    assert parts.rows == [
        {"POS": "6", "QTY": "2", "PART NUMBER": "PB-1001-06", "DESCRIPTION": "Shim 0.5 mm"},
        {"POS": "7", "QTY": "8", "PART NUMBER": "ISO 7089-8", "DESCRIPTION": "Washer"},
    ]


def test_title_block(result: PdfResult) -> None:
    tb = result.title_block
    assert tb is not None and tb.source == "text"
    assert tb.fields == {
        "drawing_number": "PB-1001", "title": "Bearing housing", "revision": "C", "scale": "1:2",
        "date": "2026-11-25", "material": "AlMg3", "author": "A. Engineer",
    }  # fmt: skip


def test_dimensions_with_tolerances(result: PdfResult) -> None:
    dims = {d.text: d for d in result.dimensions if d.page == 1}
    bore = dims["Ø12 H7"]
    assert (bore.kind, bore.value, bore.unit, bore.tolerance.fit) == ("diameter", 12, "mm", "H7")
    assert (bore.tolerance.type, bore.tolerance.upper, bore.tolerance.lower) == ("deviation", 12.018, 12.0)
    length = dims["25.4 ±0.05 mm"]
    assert (length.value, length.unit, length.tolerance.upper, length.tolerance.lower) == (25.4, "mm", 25.45, 25.35)
    shoulder = dims["10 +0.2/-0.1"]
    assert (shoulder.tolerance.type, shoulder.tolerance.plus, shoulder.tolerance.minus) == ("deviation", 0.2, -0.1)
    pin = dims["10.02/9.98"]
    assert (pin.tolerance.type, pin.value, pin.tolerance.upper, pin.tolerance.lower) == ("limits", 10, 10.02, 9.98)
    thread = dims["M8x1.25-6g"]
    assert (thread.kind, thread.pitch, thread.thread_class) == ("thread", 1.25, "6g")
    assert dims["4x Ø6.6"].count == 4 and dims["45°"].unit == "deg"
    assert bore.position is not None and bore.position.x > 0
    # Plain numbers (item numbers, quantities, "PCD 80") are not dimensions.
    assert not any(d.text in ("4", "80", "3") for d in result.dimensions)


def test_json_round_trip(result: PdfResult) -> None:
    data = json.loads(json.dumps(result.to_dict()))
    assert result_from_dict(data) == result


def test_encrypted_with_password_fails_clearly() -> None:
    data = make_cad.make_pdf(owner_password="owner", user_password="secret")
    with pytest.raises(EncryptedFile) as info:
        extract(data, filename="locked.pdf")
    assert info.value.code == "encrypted" and "password" in info.value.message


def test_encrypted_without_user_password_is_read() -> None:
    res = extract(make_cad.make_pdf(owner_password="owner"), filename="restricted.pdf")
    assert res.encrypted is True and res.tables[0].rows[0]["PART NO"] == "PB-1001-01"


@pytest.mark.parametrize(
    ("data", "error", "code"),
    [
        (b"", EmptyFile, "empty"),
        (b"%PDF-1.4\n", CorruptFile, "corrupt"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 40, CorruptFile, "corrupt"),
        (b"<html>not a pdf</html>", CorruptFile, "corrupt"),  # named .pdf, content is not
    ],
)
def test_failures(data: bytes, error: type[ExtractionError], code: str) -> None:
    with pytest.raises(error) as info:
        extract(data, filename="x.pdf")
    assert info.value.code == code and info.value.to_dict()["error"]["message"]


def test_corrupt_and_truncated(pdf_bytes: bytes) -> None:
    with pytest.raises(CorruptFile):
        extract(make_cad.make_corrupt_pdf(), filename="bad.pdf")
    with pytest.raises(CorruptFile):
        extract(pdf_bytes[:1500], filename="cut.pdf")


def test_too_large_and_unknown(pdf_bytes: bytes) -> None:
    with pytest.raises(FileTooLarge) as info:
        extract(pdf_bytes, limits=Limits(max_bytes=len(pdf_bytes) - 1))
    assert info.value.code == "too_large" and info.value.details["max_bytes"] == len(pdf_bytes) - 1
    with pytest.raises(UnsupportedFormat):
        extract(b"GIF89a\x01\x00", filename="picture.gif", content_type="image/gif")


def test_page_and_dimension_limits() -> None:
    data = make_cad.make_big_pdf(pages=6)
    res = extract(data, limits=Limits(max_pages=4, max_dimensions=10, max_page_text_chars=100))
    assert res.page_count == 6 and len(res.pages) == 4 and res.truncated["pages"] == 2
    assert len(res.dimensions) == 10 and res.truncated["dimensions"] == 4 * 40 * 2 - 10
    assert all(p.text_truncated and len(p.text) == 100 for p in res.pages)


def test_table_detection_handles_split_headers_and_stops_at_gaps() -> None:
    frags = [
        Fragment("POS", 10, 700, 9), Fragment("PART", 40, 700, 9), Fragment("NO", 62, 700, 9),
        Fragment("QTY", 140, 700, 9),
        Fragment("1", 10, 688, 9), Fragment("A-1", 40, 688, 9), Fragment("2", 142, 688, 9),
        Fragment("2", 10, 676, 9), Fragment("B-2", 40, 676, 9), Fragment("10", 141, 676, 9),
        Fragment("Notes far below the table", 10, 500, 9), Fragment("x", 140, 500, 9),
    ]  # fmt: skip
    (table,) = find_tables(frags, page=3)
    assert table.header == ["POS", "PART NO", "QTY"] and table.kind == "bom"
    assert table.rows == [{"POS": "1", "PART NO": "A-1", "QTY": "2"}, {"POS": "2", "PART NO": "B-2", "QTY": "10"}]


def test_text_matrix_scaled_fonts() -> None:
    res = extract(make_cad.make_scaled_text_pdf(), filename="chrome.pdf")
    (table,) = res.tables
    assert table.header == ["ITEM", "QTY", "DESCRIPTION"]
    assert table.rows == [
        {"ITEM": "1", "QTY": "2", "DESCRIPTION": "Hex nut M6"},
        {"ITEM": "2", "QTY": "12", "DESCRIPTION": "Washer 6.4"},
    ]
    (dim,) = [d for d in res.dimensions if d.kind == "length"]
    assert (dim.value, dim.unit, dim.tolerance.plus, dim.tolerance.minus) == (40, "mm", 0.1, -0.2)


def test_no_tables_in_prose() -> None:
    frags = [Fragment(f"line {i} of text", 10, 700 - 12 * i, 9) for i in range(20)]
    assert find_tables(frags) == []


def test_png_thumbnail(pdf_bytes: bytes) -> None:
    from pybase.extraction.thumbnails import make_thumbnail, renderers

    if renderers()["pdf"] is None:
        pytest.skip("no PDF renderer installed")
    thumb = make_thumbnail(pdf_bytes, format="pdf", max_px=300)
    assert thumb.content_type == "image/png" and thumb.data.startswith(b"\x89PNG")
    assert thumb.width == 300 and thumb.height in (212, 213)  # A4 landscape, rounded by the renderer
    with pytest.raises(EncryptedFile):
        make_thumbnail(make_cad.make_pdf(owner_password="o", user_password="u"), format="pdf")
