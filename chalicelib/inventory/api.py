"""Inventory routes under /orgs/{org_id}/...: the catalogue, stock settings, the ledger, purchase
orders and the reports and charts. Routes only: parse, authorize, call one service, return its
response model.

Every route checks the caller's membership of the organisation (a non-member gets 404). Owners and
managers manage the catalogue and see costs; staff record movements and customers.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint
from pydantic import BaseModel

from ..core.deferred import deferred
from ..core.roles import MANAGERS
from ..core.web import Reply, Req, route
from .schemas import (
    BackordersOut,
    BackordersQuery,
    CustomerIn,
    CustomerOut,
    CustomersOut,
    ExpiringOut,
    ExpiringQuery,
    ForecastsOut,
    InsightsOut,
    LocationIn,
    LocationOut,
    LocationsOut,
    MovementIn,
    MovementOut,
    MovementRecordedOut,
    MovementsOut,
    MovementsQuery,
    PositionOut,
    PositionsOut,
    ProductIn, ProductUpdateIn,
    ProductOut,
    ProductsOut,
    PurchaseOrderIn,
    PurchaseOrderOut,
    PurchaseOrdersOut,
    PurchaseOrdersQuery,
    ReceiptIn,
    ReleaseIn,
    ReservationChangedOut,
    ReservationIn,
    ReservationOut,
    StockQuery,
    StockSettingsIn,
    SupplierIn,
    SupplierOut,
    SuppliersOut,
    ValuationOut,
    VersionIn,
)

if TYPE_CHECKING:
    from ..core import orgs
    from . import catalogue, forecasting, insights, ledger, purchasing
else:  # imported by the first request that calls them (core.deferred)
    (orgs,) = deferred("chalicelib.core", "orgs")
    catalogue, forecasting, insights, ledger, purchasing = deferred(
        __package__, "catalogue", "forecasting", "insights", "ledger", "purchasing")

inventory = Blueprint(__name__)

STAFF = ("owner", "manager", "staff")


# ----------------------------------------------------------------- products
@route(inventory, "/orgs/{org_id}/products", ("GET",), response=ProductsOut)
def list_products(req: Req, org_id: str) -> ProductsOut:
    """The catalogue's products by name (costs for owners and managers only)."""
    m = orgs.require_role(req.principal, org_id)
    return catalogue.products(org_id, m.role in MANAGERS)


@route(inventory, "/orgs/{org_id}/products", ("POST",), body=ProductIn, response=ProductOut, status=201)
def create_product(req: Req, org_id: str) -> ProductOut:
    """A product (owners and managers); its SKU is unique in the organisation."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    return catalogue.product_out(catalogue.create_product(org_id, req.body(ProductIn)), True)


@route(inventory, "/orgs/{org_id}/products/{product_id}", ("GET",), response=ProductOut)
def get_product(req: Req, org_id: str, product_id: str) -> ProductOut:
    m = orgs.require_role(req.principal, org_id)
    return catalogue.product_out(catalogue.get("product", org_id, product_id), m.role in MANAGERS)


@route(inventory, "/orgs/{org_id}/products/{product_id}", ("PUT",), body=ProductUpdateIn, response=ProductOut)
def update_product(req: Req, org_id: str, product_id: str) -> ProductOut:
    """Replace a product's fields (owners and managers), sending the version read."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    return catalogue.product_out(catalogue.update_product(org_id, product_id, req.body(ProductUpdateIn)), True)


