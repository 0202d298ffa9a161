"""The storefront, pure: the price after a listing's discount, and the delivery or pickup date from
the stock at the fulfilling location (or when it is expected back)."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from ...core.errors import InvalidInput
from ...core.money import CURRENCY_MINOR_UNITS

ZERO = Decimal(0)


@dataclass(frozen=True)
class Discount:
    """A listing's discount: `kind` percent (0-100) or amount (off the unit price), within its days
    (inclusive; None: open-ended)."""

    kind: str
    value: Decimal
    starts_on: date | None = None
    ends_on: date | None = None
    label: str = ""

    def applies(self, day: date) -> bool:
        return (self.starts_on is None or self.starts_on <= day) and (self.ends_on is None or day <= self.ends_on)


def check_discount(d: Discount) -> None:
    if d.kind == "percent" and not ZERO < d.value <= 100:
        raise InvalidInput("a percentage is more than 0 and at most 100", field="discount.value")
    if d.kind == "amount" and d.value <= 0:
        raise InvalidInput("an amount off is more than 0", field="discount.value")
    if d.starts_on and d.ends_on and d.ends_on < d.starts_on:
        raise InvalidInput("a discount ends on or after the day it starts", field="discount.ends_on")


def minor(currency: str) -> Decimal:
    return Decimal(1).scaleb(-CURRENCY_MINOR_UNITS.get(currency, 2))


@dataclass(frozen=True)
class Price:
    price: Decimal  # the selling price
    discount: Decimal  # off each unit (0: none)
    final: Decimal  # what a unit costs the shopper
    label: str = ""


def price_on(price: Decimal, currency: str, discount: Discount | None, day: date) -> Price:
    """The selling price, the discount that applies on `day` and the price after it: rounded half to
    even to the currency's minor unit, never below zero."""
    if discount is None or not discount.applies(day):
        return Price(price, ZERO, price)
    off = price * discount.value / 100 if discount.kind == "percent" else discount.value
    off = min(price, off.quantize(minor(currency), rounding=ROUND_HALF_EVEN))
    return Price(price, off, price - off, discount.label)


def promised_date(today: date, available: Decimal, restock_on: date | None, days: int) -> date | None:
    """When the shopper gets it: from stock at the fulfilling location in `days` (0: today, a pickup),
    else once it is expected back plus those days; None when neither is known."""
    if available > 0:
        return today + timedelta(days=days)
    if restock_on is None:
        return None
    return restock_on + timedelta(days=days)


SEARCH_CHARS = 300  # a card's search field stays small: the index is downloaded whole


def search_text(*parts: str | None) -> str:
    """A card's compact search field for the storefront's client-side search: its words (name, SKU,
    brand, category, description) lower-cased, accents folded, each once, in order, at most
    SEARCH_CHARS characters. A shopper's query matches when each of its words starts one of these."""
    seen: list[str] = []
    for part in parts:
        folded = unicodedata.normalize("NFKD", part or "").encode("ascii", "ignore").decode().lower()
        for word in "".join(ch if ch.isalnum() else " " for ch in folded).split():
            if word not in seen:
                seen.append(word)
    out = ""
    for word in seen:
        if len(out) + len(word) + (1 if out else 0) > SEARCH_CHARS:
            break
        out = f"{out} {word}" if out else word
    return out


def matches(search: str, query: str) -> bool:
    """The storefront's search rule (the dashboard applies the same): every word of the query, folded
    like `search_text`, starts a word of the card's search field."""
    words = search.split()
    return all(any(w.startswith(q) for w in words) for q in search_text(query).split())
