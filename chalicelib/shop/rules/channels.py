"""Sales channels, pure: who may post orders (the signatures), what a channel may sell (its
available-to-sell after its buffer) and how that is written out (the feed's rows, its CSV, the id of
an outgoing webhook delivery).

Kinds: `in_store` (the counter), `storefront` (the shop's own site: its orders come through the shop's
routes) and `marketplace` (an external platform that posts its orders to `POST /channels/{id}/orders`).
A marketplace speaks either Tally's generic format (`generic`: signed like the payment webhook, a
timestamp in the signature) or a platform's own (`shopify`: its orders/create webhook, signed over the
body alone), mapped by an adapter (`rules.shopify`) to one `ChannelOrder`.
"""
from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ...core.errors import Unauthorized
from .payments import TOLERANCE_SECONDS, signature

KINDS = ("in_store", "storefront", "marketplace")
PLATFORMS = ("generic", "shopify")
STOREFRONT = "storefront"  # the inbox's channel id of orders placed on the shop's own storefront
ROTATION_GRACE_SECONDS = 24 * 3600  # the secret before a rotation is still accepted this long
FEED_FIELDS = ("sku", "product_id", "name", "available", "on_hand", "reserved", "buffer", "updated_at")


@dataclass(frozen=True)
class ChannelLine:
    sku: str
    quantity: Decimal
    unit_price: Decimal | None  # what the platform charged per unit, when it says
    external_line_id: str = ""


@dataclass(frozen=True)
class ChannelOrder:
    """An external order as the shop keeps it, whatever format it arrived in."""

    external_id: str  # the platform's id of the order: one Tally order per (channel, external id)
    reference: str  # what staff and the customer call it (Shopify's "#1001")
    email: str
    name: str
    phone: str | None
    currency: str
    total: Decimal | None
    lines: tuple[ChannelLine, ...]
    address: str
    paid: bool
    field_prefix: str = "lines"  # the body's name of the lines, for errors naming one
    sku_field: str = "sku"
    extra: dict[str, str] = field(default_factory=dict)


# ----------------------------------------------------------------- inbound signatures
def verify_generic(secrets: Sequence[str], timestamp: str | None, header: str | None, raw_body: bytes,
                   now: int) -> str:
    """Tally's scheme (as the payment webhook): `X-Tally-Timestamp` within TOLERANCE_SECONDS of now and
    `X-Tally-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">` under the channel's secret
    (or the one before a rotation). Returns the matched signature (its digest names the delivery, so
    the same signed request twice is a replay). Raises Unauthorized naming the header."""
    if not timestamp or not timestamp.isdigit():
        raise Unauthorized("X-Tally-Timestamp is required (Unix seconds)", field="X-Tally-Timestamp")
    if abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        raise Unauthorized("the signature is too old or from the future", field="X-Tally-Timestamp")
    if not header:
        raise Unauthorized("X-Tally-Signature is required", field="X-Tally-Signature")
    offered = [part.strip() for part in header.split(",")]
    for secret in secrets:
        expected = signature(secret, timestamp, raw_body)
        if any(hmac.compare_digest(expected, part) for part in offered):
            return expected
    raise Unauthorized("the signature does not match", field="X-Tally-Signature")


def shopify_signature(secret: str, raw_body: bytes) -> str:
    """What Shopify sends in X-Shopify-Hmac-Sha256: base64 of HMAC-SHA256 of the raw body under the
    app's client secret (or the store's webhook signing key)."""
    return base64.b64encode(hmac.new(secret.encode(), raw_body, hashlib.sha256).digest()).decode()


def verify_shopify(secrets: Sequence[str], header: str | None, raw_body: bytes) -> str:
    """Shopify's scheme: the signature covers the body alone (no timestamp), so a replayed delivery
    cannot be told from Shopify's own retry; one order per Shopify order id makes either write nothing."""
    if not header:
        raise Unauthorized("X-Shopify-Hmac-Sha256 is required", field="X-Shopify-Hmac-Sha256")
    for secret in secrets:
        if hmac.compare_digest(shopify_signature(secret, raw_body), header.strip()):
            return header.strip()
    raise Unauthorized("the signature does not match", field="X-Shopify-Hmac-Sha256")


def accepted_secrets(secret: str, previous: str | None, previous_until: int | None, now: int) -> list[str]:
    """The current secret, and the one before a rotation while its grace lasts."""
    out = [secret]
    if previous and previous_until is not None and now < previous_until:
        out.append(previous)
    return out


def delivery_digest(channel_id: str, signed: str) -> str:
    """The id of one signed inbound delivery: the same signature again is a replay."""
    return hashlib.sha256(f"{channel_id}:{signed}".encode()).hexdigest()[:40]


# ----------------------------------------------------------------- available to sell
def available_to_sell(on_hand: Decimal, reserved: Decimal, buffer: Decimal) -> Decimal:
    """What a channel may offer: on hand − reserved − its buffer, never below zero."""
    return max(Decimal(0), on_hand - reserved - buffer)


@dataclass(frozen=True)
class FeedRow:
    sku: str
    product_id: str
    name: str
    available: Decimal
    on_hand: Decimal
    reserved: Decimal
    buffer: Decimal
    updated_at: str


def units(d: Decimal) -> str:
    """A quantity as text: "4", "2.5" ("4.0" is "4")."""
    return format(d.normalize(), "f") if d == d.to_integral_value() else format(d, "f")


def feed_row_dict(row: FeedRow) -> dict[str, str]:
    return {"sku": row.sku, "product_id": row.product_id, "name": row.name, "available": units(row.available),
            "on_hand": units(row.on_hand), "reserved": units(row.reserved), "buffer": units(row.buffer),
            "updated_at": row.updated_at}


def feed_csv(rows: Iterable[FeedRow]) -> str:
    """The feed as CSV (RFC 4180, a header line, rows by SKU); a cell starting with = + - @ is quoted
    with a leading apostrophe, so a spreadsheet does not run a product name as a formula."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FEED_FIELDS, lineterminator="\r\n")
    writer.writeheader()
    for row in sorted(rows, key=lambda r: (r.sku, r.product_id)):
        cells = feed_row_dict(row)
        writer.writerow({k: ("'" + v if v[:1] in ("=", "+", "-", "@") else v) for k, v in cells.items()})
    return out.getvalue()


def push_id(channel_id: str, values: Iterable[tuple[str, Decimal]]) -> str:
    """A deterministic id of an outgoing stock webhook (the channel and each product's value): a
    receiver can drop a repeated delivery by it."""
    text = channel_id + ";" + ";".join(f"{p}={units(v)}" for p, v in sorted(values))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def changed(values: dict[str, Decimal], notified: dict[str, Decimal | None]) -> dict[str, Decimal]:
    """The products whose available-to-sell differs from what the channel's webhook last delivered."""
    return {p: v for p, v in values.items() if notified.get(p) is None or notified[p] != v}
