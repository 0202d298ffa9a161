"""Request models of purchase orders."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import BeforeValidator, Field

from ..core.schemas import Out, Strict

MAX_QUANTITY = Decimal("1000000")


def _quantity(value: object) -> Decimal:
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ValueError("quantity must be a string such as \"12\" or \"2.5\"")
    try:
        q = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("not a decimal number") from None
    if not q.is_finite() or q <= 0 or q > MAX_QUANTITY:
        raise ValueError(f"must be greater than 0 and at most {MAX_QUANTITY}")
    if q.as_tuple().exponent < -3:  # type: ignore[operator]
        raise ValueError("at most 3 decimal places")
    return q


def _cost(value: object) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("unit_cost must be a string such as \"2.50\"")
    try:
        c = Decimal(value.strip())
    except InvalidOperation:
        raise ValueError("not a decimal number") from None
    if not c.is_finite() or c < 0 or c > Decimal("1000000000"):
        raise ValueError("must be between 0 and 1000000000")
    if c.as_tuple().exponent < -4:  # type: ignore[operator]
        raise ValueError("at most 4 decimal places")
    return c


Quantity = Annotated[Decimal, BeforeValidator(_quantity)]
Cost = Annotated[Decimal | None, BeforeValidator(_cost)]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class OrderLineIn(Strict):
    product_id: Id
    quantity: Quantity
    unit_cost: Cost = None


class PurchaseOrderIn(Strict):
    supplier_id: Id
    location_id: Id
    lines: list[OrderLineIn] = Field(min_length=1, max_length=100)


class VersionIn(Strict):
    version: int = Field(ge=1)


class ReceiptLineIn(Strict):
    product_id: Id
    quantity: Quantity
    lot: str | None = Field(default=None, min_length=1, max_length=64)
    expiry: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")


class ReceiptIn(Strict):
    receipt_id: str = Field(pattern=r"^[0-9a-fA-F-]{36}$", description="client-chosen UUID: sending it twice receives once")
    lines: list[ReceiptLineIn] = Field(min_length=1, max_length=50)


class PurchaseOrderOut(Out):
    id: str
    supplier_id: str
    location_id: str
    status: str
    lines: list[dict]
    currency: str
    version: int
    created_at: str
