"""Domain errors, each mapped to one HTTP status in one place (web.route).

A module raises the error that says what went wrong; web.route answers it with its status and the
documented Error body `{"error": {"code", "message", "field"}}` (plus `extra`, e.g. the current
record of a 409).
"""
from __future__ import annotations

from typing import Any


class TallyError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, field: str | None = None, extra: dict[str, Any] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            err["field"] = self.field
        return {"error": err, **self.extra}


class InvalidInput(TallyError):
    """A value the document does not allow, or a rule of the domain refuses; `field` names it
    (a dotted path into the body, or the query or path parameter)."""

    status, code = 400, "invalid_input"


class PayloadTooLarge(TallyError):
    status, code = 413, "payload_too_large"


class UnsupportedMediaType(TallyError):
    status, code = 415, "unsupported_media_type"


class Unauthorized(TallyError):
    """No valid Cognito ID token."""

    status, code = 401, "unauthorized"


class Forbidden(TallyError):
    status, code = 403, "forbidden"


class NotFound(TallyError):
    """Nothing of the caller's by that name: another owner's record or organisation is answered
    the same way, so its existence is not disclosed."""

    status, code = 404, "not_found"


class Conflict(TallyError):
    """The record changed since it was read, or another one holds that name; `extra` usually
    carries the current record."""

    status, code = 409, "conflict"
