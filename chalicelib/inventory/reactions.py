"""What a batch of inventory-table stream records causes: rollups, stock alerts, backorder emails, charts.

Per record (a bad record fails only itself): movements become rollup deltas (`watch`), position
changes become stock firings, filled backorders become customer emails.
Per batch: the deltas are coalesced and applied exactly once (core.rollups); the firings' outbox
messages are put conditionally on their deterministic ids (a replay sends nothing twice); each
touched organisation's chart JSON is republished.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from ..core import charts, clock
from ..core.alerts import firing_id, outbox_message, put_once, unsubscribe_url
from ..core.models import Organisation, OutboxMessage, Profile
from ..core.observability import logger, metrics
from ..core.orgs import MANAGERS, members, org_pk
from ..core.profiles import alerts_enabled, profile_key
from ..core.rollups import Contribution, apply_contributions, read_rollups
from ..core.settings import get_settings
from ..core.streams import process_batch, raw_images
from . import watch
from .models import Location, Product

CHART = "inventory"


class OrgContext:
    """An organisation's names, managers and catalogue entries, each read at most once per batch."""

    def __init__(self) -> None:
        self._orgs: dict[str, Organisation | None] = {}
        self._managers: dict[str, list[Profile]] = {}
        self._items: dict[tuple[str, str], Any] = {}

    def org_name(self, org_id: str) -> str:
        if org_id not in self._orgs:
            try:
                self._orgs[org_id] = Organisation.get(org_pk(org_id), "META")
            except Organisation.DoesNotExist:
                self._orgs[org_id] = None
        org = self._orgs[org_id]
        return org.name if org else "Your organisation"

    def managers(self, org_id: str) -> list[Profile]:
        """Owners' and managers' profiles: who gets stock alerts."""
        if org_id not in self._managers:
            subs = [m.sub for m in members(org_id) if m.role in MANAGERS]
            self._managers[org_id] = list(Profile.batch_get([profile_key(s) for s in subs])) if subs else []
        return self._managers[org_id]

    def _get(self, model, org_id: str, sk: str):
        if (org_id, sk) not in self._items:
            try:
                self._items[(org_id, sk)] = model.get(org_pk(org_id), sk)
            except model.DoesNotExist:
                self._items[(org_id, sk)] = None
        return self._items[(org_id, sk)]

    def product(self, org_id: str, product_id: str) -> Product | None:
        return self._get(Product, org_id, f"PRODUCT#{product_id}")

    def location(self, org_id: str, location_id: str) -> Location | None:
        return self._get(Location, org_id, f"LOCATION#{location_id}")

    def products(self, org_id: str) -> dict[str, dict]:
        out = {}
        for p in Product.query(org_pk(org_id), Product.sk.startswith("PRODUCT#")):
            out[p.id] = {"name": p.name, "sku": p.sku, "currency": p.currency}
        return out


# The dashboard's stock page (a hash route of the static site): the email links to what it is about.
STOCK_PAGE = "#/inventory/stock"


def stock_messages(f: watch.StockFiring, ctx: OrgContext) -> list[OutboxMessage]:
    product = ctx.product(f.org_id, f.product_id)
    location = ctx.location(f.org_id, f.location_id)
    name, sku = (product.name, product.sku) if product else (f.product_id, "")
    where = location.name if location else f.location_id
    s = get_settings()
    subject, text, html = watch.stock_email(f, name, sku, where, ctx.org_name(f.org_id),
                                         s.dashboard_url + STOCK_PAGE)
    out = []
    for p in ctx.managers(f.org_id):
        if not p.email or not alerts_enabled(p, "stock"):
            continue
        out.append(outbox_message(
            id=firing_id("stock", f.org_id, f.product_id, f.location_id, f.state, str(f.version), p.sub),
            scope=org_pk(f.org_id), recipient=p.email, alert_type="stock", rule=f"stock:{f.state}",
            threshold=f.state, period=str(f.version), value=f.on_hand, subject=subject, text=text, html=html,
            details={"org_id": f.org_id, "product_id": f.product_id, "location_id": f.location_id,
                     "state": f.state, "on_hand": str(f.on_hand), "level": str(f.level)},
            unsubscribe_url=(unsubscribe_url(s.api_url, p.sub, p.unsubscribe_token, "stock")
                             if p.unsubscribe_token else None),
        ))
    return out


