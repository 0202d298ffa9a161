"""Purchase orders: drafted by the reorder job (or by hand), approved by an owner or manager (the
supplier is emailed in the same transaction), received as receive movements through the ledger.

One open purchase order per supplier and location (`OpenOrderClaim`), so the job, however often it
runs, drafts at most one; the claim goes when the order is received in full or cancelled.
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from pynamodb.exceptions import TransactWriteError

from ..core import clock
from ..core.alert_rules import firing_id
from ..core.alerts import outbox_message
from ..core.db import conflicted, failed_actions, get_or, transact
from ..core.errors import Conflict, NotFound, TallyError
from ..core.keys import org_pk
from ..core.models import Organisation, OutboxMessage, Rollup
from ..core.money import fmt, fmt_quantity, fmt_unit_price
from . import catalogue
from .ledger import record_movement
from .models import (
    Forecast,
    Location,
    OpenOrderClaim,
    OrderLine,
    Position,
    Product,
    PurchaseOrder,
    Supplier,
    item_key,
    purchase_orders_index,
)
from .rules import purchasing as rules
from .rules.watch import series_key
from .schemas import MovementIn, OrderLineOut, PurchaseOrderOut, PurchaseOrdersOut

OPEN = ("draft", "approved")
PO_NAMESPACE = uuid.UUID("6f1d3c56-2b0e-4a57-9d8f-5b1f0d0c9e11")


def po_key(org_id: str, po_id: str) -> tuple[str, str]:
    return item_key(org_id, "PO", po_id)


def claim_key(org_id: str, supplier_id: str, location_id: str) -> tuple[str, str]:
    return org_pk(org_id), f"OPENPO#{supplier_id}#{location_id}"


def get_po(org_id: str, po_id: str) -> PurchaseOrder:
    return get_or(PurchaseOrder, *po_key(org_id, po_id),
                  missing=lambda: NotFound("no such purchase order", field="purchase_order_id"))


def list_pos(org_id: str, status: str | None = None, limit: int = 100) -> list[PurchaseOrder]:
    cond = PurchaseOrder.status == status if status else None
    return list(PurchaseOrder.by_time.query(purchase_orders_index(org_id), scan_index_forward=False, limit=limit,
                                            filter_condition=cond))


def purchase_orders(org_id: str, show_costs: bool, status: str | None = None) -> PurchaseOrdersOut:
    """Purchase orders, newest first."""
    return PurchaseOrdersOut(items=[po_out(po, show_costs) for po in list_pos(org_id, status)])


def _new_po(org_id: str, po_id: str, supplier_id: str, location_id: str, lines: list[OrderLine], currency: str,
            created_by: str) -> PurchaseOrder:
    now = clock.iso_now()
    return PurchaseOrder(
        *po_key(org_id, po_id), gsi2pk=purchase_orders_index(org_id), gsi2sk=f"{now}#{po_id}", id=po_id,
        org_id=org_id, supplier_id=supplier_id, location_id=location_id, status="draft", lines=lines,
        currency=currency, created_by=created_by, version=1, created_at=now, updated_at=now)


def _save_draft(po: PurchaseOrder) -> bool:
    """Write a draft and its supplier × location claim together; False when one is open already."""
    claim = OpenOrderClaim(*claim_key(po.org_id, po.supplier_id, po.location_id), purchase_order_id=po.id)
    try:
        with transact() as tx:
            tx.save(po, condition=PurchaseOrder.pk.does_not_exist())
            tx.save(claim, condition=OpenOrderClaim.pk.does_not_exist())
        return True
    except TransactWriteError as exc:
        if failed_actions(exc):
            return False
        raise


def create_po(org_id: str, by: str, supplier_id: str, location_id: str, lines: list[dict[str, Any]]) -> PurchaseOrder:
    """A draft by hand: products and supplier must exist; one open order per supplier and location."""
    catalogue.get("supplier", org_id, supplier_id, field="supplier_id")
    catalogue.get("location", org_id, location_id, field="location_id")
    products = catalogue.many(Product, "PRODUCT", org_id, {ln["product_id"] for ln in lines})
    out = []
    for i, ln in enumerate(lines):
        p = products.get(ln["product_id"])
        if p is None:
            raise NotFound("no such product", field=f"lines.{i}.product_id")
        out.append(OrderLine(product_id=p.id, sku=p.sku, quantity=ln["quantity"],
                             unit_cost=ln.get("unit_cost") if ln.get("unit_cost") is not None else p.cost, received=0))
    currency = next(iter(products.values())).currency
    po = _new_po(org_id, str(uuid.uuid4()), supplier_id, location_id, out, currency, by)
    if not _save_draft(po):
        raise Conflict("this supplier already has an open purchase order for this location", field="supplier_id")
    return po


def _changed(org_id: str, po_id: str) -> TallyError:
    return Conflict("the purchase order changed since you read it", field="version",
                    extra={"current": po_out(get_po(org_id, po_id), True).model_dump(mode="json")})


def approve(org_id: str, po_id: str, by: str, version: int) -> PurchaseOrder:
    """draft → approved, and the supplier's email, in one transaction (an approval happens once)."""
    po = get_po(org_id, po_id)
    if po.version != version:
        raise Conflict("the purchase order changed since you read it", field="version",
                       extra={"current": po_out(po, True).model_dump(mode="json")})
    if po.status != "draft":
        raise Conflict(f"the purchase order is {po.status}", field="status",
                       extra={"current": po_out(po, True).model_dump(mode="json")})
    supplier: Supplier = catalogue.get("supplier", org_id, po.supplier_id, field="supplier_id")
    location: Location = catalogue.get("location", org_id, po.location_id, field="location_id")
    org = Organisation.get(org_pk(org_id), "META")
    products = catalogue.many(Product, "PRODUCT", org_id, {ln.product_id for ln in po.lines})
    lines = [{"product_id": ln.product_id, "sku": ln.sku, "quantity": fmt_quantity(ln.quantity),
              "unit_cost": ln.unit_cost, "name": getattr(products.get(ln.product_id), "name", "")} for ln in po.lines]
    subject, text, html = rules.po_email(org_name=org.name, supplier=supplier.name, location=location.name,
                                         address_note="", po_id=po.id, lines=lines, currency=po.currency)
    msg = outbox_message(
        id=firing_id("purchase_order", org_id, po.id, "approved"), scope=org_pk(org_id), recipient=supplier.email,
        alert_type="purchase_order", rule="purchase_order:approved", threshold="approved", period=po.id,
        value=None, subject=subject, text=text, html=html, details={"org_id": org_id, "purchase_order_id": po.id})
    now = clock.iso_now()
    try:
        with transact() as tx:
            tx.update(po, actions=[PurchaseOrder.status.set("approved"), PurchaseOrder.approved_by.set(by),
                                   PurchaseOrder.version.set(po.version + 1), PurchaseOrder.updated_at.set(now)],
                      condition=(PurchaseOrder.version == po.version) & (PurchaseOrder.status == "draft"))
            tx.save(msg, condition=OutboxMessage.id.does_not_exist())
    except TransactWriteError as exc:
        if conflicted(exc):  # a condition failed or another writer won: it changed
            raise _changed(org_id, po_id) from None
        raise
    return get_po(org_id, po_id)


