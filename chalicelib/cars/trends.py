"""Value and demand over time: the estimates the stream's rollups need, and the dealer's cars chart JSON
(price index, days on lot, demand per model and week), rebuilt from the rollups after each stream batch,
published to S3 (private) and served by `GET /orgs/{o}/car-insights`."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Mapping

from ..core import charts, clock
from ..core.keys import org_pk
from ..core.rollups import RollupKey, read_rollups
from .rules import trends as rules
from .schemas import CarsInsightsOut, VehicleIn
from .valuations import valuation

CHART = "cars"


def estimate(image: Mapping[str, Any], on: date) -> tuple[Decimal, str] | None:
    """The P50 of a car's estimate on a day (None when the car cannot be valued then, e.g. registered later)."""
    attrs = {name: image.get(name) for name in VehicleIn.model_fields}
    attrs["options"] = list(attrs.get("options") or [])
    attrs["mileage_unit"] = attrs.get("mileage_unit") or "km"
    try:
        out = valuation(attrs, on)
    except (ValueError, KeyError, TypeError):
        return None
    return Decimal(out.p50), out.currency


def _keys(org_id: str, today: date) -> tuple[list[RollupKey], list[int], list[int]]:
    years = sorted({today.year - 1, today.year})
    iso_years = sorted({today.isocalendar()[0] - 1, today.isocalendar()[0]})
    keys = [rules.year_key(org_id, y) for y in years] + [rules.stock_key(org_id)] + \
        [rules.demand_key(org_id, s, y) for y in iso_years for s in range(rules.DEMAND_SHARDS)]
    return keys, years, iso_years


def chart_document(org_id: str, known: Mapping[RollupKey, Mapping[str, Decimal]] | None = None) -> dict[str, Any]:
    """The chart from the rollups (those in `known`, just written, are not read again)."""
    today = clock.now().date()
    keys, years, iso_years = _keys(org_id, today)
    totals: dict[RollupKey, Mapping[str, Decimal]] = {k: known[k] for k in keys if known and k in known}
    totals.update(read_rollups([k for k in keys if k not in totals]))
    return rules.chart_document(
        today=today, years={y: totals.get(rules.year_key(org_id, y), {}) for y in years},
        stock=totals.get(rules.stock_key(org_id), {}),
        demand={y: [totals.get(rules.demand_key(org_id, s, y), {}) for s in range(rules.DEMAND_SHARDS)]
                for y in iso_years},
        generated_at=clock.iso_now())


def publish_chart(org_id: str, known: Mapping[RollupKey, Mapping[str, Decimal]] | None = None) -> dict[str, Any]:
    doc = chart_document(org_id, known)
    charts.publish(org_pk(org_id), CHART, doc)
    return doc


def chart_for(org_id: str) -> CarsInsightsOut:
    """The published chart (empty until the stream has published it)."""
    doc = charts.read(org_pk(org_id), CHART)
    if doc is None:
        doc = rules.chart_document(today=clock.now().date(), years={}, stock={}, demand={}, generated_at="")
    return CarsInsightsOut.model_validate(doc)
