"""The inventory table: everything of one organisation under pk ORG#<org_id>.

Keys come from the access patterns in docs/architecture.md (section "Inventory"). The ledger is
the Movement items; a Position (product × location) is changed in the same transaction as the
movement that changes it and holds its own FIFO lots, so one conditional write decides a sale.
"""
from __future__ import annotations

from decimal import Decimal

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from ..core.attributes import DecimalAttribute
from ..core.keys import org_key, org_pk
from ..core.models import BaseMeta
from ..core.settings import get_settings

_s = get_settings()


# ------------------------------------------------------------------ keys
def item_key(org_id: str, prefix: str, item_id: str) -> tuple[str, str]:
    """An item of the organisation's partition: `item_key(o, "PRODUCT", p)` → (ORG#o, PRODUCT#p)."""
    return org_pk(org_id), f"{prefix}#{item_id}"


def position_key(org_id: str, product_id: str, location_id: str) -> tuple[str, str]:
    """A product × location's stock position."""
    return org_pk(org_id), f"POS#{product_id}#{location_id}"


def movement_key(org_id: str, movement_id: str) -> tuple[str, str]:
    return org_pk(org_id), f"MOVE#{movement_id}"


def location_stock_index(org_id: str, location_id: str) -> str:
    """by_location partition: one location's positions."""
    return org_key(org_id, "LOC", location_id)


def movements_index(org_id: str) -> str:
    """by_time partition: the organisation's movements in time order."""
    return org_key(org_id, "MOVES")


def open_backorders_index(org_id: str, product_id: str, location_id: str) -> str:
    """by_time partition: a position's open backorders, oldest first (sparse)."""
    return org_key(org_id, "BACKORDERS", product_id, location_id)


def purchase_orders_index(org_id: str) -> str:
    """by_time partition: the organisation's purchase orders in time order."""
    return org_key(org_id, "PO")


def series_id(org_id: str, product_id: str, location_id: str) -> str:
    """A product × location across the organisation: the by_job sort key."""
    return org_key(org_id, product_id, location_id)


class LocationIndex(GlobalSecondaryIndex):
    """ORG#o#LOC#<location> → the location's positions by product (stock by location)."""

    class Meta:
        index_name = "by_location"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class TimeIndex(GlobalSecondaryIndex):
    """Lists in time order:
    ORG#o#MOVES → movements by `<recorded_at>#<id>`;
    ORG#o#BACKORDERS#<product>#<location> → open backorders by `<created_at>#<id>` (sparse: a filled
      backorder leaves it), the order arriving stock is allocated in;
    ORG#o#PO → purchase orders by `<created_at>#<id>`."""

    class Meta:
        index_name = "by_time"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class JobIndex(GlobalSecondaryIndex):
    """The scheduled jobs' work list: POS#<shard> → every position as `ORG#o#<product>#<location>`
    (the reorder and forecast jobs), spread over core.shards.JOB_SHARDS partitions."""

    class Meta:
        index_name = "by_job"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class InventoryTable(Model):
    class Meta(BaseMeta):
        table_name = _s.inventory_table
        stream_view_type = "NEW_AND_OLD_IMAGES"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    by_location = LocationIndex()
    by_time = TimeIndex()
    by_job = JobIndex()


# ------------------------------------------------------------------ catalogue
class Product(InventoryTable):
    """pk ORG#o, sk PRODUCT#<id>. Its SKU is held unique by a SkuClaim written in the same transaction."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    sku = UnicodeAttribute()
    name = UnicodeAttribute()
    category = UnicodeAttribute(default="")
    brand = UnicodeAttribute(default="")
    unit = UnicodeAttribute(default="each")
    price = DecimalAttribute()
    cost = DecimalAttribute()
    currency = UnicodeAttribute()
    barcode = UnicodeAttribute(default="")
    supplier_id = UnicodeAttribute(null=True)
    allow_backorder = BooleanAttribute(default=False)
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class SkuClaim(InventoryTable):
    """pk ORG#o, sk SKU#<sku>: exists while a product holds that SKU."""

    product_id = UnicodeAttribute()


