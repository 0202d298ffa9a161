"""Signed ticket links (issue 11 items 1 and 7): a customer without an account reads a ticket's public
thread and replies through a link from its emails, and rates a solve from the solved email.

Links are HMAC-signed with the ticket's own random `link_key` (rules.links); a link that is forged,
signed under a key since replaced (revoked) or for another purpose is 404 naming `token`, an expired
one 410 naming it. Nothing is written for a refused link.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from ..core import clock
from ..core.db import find
from ..core.auth import Principal
from ..core.errors import Conflict, Forbidden, NotFound
from ..core.settings import get_settings
from .access import StaffViewer
from .attachments import attach
from .attachments import grant as grant_attachment
from .models import Message, Ticket, message_key, ticket_key
from .rules.links import RATING_LINK_DAYS, THREAD_LINK_DAYS, check_rating, issue, read, verify
from .schemas import AttachmentIn, AttachmentUploadOut, CustomerMessageIn, RatingIn, RatingOut, TicketLinkOut, TicketThreadOut
from .tickets import own_ticket, post_customer_reply, staff_ticket, thread

# The dashboard's page for a ticket link (a hash route of the static site); the API serves its data.
LINK_PAGE = "#/ticket-links/"


def _epoch(dt: datetime) -> int:
    return int(dt.timestamp())


def _iso(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def thread_token(org_id: str, ticket_id: str, key: str, now: datetime) -> tuple[str, int]:
    expires = _epoch(now + timedelta(days=THREAD_LINK_DAYS))
    return issue(key, org_id, ticket_id, "thread", 0, expires), expires


def thread_url(token: str) -> str:
    return get_settings().dashboard_url + LINK_PAGE + token


def rating_urls(org_id: str, ticket_id: str, key: str, solve: int, now: datetime) -> dict[str, str]:
    """The solved email's one-click links, one per score, for this solve."""
    token = issue(key, org_id, ticket_id, "rating", solve, _epoch(now + timedelta(days=RATING_LINK_DAYS)))
    base = f"{get_settings().api_url}/ticket-links/{token}/rating?score="
    return {score: base + score for score in ("good", "bad")}


def _ticket(token: str, purpose: str) -> tuple[Ticket, int]:
    claim = read(token)
    t = find(Ticket, *ticket_key(claim.org_id, claim.ticket_id))
    verify(claim, t.link_key if t is not None else None, _epoch(clock.now()), purpose)
    assert t is not None
    return t, claim.number


# ------------------------------------------------------------------ staff: issue and revoke
def new_link(viewer: StaffViewer, ticket_id: str) -> TicketLinkOut:
    """A fresh thread link for a ticket the caller works (to send to its customer); a ticket filed before
    links existed gets its key now."""
    t = staff_ticket(viewer, ticket_id)
    key = t.link_key
    if not key:
        key = secrets.token_hex(32)
        try:
            Ticket(*ticket_key(t.org_id, t.id)).update(actions=[Ticket.link_key.set(key)],
                                                       condition=Ticket.link_key.does_not_exist())
        except UpdateError:  # another request gave it one first
            fresh = find(Ticket, *ticket_key(t.org_id, t.id))
            key = fresh.link_key if fresh is not None and fresh.link_key else key
    token, expires = thread_token(t.org_id, t.id, str(key), clock.now())
    return TicketLinkOut(token=token, url=thread_url(token), expires_at=_iso(expires))


def revoke_links(viewer: StaffViewer, ticket_id: str) -> TicketLinkOut:
    """Every link of the ticket sent so far stops working (its key is replaced; its reply address is
    unchanged); answers a new thread link under the new key."""
    t = staff_ticket(viewer, ticket_id)
    key = secrets.token_hex(32)
    Ticket(*ticket_key(t.org_id, t.id)).update(actions=[Ticket.link_key.set(key)])
    token, expires = thread_token(t.org_id, t.id, key, clock.now())
    return TicketLinkOut(token=token, url=thread_url(token), expires_at=_iso(expires))


