"""Previews for attachments: DXF as SVG (ezdxf's drawing add-on, no matplotlib) and the first PDF page
as PNG (pypdfium2, when installed). Renderers are imported only when a preview is made.
"""

from __future__ import annotations

import importlib.util
import io
import time
from dataclasses import dataclass
from pathlib import Path

from pybase.extraction.errors import CorruptFile, EmptyFile, EncryptedFile, FileTooLarge, RendererUnavailable


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


@dataclass(frozen=True, slots=True)
class PreviewLimits:
    """Bounds of a DXF preview. Expanded entities, not top-level ones: a 22 KB drawing of nested blocks
    draws 100,000 entities (38 s, a 22 MB SVG) while counting a few dozen at the top."""

    max_file_bytes: int = 20 * 1024 * 1024  # above this, parsing a second time alone takes too long
    max_entities: int = 30_000  # expanded
    max_svg_bytes: int = 4 * 1024 * 1024
    max_seconds: float = 20.0


PREVIEW_LIMITS = PreviewLimits()


class _PreviewStopped(Exception):
    """Raised inside the renderer when a bound is reached (never caught by the per-entity guard)."""


def _bounded_frontend(limits: PreviewLimits, deadline: float) -> type:
    from ezdxf.addons.drawing import Frontend

    class BoundedFrontend(Frontend):
        """Counts every drawn entity (nested ones too) against the bounds, and skips an entity that
        cannot be drawn (a dimension without text position, a broken spline) instead of losing the page."""

        drawn = 0
        skipped = 0

        def draw_entity(self, entity, properties):  # type: ignore[no-untyped-def]
            self.drawn += 1
            if self.drawn > limits.max_entities:
                raise _PreviewStopped(f"more than {limits.max_entities} entities to draw")
            if self.drawn % 256 == 0 and time.monotonic() > deadline:
                raise _PreviewStopped(f"drawing took longer than {limits.max_seconds:g} s")
            try:
                super().draw_entity(entity, properties)
            except _PreviewStopped:
                raise
            except Exception as exc:
                self.skipped += 1
                self.pipeline.exit_entity(entity)
                self.skip_entity(entity, f"cannot be drawn: {type(exc).__name__}")

        def skip_entity(self, entity, msg):  # type: ignore[no-untyped-def]
            pass  # ezdxf logs every skipped entity; a preview does not need them

    return BoundedFrontend


def _drawable(layout: object) -> bool:
    # Paper space layouts hold their own VIEWPORT entity even when blank.
    return any(entity.dxftype() != "VIEWPORT" for entity in layout)  # type: ignore[attr-defined]


def dxf_to_svg(
    source: bytes | str | Path,
    *,
    max_px: int = 800,
    limits: PreviewLimits = PREVIEW_LIMITS,
    text_entities_limit: int = 2_000,
) -> Thumbnail:
    """Render model space (or the first layout with something to draw) to an SVG at most `max_px` on its
    longer side, within `limits` (FileTooLarge when a bound is reached, EmptyFile when nothing to draw)."""
    from pybase.extraction.extractors.dxf import _read

    data = _bytes(source)
    if len(data) > limits.max_file_bytes:
        raise FileTooLarge(
            f"The file is {len(data)} bytes; previews are drawn for files up to {limits.max_file_bytes} bytes.",
            details={"size_bytes": len(data), "max_bytes": limits.max_file_bytes},
        )
    deadline = time.monotonic() + limits.max_seconds
    doc, _ = _read(data, Path(source) if isinstance(source, str | Path) else None)
    candidates = [lay for lay in doc.layouts if _drawable(lay)]
    if not candidates:
        raise EmptyFile("The drawing has nothing to draw.", details={"format": "dxf"})
    text: str | None = None
    for page_layout in candidates:
        # A layout whose every entity is skipped (dimensions without geometry, say) draws nothing: the
        # next layout with content is the preview, as when model space is empty.
        text = _render_layout(doc, page_layout, limits, deadline, max_px, text_entities_limit)
        if text is not None:
            break
    if text is None:
        raise EmptyFile("The drawing has nothing that can be drawn.", details={"format": "dxf"})
    if len(text) > limits.max_svg_bytes:
        raise FileTooLarge(
            f"The preview would be {len(text)} bytes; previews are kept up to {limits.max_svg_bytes} bytes.",
            details={"svg_bytes": len(text), "max_svg_bytes": limits.max_svg_bytes},
        )
    w, h = _svg_size(text)
    return Thumbnail("image/svg+xml", text.encode("utf-8"), w, h)


def _render_layout(
    doc: object, page_layout: object, limits: PreviewLimits, deadline: float, max_px: int, text_entities_limit: int
) -> str | None:
    """One layout as SVG text, None when nothing in it can be drawn; FileTooLarge past the bounds."""
    from ezdxf.addons.drawing import RenderContext, layout, svg
    from ezdxf.addons.drawing.config import Configuration, TextPolicy

    from pybase.extraction.extractors.dxf import expansion

    sizes: dict[str, int] = {}
    expanded = 0
    for entity in page_layout:  # type: ignore[attr-defined]
        try:
            expanded += 1 + expansion(doc, entity, entity.dxftype(), sizes)  # type: ignore[arg-type]
        except Exception:
            expanded += 1
    if expanded > limits.max_entities:
        raise FileTooLarge(
            f"The drawing has {expanded} entities once blocks are expanded; previews are drawn up to "
            f"{limits.max_entities}.",
            details={"entities": expanded, "max_entities": limits.max_entities},
        )
    backend = svg.SVGBackend()
    # Glyph outlines dominate time and size on busy drawings, and at thumbnail scale text is a few
    # pixels high anyway: draw it as filled boxes there.
    texts = sum(1 for e in page_layout if e.dxftype() in ("TEXT", "MTEXT"))  # type: ignore[attr-defined]
    policy = TextPolicy.FILLING if texts <= text_entities_limit else TextPolicy.REPLACE_FILL
    frontend_class = _bounded_frontend(limits, deadline)
    frontend = frontend_class(RenderContext(doc), backend, config=Configuration(text_policy=policy))
    try:
        frontend.draw_layout(page_layout, finalize=True)
    except _PreviewStopped as exc:
        raise FileTooLarge(f"No preview within the limits: {exc}.", details={"entities": expanded}) from None
    page = layout.Page(0, 0, layout.Units.px, layout.Margins.all(4), max_width=max_px, max_height=max_px)
    # A coordinate space of 25x the pixel size keeps numbers short without visible rounding.
    settings = layout.Settings(fit_page=True, output_coordinate_space=max(max_px, 100) * 25)
    try:
        return backend.get_string(page, settings=settings)
    except ValueError:  # ezdxf: "empty bounding box" when every entity was skipped
        return None


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
