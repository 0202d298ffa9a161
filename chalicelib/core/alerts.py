"""One alert mechanism for every module: the outbox half (the pure half is core.alert_rules).

A firing's outbox message has a deterministic id, so the first conditional put wins and a replay
adds nothing; the outbox stream then sends it once (core.mailer).
"""
from __future__ import annotations

from html import escape as html_escape
from decimal import Decimal

from . import clock
from .db import put_if_new
from .models import MailAttachment, OutboxMessage


def outbox_message(
    *,
    id: str,
    scope: str,
    recipient: str,
    alert_type: str,
    rule: str,
    threshold: str,
    period: str,
    value: Decimal | None,
    subject: str,
    text: str,
    html: str,
    details: dict | None = None,
    unsubscribe_url: str | None = None,
    reply_to: str | None = None,
    attachments: list[dict[str, str]] | None = None,
) -> OutboxMessage:
    """An outbox record: it drives the SES send and keeps what was sent, unsubscribe footer included;
    `reply_to` sets the Reply-To header (a help desk ticket's own address); `attachments` are text
    files ({filename, content_type, content}: a booking's calendar invite)."""
    if unsubscribe_url:
        text += f"\n\n--\nStop {alert_type} emails: {unsubscribe_url}\n"
        html += (f'<hr><p style="font-size:small">Stop {html_escape(alert_type)} emails: '
                 f'<a href="{html_escape(unsubscribe_url)}">unsubscribe</a></p>')
    return OutboxMessage(
        id,
        scope=scope,
        recipient=recipient,
        alert_type=alert_type,
        rule=rule,
        threshold=threshold,
        period=period,
        value=value,
        subject=subject,
        text=text,
        html=html,
        details=details or {},
        unsubscribe_url=unsubscribe_url,
        reply_to=reply_to,
        attachments=[MailAttachment(**a) for a in attachments or []],
        status="pending",
        created_at=clock.iso_now(),
    )


def put_once(msg: OutboxMessage) -> bool:
    """Write a firing's outbox message unless it exists: the first put wins, a replay adds nothing."""
    return put_if_new(msg, hash_attr=OutboxMessage.id)
