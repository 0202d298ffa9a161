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
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from ...core.errors import InvalidInput
from ...core.money import CURRENCY_MINOR_UNITS

Rates = dict[str, dict[str, Decimal]]  # month YYYY-MM → currency → home units per unit
ZERO = Decimal(0)
MAX_RATE = Decimal("1000000")


def parse_rates(given: dict[str, str], home: str) -> dict[str, Decimal]:
    """A month's rates as given (currency → home units per unit, as decimal strings), checked:
    a supported currency other than the home one, a finite rate in (0, MAX_RATE], at most 10
    decimal places. A bad one is a 400 naming `rates.<CUR>`."""
    out = {}
    for cur, text in given.items():
        field = f"rates.{cur}"
        if cur not in CURRENCY_MINOR_UNITS:
            raise InvalidInput("not a supported ISO 4217 currency code", field=field)
        if cur == home:
            raise InvalidInput(f"{home} is your home currency: its rate is 1", field=field)
        try:
            rate = Decimal(text.strip())
        except (InvalidOperation, AttributeError):
            raise InvalidInput("a rate is a decimal number such as \"1.08\"", field=field) from None
        if not rate.is_finite() or rate <= 0 or rate > MAX_RATE:
            raise InvalidInput(f"a rate is greater than 0 and at most {MAX_RATE}", field=field)
        exponent = rate.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -10:
            raise InvalidInput("at most 10 decimal places", field=field)
        out[cur] = rate
    return out


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
