"""Inventory's request bodies, query models and response models (the OpenAPI document is built from them).

Money in a request is a string ("2.50"); a quantity is a string or an integer. What only owners and
managers see (costs, values) is declared with the `MISSING` default: left out of a staff member's
body rather than sent as null, and optional in the document.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
import re
from typing import Annotated, Any, Literal

from pydantic import MISSING, BeforeValidator, Field, WithJsonSchema

from ..core.schemas import UUID_PATTERN, CurrencyCode, EmailStr, Items, Out, Query, Strict

MAX_QUANTITY = Decimal("1000000")
MAX_COST = Decimal("1000000000")


# ----------------------------------------------------------------- request types
def _decimal(value: str | int) -> Decimal:
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("not a decimal number") from None


def decimal_pattern(*, positive: bool, digits: int, places: int) -> str:
    """The document's pattern for a decimal string of at most 10**digits with at most `places`
    decimals (more than zero when `positive`), no sign, no exponent, no leading zeros; `_number`
    checks the same pattern, so the document and the check agree exactly."""
    top = "1" + "0" * digits + f"(?:\\.0{{1,{places}}})?"
    if positive:
        fractions = "|".join("0" * i + "[1-9]" + (f"\\d{{0,{places - 1 - i}}}" if places - 1 - i else "")
                             for i in range(places))
        body = f"[1-9]\\d{{0,{digits - 1}}}(?:\\.\\d{{1,{places}}})?|0\\.(?:{fractions})"
    else:
        body = f"(?:0|[1-9]\\d{{0,{digits - 1}}})(?:\\.\\d{{1,{places}}})?"
    return f"^(?:{body}|{top})$"


def _number(value: object, *, integers: bool, example: str, positive: bool, most: Decimal, places: int) -> Decimal:
    """A decimal number sent as a string (or, where `integers`, a whole JSON number): never a bool
    or a float; zero or more (more than zero when `positive`), at most `most`, `places` decimals."""
    kinds: tuple[type, ...] = (str, int) if integers else (str,)
    if not isinstance(value, kinds) or isinstance(value, bool):
        raise ValueError(f"must be {example}")
    assert isinstance(value, (str, int))
    pattern = decimal_pattern(positive=positive, digits=len(str(int(most))) - 1, places=places)
    if isinstance(value, str) and not re.fullmatch(pattern, value.strip()):
        raise ValueError(f"must be {example}, with at most {places} decimal places, "
                         + (f"greater than 0 and at most {most}" if positive else f"between 0 and {most}"))
    q = _decimal(value)
    if not q.is_finite() or q < 0 or (positive and q == 0) or q > most:
        raise ValueError(f"must be greater than 0 and at most {most}" if positive else f"must be between 0 and {most}")
    if q.as_tuple().exponent < -places:  # type: ignore[operator]
        raise ValueError(f"at most {places} decimal places")
    return q


def _quantity(value: object) -> Decimal:
    """A quantity moved or ordered: more than zero, as a string ("2.5") or an integer."""
    return _number(value, integers=True, example="a string such as \"12\" or \"2.5\", or an integer", positive=True,
                   most=MAX_QUANTITY, places=3)


def _level(value: object) -> Decimal | None:
    """A stock level (reorder point, counted quantity): zero or more, as a string or an integer."""
    if value is None:
        return None
    return _number(value, integers=True, example="a string such as \"5\" or an integer", positive=False,
                   most=MAX_QUANTITY, places=3)


def _required_cost(value: object) -> Decimal:
    """A unit cost or price: a string such as "2.50", zero or more, at most 4 decimal places."""
    return _number(value, integers=False, example="a string such as \"2.50\"", positive=False, most=MAX_COST,
                   places=4)


def _cost(value: object) -> Decimal | None:
    return None if value is None else _required_cost(value)


QUANTITY_SCHEMA: dict[str, Any] = {"anyOf": [
    {"type": "string", "pattern": decimal_pattern(positive=True, digits=6, places=3)},
    {"type": "integer", "minimum": 1, "maximum": int(MAX_QUANTITY)}]}
LEVEL_SCHEMA: dict[str, Any] = {"anyOf": [
    {"type": "string", "pattern": decimal_pattern(positive=False, digits=6, places=3)},
    {"type": "integer", "minimum": 0, "maximum": int(MAX_QUANTITY)}, {"type": "null"}]}
COST_SCHEMA: dict[str, Any] = {"type": "string", "pattern": decimal_pattern(positive=False, digits=9, places=4)}

Quantity = Annotated[Decimal, BeforeValidator(_quantity), WithJsonSchema(QUANTITY_SCHEMA, mode="validation")]
Level = Annotated[Decimal | None, BeforeValidator(_level), WithJsonSchema(LEVEL_SCHEMA, mode="validation")]
Cost = Annotated[Decimal | None, BeforeValidator(_cost),
                 WithJsonSchema({"anyOf": [COST_SCHEMA, {"type": "null"}]}, mode="validation")]
RequiredCost = Annotated[Decimal, BeforeValidator(_required_cost), WithJsonSchema(COST_SCHEMA, mode="validation")]
Id = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Name = Annotated[str, Field(min_length=1, max_length=120)]
Text = Annotated[str, Field(max_length=120)]
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]
LotName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._/-]+$")]


# ----------------------------------------------------------------- request bodies
class ProductIn(Strict):
    sku: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._/-]+$")
    name: Name
    category: Text = ""
    brand: Text = ""
    unit: str = Field(default="each", min_length=1, max_length=20)
    price: RequiredCost
    cost: RequiredCost
    currency: CurrencyCode = "USD"
    barcode: str = Field(default="", max_length=64, pattern=r"^[0-9A-Za-z-]*$")
    supplier_id: Id | None = None
    allow_backorder: bool = False
    version: int | None = Field(default=None, ge=1, description="the version read (required to update)")


class ProductUpdateIn(ProductIn):
    """A product's fields replaced, at the version read."""

    version: int = Field(ge=1, description="the version read")


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
    """One ledger entry. Which fields apply depends on `kind` (checked in ledger.plan.check_movement):
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
    lot: LotName | None = None
    expiry: Day | None = None
    reason: Literal["damaged", "expired", "defective", "lost"] | None = None
    customer_id: Id | None = None
    purchase_order_id: Id | None = None
    reverses: Id | None = None
    occurred_on: Day | None = None
    note: str = Field(default="", max_length=500)


class ReservationLineIn(Strict):
    product_id: Id
    location_id: Id
    quantity: Quantity
    price: Cost = None  # the unit price the units sell at when the reservation is fulfilled


class ReservationIn(Strict):
    """Stock kept for an order until it is fulfilled (sold) or released: `available` shrinks, `on_hand`
    stays. Lines of the same product and location are added together."""

    lines: list[ReservationLineIn] = Field(min_length=1, max_length=25)
    reference: str = Field(default="", max_length=200)
    customer_id: Id | None = None


class ReleaseIn(Strict):
    reason: Literal["cancelled", "expired", "changed"] = "cancelled"


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
    lot: LotName | None = None
    expiry: Day | None = None


class ReceiptIn(Strict):
    receipt_id: str = Field(pattern=UUID_PATTERN, description="client-chosen UUID: sending it twice receives once")
    lines: list[ReceiptLineIn] = Field(min_length=1, max_length=50)


# ----------------------------------------------------------------- query models
class StockQuery(Query):
    location_id: Id | None = Field(default=None, description="only this location's stock")


class MovementsQuery(Query):
    product_id: Id | None = None
    location_id: Id | None = Field(default=None, description="movements from or to this location")
    limit: int = Field(default=100, ge=1, le=500)


class BackordersQuery(Query):
    status: Literal["open", "filled", "cancelled"] | None = None


class ExpiringQuery(Query):
    days: int = Field(default=30, ge=0, le=3650, description="lots expiring within this many days")


class PurchaseOrdersQuery(Query):
    status: Literal["draft", "approved", "received", "cancelled"] | None = None


# ----------------------------------------------------------------- responses: catalogue
class ProductOut(Out):
    id: str
    sku: str
    name: str
    category: str
    brand: str
    unit: str
    price: str
    currency: str
    barcode: str
    supplier_id: str | None
    allow_backorder: bool
    version: int
    created_at: str
    updated_at: str
    cost: str | MISSING = MISSING  # owners and managers


class SupplierOut(Out):
    id: str
    name: str
    email: str
    lead_time_days: int
    created_at: str
    updated_at: str


class LocationOut(Out):
    id: str
    name: str
    kind: str
    created_at: str
    updated_at: str


class CustomerOut(Out):
    id: str
    name: str
    email: str
    created_at: str
    updated_at: str


# ----------------------------------------------------------------- responses: the ledger
class LotOut(Out):
    lot: str
    quantity: str
    expiry: str | None
    received_at: str
    unit_cost: str | MISSING = MISSING  # owners and managers


class PositionOut(Out):
    product_id: str
    location_id: str
    on_hand: str
    backordered: str
    reorder_point: str | None
    reorder_quantity: str | None
    max_quantity: str | None
    low: bool
    out: bool
    over: bool
    version: int
    updated_at: str
    lots: list[LotOut]
    value: str | MISSING = MISSING  # owners and managers: at FIFO cost
    reserved: str = "0"  # kept for held reservations
    available: str = "0"  # on_hand - reserved: what can still be sold or reserved


class ConsumedLotOut(Out):
    lot: str
    quantity: str
    unit_cost: str | MISSING = MISSING  # owners and managers


class MovementOut(Out):
    id: str
    kind: str
    product_id: str
    location_id: str
    to_location_id: str | None
    quantity: str
    direction: int
    backordered: str
    lot: str | None
    expiry: str | None
    reason: str | None
    counted: str | None
    customer_id: str | None
    purchase_order_id: str | None
    backorder_id: str | None
    reverses: str | None
    note: str
    price: str | None
    recorded_by: str
    recorded_at: str
    occurred_on: str
    lots: list[ConsumedLotOut]
    cost: str | MISSING = MISSING  # owners and managers: FIFO cost
    unit_cost: str | None | MISSING = MISSING  # owners and managers
    reservation_id: str | None = None  # a sale that fulfilled a reservation


class ReservationLineOut(Out):
    product_id: str
    location_id: str
    quantity: str
    price: str | None


class ReservationOut(Out):
    id: str
    status: Literal["held", "released", "fulfilled"]
    lines: list[ReservationLineOut]
    reference: str
    customer_id: str | None
    sale_ids: list[str]
    reason: str | None
    created_by: str
    created_at: str
    settled_at: str | None
    version: int


class ReservationChangedOut(Out):
    """The reservation and the positions it changed (none for a replay)."""

    reservation: ReservationOut
    positions: list[PositionOut]


class MovementRecordedOut(Out):
    """The movement and the positions it changed (none for a replay: they may have moved on since)."""

    movement: MovementOut
    positions: list[PositionOut]


class BackorderOut(Out):
    id: str
    product_id: str
    location_id: str
    customer_id: str
    customer_name: str
    sale_id: str
    quantity: str
    filled: str
    status: str
    created_at: str
    filled_at: str | None


class ExpiringLotOut(Out):
    product_id: str
    location_id: str
    lot: str
    quantity: str
    expiry: str
    expired: bool
    value: str | MISSING = MISSING  # owners and managers


class ExpiringOut(Out):
    days: int
    today: str
    items: list[ExpiringLotOut]


class ValuationRowOut(Out):
    product_id: str
    location_id: str
    on_hand: str
    value: str


class ValuationOut(Out):
    as_of: str
    items: list[ValuationRowOut]
    total: str


# ----------------------------------------------------------------- responses: purchasing
class OrderLineOut(Out):
    product_id: str
    sku: str
    quantity: str
    received: str
    unit_cost: str | MISSING = MISSING  # owners and managers


class PurchaseOrderOut(Out):
    id: str
    supplier_id: str
    location_id: str
    status: str
    lines: list[OrderLineOut]
    currency: str
    created_by: str
    approved_by: str | None
    version: int
    created_at: str
    updated_at: str
    total: str | MISSING = MISSING  # owners and managers


# ----------------------------------------------------------------- responses: charts
class ForecastSeriesOut(Out):
    product_id: str
    location_id: str
    product: str
    location: str
    method: str = Field(description="the model: e.g. `ets:AAdN+theta×season(7)` (ETS and Theta combined "
                        "on the seasonally adjusted series), `tsb` (intermittent demand), `naive`, `none`")
    note: str | None = Field(default=None, description="why the forecast is what it is, when the history "
                             "decided it (e.g. no demand recorded yet)")
    computed_on: str | None
    past_days: list[str]
    actual: list[str]
    backtest: list[str]
    days: list[str]
    forecast: list[str]
    lower_80: list[str] = Field(description="the 80% prediction interval, day by day (with upper_80)")
    upper_80: list[str]
    lower_95: list[str] = Field(description="the 95% prediction interval, day by day (with upper_95)")
    upper_95: list[str]
    days_of_cover: str | None = Field(description="days the stock lasts at the forecast's expected demand")
    stockout_date: str | None = Field(description="the first day stock may have run out at the service "
                                      "level (from the distribution of cumulative demand); null: none "
                                      "expected within a year")
    suggested_reorder_point: str | None = Field(description="the service-level quantile of demand over "
                                                "the supplier's lead time")
    service_level: str | None
    lead_time_days: int | None
    backtest_mase: str | None


class ForecastsOut(Out):
    """Forecast against actual per product × location, the series with most demand first."""

    generated_at: str
    today: str
    series: list[ForecastSeriesOut]


class TopSellerOut(Out):
    product_id: str
    name: str
    sku: str
    quantity: str
    revenue: str


class InsightCostsOut(Out):
    stock_value: list[str]
    stock_value_now: str
    cogs: list[str]
    waste_cost: dict[str, str]


class InsightsOut(Out):
    """Sales and revenue by day, top sellers this month, waste by reason this year; cost figures
    (`costs`) for owners and managers only."""

    generated_at: str
    currency: str
    days: list[str]
    sales: list[str]
    revenue: list[str]
    top_sellers: list[TopSellerOut]
    waste: dict[str, str]
    costs: InsightCostsOut | MISSING = MISSING


# List answers (`items`, `next`), each under its own name in the document.
class ProductsOut(Items[ProductOut]):
    pass


class SuppliersOut(Items[SupplierOut]):
    pass


class LocationsOut(Items[LocationOut]):
    pass


class CustomersOut(Items[CustomerOut]):
    pass


class PositionsOut(Items[PositionOut]):
    pass


class MovementsOut(Items[MovementOut]):
    pass


class BackordersOut(Items[BackorderOut]):
    pass


class PurchaseOrdersOut(Items[PurchaseOrderOut]):
    pass