def cancel(org_id: str, po_id: str, version: int) -> PurchaseOrder:
    po = get_po(org_id, po_id)
    if po.status not in OPEN:
        raise Conflict(f"the purchase order is {po.status}", field="status",
                       extra={"current": po_out(po, True).model_dump(mode="json")})
    try:
        with transact() as tx:
            tx.update(po, actions=[PurchaseOrder.status.set("cancelled"), PurchaseOrder.version.set(po.version + 1),
                                   PurchaseOrder.updated_at.set(clock.iso_now())],
                      condition=PurchaseOrder.version == version)
            tx.delete(OpenOrderClaim(*claim_key(org_id, po.supplier_id, po.location_id)))
    except TransactWriteError as exc:
        if conflicted(exc):
            raise _changed(org_id, po_id) from None
        raise
    return get_po(org_id, po_id)


def receipt_movement_id(receipt_id: str, product_id: str) -> str:
    return str(uuid.uuid5(uuid.UUID(receipt_id), product_id))


def receive(org_id: str, po_id: str, by: str, receipt_id: str, lines: list[dict[str, Any]]) -> PurchaseOrder:
    """Each receipt line is a receive movement with a deterministic id (the ledger records it once and
    allocates it to backorders first); the order counts each movement once (`receipts`), and when every
    line has arrived it is received and its supplier × location claim is released."""
    po = get_po(org_id, po_id)
    ordered = {ln.product_id: ln for ln in po.lines}
    for i, ln in enumerate(lines):
        if ln["product_id"] not in ordered:
            raise Conflict("this product is not on the purchase order", field=f"lines.{i}.product_id")
    ids = [receipt_movement_id(receipt_id, ln["product_id"]) for ln in lines]
    if po.status != "approved" and not all(i in (po.receipts or []) for i in ids):
        raise Conflict(f"only an approved order can be received; this one is {po.status}", field="status",
                       extra={"current": po_out(po, True).model_dump(mode="json")})
    recorded = []
    for mid, ln in zip(ids, lines):
        order_line = ordered[ln["product_id"]]
        movement = MovementIn.model_validate({
            "kind": "receive", "product_id": ln["product_id"], "location_id": po.location_id,
            "quantity": str(ln["quantity"]), "unit_cost": str(order_line.unit_cost),
            "lot": ln.get("lot") or f"PO-{po.id[:8].upper()}", "expiry": ln.get("expiry"),
            "purchase_order_id": po.id})
        m = record_movement(org_id, by, mid, movement).movement
        recorded.append((mid, m.product_id, m.quantity))
    for _ in range(5):  # count the movements into the order once, under its version
        po = get_po(org_id, po_id)
        new = [(mid, pid, q) for mid, pid, q in recorded if mid not in (po.receipts or [])]
        if not new:
            return po
        for _mid, pid, q in new:
            line = next(ln for ln in po.lines if ln.product_id == pid)
            line.received = Decimal(line.received or 0) + Decimal(q)
        done = all(Decimal(ln.received or 0) >= Decimal(ln.quantity) for ln in po.lines)
        receipts: list[Any] = [*(po.receipts or []), *(m for m, _, _ in new)]
        actions: list[Any] = [PurchaseOrder.lines.set(po.lines), PurchaseOrder.receipts.set(receipts),
                   PurchaseOrder.version.set(po.version + 1), PurchaseOrder.updated_at.set(clock.iso_now())]
        if done:
            actions.append(PurchaseOrder.status.set("received"))
        try:
            with transact() as tx:
                tx.update(po, actions=actions, condition=PurchaseOrder.version == po.version)
                if done:
                    tx.delete(OpenOrderClaim(*claim_key(org_id, po.supplier_id, po.location_id)))
        except TransactWriteError as exc:
            if conflicted(exc):  # another receipt counted meanwhile: read again
                continue
            raise
        return get_po(org_id, po_id)
    raise Conflict("the purchase order kept changing; send the receipt again", field="version")


