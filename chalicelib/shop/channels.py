"""Sales channels (issue 13 item 4): an organisation's channels, a marketplace's signed orders, and
every channel's orders in one inbox.

A channel is the counter, the shop's own storefront or an external marketplace. A marketplace posts
its orders to `POST /channels/{channel_id}/orders`, signed with the channel's secret, in Tally's
generic format or a platform's own (Shopify's orders/create, mapped by `rules.shopify`). Its stock is
reserved exactly as a storefront order's is: the inventory ledger's `reserve` writes the Reservation,
the positions at the versions read and, through `also`, the order and the delivery's replay marker,
in one TransactWriteItems, so an order exists exactly when its stock is held and the last unit is
never sold twice whichever channel asks first.
"""
from __future__ import annotations

import hashlib
import ipaddress
import json
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from ..core import clock
from ..core.db import find, transact
from ..core.errors import Conflict, InvalidInput, NotFound, TallyError, Unauthorized
from ..core.keys import org_pk
from ..core.settings import get_settings
from ..inventory import catalogue, ledger
from ..inventory.schemas import ReservationIn
from .feeds import feed_keys, feed_url
from .listings import all_listings, price_today
from .models import (
    Channel,
    ChannelClaim,
    ChannelDelivery,
    Order,
    OrderedLine,
    ShopTable,
    StatusChange,
    channel_claim_key,
    channel_key,
    channel_orders_index,
    customer_orders_index,
    delivery_key,
    expiry_keys,
    order_key,
    orders_index,
)
from .orders import find_order, get_order, order_out, reservation_id, staff_orders
from .rules import channels as rules
from .rules import orders as order_rules
from .rules import shopify
from .schemas import ChannelFeedOut, ChannelIn, ChannelOrderIn, ChannelOut, ChannelSecretIn, ChannelsOut, OrdersOut, OrdersQuery
from .shops import get_shop

ORDER_NAMESPACE = uuid.UUID("5d1c2a4e-13a4-4c8e-9f1e-0c7a4d2b9e61")  # uuid5 of (channel, external id)


# ----------------------------------------------------------------- channels
def find_channel(org_id: str, channel_id: str) -> Channel | None:
    return find(Channel, *channel_key(org_id, channel_id))


def get_channel(org_id: str, channel_id: str) -> Channel:
    ch = find_channel(org_id, channel_id)
    if ch is None:
        raise NotFound("no such channel", field="channel_id")
    return ch


def channel_by_id(channel_id: str) -> Channel:
    """A channel from its id alone (the public webhook route): GetItem claim, GetItem channel."""
    claim = find(ChannelClaim, *channel_claim_key(channel_id))
    ch = find_channel(claim.org_id, channel_id) if claim is not None else None
    if ch is None:
        raise NotFound("no such channel", field="channel_id")
    return ch


def org_channels(org_id: str) -> list[Channel]:
    """The organisation's channels (one Query of its partition)."""
    return sorted(Channel.query(org_pk(org_id), Channel.sk.startswith("CHANNEL#")), key=lambda c: str(c.name).lower())


def check_webhook_url(url: str | None) -> None:
    """An outgoing webhook goes to https on a public host; the local stack (an endpoint URL set) may
    use http and loopback, for its own tests."""
    if url is None:
        return
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 (a port that is not a number raises here, not at the first push)
    except ValueError:
        raise InvalidInput("not a URL", field="webhook_url") from None
    local = get_settings().aws_endpoint_url is not None
    if parts.scheme != "https" and not (local and parts.scheme == "http"):
        raise InvalidInput("the webhook URL must be https", field="webhook_url")
    if not host:
        raise InvalidInput("the webhook URL has no host", field="webhook_url")
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if not local and (host == "localhost" or (ip is not None and not ip.is_global)):
        raise InvalidInput("the webhook URL must be a public host", field="webhook_url")


