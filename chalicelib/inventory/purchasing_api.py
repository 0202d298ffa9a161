"""Purchase-order and inventory-insight routes under /orgs/{org_id}/...; every one checks the caller's role."""
from __future__ import annotations

from chalice import Blueprint

from ..core.errors import InvalidInput
from ..core.orgs import MANAGERS, require_role
from ..core.web import Req, route

from . import purchasing as svc
from .purchasing_schemas import PurchaseOrderIn, PurchaseOrderOut, ReceiptIn, VersionIn
from .reactions import chart_for

purchasing = Blueprint(__name__)


@route(purchasing, "/orgs/{org_id}/purchase-orders", ("GET",), query=("status",))
def list_purchase_orders(req: Req, org_id: str):
    """Purchase orders, newest first (unit costs for owners and managers only)."""
    m = require_role(req.principal, org_id)
    status = req.query.get("status")
    if status is not None and status not in svc.STATUSES:
        raise InvalidInput(f"status is one of {', '.join(svc.STATUSES)}", field="status")
    return {"items": [svc.po_out(po, m.role in MANAGERS) for po in svc.list_pos(org_id, status)]}


@route(purchasing, "/orgs/{org_id}/purchase-orders", ("POST",), body=PurchaseOrderIn, response=PurchaseOrderOut,
       status=201)
def create_purchase_order(req: Req, org_id: str):
    """A draft purchase order by hand (owners and managers)."""
    require_role(req.principal, org_id, MANAGERS)
    data = req.body(PurchaseOrderIn)
    po = svc.create_po(org_id, req.principal.sub, data.supplier_id, data.location_id,
                       [ln.model_dump() for ln in data.lines])
    return svc.po_out(po, True)


@route(purchasing, "/orgs/{org_id}/purchase-orders/{po_id}", ("GET",), response=PurchaseOrderOut)
def get_purchase_order(req: Req, org_id: str, po_id: str):
    m = require_role(req.principal, org_id)
    return svc.po_out(svc.get_po(org_id, po_id), m.role in MANAGERS)


@route(purchasing, "/orgs/{org_id}/purchase-orders/{po_id}/approve", ("POST",), body=VersionIn,
       response=PurchaseOrderOut)
def approve_purchase_order(req: Req, org_id: str, po_id: str):
    """Approve a draft (owners and managers): the supplier is emailed the order."""
    require_role(req.principal, org_id, MANAGERS)
    data = req.body(VersionIn)
    return svc.po_out(svc.approve(org_id, po_id, req.principal.sub, data.version), True)


@route(purchasing, "/orgs/{org_id}/purchase-orders/{po_id}/cancel", ("POST",), body=VersionIn,
       response=PurchaseOrderOut)
def cancel_purchase_order(req: Req, org_id: str, po_id: str):
    """Cancel an open order (owners and managers); the supplier and location may be ordered from again."""
    require_role(req.principal, org_id, MANAGERS)
    data = req.body(VersionIn)
    return svc.po_out(svc.cancel(org_id, po_id, data.version), True)


@route(purchasing, "/orgs/{org_id}/purchase-orders/{po_id}/receive", ("POST",), body=ReceiptIn,
       response=PurchaseOrderOut)
def receive_purchase_order(req: Req, org_id: str, po_id: str):
    """Record a delivery against an approved order (any member): each line becomes a receive movement,
    so arriving stock fills backorders first. The same receipt_id sent again receives nothing twice."""
    m = require_role(req.principal, org_id)
    data = req.body(ReceiptIn)
    po = svc.receive(org_id, po_id, req.principal.sub, data.receipt_id, [ln.model_dump() for ln in data.lines])
    return svc.po_out(po, m.role in MANAGERS)


@route(purchasing, "/orgs/{org_id}/insights/inventory", ("GET",))
def inventory_insights(req: Req, org_id: str):
    """Precomputed charts: sales and revenue by day, top sellers, waste by reason; stock value and
    cost of goods (under `costs`) for owners and managers only."""
    m = require_role(req.principal, org_id)
    return chart_for(org_id, m.role in MANAGERS)