def po_out(po: PurchaseOrder, show_costs: bool) -> PurchaseOrderOut:
    lines = [OrderLineOut(product_id=ln.product_id, sku=ln.sku, quantity=fmt_quantity(ln.quantity),
                          received=fmt_quantity(ln.received or 0),
                          **({"unit_cost": fmt_unit_price(ln.unit_cost, po.currency)} if show_costs else {}))
             for ln in po.lines]
    costs = {}
    if show_costs:
        costs["total"] = fmt(sum((Decimal(ln.quantity) * Decimal(ln.unit_cost) for ln in po.lines), Decimal(0)),
                             po.currency)
    return PurchaseOrderOut(id=po.id, supplier_id=po.supplier_id, location_id=po.location_id, status=po.status,
                            lines=lines, currency=po.currency, created_by=po.created_by, approved_by=po.approved_by,
                            version=int(po.version), created_at=po.created_at, updated_at=po.updated_at, **costs)


# -------------------------------------------------------------- reorder drafts
def daily_demand(org_id: str, positions: list[Position], today: date) -> dict[tuple[str, str], Decimal]:
    """Mean daily demand per product × location: the latest forecast, else the last 28 days."""
    keys = [item_key(org_id, "FORECAST", f"{p.product_id}#{p.location_id}") for p in positions]
    out: dict[tuple[str, str], Decimal] = {}
    for f in Forecast.batch_get(keys):
        if f.daily:
            first: list[Any] = list(f.daily[:28])
            out[(f.product_id, f.location_id)] = sum(first, Decimal(0)) / len(first)
    missing = [p for p in positions if (p.product_id, p.location_id) not in out]
    years = sorted({str(today.year), str((today - timedelta(days=28)).year)})
    rkeys = [series_key(org_id, p.product_id, p.location_id, y) for p in missing for y in years]
    totals = {(r.pk, r.sk): r.totals or {} for r in Rollup.batch_get(rkeys)} if rkeys else {}
    for p in missing:
        daily = []
        for i in range(28, 0, -1):
            d = today - timedelta(days=i)
            daily.append(totals.get(series_key(org_id, p.product_id, p.location_id, str(d.year)), {})
                         .get(f"{d:%m-%d}", Decimal(0)))
        out[(p.product_id, p.location_id)] = rules.mean_daily_demand(daily)
    return out


