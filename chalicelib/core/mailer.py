"""The outbox mailer: each new outbox record is sent once through SES (an email) or SNS (a text, `channel`
sms: core.sms).

The outbox stream drives the first attempt; `retry_due_messages` (scheduled) retries failures and
messages whose sender died mid-send. A send first claims the message (pending → sending, with a
lease) by a conditional update, so two senders never both send it.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid

from aws_lambda_powertools.metrics import MetricUnit

from . import clock
from .aws import client
from .db import update_if
from .models import OutboxMessage
from .observability import logger, metrics
from .settings import get_settings
from .streams import process_batch, raw_images

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(minutes=1)


def _iso(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# SMTP line endings; long headers (a List-Unsubscribe URL) stay whole rather than RFC 2047-encoded.
MAIL_POLICY = SMTP.clone(max_line_length=998)


def mime(msg: OutboxMessage) -> bytes:
    """The email as raw MIME (text and HTML, then any text attachments), with List-Unsubscribe headers: SES's
    simple send drops them."""
    email = EmailMessage(policy=MAIL_POLICY)
    email["From"] = get_settings().mail_from
    email["To"] = msg.recipient
    email["Subject"] = msg.subject
    email["Message-ID"] = make_msgid(idstring=msg.id[:16], domain="tally")
    if msg.reply_to:
        email["Reply-To"] = msg.reply_to
    if msg.unsubscribe_url:
        email["List-Unsubscribe"] = f"<{msg.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"  # RFC 8058
    email.set_content(msg.text)
    email.add_alternative(msg.html, subtype="html")
    for a in msg.attachments or []:  # text files only (a calendar invite): multipart/mixed around the above
        maintype, _, rest = a.content_type.partition("/")
        subtype, *params = (p.strip() for p in rest.split(";"))
        if maintype != "text":
            raise ValueError(f"only text attachments are supported, not {a.content_type}")
        email.add_attachment(a.content, subtype=subtype, filename=a.filename,
                             params=dict(p.split("=", 1) for p in params if "=" in p))
    return email.as_bytes()


def claim(msg_id: str) -> OutboxMessage | None:
    """Take the message for sending, or None if it is sent, failed or leased to another sender."""
    now = _iso(clock.now())
    msg = OutboxMessage(msg_id)
    claimed = update_if(
        msg,
        [OutboxMessage.status.set("sending"), OutboxMessage.lease_until.set(_iso(clock.now() + LEASE)),
         OutboxMessage.attempts.add(1)],
        (OutboxMessage.status == "pending")
        | ((OutboxMessage.status == "sending") & (OutboxMessage.lease_until < now)),
    )
    return msg if claimed else None


def deliver(msg_id: str) -> bool:
    """Send one outbox message if it is still due; True if this call sent it."""
    msg = claim(msg_id)
    if msg is None:
        return False
    if msg.channel == "sms":
        return _deliver_text(msg)
    try:
        out = client("ses").send_raw_email(
            Source=get_settings().mail_from,
            Destinations=[msg.recipient],
            RawMessage={"Data": mime(msg)},
            Tags=[{"Name": "alert_type", "Value": msg.alert_type}],
        )
    except Exception as exc:  # SES refused or was unreachable: release for a retry
        failed = msg.attempts >= MAX_ATTEMPTS
        msg.update(actions=[
            OutboxMessage.status.set("failed" if failed else "pending"),
            OutboxMessage.last_error.set(str(exc)[:500]),
        ])
        metrics.add_metric(name="AlertSendFailed", unit=MetricUnit.Count, value=1)
        logger.warning("alert email failed", extra={"id": msg_id, "error": str(exc)})
        raise
    msg.update(actions=[
        OutboxMessage.status.set("sent"),
        OutboxMessage.sent_at.set(clock.iso_now()),
        OutboxMessage.ses_message_id.set(out["MessageId"]),
        OutboxMessage.lease_until.remove(),
    ])
    metrics.add_metric(name="AlertSent", unit=MetricUnit.Count, value=1)
    logger.info("alert email sent", extra={"id": msg_id, "alert_type": msg.alert_type})
    return True


def _deliver_text(msg: OutboxMessage) -> bool:
    """The sms channel (core.sms): the same claim, retries and bookkeeping, SNS instead of SES; a text
    the number did not agree to, or over its daily cap, is `skipped` (never retried)."""
    from .sms import TextSuppressed, send_text  # only the outbox's texts load it

    try:
        sms_id = send_text(msg)
    except TextSuppressed as why:
        msg.update(actions=[OutboxMessage.status.set("skipped"), OutboxMessage.last_error.set(str(why)),
                            OutboxMessage.lease_until.remove()])
        metrics.add_metric(name="SmsSkipped", unit=MetricUnit.Count, value=1)
        logger.info("text skipped", extra={"id": msg.id, "reason": str(why)})
        return False
    except Exception as exc:  # SNS refused or was unreachable: release for a retry
        msg.update(actions=[
            OutboxMessage.status.set("failed" if msg.attempts >= MAX_ATTEMPTS else "pending"),
            OutboxMessage.last_error.set(str(exc)[:500]),
        ])
        metrics.add_metric(name="SmsSendFailed", unit=MetricUnit.Count, value=1)
        logger.warning("text failed", extra={"id": msg.id, "error": str(exc)})
        raise
    msg.update(actions=[
        OutboxMessage.status.set("sent"),
        OutboxMessage.sent_at.set(clock.iso_now()),
        OutboxMessage.sms_message_id.set(sms_id),
        OutboxMessage.lease_until.remove(),
    ])
    metrics.add_metric(name="SmsSent", unit=MetricUnit.Count, value=1)
    logger.info("text sent", extra={"id": msg.id, "alert_type": msg.alert_type})
    return True


def _on_record(record: DynamoDBRecord) -> None:
    if record.event_name is None or record.event_name.name != "INSERT":
        return
    _old, new = raw_images(record)
    if new and new.get("status") == "pending":
        deliver(new["id"])


def handle_outbox_batch(event: dict) -> dict:
    return process_batch(event, _on_record)


def retry_due_messages() -> dict:
    """Retry messages still pending a minute after creation, and expired leases. Safe to run twice."""
    now = clock.now()
    sent = 0
    due = list(OutboxMessage.by_status.query("pending", OutboxMessage.created_at < _iso(now - RETRY_AFTER)))
    due += [m for m in OutboxMessage.by_status.query("sending") if (m.lease_until or "") < _iso(now)]
    for m in due:
        try:
            sent += deliver(m.id)
        except Exception:
            continue
    return {"due": len(due), "sent": sent}