# ------------------------------------------------ suppliers, locations, customers
def _register(kind: str, plural: str, body: type[BaseModel], out: type[BaseModel], many: type[BaseModel],
              writers: tuple[str, ...]) -> None:
    """GET/POST /orgs/{org_id}/<plural> and PUT /orgs/{org_id}/<plural>/{item_id} for one kind."""

    def list_items(req: Req, org_id: str) -> Any:
        orgs.require_role(req.principal, org_id)
        return catalogue.items(kind, org_id)

    def create_item(req: Req, org_id: str) -> Any:
        orgs.require_role(req.principal, org_id, writers)
        return catalogue.item_out(catalogue.create(kind, org_id, req.body(body)))  # type: ignore[arg-type]

    def update_item(req: Req, org_id: str, item_id: str) -> Any:
        orgs.require_role(req.principal, org_id, writers)
        return catalogue.item_out(catalogue.update(kind, org_id, item_id, req.body(body)))  # type: ignore[arg-type]

    who = "any member" if writers == STAFF else "owners and managers"
    for fn, verb, doc in ((list_items, "list", f"The organisation's {plural} by name."),
                          (create_item, "create", f"Add a {kind} ({who})."),
                          (update_item, "update", f"Change a {kind} ({who}).")):
        fn.__name__ = fn.__qualname__ = f"{verb}_{plural}"  # Chalice names a view by its function
        fn.__doc__ = doc
    route(inventory, f"/orgs/{{org_id}}/{plural}", ("GET",), response=many)(list_items)
    route(inventory, f"/orgs/{{org_id}}/{plural}", ("POST",), body=body, response=out, status=201)(create_item)
    route(inventory, f"/orgs/{{org_id}}/{plural}/{{item_id}}", ("PUT",), body=body, response=out)(update_item)


_register("supplier", "suppliers", SupplierIn, SupplierOut, SuppliersOut, MANAGERS)
_register("location", "locations", LocationIn, LocationOut, LocationsOut, MANAGERS)
_register("customer", "customers", CustomerIn, CustomerOut, CustomersOut, STAFF)


# ----------------------------------------------------------------- stock
@route(inventory, "/orgs/{org_id}/stock", ("GET",), query=StockQuery, response=PositionsOut)
def list_stock(req: Req, org_id: str) -> PositionsOut:
    """Stock positions (of one location with ?location_id=), each flagged low, out or over."""
    m = orgs.require_role(req.principal, org_id)
    q = req.query_model(StockQuery)
    return ledger.stock(org_id, m.role in MANAGERS, q.location_id)


@route(inventory, "/orgs/{org_id}/stock/{product_id}/{location_id}", ("GET",), response=PositionOut)
def get_stock(req: Req, org_id: str, product_id: str, location_id: str) -> PositionOut:
    m = orgs.require_role(req.principal, org_id)
    return ledger.stock_of(org_id, product_id, location_id, m.role in MANAGERS)


@route(inventory, "/orgs/{org_id}/stock/{product_id}/{location_id}/settings", ("PUT",), body=StockSettingsIn,
       response=PositionOut)
