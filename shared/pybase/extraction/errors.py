"""Typed extraction failures: each carries a stable `code` a job can store and show to users.

They are failures of a file, not of a request: the extraction library knows nothing of HTTP (no
status codes, no pybase.errors), and the jobs that run it record `code`, `message` and `details`.
"""

from __future__ import annotations

from typing import Any


class ExtractionError(Exception):
    """Base class; never raised for a file we could read (those produce warnings in the result)."""

    code = "extraction_failed"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """The failure as a job stores it (the shape of the API's errors)."""
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class EncryptedFile(ExtractionError):
    code = "encrypted"


class CorruptFile(ExtractionError):
    code = "corrupt"


class EmptyFile(ExtractionError):
    code = "empty"


class FileTooLarge(ExtractionError):
    code = "too_large"


class UnsupportedFormat(ExtractionError):
    code = "unsupported_format"


class RendererUnavailable(ExtractionError):
    """A preview could not be made because no renderer is installed (not a problem with the file)."""

    code = "renderer_unavailable"
