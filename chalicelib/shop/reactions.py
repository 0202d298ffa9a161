"""What a batch of shop stream records causes: the customer's email on every order status.

Per record (a bad record fails only itself, and Lambda redelivers from it): an order's insert or
status change becomes an outbox message put once on its deterministic id (core.mailer sends it once).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit

from ..core.alerts import put_once
from ..core.observability import metrics
from ..core.streams import process_batch, raw_images
from .notifications import is_order, order_emails

if TYPE_CHECKING:  # the type only: stream invocations import it when they run
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord


def handle_shop_batch(event: dict[str, Any]) -> dict[str, Any]:
    def on_record(record: DynamoDBRecord) -> None:
        old, new = raw_images(record)
        if not is_order(new):
            return
        sent = sum(put_once(m) for m in order_emails(old, new))  # raises → only this record fails
        if sent:
            metrics.add_metric(name="ShopEmails", unit=MetricUnit.Count, value=sent)

    return process_batch(event, on_record)