def set_channel(org_id: str, channel_id: str, data: ChannelIn) -> tuple[Channel, bool]:
    """Create a channel under a client-chosen id (201) or change it at the version read (409
    `version`); its location must exist (404 `location_id`). A new channel gets a random secret."""
    if data.kind != "marketplace" and data.platform != "generic":
        raise InvalidInput("only a marketplace posts orders in a platform's format", field="platform")
    check_webhook_url(data.webhook_url)
    if data.location_id not in catalogue.locations_by_id(org_id, {data.location_id}):
        raise NotFound("no such location", field="location_id")
    current = find_channel(org_id, channel_id)
    now = clock.iso_now()
    fields: dict[str, Any] = dict(kind=data.kind, name=data.name, platform=data.platform, location_id=data.location_id,
                                  buffer=Decimal(data.buffer), webhook_url=data.webhook_url, active=data.active)
    if current is None:
        if data.version is not None:
            raise NotFound("no such channel", field="version")
        ch = Channel(*channel_key(org_id, channel_id), id=channel_id, org_id=org_id, secret=secrets.token_hex(32),
                     version=1, created_at=now, updated_at=now, **fields)

        def taken(failed: list[int]) -> TallyError:
            return Conflict("this channel id is taken", field="channel_id")

        with transact(otherwise=taken) as tx:
            tx.save(ch, condition=Channel.pk.does_not_exist())
            tx.save(ChannelClaim(*channel_claim_key(channel_id), org_id=org_id),
                    condition=ChannelClaim.pk.does_not_exist())
        return ch, True
    if data.version is None:
        raise InvalidInput("the channel exists: send the version you read", field="version")
    if data.version != int(current.version):
        raise Conflict("the channel changed since you read it", field="version")
    for name, value in fields.items():
        setattr(current, name, value)
    current.version, current.updated_at = int(current.version) + 1, now
    with transact(otherwise=lambda failed: Conflict("the channel changed since you read it", field="version")) as tx:
        tx.save(current, condition=Channel.version == data.version)
    return current, False


def rotate_secret(org_id: str, channel_id: str, data: ChannelSecretIn) -> Channel:
    """A new secret (random, or the platform's own); the one before stays valid for 24 hours."""
    ch = get_channel(org_id, channel_id)
    if data.version != int(ch.version):
        raise Conflict("the channel changed since you read it", field="version")
    now = clock.now()
    ch.previous_secret, ch.previous_until = ch.secret, int(now.timestamp()) + rules.ROTATION_GRACE_SECONDS
    ch.secret = data.secret or secrets.token_hex(32)
    ch.secret_rotated_at = ch.updated_at = clock.iso_now()
    ch.version = int(ch.version) + 1
    with transact(otherwise=lambda failed: Conflict("the channel changed since you read it", field="version")) as tx:
        tx.save(ch, condition=Channel.version == data.version)
    return ch


def channel_out(ch: Channel, show_secret: bool) -> ChannelOut:
    json_key, csv_key = feed_keys(str(ch.id))
    secret: dict[str, str] = {"secret": str(ch.secret)} if show_secret else {}
    return ChannelOut(id=ch.id, org_id=ch.org_id, kind=ch.kind, name=ch.name, platform=ch.platform,  # type: ignore[arg-type]
                      location_id=ch.location_id, buffer=rules.units(Decimal(ch.buffer)),
                      webhook_url=ch.webhook_url, active=bool(ch.active),
                      orders_url=f"{get_settings().api_url}/channels/{ch.id}/orders" if ch.kind == "marketplace" else None,
                      feed=ChannelFeedOut(json_url=feed_url(json_key), csv_url=feed_url(csv_key)),
                      secret_rotated_at=ch.secret_rotated_at, last_push_at=ch.last_push_at,
                      last_push_error=ch.last_push_error, version=int(ch.version), created_at=ch.created_at, **secret)


def channels_out(org_id: str, show_secret: bool) -> ChannelsOut:
    return ChannelsOut(items=[channel_out(c, show_secret) for c in org_channels(org_id)])


# ----------------------------------------------------------------- a marketplace's orders
@dataclass(frozen=True)
class Received:
    order: Order
    replayed: bool  # the order existed (a retry of the platform): nothing new was written but its marker


@dataclass(frozen=True)
class Delivery:
    """What arrived on the wire: the raw body and the headers that sign it."""

    raw_body: bytes
    headers: dict[str, str]
    parse_generic: Callable[[], ChannelOrderIn]


def order_id_for(channel_id: str, external_id: str) -> str:
    """One Tally order per (channel, external id): its id is derived from them."""
    return str(uuid.uuid5(ORDER_NAMESPACE, f"{channel_id}:{external_id}"))


def _verify(ch: Channel, d: Delivery, now: int) -> str:
    accepted = rules.accepted_secrets(str(ch.secret), ch.previous_secret,
                                      int(ch.previous_until) if ch.previous_until is not None else None, now)
    if ch.platform == "shopify":
        signed = rules.verify_shopify(accepted, d.headers.get("x-shopify-hmac-sha256"), d.raw_body)
        topic = d.headers.get("x-shopify-topic")
        if topic is not None and topic != shopify.TOPIC:
            raise InvalidInput(f"this channel takes {shopify.TOPIC} webhooks", field="X-Shopify-Topic")
        return signed
    return rules.verify_generic(accepted, d.headers.get("x-tally-timestamp"), d.headers.get("x-tally-signature"),
                                d.raw_body, now)


