"""The shop table: an organisation's shop under pk ORG#<org>, its public handle's claim, and each
order in its own partition ORG#<org>#ORDER#<id>.

Keys come from the access patterns in docs/shop.md. An order's stock is a Reservation in the
inventory ledger, written in the same transaction as the order (the ledger's `reserve(..., also=)`);
the shop never writes the inventory table itself.
"""
from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, ListAttribute, MapAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from ..core.attributes import DecimalAttribute, DecimalMapAttribute
from ..core.keys import org_key, org_pk
from ..core.models import BaseMeta
from ..core.settings import get_settings
from ..core.shards import shard_of

_s = get_settings()


# ------------------------------------------------------------------ keys
def shop_key(org_id: str) -> tuple[str, str]:
    return org_pk(org_id), "SHOP"


def shop_handle_key(handle: str) -> tuple[str, str]:
    """The claim that makes a shop's public handle unique and names its organisation."""
    return f"SHOPHANDLE#{handle}", "CLAIM"


def listing_key(org_id: str, product_id: str) -> tuple[str, str]:
    return org_pk(org_id), f"LISTING#{product_id}"


def order_key(org_id: str, order_id: str) -> tuple[str, str]:
    return org_key(org_id, "ORDER", order_id), "ORDER"


def customer_orders_index(org_id: str, customer: str) -> str:
    """by_customer partition: one customer's orders at one shop (a signed-in customer's sub, a
    guest's email)."""
    return org_key(org_id, "CUSTOMER", customer)


def orders_index(org_id: str) -> str:
    """by_time partition: every order of the organisation's shop."""
    return org_key(org_id, "ORDERS")


def expiry_index(shard: int) -> str:
    return f"EXPIRES#{shard}"


def expiry_keys(org_id: str, order_id: str, expires_at: str) -> tuple[str, str]:
    """by_due keys of an unconfirmed order: its shard's partition, then when its reservation expires."""
    return expiry_index(shard_of(org_key(org_id, order_id))), f"{expires_at}#{org_id}#{order_id}"


class CustomerIndex(GlobalSecondaryIndex):
    """ORG#o#CUSTOMER#<sub or email> → the customer's orders by `<created_at>#<id>`."""

    class Meta:
        index_name = "by_customer"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class TimeIndex(GlobalSecondaryIndex):
    """ORG#o#ORDERS → every order of the shop by `<created_at>#<id>` (the staff's inbox)."""

    class Meta:
        index_name = "by_time"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class DueIndex(GlobalSecondaryIndex):
    """EXPIRES#<shard> → unconfirmed orders by `<expires_at>#<org>#<id>` (sparse: an order is there
    only while placed and unpaid), the expiry job's work list."""

    class Meta:
        index_name = "by_due"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class ChannelIndex(GlobalSecondaryIndex):
    """ORG#o#CHANNEL#<channel> → one sales channel's orders by `<created_at>#<id>` (the inbox's channel
    filter; storefront orders under the channel id `storefront`)."""

    class Meta:
        index_name = "by_channel"
        projection = AllProjection()

    gsi4pk = UnicodeAttribute(hash_key=True)
    gsi4sk = UnicodeAttribute(range_key=True)


def channel_orders_index(org_id: str, channel_id: str) -> str:
    """by_channel partition: the orders of one sales channel."""
    return org_key(org_id, "CHANNEL", channel_id)


class ShopTable(Model):
    class Meta(BaseMeta):
        table_name = _s.shop_table
        stream_view_type = "NEW_AND_OLD_IMAGES"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    by_customer = CustomerIndex()
    by_time = TimeIndex()
    by_due = DueIndex()
    gsi4pk = UnicodeAttribute(null=True)
    gsi4sk = UnicodeAttribute(null=True)
    by_channel = ChannelIndex()
    ttl = TTLAttribute(null=True)  # items that only matter for a while (a channel's seen deliveries)


# ------------------------------------------------------------------ the shop
class ShopCategory(MapAttribute):
    slug = UnicodeAttribute()
    name = UnicodeAttribute()


