"""Inbound email (issue 11 item 4): SES receiving stores each raw message under `inbound/` of the data
bucket; the object-created event runs `handle_s3_event`, which reads it, drops what robots sent, and
either appends the customer's reply to its ticket or files a new ticket. The email's files are kept as
the message's (or the new ticket's) attachments when they pass a web upload's limits, stored in the
private bucket (core.uploads.store) and read through presigned GETs; the rest are noted on the message.

Which ticket: the recipient address `<mailbox>+<ticket id>.<token>@<domain>` (rules.reply_address)
with the ticket's own token and a sender who is its customer (or a follower); without such an
address, the In-Reply-To / References ids matched against the Message-IDs of the desk's outbound
emails (MailRef items). A bad token, an unknown sender or an unknown ticket never attaches to a
ticket: a new ticket is filed at the desk it was meant for (the ticket's, or `<mailbox>+<handle>@`).

Idempotent: ids come from the S3 key (SES names each object by its message id), so the same object
processed twice appends one message or files one ticket (puts if not exists).
"""
from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.metrics import MetricUnit
from pydantic import TypeAdapter, ValidationError

from ..core import clock
from ..core.aws import client
from ..core.db import find, put_if_new
from ..core.errors import NotFound
from ..core.observability import logger, metrics
from ..core.schemas import EmailStr
from ..core.settings import get_settings
from .assignment import file_assigned
from .attachments import keep_mail_files
from .desks import desk_by_handle, get_desk
from .models import (
    Desk,
    MailRef,
    Message,
    Ticket,
    mail_ref_key,
    message_key,
    ticket_key,
)
from .rules import parse_reply_address
from .rules.attachments import with_refusals
from .rules.mail import InboundMail, desk_handle_of, parse, reference_keys
from .tickets import new_ticket, post_customer_reply

INBOUND_PREFIX = "inbound/"
# SES receiving refuses messages over 40 MB; a reply with files up to 10 MiB each (base64: a third more)
# is read up to this size; larger objects are not read.
MAX_RAW_BYTES = 30 * 1024 * 1024
INBOUND_NAMESPACE = uuid.UUID("8a0f3a4e-64c5-4bb8-9d1e-0c2f3e5b7d19")


@dataclass(frozen=True)
class Outcome:
    """What became of one email: appended | filed | dropped, with the ticket and why."""

    result: str
    ticket_id: str | None = None
    reason: str = ""


# ------------------------------------------------------------------ references (written by reactions)
def remember(ref: str, org_id: str, ticket_id: str) -> bool:
    """Record that `ref` (a ticket address, an outbound Message-ID) names this ticket; once."""
    return put_if_new(MailRef(*mail_ref_key(ref), org_id=org_id, ticket_id=ticket_id, created_at=clock.iso_now()),
                      otherwise=lambda: None)


def _by_ref(ref: str) -> Ticket | None:
    """The ticket `ref` names; a merged duplicate's customer follows its target, so a reply goes there."""
    r = find(MailRef, *mail_ref_key(ref))
    return find(Ticket, *ticket_key(r.org_id, r.ticket_id)) if r is not None else None


# ------------------------------------------------------------------ matching
def _customer_subs(t: Ticket, sender: str) -> str | None:
    """The sub of the ticket's customer (or follower) who has this address, if any."""
    if sender and sender == (t.customer_email or "").lower():
        return str(t.customer_sub)
    return next((str(f.sub) for f in t.followers if sender and sender == (f.email or "").lower()), None)


def route(mail: InboundMail) -> tuple[str, Ticket | None, Desk | None, str]:
    """Where an email goes: ("reply", ticket, None, how) or ("new", None, desk, why) or ("drop", ...)."""
    mailbox = get_settings().mail_from
    known_ticket: Ticket | None = None
    for address in mail.recipients:
        parsed = parse_reply_address(address)
        if parsed is None:
            continue
        ticket_id, token = parsed
        t = _by_ref(f"ticket:{ticket_id}")
        if t is not None and hmac.compare_digest(str(t.reply_token), token):
            if _customer_subs(t, mail.sender) is not None:
                return "reply", t, None, "address"
            return "new", None, _desk(t), "unknown sender"
        known_ticket = known_ticket or t
        return "new", None, _desk(known_ticket) if known_ticket else _desk_of(mail, mailbox), "bad token"
    for message_id in mail.references:
        for ref in reference_keys(message_id):
            t = _by_ref(ref)
            if t is None:
                continue
            if _customer_subs(t, mail.sender) is not None:
                return "reply", t, None, "references"
            return "new", None, _desk(t), "unknown sender"
    return "new", None, _desk_of(mail, mailbox), "new conversation"


def _desk(t: Ticket) -> Desk | None:
    try:
        return get_desk(t.org_id)
    except NotFound:
        return None