def _parse(ch: Channel, d: Delivery) -> rules.ChannelOrder:
    if ch.platform == "shopify":
        try:
            body = json.loads(d.raw_body)
        except ValueError:
            raise InvalidInput("the body is not JSON", field="body") from None
        return shopify.to_channel_order(body)
    g = d.parse_generic()
    return rules.ChannelOrder(
        external_id=g.external_id, reference=g.reference or g.external_id, email=g.email, name=g.name, phone=g.phone,
        currency=g.currency, total=Decimal(g.total) if g.total is not None else None,
        lines=tuple(rules.ChannelLine(sku=ln.sku, quantity=ln.quantity,
                                      unit_price=Decimal(ln.unit_price) if ln.unit_price is not None else None)
                    for ln in g.lines),
        address=g.address, paid=g.paid)


def _hash(co: rules.ChannelOrder) -> str:
    body = [co.external_id, co.email.lower(), co.currency, str(co.total), co.address,
            [[ln.sku.upper(), str(ln.quantity), str(ln.unit_price)] for ln in co.lines]]
    return hashlib.sha256(json.dumps(body).encode()).hexdigest()


def _existing(ch: Channel, co: rules.ChannelOrder, order: Order, delivery: ChannelDelivery | None) -> Received:
    if order.request_hash != _hash(co):
        raise Conflict("this external id was used with a different order", field="external_id")
    if delivery is None:  # Shopify signs the body alone: its retry is the same request; the order id dedupes
        return Received(order, True)
    seen = find(ChannelDelivery, str(delivery.pk), str(delivery.sk))
    if seen is not None:
        raise _replay(ch)
    delivery.save()  # this retry's own marker: the same signed request again is a replay
    return Received(order, True)


def _replay(ch: Channel) -> TallyError:
    header = "X-Shopify-Hmac-Sha256" if ch.platform == "shopify" else "X-Tally-Signature"
    return Unauthorized("this signed request was received already (a replay)", field=header)