class Shop(ShopTable):
    """pk ORG#o, sk SHOP: the organisation's shop, its public handle, where orders are fulfilled
    (pickup stores, the delivery location), how long an unpaid order keeps its stock, and the secret
    that signs payment confirmations."""

    org_id = UnicodeAttribute()
    handle = UnicodeAttribute()
    name = UnicodeAttribute()
    currency = UnicodeAttribute()
    categories = ListAttribute(of=ShopCategory, default=list)
    pickup_location_ids = ListAttribute(of=UnicodeAttribute, default=list)
    delivery_location_id = UnicodeAttribute(null=True)
    reservation_minutes = NumberAttribute(default=30)
    delivery_days = NumberAttribute(default=2)  # from stock at the delivery location to the door
    time_zone = UnicodeAttribute(default="UTC")  # promotions' windows and weekly sales are local to it
    return_days = NumberAttribute(default=30)  # the return window, from delivered or collected (0: none)
    payment_secret = UnicodeAttribute()  # HMAC-SHA256 key of the payment webhook (random, per shop)
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class ShopHandleClaim(ShopTable):
    """pk SHOPHANDLE#<handle>, sk CLAIM: exists while a shop holds that handle (its public address)."""

    org_id = UnicodeAttribute()


# ------------------------------------------------------------------ listings
class ListingDiscount(MapAttribute):
    kind = UnicodeAttribute()  # percent | amount
    value = DecimalAttribute()
    starts_on = UnicodeAttribute(null=True)  # YYYY-MM-DD, inclusive
    ends_on = UnicodeAttribute(null=True)
    label = UnicodeAttribute(default="")


class Listing(ShopTable):
    """pk ORG#o, sk LISTING#<product>: a catalogue product on the storefront: its shop category, its
    description and any discount off its selling price. Only a published listing can be ordered."""

    org_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    category = UnicodeAttribute(null=True)  # a shop category's slug
    description = UnicodeAttribute(default="")
    published = BooleanAttribute(default=True)
    discount = ListingDiscount(null=True)
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


# ------------------------------------------------------------------ orders
class OrderedLine(MapAttribute):
    product_id = UnicodeAttribute()
    sku = UnicodeAttribute(default="")
    name = UnicodeAttribute(default="")
    quantity = DecimalAttribute()
    unit_price = DecimalAttribute()  # after any discount: what the shopper pays per unit
    list_price = DecimalAttribute(null=True)  # the selling price before it
    discount = DecimalAttribute(null=True)  # off each unit
    net = DecimalAttribute(null=True)  # quantity × unit_price: the line's revenue after discount
    category = UnicodeAttribute(null=True)  # the listing's category when ordered (sales by category)
    promotion_ids = ListAttribute(of=UnicodeAttribute, null=True)  # the promotions applied


class StatusChange(MapAttribute):
    status = UnicodeAttribute()
    at = UnicodeAttribute()
    by = UnicodeAttribute()  # a member's sub, "customer", "payment" or "expiry"


class Order(ShopTable):
    """pk ORG#o#ORDER#<id>, sk ORDER; gsi1 ORG#o#CUSTOMER#<sub or email>; gsi2 ORG#o#ORDERS;
    while placed and unpaid, gsi3 EXPIRES#<shard> / <expires_at>#<org>#<id>.

    status placed → confirmed → picked → shipped → delivered (delivery) or ready → collected
    (pickup); placed or confirmed → cancelled. Its stock is the ledger Reservation with the same id:
    held from placing, sold when picked, released when cancelled or expired."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    handle = UnicodeAttribute()
    shop_name = UnicodeAttribute()
    customer_sub = UnicodeAttribute(null=True)  # None for a guest
    customer_email = UnicodeAttribute()
    customer_name = UnicodeAttribute(default="")
    phone = UnicodeAttribute(null=True)  # E.164
    sms_opt_in = BooleanAttribute(default=False)
    sms_opt_in_at = UnicodeAttribute(null=True)
    sms_opt_in_source = UnicodeAttribute(null=True)  # where consent was given (e.g. "checkout")
    fulfilment = UnicodeAttribute()  # pickup | delivery
    location_id = UnicodeAttribute()
    address = UnicodeAttribute(default="")
    lines = ListAttribute(of=OrderedLine, default=list)
    total = DecimalAttribute()
    currency = UnicodeAttribute()
    status = UnicodeAttribute()
    cancel_reason = UnicodeAttribute(null=True)  # cancelled: by the shop, by the customer, expired
    payment_id = UnicodeAttribute(null=True)
    paid_at = UnicodeAttribute(null=True)
    expires_at = UnicodeAttribute()
    history = ListAttribute(of=StatusChange, default=list)
    request_hash = UnicodeAttribute()
    coupon = UnicodeAttribute(null=True)  # the coupon code used (its use is given back on cancelling)
    channel_id = UnicodeAttribute(null=True)  # the sales channel (None: the storefront, before channels)
    external_id = UnicodeAttribute(null=True)  # the marketplace's id of the order
    external_reference = UnicodeAttribute(null=True)  # what the marketplace calls it ("#1001")
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


# ------------------------------------------------------------------ promotions (docs/shop.md "Discounts")
def promotion_key(org_id: str, promotion_id: str) -> tuple[str, str]:
    return org_pk(org_id), f"PROMO#{promotion_id}"


def coupon_key(org_id: str, code: str) -> tuple[str, str]:
    """A coupon code's claim and usage counter (the code upper-case, unique in the organisation)."""
    return org_pk(org_id), f"COUPON#{code}"


