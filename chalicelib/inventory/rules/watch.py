"""What the inventory stream watches, as pure functions of stream images.

- A Movement (insert only: movements are never edited) → rollup deltas: the organisation's daily
  sales, revenue, cost of goods, stock-value change and waste; a month's sales per product (top
  sellers); and the daily demand of its product × location series (what forecasting reads).
- A Position change → stock crossings: low (on hand falls below the reorder point), out (falls to
  zero or below) and over (rises above the maximum). Each fires on the transition into the state,
  so it re-arms only once stock has left the state again; the id of a firing is the position's
  version at the transition, so a replayed record fires nothing new.
- A Backorder going open → filled → the customer's email.
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Iterator, TypeGuard

from ...core.keys import org_key, org_pk
from ...core.money import fmt, fmt_quantity

RollupKey = tuple[str, str]  # (scope, name) of a rollup item, as core.rollups keys them
Image = dict[str, Any]  # a stream record's image, plain values

ZERO = Decimal(0)
STOCK_STATES = ("low", "out", "over")


def year_key(org_id: str, year: str) -> RollupKey:
    return org_pk(org_id), f"inventory#{year}"


def all_key(org_id: str) -> RollupKey:
    return org_pk(org_id), "inventory#all"


def month_key(org_id: str, month: str) -> RollupKey:
    return org_pk(org_id), f"inventory#{month}"


def series_key(org_id: str, product_id: str, location_id: str, year: str) -> RollupKey:
    """One product × location's daily demand for a year: its own scope, so a batch touching many
    products spreads over many small transactions instead of one big one."""
    return org_key(org_id, product_id, location_id), f"demand#{year}"


def _d(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else ZERO


def is_movement(img: Image | None) -> TypeGuard[Image]:
    return bool(img) and str((img or {}).get("sk", "")).startswith("MOVE#")


def is_position(img: Image | None) -> TypeGuard[Image]:
    return bool(img) and str((img or {}).get("sk", "")).startswith("POS#")


def is_backorder(img: Image | None) -> TypeGuard[Image]:
    return bool(img) and str((img or {}).get("sk", "")).startswith("BACKORDER#")


def value_change(m: Image) -> Decimal:
    """How a movement changes the organisation's stock value (FIFO cost): a transfer moves value
    between locations and changes nothing in total."""
    if m.get("kind") == "transfer":
        return ZERO
    return _d(m.get("cost")) * int(m.get("direction", 0))


def movement_contributions(m: Image) -> Iterator[tuple[RollupKey, str, Decimal]]:
    """(rollup key, total name, delta) for one recorded movement."""
    org, kind = m["org_id"], m["kind"]
    day = str(m["occurred_on"])
    year, mmdd, month = day[:4], day[5:], day[:7]
    qty = _d(m.get("quantity"))
    yk, ak, mk = year_key(org, year), all_key(org), month_key(org, month)
    value = value_change(m)
    if value:
        yield yk, f"{mmdd}:value", value
        yield ak, "value", value
    sign = -1 if m.get("reverses") else 1  # a reversal undoes its movement's counts
    yield yk, f"{mmdd}:{kind}", qty * sign
    if kind == "sale":
        sold = qty * sign
        price = m.get("price")
        yield yk, f"{mmdd}:sales", sold
        yield ak, f"{year}:sales", sold
        yield mk, f"sold:{m['product_id']}", sold
        if price is not None:
            revenue = sold * _d(price)
            yield yk, f"{mmdd}:revenue", revenue
            yield mk, f"revenue:{m['product_id']}", revenue
            yield ak, f"{year}:revenue", revenue
        cogs = _d(m.get("cost")) * sign
        yield yk, f"{mmdd}:cogs", cogs
        yield mk, f"cogs:{m['product_id']}", cogs
        # Demand is what customers asked for: a backordered part counts when it was asked, not
        # again when the backorder is filled.
        demand = ZERO if m.get("backorder_id") else sold + _d(m.get("backordered")) * sign
        if demand:
            yield series_key(org, m["product_id"], m["location_id"], year), mmdd, demand
    elif kind == "scrap":
        reason = m.get("reason") or "unspecified"
        yield yk, f"{month[5:]}:waste:{reason}", qty * sign
        yield yk, f"{month[5:]}:waste_cost:{reason}", _d(m.get("cost")) * sign


@dataclass(frozen=True)
class StockFiring:
    state: str  # low | out | over
    org_id: str
    product_id: str
    location_id: str
    on_hand: Decimal
    level: Decimal  # the reorder point, zero or the maximum
    version: int


def _states(p: Image) -> set[str]:
    on_hand = _d(p.get("on_hand"))
    out: set[str] = set()
    rp = p.get("reorder_point")
    if rp is not None and on_hand < _d(rp):
        out.add("low")
    if on_hand <= 0:
        out.add("out")
    mx = p.get("max_quantity")
    if mx is not None and on_hand > _d(mx):
        out.add("over")
    return out


def stock_firings(old: Image | None, new: Image | None) -> list[StockFiring]:
    """States a position entered with this change. A new position fires nothing: nothing fell."""
    if old is None or new is None or not (is_position(old) and is_position(new)):
        return []
    entered = _states(new) - _states(old)
    level = {"low": new.get("reorder_point"), "out": ZERO, "over": new.get("max_quantity")}
    return [StockFiring(s, new["org_id"], new["product_id"], new["location_id"], _d(new.get("on_hand")),
                        _d(level[s]), int(new.get("version", 0))) for s in STOCK_STATES if s in entered]


def backorder_filled(old: Image | None, new: Image | None) -> bool:
    return (is_backorder(old) and is_backorder(new) and old.get("status") == "open"
            and new.get("status") == "filled")


# ------------------------------------------------------------------- emails
_STATE_TEXT = {
    "low": ("is low", "fell below its reorder point of {level}"),
    "out": ("is out of stock", "has run out"),
    "over": ("is overstocked", "rose above its maximum of {level}"),
}


def stock_email(f: StockFiring, product: str, sku: str, location: str, org_name: str,
                dashboard_url: str) -> tuple[str, str, str]:
    short, long = _STATE_TEXT[f.state]
    detail = long.format(level=fmt_quantity(f.level))
    subject = f"{product} ({sku}) {short} at {location}"
    text = (f"{org_name}: {product} ({sku}) at {location} {detail}.\n"
            f"On hand now: {fmt_quantity(f.on_hand)}.\n\nSee stock and purchase orders: {dashboard_url}")
    body = (f"<p>{html.escape(org_name)}: <strong>{html.escape(product)} ({html.escape(sku)})</strong> at "
            f"{html.escape(location)} {html.escape(detail)}.</p><p>On hand now: <strong>{fmt_quantity(f.on_hand)}</strong>.</p>"
            f"<p><a href=\"{html.escape(dashboard_url)}\">See stock and purchase orders</a></p>")
    return subject, text, body


def backorder_email(customer: str, quantity: Decimal, product: str, org_name: str, location: str) -> tuple[str, str, str]:
    subject = f"Your order of {product} is ready"
    text = (f"Hello {customer},\n\nThe {fmt_quantity(quantity)} × {product} you ordered from {org_name} have arrived "
            f"and are set aside for you at {location}.\n")
    body = (f"<p>Hello {html.escape(customer)},</p><p>The {fmt_quantity(quantity)} × <strong>{html.escape(product)}</strong> "
            f"you ordered from {html.escape(org_name)} have arrived and are set aside for you at "
            f"{html.escape(location)}.</p>")
    return subject, text, body


# ------------------------------------------------------------------- charts
def _days(end: date, n: int) -> list[date]:
    return [end - timedelta(days=i) for i in range(n - 1, -1, -1)]


def chart_document(*, today: date, years: dict[str, dict[str, Decimal]], all_totals: dict[str, Decimal],
                   months: dict[str, dict[str, Decimal]], products: dict[str, dict[str, str]], currency: str,
                   generated_at: str, days: int = 90) -> dict[str, Any]:
    """The organisation's inventory charts: sales and revenue by day, stock value over time, top
    sellers this month, waste by reason this year. Cost figures sit under `costs` so the API can
    leave them out for staff."""
    window = _days(today, days)

    def day_total(d: date, name: str) -> Decimal:
        return years.get(str(d.year), {}).get(f"{d:%m-%d}:{name}", ZERO)

    # stock value at the end of each day: today's value minus the changes after that day
    value_now = all_totals.get("value", ZERO)
    values: list[Decimal] = []
    running = value_now
    for d in reversed(window):
        values.append(running)
        running -= day_total(d, "value")
    values.reverse()
    this_month = months.get(f"{today:%Y-%m}", {})
    sold = sorted(((k.split(":", 1)[1], v) for k, v in this_month.items() if k.startswith("sold:") and v > 0),
                  key=lambda kv: (-kv[1], kv[0]))[:10]
    year = years.get(str(today.year), {})
    waste: dict[str, Decimal] = {}
    waste_cost: dict[str, Decimal] = {}
    for k, v in year.items():
        parts = k.split(":")
        if len(parts) == 3 and parts[1] == "waste":
            waste[parts[2]] = waste.get(parts[2], ZERO) + v
        if len(parts) == 3 and parts[1] == "waste_cost":
            waste_cost[parts[2]] = waste_cost.get(parts[2], ZERO) + v

    def money(v: Decimal) -> str:
        return fmt(v, currency)

    return {
        "generated_at": generated_at,
        "currency": currency,
        "days": [d.isoformat() for d in window],
        "sales": [fmt_quantity(day_total(d, "sales")) for d in window],
        "revenue": [money(day_total(d, "revenue")) for d in window],
        "top_sellers": [{"product_id": p, "name": products.get(p, {}).get("name", p),
                         "sku": products.get(p, {}).get("sku", ""), "quantity": fmt_quantity(q),
                         "revenue": money(this_month.get(f"revenue:{p}", ZERO))} for p, q in sold],
        "waste": {r: fmt_quantity(q) for r, q in sorted(waste.items()) if q},
        "costs": {
            "stock_value": [money(v) for v in values],
            "stock_value_now": money(value_now),
            "cogs": [money(day_total(d, "cogs")) for d in window],
            "waste_cost": {r: money(c) for r, c in sorted(waste_cost.items()) if c},
        },
    }
