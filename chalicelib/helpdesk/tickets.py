"""Tickets and their threads: filed once under a client-chosen id (a replay answers the stored ticket),
public replies and internal notes (each once under its own client-chosen id), status changes along
the allowed transitions at the version read, and the lists each kind of reader may see."""
from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable, Iterable

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action

from ..core import clock
from ..core.auth import Principal
from ..core.db import conflicted, failed_actions, find, put_if_new, transact
from ..core.errors import Conflict, NotFound
from ..core.profiles import get_profile
from .access import StaffViewer, visible
from .attachments import attach, files_out, grant, grant_for
from .assignment import file_assigned, load_actions
from .desks import category_team, desk_by_handle, get_desk
from .macros import get_macro
from .sla import first_reply, start_ticket, with_clock
from .models import (
    Desk,
    Follower,
    Message,
    Ticket,
    all_tickets_index,
    customer_index,
    message_key,
    solved_index,
    solved_keys,
    team_queue_index,
    ticket_key,
    ticket_pk,
)
from .followups import follow_up
from .rules import check_merge, check_transition, load_change, merged_message_id, render, status_after_reply
from .rules.links import reply_outcome
from .schemas import (
    AgentMessageIn,
    AttachmentIn,
    AttachmentUploadOut,
    CustomerMessageIn,
    LinkOut,
    MessageOut,
    StaffTicketIn,
    TicketIn,
    TicketOut,
    TicketsOut,
    TicketThreadOut,
)

MAX_ATTEMPTS = 40
_SAME_TICKET = ("customer_sub", "category", "subject", "description", "priority", "link_kind", "link_id")


# ------------------------------------------------------------------ answers
def ticket_out(t: Ticket) -> TicketOut:
    link = LinkOut(kind=t.link_kind, id=t.link_id) if t.link_kind and t.link_id else None
    return TicketOut(id=t.id, handle=t.handle, category=t.category, team_id=t.team_id, subject=t.subject,
                     description=t.description, priority=t.priority, link=link, status=t.status,
                     customer_name=t.customer_name, channel=t.channel or "web", assignee=t.assignee, assignee_name=t.assignee_name,
                     merged_into=t.merged_into, follow_up_of=t.follow_up_of, follow_ups=[str(f) for f in t.follow_ups or []],
                     attachments=files_out(t),
                     reopen_count=int(t.reopen_count or 0), rating="good" if t.rating == "good" else "bad" if t.rating == "bad" else None,
                     version=int(t.version), created_at=t.created_at, updated_at=t.updated_at,
                     sla_breached=bool(t.sla_breached), sla_due=t.sla_due)


def message_out(m: Message) -> MessageOut:
    return MessageOut(id=m.id, kind=m.kind, author_role=m.author_role, author_name=m.author_name, body=m.body,
                      created_at=m.created_at, ticket_id=m.ticket_id, attachments=files_out(m))


def thread(t: Ticket, notes: bool) -> TicketThreadOut:
    """The ticket and its messages, oldest first; internal notes only when `notes` (agents, admins)."""
    msgs = sorted(Message.query(ticket_pk(t.org_id, t.id), Message.sk.startswith("MSG#"), consistent_read=True),
                  key=lambda m: (m.created_at, m.id))
    return TicketThreadOut(**ticket_out(t).model_dump(),
                           messages=[message_out(m) for m in msgs if notes or m.kind == "reply"])


# ------------------------------------------------------------------ filing
def _customer_name(user: Principal) -> str:
    p = get_profile(user.sub)
    if p is not None and p.name:
        return str(p.name)
    return user.email.split("@")[0] if user.email else "customer"


def new_ticket(desk: Desk, ticket_id: str, category: str, *, customer_sub: str, customer_email: str,
               customer_name: str, subject: str, description: str, priority: str = "normal",
               channel: str = "web") -> Ticket:
    """A new ticket's record, not yet written: at the desk, routed to its category's team (400 naming
    `category` for one the desk lacks), status new, on the customer's, the team's and the
    organisation's lists, with its reply token and link key."""
    cat = category_team(desk, category)
    now = clock.iso_now()
    org_id = desk.org_id
    return Ticket(
        *ticket_key(org_id, ticket_id),
        gsi1pk=customer_index(org_id, customer_sub), gsi1sk=f"{now}#{ticket_id}",
        gsi2pk=team_queue_index(org_id, cat.team_id), gsi2sk=f"{now}#{ticket_id}",
        gsi3pk=all_tickets_index(org_id), gsi3sk=f"{now}#{ticket_id}",
        id=ticket_id, org_id=org_id, handle=desk.handle, desk_name=desk.name, customer_sub=customer_sub,
        customer_email=customer_email, customer_name=customer_name, category=cat.slug, team_id=cat.team_id,
        subject=subject, description=description, priority=priority, status="new", channel=channel,
        reply_token=secrets.token_hex(16), link_key=secrets.token_hex(32), version=1, created_at=now, updated_at=now,
    )


