"""Typed extraction failures: each carries a stable `code` a job can store and show to users."""

from __future__ import annotations

from typing import Any

from pybase.errors import PyBaseError


class ExtractionError(PyBaseError):
    """Base class; never raised for a file we could read (those produce warnings in the result)."""

    status_code = 422
    code = "extraction_failed"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message, details=details)


class EncryptedFile(ExtractionError):
    code = "encrypted"


class CorruptFile(ExtractionError):
    code = "corrupt"


class EmptyFile(ExtractionError):
    code = "empty"


class FileTooLarge(ExtractionError):
    status_code = 413
    code = "too_large"


class UnsupportedFormat(ExtractionError):
    status_code = 415
    code = "unsupported_format"


class RendererUnavailable(ExtractionError):
    """A preview could not be made because no renderer is installed (not a problem with the file)."""

    status_code = 501
    code = "renderer_unavailable"
