"""The shop's request bodies, query models and response models (the OpenAPI document is built from them)."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import MISSING, Field, field_validator

from ..core.schemas import (
    UUID_PATTERN, WHITESPACE, CurrencyCode, EmailStr, Items, Out, Query, Strict, check_time_zone, list_time_zones)
from ..inventory.schemas import Id, Quantity
from .rules.discounts import CODE_PATTERN
from .rules.returns import DEFAULT_RETURN_DAYS, MAX_RETURN_DAYS, TOKEN_PATTERN
from .rules.orders import CATEGORY_PATTERN, E164_PATTERN, HANDLE_PATTERN, MAX_RESERVATION_MINUTES, MIN_RESERVATION_MINUTES

OrderStatus = Literal["placed", "confirmed", "picked", "shipped", "ready", "delivered", "collected", "cancelled"]


# ----------------------------------------------------------------- the shop
class ShopCategoryIn(Strict):
    slug: str = Field(pattern=CATEGORY_PATTERN, max_length=40)
    name: str = Field(min_length=1, max_length=80)


class ShopIn(Strict):
    """The shop: its public handle, its name, its categories, where orders are collected (stores) and
    delivered from, and how long an unpaid order keeps its stock. Changing it sends the version read."""

    handle: str = Field(pattern=HANDLE_PATTERN, max_length=40)
    name: str = Field(min_length=1, max_length=120)
    currency: CurrencyCode = "EUR"
    categories: list[ShopCategoryIn] = Field(default_factory=list, max_length=100)
    pickup_location_ids: list[Id] = Field(default_factory=list, max_length=50)
    delivery_location_id: Id | None = None
    reservation_minutes: int = Field(default=30, ge=MIN_RESERVATION_MINUTES, le=MAX_RESERVATION_MINUTES)
    delivery_days: int = Field(default=2, ge=0, le=60)
    time_zone: str = Field(default="UTC", json_schema_extra=list_time_zones)  # promotions' windows are local to it
    return_days: int = Field(default=DEFAULT_RETURN_DAYS, ge=0, le=MAX_RETURN_DAYS)  # 0: no returns
    version: int | None = Field(default=None, ge=1)

    _tz = field_validator("time_zone")(lambda cls, v: check_time_zone(v))

    @field_validator("categories")
    @classmethod
    def _unique_slugs(cls, value: list[ShopCategoryIn]) -> list[ShopCategoryIn]:
        slugs = [c.slug for c in value]
        if len(set(slugs)) != len(slugs):
            raise ValueError("each category slug once")
        return value


class ShopCategoryOut(Out):
    slug: str
    name: str


class ShopOut(Out):
    org_id: str
    handle: str
    name: str
    currency: str
    categories: list[ShopCategoryOut]
    pickup_location_ids: list[str]
    delivery_location_id: str | None
    reservation_minutes: int
    delivery_days: int
    time_zone: str
    return_days: int
    version: int
    payment_secret: str | MISSING = MISSING  # owners and managers: the payment webhook's HMAC key


class PublicShopOut(Out):
    """What anyone sees of a shop by its handle."""

    handle: str
    name: str
    currency: str
    categories: list[ShopCategoryOut]
    pickup_location_ids: list[str]
    delivers: bool
    return_days: int


# ----------------------------------------------------------------- listings
Day = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$")]


class DiscountIn(Strict):
    """A percentage (more than 0, at most 100) or an amount off the unit selling price, within its days."""

    kind: Literal["percent", "amount"]
    value: str = Field(pattern=r"^(?:0|[1-9]\d{0,8})(?:\.\d{1,4})?$")
    starts_on: Day | None = None
    ends_on: Day | None = None
    label: str = Field(default="", max_length=80, pattern=r"^[^<>\x00-\x1f\x7f]*$")


class ListingIn(Strict):
    """A catalogue product on the storefront (owners and managers): its shop category, description and
    any discount. Changing one sends the version read."""

    category: str | None = Field(default=None, pattern=CATEGORY_PATTERN, max_length=40)
    description: str = Field(default="", max_length=2000)
    published: bool = True
    discount: DiscountIn | None = None
    version: int | None = Field(default=None, ge=1)


class DiscountOut(Out):
    kind: str
    value: str
    starts_on: str | None
    ends_on: str | None
    label: str


class ListingOut(Out):
    product_id: str
    name: str
    sku: str
    category: str | None
    description: str
    published: bool
    discount: DiscountOut | None
    price: str  # the selling price
    discount_amount: str  # off each unit today
    final_price: str  # what a unit costs today
    currency: str
    version: int


class ListingsOut(Items[ListingOut]):
    pass


# Phone numbers as people type them (+44 7911 123456): checked and stored in E.164 by libphonenumber in the
# service (400 `phone`); the pattern only keeps out what is plainly not one.
PHONE_LIKE = r"^\+?[0-9 ()./-]{6,24}$"


# ----------------------------------------------------------------- orders
class ShopOrderLineIn(Strict):
    product_id: Id
    quantity: Quantity


class PlaceOrderIn(Strict):
    """An order: `order_id` is chosen by the client (a UUID), so a retried request places it once.
    Pickup names one of the shop's pickup stores; delivery needs an address. A guest gives an email;
    a signed-in customer's comes from their account. `phone` (international form; stored in E.164) with
    `sms_opt_in` asks for texts on each status change (recorded with when and where consent was given)."""

    order_id: str = Field(pattern=UUID_PATTERN)
    fulfilment: Literal["pickup", "delivery"]
    location_id: Id | None = None
    address: str = Field(default="", max_length=500)
    lines: list[ShopOrderLineIn] = Field(min_length=1, max_length=25)
    email: EmailStr | None = None
    name: str = Field(default="", max_length=120, pattern=r"^[^<>\x00-\x1f\x7f]*$")
    phone: str | None = Field(default=None, pattern=PHONE_LIKE)
    sms_opt_in: bool = False
    coupon: str | None = Field(default=None, pattern=CODE_PATTERN)  # a promotion's coupon code (any case)


class OrderStatusIn(Strict):
    status: OrderStatus
    version: int = Field(ge=1)


class PaymentIn(Strict):
    """A payment provider's confirmation (the webhook's body, signed: see docs/shop.md)."""

    order_id: str = Field(pattern=UUID_PATTERN)
    payment_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$")
    amount: str = Field(pattern=r"^(?:0|[1-9]\d{0,9})(?:\.\d{1,4})?$")
    currency: CurrencyCode
    status: Literal["paid"]


class OrdersQuery(Query):
    status: OrderStatus | None = None
    limit: int = Field(default=50, ge=1, le=200)
    # the inbox across channels (item 4): one channel's orders (a channel id, or `storefront`), and
    # the UTC days they were placed in (inclusive)
    channel: str | None = Field(default=None, pattern=r"^(storefront|[0-9a-fA-F-]{36})$")
    start: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    end: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")


class ShopOrderLineOut(Out):
    product_id: str
    sku: str
    name: str
    quantity: str
    unit_price: str  # after any discount
    list_price: str | None  # before it
    discount: str | None  # off each unit
    net: str | MISSING = MISSING  # quantity × unit price: the line's revenue after discount
    promotions: list[str] | MISSING = MISSING  # the ids of the promotions applied


class StatusChangeOut(Out):
    status: str
    at: str
    by: str


class OrderOut(Out):
    id: str
    org_id: str
    handle: str
    status: OrderStatus
    fulfilment: Literal["pickup", "delivery"]
    location_id: str
    address: str
    customer_email: str
    customer_name: str
    guest: bool
    phone: str | None
    sms_opt_in: bool
    lines: list[ShopOrderLineOut]
    total: str
    currency: str
    expires_at: str | None
    cancel_reason: str | None
    payment_id: str | None
    paid_at: str | None
    history: list[StatusChangeOut]
    version: int
    created_at: str
    updated_at: str
    coupon: str | None = None  # the coupon code the order used
    channel_id: str = "storefront"  # the sales channel it came from (item 4)
    external_id: str | None = None  # a marketplace's id of the order
    external_reference: str | None = None  # what the marketplace calls it ("#1001")
    next_statuses: list[OrderStatus] = Field(default_factory=list)  # where staff can move it now (the workflow)


class OrdersOut(Items[OrderOut]):
    pass


class PaymentOut(Out):
    order_id: str
    status: OrderStatus
    confirmed: bool  # false: the order was confirmed already (a repeated confirmation)


# ----------------------------------------------------------------- news and texts (issue 13 items 6, 7)
PlainText = Field(min_length=1, max_length=600, pattern=r"^[^<>\x00-\x08\x0b-\x1f\x7f]*$")


class FollowIn(Strict):
    """Follow the shop, one of its categories or a brand: news of launches by email or by text. The
    `email` gets the confirmation link (double opt-in) whatever the channel; `sms` needs `phone`."""

    kind: Literal["shop", "category", "brand"]
    category: str | None = Field(default=None, pattern=CATEGORY_PATTERN)
    brand: str | None = Field(default=None, min_length=1, max_length=80, pattern=r"^[^<>\x00-\x1f\x7f]+$")
    channel: Literal["email", "sms"] = "email"
    email: EmailStr
    phone: str | None = Field(default=None, pattern=PHONE_LIKE)


class FollowOut(Out):
    follow_id: str
    target: str
    channel: str
    status: str  # pending (check your email) | confirmed | unsubscribed


class FollowLinkQuery(Query):
    """A follow's signed link: the contact's hash, the follow's id and the signature."""

    c: str = Field(pattern=r"^[0-9a-f]{24}$")
    f: str = Field(pattern=r"^[0-9a-f-]{36}$")
    s: str = Field(pattern=r"^[0-9a-f]{64}$")


