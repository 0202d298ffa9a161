"""Availability for shops: a product's stock per location, as a JSON document on S3 that a storefront
reads through the CDN (no Lambda, no DynamoDB read per page view).

The inventory stream republishes a product's document once per batch that touches its positions or
the product itself (coalesced; a replay publishes the same current state again). Each location
gives what can still be sold (`available` = on hand − reserved) and, when that is nothing, when stock
is expected: an approved open purchase order's date plus the supplier's lead time, else today plus
the lead time (`rules.purchasing.restock_on`).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ..core import clock, publish
from ..core.keys import org_pk
from ..core.money import fmt_quantity, fmt_unit_price
from ..core.settings import get_settings
from . import catalogue
from .ledger import available_of
from .models import Location, OpenOrderClaim, Position, Product, PurchaseOrder, Supplier, item_key
from .rules.purchasing import restock_on

PREFIX = "storefront/stock"
AVAILABILITY_CACHE = "max-age=5"  # the storefront's availability documents' edge TTL (docs/shop.md)


def availability_key(org_id: str, product_id: str) -> str:
    """The S3 key (and CDN path) of a product's availability document."""
    return f"{PREFIX}/{org_id}/{product_id}.json"


def _ordered_on(org_id: str, supplier_id: str, location_ids: list[str], product_id: str) -> dict[str, date]:
    """Per location, the day an approved open purchase order with this product was approved."""
    claims = {c.sk.split("#")[-1]: c for c in OpenOrderClaim.batch_get(
        [(org_pk(org_id), f"OPENPO#{supplier_id}#{loc}") for loc in location_ids])}
    if not claims:
        return {}
    orders = {po.id: po for po in PurchaseOrder.batch_get(
        [item_key(org_id, "PO", c.purchase_order_id) for c in claims.values()])}
    out: dict[str, date] = {}
    for loc, claim in claims.items():
        po = orders.get(claim.purchase_order_id)
        if po is None or po.status != "approved":
            continue
        if any(line.product_id == product_id and Decimal(line.received) < Decimal(line.quantity) for line in po.lines):
            out[loc] = date.fromisoformat(str(po.updated_at)[:10])
    return out


def availability_document(org_id: str, product_id: str) -> dict[str, Any] | None:
    """The product's availability per location (None when the product no longer exists). Reads: a
    Query of its positions, a BatchGetItem of the product, supplier and locations, and of the open
    order claims and their orders when it is out somewhere."""
    positions = list(Position.query(org_pk(org_id), Position.sk.startswith(f"POS#{product_id}#")))
    products = catalogue.many(Product, "PRODUCT", org_id, {product_id})
    product = products.get(product_id)
    if product is None:
        return None
    locations = catalogue.many(Location, "LOCATION", org_id, {p.location_id for p in positions})
    supplier = (catalogue.many(Supplier, "SUPPLIER", org_id, {product.supplier_id}).get(product.supplier_id)
                if product.supplier_id else None)
    today = clock.now().date()
    out_at = [p.location_id for p in positions if available_of(p) <= 0]
    ordered = (_ordered_on(org_id, supplier.id, out_at, product_id) if supplier is not None and out_at else {})
    rows = []
    for p in sorted(positions, key=lambda p: p.location_id):
        loc = locations.get(p.location_id)
        available = available_of(p)
        row: dict[str, Any] = {"location_id": p.location_id, "name": loc.name if loc else p.location_id,
                               "kind": loc.kind if loc else "store", "available": fmt_quantity(available),
                               "in_stock": available > 0, "restock_on": None}
        if available <= 0 and supplier is not None:
            row["restock_on"] = restock_on(today, int(supplier.lead_time_days),
                                           ordered.get(p.location_id)).isoformat()
        rows.append(row)
    return {"org_id": org_id, "product_id": product_id, "sku": product.sku, "name": product.name,
            "price": fmt_unit_price(product.price, product.currency), "currency": product.currency,
            "lead_time_days": int(supplier.lead_time_days) if supplier is not None else None,
            "locations": rows, "generated_at": clock.iso_now()}


def publish_availability(org_id: str, product_id: str) -> str | None:
    """Write the product's availability document (private object, served by the CDN); its key, or None
    when the product no longer exists (its document becomes a tombstone, `{"removed": true}`)."""
    key = availability_key(org_id, product_id)
    doc = availability_document(org_id, product_id)
    publish.put_json(get_settings().bucket, key, doc if doc is not None else publish.TOMBSTONE,
                     cache_control=AVAILABILITY_CACHE)
    return key if doc is not None else None
