"""Returns (issue 13 item 3) and a guest's way back to their order.

* A customer asks for a return of some of an order's lines, with a reason, within the shop's return
  window (`return_days` from delivered or collected): signed in (their own order) or as a guest with
  the order's signed token (from the order lookup or a link in the order's emails). The Return and the
  order's returned quantities (`ReturnedQuantities`, at its version) are one transaction, so a line's
  units are never returned twice over, even by simultaneous requests.
* Staff receive it, then settle it: each line restocked (the ledger's `record_movement` with kind
  `return`, id `uuid5(return, product)`, at the sale's FIFO unit cost, where the order left from) or
  scrapped (damaged, defective: no stock back), and the refund recorded (at most what the lines cost).
  The Return is saved first at its version, then its movements are recorded; the shop stream records
  them again from the refunded Return's image (a replay of the same ids writes nothing), so a
  movement that failed after the save is still recorded, once.
* Order lookup: a guest's order number + email finds their order (one Query of that email's orders;
  any mismatch is the same 404, so it tells nothing about other orders) and answers its token.
* Insights: the return rate per product from the shop stream's rollups (units delivered or collected,
  units returned), one BatchGetItem.
"""
from __future__ import annotations

import hashlib
import json
import random
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from pynamodb.exceptions import TransactWriteError

from ..core import clock
from ..core.alert_rules import firing_id
from ..core.alerts import outbox_message
from ..core.db import conflicted, failed_actions, find, get_or, save_if, transaction
from ..core.errors import Conflict, InvalidInput, NotFound, TallyError
from ..core.keys import org_key, org_pk
from ..core.models import OutboxMessage
from ..core.money import CURRENCY_MINOR_UNITS, fmt, fmt_quantity, fmt_unit_price
from ..core.rollups import Contribution, RollupKey, read_rollups
from ..inventory import catalogue, ledger
from ..inventory.schemas import MovementIn
from .listings import all_listings
from .models import (
    Order,
    Return,
    ReturnedLine,
    ReturnedQuantities,
    Shop,
    StatusChange,
    customer_orders_index,
    order_returns_index,
    return_key,
    returned_key,
    returns_index,
    shop_key,
)
from .orders import find_order, order_out, reservation_id
from .rules import returns as rules
from .schemas import (
    OrderViewOut,
    ProductReturnsOut,
    ReturnableLineOut,
    ReturnedLineOut,
    ReturnOut,
    GuestReturnRequestIn,
    ReturnRequestIn,
    ReturnResolveIn,
    ReturnsOut,
    ReturnStatus,
    ShopInsightsOut,
    StatusChangeOut,
)
from .shops import shop_by_handle, storefront_link

MAX_ATTEMPTS = 25  # a lost race on the order's returned quantities re-reads and tries again
LOOKUP_ORDERS = 100  # a guest's newest orders at one shop that a lookup looks through
RETURN_NAMESPACE = uuid.UUID("5b0f3c8e-7a51-4f57-9d4e-2f1b6f0c9a31")
ZERO = Decimal(0)


def _backoff(attempt: int) -> None:
    """Jittered, so simultaneous requests that lost the same race do not meet again."""
    time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** attempt)))


@dataclass(frozen=True)
class Asked:
    ret: Return
    replayed: bool


# ----------------------------------------------------------------- tokens and links
def token_for(shop: Shop, order_id: str) -> str:
    return rules.order_token(rules.link_key(shop.payment_secret), shop.handle, order_id, int(clock.now().timestamp()))


def order_link(shop: Shop, order_id: str) -> str:
    """The storefront's order page with the order's token: what the customer's emails link to."""
    return storefront_link(shop.handle, f"/order?id={order_id}&t={quote(token_for(shop, order_id))}")


def _guest_order(shop: Shop, order_id: str, token: str | None) -> Order:
    rules.check_token(rules.link_key(shop.payment_secret), shop.handle, order_id, token, int(clock.now().timestamp()))
    order = find_order(shop.org_id, order_id)
    if order is None:
        raise NotFound("no such order", field="order_id")
    return order


def _own_order(shop: Shop, sub: str, order_id: str) -> Order:
    order = find_order(shop.org_id, order_id)
    if order is None or order.customer_sub != sub:
        raise NotFound("no such order", field="order_id")
    return order