def _same_or_conflict(t: Ticket, attachment_ids: list[str]) -> Callable[[Ticket], Ticket]:
    """A filing's replay: the ticket stored under the id when it says the same, else 409 naming `ticket_id`."""
    def replay(existing: Ticket) -> Ticket:
        if all(getattr(existing, f) == getattr(t, f) for f in _SAME_TICKET) and \
                [f.id for f in existing.attachments or []] == attachment_ids:
            return existing
        raise Conflict("another ticket exists with this id", field="ticket_id")
    return replay


def file_ticket(user: Principal, handle: str, ticket_id: str, data: TicketIn) -> tuple[Ticket, bool]:
    """A customer files a ticket with a desk under a client-chosen id: routed to its category's team
    and assigned at once. The same id and body again returns the ticket (created False); another
    body under that id is 409 naming `ticket_id`."""
    t = new_ticket(desk_by_handle(handle), ticket_id, data.category, customer_sub=user.sub,
                   customer_email=user.email or "", customer_name=_customer_name(user), subject=data.subject,
                   description=data.description, priority=data.priority)
    t.link_kind, t.link_id = (data.link.kind, data.link.id) if data.link else (None, None)
    t.attachments = attach(t, user.sub, data.attachments) or None  # uploaded under this id first
    start_ticket(t)  # its SLA clocks and place on the sweep's list
    return file_assigned(t, _same_or_conflict(t, list(data.attachments)))


def file_for_customer(viewer: StaffViewer, ticket_id: str, data: StaffTicketIn) -> tuple[Ticket, bool]:
    """An agent or admin files a ticket for a customer who phoned, came in or wrote to them, under a
    client-chosen id: the customer is their address (`email:<address>`, no account, as a ticket filed by
    email), emailed that it was received with signed links to the thread; routed and assigned as any
    other. The same id and body again returns the ticket (created False); another is 409 `ticket_id`."""
    address = data.customer_email.lower()
    t = new_ticket(get_desk(viewer.org_id), ticket_id, data.category, customer_sub=f"email:{address}",
                   customer_email=address, customer_name=data.customer_name.strip() or address.split("@")[0],
                   subject=data.subject, description=data.description, priority=data.priority,
                   channel=data.channel)
    start_ticket(t)
    return file_assigned(t, _same_or_conflict(t, []))


# ------------------------------------------------------------------ reading
def own_ticket(user: Principal, handle: str, ticket_id: str) -> Ticket:
    """A customer's own ticket at this desk, or one they follow (their duplicate was merged into it);
    anyone else's (or none) is 404 naming `ticket_id`."""
    desk = desk_by_handle(handle)
    t = find(Ticket, *ticket_key(desk.org_id, ticket_id))
    if t is None or not (t.customer_sub == user.sub or any(f.sub == user.sub for f in t.followers)):
        raise NotFound("no such ticket", field="ticket_id")
    return t


def staff_ticket(viewer: StaffViewer, ticket_id: str) -> Ticket:
    return visible(viewer, find(Ticket, *ticket_key(viewer.org_id, ticket_id)))


def _newest(groups: Iterable[Iterable[Ticket]], limit: int) -> list[Ticket]:
    merged = sorted((t for g in groups for t in g), key=lambda t: (t.created_at, t.id), reverse=True)
    return merged[:limit]


def customer_tickets(user: Principal, handle: str, status: str | None, limit: int) -> TicketsOut:
    desk = desk_by_handle(handle)
    cond = (Ticket.status == status) if status else None
    items = Ticket.by_customer.query(customer_index(desk.org_id, user.sub), scan_index_forward=False,
                                     filter_condition=cond, limit=limit)
    return TicketsOut(items=[ticket_out(t) for t in items])


def staff_tickets(viewer: StaffViewer, status: str | None, limit: int) -> TicketsOut:
    """Newest first: every ticket of the organisation for an admin, their teams' queues for an agent."""
    cond = (Ticket.status == status) if status else None
    if viewer.admin:
        items = list(Ticket.by_time.query(all_tickets_index(viewer.org_id), scan_index_forward=False,
                                          filter_condition=cond, limit=limit))
    else:
        items = _newest((Ticket.by_queue.query(team_queue_index(viewer.org_id, team), scan_index_forward=False,
                                               filter_condition=cond, limit=limit)
                         for team in sorted(viewer.team_ids)), limit)
    return TicketsOut(items=[ticket_out(t) for t in items])


