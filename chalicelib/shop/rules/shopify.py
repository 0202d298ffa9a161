"""The Shopify adapter, pure: an `orders/create` webhook body (Admin REST API's Order resource, as
Shopify posts it) → one `ChannelOrder`.

What is read (everything else is ignored): `id` (the external id), `name` ("#1001"), `email` (else
`contact_email`, else `customer.email`), `customer.first_name`/`last_name`, `phone`, `currency`,
`total_price`, `financial_status` (`paid` marks the order paid), `shipping_address` (address1,
address2, zip, city, province, country), and per `line_items[i]`: `sku`, `quantity`, `price`, `id`.
A line is matched to a product by its SKU; a field that is missing or malformed is a 400 naming it
with Shopify's own path (`line_items.0.quantity`).
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from ...core.errors import InvalidInput
from .channels import ChannelLine, ChannelOrder

TOPIC = "orders/create"
MAX_LINES = 25
_EMAIL = re.compile(r"^[^@\s<>]{1,64}@[^@\s<>]{1,255}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_SKU = re.compile(r"^[^\x00-\x1f\x7f<>]{1,64}$")


def _text(value: Any, limit: int = 200) -> str:
    return re.sub(r"[\x00-\x1f\x7f<>]", "", str(value or ""))[:limit].strip()


def _decimal(value: Any, field: str, positive: bool = False) -> Decimal:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput("must be a decimal number", field=field) from None
    if not d.is_finite() or d < 0 or (positive and d <= 0) or d != d.quantize(Decimal("0.0001")):
        raise InvalidInput("must be a non-negative number with at most 4 decimals", field=field)
    return d


def to_channel_order(body: Any) -> ChannelOrder:
    """Map an orders/create body; raises InvalidInput naming the first field that is not usable."""
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a Shopify order object", field="body")
    oid = body.get("id")
    if isinstance(oid, bool) or not isinstance(oid, (int, str)) or not re.fullmatch(r"[0-9A-Za-z_:/.-]{1,80}", str(oid)):
        raise InvalidInput("the Shopify order id is required", field="id")
    raw_customer = body.get("customer")
    customer: dict[str, Any] = raw_customer if isinstance(raw_customer, dict) else {}
    email = str(body.get("email") or body.get("contact_email") or customer.get("email") or "")
    if not _EMAIL.match(email):
        raise InvalidInput("the order has no valid email", field="email")
    currency = str(body.get("currency") or "")
    if not _CURRENCY.match(currency):
        raise InvalidInput("an ISO 4217 currency code is required", field="currency")
    items = body.get("line_items")
    if not isinstance(items, list) or not items:
        raise InvalidInput("the order has no line items", field="line_items")
    if len(items) > MAX_LINES:
        raise InvalidInput(f"at most {MAX_LINES} line items", field="line_items")
    lines = []
    for i, item in enumerate(items):
        where = f"line_items.{i}"
        if not isinstance(item, dict):
            raise InvalidInput("a line item is an object", field=where)
        sku = str(item.get("sku") or "").strip()
        if not _SKU.match(sku):
            raise InvalidInput("this line item has no SKU to match a product by", field=f"{where}.sku")
        qty = item.get("quantity")
        if isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= 100000:
            raise InvalidInput("a whole number of at least 1", field=f"{where}.quantity")
        price = _decimal(item["price"], f"{where}.price") if item.get("price") is not None else None
        lines.append(ChannelLine(sku=sku, quantity=Decimal(qty), unit_price=price, external_line_id=_text(item.get("id"), 40)))
    total = _decimal(body["total_price"], "total_price") if body.get("total_price") is not None else None
    raw_ship = body.get("shipping_address")
    ship: dict[str, Any] = raw_ship if isinstance(raw_ship, dict) else {}
    address = ", ".join(p for p in (_text(ship.get(k)) for k in ("address1", "address2", "zip", "city", "province",
                                                                  "country")) if p)
    name = " ".join(p for p in (_text(customer.get("first_name"), 80), _text(customer.get("last_name"), 80)) if p)
    phone = _text(body.get("phone") or customer.get("phone"), 32) or None
    return ChannelOrder(external_id=str(oid), reference=_text(body.get("name"), 40) or f"#{oid}", email=email,
                        name=name, phone=phone, currency=currency, total=total, lines=tuple(lines), address=address,
                        paid=str(body.get("financial_status") or "") == "paid", field_prefix="line_items")
