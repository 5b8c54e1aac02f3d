"""PDF extraction, deeper: part designations in BOM cells stay table data (not dimension callouts),
and scanned PDFs (no text layer) are reported as such instead of an empty success."""

from __future__ import annotations

from pybase.extraction import extract
from pybase.extraction.results import PdfResult
from pybase.jobs.worker import _summary
from tests.fixtures import make_cad


def test_bom_cells_are_not_dimensions_but_callouts_are() -> None:
    res = extract(make_cad.make_pdf_bom_parts(), filename="parts.pdf")
    assert isinstance(res, PdfResult)
    texts = {d.text for d in res.dimensions}
    assert {"Ø25 H7", "M10x1.5"} <= texts, texts
    assert not any("M8x20" in t or t == "Ø10" for t in texts), texts
    (table,) = res.tables
    assert [r["PART NO"] for r in table.rows] == ["ISO 4762 M8x20", "PB-77", "PB-78"]
    assert table.rows[1]["DESCRIPTION"] == "SPACER Ø10"
    assert res.text_layer == "full" and not res.scanned


def test_reference_sheet_bom_screw_is_not_a_thread() -> None:
    res = extract(make_cad.make_pdf(), filename="assembly.pdf")
    assert not any("M8x20" in d.text for d in res.dimensions)
    assert any(d.kind == "thread" and d.pitch == 1.25 for d in res.dimensions)  # the note's M8x1.25-6g


def test_scanned_pdf_is_reported_as_scanned() -> None:
    res = extract(make_cad.make_scanned_pdf(2), filename="scan.pdf")
    assert isinstance(res, PdfResult)
    assert res.scanned and res.text_layer == "none" and res.pages_without_text == 2 and res.page_count == 2
    assert "no text layer" in res.warnings[0] and "OCR" in res.warnings[0]
    summary = _summary(res.to_dict())
    assert summary["scanned"] is True and summary["text_layer"] == "none"
