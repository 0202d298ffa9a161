"""The help desk's pure rules: statuses and their transitions, who gets the next ticket, canned-reply
placeholders, the ticket's reply-to address and the customer's and agent's emails.

No boto3, no clock, no settings: everything comes in as arguments (property-tested in tests/unit).
"""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape

from ...core.errors import Conflict, InvalidInput

PRIORITIES = ("low", "normal", "high", "urgent")
STATUSES = ("new", "open", "pending", "solved", "closed")
# A ticket counts against its agent's load while someone still has to act on it.
OPEN_STATUSES = frozenset({"new", "open", "pending"})
# Where a ticket may go from each status: pending waits on the customer, solved may be reopened
# until it is closed, closed is final (a later message opens a follow-up: issue 11 item 6).
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"open", "pending", "solved"}),
    "open": frozenset({"pending", "solved"}),
    "pending": frozenset({"open", "solved"}),
    "solved": frozenset({"open", "closed"}),
    "closed": frozenset(),
}
# The statuses whose arrival the customer is emailed about (besides "received" and agents' replies).
EMAILED_STATUSES = frozenset({"solved", "closed"})
LINK_KINDS = ("product", "order", "car")

# A subject is plain text: no angle brackets (so no HTML tag), no control characters.
SUBJECT_PATTERN = r"^[^<>\x00-\x1f\x7f]*$"
# A desk's public handle: 3 to 40 lower-case letters, digits and hyphens, a hyphen at neither end.
HANDLE_PATTERN = r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$"
# A category's slug: lower-case letters, digits and hyphens.
CATEGORY_PATTERN = r"^[a-z0-9][a-z0-9-]{0,39}$"

PLACEHOLDERS = ("customer.name", "customer.email", "ticket.id", "ticket.subject", "agent.name")
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_.]+)\s*\}\}")


def check_transition(current: str, wanted: str) -> None:
    """Refuse a status change the workflow does not allow (409 naming `status`)."""
    if wanted not in TRANSITIONS.get(current, frozenset()):
        allowed = ", ".join(sorted(TRANSITIONS.get(current, frozenset()))) or "none"
        raise Conflict(f"a {current} ticket cannot become {wanted} (allowed: {allowed})", field="status",
                       extra={"status": current})


def is_open(status: str) -> bool:
    return status in OPEN_STATUSES


def load_change(old_status: str | None, new_status: str | None) -> int:
    """What a status change does to its agent's open-ticket count: +1 into an open status, -1 out."""
    before = old_status is not None and is_open(old_status)
    after = new_status is not None and is_open(new_status)
    return int(after) - int(before)


def status_after_reply(status: str, by_customer: bool) -> str:
    """A public reply moves the ticket: an agent answering a new ticket opens it; a customer answering
    a pending or solved ticket hands it back to the agent (open). A closed ticket takes no reply."""
    if status == "closed":
        raise Conflict("a closed ticket takes no more replies", field="status", extra={"status": status})
    if by_customer and status in ("pending", "solved"):
        return "open"
    if not by_customer and status == "new":
        return "open"
    return status


# ------------------------------------------------------------------ merging
# Copies of a duplicate's messages in the ticket it is merged into have ids derived from both, so a
# merge retried after a failure writes each copy once.
MERGE_NAMESPACE = uuid.UUID("5d3f8a52-8c1e-4f0b-9a57-2f1c9c6b7e21")


def check_merge(source_id: str, source_status: str, target_id: str, target_status: str) -> None:
    """A duplicate is merged into another open ticket: never into itself (400 naming `into`), never a
    closed one (409 naming `status` for the duplicate, `into` for the target)."""
    if source_id == target_id:
        raise InvalidInput("a ticket cannot be merged into itself", field="into")
    if source_status == "closed":
        raise Conflict("a closed ticket cannot be merged", field="status", extra={"status": source_status})
    if target_status == "closed":
        raise Conflict("a closed ticket takes no merge: file a new one", field="into")


def merged_message_id(source_id: str, message_id: str) -> str:
    return str(uuid.uuid5(MERGE_NAMESPACE, f"{source_id}|{message_id}"))


# ------------------------------------------------------------------ assignment
@dataclass(frozen=True)
class AgentLoad:
    """An agent of a team as the assignment sees them."""

    sub: str
    open_count: int
    assigned_total: int
    away: bool