# ----------------------------------------------------------------- the customer's view
def _returned(org_id: str, order_id: str) -> ReturnedQuantities | None:
    return find(ReturnedQuantities, *returned_key(org_id, order_id), consistent_read=True)


def _bought(order: Order) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for ln in order.lines or []:
        out[str(ln.product_id)] = out.get(str(ln.product_id), ZERO) + Decimal(ln.quantity)
    return out


def order_returns(org_id: str, order_id: str) -> list[Return]:
    """An order's returns, oldest first (one Query of its by_customer partition)."""
    return list(Return.by_customer.query(order_returns_index(org_id, order_id)))


def order_view(shop: Shop, order: Order) -> OrderViewOut:
    """The order as its customer sees it, with its returns, what can still be returned and until when."""
    tally = _returned(shop.org_id, order.id)
    bought = _bought(order)
    left = rules.returnable(bought, dict(tally.quantities) if tally else {})
    names = {str(ln.product_id): str(ln.name or ln.sku or ln.product_id) for ln in order.lines or []}
    handed = rules.handed_over_at((h.status, h.at) for h in order.history or [])
    until = rules.return_by(handed, int(shop.return_days))
    open_now = until is not None and clock.iso_now() <= until
    return OrderViewOut(
        order=order_out(order), order_number=rules.order_number(order.id),
        returns=[return_out(r) for r in order_returns(shop.org_id, order.id)], return_by=until,
        returnable=[ReturnableLineOut(product_id=p, name=names[p], bought=fmt_quantity(q),
                                      returnable=fmt_quantity(left[p] if open_now else ZERO))
                    for p, q in bought.items()],
        token=token_for(shop, order.id))


def guest_view(handle: str, order_id: str, token: str) -> OrderViewOut:
    shop = shop_by_handle(handle)
    return order_view(shop, _guest_order(shop, order_id, token))


def customer_view(handle: str, sub: str, order_id: str) -> OrderViewOut:
    shop = shop_by_handle(handle)
    return order_view(shop, _own_order(shop, sub, order_id))


def lookup(handle: str, number: str, email: str) -> OrderViewOut:
    """A guest's order by its number and email: one Query of the orders placed under that email at this
    shop. A wrong number, a wrong email and an order placed under an account all answer the same 404
    `order_number`, and every lookup costs the same one Query (nothing to learn from timing)."""
    shop = shop_by_handle(handle)
    found = None
    for o in Order.by_customer.query(customer_orders_index(shop.org_id, email.lower()), scan_index_forward=False,
                                     limit=LOOKUP_ORDERS):
        if found is None and o.customer_sub is None and rules.matches_number(str(o.id), number) \
                and str(o.customer_email).lower() == email.lower():
            found = o
    if found is None:
        raise NotFound("no order with this number and email", field="order_number")
    return order_view(shop, found)


# ----------------------------------------------------------------- asking for a return
def _hash(data: ReturnRequestIn, who: str) -> str:
    body = data.model_dump(mode="json", exclude_none=True, exclude={"token"}) | {"who": who}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _same(existing: Return, digest: str, order_id: str) -> Asked:
    if existing.request_hash != digest or existing.order_id != order_id:
        raise Conflict("this return id was used with a different return", field="return_id")
    return Asked(existing, True)


def find_return(org_id: str, return_id: str) -> Return | None:
    return find(Return, *return_key(org_id, return_id), consistent_read=True)


def get_return(org_id: str, return_id: str) -> Return:
    return get_or(Return, *return_key(org_id, return_id), lambda: NotFound("no such return", field="return_id"),
                  consistent_read=True)


def _tally_write(tally: ReturnedQuantities | None, org_id: str, order_id: str,
                 quantities: dict[str, Decimal]) -> tuple[ReturnedQuantities, Any]:
    """The order's returned quantities as they become, and the condition they are written on (the
    version read, or not existing yet)."""
    if tally is None:
        item = ReturnedQuantities(*returned_key(org_id, order_id), org_id=org_id, order_id=order_id,
                                  quantities=quantities, version=1)
        return item, ReturnedQuantities.pk.does_not_exist()
    read = int(tally.version)
    item = ReturnedQuantities(*returned_key(org_id, order_id), org_id=org_id, order_id=order_id,
                              quantities=quantities, version=read + 1)
    return item, ReturnedQuantities.version == read


