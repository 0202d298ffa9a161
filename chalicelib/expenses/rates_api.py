"""Exchange rates routes: the rate of each currency against the home currency, per month."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from chalice import Blueprint
from pydantic import Field

from ..core.errors import InvalidInput
from ..core.money import CURRENCY_MINOR_UNITS
from ..core.profiles import ensure_profile
from ..core.schemas import Out, Strict
from ..core.web import Req, route
from . import rates as svc

rates = Blueprint(__name__)
MAX_RATE = Decimal("1000000")


class RatesIn(Strict):
    rates: dict[str, str] = Field(max_length=60, description='currency → home units per unit, e.g. {"EUR": "1.08"}')


class RatesOut(Out):
    month: str
    base: str
    rates: dict[str, str]
    version: int
    updated_at: str


def _month(month: str) -> str:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise InvalidInput("month must be YYYY-MM", field="month")
    return month


def _rates(data: RatesIn, home: str) -> dict[str, Decimal]:
    out = {}
    for cur, text in data.rates.items():
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
        if rate.as_tuple().exponent < -10:  # type: ignore[operator]
            raise InvalidInput("at most 10 decimal places", field=field)
        out[cur] = rate
    return out


def rates_out(r) -> dict:
    return {"month": r.month, "base": r.base, "rates": {k: str(v) for k, v in sorted((r.rates or {}).items())},
            "version": int(r.version), "updated_at": r.updated_at}


@route(rates, "/rates/{month}", ("PUT",), body=RatesIn, response=RatesOut)
def put_rates(req: Req, month: str):
    """Set a month's exchange rates against your home currency (1 unit = rate home units); the
    month's totals, budgets and charts are recomputed with them."""
    user = req.principal
    home = ensure_profile(user.sub, user.email).currency
    data = req.body(RatesIn)
    return rates_out(svc.put_rates(user.owner_key, _month(month), home, _rates(data, home)))


@route(rates, "/rates/{month}", ("GET",), response=RatesOut)
def get_rates(req: Req, month: str):
    """A month's exchange rates (none set: empty, version 0)."""
    user = req.principal
    r = svc.get_rate(user.owner_key, _month(month))
    if r is None:
        return {"month": month, "base": ensure_profile(user.sub, user.email).currency, "rates": {}, "version": 0,
                "updated_at": ""}
    return rates_out(r)
