"""Aging stock: the dealer's settings, the work list the cars stream keeps (an AgingWatch per car in
stock, on the sparse `by_aging_due` index under its next due day), and the daily job that reads only the
due entries (a Query per shard, never a Scan) and emails the dealer's managers once per car."""
from __future__ import annotations

from datetime import date
from html import escape
from decimal import Decimal
from typing import Any, Mapping

from ..core import clock
from ..core.alert_rules import firing_id, unsubscribe_url
from ..core.alerts import outbox_message, put_once
from ..core.db import find, save_if
from ..core.errors import Conflict, InvalidInput
from ..core.keys import org_pk
from ..core.money import fmt
from ..core.orgs import alert_recipients, org_names
from ..core.settings import get_settings
from ..core.shards import JOB_SHARDS, shard_of
from .models import AgingWatch, Car, CarSettings, car_key, settings_key, watch_key
from .rules import trends as rules
from .schemas import CarSettingsIn, CarSettingsOut

DEFAULT_DAYS, DEFAULT_GAP = 60, Decimal("0.10")
STOCK_PAGE = "#/cars/stock"


def read_settings(org_id: str) -> CarSettings | None:
    return find(CarSettings, *settings_key(org_id))


def limits(org_id: str, cache: dict[str, tuple[int, Decimal]] | None = None) -> tuple[int, Decimal]:
    if cache is not None and org_id in cache:
        return cache[org_id]
    s = read_settings(org_id)
    out = (int(s.aging_days), Decimal(s.estimate_gap)) if s else (DEFAULT_DAYS, DEFAULT_GAP)
    if cache is not None:
        cache[org_id] = out
    return out


def settings_out(org_id: str) -> CarSettingsOut:
    s = read_settings(org_id)
    if s is None:
        return CarSettingsOut(aging_days=DEFAULT_DAYS, estimate_gap=f"{DEFAULT_GAP:f}", version=None)
    return CarSettingsOut(aging_days=int(s.aging_days), estimate_gap=f"{Decimal(s.estimate_gap):f}",
                          version=int(s.version))


def put_settings(org_id: str, data: CarSettingsIn) -> CarSettingsOut:
    """Save the settings at the version read; the cars in stock are then due again at their new N-th day."""
    current = read_settings(org_id)
    if (current is None) != (data.version is None) or (current is not None and int(current.version) != data.version):
        raise Conflict("the settings changed since you read them", field="version",
                       extra={"current": settings_out(org_id).model_dump(mode="json")})
    gap = Decimal(data.estimate_gap)
    if not Decimal(0) < gap < Decimal(1):
        raise InvalidInput("a share between 0 and 1", field="estimate_gap")
    item = current or CarSettings(*settings_key(org_id))
    item.aging_days, item.estimate_gap, item.updated_at = data.aging_days, gap, clock.iso_now()
    save_if(item, None, otherwise=lambda: Conflict("the settings changed since you read them", field="version"))
    today = clock.now().date()
    for w in AgingWatch.query(org_pk(org_id), AgingWatch.sk.startswith("AGING#")):
        _schedule(w, data.aging_days, today)
        w.save()
    return settings_out(org_id)


def _schedule(w: AgingWatch, aging_days: int, today: date) -> None:
    due = rules.aging_due(date.fromisoformat(w.listed_on), aging_days, today, tuple(str(f) for f in w.fired or []))
    if due is None:
        w.job_pk = w.job_sk = None
    else:
        w.job_pk = f"AGING#{shard_of(w.org_id + w.car_id)}"
        w.job_sk = f"{due.isoformat()}#{w.org_id}#{w.car_id}"