# ------------------------------------------------------------------ changing
def _ticket_actions(t: Ticket, status: str, now: str) -> list[Action]:
    """The update of a ticket moving to `status`: a solved ticket is on the close job's work list
    (`by_due`), any other status is not."""
    actions: list[Action] = [Ticket.version.add(1), Ticket.updated_at.set(now)]
    if status != t.status:
        actions.append(Ticket.status.set(status))
        if status == "solved":
            due_pk, due_sk = solved_keys(t.org_id, t.id, now)
            actions += [Ticket.solved_at.set(now), Ticket.gsi4pk.set(due_pk), Ticket.gsi4sk.set(due_sk)]
            # the first solve stays what it was (a reopen never rewrites resolution times); each counts
            actions += [Ticket.first_solved_at.set(Ticket.first_solved_at | now), Ticket.solve_count.add(1)]
        elif t.status == "solved":
            actions += [Ticket.gsi4pk.remove(), Ticket.gsi4sk.remove()]
            if status == "open":  # reopened: counted, the event insights roll up (reopen_count rises)
                actions += [Ticket.reopen_count.add(1), Ticket.reopened_at.set(now)]
    return actions


def set_status(viewer: StaffViewer, ticket_id: str, status: str, version: int) -> Ticket:
    """Move a ticket along the workflow (409 naming `status` for a transition it does not allow) at the
    version read (409 naming `version` when it moved); its agent's open count follows in the same
    transaction."""
    t = staff_ticket(viewer, ticket_id)
    if version != int(t.version):
        raise Conflict("the ticket changed since you read it", field="version", extra={"version": int(t.version)})
    check_transition(t.status, status)
    return _change(t, status, version)


def _change(t: Ticket, status: str, version: int, message: Message | None = None) -> Ticket:
    """One transaction: the message (if any, once), the ticket at `version`, its agent's counter."""
    now = clock.iso_now()
    old_status = t.status
    delta = load_change(old_status, status)
    actions = with_clock(t, status, now, _ticket_actions(t, status, now), first_reply(message))

    try:
        with transact() as tx:
            if message is not None:
                tx.save(message, condition=Message.pk.does_not_exist())
            tx.update(Ticket(*ticket_key(t.org_id, t.id)), actions=actions, condition=Ticket.version == version)
            for probe, acts in load_actions(t.org_id, [(t.assignee, delta)]):
                tx.update(probe, actions=acts)
    except TransactWriteError as exc:
        if message is not None and 0 in failed_actions(exc):
            raise  # the message exists: the caller decides between a replay and a conflict
        if conflicted(exc):
            raise Conflict("the ticket changed since you read it", field="version") from None
        raise
    t.status, t.version, t.updated_at = status, version + 1, now
    if status == "solved" and old_status != "solved":
        t.solved_at = now
        t.first_solved_at = t.first_solved_at or now
        t.solve_count = int(t.solve_count or 0) + 1
    if status == "open" and old_status == "solved":
        t.reopen_count, t.reopened_at = int(t.reopen_count or 0) + 1, now
    return t


def _replayed(m: Message) -> Message:
    existing = find(Message, *message_key(m.org_id, m.ticket_id, m.id))
    if existing is not None and (existing.kind, existing.body, existing.author_sub) == (m.kind, m.body, m.author_sub):
        return existing
    raise Conflict("another message exists with this id", field="message_id")


def _post(t: Ticket, m: Message, by_customer: bool) -> tuple[Message, bool]:
    """Add a public reply: the message and the ticket's move (rules.status_after_reply) in one
    transaction, re-read and retried when another change got to the ticket first."""
    for attempt in range(MAX_ATTEMPTS):
        status = status_after_reply(t.status, by_customer)
        try:
            _change(t, status, int(t.version), m)
            return m, True
        except TransactWriteError as exc:
            if 0 in failed_actions(exc):
                return _replayed(m), False
            if not conflicted(exc):
                raise
        except Conflict:
            pass
        time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** attempt)))
        fresh = find(Ticket, *ticket_key(t.org_id, t.id))
        if fresh is None:
            raise NotFound("no such ticket", field="ticket_id")
        t = fresh
    raise Conflict("the ticket keeps changing: try again", field="version")


