"""The catalogue: products (SKU unique per organisation), suppliers, locations and customers.

All of an organisation's catalogue lives in its partition (pk ORG#o), so a list is one Query on a
sort-key prefix. A product's SKU is held by a SkuClaim item written in the same transaction as the
product, so two products can never share one, even when created at the same moment.
"""
from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from pynamodb.exceptions import TransactWriteError

from ..core import clock
from ..core.db import transaction
from ..core.errors import Conflict, InvalidInput, NotFound
from ..core.orgs import org_pk
from .models import Customer, Location, Product, SkuClaim, Supplier
from .schemas import CustomerIn, LocationIn, ProductIn, SupplierIn

KINDS: dict[str, tuple[Any, str]] = {
    "product": (Product, "PRODUCT"),
    "supplier": (Supplier, "SUPPLIER"),
    "location": (Location, "LOCATION"),
    "customer": (Customer, "CUSTOMER"),
}


def get(kind: str, org_id: str, item_id: str, field: str | None = None):
    model, prefix = KINDS[kind]
    try:
        return model.get(org_pk(org_id), f"{prefix}#{item_id}")
    except model.DoesNotExist:
        if field:  # a reference in a request body: the body is wrong
            raise InvalidInput(f"no such {kind}", field=field) from None
        raise NotFound(f"no such {kind}", field=f"{kind}_id") from None


def many(kind: str, org_id: str, ids: set[str]) -> dict[str, Any]:
    """Several items of one kind by id in one BatchGetItem."""
    model, prefix = KINDS[kind]
    if not ids:
        return {}
    return {i.id: i for i in model.batch_get([(org_pk(org_id), f"{prefix}#{i}") for i in sorted(ids)])}


def list_all(kind: str, org_id: str) -> list:
    model, prefix = KINDS[kind]
    return sorted(model.query(org_pk(org_id), model.sk.startswith(f"{prefix}#")), key=lambda i: i.name.lower())


def _sku_claim(org_id: str, sku: str, product_id: str) -> SkuClaim:
    return SkuClaim(org_pk(org_id), f"SKU#{sku.upper()}", product_id=product_id)


def _sku_taken(exc: TransactWriteError, index: int, sku: str) -> Conflict | None:
    reasons = exc.cancellation_reasons or []
    if len(reasons) > index and reasons[index] is not None and reasons[index].code == "ConditionalCheckFailed":
        return Conflict(f"SKU {sku} is already used by another product", field="sku")
    return None


def create_product(org_id: str, data: ProductIn) -> Product:
    if data.supplier_id:
        get("supplier", org_id, data.supplier_id, field="supplier_id")
    pid, now = str(uuid.uuid4()), clock.iso_now()
    fields = data.model_dump(exclude={"version"})
    p = Product(org_pk(org_id), f"PRODUCT#{pid}", id=pid, org_id=org_id, version=1, created_at=now, updated_at=now,
                **fields)
    try:
        with transaction() as tx:
            tx.save(p, condition=Product.pk.does_not_exist())
            tx.save(_sku_claim(org_id, data.sku, pid), condition=SkuClaim.pk.does_not_exist())
    except TransactWriteError as exc:
        raise _sku_taken(exc, 1, data.sku) or exc
    return p


def update_product(org_id: str, product_id: str, data: ProductIn) -> Product:
    """Replace a product's fields under the version read; a new SKU moves its claim in the same transaction."""
    p = get("product", org_id, product_id)
    if data.version is None:
        raise InvalidInput("send the version you read", field="version")
    if data.version != p.version:
        raise Conflict("the product changed since you read it", field="version", extra={"current": product_out(p, True)})
    if data.supplier_id:
        get("supplier", org_id, data.supplier_id, field="supplier_id")
    old_sku = p.sku
    for k, v in data.model_dump(exclude={"version"}).items():
        setattr(p, k, v)
    p.version, p.updated_at = p.version + 1, clock.iso_now()
    try:
        with transaction() as tx:
            tx.save(p, condition=Product.version == data.version)
            if old_sku.upper() != data.sku.upper():
                tx.save(_sku_claim(org_id, data.sku, product_id), condition=SkuClaim.pk.does_not_exist())
                tx.delete(_sku_claim(org_id, old_sku, product_id))
    except TransactWriteError as exc:
        taken = _sku_taken(exc, 1, data.sku)
        if taken:
            raise taken from None
        raise Conflict("the product changed since you read it", field="version",
                       extra={"current": product_out(get("product", org_id, product_id), True)}) from None
    return p


def create(kind: str, org_id: str, data: SupplierIn | LocationIn | CustomerIn):
    model, prefix = KINDS[kind]
    item_id, now = str(uuid.uuid4()), clock.iso_now()
    item = model(org_pk(org_id), f"{prefix}#{item_id}", id=item_id, org_id=org_id, created_at=now, updated_at=now,
                 **data.model_dump())
    item.save(condition=model.pk.does_not_exist())
    return item


def update(kind: str, org_id: str, item_id: str, data: SupplierIn | LocationIn | CustomerIn):
    """Last writer wins: these are a few plain fields, edited by the organisation's managers."""
    model, _prefix = KINDS[kind]
    item = get(kind, org_id, item_id)
    actions = [getattr(model, k).set(v) for k, v in data.model_dump().items()]
    item.update(actions=[*actions, model.updated_at.set(clock.iso_now())], condition=model.pk.exists())
    return item


def _money(v) -> str | None:
    return None if v is None else str(Decimal(v))


def product_out(p: Product, show_costs: bool) -> dict:
    out = {"id": p.id, "sku": p.sku, "name": p.name, "category": p.category, "brand": p.brand, "unit": p.unit,
           "price": _money(p.price), "currency": p.currency, "barcode": p.barcode, "supplier_id": p.supplier_id,
           "allow_backorder": bool(p.allow_backorder), "version": p.version, "created_at": p.created_at,
           "updated_at": p.updated_at}
    if show_costs:
        out["cost"] = _money(p.cost)
    return out


def item_out(item) -> dict:
    fields = {"supplier": ("name", "email", "lead_time_days"), "location": ("name", "kind"),
              "customer": ("name", "email")}
    kind = {Supplier: "supplier", Location: "location", Customer: "customer"}[type(item)]
    out = {"id": item.id, "created_at": item.created_at, "updated_at": item.updated_at}
    out.update({f: getattr(item, f) for f in fields[kind]})
    if kind == "supplier":
        out["lead_time_days"] = int(item.lead_time_days)
    return out
