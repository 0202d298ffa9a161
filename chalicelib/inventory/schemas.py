"""Request models of the catalogue, stock settings and the ledger."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, field_validator

from ..core.schemas import EmailStr, Out, Strict, check_currency
from .purchasing_schemas import Cost, Id, Quantity

KINDS = ("receive", "sale", "issue", "transfer", "adjust", "scrap", "return", "reversal")
SCRAP_REASONS = ("damaged", "expired", "defective", "lost")


def _level(value: object) -> Decimal | None:
    """A stock level (reorder point, counted quantity): zero or more, as a string or an integer."""
    if value is None:
        return None
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise ValueError("must be a string such as \"5\" or an integer")
    try:
        q = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("not a decimal number") from None
    if not q.is_finite() or q < 0 or q > Decimal("1000000"):
        raise ValueError("must be between 0 and 1000000")
    if q.as_tuple().exponent < -3:  # type: ignore[operator]
        raise ValueError("at most 3 decimal places")
    return q


Level = Annotated[Decimal | None, BeforeValidator(_level)]
Name = Annotated[str, Field(min_length=1, max_length=120)]
Text = Annotated[str, Field(max_length=120)]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]


class ProductIn(Strict):
    sku: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._/-]+$")
    name: Name
    category: Text = ""
    brand: Text = ""
    unit: str = Field(default="each", min_length=1, max_length=20)
    price: Cost
    cost: Cost
    currency: str = "USD"
    barcode: str = Field(default="", max_length=64, pattern=r"^[0-9A-Za-z-]*$")
    supplier_id: Id | None = None
    allow_backorder: bool = False
    version: int | None = Field(default=None, ge=1, description="the version read (required to update)")

    _cur = field_validator("currency")(lambda cls, v: check_currency(v))

    @field_validator("price", "cost")
    @classmethod
    def _required(cls, v):
        if v is None:
            raise ValueError("is required")
        return v


class SupplierIn(Strict):
    name: Name
    email: EmailStr
    lead_time_days: int = Field(ge=0, le=365)


class LocationIn(Strict):
    name: Name
    kind: Literal["store", "warehouse"] = "store"


class CustomerIn(Strict):
    name: Name
    email: EmailStr


class StockSettingsIn(Strict):
    reorder_point: Level = None
    reorder_quantity: Level = None
    max_quantity: Level = None


class MovementIn(Strict):
    """One ledger entry. Which fields apply depends on `kind` (checked in ledger.check_movement):
    receive needs quantity and unit_cost (lot, expiry optional); sale, issue need quantity (a sale
    may name a customer so what cannot be filled is backordered, and a price); transfer needs
    quantity and to_location_id; adjust needs counted (the stock-take's count); scrap needs quantity
    and reason; return needs quantity (unit_cost optional); reversal needs `reverses`."""

    kind: Literal["receive", "sale", "issue", "transfer", "adjust", "scrap", "return", "reversal"]
    product_id: Id | None = None
    location_id: Id | None = None
    to_location_id: Id | None = None
    quantity: Quantity | None = None
    counted: Level = None
    unit_cost: Cost = None
    price: Cost = None
    lot: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._/-]+$")
    expiry: Day | None = None
    reason: Literal["damaged", "expired", "defective", "lost"] | None = None
    customer_id: Id | None = None
    purchase_order_id: Id | None = None
    reverses: Id | None = None
    occurred_on: Day | None = None
    note: str = Field(default="", max_length=500)


class StockSettingsOut(Out):
    product_id: str
    location_id: str
    on_hand: str
    reorder_point: str | None
    reorder_quantity: str | None
    max_quantity: str | None
    version: int
