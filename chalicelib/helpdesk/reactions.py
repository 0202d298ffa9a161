"""What a batch of help-desk stream records causes: the customer's and the agents' emails.

Per record (a bad record fails only itself, and Lambda redelivers from it): a ticket's change or a
new public reply becomes outbox messages, put once on their deterministic ids, so a replayed or
redelivered record sends nothing twice (core.mailer then sends each once).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit

from ..core.alerts import put_once
from ..core.observability import metrics
from ..core.streams import process_batch, raw_images
from .kb_index import ArticleChanges
from .notifications import Tickets, is_message, is_ticket, message_emails, ticket_emails

if TYPE_CHECKING:  # the type only: stream invocations import it when they run
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord


def handle_helpdesk_batch(event: dict[str, Any]) -> dict[str, Any]:
    tickets = Tickets()
    kb_changes = ArticleChanges()

    def on_record(record: DynamoDBRecord) -> None:
        old, new = raw_images(record)
        if kb_changes.note(record, old, new):
            return
        if is_ticket(new):
            messages = ticket_emails(old, new)
        elif is_message(new):
            messages = message_emails(old, new, tickets)
        else:
            return
        sent = sum(put_once(m) for m in messages)  # raises → only this record fails and is retried
        if sent:
            metrics.add_metric(name="HelpdeskEmails", unit=MetricUnit.Count, value=sent)

    return process_batch(event, on_record, kb_changes.rebuild)
