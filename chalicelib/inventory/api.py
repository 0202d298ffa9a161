"""Inventory routes under /orgs/{org_id}/...: the catalogue, stock settings, the ledger and its reports.

Every route checks the caller's membership of the organisation (a non-member gets 404). Owners and
managers manage the catalogue and see costs; staff record movements and customers.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from chalice import Blueprint

from ..core import clock
from ..core.errors import InvalidInput
from ..core.orgs import MANAGERS, require_role
from ..core.web import Req, json_response, route
from . import catalogue, forecasting, ledger, rules
from .schemas import CustomerIn, LocationIn, MovementIn, ProductIn, StockSettingsIn, SupplierIn

inventory = Blueprint(__name__)

BODIES = {"supplier": SupplierIn, "location": LocationIn, "customer": CustomerIn}
WRITERS = {"supplier": MANAGERS, "location": MANAGERS, "customer": ("owner", "manager", "staff")}


# ----------------------------------------------------------------- products
@route(inventory, "/orgs/{org_id}/products", ("GET",))
def list_products(req: Req, org_id: str):
    """The catalogue's products by name (costs for owners and managers only)."""
    m = require_role(req.principal, org_id)
    return {"items": [catalogue.product_out(p, m.role in MANAGERS) for p in catalogue.list_all("product", org_id)]}


@route(inventory, "/orgs/{org_id}/products", ("POST",), body=ProductIn, status=201)
def create_product(req: Req, org_id: str):
    """A product (owners and managers); its SKU is unique in the organisation."""
    require_role(req.principal, org_id, MANAGERS)
    return catalogue.product_out(catalogue.create_product(org_id, req.body(ProductIn)), True)


@route(inventory, "/orgs/{org_id}/products/{product_id}", ("GET",))
def get_product(req: Req, org_id: str, product_id: str):
    m = require_role(req.principal, org_id)
    return catalogue.product_out(catalogue.get("product", org_id, product_id), m.role in MANAGERS)


@route(inventory, "/orgs/{org_id}/products/{product_id}", ("PUT",), body=ProductIn)
def update_product(req: Req, org_id: str, product_id: str):
    """Replace a product's fields (owners and managers), sending the version read."""
    require_role(req.principal, org_id, MANAGERS)
    return catalogue.product_out(catalogue.update_product(org_id, product_id, req.body(ProductIn)), True)


# ------------------------------------------------ suppliers, locations, customers
def _register(kind: str, plural: str) -> None:
    """GET/POST /orgs/{org_id}/<plural> and PUT /orgs/{org_id}/<plural>/{item_id} for one kind."""
    body = BODIES[kind]

    def list_items(req: Req, org_id: str):
        require_role(req.principal, org_id)
        return {"items": [catalogue.item_out(i) for i in catalogue.list_all(kind, org_id)]}

    def create_item(req: Req, org_id: str):
        require_role(req.principal, org_id, WRITERS[kind])
        return catalogue.item_out(catalogue.create(kind, org_id, req.body(body)))

    def update_item(req: Req, org_id: str, item_id: str):
        require_role(req.principal, org_id, WRITERS[kind])
        return catalogue.item_out(catalogue.update(kind, org_id, item_id, req.body(body)))

    who = "any member" if len(WRITERS[kind]) == 3 else "owners and managers"
    for fn, verb, doc in ((list_items, "list", f"The organisation's {plural} by name."),
                          (create_item, "create", f"Add a {kind} ({who})."),
                          (update_item, "update", f"Change a {kind} ({who}).")):
        fn.__name__ = fn.__qualname__ = f"{verb}_{plural}"  # Chalice names a view by its function
        fn.__doc__ = doc
    route(inventory, f"/orgs/{{org_id}}/{plural}", ("GET",))(list_items)
    route(inventory, f"/orgs/{{org_id}}/{plural}", ("POST",), body=body, status=201)(create_item)
    route(inventory, f"/orgs/{{org_id}}/{plural}/{{item_id}}", ("PUT",), body=body)(update_item)


for _kind, _plural in (("supplier", "suppliers"), ("location", "locations"), ("customer", "customers")):
    _register(_kind, _plural)


# ----------------------------------------------------------------- stock
@route(inventory, "/orgs/{org_id}/stock", ("GET",), query=("location_id",))
def list_stock(req: Req, org_id: str):
    """Stock positions (of one location with ?location_id=), each flagged low, out or over."""
    m = require_role(req.principal, org_id)
    loc = req.query.get("location_id")
    return {"items": [ledger.position_out(p, m.role in MANAGERS) for p in ledger.list_positions(org_id, loc)]}


@route(inventory, "/orgs/{org_id}/stock/{product_id}/{location_id}", ("GET",))
def get_stock(req: Req, org_id: str, product_id: str, location_id: str):
    m = require_role(req.principal, org_id)
    pos = ledger.get_position(org_id, product_id, location_id)
    if pos is None:
        catalogue.get("product", org_id, product_id)
        catalogue.get("location", org_id, location_id)
        pos = ledger.new_position(org_id, product_id, location_id)
    return ledger.position_out(pos, m.role in MANAGERS)


