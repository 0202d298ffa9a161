"""The catalogue: products (SKU unique per organisation), suppliers, locations and customers.

All of an organisation's catalogue lives in its partition (pk ORG#o), so a list is one Query on a
sort-key prefix. A product's SKU is held by a SkuClaim item written in the same transaction as the
product, so two products can never share one, even when created at the same moment.
"""
from __future__ import annotations

import uuid
from typing import Any, TypeVar

from pynamodb.exceptions import TransactWriteError

from ..core import clock
from ..core.db import get_or, put_if_new, transact, update_if
from ..core.errors import Conflict, InvalidInput, NotFound, TallyError
from ..core.money import fmt_unit_price
from ..core.keys import org_pk
from .models import Customer, InventoryTable, Location, Product, SkuClaim, Supplier, item_key
from .schemas import (
    CustomerIn,
    CustomerOut,
    CustomersOut,
    LocationIn,
    LocationOut,
    LocationsOut,
    ProductIn,
    ProductOut,
    ProductsOut,
    SupplierIn,
    SupplierOut,
    SuppliersOut,
)

KINDS: dict[str, tuple[type[InventoryTable], str]] = {
    "product": (Product, "PRODUCT"),
    "supplier": (Supplier, "SUPPLIER"),
    "location": (Location, "LOCATION"),
    "customer": (Customer, "CUSTOMER"),
}
Catalogued = Supplier | Location | Customer
ItemIn = SupplierIn | LocationIn | CustomerIn
ItemOut = SupplierOut | LocationOut | CustomerOut
T = TypeVar("T", bound=InventoryTable)


def get(kind: str, org_id: str, item_id: str, field: str | None = None) -> Any:
    """A catalogue item by id, else a 404 naming `<kind>_id`, or `field` when the id is a reference
    in a request body (a reference to nothing is a 404 wherever it is written)."""
    model, prefix = KINDS[kind]
    return get_or(model, *item_key(org_id, prefix, item_id),
                  lambda: NotFound(f"no such {kind}", field=field or f"{kind}_id"))


def many(model: type[T], prefix: str, org_id: str, ids: set[str]) -> dict[str, T]:
    """Several items of one kind by id in one BatchGetItem: {id: item} for those that exist."""
    if not ids:
        return {}
    return {item.sk.split("#", 1)[1]: item
            for item in model.batch_get([item_key(org_id, prefix, i) for i in sorted(ids)])}


def list_all(kind: str, org_id: str) -> list[Any]:
    model, prefix = KINDS[kind]
    return sorted(model.query(org_pk(org_id), model.sk.startswith(f"{prefix}#")), key=lambda i: i.name.lower())


def _sku_claim(org_id: str, sku: str, product_id: str) -> SkuClaim:
    return SkuClaim(*item_key(org_id, "SKU", sku.upper()), product_id=product_id)


def create_product(org_id: str, data: ProductIn) -> Product:
    if data.supplier_id:
        get("supplier", org_id, data.supplier_id, field="supplier_id")
    pid, now = str(uuid.uuid4()), clock.iso_now()
    fields = data.model_dump(exclude={"version"})
    p = Product(*item_key(org_id, "PRODUCT", pid), id=pid, org_id=org_id, version=1, created_at=now,
                updated_at=now, **fields)

    def sku_taken(failed: list[int]) -> TallyError | None:
        return Conflict(f"SKU {data.sku} is already used by another product", field="sku") if 1 in failed else None

    with transact(otherwise=sku_taken) as tx:
        tx.save(p, condition=Product.pk.does_not_exist())
        tx.save(_sku_claim(org_id, data.sku, pid), condition=SkuClaim.pk.does_not_exist())
    return p


def update_product(org_id: str, product_id: str, data: ProductIn) -> Product:
    """Replace a product's fields under the version read; a new SKU moves its claim in the same transaction."""
    p = get("product", org_id, product_id)
    if data.version is None:
        raise InvalidInput("send the version you read", field="version")

    def changed() -> Conflict:
        current = product_out(get("product", org_id, product_id), True)
        return Conflict("the product changed since you read it", field="version",
                        extra={"current": current.model_dump(mode="json")})

    if data.version != p.version:
        raise changed()
    if data.supplier_id:
        get("supplier", org_id, data.supplier_id, field="supplier_id")
    old_sku = p.sku
    for k, v in data.model_dump(exclude={"version"}).items():
        setattr(p, k, v)
    p.version, p.updated_at = p.version + 1, clock.iso_now()

    def refused(failed: list[int]) -> TallyError:
        if 1 in failed:
            return Conflict(f"SKU {data.sku} is already used by another product", field="sku")
        return changed()

    try:
        with transact(otherwise=refused) as tx:
            tx.save(p, condition=Product.version == data.version)
            if old_sku.upper() != data.sku.upper():
                tx.save(_sku_claim(org_id, data.sku, product_id), condition=SkuClaim.pk.does_not_exist())
                tx.delete(_sku_claim(org_id, old_sku, product_id))
    except TransactWriteError:  # cancelled by a concurrent transaction on the product
        raise changed() from None
    return p