class NotifyIn(Strict):
    """Tell me once when this product is back in stock: by email, or by text to `phone`."""

    channel: Literal["email", "sms"] = "email"
    email: EmailStr | None = None
    phone: str | None = Field(default=None, pattern=PHONE_LIKE)


class NotifyOut(Out):
    product_id: str
    channel: str
    status: str  # waiting | sent


class LaunchIn(Strict):
    launch_on: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")


class LaunchOut(Out):
    product_id: str
    launch_on: str
    status: str
    announced_at: str | None
    recipients: int


class FollowerOut(Out):
    id: str
    target: str
    channel: str
    email: str
    phone: str | None  # masked: the country code and last three digits
    status: str
    created_at: str
    confirmed_at: str | None


class FollowersOut(Out):
    items: list[FollowerOut]
    counts: dict[str, int]  # confirmed followers per target


class NewsSentOut(Out):
    day: str
    kind: str
    channel: str
    recipient: str
    product_ids: list[str]
    created_at: str


class NewsSentListOut(Out):
    items: list[NewsSentOut]


class NewsQuery(Query):
    limit: int = Field(default=100, ge=1, le=500)


class InquiryOut(Out):
    id: str
    phone: str
    text: str
    status: str
    received_at: str
    answer: str | None
    answered_at: str | None


