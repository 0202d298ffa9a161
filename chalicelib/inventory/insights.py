"""The organisation's inventory charts (sales, revenue, top sellers, waste, stock value, cost of
goods): built from the stream's rollups (rules.watch.chart_document), published as chart JSON to
S3 after each stream batch, and served from there with costs for owners and managers only."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..core import charts, clock
from ..core.keys import org_pk
from ..core.rollups import RollupKey, read_rollups
from .models import Product
from .rules import watch
from .schemas import InsightsOut

CHART = "inventory"


def product_names(org_id: str) -> dict[str, dict[str, str]]:
    """The organisation's products: {id: {name, sku, currency}} (one Query)."""
    return {p.id: {"name": p.name, "sku": p.sku, "currency": p.currency}
            for p in Product.query(org_pk(org_id), Product.sk.startswith("PRODUCT#"))}


def publish_chart(org_id: str, known: dict[RollupKey, dict[str, Decimal]],
                  products: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Rebuild and publish the chart JSON; rollups in `known` (just written) are not read again."""
    today = clock.now().date()
    years = sorted({str(today.year), str(today.year - 1)})
    months = sorted({f"{today:%Y-%m}"})
    keys = [watch.year_key(org_id, y) for y in years] + [watch.all_key(org_id)] + \
        [watch.month_key(org_id, m) for m in months]
    totals = {k: known[k] for k in keys if k in known}
    totals.update(read_rollups([k for k in keys if k not in totals]))
    currency = next((p["currency"] for p in products.values()), "USD")
    doc = watch.chart_document(
        today=today, years={y: totals.get(watch.year_key(org_id, y), {}) for y in years},
        all_totals=totals.get(watch.all_key(org_id), {}),
        months={m: totals.get(watch.month_key(org_id, m), {}) for m in months},
        products=products, currency=currency, generated_at=clock.iso_now())
    charts.publish(org_pk(org_id), CHART, doc)
    return doc


def chart_for(org_id: str, show_costs: bool) -> InsightsOut:
    """The published charts (empty until the stream has published them); `costs` for owners and
    managers only."""
    doc = charts.read(org_pk(org_id), CHART)
    if doc is None:
        doc = watch.chart_document(today=clock.now().date(), years={}, all_totals={}, months={}, products={},
                                   currency="USD", generated_at="")
    if not show_costs:
        doc.pop("costs", None)
    return InsightsOut.model_validate(doc)
