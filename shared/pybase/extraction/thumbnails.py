"""Previews for attachments: DXF as SVG (ezdxf's drawing add-on, no matplotlib) and the first PDF page
as PNG (pypdfium2, when installed). Renderers are imported only when a preview is made.
"""

from __future__ import annotations

import importlib.util
import io
from dataclasses import dataclass
from pathlib import Path

from pybase.extraction.errors import CorruptFile, EncryptedFile, FileTooLarge, RendererUnavailable


@dataclass(frozen=True, slots=True)
class Thumbnail:
    content_type: str
    data: bytes
    width: int
    height: int

    @property
    def extension(self) -> str:
        return {"image/svg+xml": ".svg", "image/png": ".png"}[self.content_type]


def renderers() -> dict[str, str | None]:
    """Which renderer each format would use here (None: no preview possible)."""
    dxf = "ezdxf.svg" if importlib.util.find_spec("ezdxf") else None
    has_pdfium = importlib.util.find_spec("pypdfium2") and importlib.util.find_spec("PIL")
    return {"dxf": dxf, "pdf": "pypdfium2" if has_pdfium else None}


def _bytes(source: bytes | str | Path) -> bytes:
    return Path(source).read_bytes() if isinstance(source, str | Path) else bytes(source)


def dxf_to_svg(
    source: bytes | str | Path, *, max_px: int = 800, max_entities: int = 50_000, text_entities_limit: int = 2_000
) -> Thumbnail:
    """Render model space (or the first sheet with content) to an SVG at most `max_px` on its longer side."""
    from ezdxf.addons.drawing import Frontend, RenderContext, layout, svg
    from ezdxf.addons.drawing.config import Configuration, TextPolicy

    from pybase.extraction.extractors.dxf import _read

    data = _bytes(source)
    doc, _ = _read(data, Path(source) if isinstance(source, str | Path) else None)
    msp = doc.modelspace()
    if len(msp) == 0:  # drawings kept on sheets only: show the first sheet with content
        msp = next((layout for layout in doc.layouts if len(layout)), msp)
    if len(msp) > max_entities:
        raise FileTooLarge(
            f"The drawing has {len(msp)} entities; previews are made up to {max_entities}.",
            details={"entities": len(msp), "max_entities": max_entities},
        )
    backend = svg.SVGBackend()
    # Glyph outlines dominate time and size on busy drawings, and at thumbnail scale text is a few
    # pixels high anyway: draw it as filled boxes there.
    policy = TextPolicy.FILLING if len(msp) <= text_entities_limit else TextPolicy.REPLACE_FILL
    Frontend(RenderContext(doc), backend, config=Configuration(text_policy=policy)).draw_layout(msp, finalize=True)
    page = layout.Page(0, 0, layout.Units.px, layout.Margins.all(4), max_width=max_px, max_height=max_px)
    # A coordinate space of 25x the pixel size keeps numbers short without visible rounding.
    settings = layout.Settings(fit_page=True, output_coordinate_space=max(max_px, 100) * 25)
    text = backend.get_string(page, settings=settings)
    w, h = _svg_size(text)
    return Thumbnail("image/svg+xml", text.encode("utf-8"), w, h)


def _svg_size(text: str) -> tuple[int, int]:
    import re

    m = re.search(r'<svg[^>]*\bwidth="([\d.]+)([a-z]*)"[^>]*\bheight="([\d.]+)', text[:2000])
    if m is None:
        return (0, 0)
    per_px = {"mm": 25.4 / 96, "cm": 2.54 / 96, "in": 1 / 96, "pt": 72 / 96}.get(m.group(2), 1.0)
    return round(float(m.group(1)) / per_px), round(float(m.group(3)) / per_px)


def pdf_first_page_png(source: bytes | str | Path, *, max_px: int = 800) -> Thumbnail:
    if renderers()["pdf"] is None:
        raise RendererUnavailable("No PDF renderer is installed (pypdfium2 and Pillow are needed).")
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(_bytes(source))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise EncryptedFile("The PDF is password-protected.", details={"format": "pdf"}) from None
        raise CorruptFile(f"The PDF cannot be rendered: {exc}", details={"format": "pdf"}) from None
    try:
        if len(pdf) == 0:
            raise CorruptFile("The PDF has no pages.", details={"format": "pdf"})
        page = pdf[0]
        width, height = page.get_size()
        scale = max_px / max(width, height, 1.0)
        image = page.render(scale=scale).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        return Thumbnail("image/png", out.getvalue(), image.width, image.height)
    finally:
        pdf.close()


def make_thumbnail(source: bytes | str | Path, *, format: str, max_px: int = 800) -> Thumbnail:
    """`format` is a registry name ("dxf", "pdf"), e.g. from the extraction result."""
    if format == "dxf":
        return dxf_to_svg(source, max_px=max_px)
    if format == "pdf":
        return pdf_first_page_png(source, max_px=max_px)
    raise RendererUnavailable(f"No preview renderer for {format!r}.", details={"format": format})
