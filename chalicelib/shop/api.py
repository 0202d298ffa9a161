"""Shop routes. Routes only: parse, authorize, call one service, return its response model.

Shoppers use the shop's public handle, `/shops/{handle}/...`: a guest orders with an email
(`POST /shops/{handle}/orders`, no sign-in), a signed-in customer under their account
(`POST /shops/{handle}/customer/orders`) and sees their own orders; a payment provider confirms
payments with a signed webhook (`POST /shops/{handle}/payments`). The organisation's people run the
shop under `/orgs/{org_id}/shop/...`: owners and managers set it up, every member moves orders on
(cancelling takes a manager). A non-member is 404 (org_id), a member without the role 403 (role).
"""
from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

from chalice import Blueprint

from ..core.deferred import deferred
from ..core.errors import Forbidden, InvalidInput
from ..core.roles import MANAGERS
from ..core.schemas import UUID_PATTERN
from ..core.web import Reply, Req, route
from .rules.orders import HANDLE_PATTERN
from .schemas import (
    ChannelIn,
    ChannelOrderIn,
    ChannelOut,
    ChannelSecretIn,
    ChannelsOut,
    ListingIn,
    ListingOut,
    ListingsOut,
    OrderOut,
    OrdersOut,
    OrdersQuery,
    OrderStatusIn,
    PaymentIn,
    PaymentOut,
    PlaceOrderIn,
    PublicShopOut,
    ShopIn,
    ShopOut,
)

if TYPE_CHECKING:
    from ..core import orgs
    from . import channels, listings, orders, shops
else:  # imported by the first request that calls them (core.deferred)
    (orgs,) = deferred("chalicelib.core", "orgs")
    listings, orders, shops = deferred(__package__, "listings", "orders", "shops")
    (channels,) = deferred(__package__, "channels")

shop = Blueprint(__name__)

HANDLE = {"handle": HANDLE_PATTERN}
ORDER = {"order_id": UUID_PATTERN}
PRODUCT = {"product_id": r"^[A-Za-z0-9_-]{1,64}$"}
REPLAYED = {200: "this order id was used already with the same order: the order as it is now"}


def _uuid(value: str, field: str) -> str:
    if not re.fullmatch(UUID_PATTERN, value):
        raise InvalidInput("must be a UUID such as 0b9e1c2a-5d4f-4e8a-9c3b-2a1d0e9f8c7b", field=field)
    return str(uuid.UUID(value))


def _handle(value: str) -> str:
    if not re.fullmatch(HANDLE_PATTERN, value):
        raise InvalidInput("a shop handle is 3 to 40 lower-case letters, digits and hyphens, a hyphen at neither end",
                           field="handle")
    return value


def _placed(placed: "orders.Placed") -> OrderOut | Reply[OrderOut]:
    body = orders.order_out(placed.order)
    return Reply(body, 200) if placed.replayed else body


# ----------------------------------------------------------------- shoppers
@route(shop, "/shops/{handle}", ("GET",), public=True, path_patterns=HANDLE, response=PublicShopOut)
def public_shop(req: Req, handle: str) -> PublicShopOut:
    """A shop's public face: its name, currency, categories, pickup stores and whether it delivers."""
    return shops.public_shop_out(shops.shop_by_handle(_handle(handle)))


@route(shop, "/shops/{handle}/orders", ("POST",), public=True, path_patterns=HANDLE, body=PlaceOrderIn,
       response=OrderOut, status=201, also=REPLAYED)
def place_guest_order(req: Req, handle: str) -> OrderOut | Reply[OrderOut]:
    """A guest's order (an email, no account), for pickup or delivery, under a client-chosen
    `order_id`: its stock is reserved at once (a line beyond what is available is 409 naming it) and
    kept until it is paid or the shop's reservation time runs out."""
    data = req.body(PlaceOrderIn)
    if not data.email:
        raise InvalidInput("a guest order needs an email", field="email")
    return _placed(orders.place_order(_handle(handle), data, orders.Shopper(None, data.email, data.name)))


@route(shop, "/shops/{handle}/customer/orders", ("POST",), path_patterns=HANDLE, body=PlaceOrderIn,
       response=OrderOut, status=201, also=REPLAYED)
