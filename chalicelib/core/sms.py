"""Texts (SMS): the outbox's second channel, sent through Amazon SNS to a phone number.

An outbox message with `channel = "sms"` is claimed and retried exactly as an email is
(core.mailer); only the send differs (`send_text`). Before it, two checks on the number's own items
in the core table:

* **consent** (`PHONE#<e164>` / `SMS`): texts go only to a number whose latest recorded choice is
  opted in (`record_opt_in`: when and where: an order's checkout, a confirmed follow, an inquiry the
  customer texted), and never after an opt-out (`record_opt_out`: an inbound STOP). Each choice
  carries its time and is written only if it is newer than the one stored, so a replayed opt-in
  never overrides a later STOP;
* **a daily cap** (`PHONE#<e164>` / `SMSDAY#<UTC day>`): an atomic counter taken on condition that
  it is below `DAILY_CAP`; a send that fails gives its slot back.

A text that may not go is not an error: the message becomes `skipped` with the reason in
`last_error`, and is never retried.

Inbound texts (`handle_inbound_event`): on AWS, End User Messaging SMS's two-way messaging publishes
each text received on the origination number to an SNS topic, which invokes the app's `on_inbound_sms`
function (CDK wires both); locally `make sms-in FROM=... TEXT=...` sends the same event. STOP and its
synonyms opt the sender out (End User Messaging also keeps its own opt-out list and answers the
keyword), START opts back in, and anything else is an inquiry handed to the caller's `on_inquiry`
(the shop's: a help desk ticket or a stored inquiry).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from . import clock
from .alerts import outbox_message
from .aws import client
from .db import find, update_if
from .models import CoreTable, OutboxMessage
from .observability import logger

DAILY_CAP = 10  # texts per number per UTC day, all senders together
SMS_MAX_CHARS = 1600  # SNS's limit for one SMS publish (split into segments by the carrier)
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "OPT-OUT", "REVOKE"})
START_WORDS = frozenset({"START", "UNSTOP", "OPTIN", "OPT-IN"})


def consent_key(phone: str) -> tuple[str, str]:
    return f"PHONE#{phone}", "SMS"


def day_key(phone: str, day: str) -> tuple[str, str]:
    return f"PHONE#{phone}", f"SMSDAY#{day}"


class PhoneConsent(CoreTable):
    """pk PHONE#<e164>, sk SMS: the number's latest choice (in | out), when and where it was made, and
    what last texted it (the scope that an inquiry texted back most likely concerns)."""

    phone = UnicodeAttribute()
    status = UnicodeAttribute()  # in | out
    changed_at = UnicodeAttribute()  # the choice's own time: a write never goes back before it
    source = UnicodeAttribute()  # where: "shop-checkout:<org>", "shop-follow:<org>", "sms:STOP", ...
    opted_in_at = UnicodeAttribute(null=True)
    opted_in_source = UnicodeAttribute(null=True)
    opted_out_at = UnicodeAttribute(null=True)
    opted_out_source = UnicodeAttribute(null=True)
    last_scope = UnicodeAttribute(null=True)  # the outbox scope of the last text sent (ORG#o)
    last_sent_at = UnicodeAttribute(null=True)


class SmsDay(CoreTable):
    """pk PHONE#<e164>, sk SMSDAY#<YYYY-MM-DD>: texts sent to the number that UTC day (the cap's counter)."""

    sent = NumberAttribute(default=0)


class TextSuppressed(Exception):
    """The text may not go (no consent, opted out, or the day's cap reached): the message is skipped."""


# ------------------------------------------------------------------ consent
def _record(phone: str, status: str, source: str, at: str) -> bool:
    item = PhoneConsent(*consent_key(phone))
    actions = [PhoneConsent.phone.set(phone), PhoneConsent.status.set(status), PhoneConsent.changed_at.set(at),
               PhoneConsent.source.set(source)]
    if status == "in":
        actions += [PhoneConsent.opted_in_at.set(at), PhoneConsent.opted_in_source.set(source)]
    else:
        actions += [PhoneConsent.opted_out_at.set(at), PhoneConsent.opted_out_source.set(source)]
    return update_if(item, actions, PhoneConsent.pk.does_not_exist() | (PhoneConsent.changed_at < at))


def record_opt_in(phone: str, source: str, at: str | None = None) -> bool:
    """The number agreed to texts at `at` (default now) through `source`; False when a newer choice is
    stored (a replay of an old opt-in never undoes a later STOP)."""
    return _record(phone, "in", source, at or clock.iso_now())


def record_opt_out(phone: str, source: str, at: str | None = None) -> bool:
    """The number asked for no more texts; False when a newer choice is stored."""
    return _record(phone, "out", source, at or clock.iso_now())


def consent(phone: str) -> PhoneConsent | None:
    return find(PhoneConsent, *consent_key(phone))


def may_text(phone: str) -> bool:
    c = consent(phone)
    return c is not None and c.status == "in"


# ------------------------------------------------------------------ outgoing
def sms_message(*, id: str, scope: str, phone: str, alert_type: str, rule: str, text: str,
                period: str = "", details: dict[str, Any] | None = None) -> OutboxMessage:
    """An outbox record of a text to `phone` (E.164): put once like an email (core.alerts.put_once)."""
    body = text if len(text) <= SMS_MAX_CHARS else text[:SMS_MAX_CHARS - 1] + "…"
    msg = outbox_message(id=id, scope=scope, recipient=phone, alert_type=alert_type, rule=rule, threshold="sms",
                         period=period, value=None, subject=body[:80], text=body, html="",
                         details={**(details or {}), "channel": "sms"})
    msg.channel = "sms"
    return msg


