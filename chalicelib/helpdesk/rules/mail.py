"""Inbound email, pure: what a raw message says (who sent it, to which addresses, which earlier emails
it answers, whether a robot sent it) and the new text of a reply without the quoted history.

The message is parsed with the standard library's `email` package (policy `default`: decoded headers,
`get_body` preferring plain text); the quoted history and signature are stripped by mail-parser-reply
(kept, multi-language: "On ... wrote:" in English, German, French and others, Outlook separators).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from email.utils import getaddresses, parseaddr
from html import unescape

from mailparser_reply import EmailReplyParser  # type: ignore[import-untyped]  # no py.typed

from .attachments import MailFile

# Replies in these languages are recognised by their quote headers ("On ... wrote:", "Am ... schrieb").
REPLY_LANGUAGES = ["en", "de", "fr", "it", "es", "nl", "pl", "sv", "cs", "da"]
MAX_BODY = 10000
MAX_SUBJECT = 200

_MSGID = re.compile(r"<([^<>\s]+)>")
_TAG = re.compile(r"<[^>]*>")
_SUBJECT_BAD = re.compile(r"[<>\x00-\x1f\x7f]")
_SUBJECT_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|wg|sv|tr|antw)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)


@dataclass(frozen=True)
class InboundMail:
    """What the help desk needs of one received email."""

    sender: str  # the From address, lower case ("" when there is none)
    sender_name: str
    recipients: tuple[str, ...]  # To and Cc addresses, lower case, in order
    subject: str  # plain text (no angle brackets or control characters), without Re:/Fwd: prefixes
    message_id: str
    references: tuple[str, ...]  # In-Reply-To first, then References from the newest back
    text: str  # the new text of the email: quoted history and signature stripped
    automatic: bool  # an auto-reply, a bounce or bulk mail: never answered, never filed
    suspect: bool = False  # SES receiving's scan found spam or a virus (X-SES-Spam-Verdict / X-SES-Virus-Verdict)
    files: tuple[MailFile, ...] = ()  # its MIME attachments, in order (what is kept: rules.attachments)


def _addresses(msg: EmailMessage, *names: str) -> tuple[str, ...]:
    values = [str(v) for n in names for v in (msg.get_all(n) or [])]
    return tuple(a.strip().lower() for _, a in getaddresses(values) if a and "@" in a)


def message_ids(value: str | None) -> list[str]:
    """The ids in a Message-ID, In-Reply-To or References header, in order, without angle brackets."""
    return _MSGID.findall(value or "")


def is_automatic(headers: dict[str, str], content_type: str, sender: str) -> bool:
    """Whether a robot sent the email, so answering or filing it could loop between two robots:
    `Auto-Submitted` other than "no" (RFC 3834), `Precedence` bulk, junk, list or auto_reply, the
    `X-Autoreply`/`X-Autorespond` headers, a delivery report (`multipart/report`, RFC 3464) or a
    sender that is a mailer daemon or the empty return path."""
    h = {k.lower(): v.strip().lower() for k, v in headers.items()}
    if h.get("auto-submitted", "no") not in ("", "no"):
        return True
    if h.get("precedence") in ("bulk", "junk", "list", "auto_reply"):
        return True
    if any(k in h for k in ("x-autoreply", "x-autorespond", "x-auto-response-suppress-all")):
        return True
    if h.get("x-auto-response-suppress", "") in ("all", "oof", "autoreply"):
        return True
    if content_type == "multipart/report":
        return True
    local = sender.split("@", 1)[0]
    return not sender or local in ("mailer-daemon", "postmaster") or h.get("return-path", "") == "<>"


def clean_subject(subject: str) -> str:
    """A subject as the desk stores it: plain text (rules.SUBJECT_PATTERN), "Re:"/"Fwd:" prefixes off."""
    s = _SUBJECT_PREFIX.sub("", " ".join(subject.split()))
    s = _SUBJECT_BAD.sub("", s).strip()[:MAX_SUBJECT]
    return s or "(no subject)"


def _text(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # an unknown charset: the bytes as Latin-1 say something
        payload = part.get_payload(decode=True)
        content = payload.decode("latin-1") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    if part.get_content_subtype() == "html":
        content = re.sub(r"(?is)<(script|style)\b.*?</\1>", "", content)
        content = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", content)
        content = unescape(_TAG.sub("", content))
    return content.replace("\r\n", "\n")


def mail_files(msg: EmailMessage) -> tuple[MailFile, ...]:
    """The files an email carries: every leaf part marked as an attachment, or named by a file name,
    other than the text the email is read from (an inline picture with a name is a file too)."""
    body = msg.get_body(preferencelist=("plain", "html"))
    files = []
    for part in msg.walk():
        if part.is_multipart() or part is body or part.get_content_type() == "message/rfc822":
            continue
        name = part.get_filename()
        if part.get_content_disposition() != "attachment" and not name:
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        files.append(MailFile(filename=str(name or ""), content_type=part.get_content_type(), data=data))
    return tuple(files)


def strip_reply(text: str) -> str:
    """The new part of a reply: the quoted history and the signature left out (mail-parser-reply)."""
    latest = EmailReplyParser(languages=REPLY_LANGUAGES).parse_reply(text)
    return (latest if latest is not None else text).strip()


def parse(raw: bytes) -> InboundMail:
    """The parts of a raw RFC 5322 message the help desk uses."""
    msg = message_from_bytes(raw, policy=default)
    assert isinstance(msg, EmailMessage)
    name, sender = parseaddr(str(msg.get("From") or ""))
    sender = sender.strip().lower() if "@" in sender else ""
    refs = message_ids(str(msg.get("In-Reply-To") or ""))
    refs += [r for r in reversed(message_ids(str(msg.get("References") or ""))) if r not in refs]
    headers = {k: str(v) for k, v in msg.items()}
    text = strip_reply(_text(msg))[:MAX_BODY]
    return InboundMail(
        sender=sender, sender_name=name.strip(), recipients=_addresses(msg, "To", "Cc", "Delivered-To"),
        subject=clean_subject(str(msg.get("Subject") or "")), message_id=next(iter(message_ids(str(msg.get("Message-ID") or ""))), ""),
        references=tuple(refs), text=text, automatic=is_automatic(headers, msg.get_content_type(), sender),
        suspect=any(str(msg.get(h) or "").strip().upper() == "FAIL" for h in ("X-SES-Spam-Verdict", "X-SES-Virus-Verdict")),
        files=mail_files(msg))


def reference_keys(message_id: str) -> list[str]:
    """The MailRef refs an earlier outbound Message-ID can be found under: SES replaces the Message-ID of
    what it sends with `<its message id>@<region>.amazonses.com`; the mailer's own (kept by the local
    stack's SES) ends with the first 16 characters of the outbox id, `...<16 hex>@tally`."""
    local, _, domain = message_id.rpartition("@")
    keys = []
    if domain.endswith("amazonses.com") and local:
        keys.append(f"ses:{local}")
    m = re.search(r"\.([0-9a-f]{16})$", local)
    if m and domain == "tally":
        keys.append(f"out:{m.group(1)}")
    return keys


def desk_handle_of(address: str, mailbox: str) -> str | None:
    """`support+<handle>@domain`: the desk a new email is for, when sent to the sender's mailbox with the
    desk's handle as subaddress (the address a desk gives out; a reply address has a ticket id instead)."""
    local, _, domain = address.partition("@")
    base, _, tag = local.partition("+")
    m_local, _, m_domain = mailbox.lower().partition("@")
    if domain != m_domain or base != m_local.split("+", 1)[0] or not tag:
        return None
    return tag if re.fullmatch(r"[a-z0-9][a-z0-9-]{1,38}[a-z0-9]", tag) else None