@route(inventory, "/orgs/{org_id}/stock/{product_id}/{location_id}/settings", ("PUT",), body=StockSettingsIn)
def put_stock_settings(req: Req, org_id: str, product_id: str, location_id: str):
    """Reorder point, reorder quantity and maximum of a product at a location (owners and managers)."""
    require_role(req.principal, org_id, MANAGERS)
    data = req.body(StockSettingsIn)
    pos = ledger.set_stock_settings(org_id, product_id, location_id, data.reorder_point, data.reorder_quantity,
                                    data.max_quantity)
    return ledger.position_out(pos, True)


# ----------------------------------------------------------------- ledger
@route(inventory, "/orgs/{org_id}/movements/{movement_id}", ("PUT",), body=MovementIn, status=201)
def put_movement(req: Req, org_id: str, movement_id: str):
    """Record a stock movement under a client-chosen id (201); the same id and body again returns it
    (200), a different body 409. A sale beyond stock is 409 (field quantity) or, for a product that
    allows it and a named customer, filled in part and backordered."""
    m = require_role(req.principal, org_id)
    data = req.body(MovementIn)
    if data.kind == "reversal" and m.role not in MANAGERS:
        require_role(req.principal, org_id, MANAGERS)
    movement, positions, replayed = ledger.record_movement(org_id, req.principal.sub, movement_id, data)
    show = m.role in MANAGERS
    body = {"movement": ledger.movement_out(movement, show),
            "positions": [ledger.position_out(p, show) for p in positions]}
    return json_response(body, status=200 if replayed else 201)


@route(inventory, "/orgs/{org_id}/movements/{movement_id}", ("GET",))
def get_movement(req: Req, org_id: str, movement_id: str):
    m = require_role(req.principal, org_id)
    return ledger.movement_out(ledger.get_movement(org_id, movement_id), m.role in MANAGERS)


@route(inventory, "/orgs/{org_id}/movements", ("GET",), query=("product_id", "location_id", "limit"))
def list_movements(req: Req, org_id: str):
    """The ledger, newest first."""
    m = require_role(req.principal, org_id)
    limit = _whole(req, "limit", 100, 1, 500)
    items = ledger.list_movements(org_id, limit, req.query.get("product_id"), req.query.get("location_id"))
    return {"items": [ledger.movement_out(i, m.role in MANAGERS) for i in items]}


@route(inventory, "/orgs/{org_id}/backorders", ("GET",), query=("status",))
def list_backorders(req: Req, org_id: str):
    """Backorders, oldest first (?status=open|filled|cancelled)."""
    require_role(req.principal, org_id)
    status = req.query.get("status")
    if status is not None and status not in ("open", "filled", "cancelled"):
        raise InvalidInput("status is open, filled or cancelled", field="status")
    return {"items": [ledger.backorder_out(b) for b in ledger.list_backorders(org_id, status)]}


# ----------------------------------------------------------------- reports
def _whole(req: Req, name: str, default: int, lo: int, hi: int) -> int:
    """A whole-number query parameter within [lo, hi], or a 400 naming it."""
    try:
        value = int(req.query.get(name, str(default)))
    except ValueError:
        raise InvalidInput(f"{name} is a whole number", field=name) from None
    if not lo <= value <= hi:
        raise InvalidInput(f"{name} is between {lo} and {hi}", field=name)
    return value


@route(inventory, "/orgs/{org_id}/reports/expiring", ("GET",), query=("days",))
def expiring_report(req: Req, org_id: str):
    """Lots expiring within ?days= (default 30) or already expired, soonest first."""
    m = require_role(req.principal, org_id)
    days = _whole(req, "days", 30, 0, 3650)
    today = clock.now().date()
    out = []
    for p in ledger.list_positions(org_id):
        for lt in rules.expiring(ledger._lots(p), today, days):
            row = {"product_id": p.product_id, "location_id": p.location_id, "lot": lt["lot"],
                   "quantity": ledger.rules_qty(lt["quantity"]), "expiry": lt["expiry"],
                   "expired": lt["expiry"] < today.isoformat()}
            if m.role in MANAGERS:
                row["value"] = str((lt["quantity"] * lt["unit_cost"]).quantize(Decimal("0.01")))
            out.append(row)
    return {"days": days, "today": today.isoformat(), "items": sorted(out, key=lambda r: (r["expiry"], r["lot"]))}


@route(inventory, "/orgs/{org_id}/reports/valuation", ("GET",))
def valuation_report(req: Req, org_id: str):
    """Stock value at FIFO cost per product and location, and in total (owners and managers)."""
    require_role(req.principal, org_id, MANAGERS)
    rows, total = [], Decimal(0)
    for p in ledger.list_positions(org_id):
        v = rules.value(ledger._lots(p))
        total += v
        rows.append({"product_id": p.product_id, "location_id": p.location_id, "on_hand": ledger.rules_qty(p.on_hand),
                     "value": str(v.quantize(Decimal("0.01")))})
    return {"as_of": date.isoformat(clock.now().date()), "items": rows, "total": str(total.quantize(Decimal("0.01")))}


@route(inventory, "/orgs/{org_id}/forecasts", ("GET",))
def list_forecasts(req: Req, org_id: str):
    """Demand forecasts per product × location (the hourly job's precomputed chart JSON): the last 28
    days' actual demand against what was forecast for them, the next 28 days, days of cover, the
    projected stock-out date and a suggested reorder point for a 95 % service level."""
    require_role(req.principal, org_id)
    return forecasting.chart_for(org_id)