def request_return(handle: str, data: ReturnRequestIn, sub: str | None) -> Asked:
    """Ask for a return once per client id (the same id and body again: the return as it is; another
    body: 409 `return_id`). Outside the window: 409 `order_id`; more than is left of a line: 409
    `lines.<i>.quantity` with `returnable`. Nothing is written unless everything holds."""
    shop = shop_by_handle(handle)
    org_id = shop.org_id
    order_id, return_id = str(uuid.UUID(data.order_id)), str(uuid.UUID(data.return_id))
    if sub is None:
        if not isinstance(data, GuestReturnRequestIn):
            raise InvalidInput("a guest's return needs the order's token (from the order lookup or its emails)",
                               field="token")
        order = _guest_order(shop, order_id, data.token)
    else:
        order = _own_order(shop, sub, order_id)
    digest = _hash(data.model_copy(update={"order_id": order_id, "return_id": return_id}), sub or "guest")
    existing = find_return(org_id, return_id)
    if existing is not None:
        return _same(existing, digest, order_id)
    now = clock.iso_now()
    rules.check_window(str(order.status), rules.handed_over_at((h.status, h.at) for h in order.history or []),
                       int(shop.return_days), now)
    bought = _bought(order)
    wanted = [(ln.product_id, ln.quantity) for ln in data.lines]
    paid = {str(ln.product_id): (ln, Decimal(ln.unit_price)) for ln in order.lines or []}
    for attempt in range(MAX_ATTEMPTS):
        tally = _returned(org_id, order_id)
        after = rules.check_lines(bought, dict(tally.quantities) if tally else {}, wanted)
        ret = Return(*return_key(org_id, return_id), id=return_id, org_id=org_id, order_id=order_id,
                     handle=shop.handle, shop_name=shop.name, customer_sub=order.customer_sub,
                     customer_email=order.customer_email, customer_name=order.customer_name or "",
                     location_id=order.location_id, reason=data.reason, note=data.note,
                     lines=[ReturnedLine(product_id=p, sku=paid[p][0].sku or "", name=paid[p][0].name or "",
                                         quantity=q, unit_price=paid[p][1]) for p, q in wanted],
                     currency=order.currency, status="requested",
                     history=[StatusChange(status="requested", at=now, by="customer")], request_hash=digest,
                     version=1, created_at=now, updated_at=now,
                     gsi1pk=order_returns_index(org_id, order_id), gsi1sk=f"{now}#{return_id}",
                     gsi2pk=returns_index(org_id), gsi2sk=f"{now}#{return_id}")
        item, cond = _tally_write(tally, org_id, order_id, after)
        try:
            with transaction() as tx:
                tx.save(ret, condition=Return.pk.does_not_exist())
                tx.save(item, condition=cond)
            return Asked(ret, False)
        except TransactWriteError as exc:
            if not conflicted(exc):
                raise
            if 0 in failed_actions(exc):  # asked meanwhile by a retry of this request
                return _same(get_return(org_id, return_id), digest, order_id)
        _backoff(attempt)
    raise Conflict("the order's returns kept changing; send it again", field="lines")


# ----------------------------------------------------------------- staff steps
def _moved(ret: Return, status: str, by: str, now: str) -> None:
    ret.status = status
    ret.history = [*(ret.history or []), StatusChange(status=status, at=now, by=by)]
    ret.version, ret.updated_at = int(ret.version) + 1, now


def _at_version(org_id: str, return_id: str, version: int, wanted: str) -> Return:
    ret = get_return(org_id, return_id)
    if int(ret.version) != version:
        raise Conflict("the return changed since you read it", field="version",
                       extra={"current": return_out(ret).model_dump(mode="json")})
    rules.check_transition(str(ret.status), wanted)
    return ret


def _stale() -> TallyError:
    return Conflict("the return changed since you read it", field="version")


