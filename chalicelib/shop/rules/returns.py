"""Returns, pure: the return window, how much of each line may still be returned, the workflow
(requested → received → refunded, or requested → rejected), what each resolution does to stock, the
refund's ceiling, the customer's emails, the signed order link a guest uses, and the rollup deltas
behind the return rate per product.

A return is for an order delivered or collected, within the shop's `return_days` from that moment.
Each line's quantity can be returned once: the quantities asked for in returns not rejected never
exceed what was bought (`returnable`).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from html import escape
from typing import Any

from ...core.errors import Conflict, InvalidInput, NotFound
from ...core.money import fmt

ZERO = Decimal(0)
STATUSES = ("requested", "received", "refunded", "rejected")
TRANSITIONS: dict[str, frozenset[str]] = {
    "requested": frozenset({"received", "rejected"}),
    "received": frozenset({"refunded", "rejected"}),
}
REASONS = ("damaged", "defective", "wrong_item", "not_as_described", "no_longer_needed", "other")
OUTCOMES = ("restock", "scrap")
SCRAP_REASONS = ("damaged", "defective")
DONE = ("delivered", "collected")  # the statuses a return window counts from
DEFAULT_RETURN_DAYS, MAX_RETURN_DAYS = 30, 365
LINK_DAYS = 120  # how long a signed order link stays good: beyond any return window's end in practice


# ----------------------------------------------------------------- the window
def handed_over_at(history: Iterable[tuple[str, str]]) -> str | None:
    """When the order was delivered or collected (its history's last such entry), else None."""
    at = None
    for status, when in history:
        if status in DONE:
            at = when
    return at


def return_by(handed_over: str | None, days: int) -> str | None:
    """The last moment a return can be asked for (ISO, UTC), None when the order is not handed over
    yet or the shop takes no returns (0 days)."""
    if handed_over is None or days <= 0:
        return None
    start = datetime.fromisoformat(handed_over.replace("Z", "+00:00"))
    return (start + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def check_window(status: str, handed_over: str | None, days: int, now_iso: str) -> None:
    """Refuse a return outside the window (409 `order_id`)."""
    if status not in DONE or handed_over is None:
        raise Conflict(f"a {status} order cannot be returned: returns start once it is delivered or collected",
                       field="order_id", extra={"status": status})
    until = return_by(handed_over, days)
    if until is None:
        raise Conflict("this shop takes no returns", field="order_id")
    if now_iso > until:
        raise Conflict(f"the return window closed on {until[:10]}", field="order_id", extra={"return_by": until})


# ----------------------------------------------------------------- quantities
def returnable(bought: Mapping[str, Decimal], asked: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Per product, what may still be returned: bought minus what returns not rejected asked for."""
    return {p: max(ZERO, q - asked.get(p, ZERO)) for p, q in bought.items()}


def check_lines(bought: Mapping[str, Decimal], asked: Mapping[str, Decimal],
                wanted: list[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """The quantities asked for after this return (product → quantity). A product not on the order is
    404 `lines.<i>.product_id`; a product named twice is 400; more than is left to return is 409
    `lines.<i>.quantity` with `returnable`."""
    left = returnable(bought, asked)
    seen: set[str] = set()
    after = dict(asked)
    for i, (product_id, quantity) in enumerate(wanted):
        if product_id not in bought:
            raise NotFound("this order has no such product", field=f"lines.{i}.product_id")
        if product_id in seen:
            raise InvalidInput("name each product once", field=f"lines.{i}.product_id")
        seen.add(product_id)
        if quantity <= 0:
            raise InvalidInput("more than 0", field=f"lines.{i}.quantity")
        if quantity > left[product_id]:
            raise Conflict(f"only {left[product_id].normalize():f} of this line can still be returned",
                           field=f"lines.{i}.quantity", extra={"returnable": f"{left[product_id].normalize():f}"})
        after[product_id] = after.get(product_id, ZERO) + quantity
    return after


# ----------------------------------------------------------------- the workflow
def check_transition(current: str, wanted: str) -> None:
    options = TRANSITIONS.get(current, frozenset())
    if wanted not in options:
        allowed = ", ".join(sorted(options)) or "none"
        raise Conflict(f"a {current} return cannot become {wanted} (allowed: {allowed})", field="status",
                       extra={"status": current})


@dataclass(frozen=True)
class Outcome:
    product_id: str
    outcome: str  # restock | scrap
    reason: str | None  # a scrap's: damaged | defective


def check_outcomes(lines: list[str], outcomes: list[Outcome]) -> dict[str, Outcome]:
    """Every returned line decided once: restock (back to stock) or scrap (no stock back, with the
    reason damaged or defective). Errors name `lines.<i>...`."""
    by_product: dict[str, Outcome] = {}
    for i, o in enumerate(outcomes):
        if o.product_id not in lines:
            raise NotFound("this return has no such product", field=f"lines.{i}.product_id")
        if o.product_id in by_product:
            raise InvalidInput("decide each product once", field=f"lines.{i}.product_id")
        if o.outcome == "scrap" and o.reason not in SCRAP_REASONS:
            raise InvalidInput("a scrap says why: damaged or defective", field=f"lines.{i}.reason")
        if o.outcome == "restock" and o.reason is not None:
            raise InvalidInput("a restocked line has no scrap reason", field=f"lines.{i}.reason")
        by_product[o.product_id] = o
    for p in lines:
        if p not in by_product:
            raise InvalidInput(f"decide every returned line: {p} is missing", field="lines")
    return by_product


def max_refund(lines: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """What the returned lines cost the customer: Σ quantity × unit price paid (after discount)."""
    return sum((q * p for q, p in lines), ZERO)


def check_refund(amount: Decimal, ceiling: Decimal, currency: str) -> None:
    if amount < 0:
        raise InvalidInput("a refund is 0 or more", field="refund")
    if amount > ceiling:
        raise Conflict(f"at most {fmt(ceiling, currency)} {currency}: what the returned lines cost",
                       field="refund", extra={"max_refund": fmt(ceiling, currency)})


# ----------------------------------------------------------------- signed order links
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# v1.<expires, epoch seconds>.<signature, base64url of HMAC-SHA256>
TOKEN_PATTERN = r"^v1\.[0-9]{10}\.[A-Za-z0-9_-]{43}$"
_TOKEN = re.compile(TOKEN_PATTERN)


def link_key(shop_secret: str) -> bytes:
    """The order links' key, derived from the shop's secret (so no key is stored twice); it is never
    the payment webhook's key itself."""
    return hmac.new(shop_secret.encode(), b"tally-shop-order-links", hashlib.sha256).digest()


def _mac(key: bytes, handle: str, order_id: str, expires: int) -> str:
    msg = f"{handle}|{order_id}|{expires}".encode()
    return base64.urlsafe_b64encode(hmac.new(key, msg, hashlib.sha256).digest()).rstrip(b"=").decode()


def order_token(key: bytes, handle: str, order_id: str, now_epoch: int, days: int = LINK_DAYS) -> str:
    """A token that opens one order of one shop (its status, a return request) until it expires."""
    expires = now_epoch + days * 86400
    return f"v1.{expires}.{_mac(key, handle, order_id, expires)}"


def check_token(key: bytes, handle: str, order_id: str, token: str | None, now_epoch: int) -> None:
    """A forged, altered, foreign or expired token is 404 `order_id` (the same answer as an order that
    does not exist: a token tells nothing about other orders)."""
    m = _TOKEN.match(token or "")
    if not m or not re.fullmatch(_UUID, order_id):
        raise NotFound("no such order", field="order_id")
    expires = int((token or "").split(".")[1])
    if not hmac.compare_digest(_mac(key, handle, order_id, expires), (token or "").split(".")[2]) \
            or expires < now_epoch:
        raise NotFound("no such order", field="order_id")


def order_number(order_id: str) -> str:
    """The number the customer sees (emails, receipts): the order id's first 8 characters, upper case."""
    return order_id[:8].upper()


def matches_number(order_id: str, number: str) -> bool:
    """An order number (8 characters) or the whole id names this order (case and a leading # ignored)."""
    n = number.strip().lower().lstrip("#")
    return (len(n) == 8 and order_id.lower().startswith(n)) or n == order_id.lower()


# ----------------------------------------------------------------- emails
@dataclass(frozen=True)
class ReturnView:
    id: str
    order_id: str
    shop_name: str
    customer_name: str
    status: str
    lines: tuple[tuple[str, Decimal, str | None], ...]  # (name, quantity, outcome)
    refund: Decimal | None
    currency: str
    note: str = ""
    link: str | None = None


SAYS = {
    "requested": "We have your return request {ref} for order {order}. Bring or send the items back to us.",
    "received": "We have received the items of return {ref} (order {order}) and are checking them.",
    "refunded": "Return {ref} (order {order}) is settled: we refund {refund}.",
    "rejected": "We cannot accept return {ref} (order {order}).",
}


def return_email(v: ReturnView) -> tuple[str, str, str]:
    """(subject, text, html) telling the customer where their return stands."""
    ref, order = v.id[:8].upper(), order_number(v.order_id)
    refund = f"{fmt(v.refund, v.currency)} {v.currency}" if v.refund is not None else ""
    line = SAYS[v.status].format(ref=ref, order=order, refund=refund)
    if v.note:
        line += f" {v.note}"
    items = "\n".join(f"  {q.normalize():f} × {name}" + (f" ({o})" if o else "") for name, q, o in v.lines)
    subject = f"{v.shop_name}: return {ref} {v.status}"
    follow = f"\nFollow it here: {v.link}\n" if v.link else ""
    text = f"Hello {v.customer_name},\n\n{line}\n\n{items}\n{follow}\n{v.shop_name}\n"
    rows = "".join(f"<li>{escape(f'{q.normalize():f}')} × {escape(name)}{escape(f' ({o})' if o else '')}</li>"
                   for name, q, o in v.lines)
    link = f'<p><a href="{escape(v.link)}">Follow your return</a></p>' if v.link else ""
    html = (f"<p>Hello {escape(v.customer_name)},</p><p>{escape(line)}</p><ul>{rows}</ul>{link}"
            f"<p>{escape(v.shop_name)}</p>")
    return subject, text, html


# ----------------------------------------------------------------- rollup deltas (return rate)
def _units(image: Mapping[str, Any] | None) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for ln in (image or {}).get("lines") or []:
        out[str(ln["product_id"])] = out.get(str(ln["product_id"]), ZERO) + Decimal(str(ln["quantity"]))
    return out


def sold_deltas(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> dict[str, Decimal]:
    """Units handed over per product: an order counts when it becomes delivered or collected (the
    units a return rate divides by), once, whatever happens to the record after."""
    was = bool(old) and (old or {}).get("status") in DONE
    now = bool(new) and (new or {}).get("status") in DONE
    if now and not was:
        return _units(new)
    return {}


def returned_deltas(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> dict[str, dict[str, Decimal]]:
    """Per product, what a return record changes: `requested` units (a return not rejected), and once
    refunded `returned`, `restocked` or `scrapped` units. Built from both images, so an edit that does
    not move the status adds nothing and every delta is applied once."""
    def counts(image: Mapping[str, Any] | None) -> dict[str, dict[str, Decimal]]:
        out: dict[str, dict[str, Decimal]] = {}
        if not image:
            return out
        status = image.get("status")
        for ln in image.get("lines") or []:
            p, q = str(ln["product_id"]), Decimal(str(ln["quantity"]))
            row = out.setdefault(p, {})
            if status != "rejected":
                row["requested"] = row.get("requested", ZERO) + q
            if status == "refunded":
                row["returned"] = row.get("returned", ZERO) + q
                kind = "restocked" if ln.get("outcome") == "restock" else "scrapped"
                row[kind] = row.get(kind, ZERO) + q
        return out

    before, after = counts(old), counts(new)
    out: dict[str, dict[str, Decimal]] = {}
    for p in set(before) | set(after):
        names = set(before.get(p, {})) | set(after.get(p, {}))
        diff = {n: after.get(p, {}).get(n, ZERO) - before.get(p, {}).get(n, ZERO) for n in names}
        diff = {n: v for n, v in diff.items() if v != 0}
        if diff:
            out[p] = diff
    return out


def return_rate(sold: Decimal, returned: Decimal) -> Decimal | None:
    """Returned units over units handed over (0.0000-1.0000+), None when nothing was handed over."""
    if sold <= 0:
        return None
    return (returned / sold).quantize(Decimal("0.0001"))