def coupon_use_key(org_id: str, code: str, order_id: str) -> tuple[str, str]:
    return org_key(org_id, "COUPON", code), f"ORDER#{order_id}"


def coupon_customer_key(org_id: str, code: str, customer: str) -> tuple[str, str]:
    return org_key(org_id, "COUPON", code), f"CUSTOMER#{customer}"


def edge_index(shard: int) -> str:
    return f"PROMOEDGE#{shard}"


def edge_keys(org_id: str, promotion_id: str, at: str) -> tuple[str, str]:
    """by_due keys of a promotion waiting to start or end (its storefront is republished then)."""
    return edge_index(shard_of(org_key(org_id, promotion_id))), f"{at}#{org_id}#{promotion_id}"


class Promotion(ShopTable):
    """pk ORG#o, sk PROMO#<id>: a percentage or an amount off the selling price of the whole shop, a
    category or a product, from starts_at to ends_at (UTC); with a code only for orders giving it.
    While it has a start or end ahead: gsi3 PROMOEDGE#<shard> / <that moment>#<org>#<id>."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    name = UnicodeAttribute()
    kind = UnicodeAttribute()  # percent | amount
    value = DecimalAttribute()
    scope = UnicodeAttribute()  # shop | category | product
    target = UnicodeAttribute(null=True)
    starts_at = UnicodeAttribute()
    ends_at = UnicodeAttribute()
    stackable = BooleanAttribute(default=False)
    code = UnicodeAttribute(null=True)
    usage_limit = NumberAttribute(null=True)
    once_per_customer = BooleanAttribute(default=False)
    phase = UnicodeAttribute(default="scheduled")  # scheduled | active | ended (moved by the edge job)
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class Coupon(ShopTable):
    """pk ORG#o, sk COUPON#<CODE>: the code's claim (unique) and its uses: `used` grows by one in the
    transaction that places an order with it, on condition that it stays within `usage_limit`."""

    org_id = UnicodeAttribute()
    code = UnicodeAttribute()
    promotion_id = UnicodeAttribute()
    usage_limit = NumberAttribute(null=True)  # None: unlimited
    used = NumberAttribute(default=0)


class CouponUse(ShopTable):
    """pk ORG#o#COUPON#<CODE>, sk ORDER#<id> (an order's use: deleted once when the use is given back)
    or CUSTOMER#<sub or email> (once per customer: the customer's claim)."""

    org_id = UnicodeAttribute()
    code = UnicodeAttribute()
    order_id = UnicodeAttribute()
    customer = UnicodeAttribute()
    at = UnicodeAttribute()


# ------------------------------------------------------------------ returns (issue 13 item 3)
def return_key(org_id: str, return_id: str) -> tuple[str, str]:
    return org_key(org_id, "RETURN", return_id), "RETURN"


def returned_key(org_id: str, order_id: str) -> tuple[str, str]:
    """The order's returned quantities, in the order's own partition."""
    return org_key(org_id, "ORDER", order_id), "RETURNED"


def order_returns_index(org_id: str, order_id: str) -> str:
    """by_customer partition of an order's returns (never a customer's: no `CUSTOMER#`)."""
    return org_key(org_id, "ORDER", order_id, "RETURNS")


def returns_index(org_id: str) -> str:
    """by_time partition: every return of the organisation's shop (the staff's list)."""
    return org_key(org_id, "RETURNS")


class ReturnedLine(MapAttribute):
    product_id = UnicodeAttribute()
    sku = UnicodeAttribute(default="")
    name = UnicodeAttribute(default="")
    quantity = DecimalAttribute()
    unit_price = DecimalAttribute()  # what the customer paid per unit (after discount)
    outcome = UnicodeAttribute(null=True)  # restock | scrap, once refunded
    scrap_reason = UnicodeAttribute(null=True)  # damaged | defective
    movement_id = UnicodeAttribute(null=True)  # a restock's return movement in the inventory ledger


