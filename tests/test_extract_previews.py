"""DXF previews are bounded (expanded entities, file size, SVG size, time) and draw what can be drawn."""

from __future__ import annotations

import dataclasses
import time

import pytest

from pybase.extraction import extract
from pybase.extraction.errors import EmptyFile, FileTooLarge
from pybase.extraction.thumbnails import PREVIEW_LIMITS, dxf_to_svg
from tests.fixtures import make_cad


def test_nested_blocks_are_counted_expanded_and_refused_fast() -> None:
    data = make_cad.make_nested_blocks_dxf(levels=5)
    result = extract(data, filename="nested.dxf").to_dict()
    # 10 x 10 x 10 x 10 x 10 lines plus the references that place them.
    assert result["expanded_entities"]["Model"] == 100_000 + 111_110
    assert sum(result["entity_counts"].values()) == 10
    started = time.perf_counter()
    with pytest.raises(FileTooLarge, match="once blocks are expanded"):
        dxf_to_svg(data)
    assert time.perf_counter() - started < 5


def test_output_size_time_and_file_size_are_bounded() -> None:
    data = make_cad.make_dxf()
    assert b"<svg" in dxf_to_svg(data).data[:500]
    with pytest.raises(FileTooLarge, match="preview would be"):
        dxf_to_svg(data, limits=dataclasses.replace(PREVIEW_LIMITS, max_svg_bytes=1_000))
    with pytest.raises(FileTooLarge, match="longer than"):
        dxf_to_svg(make_cad.make_big_dxf(3000), limits=dataclasses.replace(PREVIEW_LIMITS, max_seconds=0.0))
    with pytest.raises(FileTooLarge, match="previews are drawn for files up to"):
        dxf_to_svg(data, limits=dataclasses.replace(PREVIEW_LIMITS, max_file_bytes=1_000))


def test_undrawable_entities_are_skipped_and_sheets_used() -> None:
    for maker in (make_cad.make_dxf_with_undrawable_dimension, make_cad.make_paper_space_only_dxf):
        thumb = dxf_to_svg(maker())
        assert thumb.content_type == "image/svg+xml" and thumb.width > 0 and b"<path" in thumb.data


def test_empty_drawing_says_so() -> None:
    import io

    import ezdxf

    stream = io.StringIO()
    ezdxf.new("R2010").write(stream)
    with pytest.raises(EmptyFile, match="nothing to draw"):
        dxf_to_svg(stream.getvalue().encode())


def test_text_clean_up_counts_what_it_replaced() -> None:
    from pybase.extraction.results import clean_json

    cleaned, n = clean_json({"a\x00": ["ok", "bad \udcff\udcfe", {"k": "nul\x00"}], "n": 1.5, "é": "ü"})
    assert cleaned == {"a\ufffd": ["ok", "bad \ufffd\ufffd", {"k": "nul\ufffd"}], "n": 1.5, "é": "ü"} and n == 4
    result = extract(make_cad.make_poison_text_dxf(), filename="poison.dxf").to_dict()
    assert result["replaced_chars"] == 12 and "replaced with U+FFFD" in result["warnings"][-1]
    import json

    json.dumps(result, ensure_ascii=False).encode("utf-8")  # encodable: no lone surrogates left
    assert "\\u0000" not in json.dumps(result)
