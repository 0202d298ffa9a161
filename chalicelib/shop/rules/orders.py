"""Orders, pure: the statuses and who moves them, what each move does to the order's stock, when an
unpaid order's reservation expires, its total, and the customer's email for each status."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from html import escape

from ...core.errors import Conflict, InvalidInput
from ...core.money import fmt

STATUSES = ("placed", "confirmed", "picked", "shipped", "ready", "delivered", "collected", "cancelled")
FULFILMENTS = ("pickup", "delivery")
# Where an order may go from each status, by how it is fulfilled. Once picked its units are sold
# (the ledger's sale from the reservation), so only a placed or confirmed order can be cancelled.
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    "pickup": {
        "placed": frozenset({"confirmed", "cancelled"}),
        "confirmed": frozenset({"picked", "cancelled"}),
        "picked": frozenset({"ready"}),
        "ready": frozenset({"collected"}),
    },
    "delivery": {
        "placed": frozenset({"confirmed", "cancelled"}),
        "confirmed": frozenset({"picked", "cancelled"}),
        "picked": frozenset({"shipped"}),
        "shipped": frozenset({"delivered"}),
    },
}
FINAL = frozenset({"delivered", "collected", "cancelled"})
# A shop's public handle: 3 to 40 lower-case letters, digits and hyphens, a hyphen at neither end.
HANDLE_PATTERN = r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$"
CATEGORY_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"
# A phone number for texts, E.164: + and up to 15 digits, the first not 0.
E164_PATTERN = r"^\+[1-9]\d{6,14}$"
MIN_RESERVATION_MINUTES, MAX_RESERVATION_MINUTES = 5, 1440


def allowed(fulfilment: str, current: str) -> frozenset[str]:
    return TRANSITIONS.get(fulfilment, {}).get(current, frozenset())


def check_transition(fulfilment: str, current: str, wanted: str) -> None:
    """Refuse a status change the order's workflow does not allow (409 naming `status`)."""
    if wanted not in allowed(fulfilment, current):
        options = ", ".join(sorted(allowed(fulfilment, current))) or "none"
        raise Conflict(f"a {current} {fulfilment} order cannot become {wanted} (allowed: {options})",
                       field="status", extra={"status": current})


@dataclass(frozen=True)
class StockStep:
    """What a status change does to the order's ledger reservation."""

    action: str  # "none" | "fulfil" (sell the reserved units) | "release" (give them back)


def stock_step(current: str, wanted: str) -> StockStep:
    """Picking sells the reserved units; cancelling a placed or confirmed order gives them back."""
    if wanted == "picked":
        return StockStep("fulfil")
    if wanted == "cancelled" and current in ("placed", "confirmed"):
        return StockStep("release")
    return StockStep("none")


def expires_at(placed_at: datetime, minutes: int) -> str:
    """When an unpaid order's reservation lapses (UTC, ISO with microseconds: sortable)."""
    return (placed_at + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def is_expired(status: str, expires: str, now_iso: str) -> bool:
    """An order still placed (unconfirmed) whose time is up."""
    return status == "placed" and expires <= now_iso


def check_reservation_minutes(minutes: int) -> None:
    if not MIN_RESERVATION_MINUTES <= minutes <= MAX_RESERVATION_MINUTES:
        raise InvalidInput(f"between {MIN_RESERVATION_MINUTES} and {MAX_RESERVATION_MINUTES} minutes",
                           field="reservation_minutes")


def order_total(lines: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """Sum of quantity × unit price."""
    return sum((q * p for q, p in lines), Decimal(0))


def merge_quantities(lines: Iterable[tuple[str, Decimal]]) -> list[tuple[str, Decimal]]:
    """Lines of the same product added together, in the order first named."""
    out: dict[str, Decimal] = {}
    for product_id, quantity in lines:
        out[product_id] = out.get(product_id, Decimal(0)) + quantity
    return list(out.items())


# ----------------------------------------------------------------- emails
@dataclass(frozen=True)
class OrderView:
    id: str
    shop_name: str
    customer_name: str
    status: str
    fulfilment: str
    total: Decimal
    currency: str
    lines: tuple[tuple[str, Decimal], ...]  # (name, quantity)
    cancel_reason: str | None = None


SAYS = {
    "placed": "We have your order {ref} and are keeping its items for you.",
    "confirmed": "Your payment for order {ref} is confirmed.",
    "picked": "Order {ref} has been picked and packed.",
    "shipped": "Order {ref} is on its way.",
    "ready": "Order {ref} is ready to collect.",
    "delivered": "Order {ref} has been delivered.",
    "collected": "Order {ref} has been collected. Thank you!",
    "cancelled": "Order {ref} has been cancelled.",
}
REASONS = {"expired": "It was not paid in time, so its items have been released.",
           "shop": "The shop cancelled it.", "customer": "You cancelled it."}


def status_email(o: OrderView) -> tuple[str, str, str]:
    """(subject, text, html) telling the customer their order's new status."""
    ref = o.id[:8].upper()
    line = SAYS[o.status].format(ref=ref)
    if o.status == "cancelled" and o.cancel_reason in REASONS:
        line += " " + REASONS[o.cancel_reason]
    items = "\n".join(f"  {q.normalize():f} × {name}" for name, q in o.lines)
    total = f"{fmt(o.total, o.currency)} {o.currency}"
    subject = f"{o.shop_name}: order {ref} {o.status}"
    text = f"Hello {o.customer_name},\n\n{line}\n\n{items}\nTotal: {total}\n\n{o.shop_name}\n"
    rows = "".join(f"<li>{escape(f'{q.normalize():f}')} × {escape(name)}</li>" for name, q in o.lines)
    html = (f"<p>Hello {escape(o.customer_name)},</p><p>{escape(line)}</p><ul>{rows}</ul>"
            f"<p>Total: {escape(total)}</p><p>{escape(o.shop_name)}</p>")
    return subject, text, html