class Supplier(InventoryTable):
    """pk ORG#o, sk SUPPLIER#<id>."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    lead_time_days = NumberAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class Location(InventoryTable):
    """pk ORG#o, sk LOCATION#<id>: a store or a warehouse."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    name = UnicodeAttribute()
    kind = UnicodeAttribute()  # store | warehouse
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class Customer(InventoryTable):
    """pk ORG#o, sk CUSTOMER#<id>."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    name = UnicodeAttribute()
    email = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


# ----------------------------------------------------------- stock positions
class Lot(MapAttribute):
    """What is left of one received lot at one location (FIFO: the list is oldest first)."""

    lot = UnicodeAttribute()
    quantity = DecimalAttribute()
    unit_cost = DecimalAttribute()
    received_at = UnicodeAttribute()
    expiry = UnicodeAttribute(null=True)  # YYYY-MM-DD
    movement_id = UnicodeAttribute()


class Position(InventoryTable):
    """pk ORG#o, sk POS#<product>#<location>; gsi1 ORG#o#LOC#<location> / PRODUCT#<product>;
    gsi3 POS#<shard> / ORG#o#<product>#<location>.

    on_hand = sum of lots' quantities; reserved = what held Reservations keep for their orders;
    available = on_hand - reserved (what a sale, an issue, a transfer or a new reservation may take);
    backordered = open backorder quantity waiting here. `version` is bumped by every change and
    every change is conditional on the version read (optimistic concurrency)."""

    org_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    location_id = UnicodeAttribute()
    on_hand = DecimalAttribute()
    backordered = DecimalAttribute()
    reserved = DecimalAttribute(default=Decimal)
    lots = ListAttribute(of=Lot, default=list)
    reorder_point = DecimalAttribute(null=True)
    reorder_quantity = DecimalAttribute(null=True)
    max_quantity = DecimalAttribute(null=True)
    currency = UnicodeAttribute(null=True)  # the product's: what `value` is counted in
    version = NumberAttribute()
    updated_at = UnicodeAttribute()


# ------------------------------------------------------------------- ledger
class ConsumedLot(MapAttribute):
    """Part of a lot a movement took (or moved): enough to put it back exactly on a reversal."""

    lot = UnicodeAttribute()
    quantity = DecimalAttribute()
    unit_cost = DecimalAttribute()
    received_at = UnicodeAttribute(null=True)
    expiry = UnicodeAttribute(null=True)
    movement_id = UnicodeAttribute(null=True)


class Movement(InventoryTable):
    """pk ORG#o, sk MOVE#<client id>; gsi2 ORG#o#MOVES / <recorded_at>#<id>. Never edited or deleted:
    a mistake is corrected by a movement with `reverses` set.

    kind: receive | sale | issue | transfer | adjust | scrap | return.
    quantity > 0 is the quantity moved (a sale: the quantity filled; `backordered` the rest);
    `cost` is its FIFO cost (what left the lots, or what a receive added)."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    product_id = UnicodeAttribute()
    location_id = UnicodeAttribute()
    to_location_id = UnicodeAttribute(null=True)
    quantity = DecimalAttribute()
    direction = NumberAttribute()  # +1 into location_id, -1 out of it (a transfer: -1 here, +1 at to_location_id)
    backordered = DecimalAttribute(default=Decimal)
    lot = UnicodeAttribute(null=True)
    unit_cost = DecimalAttribute(null=True)
    expiry = UnicodeAttribute(null=True)
    cost = DecimalAttribute()
    price = DecimalAttribute(null=True)
    consumed = ListAttribute(of=ConsumedLot, default=list)
    reason = UnicodeAttribute(null=True)  # scrap: damaged | expired | defective | lost; adjust: stock-take
    counted = DecimalAttribute(null=True)  # adjust: the counted quantity
    customer_id = UnicodeAttribute(null=True)
    purchase_order_id = UnicodeAttribute(null=True)
    backorder_id = UnicodeAttribute(null=True)  # a sale that fills a backorder
    reservation_id = UnicodeAttribute(null=True)  # a sale that fulfils a reservation (its stock was reserved)
    reverses = UnicodeAttribute(null=True)
    note = UnicodeAttribute(default="")
    request_hash = UnicodeAttribute(default="")  # the request that recorded it: a replay must match
    currency = UnicodeAttribute(null=True)  # the product's: what `cost` and `price` are in
    recorded_by = UnicodeAttribute()
    recorded_at = UnicodeAttribute()
    occurred_on = UnicodeAttribute()  # YYYY-MM-DD (UTC) the rollups count it on


class Backorder(InventoryTable):
    """pk ORG#o, sk BACKORDER#<id>; while open, gsi2 ORG#o#BACKORDERS#<product>#<location> / <created_at>#<id>.

    status open → filled (or cancelled when its sale is reversed); `filled` grows as arriving stock
    is allocated in time order, each allocation a sale movement with `backorder_id` set."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    location_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    customer_email = UnicodeAttribute()
    customer_name = UnicodeAttribute(default="")
    sale_id = UnicodeAttribute()
    price = DecimalAttribute(null=True)  # the unit price of the sale it is part of
    quantity = DecimalAttribute()
    filled = DecimalAttribute()
    status = UnicodeAttribute()
    created_at = UnicodeAttribute()
    filled_at = UnicodeAttribute(null=True)


class ReversalClaim(InventoryTable):
    """pk ORG#o, sk REVERSED#<movement id>: a movement is reversed at most once."""

    reversal_id = UnicodeAttribute()


