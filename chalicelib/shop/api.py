"""Shop routes. Routes only: parse, authorize, call one service, return its response model.

Shoppers use the shop's public handle, `/shops/{handle}/...`: a guest orders with an email
(`POST /shops/{handle}/orders`, no sign-in), a signed-in customer under their account
(`POST /shops/{handle}/customer/orders`) and sees their own orders; a payment provider confirms
payments with a signed webhook (`POST /shops/{handle}/payments`). The organisation's people run the
shop under `/orgs/{org_id}/shop/...`: owners and managers set it up, every member moves orders on
(cancelling takes a manager). A non-member is 404 (org_id), a member without the role 403 (role).
"""
from __future__ import annotations

import html
import re
import uuid
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from chalice import Blueprint, Response

from ..core.deferred import deferred
from ..core.errors import Forbidden, InvalidInput
from ..core.roles import MANAGERS
from ..core.schemas import UUID_PATTERN
from ..core.web import NO_CONTENT, Media, Reply, Req, route
from .rules.orders import HANDLE_PATTERN
from .schemas import (
    ChannelIn,
    ChannelOrderIn,
    ChannelOut,
    ChannelSecretIn,
    ChannelsOut,
    FollowersOut,
    FollowIn,
    FollowLinkQuery,
    FollowOut,
    GuestReturnRequestIn,
    InquiriesOut,
    InquiryAnswerIn,
    InquiryOut,
    LaunchIn,
    LaunchOut,
    ListingIn,
    ListingOut,
    ListingsOut,
    NewsQuery,
    NewsSentListOut,
    NotifyIn,
    NotifyOut,
    OrderLookupIn,
    OrderOut,
    OrdersOut,
    OrdersQuery,
    OrderStatusIn,
    OrderTokenQuery,
    OrderViewOut,
    PaymentIn,
    PaymentOut,
    PlaceOrderIn,
    PromotionChartOut,
    PromotionIn,
    PromotionOut,
    PromotionsOut,
    PublicShopOut,
    ReturnOut,
    ReturnRequestIn,
    ReturnResolveIn,
    ReturnsOut,
    ReturnsQuery,
    ReturnStepIn,
    ShopIn,
    ShopInsightsOut,
    ShopOut,
)

if TYPE_CHECKING:
    from ..core import orgs
    from . import channels, listings, news, orders, promotions, returns, shops, texts
else:  # imported by the first request that calls them (core.deferred)
    (orgs,) = deferred("chalicelib.core", "orgs")
    listings, orders, shops = deferred(__package__, "listings", "orders", "shops")
    channels, promotions, returns = deferred(__package__, "channels", "promotions", "returns")
    news, texts = deferred(__package__, "news", "texts")

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


# ----------------------------------------------------------------- news and texts (issue 13 items 6, 7)
INQUIRY = {"inquiry_id": UUID_PATTERN}


@route(shop, "/shops/{handle}/follows", ("POST",), public=True, path_patterns=HANDLE, body=FollowIn,
       response=FollowOut, status=202)
def follow_shop(req: Req, handle: str) -> FollowOut:
    """Follow the shop, a category or a brand for news of launches by email or text: a confirmation
    link goes to `email` first (double opt-in). A category the shop has not is 400 `category`, a
    number that is not one 400 `phone`; nothing is written then."""
    return news.follow_out(news.follow(shops.shop_by_handle(_handle(handle)), req.body(FollowIn)))


FOLLOW_PAGE = Media("text/html", "The page, in HTML (errors are JSON like every other route's)")
FORM_TYPES = ("application/x-www-form-urlencoded", "application/json", "multipart/form-data", "text/plain")


