"""One JSON error envelope for every API: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

from typing import Any


class PyBaseError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: Any = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        if code is not None:
            self.code = code

    def to_dict(self) -> dict[str, Any]:
        return {"error": {"code": self.code, "message": self.message, "details": self.details}}


class BadRequest(PyBaseError):
    status_code = 400
    code = "bad_request"


class Unauthorized(PyBaseError):
    status_code = 401
    code = "unauthorized"


class Forbidden(PyBaseError):
    status_code = 403
    code = "forbidden"


class NotFound(PyBaseError):
    status_code = 404
    code = "not_found"


class Conflict(PyBaseError):
    status_code = 409
    code = "conflict"


class PreconditionFailed(PyBaseError):
    status_code = 412
    code = "precondition_failed"


class PayloadTooLarge(PyBaseError):
    status_code = 413
    code = "payload_too_large"


class ValidationFailed(PyBaseError):
    status_code = 422
    code = "validation_failed"


class TooManyRequests(PyBaseError):
    status_code = 429
    code = "too_many_requests"


class ServiceUnavailable(PyBaseError):
    """A dependency (the database) cannot serve now; the client may retry after `retry_after` seconds."""

    status_code = 503
    code = "unavailable"

    def __init__(self, message: str, *, retry_after: int, details: Any = None) -> None:
        super().__init__(message, details=details)
        self.headers = {"Retry-After": str(retry_after)}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}
