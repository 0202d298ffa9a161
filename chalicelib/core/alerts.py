"""One alert mechanism for every module.

A rule watches a value of a subject against thresholds. `crossings` is pure: from the value
before and after a change, the thresholds and the rule's armed state it yields the crossings.
Each kind of rule says when it re-arms: a budget with its next period (the period is part of the
firing id), a stock level when the value rises back above (an armed flag the module keeps).
A firing's id is deterministic, so a conditional put of its outbox message makes it exactly-once.
"""
from __future__ import annotations

import hashlib
from html import escape as html_escape
from urllib.parse import urlencode
from dataclasses import dataclass
from decimal import Decimal
from typing import Callable, Iterable, Literal

from . import clock
from .models import OutboxMessage

Direction = Literal["up", "down"]


@dataclass(frozen=True)
class Threshold:
    name: str  # stable label, e.g. "80" (% of a budget) or "reorder_point"
    level: Decimal  # the absolute value it sits at


@dataclass(frozen=True)
class Crossing:
    threshold: Threshold
    before: Decimal
    after: Decimal
    direction: Direction


def crossings(
    before: Decimal,
    after: Decimal,
    thresholds: Iterable[Threshold],
    direction: Direction = "up",
    armed: Callable[[Threshold], bool] = lambda t: True,
) -> list[Crossing]:
    """Thresholds the value crossed, in the given direction, among those armed.

    Up: before < level <= after (reaching a budget counts). Down: before >= level > after
    (falling below a reorder point counts; landing on it does not).
    """
    out = []
    for t in thresholds:
        if direction == "up":
            hit = before < t.level <= after
        else:
            hit = before >= t.level > after
        if hit and armed(t):
            out.append(Crossing(t, before, after, direction))
    return sorted(out, key=lambda c: c.threshold.level, reverse=(direction == "down"))


def firing_id(*parts: str) -> str:
    """Deterministic id of one firing: the same rule, subject, period and threshold → the same id."""
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


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
) -> OutboxMessage:
    """An outbox record: it drives the SES send and keeps what was sent, unsubscribe footer included."""
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
        status="pending",
        created_at=clock.iso_now(),
    )


def unsubscribe_url(api_url: str, sub: str, token: str, alert_type: str) -> str:
    """The link that turns one kind of email off for one person (their profile's token proves it)."""
    return f"{api_url}/unsubscribe?" + urlencode({"u": sub, "t": token, "type": alert_type})


def put_once(msg: OutboxMessage) -> bool:
    """Write a firing's outbox message unless it exists: the first put wins, a replay adds nothing."""
    from pynamodb.exceptions import PutError

    try:
        msg.save(condition=OutboxMessage.id.does_not_exist())
        return True
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
