"""Domain errors, each mapped to one HTTP status in one place (web.route)."""
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
    status = 400
    code = "invalid_input"


class Unauthorized(TallyError):
    status = 401
    code = "unauthorized"


class Forbidden(TallyError):
    status = 403
    code = "forbidden"


class NotFound(TallyError):
    status = 404
    code = "not_found"


class Conflict(TallyError):
    status = 409
    code = "conflict"


class PayloadTooLarge(TallyError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(TallyError):
    status = 415
    code = "unsupported_media_type"
