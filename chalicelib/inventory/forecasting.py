"""Demand forecasts: each product × location's forecast (the pure engine in rules/forecast.py), at
most once a day each, and the organisation's "forecast vs actual" chart (with the 80% and 95% bands). The hourly job
(jobs.forecast_positions) calls `forecast_org` per organisation.

A position whose forecast is younger than `FRESH_FOR` is skipped, so an hourly schedule spreads the
day's work, and the work stops when its time budget is spent (the next run goes on). Per organisation: one BatchGetItem for its forecasts,
products and suppliers, one for the demand rollups; one PutItem per forecast; then the
organisation's "forecast vs actual" chart JSON to S3 (one Query of its forecasts).
"""
from __future__ import annotations

import math
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from ..core import charts, clock
from ..core.keys import org_pk
from ..core.money import fmt_quantity
from ..core.rollups import read_rollups
from . import catalogue
from .models import Forecast, Location, Position, Product, Supplier, item_key
from .rules import forecast as fc
from .rules.watch import series_key
from .schemas import ForecastSeriesOut, ForecastsOut

FRESH_FOR = timedelta(hours=20)
HORIZON = 28
BACKTEST = 28
HISTORY_DAYS = 3 * 365 + BACKTEST  # three years: enough for a yearly season to be seen and taken out
SEASONS = (7, 365)  # weekdays and the year, each used when the history shows it
SERVICE_LEVEL = 0.95
DEFAULT_LEAD_TIME = 7
CHART = "forecast"


def _q(v: float, places: str = "0.001") -> Decimal:
    return Decimal(str(round(max(v, 0.0), 6))).quantize(Decimal(places))


def demand_history(totals: dict[tuple[str, str], dict[str, Decimal]], org_id: str, product_id: str, location_id: str, end: date, days: int) -> list[float]:
    """The series' daily demand for the `days` days before `end`, oldest first (missing days are 0)."""
    out: list[float] = []
    for i in range(days, 0, -1):
        d = end - timedelta(days=i)
        out.append(float(totals.get(series_key(org_id, product_id, location_id, str(d.year)), {})
                         .get(f"{d:%m-%d}", 0)))
    return out


def compute(pos: Position, history: list[float], lead_time_days: int, today: date) -> Forecast:
    """A position's forecast item from its history (ending yesterday): the next days with their 80% and
    95% bands, days of cover, the day stock may run out and the reorder point (both at the service
    level, from the distribution of demand over the lead time), and a backtest of the same engine 28
    days ago."""
    result = fc.forecast(history, max(HORIZON, lead_time_days), SEASONS, demand=True)
    on_hand = float(pos.on_hand)
    cover = fc.days_of_cover(on_hand, result.mean)
    out = fc.stockout_date(today, on_hand, result, SERVICE_LEVEL)
    rp = fc.reorder_point(result, lead_time_days, SERVICE_LEVEL)
    past, actual = history[:-BACKTEST], history[-BACKTEST:]
    backtest = fc.forecast(past, BACKTEST, SEASONS, demand=True).mean
    demand_seen = fc.clean(past, demand=True)
    score = fc.mase(actual, backtest, demand_seen) if len(demand_seen) > 14 else None

    def days(values: list[float]) -> list[Decimal]:
        return [_q(v) for v in values[:HORIZON]]

    return Forecast(
        *item_key(pos.org_id, "FORECAST", f"{pos.product_id}#{pos.location_id}"), org_id=pos.org_id,
        product_id=pos.product_id, location_id=pos.location_id, method=result.method, note=result.note or None,
        daily=days(result.mean), lower_80=days(result.lower[80]), upper_80=days(result.upper[80]),
        lower_95=days(result.lower[95]), upper_95=days(result.upper[95]),
        days_of_cover=None if cover is None else _q(cover, "0.1"),
        stockout_date=None if out is None else out.isoformat(), suggested_reorder_point=_q(math.ceil(rp), "1"),
        service_level=Decimal(str(SERVICE_LEVEL)), sigma=_q(result.sigma), lead_time_days=lead_time_days,
        actual=[_q(v) for v in actual], backtest=[_q(v) for v in backtest],
        backtest_mase=None if score is None or score == float("inf") else _q(score),
        computed_on=today.isoformat(), computed_at=clock.iso_now())


def _fresh(f: Forecast | None, now: datetime) -> bool:
    if f is None:
        return False
    try:
        at = datetime.fromisoformat(f.computed_at.replace("Z", "+00:00"))
    except ValueError:
        return False
    return now - at < FRESH_FOR


