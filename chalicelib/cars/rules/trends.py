"""Value and demand over time, pure: what a cars-table stream record adds to the dealer's rollups, the
chart document built from them, the aging-stock rule and the saved-search events.

Rollup items (tally-rollups), all of the dealer (`ORG#<org>`):

| pk | sk | totals |
|---|---|---|
| `ORG#o` | `cars#YYYY` | per month `MM:` and make/model `<make key>/<model key>`: `sold`, `sold_sum@CUR`, `ratio_sum` and `ratio_n` (sold price over the estimate at the sale), `dol_sum` (days on lot of the cars sold), `listed`, `ask_sum@CUR`, `est_sum@CUR` and `est_n` (the estimate when listed) |
| `ORG#o` | `cars#stock` | `n:<mm>` cars in stock, `day_sum:<mm>` their listing days (ordinals), `car:<id>` a car's listing day |
| `ORG#o#CARDEMAND#<shard>` | `cars-demand#YYYY` (ISO year) | `Www:views:<mm>`, `Www:enquiries:<mm>`, `Www:bookings:<mm>` |

Demand is spread over DEMAND_SHARDS items (by the event's id): each item remembers the eventIDs of the
last day (core.rollups), so one item would cap a dealer at ~6,000 views a day; eight give ~48,000.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Callable, Iterator, Mapping

from ...core.keys import org_pk
from .listing import is_car, is_listed, key_of

Image = Mapping[str, Any]
RollupKey = tuple[str, str]
Delta = tuple[RollupKey, str, Decimal]
# (car image, day) → the estimate's P50 and currency, or None when the car cannot be valued
Estimator = Callable[[Image, date], "tuple[Decimal, str] | None"]

DEMAND_SHARDS = 8
STOCK_STATUSES = ("in_stock", "reserved")
DEMAND_KINDS = {"view": "views", "enquiry": "enquiries"}  # an event's kind → its chart series
CANCELLED = ("cancelled", "canceled")
ONE = Decimal(1)


def year_key(org_id: str, year: int | str) -> RollupKey:
    return org_pk(org_id), f"cars#{year}"


def stock_key(org_id: str) -> RollupKey:
    return org_pk(org_id), "cars#stock"


def demand_key(org_id: str, shard: int, iso_year: int | str) -> RollupKey:
    return f"{org_pk(org_id)}#CARDEMAND#{shard}", f"cars-demand#{iso_year}"


def demand_shard(event_id: str) -> int:
    return int(hashlib.sha256(event_id.encode()).hexdigest()[:8], 16) % DEMAND_SHARDS


def model_of(make: str, model: str) -> str:
    """The make/model key of rollups and charts: `<make key>/<model key>`."""
    return f"{key_of(make)}/{key_of(model)}"


def in_stock(image: Image | None) -> bool:
    return image is not None and is_car(image) and str(image.get("status")) in STOCK_STATUSES


def listed_on(image: Image) -> date:
    return date.fromisoformat(str(image["created_at"])[:10])


def week_of(day: date) -> tuple[int, str]:
    """(ISO year, `Www`)."""
    y, w, _ = day.isocalendar()
    return y, f"W{w:02d}"


def _sold(image: Image | None) -> bool:
    return image is not None and is_car(image) and str(image.get("status")) in ("sold", "delivered")


def _stock_deltas(org_id: str, image: Image, sign: Decimal) -> Iterator[Delta]:
    mm, day = model_of(image["make"], image["model"]), Decimal(listed_on(image).toordinal())
    key = stock_key(org_id)
    yield key, f"n:{mm}", sign
    yield key, f"day_sum:{mm}", sign * day
    yield key, f"car:{image['id']}", sign * day


def car_deltas(old: Image | None, new: Image | None, estimate: Estimator) -> list[Delta]:
    """A car's change → rollup deltas: leaving or entering the stock, a listing, a sale. Pure and
    deterministic for the same images (a replay adds the same deltas, which core.rollups drops)."""
    out: list[Delta] = []
    org_id = str((new or old or {}).get("org_id", ""))
    if in_stock(old):
        out.extend(_stock_deltas(org_id, old, -ONE))  # type: ignore[arg-type]
    if in_stock(new):
        out.extend(_stock_deltas(org_id, new, ONE))  # type: ignore[arg-type]
    if new is not None and in_stock(new) and not is_car(old):  # a car added to the stock
        day = listed_on(new)
        mm, cur = model_of(new["make"], new["model"]), new["currency"]
        key, p = year_key(org_id, day.year), f"{day.month:02d}:"
        out.append((key, f"{p}listed:{mm}", ONE))
        out.append((key, f"{p}ask_sum:{mm}@{cur}", Decimal(str(new["asking_price"]))))
        est = estimate(new, day)
        if est is not None and est[1] == cur:
            out.append((key, f"{p}est_sum:{mm}@{cur}", est[0]))
            out.append((key, f"{p}est_n:{mm}", ONE))
    if new is not None and _sold(new) and not _sold(old) and new.get("sold_price") is not None:
        day = date.fromisoformat(str(new["sold_on"]))
        mm, cur, price = model_of(new["make"], new["model"]), new["currency"], Decimal(str(new["sold_price"]))
        key, p = year_key(org_id, day.year), f"{day.month:02d}:"
        out.append((key, f"{p}sold:{mm}", ONE))
        out.append((key, f"{p}sold_sum:{mm}@{cur}", price))
        out.append((key, f"{p}dol_sum:{mm}", Decimal(max(0, (day - listed_on(new)).days))))
        est = estimate(new, day)
        if est is not None and est[1] == cur and est[0] > 0:
            out.append((key, f"{p}ratio_sum:{mm}", (price / est[0]).quantize(Decimal("0.0001"))))
            out.append((key, f"{p}ratio_n:{mm}", ONE))
    return out


def is_demand(image: Image | None) -> bool:
    """A view (DemandEvent, sk `DEMAND#...`) or an enquiry (the enquiries service's item, sk `ENQUIRY#...`)."""
    return image is not None and str(image.get("sk", "")).startswith(("DEMAND#", "ENQUIRY#"))


def demand_deltas(old: Image | None, new: Image | None) -> list[Delta]:
    """A view or enquiry counted once, in its week, when its item is written (its TTL delete counts nothing)."""
    if new is None or old is not None or new.get("kind") not in DEMAND_KINDS:
        return []
    y, w = week_of(date.fromisoformat(str(new.get("at") or new["created_at"])[:10]))
    key = demand_key(str(new["org_id"]), demand_shard(str(new["id"])), y)
    return [(key, f"{w}:{DEMAND_KINDS[new['kind']]}:{model_of(new['make'], new['model'])}", ONE)]


def is_booking(image: Image | None) -> bool:
    """A booking item of the cars table (written by the bookings service): sk `BOOKING#...`."""
    return image is not None and str(image.get("sk", "")).startswith("BOOKING#")


def booking_counts(image: Image | None) -> bool:
    return image is not None and is_booking(image) and str(image.get("status")) not in CANCELLED and \
        bool(image.get("make"))


def booking_day(image: Image) -> date:
    """The week a booking counts in: when it was made (its `created_at`, else its slot's start)."""
    return date.fromisoformat(str(image.get("created_at") or image.get("starts_at") or image["slot_start"])[:10])


def booking_deltas(old: Image | None, new: Image | None, event_id: str) -> list[Delta]:
    """A booking counts +1 in its week while it stands, and −1 when cancelled or deleted. The input (a
    booking image) needs `org_id`, `id`, `make`, `model` (the reaction fills these from its car when the
    booking names only `car_id`), `status`, and `created_at` or `starts_at`."""
    out: list[Delta] = []
    for image, sign in ((old, -ONE), (new, ONE)):
        if image is not None and booking_counts(image):
            y, w = week_of(booking_day(image))
            key = demand_key(str(image["org_id"]), demand_shard(str(image["id"])), y)
            out.append((key, f"{w}:bookings:{model_of(image['make'], image['model'])}", sign))
    return out


# ----------------------------------------------------------------- chart
def _split(name: str) -> tuple[str, str, str] | None:
    """`MM:what:mm[@CUR]` → (MM, what, mm@CUR)."""
    parts = name.split(":", 2)
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else None


def _avg(total: Decimal, n: Decimal, places: str = "0.01") -> str | None:
    return None if not n else f"{(total / n).quantize(Decimal(places)):f}"


def chart_document(*, today: date, years: Mapping[int, Mapping[str, Decimal]], stock: Mapping[str, Decimal],
                   demand: Mapping[int, list[Mapping[str, Decimal]]], generated_at: str) -> dict[str, Any]:
    """The dealer's cars chart JSON: price index and days on lot per make/model and month, the stock's
    days on lot per car and per model, and views, enquiries and bookings per model and ISO week."""
    monthly: dict[str, dict[str, dict[str, Decimal]]] = {}
    currencies: dict[str, str] = {}
    for year, totals in sorted(years.items()):
        for name, value in totals.items():
            split = _split(name)
            if split is None:
                continue
            mm_, what, rest = split
            mm, _, cur = rest.partition("@")
            if cur:
                currencies[mm] = cur
            monthly.setdefault(mm, {}).setdefault(f"{year}-{mm_}", {})[what] = value
    price_index: dict[str, list[dict[str, Any]]] = {}
    for mm, months in sorted(monthly.items()):
        rows = []
        for month, v in sorted(months.items()):
            z = Decimal(0)
            ratio = _avg(v.get("ratio_sum", z), v.get("ratio_n", z), "0.0001")
            rows.append({
                "month": month, "sold": int(v.get("sold", z)), "avg_sold_price": _avg(v.get("sold_sum", z), v.get("sold", z)),
                "index": None if ratio is None else f"{(Decimal(ratio) * 100).quantize(Decimal('0.1')):f}",
                "avg_days_on_lot": _avg(v.get("dol_sum", z), v.get("sold", z), "0.1"),
                "listed": int(v.get("listed", z)), "avg_asking_price": _avg(v.get("ask_sum", z), v.get("listed", z)),
                "avg_estimate": _avg(v.get("est_sum", z), v.get("est_n", z)),
            })
        price_index[mm] = rows
    ordinal = today.toordinal()
    per_model = {}
    for name, n in stock.items():
        if name.startswith("n:") and n > 0:
            mm = name[2:]
            per_model[mm] = {"in_stock": int(n), "avg_days_on_lot": _avg(
                ordinal * n - stock.get(f"day_sum:{mm}", Decimal(0)), n, "0.1")}
    aged = sorted(((ordinal - int(day), name[4:]) for name, day in stock.items() if name.startswith("car:")),
                  key=lambda c: (-c[0], c[1]))
    cars = [{"car_id": car_id, "days_on_lot": days} for days, car_id in aged]
    weekly: dict[str, dict[str, dict[str, int]]] = {}
    for iso_year, shards in sorted(demand.items()):
        for totals in shards:
            for name, value in totals.items():
                split = _split(name)
                if split is None:
                    continue
                week, what, mm = split
                row = weekly.setdefault(mm, {}).setdefault(f"{iso_year}-{week}", {"views": 0, "enquiries": 0,
                                                                                  "bookings": 0})
                row[what] = row.get(what, 0) + int(value)
    demand_rows = {mm: [{"week": w, **v} for w, v in sorted(weeks.items())] for mm, weeks in sorted(weekly.items())}
    return {"generated_at": generated_at, "currencies": currencies, "price_index": price_index,
            "stock": {"models": per_model, "cars": cars}, "demand": demand_rows}


# ----------------------------------------------------------------- aging stock
@dataclass(frozen=True)
class AgingCheck:
    fire: tuple[str, ...]  # why the car's one email goes now: "days", "estimate" (empty: not now)
    next_due: date | None  # when to look again; None: told already, nothing left to watch


def first_of_next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def aging_due(listed: date, aging_days: int, today: date, fired: tuple[str, ...] = ()) -> date | None:
    """The next day the job looks at a car: its N-th day on the lot, or sooner the first of next month for the
    estimate (a car's estimate moves with its age in months); None once the dealer has been told."""
    if fired:
        return None
    return min(listed + timedelta(days=aging_days), first_of_next_month(today))


def aging_check(*, listed: date, today: date, aging_days: int, asking: Decimal, estimate: Decimal | None,
                gap: Decimal, fired: tuple[str, ...]) -> AgingCheck:
    """Whether a car in stock gets its one aging email now, and why: `days` when it has been on the lot
    `aging_days` days or more, `estimate` when its estimate (same currency) is `gap` (a share) or more below
    its asking price. Once per car: a car told about is not looked at again."""
    if fired:
        return AgingCheck((), None)
    fire = []
    if (today - listed).days >= aging_days:
        fire.append("days")
    if estimate is not None and estimate <= asking * (ONE - gap):
        fire.append("estimate")
    if fire:
        return AgingCheck(tuple(fire), None)
    return AgingCheck((), aging_due(listed, aging_days, today))


# ----------------------------------------------------------------- saved searches
def search_event(old: Image | None, new: Image | None) -> str | None:
    """What a car's change means to saved searches: `arrived` when it enters the public listing,
    `price_drop` when a listed car's asking price falls; else None."""
    if not is_listed(new):
        return None
    if not is_listed(old):
        return "arrived"
    if old is not None and new is not None and old.get("currency") == new.get("currency") and \
            Decimal(str(new["asking_price"])) < Decimal(str(old["asking_price"])):
        return "price_drop"
    return None


def search_partitions(make: str, model: str) -> tuple[str, str]:
    """The saved-search index partitions a car of this make and model can match: the model's own and the
    make's any-model one."""
    return f"SEARCH#{key_of(make)}#{key_of(model)}", f"SEARCH#{key_of(make)}#*"


def search_partition(make: str, model: str | None) -> str:
    return f"SEARCH#{key_of(make)}#{key_of(model) if model else '*'}"