def _take_slot(phone: str, day: str) -> bool:
    item = SmsDay(*day_key(phone, day))
    return update_if(item, [SmsDay.sent.add(1)], SmsDay.pk.does_not_exist() | (SmsDay.sent < DAILY_CAP))


def _give_back(phone: str, day: str) -> None:
    SmsDay(*day_key(phone, day)).update(actions=[SmsDay.sent.add(-1)])


def sent_today(phone: str) -> int:
    d = find(SmsDay, *day_key(phone, clock.now().date().isoformat()))
    return int(d.sent) if d is not None else 0


def send_text(msg: OutboxMessage) -> str:
    """Publish the text through SNS and return its MessageId; raise TextSuppressed when the number has
    not opted in (or opted out) or has had its `DAILY_CAP` texts today."""
    phone = msg.recipient
    c = consent(phone)
    if c is None or c.status != "in":
        raise TextSuppressed("opted out" if c is not None else "no opt-in recorded for this number")
    day = clock.now().date().isoformat()
    if not _take_slot(phone, day):
        raise TextSuppressed(f"daily cap of {DAILY_CAP} texts reached")
    details = msg.details.as_dict() if msg.details is not None and hasattr(msg.details, "as_dict") else dict(msg.details or {})
    sms_type = "Promotional" if details.get("sms_type") == "promotional" else "Transactional"
    try:
        out = client("sns").publish(PhoneNumber=phone, Message=msg.text, MessageAttributes={
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": sms_type}})
    except Exception:
        _give_back(phone, day)
        raise
    update_if(PhoneConsent(*consent_key(phone)),
              [PhoneConsent.last_scope.set(msg.scope), PhoneConsent.last_sent_at.set(clock.iso_now())],
              PhoneConsent.pk.exists())
    return str(out["MessageId"])


# ------------------------------------------------------------------ incoming
@dataclass(frozen=True)
class InboundSms:
    """A text received on the origination number (End User Messaging's two-way SMS payload)."""

    message_id: str  # inboundMessageId: one per received text, the idempotency key
    sender: str  # originationNumber, E.164
    to: str  # destinationNumber
    text: str  # messageBody
    keyword: str  # the first word, upper-cased
    received_at: str
    last_scope: str | None = None  # what last texted the sender (their consent item)


def keyword_of(text: str) -> str:
    words = text.strip().split()
    return words[0].upper().strip(".!") if words else ""


def parse_sns_record(record: dict[str, Any]) -> InboundSms:
    """One SNS record of the two-way SMS topic → InboundSms (ValueError when it is not one)."""
    sns = record.get("Sns") or {}
    body = json.loads(sns.get("Message") or "{}")
    for key in ("originationNumber", "messageBody", "inboundMessageId"):
        if not isinstance(body.get(key), str):
            raise ValueError(f"not a two-way SMS message: no {key}")
    text = body["messageBody"][:SMS_MAX_CHARS]
    return InboundSms(message_id=body["inboundMessageId"], sender=body["originationNumber"],
                      to=str(body.get("destinationNumber") or ""), text=text, keyword=keyword_of(text),
                      received_at=str(sns.get("Timestamp") or clock.iso_now()))


def handle_inbound_event(event: dict[str, Any], on_inquiry: Callable[[InboundSms], str]) -> dict[str, Any]:
    """Each received text once: STOP opts out, START opts in, anything else is `on_inquiry`'s (which
    returns what became of it). A record that cannot be read is logged and dropped (a retry would not
    read it better); a failed write raises, so the event is retried (every step is idempotent)."""
    from .phones import is_e164

    outcomes: list[dict[str, str]] = []
    for record in event.get("Records") or []:
        try:
            sms = parse_sns_record(record)
        except (ValueError, TypeError) as exc:
            logger.warning("inbound text dropped", extra={"error": str(exc)})
            outcomes.append({"outcome": "dropped", "reason": str(exc)})
            continue
        if not is_e164(sms.sender):
            outcomes.append({"outcome": "dropped", "reason": "the sender is not a phone number"})
            continue
        if sms.keyword in STOP_WORDS:
            record_opt_out(sms.sender, f"sms:{sms.keyword}", sms.received_at)
            outcomes.append({"outcome": "opted_out", "id": sms.message_id})
        elif sms.keyword in START_WORDS:
            record_opt_in(sms.sender, f"sms:{sms.keyword}", sms.received_at)
            outcomes.append({"outcome": "opted_in", "id": sms.message_id})
        else:
            c = consent(sms.sender)
            outcome = on_inquiry(replace(sms, last_scope=c.last_scope if c is not None else None))
            outcomes.append({"outcome": outcome, "id": sms.message_id})
    return {"received": len(outcomes), "outcomes": outcomes}


def inbound_event(sender: str, text: str, to: str, message_id: str, at: str) -> dict[str, Any]:
    """The SNS event Lambda receives for one text (what End User Messaging publishes to the topic)."""
    body = {"originationNumber": sender, "destinationNumber": to, "messageKeyword": keyword_of(text),
            "messageBody": text, "inboundMessageId": message_id, "previousPublishedMessageId": ""}
    return {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0", "Sns": {
        "Type": "Notification", "MessageId": message_id, "TopicArn": "arn:aws:sns:local:000000000000:tally-inbound-sms",
        "Message": json.dumps(body), "Timestamp": at, "MessageAttributes": {}}}]}
