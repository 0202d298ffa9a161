"""What a batch of cars-table stream records causes: the public listing, the value and demand rollups
and chart, the aging-stock work list, saved-search emails.

Per record (a bad record fails only itself): a car's change keeps its listing card and page, its aging
watch, and emails matching saved searches (put once); cars, views, enquiries and bookings become rollup
deltas (rules.trends). Per batch: the deltas are coalesced and applied exactly once (core.rollups), each
touched make's listing shards are republished once, and each touched dealer's chart once."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from aws_lambda_powertools.metrics import MetricUnit

from ..core.db import find
from ..core.observability import logger, metrics
from ..core.orgs import org_names
from ..core.rollups import Contribution, apply_contributions
from ..core.streams import process_batch, raw_images
from . import aging, listing, photos, searches, trends
from .models import Car, car_key
from .rules import listing as listing_rules
from .rules import trends as rules

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord


class BatchContext:
    """Dealers' names and booked cars' make and model, each read at most once per batch."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.cars: dict[tuple[str, str], Car | None] = {}

    def dealer(self, org_id: str) -> str:
        if org_id not in self.names:
            self.names.update(org_names([org_id]))
            self.names.setdefault(org_id, "")
        return self.names[org_id]

    def with_model(self, booking: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
        """A booking image with its car's make and model (read once per car) when it names only `car_id`."""
        if booking is None or booking.get("make") or not booking.get("car_id"):
            return booking
        key = (str(booking["org_id"]), str(booking["car_id"]))
        if key not in self.cars:
            self.cars[key] = find(Car, *car_key(*key))
        car = self.cars[key]
        return {**booking, "make": car.make, "model": car.model} if car is not None else booking


def handle_cars_batch(event: dict[str, Any]) -> dict[str, Any]:
    ctx = BatchContext()
    contributions: list[Contribution] = []
    makes: dict[str, list[str]] = {}
    orgs: dict[str, list[str]] = {}

    def on_record(record: DynamoDBRecord) -> None:
        old, new = raw_images(record)
        seq = str(record.dynamodb.sequence_number if record.dynamodb else "")
        c = Contribution(str(record.event_id), seq)
        if listing_rules.is_car(new) or listing_rules.is_car(old):
            org_id = str((new or old or {})["org_id"])
            dealer = ctx.dealer(org_id)
            for mk in listing.sync_card(old, new, dealer):
                makes.setdefault(mk, []).append(seq)
            photos.expire_removed(old, new)
            aging.sync_watch(old, new)
            sent = searches.notify(old, new, dealer)
            if sent:
                metrics.add_metric(name="CarSearchEmails", unit=MetricUnit.Count, value=sent)
            deltas = rules.car_deltas(old, new, trends.estimate)
        elif rules.is_demand(new) or rules.is_demand(old):
            org_id, deltas = str((new or old or {})["org_id"]), rules.demand_deltas(old, new)
        elif rules.is_booking(new) or rules.is_booking(old):
            org_id = str((new or old or {})["org_id"])
            deltas = rules.booking_deltas(ctx.with_model(old), ctx.with_model(new), str(record.event_id))
        else:
            return
        for key, name, amount in deltas:
            c.add(key, name, amount)
        if c.deltas:
            contributions.append(c)
            orgs.setdefault(org_id, []).append(seq)

    def after_records() -> set[str]:
        result = apply_contributions(contributions)
        metrics.add_metric(name="RollupWrites", unit=MetricUnit.Count, value=result.writes)
        failed = set(result.failed_sequences)
        if makes:
            try:
                listing.publish(makes)
            except Exception:
                logger.exception("listing publish failed", extra={"makes": sorted(makes)})
                failed.update(s for seqs in makes.values() for s in seqs)
        for org_id, seqs in orgs.items():
            try:
                trends.publish_chart(org_id, result.rollups)
            except Exception:
                logger.exception("cars chart publish failed", extra={"org_id": org_id})
                failed.update(seqs)
        return failed

    return process_batch(event, on_record, after_records)