def sync_watch(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> None:
    """A car entering the stock gets its watch (due at its N-th day, and the estimate checked now: its asking
    price may be far above it); one leaving it loses the watch. An asking price change brings the estimate
    check forward to today."""
    if rules.in_stock(new):
        assert new is not None
        org_id, car_id = str(new["org_id"]), str(new["id"])
        existing = find(AgingWatch, *watch_key(org_id, car_id))
        price_changed = old is not None and rules.in_stock(old) and old.get("asking_price") != new.get("asking_price")
        if existing is not None and (not price_changed or existing.fired):
            return  # watched already (or told already: once per car)
        w = existing or AgingWatch(*watch_key(org_id, car_id), car_id=car_id, org_id=org_id,
                                   listed_on=rules.listed_on(new).isoformat(), fired=[])
        today = clock.now().date()  # the estimate is looked at today: the asking price may be far above it
        w.job_pk = f"AGING#{shard_of(org_id + car_id)}"
        w.job_sk = f"{today.isoformat()}#{org_id}#{car_id}"
        w.save()
    elif rules.in_stock(old):
        assert old is not None
        AgingWatch(*watch_key(str(old["org_id"]), str(old["id"]))).delete()


def _messages(car: Car, reasons: tuple[str, ...], days: int, estimate: tuple[Decimal, str] | None,
              org_name: str) -> list[Any]:
    """The car's one aging email to each owner and manager with stock alerts on, naming every reason that holds."""
    s = get_settings()
    name = f"{car.make} {car.model} {car.trim}".strip()
    asking = f"{fmt(car.asking_price, car.currency)} {car.currency}"
    lines = []
    if "days" in reasons:
        lines.append(f"It has been in stock at {org_name} for {days} days.")
    if "estimate" in reasons and estimate is not None:
        lines.append(f"Its estimate, {fmt(estimate[0], estimate[1])} {estimate[1]}, is well below its asking price.")
    subject = (f"{name} has been on the lot {days} days" if "days" in reasons
               else f"{name}: its estimate is below the asking price")
    text = f"{name} (VIN {car.vin}, asking {asking}).\n" + "\n".join(lines) + \
        f"\n\nYour stock: {s.dashboard_url}{STOCK_PAGE}"
    html = "<p>" + "<br>".join(escape(line) for line in text.split("\n") if line) + "</p>"
    return [outbox_message(
        id=firing_id("cars-aging", car.org_id, car.id, p.sub), scope=org_pk(car.org_id), recipient=p.email,
        alert_type="stock", rule="cars-aging:" + "+".join(reasons), threshold="+".join(reasons), period=car.id,
        value=Decimal(days), subject=subject, text=text, html=html,
        details={"org_id": car.org_id, "car_id": car.id, "reasons": list(reasons)},
        unsubscribe_url=unsubscribe_url(s.api_url, p.sub, p.unsubscribe_token, "stock") if p.unsubscribe_token else None)
        for p in alert_recipients(car.org_id, "stock")]


def run_aging_job() -> dict[str, int]:
    """The due entries of every shard (Query `sk <= today~`): each car checked, its one email put once, its next
    due day set (or its index keys removed once told)."""
    from .trends import estimate

    today, cache, names = clock.now().date(), {}, {}  # type: ignore[var-annotated]
    stats = {"checked": 0, "emails": 0}
    for shard in range(JOB_SHARDS):
        for w in list(AgingWatch.by_aging_due.query(f"AGING#{shard}", AgingWatch.job_sk <= f"{today.isoformat()}~")):
            car = find(Car, *car_key(w.org_id, w.car_id))
            if car is None or car.status not in rules.STOCK_STATUSES:
                w.delete()
                continue
            stats["checked"] += 1
            days, gap = limits(w.org_id, cache)
            image = car.attribute_values
            est = estimate(image, today)
            same = est is not None and est[1] == car.currency
            check = rules.aging_check(listed=date.fromisoformat(w.listed_on), today=today, aging_days=days,
                                      asking=Decimal(car.asking_price), estimate=est[0] if same and est else None,
                                      gap=gap, fired=tuple(w.fired or []))
            if check.fire and w.org_id not in names:
                names.update(org_names([w.org_id]))
            if check.fire:
                for msg in _messages(car, check.fire, (today - date.fromisoformat(w.listed_on)).days,
                                     est if same else None, names.get(w.org_id, "your dealership")):
                    stats["emails"] += put_once(msg)
            w.fired = sorted({*(w.fired or []), *check.fire})
            _schedule(w, days, today)
            w.save()
    return stats
