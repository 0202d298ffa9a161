"""What a batch of inventory-table stream records causes: rollups, stock alerts, backorder emails, charts.

Per record (a bad record fails only itself): movements become rollup deltas (`watch`), position
changes become stock firings, filled backorders become customer emails.
Per batch: the deltas are coalesced and applied exactly once (core.rollups); the firings' outbox
messages are put conditionally on their deterministic ids (a replay sends nothing twice); each
touched organisation's chart JSON is republished (insights), and each touched product's availability
document for storefronts (availability: once per product per batch, whatever the records).
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from aws_lambda_powertools.metrics import MetricUnit

from ..core.alert_rules import firing_id, unsubscribe_url
from ..core.alerts import outbox_message, put_once
from ..core.db import find
from ..core.keys import org_pk
from ..core.models import Organisation, OutboxMessage
from ..core.observability import logger, metrics
from ..core.orgs import AlertRecipient, alert_recipients
from ..core.rollups import Contribution, apply_contributions
from ..core.settings import get_settings
from ..core.streams import process_batch, raw_images
from . import availability, insights
from .models import InventoryTable, Location, Product, item_key
from .rules import watch

if TYPE_CHECKING:  # imported for its type only: stream invocations import it when they run
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

T = TypeVar("T", bound=InventoryTable)


class OrgContext:
    """An organisation's names, managers and catalogue entries, each read at most once per batch."""

    def __init__(self) -> None:
        self._orgs: dict[str, Organisation | None] = {}
        self._managers: dict[str, list[AlertRecipient]] = {}
        self._items: dict[tuple[str, str], Any] = {}
        self._products: dict[str, dict[str, dict[str, str]]] = {}

    def org_name(self, org_id: str) -> str:
        if org_id not in self._orgs:
            self._orgs[org_id] = find(Organisation, org_pk(org_id), "META")
        org = self._orgs[org_id]
        return org.name if org else "Your organisation"

    def managers(self, org_id: str) -> list[AlertRecipient]:
        """Owners and managers who get stock alerts."""
        if org_id not in self._managers:
            self._managers[org_id] = alert_recipients(org_id, "stock")
        return self._managers[org_id]

    def _get(self, model: type[T], org_id: str, prefix: str, item_id: str) -> T | None:
        key = item_key(org_id, prefix, item_id)
        if key not in self._items:
            self._items[key] = find(model, *key)
        item = self._items[key]
        return item if isinstance(item, model) else None

    def product(self, org_id: str, product_id: str) -> Product | None:
        return self._get(Product, org_id, "PRODUCT", product_id)

    def location(self, org_id: str, location_id: str) -> Location | None:
        return self._get(Location, org_id, "LOCATION", location_id)

    def products(self, org_id: str) -> dict[str, dict[str, str]]:
        if org_id not in self._products:
            self._products[org_id] = insights.product_names(org_id)
        return self._products[org_id]


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


def backorder_message(b: watch.Image, ctx: OrgContext) -> OutboxMessage | None:
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


def handle_inventory_batch(event: dict[str, Any]) -> dict[str, Any]:
    ctx = OrgContext()
    contributions: list[Contribution] = []
    seqs_by_org: dict[str, list[str]] = {}
    seqs_by_product: dict[tuple[str, str], list[str]] = {}  # positions or products changed: availability

    def on_record(record: DynamoDBRecord) -> None:
        old, new = raw_images(record)
        seq = str(record.dynamodb.sequence_number if record.dynamodb else "")
        img = new or old or {}
        if watch.is_position(img) or str(img.get("sk", "")).startswith("PRODUCT#"):
            product_id = str(img.get("product_id") or img.get("id") or "")
            seqs_by_product.setdefault((str(img.get("org_id", "")), product_id), []).append(seq)
        if watch.is_movement(new) and not old:
            c = Contribution(str(record.event_id), seq)
            for key, name, amount in watch.movement_contributions(new):
                c.add(key, name, amount)
            contributions.append(c)
            seqs_by_org.setdefault(new["org_id"], []).append(seq)
            return
        messages: list[OutboxMessage] = []
        for f in watch.stock_firings(old, new):
            messages.extend(stock_messages(f, ctx))
        if new is not None and watch.backorder_filled(old, new):
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
                insights.publish_chart(org_id, result.rollups, ctx.products(org_id))
            except Exception:
                logger.exception("inventory chart publish failed", extra={"org_id": org_id})
                failed.update(seqs)
        for (org_id, product_id), seqs in seqs_by_product.items():
            try:
                availability.publish_availability(org_id, product_id)
            except Exception:
                logger.exception("availability publish failed", extra={"org_id": org_id, "product_id": product_id})
                failed.update(seqs)
        return failed

    return process_batch(event, on_record, after_records)