class ReservedLine(MapAttribute):
    """Units of one product kept at one location for a reservation (price: the unit price it sells at)."""

    product_id = UnicodeAttribute()
    location_id = UnicodeAttribute()
    quantity = DecimalAttribute()
    price = DecimalAttribute(null=True)
    currency = UnicodeAttribute(null=True)  # the product's: what `price` is in


class Reservation(InventoryTable):
    """pk ORG#o, sk RESERVE#<client id>: stock held for an order, in the same transaction as the
    positions' `reserved` (and the caller's own items, e.g. a shop order).

    status held → released (the stock is free again) or fulfilled (each line sold: a sale movement
    with `reservation_id`, id `uuid5(reservation, product, location)`). Never deleted."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    lines = ListAttribute(of=ReservedLine, default=list)
    status = UnicodeAttribute()
    reference = UnicodeAttribute(default="")  # what it is for, e.g. shop:order:<id>
    customer_id = UnicodeAttribute(null=True)
    request_hash = UnicodeAttribute(default="")
    sale_ids = ListAttribute(of=UnicodeAttribute, default=list)
    reason = UnicodeAttribute(null=True)  # why it was released (expired, cancelled, ...)
    created_by = UnicodeAttribute()
    created_at = UnicodeAttribute()
    settled_at = UnicodeAttribute(null=True)
    version = NumberAttribute(default=1)


# --------------------------------------------------------------- purchasing
class OrderLine(MapAttribute):
    product_id = UnicodeAttribute()
    sku = UnicodeAttribute(default="")
    quantity = DecimalAttribute()
    received = DecimalAttribute(default=Decimal)
    unit_cost = DecimalAttribute()


class PurchaseOrder(InventoryTable):
    """pk ORG#o, sk PO#<id>; gsi2 ORG#o#PO / <created_at>#<id>.

    status draft → approved (the supplier is emailed) → received (or cancelled)."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    supplier_id = UnicodeAttribute()
    location_id = UnicodeAttribute()
    status = UnicodeAttribute()
    lines = ListAttribute(of=OrderLine, default=list)
    currency = UnicodeAttribute()
    created_by = UnicodeAttribute()
    approved_by = UnicodeAttribute(null=True)
    receipts = ListAttribute(of=UnicodeAttribute, default=list)  # receive movement ids counted in `received`
    notes = UnicodeAttribute(default="")
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class OpenOrderClaim(InventoryTable):
    """pk ORG#o, sk OPENPO#<supplier>#<location>: the one open (draft or approved) purchase order of a
    supplier and location, so the reorder job drafts at most one; deleted when it is received or cancelled."""

    purchase_order_id = UnicodeAttribute()


class Forecast(InventoryTable):
    """pk ORG#o, sk FORECAST#<product>#<location>: the latest forecast of a series (written by the job)."""

    org_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    location_id = UnicodeAttribute()
    method = UnicodeAttribute()
    note = UnicodeAttribute(null=True)  # why the forecast is what it is, when the history decided it
    daily = ListAttribute(of=DecimalAttribute, default=list)  # the next days' forecast
    lower_80 = ListAttribute(of=DecimalAttribute, default=list)  # prediction intervals, day by day
    upper_80 = ListAttribute(of=DecimalAttribute, default=list)
    lower_95 = ListAttribute(of=DecimalAttribute, default=list)
    upper_95 = ListAttribute(of=DecimalAttribute, default=list)
    days_of_cover = DecimalAttribute(null=True)
    stockout_date = UnicodeAttribute(null=True)
    suggested_reorder_point = DecimalAttribute(null=True)
    service_level = DecimalAttribute(null=True)
    sigma = DecimalAttribute(null=True)
    lead_time_days = NumberAttribute(null=True)
    actual = ListAttribute(of=DecimalAttribute, default=list)  # the last 28 days' demand, oldest first
    backtest = ListAttribute(of=DecimalAttribute, default=list)  # what a fit 28 days ago forecast for them
    backtest_mase = DecimalAttribute(null=True)
    computed_on = UnicodeAttribute(null=True)  # YYYY-MM-DD: `daily[0]` is that day (fitted on the days before)
    computed_at = UnicodeAttribute()
