"""Totals in the owner's home currency, from rollups that keep each currency apart (pure).

The stream adds every transaction to keys suffixed with its own currency (`11:spend:food@EUR`, in the
all-years item `2026-11:spend@EUR`), so a rollup never mixes currencies and a rate change needs no
rewrite. `home_totals` is the one place that turns them into home-currency totals: an amount in the
home currency counts as it is, another at the rate its owner set for that month (1 unit = rate home
units), rounded to the home currency's minor units (half to even); without a rate it is left out
and reported missing, never counted 1:1. Keys without a suffix (written before currencies were kept
apart) count as home currency.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from ..core.money import CURRENCY_MINOR_UNITS

Rates = dict[str, dict[str, Decimal]]  # month YYYY-MM → currency → home units per unit
ZERO = Decimal(0)


@dataclass
class HomeTotals:
    totals: dict[str, Decimal]
    missing: dict[str, list[str]] = field(default_factory=dict)  # month → currencies without a rate


def split(name: str) -> tuple[str, str | None]:
    base, sep, cur = name.rpartition("@")
    return (base, cur) if sep else (name, None)


def _month_of(base: str, year: str | None) -> tuple[str, str]:
    """(month YYYY-MM, the home-currency key) of a raw key of a year item (year given) or of the
    all-years item (`YYYY-MM:kind` → `YYYY:kind`)."""
    if year is not None:
        return f"{year}-{base[:2]}", base
    month, _, rest = base.partition(":")
    return month, f"{month[:4]}:{rest}"


def foreign_months(totals: dict[str, Decimal], home: str, year: str | None) -> set[str]:
    """The months whose rates these totals need: those with an amount in another currency."""
    out = set()
    for name, value in totals.items():
        base, cur = split(name)
        if cur is not None and cur != home and value:
            out.add(_month_of(base, year)[0])
    return out


def convert(amount: Decimal, rate: Decimal, home: str) -> Decimal:
    return (amount * rate).quantize(Decimal(1).scaleb(-CURRENCY_MINOR_UNITS.get(home, 2)), rounding=ROUND_HALF_EVEN)


def home_totals(totals: dict[str, Decimal], home: str, rates: Rates, year: str | None) -> HomeTotals:
    """The rollup item's totals in the home currency. For a year item (`year` given) also the year's
    `spend` and `income`, summed from its months."""
    out: dict[str, Decimal] = {}
    missing: dict[str, set[str]] = {}
    for name, value in totals.items():
        base, cur = split(name)
        if cur is None:
            out[name] = out.get(name, ZERO) + value
            continue
        month, key = _month_of(base, year)
        if cur == home:
            amount = value
        else:
            rate = rates.get(month, {}).get(cur)
            if rate is None:
                if value:
                    missing.setdefault(month, set()).add(cur)
                continue
            amount = convert(value, rate, home)
        out[key] = out.get(key, ZERO) + amount
    if year is not None:  # the year's totals are its months' (a legacy year key included in them)
        for kind in ("spend", "income"):
            out[kind] = sum((v for k, v in out.items() if k[:2].isdigit() and k[2:] == f":{kind}"), ZERO)
    return HomeTotals(out, {m: sorted(c) for m, c in sorted(missing.items())})
