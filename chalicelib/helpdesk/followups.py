"""Follow-up tickets (issue 11 item 6): a customer's reply to a closed ticket, or to one solved more
than a week ago, opens a new ticket linked to it instead of reopening it, so the closed ticket's
times and rating stay as they were and the new request is counted and timed on its own."""
from __future__ import annotations

import secrets
import uuid

from pynamodb.exceptions import UpdateError

from ..core import clock
from ..core.errors import Conflict
from .assignment import file_assigned
from .models import Message, Ticket, all_tickets_index, customer_index, message_key, team_queue_index, ticket_key

# A follow-up's id comes from the ticket and the reply's id: the same reply again finds the same follow-up.
FOLLOW_UP_NAMESPACE = uuid.UUID("0f6c1d0e-3c1b-4d3e-a0a4-6f1f2b9a7c55")
SUBJECT_PREFIX = "Follow-up: "


def follow_up_id(ticket_id: str, message_id: str) -> str:
    return str(uuid.uuid5(FOLLOW_UP_NAMESPACE, f"{ticket_id}|{message_id}"))


def follow_up(t: Ticket, m: Message) -> tuple[Message, bool]:
    """Open (once) the follow-up of ticket `t` with reply `m` as its description, filed and assigned as
    any new ticket of the same customer, category and desk, with the reply's files; the original lists it
    in `follow_ups`.
    Answers the reply as it stands in the follow-up (its `ticket_id`) and whether it was new."""
    fid = follow_up_id(t.id, m.id)
    now = clock.iso_now()
    subject = t.subject if t.subject.startswith(SUBJECT_PREFIX) else (SUBJECT_PREFIX + t.subject)[:200]
    new = Ticket(
        *ticket_key(t.org_id, fid),
        gsi1pk=customer_index(t.org_id, m.author_sub), gsi1sk=f"{now}#{fid}",
        gsi2pk=team_queue_index(t.org_id, t.team_id), gsi2sk=f"{now}#{fid}",
        gsi3pk=all_tickets_index(t.org_id), gsi3sk=f"{now}#{fid}",
        id=fid, org_id=t.org_id, handle=t.handle, desk_name=t.desk_name, customer_sub=m.author_sub,
        customer_email=_email_of(t, m.author_sub), customer_name=m.author_name or t.customer_name,
        category=t.category, team_id=t.team_id, subject=subject, description=m.body, priority=t.priority,
        link_kind=t.link_kind, link_id=t.link_id, status="new", channel=t.channel or "web",
        reply_token=secrets.token_hex(16), link_key=secrets.token_hex(32), follow_up_of=t.id,
        attachments=m.attachments or None,  # the reply's files (web uploads or an email's) go with it
        version=1, created_at=now, updated_at=now,
    )

    def replay(existing: Ticket) -> Ticket:
        if existing.follow_up_of == t.id and existing.description == m.body and existing.customer_sub == m.author_sub:
            return existing
        raise Conflict("another message exists with this id", field="message_id")

    filed, created = file_assigned(new, replay)
    try:  # the original points at its follow-ups (once each); it changes nothing else on it
        Ticket(*ticket_key(t.org_id, t.id)).update(
            actions=[Ticket.follow_ups.set((Ticket.follow_ups | []).append([fid]))],
            condition=Ticket.pk.exists() & ~Ticket.follow_ups.contains(fid))
    except UpdateError:
        pass  # listed already (a replay)
    answer = Message(*message_key(t.org_id, filed.id, m.id), id=m.id, org_id=t.org_id, ticket_id=filed.id,
                     kind="reply", author_sub=m.author_sub, author_role="customer", author_name=m.author_name,
                     body=filed.description, via=m.via, attachments=filed.attachments or None,
                     created_at=filed.created_at)
    return answer, created


def _email_of(t: Ticket, sub: str) -> str:
    if sub == t.customer_sub:
        return str(t.customer_email or "")
    return next((str(f.email) for f in t.followers if f.sub == sub), "")
