"""PDF extractor (pypdf): metadata, pages, text, form fields, tables, title block and dimensions.

Text is extracted once per page with a visitor that also records where each fragment sits, so
tables and title blocks come from the same pass as the plain text.
"""

from __future__ import annotations

import io
import logging
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError, PdfStreamError
from pypdf.generic import IndirectObject

from pybase.extraction import titleblock
from pybase.extraction.dimensions import count_dimensions, find_dimensions
from pybase.extraction.errors import CorruptFile, EncryptedFile
from pybase.extraction.extractors.base import Extractor
from pybase.extraction.results import FormField, PageInfo, PdfResult, Point
from pybase.extraction.tables import Fragment, find_tables

PT_TO_MM = 25.4 / 72
_DIGIT = re.compile(r"\d")
_META_KEYS = {
    "/Title": "title", "/Author": "author", "/Subject": "subject", "/Keywords": "keywords",
    "/Creator": "creator", "/Producer": "producer", "/CreationDate": "created", "/ModDate": "modified",
}  # fmt: skip

# pypdf logs every oddity of a damaged file at WARNING; the result's warnings carry what matters.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def _open(data: bytes) -> tuple[PdfReader, bool]:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
    except (FileNotDecryptedError, DependencyError) as exc:
        raise EncryptedFile(f"The PDF is encrypted: {exc}", details={"format": "pdf"}) from None
    except Exception as exc:  # pypdf raises many types for damaged files
        raise CorruptFile(f"The PDF cannot be read: {exc}", details={"format": "pdf"}) from None
    encrypted = bool(reader.is_encrypted)
    if encrypted:
        try:
            ok = reader.decrypt("")
        except DependencyError as exc:
            raise EncryptedFile(
                f"The PDF is encrypted with a cipher this installation cannot open: {exc}", details={"format": "pdf"}
            ) from None
        except Exception as exc:
            raise EncryptedFile(f"The PDF is encrypted: {exc}", details={"format": "pdf"}) from None
        if not ok:
            raise EncryptedFile("The PDF is password-protected.", details={"format": "pdf"})
    return reader, encrypted


def _plain(value: Any) -> Any:
    if isinstance(value, IndirectObject):
        value = value.get_object()
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, list):
        return [_plain(v) for v in value[:50]]
    text = str(value)
    return text[1:] if text.startswith("/") else text[:2000]


def _has_images(page: Any) -> bool:
    """Whether the page paints an image XObject (a scanned sheet is one image per page)."""
    try:
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources is not None else None
        if xobjects is None:
            return False
        xobjects = xobjects.get_object()
        return any(xobjects[name].get_object().get("/Subtype") == "/Image" for name in xobjects)
    except Exception:  # a damaged resource dictionary: not evidence of a scan
        return False


