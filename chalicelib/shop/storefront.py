"""The storefront's documents on S3, served by the CDN: a page view costs no Lambda and no DynamoDB read.

* `storefront/<handle>/index.json`: the shop, its categories and every published product's card
  (selling price, discount, price after it);
* `storefront/<handle>/products/<product>.json`: a product page: the same prices, its description, the
  shop's pickup stores and delivery location, the delivery days, and where its availability is;
* `storefront/stock/<org>/<product>.json`: availability per location (`inventory.availability`,
  written by the inventory stream whenever stock or a reservation moves).

The shop stream republishes a shop's documents when its shop or a listing changes: once per shop
and product per batch (coalesced), from what is stored now, so a replay writes the same documents.
A promised date on a page is `rules.storefront.promised_date` with the availability document's
figures: the page carries the inputs (its fulfilment locations and days) and the date as of publishing.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ..core import clock, publish
from ..core.db import find
from ..core.money import fmt
from ..core.settings import get_settings
from ..inventory import availability, catalogue
from ..inventory.schemas import ProductOut
from . import promotions
from .listings import all_listings
from .models import Listing, Shop, shop_key
from .rules.storefront import promised_date, search_text

PREFIX = "storefront"
PAGE_CACHE = "max-age=30"  # the index and product pages' edge TTL (docs/shop.md "TTLs and hit ratio")


def index_key(handle: str) -> str:
    return f"{PREFIX}/{handle}/index.json"


def page_key(handle: str, product_id: str) -> str:
    return f"{PREFIX}/{handle}/products/{product_id}.json"


def _gone() -> dict[str, Any]:
    """A document that is gone becomes a tombstone (`{"removed": true}`): the streams' role puts
    objects and never deletes them, and a cached copy is replaced like any other change."""
    return {**publish.TOMBSTONE, "generated_at": clock.iso_now()}


def _remove(key: str) -> None:
    publish.put_json(get_settings().bucket, key, _gone(), cache_control=PAGE_CACHE)


def unpublish_handle(org_id: str, handle: str) -> None:
    """A handle the shop left: its documents go (the new handle gets its own)."""
    _remove(index_key(handle))
    for li in all_listings(org_id):
        _remove(page_key(handle, str(li.product_id)))


def publish_shop(org_id: str, product_ids: set[str] | None = None) -> list[str]:
    """Republish the shop's index and the pages of `product_ids` (None: every listed product); a
    product no longer listed, or unpublished, loses its page. Returns the keys written."""
    shop = find(Shop, *shop_key(org_id))
    if shop is None:
        return []
    listed = {str(li.product_id): li for li in all_listings(org_id)}
    products = catalogue.products_by_id(org_id, set(listed))
    at, promos = clock.now(), promotions.live(org_id)  # prices after the best promotion running now
    now = clock.iso_now()
    cats = [{"slug": c.slug, "name": c.name} for c in shop.categories or []]
    cat_names = {str(c.slug): str(c.name) for c in shop.categories or []}
    cards, written = [], []
    for pid, li in sorted(listed.items(), key=lambda kv: products[kv[0]].name.lower() if kv[0] in products else ""):
        product = products.get(pid)
        if product is None or not li.published:
            continue
        price = promotions.price_for(product, li, promos, at, str(shop.time_zone or "UTC"))
        cards.append({"product_id": pid, "name": product.name, "sku": product.sku, "brand": product.brand,
                      "category": li.category, "price": product.price,
                      "discount": fmt(price.discount, product.currency), "final_price": fmt(price.final, product.currency), "discount_label": price.label, "currency": product.currency,
                      "page": page_key(shop.handle, pid), "availability": availability.availability_key(org_id, pid),
                      "search": search_text(product.name, product.sku, product.brand, li.category,
                                            cat_names.get(str(li.category or ""), ""), li.description or "")})
    wanted = set(listed) if product_ids is None else product_ids
    pages: list[tuple[str, dict[str, Any]]] = []
    names: dict[str, str] | None = None  # the shop's pickup stores and delivery location, read once
    for pid in sorted(wanted):
        found, product = listed.get(pid), products.get(pid)
        if found is None or product is None or not found.published:
            pages.append((page_key(shop.handle, pid), _gone()))
            continue
        names = _place_names(shop) if names is None else names
        pages.append((page_key(shop.handle, pid), page_document(shop, product, found, now, promos, names)))
        written.append(page_key(shop.handle, pid))
    index = {"handle": shop.handle, "name": shop.name, "currency": shop.currency,
             "categories": cats, "products": cards, "generated_at": now}
    # the index last (core.publish): it never links a page that is not there yet (a CDN would cache that 404)
    publish.put_pages_then_index(get_settings().bucket, pages, (index_key(shop.handle), index), cache_control=PAGE_CACHE)
    return [*written, index_key(shop.handle)]


def _place_names(shop: Shop) -> dict[str, str]:
    """The names of the places the shop's pages promise from (pickup stores, the delivery location): one
    BatchGetItem, for the rows of a product with no stock there (the availability document has the rest)."""
    places = {str(x) for x in shop.pickup_location_ids or []}
    if shop.delivery_location_id:
        places.add(str(shop.delivery_location_id))
    return {k: v.name for k, v in catalogue.locations_by_id(shop.org_id, places).items()} if places else {}


def page_document(shop: Shop, product: ProductOut, listing: Listing, now: str,
                  promos: list[promotions.rules.Promotion], place_names: dict[str, str]) -> dict[str, Any]:
    """A product page (the product and its listing as `publish_shop` read them for every page): prices
    today, the shop's fulfilment, availability as of now and the dates it promises (the availability
    document has the live figures)."""
    org_id, product_id = shop.org_id, str(listing.product_id)
    today = clock.now().date()
    price = promotions.price_for(product, listing, promos, clock.now(), str(shop.time_zone or "UTC"))
    stock = availability.availability_document(org_id, product_id) or {"locations": []}
    by_loc = {row["location_id"]: row for row in stock["locations"]}

    def promise(location_id: str | None, days: int) -> dict[str, Any] | None:
        if location_id is None:
            return None
        row = by_loc.get(location_id, {"available": "0", "restock_on": None, "name": place_names.get(location_id, "")})
        restock = date.fromisoformat(row["restock_on"]) if row.get("restock_on") else None
        when = promised_date(today, Decimal(row["available"]), restock, days)
        return {"location_id": location_id, "name": row.get("name", location_id), "available": row["available"],
                "restock_on": row.get("restock_on"), "days": days, "date": when.isoformat() if when else None}

    return {
        "handle": shop.handle, "shop_name": shop.name, "product_id": product_id, "sku": product.sku,
        "name": product.name, "brand": product.brand, "unit": product.unit,
        "category": listing.category, "description": listing.description,
        "price": product.price, "discount": fmt(price.discount, product.currency), "discount_label": price.label,
        "final_price": fmt(price.final, product.currency), "currency": product.currency,
        "pickup": [p for p in (promise(str(loc), 0) for loc in shop.pickup_location_ids or []) if p],
        "delivery": promise(shop.delivery_location_id, int(shop.delivery_days)),
        "availability": availability.availability_key(org_id, product_id),
        "order_url": f"/shops/{shop.handle}/orders", "generated_at": now,
    }
