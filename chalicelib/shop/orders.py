"""Orders: placing one reserves its stock in the inventory ledger's own transaction; statuses move
on (picking sells the reserved units, cancelling gives them back); an unpaid order's reservation
expires once; a signed payment confirmation confirms it.

The shop never writes the inventory table: `ledger.reserve`, `ledger.fulfil` and `ledger.release`
write the Reservation and the positions and take the order's own write (`also`) into the same
TransactWriteItems, so an order exists exactly when its stock is held, sold or released with it.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, get_args

from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from ..core import clock
from ..core.phones import e164
from ..core.db import find, get_or, save_if
from ..core.errors import Conflict, InvalidInput, NotFound
from ..core.money import fmt, fmt_quantity, fmt_unit_price
from ..inventory import catalogue, ledger
from ..inventory.schemas import ReservationIn
from .models import (
    Order,
    OrderedLine,
    channel_orders_index,
    Shop,
    StatusChange,
    customer_orders_index,
    expiry_index,
    expiry_keys,
    order_key,
    orders_index,
)
from .rules import orders as rules
from .rules import payments
from .schemas import OrderStatus, OrderOut, OrdersOut, PaymentIn, PaymentOut, PlaceOrderIn, ShopOrderLineOut, StatusChangeOut
from . import promotions
from .listings import listings_by_product
from .shops import shop_by_handle


@dataclass(frozen=True)
class Shopper:
    """Who places an order: a signed-in customer (sub, their account's email) or a guest (no sub)."""

    sub: str | None
    email: str
    name: str = ""


@dataclass(frozen=True)
class Placed:
    order: Order
    replayed: bool


def reservation_id(order_id: str) -> str:
    """The ledger reservation that holds an order's stock."""
    return f"shop-{order_id}"


def _hash(data: PlaceOrderIn, shopper: Shopper) -> str:
    body = data.model_dump(mode="json", exclude_none=True) | {"shopper": [shopper.sub, shopper.email.lower()]}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def find_order(org_id: str, order_id: str) -> Order | None:
    return find(Order, *order_key(org_id, order_id), consistent_read=True)


def get_order(org_id: str, order_id: str) -> Order:
    return get_or(Order, *order_key(org_id, order_id), lambda: NotFound("no such order", field="order_id"),
                  consistent_read=True)


def _same(existing: Order, digest: str) -> Placed:
    if existing.request_hash != digest:
        raise Conflict("this order id was used with a different order", field="order_id")
    return Placed(existing, True)


def _location(shop: Shop, data: PlaceOrderIn) -> str:
    if data.fulfilment == "pickup":
        if not data.location_id:
            raise InvalidInput("a pickup order names the store it is collected from", field="location_id")
        if data.location_id not in (shop.pickup_location_ids or []):
            raise NotFound("this shop has no such pickup store", field="location_id")
        return data.location_id
    if not shop.delivery_location_id:
        raise Conflict("this shop does not deliver", field="fulfilment")
    if not data.address.strip():
        raise InvalidInput("a delivery needs an address", field="address")
    if data.location_id and data.location_id != shop.delivery_location_id:
        raise InvalidInput("a delivery is sent from the shop's delivery location", field="location_id")
    return shop.delivery_location_id


def place_order(handle: str, data: PlaceOrderIn, shopper: Shopper) -> Placed:
    """Place an order once per client id: its stock is reserved in the same transaction (all lines or
    none; a line beyond what is available is 409 `lines.<i>.quantity`). The same id and body again
    returns the order (replayed); another body under it is 409 `order_id`."""
    shop = shop_by_handle(handle)
    org_id = shop.org_id
    data = data.model_copy(update={"order_id": str(uuid.UUID(data.order_id))})
    if data.phone:  # E.164 by libphonenumber (a plausible pattern is not a number): 400 `phone`, nothing written
        data = data.model_copy(update={"phone": e164(data.phone)})
    digest = _hash(data, shopper)
    existing = find_order(org_id, data.order_id)
    if existing is not None:
        return _same(existing, digest)
    location_id = _location(shop, data)
    merged = rules.merge_quantities((line.product_id, line.quantity) for line in data.lines)
    products = catalogue.products_by_id(org_id, {p for p, _ in merged})
    listed = listings_by_product(org_id, {p for p, _ in merged})
    at = clock.now()
    promos = promotions.live(org_id)
    coupon = promotions.coupon_for_order(org_id, data.coupon, promos, at) if data.coupon else None
    lines: list[OrderedLine] = []
    for i, (product_id, quantity) in enumerate(merged):
        product = products.get(product_id)
        listing = listed.get(product_id)
        if product is None or listing is None or not listing.published:
            raise NotFound("this shop sells no such product", field=f"lines.{i}.product_id")
        if product.currency != shop.currency:
            raise Conflict(f"this product is priced in {product.currency}, the shop in {shop.currency}",
                           field=f"lines.{i}.product_id")
        price = promotions.price_for(product, listing, promos, at, str(shop.time_zone or "UTC"),
                                     coupon.code if coupon else None)
        lines.append(OrderedLine(product_id=product_id, sku=product.sku, name=product.name, quantity=quantity,
                                 unit_price=price.final, list_price=price.price, discount=price.discount,
                                 net=quantity * price.final, category=listing.category,
                                 promotion_ids=list(price.promotions)))
    if coupon is not None and not any(coupon.promotion.covers(ln.product_id, ln.category) for ln in lines):
        raise Conflict("this coupon applies to nothing in this order", field="coupon")
    used = coupon if coupon is not None and any(coupon.promotion.id in (ln.promotion_ids or []) for ln in lines) \
        else None  # a better discount won on every line: the code is not spent
    now_dt = clock.now()
    now = now_dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    expires = rules.expires_at(now_dt, int(shop.reservation_minutes))
    who = shopper.sub or shopper.email.lower()
    order = Order(*order_key(org_id, data.order_id), id=data.order_id, org_id=org_id, handle=shop.handle,
                  shop_name=shop.name, customer_sub=shopper.sub, customer_email=shopper.email,
                  customer_name=data.name or shopper.name, phone=data.phone,
                  sms_opt_in=bool(data.sms_opt_in and data.phone),
                  sms_opt_in_at=now if data.sms_opt_in and data.phone else None,
                  sms_opt_in_source="checkout" if data.sms_opt_in and data.phone else None,
                  fulfilment=data.fulfilment, location_id=location_id,
                  address=data.address if data.fulfilment == "delivery" else "", lines=lines,
                  total=rules.order_total((ln.quantity, ln.unit_price) for ln in lines), currency=shop.currency,
                  status="placed", expires_at=expires, history=[StatusChange(status="placed", at=now, by="customer")],
                  request_hash=digest, coupon=used.code if used else None, version=1, created_at=now, updated_at=now,
                  gsi1pk=customer_orders_index(org_id, who), gsi1sk=f"{now}#{data.order_id}",
                  gsi2pk=orders_index(org_id), gsi2sk=f"{now}#{data.order_id}")
    order.gsi3pk, order.gsi3sk = expiry_keys(org_id, data.order_id, expires)
    order.gsi4pk, order.gsi4sk = channel_orders_index(org_id, "storefront"), f"{now}#{data.order_id}"  # the inbox's channel
    hold = ReservationIn.model_validate({
        "lines": [{"product_id": ln.product_id, "location_id": location_id, "quantity": str(ln.quantity),
                   "price": str(ln.unit_price)} for ln in lines],
        "reference": f"shop:order:{data.order_id}"})

    def also(tx: TransactWrite) -> None:
        tx.save(order, condition=Order.pk.does_not_exist())
        if used is not None:  # its uses counted in this transaction: never beyond the limit
            promotions.add_coupon_use(tx, org_id, used, data.order_id, who, now)

    try:
        held = ledger.reserve(org_id, reservation_id(data.order_id), hold, f"shop:{who}", also=also)
    except ledger.CallerConditionFailed as exc:
        if 0 not in exc.failed and used is not None:
            raise promotions.coupon_refused(exc.failed) from None
        return _same(get_order(org_id, data.order_id), digest)  # placed meanwhile by a retry of this request
    if held.replayed:  # the reservation exists: so does the order written with it
        return _same(get_order(org_id, data.order_id), digest)
    return Placed(order, False)


# ----------------------------------------------------------------- status changes
def _moved(order: Order, status: str, by: str, now: str, **changes: object) -> None:
    order.status = status
    order.history = [*(order.history or []), StatusChange(status=status, at=now, by=by)]
    order.version, order.updated_at = int(order.version) + 1, now
    if status != "placed":  # only a placed order waits to expire
        order.gsi3pk, order.gsi3sk = None, None
    for name, value in changes.items():
        setattr(order, name, value)


def _write_with_stock(order: Order, step: str, by: str, condition: Condition, reason: str = "cancelled") -> bool:
    """The order's change with its stock's: the ledger's fulfil or release takes the order's save into
    its transaction. False when the order's condition failed (it changed meanwhile)."""
    also: Callable[[TransactWrite], None] = lambda tx: tx.save(order, condition=condition)  # noqa: E731
    try:
        if step == "fulfil":
            held = ledger.fulfil(order.org_id, reservation_id(order.id), by, also=also)
        elif step == "release":
            held = ledger.release(order.org_id, reservation_id(order.id), by, reason, also=also)
        else:
            return save_if(order, condition)
    except ledger.CallerConditionFailed:
        return False
    if held.replayed:  # the stock was settled already (e.g. in the inventory screens): the order alone
        return save_if(order, condition)
    return True


def set_status(org_id: str, order_id: str, wanted: str, version: int, by: str) -> Order:
    """Move an order on (staff): at the version read (409 `version`), along its workflow (409
    `status`); picking sells its reserved units, cancelling a placed or confirmed order releases them."""
    order = get_order(org_id, order_id)
    if int(order.version) != version:
        raise Conflict("the order changed since you read it", field="version",
                       extra={"current": order_out(order).model_dump(mode="json")})
    current = str(order.status)
    rules.check_transition(str(order.fulfilment), current, wanted)
    step = rules.stock_step(current, wanted).action
    _moved(order, wanted, by, clock.iso_now(), **({"cancel_reason": "shop"} if wanted == "cancelled" else {}))
    if not _write_with_stock(order, step, by, Order.version == version):
        raise Conflict("the order changed since you read it", field="version")
    return order


def expire(org_id: str, order_id: str, now: str) -> bool:
    """Cancel an unpaid order whose time is up and release its stock, once (the order's status and
    version are the condition: a payment or a second run meanwhile wins). True when it expired now."""
    order = find_order(org_id, order_id)
    if order is None or not rules.is_expired(str(order.status), str(order.expires_at), now):
        return False
    read = int(order.version)
    _moved(order, "cancelled", "expiry", now, cancel_reason="expired")
    return _write_with_stock(order, "release", "shop:expiry", (Order.version == read) & (Order.status == "placed"),
                             reason="expired")


def expiring(shard: int, before: str) -> list[tuple[str, str]]:
    """(org, order) of unconfirmed orders whose reservation lapses before `before` (sparse by_due)."""
    out = []
    for o in Order.by_due.query(expiry_index(shard), Order.gsi3sk < before):
        out.append((str(o.org_id), str(o.id)))
    return out


# ----------------------------------------------------------------- payments
def confirm_payment(handle: str, raw_body: bytes, timestamp: str | None, signature: str | None,
                    parse: Callable[[], PaymentIn]) -> PaymentOut:
    """A payment provider's signed confirmation (rules.payments): a placed order becomes confirmed
    once; the amount and currency must be the order's (409 `amount`); a confirmation of an order
    confirmed already by the same payment answers `confirmed: false` and changes nothing."""
    shop = shop_by_handle(handle)
    payments.verify(shop.payment_secret, timestamp, signature, raw_body, int(clock.now().timestamp()))
    data = parse()
    order = find_order(shop.org_id, str(uuid.UUID(data.order_id)))
    if order is None:
        raise NotFound("no such order", field="order_id")
    if data.currency != order.currency or Decimal(data.amount) != Decimal(order.total):
        raise Conflict(f"the order's total is {fmt(order.total, order.currency)} {order.currency}", field="amount")
    if order.payment_id == data.payment_id:
        return PaymentOut(order_id=order.id, status=_status(order), confirmed=False)
    if order.status != "placed":
        raise Conflict(f"the order is {order.status}", field="status", extra={"status": str(order.status)})
    read = int(order.version)
    now = clock.iso_now()
    _moved(order, "confirmed", "payment", now, payment_id=data.payment_id, paid_at=now)
    if not save_if(order, (Order.version == read) & (Order.status == "placed")):
        raise Conflict("the order changed meanwhile; send the confirmation again", field="order_id")
    return PaymentOut(order_id=order.id, status="confirmed", confirmed=True)


# ----------------------------------------------------------------- lists and views
def staff_orders(org_id: str, status: str | None, limit: int) -> OrdersOut:
    """The shop's orders, newest first (by_time), optionally of one status."""
    cond = Order.status == status if status else None
    items = Order.by_time.query(orders_index(org_id), scan_index_forward=False, filter_condition=cond,
                                limit=limit if cond is None else None)
    out = []
    for o in items:
        out.append(order_out(o))
        if len(out) >= limit:
            break
    return OrdersOut(items=out)


def customer_orders(handle: str, sub: str, limit: int) -> OrdersOut:
    """A signed-in customer's orders at one shop, newest first (by_customer)."""
    shop = shop_by_handle(handle)
    items = Order.by_customer.query(customer_orders_index(shop.org_id, sub), scan_index_forward=False, limit=limit)
    return OrdersOut(items=[order_out(o) for o in items])


def customer_order(handle: str, sub: str, order_id: str) -> OrderOut:
    """One of the signed-in customer's orders (another's is 404 `order_id`)."""
    shop = shop_by_handle(handle)
    order = find_order(shop.org_id, order_id)
    if order is None or order.customer_sub != sub:
        raise NotFound("no such order", field="order_id")
    return order_out(order)


def _status(o: Order) -> OrderStatus:
    for s in get_args(OrderStatus):
        if s == o.status:
            return s
    raise ValueError(f"unknown order status {o.status!r}")


def _line_extra(ln: OrderedLine, cur: str) -> dict[str, Any]:
    """A line's net and promotions (lines placed before promotions existed have neither)."""
    extra: dict[str, Any] = {} if ln.net is None else {"net": fmt(ln.net, cur)}
    if ln.promotion_ids is not None:
        extra["promotions"] = [str(p) for p in ln.promotion_ids]
    return extra


def order_out(o: Order) -> OrderOut:
    cur = str(o.currency)
    return OrderOut(
        id=o.id, org_id=o.org_id, handle=o.handle, status=_status(o),
        fulfilment="delivery" if o.fulfilment == "delivery" else "pickup",
        location_id=o.location_id, address=o.address or "", customer_email=o.customer_email,
        customer_name=o.customer_name or "", guest=o.customer_sub is None, phone=o.phone,
        sms_opt_in=bool(o.sms_opt_in),
        lines=[ShopOrderLineOut(product_id=ln.product_id, sku=ln.sku or "", name=ln.name or "",
                                quantity=fmt_quantity(ln.quantity), unit_price=fmt_unit_price(ln.unit_price, cur),
                                list_price=None if ln.list_price is None else fmt_unit_price(ln.list_price, cur),
                                discount=None if ln.discount is None else fmt(ln.discount, cur),
                                **_line_extra(ln, cur))
               for ln in o.lines or []],
        total=fmt(o.total, cur), currency=cur, expires_at=o.expires_at if o.status == "placed" else None,
        cancel_reason=o.cancel_reason, payment_id=o.payment_id, paid_at=o.paid_at,
        history=[StatusChangeOut(status=h.status, at=h.at, by=h.by) for h in o.history or []],
        version=int(o.version), created_at=o.created_at, updated_at=o.updated_at, coupon=o.coupon,
        channel_id=o.channel_id or "storefront", external_id=o.external_id, external_reference=o.external_reference,
        next_statuses=[s for s in get_args(OrderStatus) if s in rules.allowed(str(o.fulfilment), _status(o))])
