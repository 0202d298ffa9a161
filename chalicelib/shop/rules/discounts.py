"""Discounts, pure: a promotion's checks and window in the shop's time zone, which promotions apply to
a product at a moment, the best discount of them (never two stacked unless every one says
`stackable`), a coupon's refusal, the weekly sales a stream record adds, and a promotion's chart.

No clock, no I/O: the moment, the time zone and the candidates are arguments."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from ...core.errors import InvalidInput
from ...core.money import CURRENCY_MINOR_UNITS

ZERO = Decimal(0)
KINDS = ("percent", "amount")
SCOPES = ("shop", "category", "product")
# A coupon code: 3 to 32 letters, digits, hyphens and underscores; matched without regard to case.
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{2,31}$"
MAX_CHART_WEEKS = 26  # weeks of a promotion's window the chart shows (and as many before it)
MIN_WEEKS_BEFORE = 4


def normal_code(code: str) -> str:
    """Coupon codes are kept and compared upper-case."""
    return code.strip().upper()


@dataclass(frozen=True)
class Promotion:
    """A promotion: `kind` percent (more than 0, at most 100) or amount (off each unit's selling
    price), over the whole shop, a category (its slug) or one product, from `starts_at` (inclusive)
    to `ends_at` (exclusive), both UTC; with a `code`, only an order that gives it gets it."""

    id: str
    name: str
    kind: str
    value: Decimal
    scope: str
    target: str | None
    starts_at: datetime
    ends_at: datetime
    stackable: bool = False
    code: str | None = None

    def active(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at

    def covers(self, product_id: str, category: str | None) -> bool:
        if self.scope == "shop":
            return True
        if self.scope == "category":
            return category is not None and category == self.target
        return product_id == self.target


def check_promotion(p: Promotion, *, usage_limit: int | None, once_per_customer: bool) -> None:
    """Refuse a promotion that cannot work (400 naming the field)."""
    if p.kind == "percent" and not ZERO < p.value <= 100:
        raise InvalidInput("a percentage is more than 0 and at most 100", field="value")
    if p.kind == "amount" and p.value <= 0:
        raise InvalidInput("an amount off is more than 0", field="value")
    if p.scope == "shop" and p.target is not None:
        raise InvalidInput("a promotion of the whole shop has no target", field="target")
    if p.scope != "shop" and not p.target:
        raise InvalidInput(f"a {p.scope} promotion names its {p.scope}", field="target")
    if p.ends_at <= p.starts_at:
        raise InvalidInput("a promotion ends after it starts", field="ends_at")
    if p.code is None and usage_limit is not None:
        raise InvalidInput("a usage limit counts the uses of a coupon code: give a code", field="usage_limit")
    if p.code is None and once_per_customer:
        raise InvalidInput("once per customer applies to a coupon code: give a code", field="once_per_customer")


def moment(value: str, time_zone: str, field: str) -> datetime:
    """An ISO date or date-time as a UTC moment: one without an offset is the shop's local time (a
    bare date: its midnight)."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput("an ISO 8601 date or date-time, such as 2026-12-01T00:00", field=field) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(time_zone))
    return parsed.astimezone(timezone.utc)


def iso(at: datetime) -> str:
    return at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def minor(currency: str) -> Decimal:
    return Decimal(1).scaleb(-CURRENCY_MINOR_UNITS.get(currency, 2))


def unit_off(price: Decimal, currency: str, p: Promotion) -> Decimal:
    """What one promotion takes off a unit: half-even to the currency's minor unit, at most the price."""
    off = price * p.value / 100 if p.kind == "percent" else p.value
    return min(price, off.quantize(minor(currency), rounding=ROUND_HALF_EVEN))


@dataclass(frozen=True)
class Applied:
    price: Decimal  # the selling price
    discount: Decimal  # off each unit
    final: Decimal  # what a unit costs
    promotions: tuple[str, ...] = ()  # the ids applied
    label: str = ""


def applicable(promotions: Iterable[Promotion], product_id: str, category: str | None, at: datetime,
               code: str | None = None) -> list[Promotion]:
    """The promotions that apply to a product at a moment: active, covering it, and either open to
    all or the coupon the order gives."""
    return [p for p in promotions if p.active(at) and p.covers(product_id, category)
            and (p.code is None or (code is not None and p.code == normal_code(code)))]


def best_price(price: Decimal, currency: str, candidates: Iterable[Promotion]) -> Applied:
    """The best discount for the shopper: the largest of each promotion alone and of every stackable
    one together (their amounts added, at most the price). Two are never combined unless both are
    stackable. Ties go to fewer promotions, then the lower ids, so the choice is deterministic."""
    cands = sorted(candidates, key=lambda p: p.id)
    options: list[tuple[Decimal, tuple[Promotion, ...]]] = [(unit_off(price, currency, p), (p,)) for p in cands]
    stack = tuple(p for p in cands if p.stackable)
    if len(stack) > 1:
        options.append((min(price, sum((unit_off(price, currency, p) for p in stack), ZERO)), stack))
    options = [o for o in options if o[0] > 0]
    if not options:
        return Applied(price, ZERO, price)
    off, chosen = min(options, key=lambda o: (-o[0], len(o[1]), tuple(p.id for p in o[1])))
    return Applied(price, off, price - off, tuple(p.id for p in chosen), " + ".join(p.name for p in chosen))


