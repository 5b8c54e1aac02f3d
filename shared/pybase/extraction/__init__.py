"""CAD/PDF extraction as a pure library (no database, no S3).

    from pybase.extraction import extract
    result = extract(data_or_path, filename="part.dxf")   # DxfResult | PdfResult | StepResult | IfcResult
    result.to_dict()                                         # JSON-ready, bounded

Failures raise `pybase.extraction.errors.ExtractionError` subclasses with a `code`
(encrypted, corrupt, empty, too_large, unsupported_format). ezdxf and pypdf are imported only
when a file of that format is extracted (ifcopenshell for IFC; STEP needs no library).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from pybase.extraction.errors import (
    CorruptFile,
    EmptyFile,
    EncryptedFile,
    ExtractionError,
    FileTooLarge,
    UnsupportedFormat,
)

if TYPE_CHECKING:
    from pybase.extraction.results import DxfResult, IfcResult, Limits, PdfResult, StepResult

__all__ = [
    "CorruptFile",
    "EmptyFile",
    "EncryptedFile",
    "ExtractionError",
    "FileTooLarge",
    "UnsupportedFormat",
    "extract",
]


def extract(
    source: bytes | str | Path,
    *,
    filename: str | None = None,
    content_type: str | None = None,
    format: str | None = None,
    limits: Limits | None = None,
) -> DxfResult | PdfResult | StepResult | IfcResult:
    """Detect the format (unless given) and run its extractor."""
    from pybase.extraction.extractors import detect_format, get_extractor, read_head
    from pybase.extraction.results import Limits

    limits = limits or Limits()
    if isinstance(source, str | Path):
        size = Path(source).stat().st_size
        filename = filename or Path(source).name
    else:
        size = len(source)
    if size == 0:
        raise EmptyFile("The file is empty.")
    if size > limits.max_bytes:
        raise FileTooLarge(
            f"The file is {size} bytes; the extraction limit is {limits.max_bytes} bytes.",
            details={"size_bytes": size, "max_bytes": limits.max_bytes},
        )
    name = format or detect_format(read_head(source), filename=filename, content_type=content_type).name
    return get_extractor(name, limits=limits).extract(source, filename=filename)  # type: ignore[return-value]