def receive(org_id: str, return_id: str, version: int, by: str, note: str = "") -> Return:
    """The items are back at the shop (requested → received), at the version read."""
    ret = _at_version(org_id, return_id, version, "received")
    _moved(ret, "received", by, clock.iso_now())
    if note:
        ret.staff_note = note
    save_if(ret, Return.version == version, otherwise=_stale)
    return ret


def reject(org_id: str, return_id: str, version: int, by: str, note: str) -> Return:
    """Refuse a return (requested or received): its units may be asked for again, so the order's
    returned quantities give them back in the same transaction."""
    ret = _at_version(org_id, return_id, version, "rejected")
    _moved(ret, "rejected", by, clock.iso_now())
    ret.staff_note = note
    for attempt in range(MAX_ATTEMPTS):
        tally = _returned(org_id, str(ret.order_id))
        left = dict(tally.quantities) if tally else {}
        for ln in ret.lines or []:
            left[str(ln.product_id)] = max(ZERO, left.get(str(ln.product_id), ZERO) - Decimal(ln.quantity))
        item, cond = _tally_write(tally, org_id, str(ret.order_id), left)
        try:
            with transaction() as tx:
                tx.save(ret, condition=Return.version == version)
                tx.save(item, condition=cond)
            return ret
        except TransactWriteError as exc:
            if not conflicted(exc):
                raise
            if 0 in failed_actions(exc):
                raise _stale() from None
        _backoff(attempt)
    raise Conflict("the order's returns kept changing; send it again", field="version")


def movement_id(return_id: str, product_id: str) -> str:
    """The ledger return movement of one restocked line (deterministic: recorded once)."""
    return str(uuid.uuid5(RETURN_NAMESPACE, f"{return_id}|{product_id}"))


def resolve(org_id: str, return_id: str, data: ReturnResolveIn, by: str) -> Return:
    """Settle a received return (→ refunded): every line restocked or scrapped, the refund recorded (at
    most what its lines cost: 409 `refund`). Checked in full before anything is written; the Return is
    saved at the version read, then each restocked line's return movement is recorded."""
    ret = _at_version(org_id, return_id, data.version, "refunded")
    lines = [str(ln.product_id) for ln in ret.lines or []]
    decided = rules.check_outcomes(lines, [rules.Outcome(o.product_id, o.outcome, o.reason) for o in data.lines])
    refund = Decimal(data.refund)
    cur = str(ret.currency)
    if refund != refund.quantize(Decimal(1).scaleb(-_minor_units(cur))):
        raise InvalidInput(f"{cur} has {_minor_units(cur)} decimals", field="refund")
    rules.check_refund(refund, rules.max_refund((Decimal(ln.quantity), Decimal(ln.unit_price))
                                                for ln in ret.lines or []), cur)
    for ln in ret.lines or []:
        o = decided[str(ln.product_id)]
        ln.outcome, ln.scrap_reason = o.outcome, o.reason
        ln.movement_id = movement_id(ret.id, str(ln.product_id)) if o.outcome == "restock" else None
    ret.refund = refund
    if data.note:
        ret.staff_note = data.note
    _moved(ret, "refunded", by, clock.iso_now())
    save_if(ret, Return.version == data.version, otherwise=_stale)
    restock(ret)
    return ret


def _minor_units(currency: str) -> int:
    return CURRENCY_MINOR_UNITS.get(currency, 2)


def restock(ret: Return) -> int:
    """Record the return movement of each restocked line of a refunded return (ids `movement_id`):
    its units back on hand where the order left from, at the unit cost its sale took (FIFO). A replay
    writes nothing. Returns how many were recorded now."""
    if ret.status != "refunded":
        return 0
    recorded = 0
    for ln in ret.lines or []:
        if ln.outcome != "restock" or not ln.movement_id:
            continue
        sale_id = ledger.fulfilment_sale_id(reservation_id(str(ret.order_id)), str(ln.product_id), str(ret.location_id))
        unit_cost = None
        try:
            sale = ledger.get_movement(str(ret.org_id), sale_id)
            if Decimal(sale.quantity or 0) > 0:
                unit_cost = (Decimal(sale.cost or 0) / Decimal(sale.quantity)).quantize(Decimal("0.0001"))
        except NotFound:
            pass  # the order's units were sold otherwise: the ledger costs the return itself
        data = MovementIn.model_validate({
            "kind": "return", "product_id": str(ln.product_id), "location_id": str(ret.location_id),
            "quantity": fmt_quantity(ln.quantity), "unit_cost": None if unit_cost is None else f"{unit_cost:f}",
            "note": f"shop return {rules.order_number(ret.id)} of order {rules.order_number(ret.order_id)}"})
        done = ledger.record_movement(str(ret.org_id), "shop:returns", str(ln.movement_id), data)
        recorded += 0 if done.replayed else 1
    return recorded


