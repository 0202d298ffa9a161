"""The shop's request bodies, query models and response models (the OpenAPI document is built from them)."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import MISSING, Field, field_validator

from ..core.schemas import UUID_PATTERN, CurrencyCode, EmailStr, Items, Out, Query, Strict
from ..inventory.schemas import Id, Quantity
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
    version: int | None = Field(default=None, ge=1)

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


# ----------------------------------------------------------------- orders
class ShopOrderLineIn(Strict):
    product_id: Id
    quantity: Quantity


class PlaceOrderIn(Strict):
    """An order: `order_id` is chosen by the client (a UUID), so a retried request places it once.
    Pickup names one of the shop's pickup stores; delivery needs an address. A guest gives an email;
    a signed-in customer's comes from their account. `phone` (E.164) with `sms_opt_in` asks for
    texts on each status change (recorded with when and where consent was given)."""

    order_id: str = Field(pattern=UUID_PATTERN)
    fulfilment: Literal["pickup", "delivery"]
    location_id: Id | None = None
    address: str = Field(default="", max_length=500)
    lines: list[ShopOrderLineIn] = Field(min_length=1, max_length=25)
    email: EmailStr | None = None
    name: str = Field(default="", max_length=120, pattern=r"^[^<>\x00-\x1f\x7f]*$")
    phone: str | None = Field(default=None, pattern=E164_PATTERN)
    sms_opt_in: bool = False


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
    channel_id: str = "storefront"  # the sales channel it came from (item 4)
    external_id: str | None = None  # a marketplace's id of the order
    external_reference: str | None = None  # what the marketplace calls it ("#1001")


class OrdersOut(Items[OrderOut]):
    pass


class PaymentOut(Out):
    order_id: str
    status: OrderStatus
    confirmed: bool  # false: the order was confirmed already (a repeated confirmation)


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
    webhook_url: str | None = Field(default=None, max_length=500, pattern=r"^https?://[^\s<>\"']+$")
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
