"""The payment-confirmation webhook's signature, pure.

A payment provider (out of scope: this is where one plugs in) posts the confirmation's raw JSON body
with two headers: `X-Tally-Timestamp` (Unix seconds) and `X-Tally-Signature: v1=<hex>`, the
HMAC-SHA256 under the shop's payment secret of `"<timestamp>.<raw body>"`. A signature that does not
match, or a timestamp more than `TOLERANCE_SECONDS` away from now, is refused (a replay of an old
confirmation, or a forged one); the order's own status makes a confirmation count once.
"""
from __future__ import annotations

import hashlib
import hmac

from ...core.errors import Unauthorized

TOLERANCE_SECONDS = 300
SCHEME = "v1"


def signature(secret: str, timestamp: str, raw_body: bytes) -> str:
    """The header value a sender computes: `v1=` + hex HMAC-SHA256 of `<timestamp>.<body>`."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + raw_body, hashlib.sha256)
    return f"{SCHEME}={mac.hexdigest()}"


def verify(secret: str, timestamp: str | None, header: str | None, raw_body: bytes, now: int) -> None:
    """Raise InvalidInput naming the header that fails: missing, stale, or a signature that does not
    match (compared in constant time)."""
    if not timestamp or not timestamp.isdigit():
        raise Unauthorized("X-Tally-Timestamp is required (Unix seconds)", field="X-Tally-Timestamp")
    if abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        raise Unauthorized("the signature is too old or from the future", field="X-Tally-Timestamp")
    if not header:
        raise Unauthorized("X-Tally-Signature is required", field="X-Tally-Signature")
    expected = signature(secret, timestamp, raw_body)
    offered = [part.strip() for part in header.split(",")]
    if not any(hmac.compare_digest(expected, part) for part in offered):
        raise Unauthorized("the signature does not match", field="X-Tally-Signature")