# ----------------------------------------------------------------- lists and views
def staff_returns(org_id: str, status: str | None, limit: int) -> ReturnsOut:
    """The shop's returns, newest first (by_time), optionally of one status."""
    cond = Return.status == status if status else None
    out = []
    for r in Return.by_time.query(returns_index(org_id), scan_index_forward=False, filter_condition=cond,
                                  limit=limit if cond is None else None):
        out.append(return_out(r))
        if len(out) >= limit:
            break
    return ReturnsOut(items=out)


def _status(r: Return) -> ReturnStatus:
    for s in ("requested", "received", "refunded", "rejected"):
        if s == r.status:
            return s
    raise ValueError(f"unknown return status {r.status!r}")


def return_out(r: Return) -> ReturnOut:
    cur = str(r.currency)
    ceiling = rules.max_refund((Decimal(ln.quantity), Decimal(ln.unit_price)) for ln in r.lines or [])
    return ReturnOut(
        id=r.id, org_id=r.org_id, order_id=r.order_id, order_number=rules.order_number(r.order_id), handle=r.handle,
        status=_status(r), customer_email=r.customer_email, customer_name=r.customer_name or "",
        guest=r.customer_sub is None, location_id=r.location_id, reason=r.reason, note=r.note or "",
        lines=[ReturnedLineOut(product_id=ln.product_id, sku=ln.sku or "", name=ln.name or "",
                               quantity=fmt_quantity(ln.quantity), unit_price=fmt_unit_price(ln.unit_price, cur),
                               outcome=ln.outcome, scrap_reason=ln.scrap_reason, movement_id=ln.movement_id)
               for ln in r.lines or []],
        currency=cur, max_refund=fmt(ceiling, cur), refund=None if r.refund is None else fmt(r.refund, cur),
        staff_note=r.staff_note or "", history=[StatusChangeOut(status=h.status, at=h.at, by=h.by) for h in r.history or []],
        version=int(r.version), created_at=r.created_at, updated_at=r.updated_at)


# ----------------------------------------------------------------- stream: emails, rollups, restock
Image = dict[str, Any]


def is_return(image: Image | None) -> bool:
    return bool(image) and (image or {}).get("sk") == "RETURN"


def _shop_of(org_id: str) -> Shop | None:
    return find(Shop, *shop_key(org_id))


def return_emails(old: Image | None, new: Image | None) -> list[OutboxMessage]:
    """The customer's email on each status a return reaches (requested included), once per status."""
    if new is None or (old is not None and old.get("status") == new.get("status")):
        return []
    org_id, rid, status = str(new["org_id"]), str(new["id"]), str(new["status"])
    shop = _shop_of(org_id)
    lines = tuple((str(ln.get("name") or ln.get("sku") or ln.get("product_id")), Decimal(str(ln["quantity"])),
                   ln.get("outcome")) for ln in new.get("lines") or [])
    view = rules.ReturnView(id=rid, order_id=str(new["order_id"]), shop_name=str(new.get("shop_name") or "Shop"),
                            customer_name=str(new.get("customer_name") or "there"), status=status, lines=lines,
                            refund=Decimal(str(new["refund"])) if new.get("refund") is not None else None,
                            currency=str(new["currency"]),
                            note=str(new.get("staff_note") or "") if status == "rejected" else "",
                            link=order_link(shop, str(new["order_id"])) if shop is not None else None)
    subject, text, html = rules.return_email(view)
    return [outbox_message(
        id=firing_id("shop", org_id, rid, "return", status), scope=org_pk(org_id),
        recipient=str(new["customer_email"]), alert_type="shop", rule=f"return:{status}", threshold=status,
        period=str(new.get("updated_at") or "")[:10], value=view.refund or ZERO, subject=subject, text=text, html=html,
        details={"org_id": org_id, "order_id": view.order_id, "return_id": rid, "status": status, "channel": "email"})]