def place_customer_order(req: Req, handle: str) -> OrderOut | Reply[OrderOut]:
    """A signed-in customer's order, as a guest's but under their account (its email is the account's)."""
    data = req.body(PlaceOrderIn)
    if data.email and data.email.lower() != req.principal.email.lower():
        raise InvalidInput("a signed-in order goes to the account's email", field="email")
    return _placed(orders.place_order(_handle(handle), data, orders.Shopper(req.principal.sub, req.principal.email)))


@route(shop, "/shops/{handle}/customer/orders", ("GET",), path_patterns=HANDLE, query=OrdersQuery,
       response=OrdersOut)
def my_orders(req: Req, handle: str) -> OrdersOut:
    """The signed-in customer's orders at this shop, newest first."""
    return orders.customer_orders(_handle(handle), req.principal.sub, req.query_model(OrdersQuery).limit)


@route(shop, "/shops/{handle}/customer/orders/{order_id}", ("GET",), path_patterns={**HANDLE, **ORDER},
       response=OrderOut)
def my_order(req: Req, handle: str, order_id: str) -> OrderOut:
    """One of the signed-in customer's orders (another's is 404 `order_id`)."""
    return orders.customer_order(_handle(handle), req.principal.sub, _uuid(order_id, "order_id"))


@route(shop, "/shops/{handle}/payments", ("POST",), public=True, path_patterns=HANDLE, body=PaymentIn,
       response=PaymentOut)
def payment_confirmed(req: Req, handle: str) -> PaymentOut:
    """A payment provider's confirmation, signed: `X-Tally-Timestamp` (Unix seconds) and
    `X-Tally-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>" under the shop's payment
    secret>`. A bad or stale signature is 401 naming the header, before the body is read."""
    return orders.confirm_payment(_handle(handle), req.raw_body, req.headers.get("x-tally-timestamp"),
                                  req.headers.get("x-tally-signature"), lambda: req.body(PaymentIn))


# ----------------------------------------------------------------- staff
@route(shop, "/orgs/{org_id}/shop", ("PUT",), body=ShopIn, response=ShopOut)
def put_shop(req: Req, org_id: str) -> ShopOut:
    """Set up the shop (owners and managers): its handle (unique: 409 `handle`), name, currency,
    categories, pickup stores, delivery location and how long an unpaid order keeps its stock."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    return shops.shop_out(shops.set_shop(org_id, req.body(ShopIn)), True)


@route(shop, "/orgs/{org_id}/shop", ("GET",), response=ShopOut)
def get_shop(req: Req, org_id: str) -> ShopOut:
    """The shop (the payment secret for owners and managers only)."""
    m = orgs.require_role(req.principal, org_id)
    return shops.shop_out(shops.get_shop(org_id), m.role in MANAGERS)


@route(shop, "/orgs/{org_id}/shop/listings/{product_id}", ("PUT",), path_patterns=PRODUCT, body=ListingIn,
       response=ListingOut)
def put_listing(req: Req, org_id: str, product_id: str) -> ListingOut:
    """Offer a catalogue product on the storefront (owners and managers): its shop category, its
    description and any discount (a percentage or an amount off, within its days). The storefront's
    documents are republished from the shop stream."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    listing = listings.set_listing(shops.get_shop(org_id), product_id, req.body(ListingIn))
    return listings.listing_out_of(org_id, listing)


@route(shop, "/orgs/{org_id}/shop/listings", ("GET",), response=ListingsOut)
def get_listings(req: Req, org_id: str) -> ListingsOut:
    """The storefront's products with today's prices (selling price, discount, price after it)."""
    orgs.require_role(req.principal, org_id)
    return listings.listings(org_id)


@route(shop, "/orgs/{org_id}/shop/orders", ("GET",), query=OrdersQuery, response=OrdersOut)
def staff_orders(req: Req, org_id: str) -> OrdersOut:
    """Every channel's orders in one inbox, newest first: ?status=, ?channel= (a channel id or
    `storefront`), ?start= and ?end= (UTC days, inclusive)."""
    orgs.require_role(req.principal, org_id)
    return channels.inbox(org_id, req.query_model(OrdersQuery))


@route(shop, "/orgs/{org_id}/shop/orders/{order_id}", ("GET",), path_patterns=ORDER, response=OrderOut)
def staff_order(req: Req, org_id: str, order_id: str) -> OrderOut:
    orgs.require_role(req.principal, org_id)
    return orders.order_out(orders.get_order(org_id, _uuid(order_id, "order_id")))


