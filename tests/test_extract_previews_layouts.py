"""Previews of drawings whose model space draws nothing: the first layout that draws something is used;
drawings with ACAD_TABLE entities (no geometry block) still get a preview."""

from __future__ import annotations

import pytest

from pybase.extraction.errors import EmptyFile
from pybase.extraction.thumbnails import dxf_to_svg
from tests.fixtures import make_cad


def test_sheet_drawn_when_model_space_draws_nothing() -> None:
    thumb = dxf_to_svg(make_cad.make_dxf_undrawable_model_drawable_sheet())
    assert thumb.content_type == "image/svg+xml" and thumb.width > 0 and thumb.height > 0
    assert b"<path" in thumb.data or b"<circle" in thumb.data


def test_only_undrawable_entities_is_empty_not_an_error() -> None:
    with pytest.raises(EmptyFile):
        _only_dimension()


def _only_dimension() -> None:
    import ezdxf

    doc = ezdxf.new("R2010", setup=True)
    doc.modelspace().add_linear_dim(base=(10, 20), p1=(10, 10), p2=(110, 10))
    dxf_to_svg(make_cad._to_bytes(doc))


def test_drawing_with_tables_has_a_preview() -> None:
    thumb = dxf_to_svg(make_cad.make_dxf_tables())
    assert thumb.content_type == "image/svg+xml" and len(thumb.data) > 1000