def _message(t: Ticket, message_id: str, kind: str, author: Principal, role: str, name: str, body: str,
             macro_id: str | None = None, attachments: list[str] | None = None) -> Message:
    """A message of `author`, listing the files they uploaded to the ticket (checked in the bucket)."""
    files = attach(t, author.sub, attachments or [])
    return Message(*message_key(t.org_id, t.id, message_id), id=message_id, org_id=t.org_id, ticket_id=t.id,
                   kind=kind, author_sub=author.sub, author_role=role, author_name=name, body=body,
                   macro_id=macro_id, attachments=files or None, created_at=clock.iso_now())


def customer_reply(user: Principal, handle: str, ticket_id: str, message_id: str,
                   data: CustomerMessageIn) -> tuple[Message, bool]:
    """A customer answers on their own ticket (a pending one goes back to open; a solved one reopens
    within 7 days; a closed one, or one solved longer ago, gets a linked follow-up: post_customer_reply)."""
    t = own_ticket(user, handle, ticket_id)
    return post_customer_reply(t, _message(t, message_id, "reply", user, "customer", t.customer_name, data.body,
                                           attachments=data.attachments))


def post_customer_reply(t: Ticket, m: Message) -> tuple[Message, bool]:
    """A customer's public reply, however it came (the web, an email, a ticket link), issue 11 item 6:
    appended to an unsolved ticket; a solved one reopens within rules.links.REOPEN_WINDOW (counted in
    `reopen_count`, first times kept); a closed one, or one solved longer ago, gets a follow-up ticket
    linked to it with the reply as its description (the answer's `ticket_id` names it). Once per
    message id: a replay answers what was stored."""
    if t.merged_into:  # a merged duplicate is closed for good: its customer answers on the target
        raise Conflict(f"this ticket was merged into {t.merged_into}: reply there", field="status",
                       extra={"status": t.status, "merged_into": t.merged_into})
    if reply_outcome(t.status, t.solved_at, clock.now()) == "follow_up":
        if find(Message, *message_key(t.org_id, t.id, m.id)) is not None:  # appended before it closed
            return _replayed(m), False
        return follow_up(t, m)
    return _post(t, m, True)


def agent_message(viewer: StaffViewer, user: Principal, ticket_id: str, message_id: str,
                  data: AgentMessageIn) -> tuple[Message, bool]:
    """An agent's public reply (a new ticket opens) or internal note (the customer never sees it and
    is never emailed about it); a canned reply is rendered with the ticket's values."""
    t = staff_ticket(viewer, ticket_id)
    name = _agent_name(t, user)
    if data.macro_id is not None:
        macro = get_macro(viewer.org_id, data.macro_id)
        body = render(macro.body, {"customer.name": t.customer_name, "customer.email": t.customer_email,
                                   "ticket.id": t.id, "ticket.subject": t.subject, "agent.name": name})
    else:
        body = data.body or ""
    m = _message(t, message_id, data.kind, user, "agent", name, body, data.macro_id, data.attachments)
    if data.kind == "note":
        if put_if_new(m, otherwise=lambda: None):
            return m, True
        return _replayed(m), False
    return _post(t, m, False)


def customer_attachment(user: Principal, handle: str, ticket_id: str, data: AttachmentIn) -> AttachmentUploadOut:
    """Where a customer uploads a file for their next reply on their own ticket (issue 11 item 2), or for
    the request they are about to file under this id (no ticket has it yet: the new-ticket form's files)."""
    desk = desk_by_handle(handle)
    if find(Ticket, *ticket_key(desk.org_id, ticket_id)) is None:
        return grant_for(desk.org_id, ticket_id, user.sub, data)
    return grant(own_ticket(user, handle, ticket_id), user.sub, data)


def staff_attachment(viewer: StaffViewer, user: Principal, ticket_id: str, data: AttachmentIn) -> AttachmentUploadOut:
    """Where an agent uploads a file for their next reply or note on a ticket they work."""
    return grant(staff_ticket(viewer, ticket_id), user.sub, data)


def _agent_name(t: Ticket, user: Principal) -> str:
    if t.assignee == user.sub and t.assignee_name:
        return str(t.assignee_name)
    return user.email.split("@")[0] if user.email else "Support"


def close_solved(org_id: str, ticket_id: str, solved_before: str) -> bool:
    """Close a ticket solved before `solved_before` (the close job); False when it moved meanwhile."""
    t = find(Ticket, *ticket_key(org_id, ticket_id))
    if t is None or t.status != "solved" or (t.solved_at or "") >= solved_before:
        return False
    try:
        _change(t, "closed", int(t.version))
    except Conflict:
        return False
    return True