class PdfExtractor(Extractor):
    name = "pdf"

    def _extract(self, data: bytes, *, path: Path | None, filename: str | None) -> PdfResult:
        reader, encrypted = _open(data)
        limits = self.limits
        result = PdfResult(**self._common(data, filename), encrypted=encrypted)  # type: ignore[arg-type]
        try:
            page_count = len(reader.pages)
        except Exception as exc:
            raise CorruptFile(f"The PDF page tree cannot be read: {exc}", details={"format": "pdf"}) from None
        result.page_count = page_count
        result.metadata = self._metadata(reader, result)
        result.form_fields = self._form_fields(reader, result)
        failed = textless = images = 0
        title_texts: list[titleblock.PlacedText] = []
        title_bounds: tuple[float, float, float, float] | None = None
        all_lines: list[str] = []
        for index in range(min(page_count, limits.max_pages)):
            number = index + 1
            try:
                page = reader.pages[index]
                box = page.mediabox
                width, height = float(box.width), float(box.height)
                frags: list[Fragment] = []

                def visit(text: str, cm: Any, tm: Any, font: Any, size: float, frags: list[Fragment] = frags) -> None:
                    if text and not text.isspace():
                        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                        # Many writers use a 1 pt font scaled by the text matrix (Chrome, Cairo): the size
                        # on the page is the font size times the vertical scale of Tm and CTM.
                        scale = ((tm[2] ** 2 + tm[3] ** 2) ** 0.5 or 1.0) * ((cm[2] ** 2 + cm[3] ** 2) ** 0.5 or 1.0)
                        frags.append(Fragment(text.strip(), float(x), float(y), float(size * scale) or 10.0))

                text = page.extract_text(visitor_text=visit)
            except Exception as exc:
                failed += 1
                result.warnings.append(f"page {number}: text could not be extracted ({exc})"[:300])
                continue
            info = PageInfo(
                number=number,
                width_pt=round(width, 2),
                height_pt=round(height, 2),
                width_mm=round(width * PT_TO_MM, 1),
                height_mm=round(height * PT_TO_MM, 1),
                rotation=int(page.get("/Rotate", 0) or 0) % 360,
            )
            if len(text) > limits.max_page_text_chars:
                info.text, info.text_truncated = text[: limits.max_page_text_chars], True
                result.note_truncated("page_text")
            else:
                info.text = text
            result.pages.append(info)
            if not frags:
                textless += 1
                images += _has_images(page)
            cells: list[Fragment] = []
            if len(result.tables) < limits.max_tables:
                for table in find_tables(frags, page=number, max_rows=limits.max_table_rows, used=cells):
                    if len(result.tables) >= limits.max_tables:
                        result.note_truncated("tables")
                        break
                    result.tables.append(table)
            # Table cells stay table data: "ISO 4762 M8x20" in a BOM is a part, not a thread callout.
            in_table = {id(f) for f in cells}
            self._dimensions([f for f in frags if id(f) not in in_table], number, result)
            if number <= 2 and result.title_block is None:
                placed = [titleblock.PlacedText(f.text, f.x, f.y, f.size) for f in frags]
                result.title_block = titleblock.from_texts(placed, bounds=(0.0, 0.0, width, height))
                if number == 1:
                    title_texts, title_bounds = placed, (0.0, 0.0, width, height)
                    all_lines = text.splitlines()
        if page_count > limits.max_pages:
            result.note_truncated("pages", page_count - limits.max_pages)
        if page_count and failed == min(page_count, limits.max_pages):
            raise CorruptFile(
                "No page of the PDF could be read.", details={"format": "pdf", "warnings": result.warnings[:5]}
            )
        read = len(result.pages)
        result.pages_without_text = textless
        if read and textless == read:
            result.text_layer = "none"
            result.scanned = images > 0
            what = "scanned images only" if images else "no text"
            result.warnings.insert(
                0,
                f"The PDF has no text layer ({what} on {textless} page(s)): nothing could be read from it; "
                "it needs OCR before extraction.",
            )
        elif textless:
            result.text_layer = "partial"
            result.warnings.append(f"{textless} of {read} page(s) have no text layer (scanned or drawn as paths).")
        if result.title_block is None and all_lines:
            result.title_block = titleblock.from_lines(all_lines)
        if result.title_block is None and result.form_fields:
            found = titleblock.from_attributes(
                [("form", {f.name: str(f.value) for f in result.form_fields if f.value not in (None, "")})]
            )
            if found is not None:
                result.title_block = found.model_copy(update={"source": "form_fields", "block": None})
        del title_texts, title_bounds
        return result

    def _dimensions(self, frags: list[Fragment], page: int, result: PdfResult) -> None:
        limit = self.limits.max_dimensions
        for f in frags:
            if not _DIGIT.search(f.text):
                continue
            if len(result.dimensions) >= limit:
                dropped = count_dimensions(f.text)
                if dropped:
                    result.note_truncated("dimensions", dropped)
                continue
            for dim in find_dimensions(f.text):
                if len(result.dimensions) >= limit:
                    result.note_truncated("dimensions")
                    continue
                dim.page = page
                dim.position = Point(x=round(f.x, 2), y=round(f.y, 2))
                result.dimensions.append(dim)

    def _metadata(self, reader: PdfReader, result: PdfResult) -> dict[str, Any]:
        meta: dict[str, Any] = {}
        try:
            meta["pdf_version"] = reader.pdf_header.lstrip("%PDF-")
            info = reader.metadata or {}
            for key, value in list(info.items())[:100]:
                name = _META_KEYS.get(key, key.lstrip("/"))
                meta[name] = _plain(value)
            docinfo = reader.metadata
            if docinfo is not None:
                for attr, name in (("creation_date", "created"), ("modification_date", "modified")):
                    try:
                        when = getattr(docinfo, attr)
                    except Exception:  # malformed date strings stay as raw text
                        when = None
                    if isinstance(when, datetime):
                        meta[name] = when.isoformat()
        except Exception as exc:
            result.warnings.append(f"metadata: {exc}"[:300])
        return meta

    def _form_fields(self, reader: PdfReader, result: PdfResult) -> list[FormField]:
        try:
            fields = reader.get_fields() or {}
        except Exception as exc:
            result.warnings.append(f"form fields: {exc}"[:300])
            return []
        out: list[FormField] = []
        for name, field in fields.items():
            if len(out) >= self.limits.max_form_fields:
                result.note_truncated("form_fields")
                break
            ftype = field.get("/FT")
            out.append(FormField(name=str(name), type=_plain(ftype) if ftype else None, value=_plain(field.get("/V"))))
        return out


__all__ = ["PdfExtractor", "PdfReadError", "PdfStreamError"]