class InquiriesOut(Out):
    items: list[InquiryOut]


class InquiryAnswerIn(Strict):
    text: str = PlainText
# ----------------------------------------------------------------- promotions (discounts)
ISO_MOMENT = r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?)?$"


class PromotionIn(Strict):
    """A promotion (owners and managers): a percentage (more than 0, at most 100) or an amount off each
    unit's selling price, over the whole `shop`, a `category` (its slug or name: `target`) or a `product`
    (its id: `target`), from `starts_at` to `ends_at` (ISO; without an offset, the shop's time zone).
    With a `code` it is a coupon: only orders giving the code get it, at most `usage_limit` of them, and
    each customer once when `once_per_customer`. Changing one sends the version read."""

    name: str = Field(min_length=1, max_length=120, pattern=r"^[^<>\x00-\x1f\x7f]*$")
    kind: Literal["percent", "amount"]
    value: str = Field(pattern=r"^(?:0|[1-9]\d{0,8})(?:\.\d{1,4})?$")
    scope: Literal["shop", "category", "product"]
    target: str | None = Field(default=None, min_length=1, max_length=80, pattern=r"^[^<>\x00-\x1f\x7f]*$")
    starts_at: str = Field(pattern=ISO_MOMENT)
    ends_at: str = Field(pattern=ISO_MOMENT)
    stackable: bool = False
    code: str | None = Field(default=None, pattern=CODE_PATTERN)
    usage_limit: int | None = Field(default=None, ge=1, le=10_000_000)
    once_per_customer: bool = False
    version: int | None = Field(default=None, ge=1)


class PromotionOut(Out):
    id: str
    name: str
    kind: Literal["percent", "amount"]
    value: str
    scope: Literal["shop", "category", "product"]
    target: str | None
    starts_at: str  # UTC
    ends_at: str
    time_zone: str  # the shop's
    stackable: bool
    code: str | None
    usage_limit: int | None
    used: int  # orders that used the code (a cancelled or expired one gives its use back)
    once_per_customer: bool
    phase: Literal["scheduled", "active", "ended"]
    version: int
    created_at: str
    updated_at: str