def solved_due(shard: int, solved_before: str) -> list[tuple[str, str]]:
    """(org_id, ticket_id) of tickets solved before `solved_before` in one shard of the work list."""
    return [(t.org_id, t.id) for t in Ticket.by_due.query(solved_index(shard), Ticket.gsi4sk < solved_before)]



# ------------------------------------------------------------------ merging
def merge(viewer: StaffViewer, ticket_id: str, into: str, version: int) -> Ticket:
    """Merge a duplicate into another ticket the caller also works: the duplicate's thread is copied
    into the target (ids derived from both, so a retry copies nothing twice; the copies are never
    emailed again), its customer (and followers) follow the target, and the duplicate closes with a
    pointer (`merged_into`), at the duplicate's version; its agent's open count drops in the same
    transaction. The duplicate's customer is emailed once that it is merged."""
    src = staff_ticket(viewer, ticket_id)
    if version != int(src.version):
        raise Conflict("the ticket changed since you read it", field="version", extra={"version": int(src.version)})
    dst = find(Ticket, *ticket_key(viewer.org_id, into))
    if dst is None or not viewer.sees(dst):
        raise NotFound("no such ticket", field="into")
    check_merge(src.id, src.status, dst.id, dst.status)
    copies = [Message(*message_key(dst.org_id, dst.id, merged_message_id(src.id, m.id)),
                      id=merged_message_id(src.id, m.id), org_id=dst.org_id, ticket_id=dst.id, kind=m.kind,
                      author_sub=m.author_sub, author_role=m.author_role, author_name=m.author_name, body=m.body,
                      macro_id=m.macro_id, attachments=m.attachments or None, created_at=m.created_at,
                      merged_from=src.id)
              for m in Message.query(ticket_pk(src.org_id, src.id), Message.sk.startswith("MSG#"), consistent_read=True)]
    note_id = merged_message_id(src.id, "merge")
    copies.append(Message(*message_key(dst.org_id, dst.id, note_id), id=note_id, org_id=dst.org_id, ticket_id=dst.id,
                          kind="note", author_sub=viewer.sub, author_role="agent", author_name="",
                          body=f"Merged from ticket {src.id} ({src.subject}): {src.description}",
                          attachments=src.attachments or None, created_at=clock.iso_now(), merged_from=src.id))
    with Message.batch_write() as batch:  # plain puts of fixed ids: a retried merge rewrites the same items
        for c in copies:
            batch.save(c)
    for attempt in range(MAX_ATTEMPTS):
        try:
            return _close_as_duplicate(src, dst, version)
        except TransactWriteError as exc:
            if 0 in failed_actions(exc):  # the duplicate moved (or was merged) meanwhile
                raise Conflict("the ticket changed since you read it", field="version") from None
            if not conflicted(exc):
                raise
        time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** attempt)))
        fresh = find(Ticket, *ticket_key(dst.org_id, dst.id))
        if fresh is None:
            raise NotFound("no such ticket", field="into")
        check_merge(src.id, src.status, fresh.id, fresh.status)
        dst = fresh
    raise Conflict("the ticket keeps changing: try again", field="into")


def _close_as_duplicate(src: Ticket, dst: Ticket, version: int) -> Ticket:
    """One transaction: the duplicate closed with its pointer (at its version), the target's followers
    (at the target's version), the duplicate's agent's count."""
    now = clock.iso_now()
    following = {f.sub for f in dst.followers} | {dst.customer_sub}
    followers = [Follower(sub=f.sub, email=f.email, name=f.name) for f in dst.followers]
    for f in [Follower(sub=src.customer_sub, email=src.customer_email, name=src.customer_name), *src.followers]:
        if f.sub not in following:
            following.add(f.sub)
            followers.append(Follower(sub=f.sub, email=f.email, name=f.name))
    actions = with_clock(src, "closed", now, _ticket_actions(src, "closed", now)) + [Ticket.merged_into.set(dst.id)]
    with transact() as tx:
        tx.update(Ticket(*ticket_key(src.org_id, src.id)), actions=actions,
                  condition=(Ticket.version == version) & Ticket.merged_into.does_not_exist())
        tx.update(Ticket(*ticket_key(dst.org_id, dst.id)), actions=[
            Ticket.followers.set(followers), Ticket.version.add(1), Ticket.updated_at.set(now),
        ], condition=Ticket.version == int(dst.version))
        for probe, acts in load_actions(src.org_id, [(src.assignee, load_change(src.status, "closed"))]):
            tx.update(probe, actions=acts)
    src.status, src.merged_into, src.version, src.updated_at = "closed", dst.id, version + 1, now
    return src
