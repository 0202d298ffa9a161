"""What a batch of help-desk stream records causes: the customer's and the agents' emails.

Per record (a bad record fails only itself, and Lambda redelivers from it): a ticket's change or a
new public reply becomes outbox messages, put once on their deterministic ids, so a replayed or
redelivered record sends nothing twice (core.mailer then sends each once).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit

from ..core.alerts import put_once
from ..core.observability import logger, metrics
from ..core.rollups import Contribution, apply_contributions
from ..core.streams import process_batch, raw_images
from . import insights
from .kb_index import ArticleChanges
from .inbound import remember
from .notifications import Tickets, is_message, is_ticket, message_emails, ticket_emails
from .rules import insights as insight_rules

if TYPE_CHECKING:  # the type only: stream invocations import it when they run
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord


def handle_helpdesk_batch(event: dict[str, Any]) -> dict[str, Any]:
    tickets = Tickets()
    kb_changes = ArticleChanges()
    contributions: list[Contribution] = []
    seqs_by_org: dict[str, list[str]] = {}

    def count(record: DynamoDBRecord, old: dict[str, Any] | None, new: dict[str, Any] | None) -> None:
        """The record's rollup deltas (insights), applied once per batch after the records."""
        if insight_rules.is_ticket(new) or insight_rules.is_ticket(old):
            deltas = insight_rules.ticket_contributions(old, new)
        elif insight_rules.is_deflection(new) and old is None:
            deltas = insight_rules.deflection_contributions(new)  # type: ignore[arg-type]
        else:
            return
        if not deltas:  # the sweep's own write, an edit of the text: nothing to count, no chart to redo
            return
        seq = str(record.dynamodb.sequence_number if record.dynamodb else "")
        c = Contribution(str(record.event_id), seq)
        for key, name, amount in deltas:
            c.add(key, name, amount)
        contributions.append(c)
        seqs_by_org.setdefault(str((new or old or {})["org_id"]), []).append(seq)

    def on_record(record: DynamoDBRecord) -> None:
        old, new = raw_images(record)
        if kb_changes.note(record, old, new):
            return
        count(record, old, new)
        if is_ticket(new):
            messages = ticket_emails(old, new)
        elif is_message(new):
            messages = message_emails(old, new, tickets)
        else:
            return
        image = new or {}
        ticket_id = str(image.get("id") if is_ticket(new) else image.get("ticket_id"))
        if is_ticket(new) and old is None:  # its reply address names it (issue 11 item 4)
            remember(f"ticket:{ticket_id}", str(image["org_id"]), ticket_id)
        for m in messages:  # an answer to this email names it by the Message-ID the mailer sets
            remember(f"out:{m.id[:16]}", str(image["org_id"]), ticket_id)
        sent = sum(put_once(m) for m in messages)  # raises → only this record fails and is retried
        if sent:
            metrics.add_metric(name="HelpdeskEmails", unit=MetricUnit.Count, value=sent)

    def after_records() -> set[str]:
        result = apply_contributions(contributions)
        failed = set(result.failed_sequences)
        for org_id, seqs in seqs_by_org.items():
            try:
                insights.publish_chart(org_id, result.rollups)
            except Exception:
                logger.exception("help desk chart publish failed", extra={"org_id": org_id})
                failed.update(seqs)
        return failed | kb_changes.rebuild()

    return process_batch(event, on_record, after_records)


def handle_mail_sent_batch(event: dict[str, Any]) -> dict[str, Any]:
    """The outbox stream, for the help desk: SES replaces the Message-ID of what it sends with its own
    (`<ses message id>@<region>.amazonses.com`), so once a help desk email is sent its SES id is
    recorded against its ticket; a reply whose address lost its ticket is matched by it."""

    def on_record(record: DynamoDBRecord) -> None:
        old, new = raw_images(record)
        if not new or new.get("alert_type") != "helpdesk" or new.get("status") != "sent" or not new.get("ses_message_id"):
            return
        if old is not None and old.get("status") == "sent":
            return
        details = new.get("details") or {}
        if details.get("ticket_id") and details.get("org_id"):
            remember(f"ses:{new['ses_message_id']}", str(details["org_id"]), str(details["ticket_id"]))

    return process_batch(event, on_record)


def handle_inbound_mail(event: dict[str, Any]) -> dict[str, Any]:
    """S3 object-created events of `inbound/` (SES receiving's stored emails)."""
    from .inbound import handle_s3_event

    return handle_s3_event(event)