def put_stock_settings(req: Req, org_id: str, product_id: str, location_id: str) -> PositionOut:
    """Reorder point, reorder quantity and maximum of a product at a location (owners and managers)."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    data = req.body(StockSettingsIn)
    pos = ledger.set_stock_settings(org_id, product_id, location_id, data.reorder_point, data.reorder_quantity,
                                    data.max_quantity)
    return ledger.position_out(pos, True)


# ----------------------------------------------------------------- ledger
@route(inventory, "/orgs/{org_id}/movements/{movement_id}", ("PUT",), body=MovementIn,
       response=MovementRecordedOut, status=201,
       also={200: "the movement was recorded already with this body: what was recorded (no positions)"})
def put_movement(req: Req, org_id: str, movement_id: str) -> MovementRecordedOut | Reply[MovementRecordedOut]:
    """Record a stock movement under a client-chosen id (201); the same id and body again returns it
    (200), a different body 409. A sale beyond stock is 409 (field quantity) or, for a product that
    allows it and a named customer, filled in part and backordered."""
    m = orgs.require_role(req.principal, org_id)
    data = req.body(MovementIn)
    if data.kind == "reversal" and m.role not in MANAGERS:
        orgs.require_role(req.principal, org_id, MANAGERS)
    done = ledger.record_movement(org_id, req.principal.sub, movement_id, data)
    show = m.role in MANAGERS
    body = MovementRecordedOut(movement=ledger.movement_out(done.movement, show),
                               positions=[ledger.position_out(p, show) for p in done.positions])
    return Reply(body, 200) if done.replayed else body


@route(inventory, "/orgs/{org_id}/movements/{movement_id}", ("GET",), response=MovementOut)
def get_movement(req: Req, org_id: str, movement_id: str) -> MovementOut:
    m = orgs.require_role(req.principal, org_id)
    return ledger.movement(org_id, movement_id, m.role in MANAGERS)


@route(inventory, "/orgs/{org_id}/movements", ("GET",), query=MovementsQuery, response=MovementsOut)
def list_movements(req: Req, org_id: str) -> MovementsOut:
    """The ledger, newest first."""
    m = orgs.require_role(req.principal, org_id)
    q = req.query_model(MovementsQuery)
    return ledger.movements(org_id, m.role in MANAGERS, q.limit, q.product_id, q.location_id)


# ----------------------------------------------------------------- reservations
RESERVATION = {"reservation_id": r"^[A-Za-z0-9_-]{1,64}$"}


@route(inventory, "/orgs/{org_id}/reservations/{reservation_id}", ("PUT",), body=ReservationIn, path_patterns=RESERVATION,
       response=ReservationChangedOut, status=201,
       also={200: "the reservation was made already with this body: it as it is now (no positions)"})
def put_reservation(req: Req, org_id: str, reservation_id: str) -> ReservationChangedOut | Reply[ReservationChangedOut]:
    """Keep stock for an order (a phone order, a held item) under a client-chosen id: every line or
    none; a line beyond what is available (on hand - reserved) is 409 naming it. Staff and up."""
    m = orgs.require_role(req.principal, org_id)
    held = ledger.reserve(org_id, reservation_id, req.body(ReservationIn), req.principal.sub)
    body = ledger.held_out(held, m.role in MANAGERS)
    return Reply(body, 200) if held.replayed else body


@route(inventory, "/orgs/{org_id}/reservations/{reservation_id}", ("GET",), path_patterns=RESERVATION,
       response=ReservationOut)
def get_reservation(req: Req, org_id: str, reservation_id: str) -> ReservationOut:
    orgs.require_role(req.principal, org_id)
    return ledger.reservation(org_id, reservation_id)


@route(inventory, "/orgs/{org_id}/reservations/{reservation_id}/release", ("POST",), body=ReleaseIn,
       path_patterns=RESERVATION,
       response=ReservationChangedOut, status=200)
def release_reservation(req: Req, org_id: str, reservation_id: str) -> ReservationChangedOut:
    """Give a held reservation's stock back (once; a fulfilled one is 409 `status`)."""
    m = orgs.require_role(req.principal, org_id)
    held = ledger.release(org_id, reservation_id, req.principal.sub, req.body(ReleaseIn).reason)
    return ledger.held_out(held, m.role in MANAGERS)


@route(inventory, "/orgs/{org_id}/reservations/{reservation_id}/fulfil", ("POST",), path_patterns=RESERVATION,
       response=ReservationChangedOut, status=200)
def fulfil_reservation(req: Req, org_id: str, reservation_id: str) -> ReservationChangedOut:
    """Sell a held reservation's stock (once): a sale movement per line, from the units kept for it."""
    m = orgs.require_role(req.principal, org_id)
    held = ledger.fulfil(org_id, reservation_id, req.principal.sub)
    return ledger.held_out(held, m.role in MANAGERS)


@route(inventory, "/orgs/{org_id}/backorders", ("GET",), query=BackordersQuery, response=BackordersOut)
def list_backorders(req: Req, org_id: str) -> BackordersOut:
    """Backorders, oldest first (?status=open|filled|cancelled)."""
    orgs.require_role(req.principal, org_id)
    return ledger.backorders(org_id, req.query_model(BackordersQuery).status)


# ----------------------------------------------------------------- reports
@route(inventory, "/orgs/{org_id}/reports/expiring", ("GET",), query=ExpiringQuery, response=ExpiringOut)
def expiring_report(req: Req, org_id: str) -> ExpiringOut:
    """Lots expiring within ?days= (default 30) or already expired, soonest first."""
    m = orgs.require_role(req.principal, org_id)
    return ledger.expiring(org_id, req.query_model(ExpiringQuery).days, m.role in MANAGERS)