@route(shop, "/orgs/{org_id}/shop/orders/{order_id}/status", ("POST",), path_patterns=ORDER, body=OrderStatusIn,
       response=OrderOut)
def move_order(req: Req, org_id: str, order_id: str) -> OrderOut:
    """Move an order on at the version read: placed → confirmed → picked (its reserved units are sold)
    → shipped → delivered, or → ready → collected; a placed or confirmed order may be cancelled
    (owners and managers; its units are released)."""
    m = orgs.require_role(req.principal, org_id)
    data = req.body(OrderStatusIn)
    if data.status == "cancelled" and m.role not in MANAGERS:
        raise Forbidden("cancelling an order needs the role owner or manager", field="role")
    return orders.order_out(orders.set_status(org_id, _uuid(order_id, "order_id"), data.status, data.version,
                                              req.principal.sub))


# ----------------------------------------------------------------- sales channels (item 4)
CHANNEL = {"channel_id": UUID_PATTERN}
OWNERS = ("owner",)


@route(shop, "/orgs/{org_id}/shop/channels/{channel_id}", ("PUT",), path_patterns=CHANNEL, body=ChannelIn,
       response=ChannelOut, also={201: "the channel was created (its secret is shown to owners)"})
def put_channel(req: Req, org_id: str, channel_id: str) -> ChannelOut | Reply[ChannelOut]:
    """Create a sales channel under a client-chosen id, or change it at the version read (owners and
    managers): its kind, the location it sells from, its stock buffer and its stock webhook URL."""
    m = orgs.require_role(req.principal, org_id, MANAGERS)
    ch, created = channels.set_channel(org_id, _uuid(channel_id, "channel_id"), req.body(ChannelIn))
    out = channels.channel_out(ch, m.role in OWNERS)
    return Reply(out, 201) if created else out


@route(shop, "/orgs/{org_id}/shop/channels", ("GET",), response=ChannelsOut)
def get_channels(req: Req, org_id: str) -> ChannelsOut:
    """The organisation's sales channels with their feed URLs (secrets for owners only)."""
    m = orgs.require_role(req.principal, org_id)
    return channels.channels_out(org_id, m.role in OWNERS)


@route(shop, "/orgs/{org_id}/shop/channels/{channel_id}", ("GET",), path_patterns=CHANNEL, response=ChannelOut)
def get_channel(req: Req, org_id: str, channel_id: str) -> ChannelOut:
    m = orgs.require_role(req.principal, org_id)
    return channels.channel_out(channels.get_channel(org_id, _uuid(channel_id, "channel_id")), m.role in OWNERS)


@route(shop, "/orgs/{org_id}/shop/channels/{channel_id}/secret", ("POST",), path_patterns=CHANNEL,
       body=ChannelSecretIn, response=ChannelOut)
def rotate_channel_secret(req: Req, org_id: str, channel_id: str) -> ChannelOut:
    """Rotate the channel's secret (owners): a random one, or the platform's (Shopify's app secret);
    the one before is still accepted for 24 hours."""
    orgs.require_role(req.principal, org_id, OWNERS)
    ch = channels.rotate_secret(org_id, _uuid(channel_id, "channel_id"), req.body(ChannelSecretIn))
    return channels.channel_out(ch, True)


@route(shop, "/channels/{channel_id}/orders", ("POST",), public=True, path_patterns=CHANNEL, body=ChannelOrderIn,
       response=OrderOut, status=201, also={200: "an order with this external id exists: the order as it is now"})
def channel_order(req: Req, channel_id: str) -> OrderOut | Reply[OrderOut]:
    """A marketplace's order, signed (authenticated by its signature, no sign-in): the generic format
    with `X-Tally-Timestamp` and `X-Tally-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`,
    or a Shopify channel's orders/create webhook with `X-Shopify-Hmac-Sha256` (base64 HMAC-SHA256 of the
    raw body) and `X-Shopify-Topic`. A bad, stale or replayed signature is 401 naming the header."""
    got = channels.receive_order(_uuid(channel_id, "channel_id"), channels.Delivery(
        req.raw_body, {k.lower(): v for k, v in req.headers.items()}, lambda: req.body(ChannelOrderIn)))
    body = orders.order_out(got.order)
    return Reply(body, 200) if got.replayed else body
