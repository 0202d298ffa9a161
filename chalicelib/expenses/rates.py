"""Exchange rates per owner and month, and rollups read in the home currency through them.

Every reader of expense totals (budgets, charts, alerts, pace, digest, month-end close, reports)
goes through `home_view`: rates are read only when the totals hold another currency (one
BatchGetItem of the months needed), so a person with one currency pays nothing for this.
"""
from __future__ import annotations

from decimal import Decimal

from ..core import clock
from ..core.auth import Principal
from ..core.db import find
from ..core.profiles import ensure_profile
from .models import Rate, rate_key
from .rules import check_month
from .rules.currency import HomeTotals, Rates, foreign_months, home_totals, parse_rates
from .schemas import RatesIn, RatesOut


def get_rate(owner: str, month: str) -> Rate | None:
    return find(Rate, *rate_key(owner, month))


def usable(rate: Rate | None, home: str) -> dict[str, Decimal]:
    """A month's rates, if they were set against the current home currency (else none apply)."""
    return dict(rate.rates or {}) if rate is not None and rate.base == home else {}


def rates_for(owner: str, months: set[str], home: str) -> Rates:
    if not months:
        return {}
    items = Rate.batch_get([rate_key(owner, m) for m in sorted(months)])
    return {r.month: usable(r, home) for r in items}


def home_view(owner: str, totals: dict[str, Decimal], home: str, year: str | None,
              rates: Rates | None = None) -> HomeTotals:
    """The rollup item's totals in the owner's home currency (`year` None: the all-years item)."""
    if rates is None:
        rates = rates_for(owner, foreign_months(totals, home, year), home)
    return home_totals(totals, home, rates, year)


def put_rates(owner: str, month: str, base: str, rates: dict[str, Decimal]) -> Rate:
    """Replace a month's rates (last writer wins: a person sets their own rates)."""
    rate = Rate(*rate_key(owner, month), month=month, base=base, rates=rates, updated_at=clock.iso_now())
    old = get_rate(owner, month)
    rate.version = (old.version + 1) if old is not None else 1
    rate.save()
    return rate


def rates_out(r: Rate) -> RatesOut:
    return RatesOut(month=r.month, base=r.base, rates={k: str(v) for k, v in sorted((r.rates or {}).items())},
                    version=int(r.version), updated_at=r.updated_at)


def set_month_rates(user: Principal, month: str, data: RatesIn) -> RatesOut:
    """Set a month's exchange rates against the caller's home currency."""
    check_month(month)
    home = ensure_profile(user.sub, user.email).currency
    return rates_out(put_rates(user.owner_key, month, home, parse_rates(data.rates, home)))


def month_rates(user: Principal, month: str) -> RatesOut:
    """A month's exchange rates (none set: empty, version 0, against the home currency)."""
    check_month(month)
    r = get_rate(user.owner_key, month)
    if r is None:
        return RatesOut(month=month, base=ensure_profile(user.sub, user.email).currency, rates={}, version=0,
                        updated_at="")
    return rates_out(r)