def forecast_org(org_id: str, positions: list[Position], now: datetime, started: float,
                 budget: float) -> tuple[int, int, int]:
    """Forecast an organisation's stale positions while the budget (seconds since `started`, a
    monotonic time) lasts, then publish its chart: (forecast, fresh already, left for the next run)."""
    today = now.date()
    existing = {(f.product_id, f.location_id): f for f in Forecast.batch_get(
        [item_key(org_id, "FORECAST", f"{p.product_id}#{p.location_id}") for p in positions])}
    stale = [p for p in positions if not _fresh(existing.get((p.product_id, p.location_id)), now)]
    if not stale:
        return 0, len(positions), 0
    products = catalogue.many(Product, "PRODUCT", org_id, {p.product_id for p in stale})
    suppliers = catalogue.many(Supplier, "SUPPLIER", org_id,
                               {p.supplier_id for p in products.values() if p.supplier_id})
    days = HISTORY_DAYS
    years = sorted({str((today - timedelta(days=days)).year), str(today.year)})
    totals = read_rollups([series_key(org_id, p.product_id, p.location_id, y) for p in stale for y in years])
    done = 0
    for i, pos in enumerate(stale):
        if time.monotonic() - started > budget:
            return done, len(positions) - len(stale), len(stale) - i
        product = products.get(pos.product_id)
        supplier = suppliers.get(product.supplier_id) if product and product.supplier_id else None
        lead = int(supplier.lead_time_days) if supplier is not None else DEFAULT_LEAD_TIME
        history = demand_history(totals, org_id, pos.product_id, pos.location_id, today, days)
        compute(pos, history, lead, today).save()
        done += 1
    publish_chart(org_id, products)
    return done, len(positions) - len(stale), 0


def forecasts_of(org_id: str) -> list[Forecast]:
    return list(Forecast.query(org_pk(org_id), Forecast.sk.startswith("FORECAST#")))


def chart_document(items: list[Forecast], names: dict[str, str], locations: dict[str, str], today: str,
                   generated_at: str) -> ForecastsOut:
    """Forecast against actual per series: the last 28 days (actual, and what was forecast for them
    28 days before) and the next 28 days' forecast; the series with most demand first."""
    def num(v: Any) -> str:
        return fmt_quantity(v)

    def nums(values: Any) -> list[str]:
        return [fmt_quantity(v) for v in values or []]

    rows: list[ForecastSeriesOut] = []
    def demand(f: Forecast) -> Decimal:
        daily: list[Any] = list(f.daily or [])
        return sum(daily, Decimal(0))

    for f in sorted(items, key=lambda f: (-demand(f), f.product_id, f.location_id)):
        start = date.fromisoformat(f.computed_on or today)
        rows.append(ForecastSeriesOut(
            product_id=f.product_id, location_id=f.location_id,
            product=names.get(f.product_id, f.product_id), location=locations.get(f.location_id, f.location_id),
            method=f.method, computed_on=f.computed_on,
            past_days=[(start - timedelta(days=len(f.actual or []) - i)).isoformat() for i in range(len(f.actual or []))],
            actual=nums(f.actual), backtest=nums(f.backtest),
            days=[(start + timedelta(days=i)).isoformat() for i in range(len(f.daily or []))],
            forecast=nums(f.daily), lower_80=nums(f.lower_80), upper_80=nums(f.upper_80),
            lower_95=nums(f.lower_95), upper_95=nums(f.upper_95), note=f.note,
            days_of_cover=None if f.days_of_cover is None else num(f.days_of_cover),
            stockout_date=f.stockout_date,
            suggested_reorder_point=None if f.suggested_reorder_point is None else num(f.suggested_reorder_point),
            service_level=None if f.service_level is None else num(f.service_level),
            lead_time_days=None if f.lead_time_days is None else int(f.lead_time_days),
            backtest_mase=None if f.backtest_mase is None else num(f.backtest_mase),
        ))
    return ForecastsOut(generated_at=generated_at, today=today, series=rows)


def publish_chart(org_id: str, products: dict[str, Product] | None = None) -> ForecastsOut:
    items = forecasts_of(org_id)
    missing = {f.product_id for f in items} - set(products or {})
    products = {**(products or {}), **catalogue.many(Product, "PRODUCT", org_id, missing)}
    locations = {i: lo.name for i, lo in catalogue.many(Location, "LOCATION", org_id,
                                                         {f.location_id for f in items}).items()}
    doc = chart_document(items, {p.id: p.name for p in products.values()}, locations,
                         clock.now().date().isoformat(), clock.iso_now())
    charts.publish(org_pk(org_id), CHART, doc.model_dump(mode="json"))
    return doc


def chart_for(org_id: str) -> ForecastsOut:
    """The precomputed forecast chart (empty until the job has run)."""
    doc = charts.read(org_pk(org_id), CHART)
    if doc is None:
        return ForecastsOut(generated_at="", today=clock.now().date().isoformat(), series=[])
    return ForecastsOut.model_validate(doc)
