"""Base class shared by the format extractors (light: no CAD/PDF imports here)."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import ClassVar

from pybase.extraction.errors import CorruptFile, EmptyFile, ExtractionError, FileTooLarge
from pybase.extraction.results import ExtractionResult, Limits

Source = bytes | bytearray | memoryview | str | Path


class Extractor:
    """One subclass per format; `extract` is the only entry point callers use."""

    name: ClassVar[str]

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()

    def extract(self, source: Source, *, filename: str | None = None) -> ExtractionResult:
        started = time.perf_counter()
        path: Path | None = None
        if isinstance(source, str | Path):
            path = Path(source)
            size = path.stat().st_size
            self._check_size(size)
            data = path.read_bytes()
            filename = filename or path.name
        else:
            data = bytes(source)
            self._check_size(len(data))
        try:
            result = self._extract(data, path=path, filename=filename)
        except ExtractionError:
            raise
        except MemoryError:
            raise FileTooLarge("The file needs more memory to extract than is available.") from None
        except Exception as exc:
            # A file the parser accepted but whose content still broke extraction: report it as the
            # file's problem with the cause attached, never as a bare traceback (a retry would not help).
            raise CorruptFile(
                f"The {self.name.upper()} file could not be processed: {type(exc).__name__}: {exc}"[:500],
                details={"format": self.name, "exception": type(exc).__name__},
            ) from exc
        result.duration_ms = round((time.perf_counter() - started) * 1000, 2)
        return result

    def _check_size(self, size: int) -> None:
        if size == 0:
            raise EmptyFile("The file is empty.")
        if size > self.limits.max_bytes:
            raise FileTooLarge(
                f"The file is {size} bytes; the extraction limit is {self.limits.max_bytes} bytes.",
                details={"size_bytes": size, "max_bytes": self.limits.max_bytes},
            )

    @staticmethod
    def _common(data: bytes, filename: str | None) -> dict[str, object]:
        return {"filename": filename, "size_bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}

    def _extract(self, data: bytes, *, path: Path | None, filename: str | None) -> ExtractionResult:
        raise NotImplementedError