# ------------------------------------------------------------------ the customer, by link
def link_thread(token: str) -> TicketThreadOut:
    """The ticket's public thread (internal notes never), for the holder of a valid thread link."""
    t, _ = _ticket(token, "thread")
    return thread(t, False)


def link_reply(token: str, message_id: str, data: CustomerMessageIn) -> tuple[Message, bool]:
    """The customer's reply through a thread link: as their reply on the web (reopen or follow-up alike)."""
    t, _ = _ticket(token, "thread")
    files = attach(t, t.customer_sub, data.attachments)
    m = Message(*message_key(t.org_id, t.id, message_id), id=message_id, org_id=t.org_id, ticket_id=t.id,
                kind="reply", author_sub=t.customer_sub, author_role="customer", author_name=t.customer_name,
                body=data.body, via="link", attachments=files or None, created_at=clock.iso_now())
    return post_customer_reply(t, m)


def link_attachment(token: str, data: AttachmentIn) -> AttachmentUploadOut:
    """Where the holder of a thread link uploads a file for their next reply on it."""
    t, _ = _ticket(token, "thread")
    return grant_attachment(t, str(t.customer_sub), data)


def check_rating_link(token: str) -> Ticket:
    """The ticket of a rating link that can still rate (the page the email's link opens checks it)."""
    t, solve = _ticket(token, "rating")
    check_rating(t.status, int(t.solve_count or 0), solve)
    return t


def rate(token: str, data: RatingIn) -> RatingOut:
    """Store the rating of the solve the link was sent for: one per solve, the latest answer kept, until
    the ticket closes (409 naming `status`) or is reopened (409 naming `token`)."""
    t, solve = _ticket(token, "rating")
    return store_rating(t, solve, data, "token")


def rate_own(user: Principal, handle: str, ticket_id: str, data: RatingIn) -> RatingOut:
    """The signed-in customer rates the latest solve of their own ticket in the portal: the same rule as the
    email's links (one rating per solve, the latest answer kept, until the ticket closes or reopens). A
    follower (a merged duplicate's customer) reads the ticket but does not rate it (403 naming `role`)."""
    t = own_ticket(user, handle, ticket_id)
    if t.customer_sub != user.sub:
        raise Forbidden("only the customer who filed the request rates it", field="role")
    if t.status != "solved":
        raise Conflict("only a solved request is rated (until it closes)", field="status", extra={"status": t.status})
    return store_rating(t, int(t.solve_count or 0), data, "status")


def store_rating(t: Ticket, solve: int, data: RatingIn, stale_field: str) -> RatingOut:
    """Store a rating of solve `solve` on condition that the ticket still stands at it (409 otherwise:
    `status` once closed or not solved, `stale_field` when reopened and solved again since)."""
    check_rating(t.status, int(t.solve_count or 0), solve)
    now = clock.iso_now()
    actions: list[Action] = [Ticket.rating.set(data.score), Ticket.rating_solve.set(solve), Ticket.rated_at.set(now)]
    actions.append(Ticket.rating_comment.set(data.comment) if data.comment else Ticket.rating_comment.remove())
    try:  # only while that very solve stands: a close or a reopen in between wins
        Ticket(*ticket_key(t.org_id, t.id)).update(
            actions=actions, condition=(Ticket.status == "solved") & (Ticket.solve_count == solve))
    except UpdateError:
        fresh = find(Ticket, *ticket_key(t.org_id, t.id))
        if fresh is None:
            raise NotFound("this ticket link is not valid", field="token") from None
        check_rating(fresh.status, int(fresh.solve_count or 0), solve)
        raise Conflict("the ticket changed while rating it: try again", field=stale_field) from None
    return RatingOut(ticket_id=t.id, score=data.score, comment=data.comment or None, solve=solve, rated_at=now)

