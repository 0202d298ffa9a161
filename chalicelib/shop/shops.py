"""The shop of an organisation: its public handle (held unique by a claim written in the same
transaction), its categories, where orders are collected and delivered from, and the payment secret."""
from __future__ import annotations

import secrets

from ..core import clock
from ..core.db import find, transact
from ..core.errors import Conflict, InvalidInput, NotFound, TallyError
from ..core.settings import get_settings
from ..inventory import catalogue
from .models import Shop, ShopCategory, ShopHandleClaim, shop_handle_key, shop_key
from .schemas import PublicShopOut, ShopCategoryOut, ShopIn, ShopOut


def storefront_link(handle: str, path: str = "") -> str:
    """A page of the shop's public storefront (storefront.html, routed under #/s/<handle>): the catalogue,
    or `path` under it such as `/p/<product id>` or `/order?id=...`; what every customer message links to."""
    return f"{get_settings().dashboard_url.rstrip('/')}/storefront.html#/s/{handle}{path}"


def get_shop(org_id: str) -> Shop:
    shop = find(Shop, *shop_key(org_id))
    if shop is None:
        raise NotFound("this organisation has no shop yet", field="org_id")
    return shop


def shop_by_handle(handle: str) -> Shop:
    """The shop holding a public handle (GetItem claim, GetItem shop), else 404 `handle`."""
    claim = find(ShopHandleClaim, *shop_handle_key(handle))
    shop = find(Shop, *shop_key(claim.org_id)) if claim is not None else None
    if shop is None or shop.handle != handle:
        raise NotFound("no such shop", field="handle")
    return shop


def _check_locations(org_id: str, data: ShopIn) -> None:
    wanted = set(data.pickup_location_ids) | ({data.delivery_location_id} if data.delivery_location_id else set())
    found = catalogue.locations_by_id(org_id, wanted)
    for i, loc in enumerate(data.pickup_location_ids):
        if loc not in found:
            raise NotFound("no such location", field=f"pickup_location_ids.{i}")
    if data.delivery_location_id and data.delivery_location_id not in found:
        raise NotFound("no such location", field="delivery_location_id")
    if len(set(data.pickup_location_ids)) != len(data.pickup_location_ids):
        raise InvalidInput("each pickup location once", field="pickup_location_ids")


def set_shop(org_id: str, data: ShopIn) -> Shop:
    """Create the shop, or replace it at the version read; a new handle moves its claim in the same
    transaction (a handle another shop holds is 409 naming `handle`)."""
    _check_locations(org_id, data)
    current = find(Shop, *shop_key(org_id))
    now = clock.iso_now()
    cats = [ShopCategory(slug=c.slug, name=c.name) for c in data.categories]

    def build(secret: str, version: int, created_at: str) -> Shop:
        return Shop(*shop_key(org_id), org_id=org_id, handle=data.handle, name=data.name, currency=data.currency,
                    categories=cats, pickup_location_ids=list(data.pickup_location_ids),
                    delivery_location_id=data.delivery_location_id, reservation_minutes=data.reservation_minutes,
                    delivery_days=data.delivery_days, time_zone=data.time_zone, return_days=data.return_days,
                    payment_secret=secret, version=version, created_at=created_at, updated_at=now)

    def refused(failed: list[int]) -> TallyError:
        if 1 in failed:
            return Conflict("another shop has this handle", field="handle")
        return Conflict("the shop changed since you read it", field="version")

    if current is None:
        if data.version is not None:
            raise NotFound("this organisation has no shop yet", field="version")
        shop = build(secrets.token_hex(32), 1, now)
        with transact(otherwise=refused) as tx:
            tx.save(shop, condition=Shop.pk.does_not_exist())
            tx.save(ShopHandleClaim(*shop_handle_key(data.handle), org_id=org_id),
                    condition=ShopHandleClaim.pk.does_not_exist())
        return shop
    if data.version is None:
        raise InvalidInput("the shop exists: send the version you read", field="version")
    if data.version != current.version:
        raise Conflict("the shop changed since you read it", field="version")
    shop = build(current.payment_secret, int(current.version) + 1, current.created_at)
    with transact(otherwise=refused) as tx:
        tx.save(shop, condition=Shop.version == data.version)
        if current.handle != data.handle:
            tx.save(ShopHandleClaim(*shop_handle_key(data.handle), org_id=org_id),
                    condition=ShopHandleClaim.pk.does_not_exist())
            tx.delete(ShopHandleClaim(*shop_handle_key(current.handle)))
    return shop


def shop_out(s: Shop, show_secret: bool) -> ShopOut:
    secret: dict[str, str] = {"payment_secret": s.payment_secret} if show_secret else {}
    return ShopOut(org_id=s.org_id, handle=s.handle, name=s.name, currency=s.currency,
                   categories=[ShopCategoryOut(slug=c.slug, name=c.name) for c in s.categories or []],
                   pickup_location_ids=[str(i) for i in s.pickup_location_ids or []],
                   delivery_location_id=s.delivery_location_id,
                   reservation_minutes=int(s.reservation_minutes), delivery_days=int(s.delivery_days),
                   time_zone=str(s.time_zone or "UTC"), return_days=int(s.return_days), version=int(s.version), **secret)


def public_shop_out(s: Shop) -> PublicShopOut:
    return PublicShopOut(handle=s.handle, name=s.name, currency=s.currency,
                         categories=[ShopCategoryOut(slug=c.slug, name=c.name) for c in s.categories or []],
                         pickup_location_ids=[str(i) for i in s.pickup_location_ids or []],
                         delivers=s.delivery_location_id is not None, return_days=int(s.return_days))