def _follow_page(title: str, body: str) -> Response:
    page = ("<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport content='width=device-width'>"
            f"<title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>{body}</html>")
    return Response(body=page, status_code=200, headers={
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": "default-src 'none'; form-action 'self'; frame-ancestors 'none'"})


def _button(q: FollowLinkQuery, action: str, label: str) -> str:
    query = html.escape(urlencode({"c": q.c, "f": q.f, "s": q.s}))
    return f'<form method="post" action="{action}?{query}"><button type="submit">{html.escape(label)}</button></form>'


@route(shop, "/shops/{handle}/follows/confirm", ("GET",), public=True, path_patterns=HANDLE,
       query=FollowLinkQuery, response=FOLLOW_PAGE)
def confirm_follow_page(req: Req, handle: str) -> Response:
    """The confirmation link's page: a button (so a link scanner confirms nothing). A link whose signature
    does not match is 404 `s`."""
    q = req.query_model(FollowLinkQuery)
    f = news.signed_follow(shops.shop_by_handle(_handle(handle)), "confirm", q.c, q.f, q.s)
    return _follow_page("Confirm your follow", f"<p>News of {html.escape(news.target_name(f.target))}.</p>"
                        + _button(q, "confirm", "Yes, send me news"))


@route(shop, "/shops/{handle}/follows/confirm", ("POST",), public=True, path_patterns=HANDLE,
       query=FollowLinkQuery, response=FOLLOW_PAGE, content_types=FORM_TYPES)
def confirm_follow(req: Req, handle: str) -> Response:
    """The double opt-in's second step (the page's button): the follow is confirmed, once."""
    q = req.query_model(FollowLinkQuery)
    f = news.confirm(shops.shop_by_handle(_handle(handle)), q.c, q.f, q.s)
    return _follow_page("Confirmed", f"<p>You will hear of new products: {html.escape(news.target_name(f.target))}."
                        " Every message has a link to stop them.</p>")


@route(shop, "/shops/{handle}/follows/unsubscribe", ("GET",), public=True, path_patterns=HANDLE,
       query=FollowLinkQuery, response=FOLLOW_PAGE)
def unfollow_page(req: Req, handle: str) -> Response:
    """Every news message's unsubscribe link: a button (so a link scanner changes nothing)."""
    q = req.query_model(FollowLinkQuery)
    news.signed_follow(shops.shop_by_handle(_handle(handle)), "unsubscribe", q.c, q.f, q.s)
    return _follow_page("Stop this shop's news?", _button(q, "unsubscribe", "Stop all news from this shop"))


@route(shop, "/shops/{handle}/follows/unsubscribe", ("POST",), public=True, path_patterns=HANDLE,
       query=FollowLinkQuery, response=FOLLOW_PAGE, content_types=FORM_TYPES)
def unfollow(req: Req, handle: str) -> Response:
    """The page's button and mail clients' one-click unsubscribe (RFC 8058): ends every follow of that
    email or number at this shop."""
    q = req.query_model(FollowLinkQuery)
    ended = news.unsubscribe(shops.shop_by_handle(_handle(handle)), q.c, q.f, q.s)
    return _follow_page("Unsubscribed", f"<p>No more news from this shop ({ended} follow{'s' if ended != 1 else ''}"
                        " ended).</p>")


@route(shop, "/shops/{handle}/products/{product_id}/notify", ("POST",), public=True,
       path_patterns={**HANDLE, **PRODUCT}, body=NotifyIn, response=NotifyOut, status=202)
def notify_me(req: Req, handle: str, product_id: str) -> NotifyOut:
    """"Notify me": one message, by email or text, when this product is back in stock."""
    return news.notify_out(news.watch_restock(shops.shop_by_handle(_handle(handle)), product_id, req.body(NotifyIn)))


@route(shop, "/orgs/{org_id}/shop/launches/{product_id}", ("PUT",), path_patterns=PRODUCT, body=LaunchIn,
       response=LaunchOut)
def put_launch(req: Req, org_id: str, product_id: str) -> LaunchOut:
    """A listed product's launch day (owners and managers): its followers hear of it that day, once."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    return news.launch_out(news.set_launch(org_id, product_id, req.body(LaunchIn).launch_on))


@route(shop, "/orgs/{org_id}/shop/followers", ("GET",), response=FollowersOut)
def get_followers(req: Req, org_id: str) -> FollowersOut:
    """The shop's followers, newest first, and how many confirmed ones each target has."""
    orgs.require_role(req.principal, org_id)
    return news.followers(org_id)


@route(shop, "/orgs/{org_id}/shop/news", ("GET",), query=NewsQuery, response=NewsSentListOut)
def get_news_sent(req: Req, org_id: str) -> NewsSentListOut:
    """News messages sent (launch digests and back-in-stock messages), newest day first."""
    orgs.require_role(req.principal, org_id)
    return news.news_sent(org_id, req.query_model(NewsQuery).limit)


@route(shop, "/orgs/{org_id}/shop/inquiries", ("GET",), response=InquiriesOut)
def get_inquiries(req: Req, org_id: str) -> InquiriesOut:
    """Customers' texted inquiries (where the organisation has no help desk), newest first."""
    orgs.require_role(req.principal, org_id)
    return texts.inquiries(org_id)


@route(shop, "/orgs/{org_id}/shop/inquiries/{inquiry_id}/answer", ("POST",), path_patterns=INQUIRY,
       body=InquiryAnswerIn, response=InquiryOut)
def answer_inquiry(req: Req, org_id: str, inquiry_id: str) -> InquiryOut:
    """Answer an inquiry by text (once: 409 `status` when it was answered)."""
    orgs.require_role(req.principal, org_id)
    return texts.inquiry_out(texts.answer(org_id, _uuid(inquiry_id, "inquiry_id"), req.body(InquiryAnswerIn).text,
                                          req.principal.sub))
# ----------------------------------------------------------------- promotions (discounts, coupons)
PROMOTION = {"promotion_id": UUID_PATTERN}


@route(shop, "/orgs/{org_id}/shop/promotions", ("POST",), body=PromotionIn, response=PromotionOut, status=201)
def create_promotion(req: Req, org_id: str) -> PromotionOut:
    """A promotion (owners and managers): a percentage or an amount off the selling price of the whole
    shop, a category or a product, from `starts_at` to `ends_at` (without an offset: the shop's time
    zone); with a `code`, a coupon with an optional `usage_limit` and `once_per_customer`. The
    storefront is republished when it starts and when it ends."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    return promotions.promotion_view(org_id, promotions.create(org_id, req.body(PromotionIn)))


@route(shop, "/orgs/{org_id}/shop/promotions", ("GET",), response=PromotionsOut)
def list_promotions(req: Req, org_id: str) -> PromotionsOut:
    """The shop's promotions, the latest start first, with each coupon's uses."""
    orgs.require_role(req.principal, org_id)
    return promotions.promotions_view(org_id)


@route(shop, "/orgs/{org_id}/shop/promotions/{promotion_id}", ("GET",), path_patterns=PROMOTION,
       response=PromotionOut)
def get_promotion(req: Req, org_id: str, promotion_id: str) -> PromotionOut:
    orgs.require_role(req.principal, org_id)
    return promotions.promotion_view(org_id, promotions.get_promotion(org_id, _uuid(promotion_id, "promotion_id")))


@route(shop, "/orgs/{org_id}/shop/promotions/{promotion_id}", ("PUT",), path_patterns=PROMOTION,
       body=PromotionIn, response=PromotionOut)
def change_promotion(req: Req, org_id: str, promotion_id: str) -> PromotionOut:
    """Change a promotion at the version read (owners and managers); its coupon code stays."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    changed = promotions.change(org_id, _uuid(promotion_id, "promotion_id"), req.body(PromotionIn))
    return promotions.promotion_view(org_id, changed)


@route(shop, "/orgs/{org_id}/shop/promotions/{promotion_id}", ("DELETE",), path_patterns=PROMOTION,
       response=NO_CONTENT, status=204)
def delete_promotion(req: Req, org_id: str, promotion_id: str) -> None:
    """Remove a promotion and its coupon code (owners and managers); orders keep their prices."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    promotions.delete(org_id, _uuid(promotion_id, "promotion_id"))


@route(shop, "/orgs/{org_id}/shop/promotions/{promotion_id}/chart", ("GET",), path_patterns=PROMOTION,
       response=PromotionChartOut)
def promotion_chart(req: Req, org_id: str, promotion_id: str) -> PromotionChartOut:
    """The promotion's chart JSON: units and revenue (after discounts) per week of its scope, the weeks
    before it beside the weeks during it (precomputed by the shop stream)."""
    orgs.require_role(req.principal, org_id)
    return promotions.chart(org_id, _uuid(promotion_id, "promotion_id"))
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