def create(kind: str, org_id: str, data: ItemIn) -> Any:
    model, prefix = KINDS[kind]
    item_id, now = str(uuid.uuid4()), clock.iso_now()
    item = model(*item_key(org_id, prefix, item_id), id=item_id, org_id=org_id, created_at=now, updated_at=now,
                 **data.model_dump())
    put_if_new(item, otherwise=lambda: Conflict(f"that {kind} exists already; send it again", field="body"))
    return item


def update(kind: str, org_id: str, item_id: str, data: ItemIn) -> Any:
    """Last writer wins: these are a few plain fields, edited by the organisation's managers."""
    model: Any = KINDS[kind][0]
    item = get(kind, org_id, item_id)
    actions = [getattr(model, k).set(v) for k, v in data.model_dump().items()]
    update_if(item, [*actions, model.updated_at.set(clock.iso_now())], model.pk.exists(),
              otherwise=lambda: NotFound(f"no such {kind}", field=f"{kind}_id"))
    return item


# ----------------------------------------------------------------- response models
def product_out(p: Product, show_costs: bool) -> ProductOut:
    costs = {"cost": fmt_unit_price(p.cost, p.currency)} if show_costs else {}
    return ProductOut(id=p.id, sku=p.sku, name=p.name, category=p.category, brand=p.brand, unit=p.unit,
                      price=fmt_unit_price(p.price, p.currency), currency=p.currency, barcode=p.barcode,
                      supplier_id=p.supplier_id, allow_backorder=bool(p.allow_backorder), version=int(p.version),
                      created_at=p.created_at, updated_at=p.updated_at, **costs)


def supplier_out(s: Supplier) -> SupplierOut:
    return SupplierOut(id=s.id, name=s.name, email=s.email, lead_time_days=int(s.lead_time_days),
                       created_at=s.created_at, updated_at=s.updated_at)


def location_out(lo: Location) -> LocationOut:
    return LocationOut(id=lo.id, name=lo.name, kind=lo.kind, created_at=lo.created_at, updated_at=lo.updated_at)


def customer_out(c: Customer) -> CustomerOut:
    return CustomerOut(id=c.id, name=c.name, email=c.email, created_at=c.created_at, updated_at=c.updated_at)


def item_out(item: Catalogued) -> ItemOut:
    if isinstance(item, Supplier):
        return supplier_out(item)
    if isinstance(item, Location):
        return location_out(item)
    return customer_out(item)


def products(org_id: str, show_costs: bool) -> ProductsOut:
    """The catalogue's products by name."""
    return ProductsOut(items=[product_out(p, show_costs) for p in list_all("product", org_id)])


def items(kind: str, org_id: str) -> SuppliersOut | LocationsOut | CustomersOut:
    """The organisation's suppliers, locations or customers by name."""
    rows = list_all(kind, org_id)
    if kind == "supplier":
        return SuppliersOut(items=[supplier_out(i) for i in rows])
    if kind == "location":
        return LocationsOut(items=[location_out(i) for i in rows])
    return CustomersOut(items=[customer_out(i) for i in rows])


# ----------------------------------------------------------------- for other modules (the shop)
def products_by_id(org_id: str, ids: set[str]) -> dict[str, ProductOut]:
    """Products by id, their public fields (no cost), in one BatchGetItem: {id: product} for those
    that exist."""
    return {pid: product_out(p, False) for pid, p in many(Product, "PRODUCT", org_id, ids).items()}


def locations_by_id(org_id: str, ids: set[str]) -> dict[str, LocationOut]:
    """Locations by id in one BatchGetItem: {id: location} for those that exist."""
    return {lid: location_out(lo) for lid, lo in many(Location, "LOCATION", org_id, ids).items()}