def coupon_refusal(p: Promotion, at: datetime) -> str | None:
    """Why a coupon cannot be used at this moment, or None."""
    if at < p.starts_at:
        return f"this coupon is valid from {iso(p.starts_at)}"
    if at >= p.ends_at:
        return "this coupon has expired"
    return None


def phase(p: Promotion, at: datetime) -> str:
    if at < p.starts_at:
        return "scheduled"
    return "active" if at < p.ends_at else "ended"


def next_edge(p: Promotion, at: datetime) -> datetime | None:
    """When the storefront must next be republished for this promotion: its start, then its end."""
    if at < p.starts_at:
        return p.starts_at
    if at < p.ends_at:
        return p.ends_at
    return None


# ----------------------------------------------------------------- weekly sales and the chart
def week_of(day: date) -> date:
    """The Monday of a day's ISO week."""
    return day - timedelta(days=day.weekday())


def local_day(at_iso: str, time_zone: str) -> date:
    return datetime.fromisoformat(at_iso.replace("Z", "+00:00")).astimezone(ZoneInfo(time_zone)).date()


def sales_targets(product_id: str, category: str | None) -> list[str]:
    """The series a sold line counts in: the shop, its category, its product."""
    return ["shop", *([f"cat:{category}"] if category else []), f"product:{product_id}"]


def promotion_target(scope: str, target: str | None) -> str:
    return "shop" if scope == "shop" else (f"cat:{target}" if scope == "category" else f"product:{target}")


def _counted(img: Mapping[str, Any] | None) -> bool:
    return img is not None and img.get("status") != "cancelled"


def sales_deltas(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None,
                 time_zone: str) -> Iterator[tuple[str, str, Decimal]]:
    """(series target, `<monday>:units` or `<monday>:revenue`, delta) an order's stream record adds:
    a placed order counts its lines in the week it was placed (shop's time zone), net of discount; a
    cancelled one takes them back. An order only moving on adds nothing."""
    before, after = _counted(old), _counted(new)
    if before == after:
        return
    img = new if after else old
    assert img is not None
    sign = Decimal(1) if after else Decimal(-1)
    week = week_of(local_day(str(img["created_at"]), time_zone)).isoformat()
    for line in img.get("lines") or []:
        qty = Decimal(line["quantity"])
        net = Decimal(line["net"]) if line.get("net") is not None else qty * Decimal(line["unit_price"])
        for target in sales_targets(str(line["product_id"]), line.get("category")):
            yield target, f"{week}:units", sign * qty
            yield target, f"{week}:revenue", sign * net


def chart_weeks(p: Promotion, time_zone: str) -> tuple[list[date], list[date]]:
    """(weeks before, weeks during) of a promotion: as many weeks before it as it lasts, at least four."""
    tz = ZoneInfo(time_zone)
    first = week_of(p.starts_at.astimezone(tz).date())
    last = week_of((p.ends_at - timedelta(microseconds=1)).astimezone(tz).date())
    during = [first + timedelta(weeks=i) for i in range(min(MAX_CHART_WEEKS, (last - first).days // 7 + 1))]
    before = [first - timedelta(weeks=i) for i in range(max(MIN_WEEKS_BEFORE, len(during)), 0, -1)]
    return before, during


def _money(value: Decimal, currency: str) -> str:
    return f"{value.quantize(minor(currency), rounding=ROUND_HALF_EVEN):f}"


def chart_document(p: Promotion, time_zone: str, currency: str, totals: Mapping[str, Decimal],
                   generated_at: str) -> dict[str, Any]:
    """A promotion's chart: units and revenue (net of discounts) per week of its scope, the weeks
    before it beside the weeks during it, and the change of the weekly average."""
    before, during = chart_weeks(p, time_zone)

    def week(d: date, phase_name: str) -> dict[str, Any]:
        return {"week": d.isoformat(), "phase": phase_name,
                "units": f"{totals.get(f'{d.isoformat()}:units', ZERO).normalize():f}",
                "revenue": _money(totals.get(f"{d.isoformat()}:revenue", ZERO), currency)}

    def average(weeks: list[date], name: str) -> Decimal:
        return sum((totals.get(f"{d.isoformat()}:{name}", ZERO) for d in weeks), ZERO) / len(weeks)

    def lift(name: str) -> str | None:
        base = average(before, name)
        if base == 0:
            return None
        return f"{((average(during, name) - base) / base * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_EVEN):f}"

    return {
        "promotion_id": p.id, "name": p.name, "scope": p.scope, "target": p.target, "currency": currency,
        "starts_at": iso(p.starts_at), "ends_at": iso(p.ends_at), "time_zone": time_zone,
        "weeks": [week(d, "before") for d in before] + [week(d, "during") for d in during],
        "before": {"units_per_week": _money(average(before, "units"), "XXX"),
                   "revenue_per_week": _money(average(before, "revenue"), currency)},
        "during": {"units_per_week": _money(average(during, "units"), "XXX"),
                   "revenue_per_week": _money(average(during, "revenue"), currency)},
        "lift_percent": {"units": lift("units"), "revenue": lift("revenue")},
        "generated_at": generated_at,
    }