@route(inventory, "/orgs/{org_id}/reports/valuation", ("GET",), response=ValuationOut)
def valuation_report(req: Req, org_id: str) -> ValuationOut:
    """Stock value at FIFO cost per product and location, and in total (owners and managers)."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    return ledger.valuation(org_id)


@route(inventory, "/orgs/{org_id}/forecasts", ("GET",), response=ForecastsOut)
def list_forecasts(req: Req, org_id: str) -> ForecastsOut:
    """Demand forecasts per product × location (the hourly job's precomputed chart JSON): the last 28
    days' actual demand against what was forecast for them, the next 28 days, days of cover, the
    projected stock-out date and a suggested reorder point for a 95 % service level."""
    orgs.require_role(req.principal, org_id)
    return forecasting.chart_for(org_id)


@route(inventory, "/orgs/{org_id}/insights/inventory", ("GET",), response=InsightsOut)
def inventory_insights(req: Req, org_id: str) -> InsightsOut:
    """Precomputed charts: sales and revenue by day, top sellers, waste by reason; stock value and
    cost of goods (under `costs`) for owners and managers only."""
    m = orgs.require_role(req.principal, org_id)
    return insights.chart_for(org_id, m.role in MANAGERS)


# ----------------------------------------------------------------- purchase orders
@route(inventory, "/orgs/{org_id}/purchase-orders", ("GET",), query=PurchaseOrdersQuery,
       response=PurchaseOrdersOut)
def list_purchase_orders(req: Req, org_id: str) -> PurchaseOrdersOut:
    """Purchase orders, newest first (unit costs for owners and managers only)."""
    m = orgs.require_role(req.principal, org_id)
    return purchasing.purchase_orders(org_id, m.role in MANAGERS, req.query_model(PurchaseOrdersQuery).status)


@route(inventory, "/orgs/{org_id}/purchase-orders", ("POST",), body=PurchaseOrderIn, response=PurchaseOrderOut,
       status=201)
def create_purchase_order(req: Req, org_id: str) -> PurchaseOrderOut:
    """A draft purchase order by hand (owners and managers)."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    data = req.body(PurchaseOrderIn)
    po = purchasing.create_po(org_id, req.principal.sub, data.supplier_id, data.location_id,
                              [ln.model_dump() for ln in data.lines])
    return purchasing.po_out(po, True)


@route(inventory, "/orgs/{org_id}/purchase-orders/{po_id}", ("GET",), response=PurchaseOrderOut)
def get_purchase_order(req: Req, org_id: str, po_id: str) -> PurchaseOrderOut:
    m = orgs.require_role(req.principal, org_id)
    return purchasing.po_out(purchasing.get_po(org_id, po_id), m.role in MANAGERS)


@route(inventory, "/orgs/{org_id}/purchase-orders/{po_id}/approve", ("POST",), body=VersionIn,
       response=PurchaseOrderOut)
def approve_purchase_order(req: Req, org_id: str, po_id: str) -> PurchaseOrderOut:
    """Approve a draft (owners and managers): the supplier is emailed the order."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    data = req.body(VersionIn)
    return purchasing.po_out(purchasing.approve(org_id, po_id, req.principal.sub, data.version), True)


@route(inventory, "/orgs/{org_id}/purchase-orders/{po_id}/cancel", ("POST",), body=VersionIn,
       response=PurchaseOrderOut)
def cancel_purchase_order(req: Req, org_id: str, po_id: str) -> PurchaseOrderOut:
    """Cancel an open order (owners and managers); the supplier and location may be ordered from again."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    data = req.body(VersionIn)
    return purchasing.po_out(purchasing.cancel(org_id, po_id, data.version), True)


@route(inventory, "/orgs/{org_id}/purchase-orders/{po_id}/receive", ("POST",), body=ReceiptIn,
       response=PurchaseOrderOut)
def receive_purchase_order(req: Req, org_id: str, po_id: str) -> PurchaseOrderOut:
    """Record a delivery against an approved order (any member): each line becomes a receive movement,
    so arriving stock fills backorders first. The same receipt_id sent again receives nothing twice."""
    m = orgs.require_role(req.principal, org_id)
    data = req.body(ReceiptIn)
    po = purchasing.receive(org_id, po_id, req.principal.sub, data.receipt_id,
                            [ln.model_dump() for ln in data.lines])
    return purchasing.po_out(po, m.role in MANAGERS)