# ----------------------------------------------------------------- returns (issue 13 item 3)
ReturnStatus = Literal["requested", "received", "refunded", "rejected"]
ReturnReason = Literal["damaged", "defective", "wrong_item", "not_as_described", "no_longer_needed", "other"]
ReturnNote = Annotated[str, Field(max_length=1000, pattern=r"^[^<>\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$")]
Money = Annotated[str, Field(pattern=r"^(?:0|[1-9]\d{0,9})(?:\.\d{1,4})?$")]


class ReturnLineIn(Strict):
    product_id: Id
    quantity: Quantity


class ReturnRequestIn(Strict):
    """A signed-in customer's return of some of their order's lines, with a reason. `return_id` is chosen
    by the client (a UUID), so a retried request asks once."""

    return_id: str = Field(pattern=UUID_PATTERN)
    order_id: str = Field(pattern=UUID_PATTERN)
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=25)
    reason: ReturnReason
    note: ReturnNote = ""


class GuestReturnRequestIn(ReturnRequestIn):
    """A guest's return: as a customer's, with the order's `token` (from the order lookup or the link in
    the order's emails)."""

    token: str = Field(pattern=TOKEN_PATTERN)


class OrderLookupIn(Strict):
    """A guest finds their order: its number (the 8 characters in its emails, or the whole id) and the
    email it was placed with. Any mismatch is the same 404."""

    order_number: str = Field(pattern=r"^#?[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})?$")
    email: EmailStr


class OrderTokenQuery(Query):
    token: str = Field(pattern=TOKEN_PATTERN)


class ReturnStepIn(Strict):
    """Receive or reject a return at the version read; a rejection may say why (sent to the customer)."""

    version: int = Field(ge=1)
    note: ReturnNote = ""


class ReturnOutcomeIn(Strict):
    product_id: Id
    outcome: Literal["restock", "scrap"]
    reason: Literal["damaged", "defective"] | None = None  # a scrap's


class ReturnResolveIn(Strict):
    """Settle a received return: each line restocked (a return movement in the ledger puts its units
    back where the order left from) or scrapped (damaged, defective: no stock back), and the refund
    (at most what the returned lines cost)."""

    version: int = Field(ge=1)
    lines: list[ReturnOutcomeIn] = Field(min_length=1, max_length=25)
    refund: Money
    note: ReturnNote = ""


class ReturnsQuery(Query):
    status: ReturnStatus | None = None
    limit: int = Field(default=50, ge=1, le=200)


class ReturnedLineOut(Out):
    product_id: str
    sku: str
    name: str
    quantity: str
    unit_price: str
    outcome: str | None
    scrap_reason: str | None
    movement_id: str | None


class ReturnOut(Out):
    id: str
    org_id: str
    order_id: str
    order_number: str
    handle: str
    status: ReturnStatus
    customer_email: str
    customer_name: str
    guest: bool
    location_id: str
    reason: str
    note: str
    lines: list[ReturnedLineOut]
    currency: str
    max_refund: str
    refund: str | None
    staff_note: str
    history: list[StatusChangeOut]
    version: int
    created_at: str
    updated_at: str


class PromotionsOut(Items[PromotionOut]):
    pass


class PromotionWeekOut(Out):
    week: str  # its Monday (the shop's time zone)
    phase: Literal["before", "during"]
    units: str
    revenue: str  # net of discounts


class PromotionAverageOut(Out):
    units_per_week: str
    revenue_per_week: str


class PromotionLiftOut(Out):
    units: str | None  # percent change of the weekly average; None: nothing sold before
    revenue: str | None


class PromotionChartOut(Out):
    """A promotion's chart JSON (precomputed by the shop stream): units and revenue per week of its
    scope, as many weeks before it as it lasts (at least four) beside its own weeks."""

    promotion_id: str
    name: str
    scope: str
    target: str | None
    currency: str
    starts_at: str
    ends_at: str
    time_zone: str
    weeks: list[PromotionWeekOut]
    before: PromotionAverageOut
    during: PromotionAverageOut
    lift_percent: PromotionLiftOut
    generated_at: str
class ReturnsOut(Items[ReturnOut]):
    pass


class ReturnableLineOut(Out):
    product_id: str
    name: str
    bought: str
    returnable: str