class Return(ShopTable):
    """pk ORG#o#RETURN#<id>, sk RETURN; gsi1 ORG#o#ORDER#<order>#RETURNS (the order's returns), gsi2
    ORG#o#RETURNS (the staff's list), both by `<created_at>#<id>`.

    status requested → received → refunded, or requested | received → rejected. A restocked line's
    units come back through the ledger's return movement (id `uuid5(return, product)`)."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    handle = UnicodeAttribute()
    shop_name = UnicodeAttribute()
    customer_sub = UnicodeAttribute(null=True)
    customer_email = UnicodeAttribute()
    customer_name = UnicodeAttribute(default="")
    location_id = UnicodeAttribute()  # where a restock goes: the store or warehouse the order left from
    reason = UnicodeAttribute()
    note = UnicodeAttribute(default="")
    lines = ListAttribute(of=ReturnedLine, default=list)
    currency = UnicodeAttribute()
    refund = DecimalAttribute(null=True)
    staff_note = UnicodeAttribute(default="")
    status = UnicodeAttribute()
    history = ListAttribute(of=StatusChange, default=list)
    request_hash = UnicodeAttribute()
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class ReturnedQuantities(ShopTable):
    """pk ORG#o#ORDER#<order>, sk RETURNED: per product, the units that returns not rejected asked
    for. Written with each return in one transaction at its version, so a line is never returned twice
    over, even by simultaneous requests."""

    org_id = UnicodeAttribute()
    order_id = UnicodeAttribute()
    quantities = DecimalMapAttribute(default=dict)
    version = NumberAttribute(default=0)


# ------------------------------------------------------------------ sales channels (item 4)
def channel_key(org_id: str, channel_id: str) -> tuple[str, str]:
    return org_pk(org_id), f"CHANNEL#{channel_id}"


def channel_claim_key(channel_id: str) -> tuple[str, str]:
    """The claim that finds a channel's organisation from its id alone (the public webhook route)."""
    return f"CHANNELID#{channel_id}", "CLAIM"


def channel_stock_pk(org_id: str, channel_id: str) -> str:
    return org_key(org_id, "CHANNEL", channel_id)


def channel_stock_key(org_id: str, channel_id: str, product_id: str) -> tuple[str, str]:
    return channel_stock_pk(org_id, channel_id), f"ATS#{product_id}"


def push_retry_index(shard: int) -> str:
    return f"PUSHRETRY#{shard}"


def push_retry_keys(org_id: str, channel_id: str, since: str) -> tuple[str, str]:
    """by_due keys of a channel whose stock webhook failed: its shard, then since when it waits."""
    return push_retry_index(shard_of(org_key(org_id, channel_id))), f"{since}#{org_id}#{channel_id}"


def delivery_key(channel_id: str, digest: str) -> tuple[str, str]:
    return f"CHANNELID#{channel_id}", f"SEEN#{digest}"


class Channel(ShopTable):
    """pk ORG#o, sk CHANNEL#<id>: a sales channel (in_store | storefront | marketplace), the location
    it sells from, its stock buffer, where its stock webhook goes and the secret of both directions
    (a marketplace's orders in, the stock webhook out). `previous_secret` stays accepted until
    `previous_until` (Unix seconds) after a rotation."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    name = UnicodeAttribute()
    platform = UnicodeAttribute(default="generic")  # generic | shopify (a marketplace's inbound format)
    location_id = UnicodeAttribute()
    buffer = DecimalAttribute()
    webhook_url = UnicodeAttribute(null=True)
    active = BooleanAttribute(default=True)
    secret = UnicodeAttribute()
    previous_secret = UnicodeAttribute(null=True)
    previous_until = NumberAttribute(null=True)
    secret_rotated_at = UnicodeAttribute(null=True)
    last_push_at = UnicodeAttribute(null=True)
    last_push_error = UnicodeAttribute(null=True)
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class ChannelClaim(ShopTable):
    """pk CHANNELID#<id>, sk CLAIM: the organisation of a channel id (written with the channel)."""

    org_id = UnicodeAttribute()


class ChannelStock(ShopTable):
    """pk ORG#o#CHANNEL#<id>, sk ATS#<product>: what the channel may sell of a product now
    (`available`, with the figures it came from) and the value its stock webhook last delivered
    (`notified`): a replayed batch finds them equal and sends nothing."""

    org_id = UnicodeAttribute()
    channel_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    sku = UnicodeAttribute(default="")
    name = UnicodeAttribute(default="")
    available = DecimalAttribute()
    on_hand = DecimalAttribute()
    reserved = DecimalAttribute()
    buffer = DecimalAttribute()
    notified = DecimalAttribute(null=True)
    notified_at = UnicodeAttribute(null=True)
    updated_at = UnicodeAttribute()


class ChannelDelivery(ShopTable):
    """pk CHANNELID#<id>, sk SEEN#<digest of the signature>: a signed inbound delivery accepted (kept
    past the signature's tolerance by `ttl`), so the same signed request again is refused as a replay."""

    order_id = UnicodeAttribute()
    received_at = UnicodeAttribute()
