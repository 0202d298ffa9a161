"""The help desk's emails, built from stream images: the customer hears of every public update
(received, an agent's reply, solved, closed) and never of an internal note; an agent hears of a
ticket assigned to them. Each email's outbox id is deterministic, so a replayed record sends nothing
twice (core.alerts.put_once); customers' emails reply to the ticket's own address."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..core import clock
from ..core.alert_rules import firing_id
from ..core.alerts import outbox_message
from ..core.db import find
from ..core.keys import org_pk
from ..core.models import OutboxMessage
from ..core.settings import get_settings
from .models import Ticket, ticket_key
from .rules.links import rating_links, thread_links, with_links
from .rules.attachments import with_files_line
from .ticket_links import rating_urls, thread_token, thread_url
from .rules import (
    EMAILED_STATUSES,
    TicketView,
    assigned_email,
    merged_email,
    received_email,
    reply_address,
    reply_email,
    status_email,
)

Image = dict[str, Any]
# The dashboard's ticket page (a hash route of the static site).
TICKET_PAGE = "#/helpdesk/tickets/"


def is_ticket(image: Image | None) -> bool:
    return bool(image) and image.get("sk") == "TICKET"  # type: ignore[union-attr]


def is_message(image: Image | None) -> bool:
    return bool(image) and str(image.get("sk", "")).startswith("MSG#")  # type: ignore[union-attr]


def _view(t: Image) -> TicketView:
    return TicketView(id=str(t["id"]), subject=str(t["subject"]), status=str(t["status"]),
                      desk_name=str(t.get("desk_name") or "Support"), customer_name=str(t.get("customer_name") or "there"))


def _customers(t: Image) -> list[tuple[str, str, str]]:
    """(id suffix, address, name) of who hears of a ticket's public updates: its customer, then the
    customers of duplicates merged into it."""
    out = [("", str(t.get("customer_email") or ""), str(t.get("customer_name") or "there"))]
    out += [(f"follower:{f.get('sub')}", str(f.get("email") or ""), str(f.get("name") or "there"))
            for f in t.get("followers") or []]
    return [c for c in out if c[1]]


def _to_customers(t: Image, what: str, email: Callable[[TicketView], tuple[str, str, str]],
                  *id_parts: str) -> list[OutboxMessage]:
    out = []
    for suffix, address, name in _customers(t):
        subject, text, html = email(replace(_view(t), customer_name=name))
        out.append(outbox_message(
            id=firing_id("helpdesk", str(t["org_id"]), str(t["id"]), what, *id_parts, *([suffix] if suffix else [])),
            scope=org_pk(str(t["org_id"])), recipient=address, alert_type="helpdesk", rule=f"ticket:{what}",
            threshold=str(t["status"]), period=str(t.get("updated_at") or t.get("created_at") or "")[:10],
            value=None, subject=subject, text=text, html=html,
            details={"org_id": str(t["org_id"]), "ticket_id": str(t["id"]), "update": what},
            reply_to=reply_address(get_settings().mail_from, str(t["id"]), str(t["reply_token"]))))
    return out


def ticket_emails(old: Image | None, new: Image | None) -> list[OutboxMessage]:
    """What a change of a ticket emails: received (a new ticket), solved or closed (to the customer),
    assigned (to the new assignee)."""
    if new is None:
        return []
    out: list[OutboxMessage] = []
    view = _view(new)
    if old is None:
        out += _to_customers(new, "received", lambda v: _linked(new, received_email(v)))
    elif new.get("merged_into") and not old.get("merged_into"):  # told of the merge, not of the close
        target = str(new["merged_into"])
        out += _to_customers(new, "merged", lambda v: merged_email(v, target, _subject_of(new, target)))
    elif new["status"] != old.get("status") and new["status"] in EMAILED_STATUSES:
        out += _to_customers(new, str(new["status"]), lambda v: _rated(new, status_email(v)), str(new["version"]))
    assignee = new.get("assignee")
    if assignee and new.get("assignee_email") and assignee != (old or {}).get("assignee"):
        s = get_settings()
        subject, text, html = assigned_email(view, str(new.get("assignee_name") or "there"), str(new["priority"]),
                                             s.dashboard_url + TICKET_PAGE + str(new["id"]))
        out.append(outbox_message(
            id=firing_id("helpdesk", str(new["org_id"]), str(new["id"]), "assigned", str(assignee), str(new["version"])),
            scope=org_pk(str(new["org_id"])), recipient=str(new["assignee_email"]), alert_type="helpdesk",
            rule="ticket:assigned", threshold=str(assignee), period=str(new.get("updated_at") or "")[:10], value=None,
            subject=subject, text=text, html=html,
            details={"org_id": str(new["org_id"]), "ticket_id": str(new["id"]), "update": "assigned"}))
    return out


def _subject_of(t: Image, target_id: str) -> str:
    target = find(Ticket, *ticket_key(str(t["org_id"]), target_id))
    return target.subject if target is not None else "another request"


class Tickets:
    """Tickets read once per batch (a reply's email needs its ticket)."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], Ticket | None] = {}

    def get(self, org_id: str, ticket_id: str) -> Ticket | None:
        key = (org_id, ticket_id)
        if key not in self._seen:
            self._seen[key] = find(Ticket, *ticket_key(org_id, ticket_id))
        return self._seen[key]


def message_emails(old: Image | None, new: Image | None, tickets: Tickets) -> list[OutboxMessage]:
    """An agent's public reply, new, emails the customer; a note or a customer's own reply does not."""
    if (old is not None or new is None or new.get("kind") != "reply" or new.get("author_role") != "agent"
            or new.get("merged_from")):  # a merged duplicate's copy was emailed when first written
        return []
    t = tickets.get(str(new["org_id"]), str(new["ticket_id"]))
    if t is None:
        return []
    image: Image = {"org_id": t.org_id, "id": t.id, "subject": t.subject, "status": t.status, "desk_name": t.desk_name,
                    "customer_name": t.customer_name, "customer_email": t.customer_email, "reply_token": t.reply_token,
                    "created_at": str(new.get("created_at") or ""),
                    "followers": [{"sub": f.sub, "email": f.email, "name": f.name} for f in t.followers]}
    image.update({"channel": t.channel, "link_key": t.link_key})
    files = [str(f.get("filename", "")) for f in new.get("attachments") or [] if isinstance(f, dict)]
    author, body = str(new.get("author_name") or "Support"), with_files_line(str(new["body"]), files)
    return _to_customers(image, "reply", lambda v: _linked(image, reply_email(v, author, body)), str(new["id"]))


def _linked(t: Image, email: tuple[str, str, str]) -> tuple[str, str, str]:
    """A customer without an account (who emailed the desk, or for whom an agent filed the ticket: any
    channel but web) gets emails that carry a signed link to the thread."""
    if t.get("channel", "web") == "web" or not t.get("link_key"):
        return email
    token, _expires = thread_token(str(t["org_id"]), str(t["id"]), str(t["link_key"]), clock.now())
    return with_links(email, thread_links(thread_url(token)))


def _rated(t: Image, email: tuple[str, str, str]) -> tuple[str, str, str]:
    """The solved email carries one-click good / bad links for this solve (issue 11 item 7)."""
    if t.get("status") != "solved" or not t.get("link_key"):
        return email
    urls = rating_urls(str(t["org_id"]), str(t["id"]), str(t["link_key"]), int(t.get("solve_count") or 0), clock.now())
    return _linked(t, with_links(email, rating_links(urls["good"], urls["bad"])))
