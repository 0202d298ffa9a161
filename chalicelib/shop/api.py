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
    GuestReturnRequestIn,
    OrderLookupIn,
    OrderTokenQuery,
    OrderViewOut,
    ReturnOut,
    ReturnRequestIn,
    ReturnResolveIn,
    ReturnsOut,
    ReturnsQuery,
    ReturnStepIn,
    ShopInsightsOut,
)
from .schemas import (
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
    from . import listings, orders, shops
    from . import returns
else:  # imported by the first request that calls them (core.deferred)
    (orgs,) = deferred("chalicelib.core", "orgs")
    listings, orders, shops = deferred(__package__, "listings", "orders", "shops")
    (returns,) = deferred(__package__, "returns")

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
    """The shop's orders, newest first (?status=)."""
    orgs.require_role(req.principal, org_id)
    q = req.query_model(OrdersQuery)
    return orders.staff_orders(org_id, q.status, q.limit)


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


# ----------------------------------------------------------------- returns and the guest's order (item 3)
RETURN = {"return_id": UUID_PATTERN}
ASKED = {200: "this return id was used already with the same return: the return as it is now"}


def _asked(asked: "returns.Asked") -> ReturnOut | Reply[ReturnOut]:
    body = returns.return_out(asked.ret)
    return Reply(body, 200) if asked.replayed else body


@route(shop, "/shops/{handle}/order-lookup", ("POST",), public=True, path_patterns=HANDLE, body=OrderLookupIn,
       response=OrderViewOut)
def lookup_order(req: Req, handle: str) -> OrderViewOut:
    """A guest finds their order by its number (in its emails) and the email it was placed with; the
    answer carries the order's token (for its page and a return request). Any mismatch is the same 404
    `order_number`: nothing tells whether an order or an email exists."""
    data = req.body(OrderLookupIn)
    return returns.lookup(_handle(handle), data.order_number, data.email)


@route(shop, "/shops/{handle}/orders/{order_id}", ("GET",), public=True, path_patterns={**HANDLE, **ORDER},
       query=OrderTokenQuery, response=OrderViewOut)
def guest_order(req: Req, handle: str, order_id: str) -> OrderViewOut:
    """An order through its signed token (the link in its emails, or the lookup's answer): its status,
    its returns and what can still be returned until when. A wrong or expired token is 404 `order_id`."""
    return returns.guest_view(_handle(handle), _uuid(order_id, "order_id"), req.query_model(OrderTokenQuery).token)


@route(shop, "/shops/{handle}/customer/orders/{order_id}/returns", ("GET",), path_patterns={**HANDLE, **ORDER},
       response=OrderViewOut)
def my_order_returns(req: Req, handle: str, order_id: str) -> OrderViewOut:
    """One of the signed-in customer's orders with its returns and what can still be returned."""
    return returns.customer_view(_handle(handle), req.principal.sub, _uuid(order_id, "order_id"))


@route(shop, "/shops/{handle}/returns", ("POST",), public=True, path_patterns=HANDLE, body=GuestReturnRequestIn,
       response=ReturnOut, status=201, also=ASKED)
def request_guest_return(req: Req, handle: str) -> ReturnOut | Reply[ReturnOut]:
    """A guest's return request with the order's `token`: some of a delivered or collected order's
    lines, with a reason, within the shop's return window (409 `order_id` outside it; more than is left
    of a line is 409 `lines.<i>.quantity`)."""
    return _asked(returns.request_return(_handle(handle), req.body(GuestReturnRequestIn), None))


@route(shop, "/shops/{handle}/customer/returns", ("POST",), path_patterns=HANDLE, body=ReturnRequestIn,
       response=ReturnOut, status=201, also=ASKED)
def request_customer_return(req: Req, handle: str) -> ReturnOut | Reply[ReturnOut]:
    """A signed-in customer's return request for one of their own orders (as a guest's, no token)."""
    return _asked(returns.request_return(_handle(handle), req.body(ReturnRequestIn), req.principal.sub))


@route(shop, "/orgs/{org_id}/shop/returns", ("GET",), query=ReturnsQuery, response=ReturnsOut)
def staff_returns(req: Req, org_id: str) -> ReturnsOut:
    """The shop's returns, newest first (?status=)."""
    orgs.require_role(req.principal, org_id)
    q = req.query_model(ReturnsQuery)
    return returns.staff_returns(org_id, q.status, q.limit)


@route(shop, "/orgs/{org_id}/shop/returns/{return_id}", ("GET",), path_patterns=RETURN, response=ReturnOut)
def staff_return(req: Req, org_id: str, return_id: str) -> ReturnOut:
    orgs.require_role(req.principal, org_id)
    return returns.return_out(returns.get_return(org_id, _uuid(return_id, "return_id")))


@route(shop, "/orgs/{org_id}/shop/returns/{return_id}/receive", ("POST",), path_patterns=RETURN, body=ReturnStepIn,
       response=ReturnOut)
def receive_return(req: Req, org_id: str, return_id: str) -> ReturnOut:
    """The returned items arrived (requested → received), at the version read (409 `version`)."""
    orgs.require_role(req.principal, org_id)
    data = req.body(ReturnStepIn)
    return returns.return_out(returns.receive(org_id, _uuid(return_id, "return_id"), data.version,
                                              req.principal.sub, data.note))


@route(shop, "/orgs/{org_id}/shop/returns/{return_id}/reject", ("POST",), path_patterns=RETURN, body=ReturnStepIn,
       response=ReturnOut)
def reject_return(req: Req, org_id: str, return_id: str) -> ReturnOut:
    """Refuse a return (owners and managers): its units may be asked for again."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    data = req.body(ReturnStepIn)
    return returns.return_out(returns.reject(org_id, _uuid(return_id, "return_id"), data.version,
                                             req.principal.sub, data.note))


@route(shop, "/orgs/{org_id}/shop/returns/{return_id}/resolve", ("POST",), path_patterns=RETURN,
       body=ReturnResolveIn, response=ReturnOut)
def resolve_return(req: Req, org_id: str, return_id: str) -> ReturnOut:
    """Settle a received return (owners and managers): each line restocked (a return movement in the
    inventory ledger) or scrapped (damaged, defective), and the refund recorded."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    return returns.return_out(returns.resolve(org_id, _uuid(return_id, "return_id"), req.body(ReturnResolveIn),
                                              req.principal.sub))


@route(shop, "/orgs/{org_id}/shop/insights", ("GET",), response=ShopInsightsOut)
def shop_insights(req: Req, org_id: str) -> ShopInsightsOut:
    """The return rate per listed product (units returned ÷ units delivered or collected), from the
    shop stream's rollups."""
    orgs.require_role(req.principal, org_id)
    return returns.insights(org_id)