def with_order_link(new: Image | None, messages: list[OutboxMessage]) -> list[OutboxMessage]:
    """An order email with the link to the order's page (its status; a return request once delivered or
    collected), signed for that order."""
    if not messages or not new:
        return messages
    shop = _shop_of(str(new["org_id"]))
    if shop is None:
        return messages
    link = order_link(shop, str(new["id"]))
    for m in messages:
        m.text = f"{m.text}\nYour order: {link}\n"
        m.html = f'{m.html}<p><a href="{link}">Your order</a></p>'
    return messages


def rollup_scope(org_id: str) -> str:
    return org_key(org_id, "SHOP", "RETURNS")


ALL = "#ALL"


def contribution(event_id: str, sequence: str, old: Image | None, new: Image | None) -> Contribution | None:
    """What an order or return record adds to the return-rate rollups (units handed over per product,
    units requested, returned, restocked, scrapped; refunds per currency), None when nothing."""
    img = new or old or {}
    org_id = str(img.get("org_id", ""))
    if not org_id:
        return None
    c = Contribution(event_id, sequence)
    scope = rollup_scope(org_id)
    if img.get("sk") == "ORDER":
        for p, q in rules.sold_deltas(old, new).items():
            c.add((scope, p), "sold", q)
            c.add((scope, ALL), "sold", q)
    elif is_return(img):
        for p, row in rules.returned_deltas(old, new).items():
            for name, q in row.items():
                c.add((scope, p), name, q)
                c.add((scope, ALL), name, q)
        was = old is not None and old.get("status") == "refunded"
        now = new is not None and new.get("status") == "refunded"
        if now != was:
            src = (new if now else old) or {}
            c.add((scope, ALL), f"refunded#{src['currency']}", Decimal(str(src.get("refund") or 0)) * (1 if now else -1))
            c.add((scope, ALL), "returns", Decimal(1 if now else -1))
    c.prune()
    return c if c.deltas else None


def restock_from_image(new: Image | None) -> int:
    """A refunded return's restocked lines recorded in the ledger (again: a replay writes nothing)."""
    if not new or new.get("status") != "refunded":
        return 0
    ret = find_return(str(new["org_id"]), str(new["id"]))
    return restock(ret) if ret is not None else 0


def insights(org_id: str) -> ShopInsightsOut:
    """The return rate of each listed product and of the shop (rollups: one BatchGetItem)."""
    products = [str(li.product_id) for li in all_listings(org_id)]
    scope = rollup_scope(org_id)
    keys: list[RollupKey] = [(scope, ALL), *((scope, p) for p in products)]
    totals = read_rollups(keys)
    found = catalogue.products_by_id(org_id, set(products)) if products else {}
    names: dict[str, str] = {p: str(prod.name) for p, prod in found.items()}

    def q(row: dict[str, Decimal], name: str) -> Decimal:
        return row.get(name, ZERO)

    def rate(row: dict[str, Decimal]) -> str | None:
        r = rules.return_rate(q(row, "sold"), q(row, "returned"))
        return None if r is None else f"{r:f}"

    rows = []
    for p in sorted(products, key=lambda pid: str(names.get(pid, pid)).lower()):
        row = totals.get((scope, p), {})
        rows.append(ProductReturnsOut(product_id=p, name=names.get(p, p), sold=fmt_quantity(q(row, "sold")),
                                      requested=fmt_quantity(q(row, "requested")),
                                      returned=fmt_quantity(q(row, "returned")),
                                      restocked=fmt_quantity(q(row, "restocked")),
                                      scrapped=fmt_quantity(q(row, "scrapped")), return_rate=rate(row)))
    whole = totals.get((scope, ALL), {})
    refunded = {k.split("#", 1)[1]: fmt(v, k.split("#", 1)[1]) for k, v in whole.items() if k.startswith("refunded#")}
    return ShopInsightsOut(products=rows, sold=fmt_quantity(q(whole, "sold")), returned=fmt_quantity(q(whole, "returned")),
                           return_rate=rate(whole), refunded=refunded)