def _desk_of(mail: InboundMail, mailbox: str) -> Desk | None:
    for address in mail.recipients:
        handle = desk_handle_of(address, mailbox)
        if handle is not None:
            try:
                return desk_by_handle(handle)
            except NotFound:
                continue
    return None


# ------------------------------------------------------------------ acting
def receive(raw: bytes, object_key: str) -> Outcome:
    """Handle one received email (the raw message stored under `object_key`)."""
    mail = parse(raw)
    if mail.automatic:
        return Outcome("dropped", reason="automatic (auto-reply, bounce or bulk)")
    if mail.suspect:
        return Outcome("dropped", reason="spam or virus (SES receiving's scan)")
    if not mail.sender:
        return Outcome("dropped", reason="no sender")
    own_local, _, own_domain = get_settings().mail_from.lower().partition("@")
    local, _, domain = mail.sender.partition("@")
    if local.split("+", 1)[0] == own_local.split("+", 1)[0] and domain == own_domain:
        return Outcome("dropped", reason="sent by this desk's own mailbox (a loop)")
    kind, t, desk, why = route(mail)
    if kind == "reply" and t is not None and t.merged_into:
        target = find(Ticket, *ticket_key(t.org_id, str(t.merged_into)))
        t = target if target is not None and _customer_subs(target, mail.sender) is not None else None
        if t is None:
            return Outcome("dropped", reason="a merged ticket whose target is gone")
    if kind == "reply" and t is not None:
        sub = _customer_subs(t, mail.sender) or str(t.customer_sub)
        name = t.customer_name if sub == t.customer_sub else next(
            (str(f.name) for f in t.followers if f.sub == sub), mail.sender_name)
        mid = str(uuid.uuid5(INBOUND_NAMESPACE, f"message|{object_key}"))
        files, refused = keep_mail_files(t.org_id, t.id, object_key, list(mail.files))
        body = with_refusals(mail.text or ("(files attached)" if files else "(empty reply)"), refused)
        m = Message(*message_key(t.org_id, t.id, mid), id=mid, org_id=t.org_id, ticket_id=t.id, kind="reply",
                    author_sub=sub, author_role="customer", author_name=name, body=body, via="email",
                    attachments=files or None, created_at=clock.iso_now())
        stored, _created = post_customer_reply(t, m)
        return Outcome("appended", stored.ticket_id, why)
    if desk is None:
        return Outcome("dropped", reason=f"{why}: no desk to file it at")
    try:  # a new ticket stores the sender and mails them: an address no mailer can send to files nothing
        sender = TypeAdapter(EmailStr).validate_python(mail.sender)
    except ValidationError:
        return Outcome("dropped", reason=f"{why}: the sender's address cannot be emailed")
    return Outcome("filed", _file(desk, replace(mail, sender=sender.lower()), object_key).id, why)


def _file(desk: Desk, mail: InboundMail, object_key: str) -> Ticket:
    """A new ticket from an email: the sender is its customer (no account: `email:<address>`), filed
    under the desk's first category and assigned as any other; once per stored email."""
    tid = str(uuid.uuid5(INBOUND_NAMESPACE, f"ticket|{object_key}"))
    files, refused = keep_mail_files(desk.org_id, tid, object_key, list(mail.files))
    t = new_ticket(desk, tid, desk.categories[0].slug, customer_sub=f"email:{mail.sender}",
                   customer_email=mail.sender, customer_name=mail.sender_name or mail.sender.split("@")[0],
                   subject=mail.subject, description=with_refusals(mail.text or mail.subject, refused),
                   channel="email")
    t.attachments = files or None
    filed, _created = file_assigned(t, lambda existing: existing)
    return filed


def handle_s3_event(event: dict[str, Any]) -> dict[str, Any]:
    """The S3 object-created notification of `inbound/` objects: each email handled once; an email that
    cannot be read is logged and dropped (a retry would not read it better), a failure to write raises
    so Lambda retries the event (the writes are idempotent)."""
    s3 = client("s3")
    outcomes = []
    for record in event.get("Records") or []:
        bucket = record["s3"]["bucket"]["name"]
        key = unquote_plus(record["s3"]["object"]["key"])
        if not key.startswith(INBOUND_PREFIX):
            continue
        size = int(record["s3"]["object"].get("size") or 0)
        if size > MAX_RAW_BYTES:
            outcomes.append(Outcome("dropped", reason="too large"))
            continue
        raw = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        try:
            outcome = receive(raw, key)
        except (ValueError, LookupError, UnicodeError) as exc:
            outcome = Outcome("dropped", reason=f"unreadable: {exc}")
        logger.info("inbound email", extra={"key": key, "result": outcome.result, "ticket_id": outcome.ticket_id,
                                             "reason": outcome.reason})
        metrics.add_metric(name=f"InboundMail{outcome.result.capitalize()}", unit=MetricUnit.Count, value=1)
        outcomes.append(outcome)
    return {"results": [{"result": o.result, "ticket_id": o.ticket_id, "reason": o.reason} for o in outcomes]}
