"""Listings: which catalogue products the storefront offers, in which shop category, at what discount.

The product itself (name, SKU, selling price, currency) stays in the inventory catalogue and is read
through its public reads (`inventory.catalogue.products_by_id`); the listing adds what only the shop
knows. Prices after discount come from `rules.storefront.price_on`, the one rule for the storefront's
pages and the orders' prices."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from ..core import clock
from ..core.db import find, save_if
from ..core.errors import Conflict, InvalidInput, NotFound
from ..core.keys import org_pk
from ..core.money import fmt, fmt_unit_price
from ..inventory import catalogue
from ..inventory.schemas import ProductOut
from .models import Listing, ListingDiscount, Shop, listing_key
from .rules.storefront import Discount, Price, check_discount, price_on
from .schemas import DiscountOut, ListingIn, ListingOut, ListingsOut


def discount_of(listing: Listing | None) -> Discount | None:
    d = listing.discount if listing is not None else None
    if d is None:
        return None
    return Discount(str(d.kind), Decimal(d.value), date.fromisoformat(d.starts_on) if d.starts_on else None,
                    date.fromisoformat(d.ends_on) if d.ends_on else None, str(d.label or ""))


def price_today(product: ProductOut, listing: Listing | None, day: date) -> Price:
    return price_on(Decimal(product.price), product.currency, discount_of(listing), day)


def listings_by_product(org_id: str, product_ids: set[str]) -> dict[str, Listing]:
    """Listings by product id in one BatchGetItem (those that exist)."""
    if not product_ids:
        return {}
    return {str(li.product_id): li for li in Listing.batch_get([listing_key(org_id, p) for p in sorted(product_ids)])}


def all_listings(org_id: str) -> list[Listing]:
    return list(Listing.query(org_pk(org_id), Listing.sk.startswith("LISTING#")))


def set_listing(shop: Shop, product_id: str, data: ListingIn) -> Listing:
    """Create or change (at the version read) a product's listing; the category must be the shop's."""
    org_id = shop.org_id
    if catalogue.products_by_id(org_id, {product_id}).get(product_id) is None:
        raise NotFound("no such product", field="product_id")
    if data.category is not None and data.category not in {c.slug for c in shop.categories or []}:
        raise NotFound("the shop has no such category", field="category")
    discount = None
    if data.discount is not None:
        d = data.discount
        try:
            rule = Discount(d.kind, Decimal(d.value), date.fromisoformat(d.starts_on) if d.starts_on else None,
                            date.fromisoformat(d.ends_on) if d.ends_on else None, d.label)
        except ValueError:
            raise InvalidInput("not a calendar day", field="discount.starts_on") from None
        check_discount(rule)
        discount = ListingDiscount(kind=d.kind, value=Decimal(d.value), starts_on=d.starts_on, ends_on=d.ends_on,
                                   label=d.label)
    current = find(Listing, *listing_key(org_id, product_id))
    now = clock.iso_now()
    if current is None and data.version is not None:
        raise NotFound("this product is not listed yet", field="version")
    if current is not None and data.version != current.version:
        raise Conflict("the listing changed since you read it (send its version)", field="version")
    read = int(current.version) if current is not None else 0
    listing = Listing(*listing_key(org_id, product_id), org_id=org_id, product_id=product_id,
                      category=data.category, description=data.description, published=data.published,
                      discount=discount, version=read + 1,
                      created_at=current.created_at if current is not None else now, updated_at=now)
    if not save_if(listing, Listing.pk.does_not_exist() if read == 0 else Listing.version == read):
        raise Conflict("the listing changed since you read it", field="version")
    return listing


def listing_out(listing: Listing, product: ProductOut, day: date) -> ListingOut:
    p = price_today(product, listing, day)
    d = listing.discount
    cur = product.currency
    return ListingOut(
        product_id=str(listing.product_id), name=product.name, sku=product.sku, category=listing.category,
        description=listing.description or "", published=bool(listing.published),
        discount=None if d is None else DiscountOut(kind=str(d.kind), value=f"{Decimal(d.value).normalize():f}",
                                                     starts_on=d.starts_on, ends_on=d.ends_on, label=str(d.label or "")),
        price=fmt_unit_price(p.price, cur), discount_amount=fmt(p.discount, cur), final_price=fmt(p.final, cur),
        currency=cur, version=int(listing.version))


def listing_out_of(org_id: str, listing: Listing) -> ListingOut:
    """A listing as its response model, with its product's catalogue fields and today's prices."""
    product = catalogue.products_by_id(org_id, {str(listing.product_id)})[str(listing.product_id)]
    return listing_out(listing, product, clock.now().date())


def listings(org_id: str) -> ListingsOut:
    items = all_listings(org_id)
    products = catalogue.products_by_id(org_id, {str(li.product_id) for li in items})
    today = clock.now().date()
    return ListingsOut(items=[listing_out(li, products[str(li.product_id)], today) for li in items
                              if str(li.product_id) in products])
