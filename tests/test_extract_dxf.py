"""DXF extraction on generated drawings: every dimension type, attributes, title blocks, failures."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from pybase.extraction import extract
from pybase.extraction.errors import CorruptFile, EmptyFile, ExtractionError, FileTooLarge, UnsupportedFormat
from pybase.extraction.results import DxfResult, Limits, result_from_dict
from tests.fixtures import make_cad


@pytest.fixture(scope="module")
def dxf_bytes() -> bytes:
    return make_cad.make_dxf()


@pytest.fixture(scope="module")
def result(dxf_bytes: bytes) -> DxfResult:
    res = extract(dxf_bytes, filename="housing.dxf")
    assert isinstance(res, DxfResult)
    return res


def _dims(result: DxfResult, kind: str):
    return [d for d in result.dimensions if d.kind == kind]


def test_header_units_and_counts(result: DxfResult) -> None:
    assert result.format == "dxf" and result.filename == "housing.dxf" and not result.recovered
    assert result.units == "mm" and result.dxf_version == "AC1024"
    assert result.metadata["$INSUNITS"] == 4 and result.metadata["$LASTSAVEDBY"] == "pybase-tests"
    assert result.metadata["$TDCREATE"].startswith("20")  # julian date converted to ISO
    assert result.metadata["custom"] == {"PROJECT": "Gearbox"}
    assert result.entity_counts == {
        "ARC": 1, "CIRCLE": 1, "DIMENSION": 11, "INSERT": 3, "LINE": 3, "LWPOLYLINE": 1, "MTEXT": 1, "TEXT": 1
    }  # fmt: skip
    assert result.extents is not None and result.extents.source == "computed"
    assert (result.extents.min.x, result.extents.min.y, result.extents.max.x, result.extents.max.y) == (0, 0, 420, 297)
    assert len(result.sha256) == 64 and result.size_bytes > 0 and result.duration_ms is not None


def test_layers(result: DxfResult) -> None:
    layers = {layer.name: layer for layer in result.layers}
    assert layers["HIDDEN"].linetype == "DASHED" and layers["HIDDEN"].color == 3
    assert layers["OFFLAYER"].on is False and layers["OFFLAYER"].color == 5
    assert layers["FROZEN"].frozen is True and layers["FROZEN"].on is True
    assert layers["OUTLINE"].on and not layers["OUTLINE"].frozen


def test_texts(result: DxfResult) -> None:
    texts = {(t.kind, t.text): t for t in result.texts}
    note = texts[("TEXT", "GENERAL TOLERANCES ISO 2768-m")]
    assert note.layer == "NOTES" and (note.position.x, note.position.y) == (20, 120) and note.height == 3.5
    assert ("MTEXT", "BREAK ALL EDGES\nDEBURR") in texts  # MTEXT codes (\\P) become plain text


def test_blocks_and_attributes(result: DxfResult) -> None:
    blocks = {b.name: b for b in result.blocks}
    assert blocks["TITLEBLOCK"].attdefs == list(make_cad.TITLE_ATTRIBS) and blocks["TITLEBLOCK"].references == 1
    assert blocks["BOLT"].references == 2 and blocks["BOLT"].attdefs == ["SIZE", "PART_NO"]
    assert not any(name.startswith("*") for name in blocks)
    bolts = [i for i in result.inserts if i.block == "BOLT"]
    assert [b.attributes for b in bolts] == [
        {"SIZE": "M8x1.25", "PART_NO": "ISO 4017-M8"},
        {"SIZE": "M10", "PART_NO": "ISO 4017-M10"},
    ]
    assert bolts[0].layer == "OUTLINE" and (bolts[0].position.x, bolts[0].position.y) == (50, 200)


def test_title_block_from_attributes(result: DxfResult) -> None:
    tb = result.title_block
    assert tb is not None and tb.source == "attributes" and tb.block == "TITLEBLOCK"
    assert tb.fields == {
        "drawing_number": "PB-1001", "title": "Bearing housing", "revision": "C", "date": "2026-11-25",
        "scale": "1:2", "material": "AlMg3", "author": "A. Engineer",
    }  # fmt: skip


def test_title_block_from_plain_text() -> None:
    res = extract(make_cad.make_dxf_text_titleblock(), filename="plate.dxf")
    assert res.units == "in"
    tb = res.title_block
    assert tb is not None and tb.source == "text"
    assert tb.fields == {
        "title": "MOUNTING PLATE", "drawing_number": "MP-2002", "revision": "B", "scale": "1:1",
        "author": "J. Doe", "material": "6061-T6", "date": "2026-01-15",
    }  # fmt: skip


def test_linear_with_symmetric_dimstyle_tolerance(result: DxfResult) -> None:
    dim = _dims(result, "linear")[0]
    assert (dim.measurement, dim.value, dim.unit, dim.layer) == (100, 100, "mm", "DIMS")
    assert dim.text == "100 ±0.05"
    tol = dim.tolerance
    assert (tol.type, tol.source, tol.plus, tol.minus, tol.upper, tol.lower) == (
        "symmetric", "dimstyle", 0.05, -0.05, 100.05, 99.95
    )  # fmt: skip


def test_aligned_with_deviation(result: DxfResult) -> None:
    (dim,) = _dims(result, "aligned")
    assert dim.measurement == pytest.approx(60)
    assert dim.text == "60 +0.20/-0.10"
    tol = dim.tolerance
    assert (tol.type, tol.plus, tol.minus, tol.upper, tol.lower) == ("deviation", 0.2, -0.1, 60.2, 59.9)


def test_linear_with_limits(result: DxfResult) -> None:
    dim = next(d for d in result.dimensions if d.tolerance and d.tolerance.type == "limits")
    assert dim.kind == "linear" and dim.measurement == 60 and dim.text == "60.10/59.90"
    assert (dim.tolerance.upper, dim.tolerance.lower) == (60.1, 59.9)


def test_tolerance_written_in_text(result: DxfResult) -> None:
    stacked = next(d for d in result.dimensions if d.text == "100 +0.2/-0.1")
    assert stacked.tolerance.source == "text" and stacked.tolerance.type == "deviation"
    assert (stacked.tolerance.upper, stacked.tolerance.lower) == (100.2, 99.9)
    override = next(d for d in result.dimensions if d.text == "25.4 ±0.05")
    # The author's text wins over the measured 25 mm: the drawing shows 25.4.
    assert (override.value, override.measurement) == (25.4, 25)
    assert (override.tolerance.upper, override.tolerance.lower) == (25.45, 25.35)


def test_diameter_radius_angular_ordinate(result: DxfResult) -> None:
    (dia,) = _dims(result, "diameter")
    assert (dia.value, dia.text, dia.unit) == (20, "Ø20 H7", "mm")
    assert (dia.tolerance.type, dia.tolerance.fit, dia.tolerance.upper, dia.tolerance.lower) == (
        "deviation", "H7", 20.021, 20.0
    )  # fmt: skip
    (rad,) = _dims(result, "radial")
    assert (rad.value, rad.text) == (15, "R15")
    (ang,) = _dims(result, "angular")
    assert (ang.value, ang.unit, ang.text) == (pytest.approx(30), "deg", "30°")
    (ang3,) = _dims(result, "angular_3p")
    assert (ang3.value, ang3.unit) == (pytest.approx(90), "deg")
    (ox,) = _dims(result, "ordinate_x")
    (oy,) = _dims(result, "ordinate_y")
    assert (ox.value, oy.value) == (100, 60)
    assert all(d.handle and d.position for d in result.dimensions)


def test_json_round_trip(result: DxfResult) -> None:
    data = json.loads(json.dumps(result.to_dict()))
    again = result_from_dict(data)
    assert isinstance(again, DxfResult) and again == result


def test_path_and_binary_input(tmp_path, dxf_bytes: bytes) -> None:
    path = tmp_path / "drawing.dxf"
    path.write_bytes(dxf_bytes)
    from_path = extract(path)
    assert from_path.filename == "drawing.dxf" and len(from_path.dimensions) == 11

    import ezdxf

    doc = ezdxf.read(io.StringIO(dxf_bytes.decode("utf-8")))
    stream = io.BytesIO()
    doc.write(stream, fmt="bin")
    binary = extract(stream.getvalue(), filename="drawing.dxf")
    assert binary.title_block.fields["drawing_number"] == "PB-1001" and len(binary.dimensions) == 11


def test_limits_truncate_and_report(dxf_bytes: bytes) -> None:
    res = extract(dxf_bytes, limits=Limits(max_dimensions=3, max_texts=1, max_inserts=1, max_text_chars=5))
    assert len(res.dimensions) == 3 and res.truncated["dimensions"] == 8
    assert len(res.texts) == 1 and res.truncated["texts"] == 1 and res.texts[0].truncated
    assert res.texts[0].text == "GENER"
    assert len(res.inserts) == 1 and res.truncated["inserts"] == 2


def test_damaged_file_is_recovered() -> None:
    res = extract(make_cad.make_damaged_dxf(), filename="bad.dxf")
    assert res.recovered is True and res.warnings[0].startswith("recover:")
    assert res.entity_counts["DIMENSION"] == 11 and res.title_block.fields["drawing_number"] == "PB-1001"


def test_truncated_file_is_recovered() -> None:
    res = extract(make_cad.make_truncated_dxf(), filename="cut.dxf")
    assert res.recovered is True and res.entity_counts["INSERT"] == 3 and len(res.dimensions) == 11


@pytest.mark.parametrize(
    ("data", "error", "code"),
    [
        (b"", EmptyFile, "empty"),
        (b"  0\nSECTION\n" + bytes(range(256)) * 20, CorruptFile, "corrupt"),
        (b"this is not a drawing", CorruptFile, "corrupt"),  # named .dxf but not DXF
        (make_cad.make_corrupt_dxf(), CorruptFile, "corrupt"),  # DXF structure, nothing recoverable
    ],
)
def test_failures(data: bytes, error: type[ExtractionError], code: str) -> None:
    with pytest.raises(error) as info:
        extract(data, filename="x.dxf")
    assert info.value.code == code and info.value.message
    assert info.value.to_dict()["error"]["code"] == code


def test_unexpected_failure_inside_extraction_is_typed(dxf_bytes: bytes, monkeypatch) -> None:
    from pybase.extraction.extractors.dxf import DxfExtractor

    def broken(self, doc):  # type: ignore[no-untyped-def]
        raise KeyError("layer table")

    monkeypatch.setattr(DxfExtractor, "_layers", broken)
    with pytest.raises(CorruptFile) as info:
        extract(dxf_bytes, filename="odd.dxf")
    assert info.value.details == {"format": "dxf", "exception": "KeyError"}


def test_too_large_and_unknown(dxf_bytes: bytes, tmp_path) -> None:
    with pytest.raises(FileTooLarge) as info:
        extract(dxf_bytes, limits=Limits(max_bytes=1000))
    assert info.value.code == "too_large" and info.value.details["size_bytes"] == len(dxf_bytes)
    big = tmp_path / "big.dxf"
    big.write_bytes(dxf_bytes)
    with pytest.raises(FileTooLarge):
        extract(big, limits=Limits(max_bytes=1000))  # checked before the file is read
    with pytest.raises(UnsupportedFormat) as info:
        extract(b"PK\x03\x04zipdata", filename="x.zip")
    assert info.value.code == "unsupported_format" and info.value.details["supported"] == ["dxf", "ifc", "pdf", "step"]


def test_registry_imports_no_cad_libraries() -> None:
    code = (
        "import sys; import pybase.extraction, pybase.extraction.extractors as r, pybase.extraction.results, "
        "pybase.extraction.dimensions, pybase.extraction.titleblock, pybase.extraction.tables, "
        "pybase.extraction.thumbnails; "
        "assert r.detect_format(b'%PDF-1.7').name == 'pdf'; "
        "assert r.detect_format(b'  0\\nSECTION\\n  2\\nHEADER\\n').name == 'dxf'; "
        "heavy = [m for m in ('ezdxf', 'pypdf', 'pypdfium2', 'numpy') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=str(__import__("pathlib").Path(__file__).parents[1]))


def test_svg_thumbnail(dxf_bytes: bytes) -> None:
    from pybase.extraction.thumbnails import make_thumbnail

    thumb = make_thumbnail(dxf_bytes, format="dxf", max_px=400)
    assert thumb.content_type == "image/svg+xml" and thumb.extension == ".svg"
    assert thumb.data.startswith(b"<?xml") and b"<svg" in thumb.data and b"<path" in thumb.data
    assert max(thumb.width, thumb.height) == 400
