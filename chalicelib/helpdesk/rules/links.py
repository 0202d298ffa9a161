"""Signed ticket links, reopening and satisfaction, pure.

A ticket link lets a customer without an account (one who emailed the desk) read the ticket's public
thread and reply, or rate a solve, from an email. It is signed with HMAC-SHA256 under the ticket's own
random `link_key` (kept in the table, never in the repository or a URL), expires, and is revoked by
replacing the key (every link of that ticket at once).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from ...core.errors import Conflict, InvalidInput, NotFound

# How long links stay good: a thread link a month, a rating link until well after the ticket closes.
THREAD_LINK_DAYS = 30
RATING_LINK_DAYS = 14
# A customer's reply within this long after a solve reopens the ticket; later, a follow-up is opened.
REOPEN_WINDOW = timedelta(days=7)
PURPOSES = {"t": "thread", "r": "rating"}
SCORES = ("good", "bad")

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# v1.<org>.<ticket>.<purpose>.<solve rated, 0 for a thread link>.<expires, epoch seconds>.<signature, base64url>
TOKEN_PATTERN = rf"^v1\.{_UUID}\.{_UUID}\.[tr]\.[0-9]{{1,6}}\.[0-9]{{10}}\.[A-Za-z0-9_-]{{43}}$"
_TOKEN = re.compile(TOKEN_PATTERN)


@dataclass(frozen=True)
class LinkClaim:
    """What a link says before its signature is checked against the ticket's key."""

    org_id: str
    ticket_id: str
    purpose: str  # thread | rating
    number: int  # the solve it rates (rating), 0 (thread)
    expires: int  # epoch seconds
    payload: str
    signature: str


def _sign(key: str, payload: str) -> str:
    mac = hmac.new(key.encode(), payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def issue(key: str, org_id: str, ticket_id: str, purpose: str, number: int, expires: int) -> str:
    """A signed link token for one ticket and purpose (a rating link: for one solve), good until `expires`."""
    code = next(c for c, p in PURPOSES.items() if p == purpose)
    payload = f"v1.{org_id}.{ticket_id}.{code}.{number}.{expires}"
    return f"{payload}.{_sign(key, payload)}"


def read(token: str) -> LinkClaim:
    """The claim of a token of the right shape (400 naming `token` otherwise); not yet trusted."""
    if not _TOKEN.fullmatch(token):
        raise InvalidInput("this is not a ticket link", field="token")
    payload, _, signature = token.rpartition(".")
    _v, org_id, ticket_id, code, number, expires = payload.split(".")
    return LinkClaim(org_id, ticket_id, PURPOSES[code], int(number), int(expires), payload, signature)


def verify(claim: LinkClaim, key: str | None, now: int, purpose: str) -> None:
    """Refuse a link that is forged (or signed under a key since replaced: revoked) or for another
    purpose, 404 naming `token` (nothing is said about the ticket), and an expired one, 410 naming it."""
    if key is None or not hmac.compare_digest(_sign(key, claim.payload), claim.signature):
        raise NotFound("this ticket link is not valid (or was revoked)", field="token")
    if claim.purpose != purpose:
        raise NotFound(f"this is not a {purpose} link", field="token")
    if now >= claim.expires:
        raise LinkExpired("this ticket link has expired: reply to the last email for a new one", field="token")


class LinkExpired(Conflict):
    """An expired link: 410 Gone."""

    status = 410
    code = "gone"


# ------------------------------------------------------------------ reopening
def reply_outcome(status: str, solved_at: str | None, now: datetime) -> str:
    """What a customer's reply does to their ticket: `append` to an unsolved one, `reopen` a ticket
    solved less than REOPEN_WINDOW ago, `follow_up` (a new ticket linked to it) once it is closed or
    was solved longer ago."""
    if status == "closed":
        return "follow_up"
    if status != "solved":
        return "append"
    if solved_at is None:
        return "reopen"
    solved = datetime.fromisoformat(solved_at.replace("Z", "+00:00"))
    return "reopen" if now - solved < REOPEN_WINDOW else "follow_up"


# ------------------------------------------------------------------ satisfaction
def check_rating(status: str, solve_count: int, rated_solve: int) -> None:
    """A rating is for the latest solve and changeable until the ticket closes: a link for an earlier
    solve (reopened since) or a closed ticket is 409 naming `token` / `status`; a ticket reopened and
    not solved again takes none."""
    if status == "closed":
        raise Conflict("the ticket is closed: its rating can no longer change", field="status",
                       extra={"status": status})
    if status != "solved" or rated_solve != solve_count:
        raise Conflict("this rating link is for an earlier solve of the ticket", field="token")


# ------------------------------------------------------------------ links in emails
def with_links(email: tuple[str, str, str], links: list[tuple[str, str]]) -> tuple[str, str, str]:
    """An email (subject, text, html) with links added at its end: `label: url` in the text, an anchor
    in the HTML (both escaped)."""
    subject, text, html = email
    text += "".join(f"\n{label}: {url}\n" for label, url in links)
    html += "".join(f'<p><a href="{escape(url, quote=True)}">{escape(label)}</a></p>' for label, url in links)
    return subject, text, html


def rating_links(good: str, bad: str) -> list[tuple[str, str]]:
    return [("Good, I'm satisfied", good), ("Bad, I'm not satisfied", bad)]


def thread_links(url: str) -> list[tuple[str, str]]:
    return [("Read and answer your request online", url)]