def receive_order(channel_id: str, d: Delivery) -> Received:
    """A marketplace's signed order: verified before its body is read (401 naming the header: missing,
    stale, not matching, or the same signed request again); mapped to products by SKU among the shop's
    published listings (404 `<lines>.<i>.sku`); its stock reserved at the channel's location with the
    order in one transaction (409 `<lines>.<i>.quantity` with `available` when it is not there; nothing
    written). One order per external id: a retry answers the order placed the first time (replayed)."""
    ch = channel_by_id(channel_id)
    now_dt = clock.now()
    signed = _verify(ch, d, int(now_dt.timestamp()))
    if ch.kind != "marketplace" or not ch.active:
        raise Conflict("this channel does not take orders over its webhook", field="channel_id")
    if ch.platform == "shopify" and d.headers.get("x-shopify-topic") is None:
        raise InvalidInput("X-Shopify-Topic is required", field="X-Shopify-Topic")
    co = _parse(ch, d)
    org_id = str(ch.org_id)
    shop = get_shop(org_id)
    order_id = order_id_for(str(ch.id), co.external_id)
    now = now_dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # Tally's scheme signs a timestamp, so each delivery's signature is its own: kept past the tolerance,
    # the same signed request again is a replay. Shopify's signs the body alone (a retry is identical).
    delivery = None if ch.platform == "shopify" else ChannelDelivery(
        *delivery_key(str(ch.id), rules.delivery_digest(str(ch.id), signed)), order_id=order_id, received_at=now,
        ttl=now_dt + timedelta(seconds=2 * rules.TOLERANCE_SECONDS + 60))
    existing = find_order(org_id, order_id)
    if existing is not None:
        return _existing(ch, co, existing, delivery)
    if co.currency != shop.currency:
        raise Conflict(f"the shop sells in {shop.currency}", field="currency")
    listed = {str(li.product_id): li for li in all_listings(org_id) if li.published}
    products = catalogue.products_by_id(org_id, set(listed))
    by_sku = {p.sku.upper(): p for p in products.values()}
    today = clock.now().date()
    merged: dict[str, tuple[Decimal, Decimal, int]] = {}  # product → quantity, unit price, first line's index
    for i, ln in enumerate(co.lines):
        product = by_sku.get(ln.sku.upper())
        if product is None:
            raise NotFound("this shop sells no product with this SKU", field=f"{co.field_prefix}.{i}.{co.sku_field}")
        price = ln.unit_price if ln.unit_price is not None else price_today(product, listed[product.id], today).final
        q, p, first = merged.get(product.id, (Decimal(0), price, i))
        merged[product.id] = (q + ln.quantity, p, first)
    lines = [OrderedLine(product_id=pid, sku=products[pid].sku, name=products[pid].name, quantity=q, unit_price=p,
                         list_price=Decimal(products[pid].price), discount=None)
             for pid, (q, p, _) in merged.items()]
    first_index = [first for _, (_, _, first) in merged.items()]
    expires = order_rules.expires_at(now_dt, int(shop.reservation_minutes))
    history = [StatusChange(status="placed", at=now, by=f"channel:{ch.id}")]
    status = "placed"
    if co.paid:
        status = "confirmed"
        history.append(StatusChange(status="confirmed", at=now, by=f"channel:{ch.id}"))
    phone = co.phone if co.phone and re.fullmatch(order_rules.E164_PATTERN, co.phone) else None
    order = Order(*order_key(org_id, order_id), id=order_id, org_id=org_id, handle=shop.handle, shop_name=shop.name,
                  customer_sub=None, customer_email=co.email, customer_name=co.name, phone=phone, sms_opt_in=False,
                  fulfilment="delivery", location_id=str(ch.location_id), address=co.address, lines=lines,
                  total=co.total if co.total is not None else order_rules.order_total(
                      (ln.quantity, ln.unit_price) for ln in lines),
                  currency=shop.currency, status=status, expires_at=expires, history=history,
                  payment_id=f"{ch.id}:{co.external_id}" if co.paid else None, paid_at=now if co.paid else None,
                  request_hash=_hash(co), channel_id=str(ch.id), external_id=co.external_id,
                  external_reference=co.reference, version=1, created_at=now, updated_at=now,
                  gsi1pk=customer_orders_index(org_id, co.email.lower()), gsi1sk=f"{now}#{order_id}",
                  gsi2pk=orders_index(org_id), gsi2sk=f"{now}#{order_id}",
                  gsi4pk=channel_orders_index(org_id, str(ch.id)), gsi4sk=f"{now}#{order_id}")
    if status == "placed":  # unpaid at the marketplace: it expires like a storefront order
        order.gsi3pk, order.gsi3sk = expiry_keys(org_id, order_id, expires)
    hold = ReservationIn.model_validate({
        "lines": [{"product_id": ln.product_id, "location_id": str(ch.location_id), "quantity": str(ln.quantity),
                   "price": str(ln.unit_price)} for ln in lines],
        "reference": f"shop:channel:{ch.id}:{co.external_id}"[:120]})

    def also(tx: Any) -> None:
        tx.save(order, condition=Order.pk.does_not_exist())
        if delivery is not None:
            tx.save(delivery, condition=ShopTable.pk.does_not_exist())

    try:
        held = ledger.reserve(org_id, reservation_id(order_id), hold, f"channel:{ch.id}", also=also)
    except ledger.CallerConditionFailed as exc:
        if exc.failed == [1]:
            raise _replay(ch) from None
        return _existing(ch, co, get_order(org_id, order_id), delivery)
    except Conflict as exc:
        field = exc.field or ""
        if field.startswith("lines.") and field.split(".")[1].isdigit():
            i = int(field.split(".")[1])
            rest = field.split(".", 2)[2]
            raise Conflict(exc.message, field=f"{co.field_prefix}.{first_index[i]}.{rest}", extra=exc.extra) from None
        raise
    if held.replayed:
        return _existing(ch, co, get_order(org_id, order_id), delivery)
    return Received(order, False)


# ----------------------------------------------------------------- the inbox
def _day_after(day: str) -> str:
    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def inbox(org_id: str, q: OrdersQuery) -> OrdersOut:
    """Every channel's orders, newest first: one channel's (the by_channel index) or all (by_time),
    within UTC days [start, end] as a key condition, optionally of one status."""
    if q.channel is None and q.start is None and q.end is None:
        return staff_orders(org_id, q.status, q.limit)
    for name in ("start", "end"):
        value = getattr(q, name)
        if value is not None:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise InvalidInput("a day such as 2026-11-30", field=name) from None
    if q.start and q.end and q.start > q.end:
        raise InvalidInput("the end is before the start", field="end")
    channel = q.channel
    if channel is not None and channel != rules.STOREFRONT:
        try:
            channel = str(uuid.UUID(channel))
        except ValueError:
            raise InvalidInput("a channel id (a UUID) or storefront", field="channel") from None
    lo, hi = q.start or "0000-01-01", _day_after(q.end) if q.end else "9999-12-31"
    cond = Order.status == q.status if q.status else None
    if channel is not None:
        items = Order.by_channel.query(channel_orders_index(org_id, channel), ShopTable.gsi4sk.between(lo, hi),
                                       scan_index_forward=False, filter_condition=cond,
                                       limit=q.limit if cond is None else None)
    else:
        items = Order.by_time.query(orders_index(org_id), ShopTable.gsi2sk.between(lo, hi), scan_index_forward=False,
                                    filter_condition=cond, limit=q.limit if cond is None else None)
    out = []
    for o in items:
        out.append(order_out(o))
        if len(out) >= q.limit:
            break
    return OrdersOut(items=out)