class OrderViewOut(Out):
    """An order as its customer sees it: its status, its returns, until when and what may be returned,
    and the token that opens it (for a guest's return request and link)."""

    order: OrderOut
    order_number: str
    returns: list[ReturnOut]
    return_by: str | None
    returnable: list[ReturnableLineOut]
    token: str


class ProductReturnsOut(Out):
    product_id: str
    name: str
    sold: str  # units delivered or collected
    requested: str  # units in returns not rejected
    returned: str  # units of refunded returns
    restocked: str
    scrapped: str
    return_rate: str | None  # returned ÷ sold, 4 decimals


class ShopInsightsOut(Out):
    """Return rate per listed product (from the shop stream's rollups; no request reads many items)."""

    products: list[ProductReturnsOut]
    sold: str
    returned: str
    return_rate: str | None
    refunded: dict[str, str]  # per currency
# ----------------------------------------------------------------- sales channels (item 4)
ChannelKind = Literal["in_store", "storefront", "marketplace"]
ChannelPlatform = Literal["generic", "shopify"]
Buffer = Annotated[str, Field(pattern=r"^(?:0|[1-9]\d{0,5})(?:\.\d{1,3})?$")]
Sku = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f<>]+$")]
Amount = Annotated[str, Field(pattern=r"^(?:0|[1-9]\d{0,9})(?:\.\d{1,4})?$")]


class ChannelIn(Strict):
    """A sales channel: the counter (`in_store`), the shop's own site (`storefront`) or an external
    `marketplace` posting its orders in the `generic` format or a platform's (`shopify`). It sells
    from one location, keeps `buffer` units back from what it offers (its feed's available-to-sell
    is on hand − reserved − buffer), and may name an https `webhook_url` that gets its stock
    whenever that changes. Changing one sends the version read."""

    kind: ChannelKind
    name: str = Field(min_length=1, max_length=80, pattern=r"^[^<>\x00-\x1f\x7f]+$")
    platform: ChannelPlatform = "generic"
    location_id: Id
    buffer: Buffer = "0"
    webhook_url: str | None = Field(default=None, max_length=500, pattern=rf"^https?://[^{WHITESPACE}<>\"']+$")
    active: bool = True
    version: int | None = Field(default=None, ge=1)


class ChannelSecretIn(Strict):
    """Rotate the channel's secret at the version read: a new random one, or the platform's own
    (Shopify signs with the app's client secret, so it is entered here). The one before stays valid
    for 24 hours."""

    version: int = Field(ge=1)
    secret: str | None = Field(default=None, min_length=16, max_length=256, pattern=r"^[\x21-\x7e]+$")


class ChannelFeedOut(Out):
    json_url: str  # stable paths on the CDN (the data bucket's storefront/ behaviour)
    csv_url: str


class ChannelOut(Out):
    id: str
    org_id: str
    kind: ChannelKind
    name: str
    platform: ChannelPlatform
    location_id: str
    buffer: str
    webhook_url: str | None
    active: bool
    orders_url: str | None  # where a marketplace posts its orders
    feed: ChannelFeedOut
    secret_rotated_at: str | None
    last_push_at: str | None
    last_push_error: str | None
    version: int
    created_at: str
    secret: str | MISSING = MISSING  # owners only: the HMAC key of the orders webhook and the stock webhook


class ChannelsOut(Items[ChannelOut]):
    pass


class ChannelOrderLineIn(Strict):
    sku: Sku
    quantity: Quantity
    unit_price: Amount | None = None  # what the marketplace charged per unit; else the selling price


class ChannelOrderIn(Strict):
    """An order from a marketplace in Tally's generic format (signed: see docs/shop.md). One order per
    `external_id`: a retry answers the order placed the first time."""

    external_id: str = Field(min_length=1, max_length=80, pattern=r"^[0-9A-Za-z_:/.#-]+$")
    reference: str = Field(default="", max_length=40, pattern=r"^[^<>\x00-\x1f\x7f]*$")
    email: EmailStr
    name: str = Field(default="", max_length=120, pattern=r"^[^<>\x00-\x1f\x7f]*$")
    phone: str | None = Field(default=None, pattern=E164_PATTERN)
    currency: CurrencyCode
    total: Amount | None = None
    lines: list[ChannelOrderLineIn] = Field(min_length=1, max_length=25)
    address: str = Field(default="", max_length=500)
    paid: bool = True
