"""Registry of extractors: one entry per format, found by name, file extension, media type or content.

Entries name their implementation as "module:Class" and it is imported only when a file of that
format is actually extracted, so importing this registry never pulls in ezdxf or pypdf.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from pybase.extraction.errors import EmptyFile, UnsupportedFormat
from pybase.registry import Registry, UnknownName

if TYPE_CHECKING:
    from pybase.extraction.extractors.base import Extractor
    from pybase.extraction.results import Limits

SNIFF_BYTES = 4096


@dataclass(frozen=True)
class FormatSpec:
    name: str
    target: str  # "package.module:Class"
    extensions: tuple[str, ...]
    media_types: tuple[str, ...]
    sniff: Callable[[bytes], bool]
    description: str = ""
    aliases: tuple[str, ...] = field(default_factory=tuple)
    # Top-level modules the extractor needs beyond the extraction layer (too large for a zip function).
    requires: tuple[str, ...] = ()

    def missing(self) -> list[str]:
        """The required modules not installed here (the extract function's container image has them)."""
        import importlib.util

        return [name for name in self.requires if importlib.util.find_spec(name) is None]

    def load(self) -> type[Extractor]:
        module_name, _, class_name = self.target.partition(":")
        return getattr(importlib.import_module(module_name), class_name)


# In registration order: content sniffing tries the formats in this order.
FORMATS: Registry[FormatSpec] = Registry("file format", normalize=str.lower)


def register(spec: FormatSpec) -> FormatSpec:
    return FORMATS.add(spec.name, spec)


def formats() -> list[FormatSpec]:
    return FORMATS.values()


def _sniff_pdf(head: bytes) -> bool:
    # The header may follow a little junk (allowed by readers), within the first 1 KB.
    return b"%PDF-" in head[:1024]


def _sniff_dxf(head: bytes) -> bool:
    if head.startswith(b"AutoCAD Binary DXF\r\n\x1a\x00"):
        return True
    text = head.lstrip(b"\xef\xbb\xbf").decode("latin-1")
    lines = [line.strip() for line in text.splitlines()[:40]]
    # Group code 0 followed by SECTION, optionally after 999 comment pairs.
    for i in range(0, len(lines) - 1):
        if lines[i] == "0" and lines[i + 1].upper() == "SECTION":
            return all(lines[j] in ("999",) for j in range(0, i, 2))
    return False


def _step_schema(head: bytes) -> str | None:
    """The FILE_SCHEMA of an ISO 10303-21 file (STEP or IFC share the container), upper case; None if not one."""
    text = head.lstrip(b"\xef\xbb\xbf \r\n\t")
    if not text.upper().startswith(b"ISO-10303-21"):
        return None
    at = head.upper().find(b"FILE_SCHEMA")
    return head[at : at + 200].decode("latin-1").upper() if at >= 0 else ""


def _sniff_ifc(head: bytes) -> bool:
    schema = _step_schema(head)
    return schema is not None and "'IFC" in schema


def _sniff_step(head: bytes) -> bool:
    schema = _step_schema(head)
    return schema is not None and "'IFC" not in schema


register(
    FormatSpec(
        name="dxf",
        target="pybase.extraction.extractors.dxf:DxfExtractor",
        extensions=(".dxf",),
        media_types=("image/vnd.dxf", "application/dxf", "image/x-dxf", "application/x-dxf"),
        sniff=_sniff_dxf,
        description="AutoCAD Drawing Exchange Format (ASCII or binary)",
    )
)
register(
    FormatSpec(
        name="pdf",
        target="pybase.extraction.extractors.pdf:PdfExtractor",
        extensions=(".pdf",),
        media_types=("application/pdf",),
        sniff=_sniff_pdf,
        description="Portable Document Format",
    )
)


register(
    FormatSpec(
        name="ifc",
        target="pybase.extraction.extractors.ifc:IfcExtractor",
        extensions=(".ifc",),
        media_types=("model/ifc", "application/ifc", "application/x-ifc"),
        sniff=_sniff_ifc,
        description="Industry Foundation Classes (BIM), STEP physical file",
        requires=("ifcopenshell",),
    )
)
register(
    FormatSpec(
        name="step",
        target="pybase.extraction.extractors.step:StepExtractor",
        extensions=(".step", ".stp"),
        media_types=("model/step", "application/step", "application/x-step", "application/p21"),
        sniff=_sniff_step,
        description="STEP AP203/AP214/AP242 product structure",
        aliases=("stp",),
    )
)


def detect_format(head: bytes, *, filename: str | None = None, content_type: str | None = None) -> FormatSpec:
    """Pick the format: content sniffing decides; name and media type only break ties.

    Content wins because extensions and upload content types come from the user.
    """
    if not head:
        raise EmptyFile("The file is empty.")
    head = head[:SNIFF_BYTES]
    for spec in FORMATS.values():
        if spec.sniff(head):
            return spec
    hint = PurePath(filename).suffix.lower() if filename else ""
    claimed = next(
        (s for s in FORMATS.values() if hint in s.extensions or (content_type or "").lower() in s.media_types),
        None,
    )
    if claimed is not None:
        from pybase.extraction.errors import CorruptFile

        label = claimed.name.upper()
        raise CorruptFile(
            f"The file is named or typed as {label} but its content is not a valid {label}.",
            details={"format": claimed.name},
        )
    raise UnsupportedFormat(
        "Unsupported file format; supported: " + ", ".join(s.name.upper() for s in FORMATS.values()) + ".",
        details={"supported": FORMATS.names(), "filename": filename, "content_type": content_type},
    )


def spec_for_filename(filename: str) -> FormatSpec | None:
    suffix = PurePath(filename).suffix.lower()
    return next((s for s in FORMATS.values() if suffix in s.extensions), None)


def get_extractor(name: str, *, limits: Limits | None = None) -> Extractor:
    try:
        spec = FORMATS.get(name)
    except UnknownName as e:
        raise UnsupportedFormat(f"No extractor named {name!r}.", details={"supported": e.known}) from None
    return spec.load()(limits)


def read_head(source: bytes | bytearray | memoryview | str | Path) -> bytes:
    if isinstance(source, str | Path):
        with open(source, "rb") as fp:
            return fp.read(SNIFF_BYTES)
    return bytes(source[:SNIFF_BYTES])