def backorder_message(b: dict, ctx: OrgContext) -> OutboxMessage | None:
    if not b.get("customer_email"):
        return None
    org_id = b["org_id"]
    product = ctx.product(org_id, b["product_id"])
    location = ctx.location(org_id, b["location_id"])
    subject, text, html = watch.backorder_email(
        b.get("customer_name") or "there", Decimal(str(b["quantity"])), product.name if product else "your item",
        ctx.org_name(org_id), location.name if location else "the store")
    return outbox_message(
        id=firing_id("backorder", org_id, b["id"], "filled"), scope=org_pk(org_id), recipient=b["customer_email"],
        alert_type="backorder", rule="backorder:filled", threshold="filled", period=str(b.get("filled_at") or ""),
        value=Decimal(str(b["quantity"])), subject=subject, text=text, html=html,
        details={"org_id": org_id, "backorder_id": b["id"], "product_id": b["product_id"]})


def publish_chart(org_id: str, ctx: OrgContext, known: dict) -> None:
    today = clock.now().date()
    years = sorted({str(today.year), str(today.year - 1)})
    months = sorted({f"{today:%Y-%m}"})
    keys = [watch.year_key(org_id, y) for y in years] + [watch.all_key(org_id)] + \
        [watch.month_key(org_id, m) for m in months]
    totals = {k: known[k] for k in keys if k in known}
    totals.update(read_rollups([k for k in keys if k not in totals]))
    products = ctx.products(org_id)
    currency = next((p["currency"] for p in products.values()), "USD")
    doc = watch.chart_document(
        today=today, years={y: totals.get(watch.year_key(org_id, y), {}) for y in years},
        all_totals=totals.get(watch.all_key(org_id), {}),
        months={m: totals.get(watch.month_key(org_id, m), {}) for m in months},
        products=products, currency=currency, generated_at=clock.iso_now())
    charts.publish(org_pk(org_id), CHART, doc)


def handle_inventory_batch(event: dict) -> dict:
    ctx = OrgContext()
    contributions: list[Contribution] = []
    seqs_by_org: dict[str, list[str]] = {}

    def on_record(record) -> None:
        old, new = raw_images(record)
        seq = record.dynamodb.sequence_number
        if watch.is_movement(new) and not old:
            c = Contribution(record.event_id, seq)
            for key, name, amount in watch.movement_contributions(new):
                c.add(key, name, amount)
            contributions.append(c)
            seqs_by_org.setdefault(new["org_id"], []).append(seq)
            return
        messages: list[OutboxMessage] = []
        for f in watch.stock_firings(old, new):
            messages.extend(stock_messages(f, ctx))
        if watch.backorder_filled(old, new):
            msg = backorder_message(new, ctx)
            if msg is not None:
                messages.append(msg)
        sent = sum(put_once(m) for m in messages)  # raises → only this record fails and is retried
        if sent:
            metrics.add_metric(name="StockAlertsFired", unit=MetricUnit.Count, value=sent)

    def after_records() -> set[str]:
        result = apply_contributions(contributions)
        metrics.add_metric(name="RollupWrites", unit=MetricUnit.Count, value=result.writes)
        failed = set(result.failed_sequences)
        for org_id, seqs in seqs_by_org.items():
            try:
                publish_chart(org_id, ctx, result.rollups)
            except Exception:
                logger.exception("inventory chart publish failed", extra={"org_id": org_id})
                failed.update(seqs)
        return failed

    return process_batch(event, on_record, after_records)


def chart_for(org_id: str, show_costs: bool) -> dict[str, Any]:
    doc = charts.read(org_pk(org_id), CHART)
    if doc is None:
        doc = watch.chart_document(today=clock.now().date(), years={}, all_totals={}, months={}, products={},
                                   currency="USD", generated_at="")
    if not show_costs:
        doc.pop("costs", None)
    return doc
