"""What a batch of shop stream records causes: the customer's email on every order status, and the
storefront's documents on S3 when the shop or a listing changes.

Per record (a bad record fails only itself, and Lambda redelivers from it): an order's insert or
status change becomes an outbox message put once on its deterministic id (core.mailer sends it once).
Per batch: each touched shop's index and touched products' pages are republished once (coalesced),
from what is stored now, so a replay writes the same documents.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit

from ..core.alerts import put_once
from ..core.observability import logger, metrics
from ..core.rollups import Contribution, apply_contributions
from ..core.streams import process_batch, raw_images
from . import promotions, returns, storefront
from .notifications import is_order, order_emails
from .texts import order_texts

if TYPE_CHECKING:  # the type only: stream invocations import it when they run
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord


def handle_shop_batch(event: dict[str, Any]) -> dict[str, Any]:
    pages: dict[str, set[str] | None] = {}  # org → products whose pages to republish (None: all)
    seqs: dict[str, list[str]] = {}
    promos = promotions.PromotionBatch()  # coupon uses given back, weekly sales, promotion charts
    contributions: list[Contribution] = []  # the return rate's rollups (item 3)

    def on_record(record: DynamoDBRecord) -> None:
        old, new = raw_images(record)
        img = new or old or {}
        sk = str(img.get("sk", ""))
        seq = str(record.dynamodb.sequence_number if record.dynamodb else "")
        rolled = returns.contribution(str(record.event_id), seq, old, new)
        if rolled is not None:
            contributions.append(rolled)
        if returns.is_return(img):  # a return's emails, and its restocked units in the ledger (once)
            sent = sum(put_once(m) for m in returns.return_emails(old, new))
            returns.restock_from_image(new)
            if sent:
                metrics.add_metric(name="ShopEmails", unit=MetricUnit.Count, value=sent)
            return
        if sk == "SHOP" or sk.startswith("LISTING#"):
            org_id = str(img["org_id"])
            seqs.setdefault(org_id, []).append(str(record.dynamodb.sequence_number if record.dynamodb else ""))
            if sk == "SHOP":
                pages[org_id] = None
                if old and new and old.get("handle") != new.get("handle"):
                    storefront.unpublish_handle(org_id, str(old["handle"]))
            elif pages.get(org_id, set()) is not None:
                pages.setdefault(org_id, set()).add(str(img["product_id"]))  # type: ignore[union-attr]
            return
        if sk.startswith("PROMO#"):  # a promotion changed, started or ended: every price may move
            org_id = str(img["org_id"])
            pages[org_id] = None
            seqs.setdefault(org_id, []).append(str(record.dynamodb.sequence_number if record.dynamodb else ""))
            promos.on_promotion(str(record.dynamodb.sequence_number if record.dynamodb else ""), old, new)
            return
        if not is_order(new):
            return
        promos.on_order(str(record.event_id), str(record.dynamodb.sequence_number if record.dynamodb else ""),
                        old, new)
        sent = sum(put_once(m) for m in returns.with_order_link(new, order_emails(old, new)))  # raises → only this record fails
        sent += sum(put_once(m) for m in order_texts(old, new))  # texts to who opted in (shop.texts)
        if sent:
            metrics.add_metric(name="ShopEmails", unit=MetricUnit.Count, value=sent)

    def after_records() -> set[str]:
        failed: set[str] = set(apply_contributions(contributions).failed_sequences) if contributions else set()
        for org_id, products in pages.items():
            try:
                storefront.publish_shop(org_id, products)
            except Exception:
                logger.exception("storefront publish failed", extra={"org_id": org_id})
                failed.update(seqs.get(org_id, []))
        return failed | promos.after()

    return process_batch(event, on_record, after_records)


# ---- texts (issue 13 item 7): received texts, from the two-way SMS topic (app.py's on_inbound_sms)
def handle_inbound_sms(event: dict[str, Any]) -> dict[str, Any]:
    """STOP/START for core.sms; any other text becomes a help desk ticket or the shop's inquiry."""
    from ..core.sms import handle_inbound_event
    from .texts import receive_inquiry

    return handle_inbound_event(event, receive_inquiry)
# ----------------------------------------------------------------- channels' stock (item 4)
CHANNEL_FIELDS = ("kind", "location_id", "buffer", "active", "webhook_url")


def handle_channel_batch(event: dict[str, Any]) -> dict[str, Any]:
    """Each channel's available-to-sell after a batch of the inventory stream (positions, products) or
    the shop stream (channels, listings): every touched channel refreshed once (feeds.refresh_org), from
    what is stored now; a replay changes nothing and sends no webhook. A failed refresh fails the
    records of its organisation."""
    from . import feeds

    touched: dict[str, tuple[dict[str, set[str]], set[str], set[str]]] = {}  # org → (loc → products, anywhere, whole)
    seqs: dict[str, list[str]] = {}

    def note(org_id: str, record: DynamoDBRecord) -> tuple[dict[str, set[str]], set[str], set[str]]:
        seqs.setdefault(org_id, []).append(str(record.dynamodb.sequence_number if record.dynamodb else ""))
        return touched.setdefault(org_id, ({}, set(), set()))

    def on_record(record: DynamoDBRecord) -> None:
        old, new = raw_images(record)
        img = new or old or {}
        sk, pk = str(img.get("sk", "")), str(img.get("pk", ""))
        if not pk.startswith("ORG#") or "org_id" not in img:
            return
        org_id = str(img["org_id"])
        if sk.startswith("POS#"):
            note(org_id, record)[0].setdefault(str(img["location_id"]), set()).add(str(img["product_id"]))
        elif sk.startswith("PRODUCT#") or sk.startswith("LISTING#"):
            note(org_id, record)[1].add(str(img.get("product_id") or img.get("id") or sk.split("#", 1)[1]))
        elif sk.startswith("CHANNEL#") and pk == f"ORG#{org_id}":
            if old is None or new is None or any(old.get(f) != new.get(f) for f in CHANNEL_FIELDS):
                note(org_id, record)[2].add(str(img["id"]))

    def after_records() -> set[str]:
        failed: set[str] = set()
        for org_id, (locations, everywhere, whole) in touched.items():
            try:
                feeds.refresh_org(org_id, locations, everywhere, whole)
            except Exception:
                logger.exception("channel feeds failed", extra={"org_id": org_id})
                failed.update(seqs.get(org_id, []))
        return failed

    return process_batch(event, on_record, after_records)