def needs_reorder(p: Position) -> bool:
    """Below its reorder point."""
    return p.reorder_point is not None and p.on_hand < p.reorder_point


def draft_reorders_of(org_id: str, positions: list[Position], today: date) -> tuple[int, int, int]:
    """One organisation's positions below their reorder point grouped per supplier and location into
    one draft each: (drafted, already open, without a supplier). Safe to run twice a day."""
    products = catalogue.many(Product, "PRODUCT", org_id, {p.product_id for p in positions})
    suppliers = catalogue.many(Supplier, "SUPPLIER", org_id,
                               {p.supplier_id for p in products.values() if p.supplier_id})
    demand = daily_demand(org_id, positions, today)
    groups: dict[tuple[str, str], list[OrderLine]] = defaultdict(list)
    currency: dict[tuple[str, str], str] = {}
    no_supplier = 0
    for pos in positions:
        product = products.get(pos.product_id)
        supplier = suppliers.get(product.supplier_id) if product and product.supplier_id else None
        if product is None or supplier is None:
            no_supplier += 1
            continue
        qty = rules.order_quantity(
            on_hand=pos.on_hand, backordered=pos.backordered or Decimal(0), reorder_point=pos.reorder_point,
            reorder_quantity=pos.reorder_quantity, max_quantity=pos.max_quantity,
            lead_time_days=int(supplier.lead_time_days), daily_demand=demand.get((pos.product_id, pos.location_id),
                                                                                Decimal(0)))
        if qty <= 0:
            continue
        key = (supplier.id, pos.location_id)
        groups[key].append(OrderLine(product_id=product.id, sku=product.sku, quantity=qty, unit_cost=product.cost,
                                     received=0))
        currency[key] = product.currency
    drafted = skipped = 0
    for (supplier_id, location_id), lines in sorted(groups.items()):
        # the same id however often the job runs in a day; the claim stops a second order on later days
        po_id = str(uuid.uuid5(PO_NAMESPACE, f"{org_id}|{supplier_id}|{location_id}|{today}"))
        po = _new_po(org_id, po_id, supplier_id, location_id, sorted(lines, key=lambda ln: ln.sku),
                     currency[(supplier_id, location_id)], "reorder-job")
        if _save_draft(po):
            drafted += 1
        else:
            skipped += 1
    return drafted, skipped, no_supplier
