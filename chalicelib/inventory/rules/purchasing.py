"""Reorder maths and purchase-order emails, pure.

A position needs reordering when its on-hand stock is below its reorder point. The quantity to
order brings the stock, once the order arrives, back above the reorder point after the demand
expected during the supplier's lead time, and serves open backorders:

    need  = reorder_point + lead_time_demand + backordered − on_hand − on_order
    order = max(need, reorder_quantity), capped so that on_hand + order ≤ maximum + backordered
            (when a maximum is set), rounded up to whole units.

Lead-time demand is the forecast's mean daily demand × the lead time in days (the average of the
last 28 days' demand when there is no forecast yet).
"""
from __future__ import annotations

import html
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any, Iterable

from ...core.money import fmt, fmt_unit_price

ZERO = Decimal(0)


def order_quantity(*, on_hand: Decimal, backordered: Decimal, reorder_point: Decimal,
                   reorder_quantity: Decimal | None, max_quantity: Decimal | None,
                   lead_time_days: int, daily_demand: Decimal, on_order: Decimal = ZERO) -> Decimal:
    lead_time_demand = daily_demand * lead_time_days
    need = reorder_point + lead_time_demand + backordered - on_hand - on_order
    qty = max(need, reorder_quantity or ZERO)
    if max_quantity is not None:
        qty = min(qty, max_quantity + backordered - on_hand - on_order)
    qty = qty.to_integral_value(rounding=ROUND_CEILING)
    return qty if qty > 0 else ZERO


def mean_daily_demand(daily: Iterable[Decimal], days: int = 28) -> Decimal:
    values = list(daily)[-days:]
    return (sum(values, ZERO) / days) if values else ZERO


def po_email(*, org_name: str, supplier: str, location: str, address_note: str, po_id: str,
             lines: list[dict[str, Any]], currency: str) -> tuple[str, str, str]:
    """The email a supplier gets when a purchase order is approved."""
    ref = po_id[:8].upper()
    subject = f"Purchase order {ref} from {org_name}"
    rows = [(ln["sku"] or ln["product_id"], ln.get("name", ""), str(ln["quantity"]),
             f"{fmt_unit_price(Decimal(ln['unit_cost']), currency)} {currency}") for ln in lines]
    total = sum((Decimal(ln["quantity"]) * Decimal(ln["unit_cost"]) for ln in lines), ZERO)
    text = "\n".join([
        f"Dear {supplier},", "",
        f"{org_name} orders the following for delivery to {location}{address_note} (reference {ref}):", "",
        *[f"  {sku}  {name}  × {qty}  @ {cost}" for sku, name, qty, cost in rows], "",
        f"Total: {fmt(total, currency)} {currency}", "", "Please confirm the delivery date by replying to this email.",
    ])
    body = (f"<p>Dear {html.escape(supplier)},</p><p>{html.escape(org_name)} orders the following for delivery to "
            f"<strong>{html.escape(location)}</strong>{html.escape(address_note)} (reference {ref}):</p>"
            "<table><tr><th>SKU</th><th>Item</th><th>Quantity</th><th>Unit cost</th></tr>"
            + "".join(f"<tr><td>{html.escape(s)}</td><td>{html.escape(n)}</td><td>{q}</td><td>{c}</td></tr>"
                      for s, n, q, c in rows)
            + f"</table><p>Total: {fmt(total, currency)} {currency}</p><p>Please confirm the delivery date by replying.</p>")
    return subject, text, body


def restock_on(today: date, lead_time_days: int, ordered_on: date | None) -> date:
    """When stock that is out can be expected at a location: an approved open order's date plus the
    supplier's lead time, else an order placed today plus the lead time; never before tomorrow."""
    base = ordered_on if ordered_on is not None else today
    return max(base + timedelta(days=max(0, lead_time_days)), today + timedelta(days=1))