def pick_agent(agents: Iterable[AgentLoad]) -> AgentLoad | None:
    """The agent who gets the next ticket: the fewest open tickets among those not away; a tie goes
    to the one assigned fewest tickets so far (round robin), then by id, so the choice is stable."""
    present = [a for a in agents if not a.away]
    if not present:
        return None
    return min(present, key=lambda a: (a.open_count, a.assigned_total, a.sub))


# ------------------------------------------------------------------ canned replies
def check_template(template: str) -> None:
    """Refuse a canned reply naming a placeholder that does not exist (400 naming `body`)."""
    for name in _PLACEHOLDER.findall(template):
        if name not in PLACEHOLDERS:
            raise InvalidInput(f"unknown placeholder {{{{{name}}}}} (known: {', '.join(PLACEHOLDERS)})",
                               field="body")


def render(template: str, values: Mapping[str, str]) -> str:
    """A canned reply with its placeholders (`{{customer.name}}`, `{{ticket.id}}`...) filled in;
    a placeholder without a value becomes empty. Values are inserted once: a value that itself looks
    like a placeholder is not expanded again."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), "") if m.group(1) in PLACEHOLDERS else m.group(0),
                            template)


# ------------------------------------------------------------------ reply-to address
def reply_address(mail_from: str, ticket_id: str, token: str) -> str:
    """The ticket's own address: the sender's mailbox with `+<ticket id>.<token>` (RFC 5233 subaddress),
    so a reply names the ticket it belongs to and proves it with the ticket's token."""
    local, _, domain = mail_from.partition("@")
    return f"{local.split('+', 1)[0]}+{ticket_id}.{token}@{domain}"


# The token is hex, so an address that a mail system lower-cases still names the same ticket and token.
_REPLY = re.compile(r"^[^+@]+\+([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([0-9a-f]{32})@")


def parse_reply_address(address: str) -> tuple[str, str] | None:
    """(ticket id, token) of a ticket's reply-to address, or None when the address is not one."""
    m = _REPLY.match(address.strip().lower())
    return (m.group(1), m.group(2)) if m else None


# ------------------------------------------------------------------ emails
@dataclass(frozen=True)
class TicketView:
    """What an email says about a ticket."""

    id: str
    subject: str
    status: str
    desk_name: str
    customer_name: str


def _email(subject: str, lines: list[str]) -> tuple[str, str, str]:
    text = "\n\n".join(lines) + "\n"
    html = "".join(f"<p>{escape(line).replace(chr(10), '<br>')}</p>" for line in lines)
    return subject, text, html


def received_email(t: TicketView) -> tuple[str, str, str]:
    return _email(f"[{t.desk_name}] We received your request: {t.subject}", [
        f"Hello {t.customer_name},",
        f"{t.desk_name} received your request \"{t.subject}\" (ticket {t.id}). An agent will answer soon.",
        "Reply to this email to add to your request.",
    ])


def reply_email(t: TicketView, author: str, body: str) -> tuple[str, str, str]:
    return _email(f"Re: [{t.desk_name}] {t.subject}", [
        f"Hello {t.customer_name},",
        f"{author} replied to your request \"{t.subject}\":",
        body,
        "Reply to this email to answer.",
    ])


def status_email(t: TicketView) -> tuple[str, str, str]:
    if t.status == "solved":
        line = (f"Your request \"{t.subject}\" is solved. If something is still wrong, reply to this email "
                "and it opens again.")
    else:
        line = f"Your request \"{t.subject}\" is closed."
    return _email(f"[{t.desk_name}] Your request is {t.status}: {t.subject}", [f"Hello {t.customer_name},", line])


def merged_email(t: TicketView, target_id: str, target_subject: str) -> tuple[str, str, str]:
    return _email(f"[{t.desk_name}] Your request is merged: {t.subject}", [
        f"Hello {t.customer_name},",
        f"Your request \"{t.subject}\" is the same as \"{target_subject}\" (ticket {target_id}): they are merged, "
        f"and you will hear about it from there.",
        "Reply to this email to add to it.",
    ])


def assigned_email(t: TicketView, agent_name: str, priority: str, link: str) -> tuple[str, str, str]:
    return _email(f"[{t.desk_name}] Assigned to you: {t.subject}", [
        f"Hello {agent_name},",
        f"The {priority} priority ticket \"{t.subject}\" from {t.customer_name} is assigned to you.",
        f"Open it: {link}",
    ])
