"""Help desk routes. Routes only: parse, authorize, call one service, return its response model.

Customers (anyone signed in) file and follow their own tickets under the desk's public handle,
`/desks/{handle}/...`; the organisation's people work them under `/orgs/{org_id}/...`: admins (owners
and managers) set up the desk, teams and canned replies and see every ticket; agents (members placed
in teams) see their teams' tickets. A non-member is 404 (org_id), a member without the role 403
(role), a ticket the caller may not see 404 (ticket_id).
"""
from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from ..core.deferred import deferred
from ..core.errors import Forbidden, InvalidInput
from ..core.roles import MANAGERS
from ..core.schemas import UUID_PATTERN
from ..core.web import Media, Reply, Req, route
from .rules import HANDLE_PATTERN
from .rules.links import TOKEN_PATTERN
from .schemas import (
    AgentMessageIn,
    AttachmentIn,
    AttachmentUploadOut,
    ArticleIn,
    ArticleOut,
    ArticlesOut,
    ArticlesQuery,
    ArticleVersionOut,
    ArticleVersionsOut,
    DeflectionDaysOut,
    DeflectionIn,
    DeflectionOut,
    DeflectionsQuery,
    DraftFromTicketIn,
    KbHitsOut,
    KbSearchQuery,
    PublicArticleOut,
    SuggestQuery,
    AgentOut,
    AgentsOut,
    AssignIn,
    AwayIn,
    CustomerMessageIn,
    DeskIn,
    HelpdeskInsightsOut,
    DeskOut,
    MacroIn,
    MacroOut,
    MacrosOut,
    MergeIn,
    MessageOut,
    PublicDeskOut,
    RatingIn,
    RatingOut,
    RatingQuery,
    SlaPolicyIn,
    SlaPolicyOut,
    StaffTicketIn,
    StatusIn,
    TeamIn,
    TeamOut,
    TeamsOut,
    TicketIn,
    TicketLinkOut,
    TicketOut,
    TicketsOut,
    TicketsQuery,
    TicketThreadOut,
)

if TYPE_CHECKING:
    from ..core import orgs
    from . import access, assignment, desks, macros, teams, ticket_links, tickets
    from . import insights, kb, sla
else:  # imported by the first request that calls them (core.deferred)
    (orgs,) = deferred("chalicelib.core", "orgs")
    access, assignment, desks, macros, teams, ticket_links, tickets = deferred(
        __package__, "access", "assignment", "desks", "macros", "teams", "ticket_links", "tickets")
    insights, kb, sla = deferred(__package__, "insights", "kb", "sla")

helpdesk = Blueprint(__name__)

HANDLE = {"handle": HANDLE_PATTERN}
TICKET = {"ticket_id": UUID_PATTERN}
MESSAGE = {"ticket_id": UUID_PATTERN, "message_id": UUID_PATTERN}
CREATED = {201: "created under this id"}
REPLAYED = {200: "this id was used already with the same body: what was stored"}


def _uuid(value: str, field: str) -> str:
    """A path id: a UUID in its canonical form (what the document's pattern says), else a 400 naming `field`."""
    if not re.fullmatch(UUID_PATTERN, value):
        raise InvalidInput("must be a UUID such as 0b9e1c2a-5d4f-4e8a-9c3b-2a1d0e9f8c7b", field=field)
    return str(uuid.UUID(value))


def _handle(value: str) -> str:
    if not re.fullmatch(HANDLE_PATTERN, value):
        raise InvalidInput("a desk handle is 3 to 40 lower-case letters, digits and hyphens, a hyphen at neither end", field="handle")
    return value


# ----------------------------------------------------------------- the public desk and its customers
@route(helpdesk, "/desks/{handle}", ("GET",), public=True, path_patterns=HANDLE, response=PublicDeskOut)
def public_desk(req: Req, handle: str) -> PublicDeskOut:
    """A desk's public face: its name and the categories a request can be filed under."""
    return desks.public_desk_out(desks.desk_by_handle(_handle(handle)))


@route(helpdesk, "/desks/{handle}/tickets/{ticket_id}", ("PUT",), path_patterns={**HANDLE, **TICKET},
       body=TicketIn, response=TicketOut, status=201, also=REPLAYED)
def file_ticket(req: Req, handle: str, ticket_id: str) -> TicketOut | Reply[TicketOut]:
    """File a request with a desk under a client-chosen UUID (201); it is routed to its category's team
    and assigned to the least-loaded agent. The same id and body again answers 200, another body 409."""
    t, created = tickets.file_ticket(req.principal, _handle(handle), _uuid(ticket_id, "ticket_id"),
                                     req.body(TicketIn))
    out = tickets.ticket_out(t)
    return out if created else Reply(out, 200)


@route(helpdesk, "/desks/{handle}/tickets", ("GET",), path_patterns=HANDLE, query=TicketsQuery,
       response=TicketsOut)
def my_tickets(req: Req, handle: str) -> TicketsOut:
    """The caller's own tickets at this desk, newest first."""
    q = req.query_model(TicketsQuery)
    return tickets.customer_tickets(req.principal, _handle(handle), q.status, q.limit)


@route(helpdesk, "/desks/{handle}/tickets/{ticket_id}", ("GET",), path_patterns={**HANDLE, **TICKET},
       response=TicketThreadOut)
def my_ticket(req: Req, handle: str, ticket_id: str) -> TicketThreadOut:
    """One of the caller's tickets with its public thread (internal notes are never shown)."""
    return tickets.thread(tickets.own_ticket(req.principal, _handle(handle), _uuid(ticket_id, "ticket_id")), False)


@route(helpdesk, "/desks/{handle}/tickets/{ticket_id}/messages/{message_id}", ("PUT",),
       path_patterns={**HANDLE, **MESSAGE}, body=CustomerMessageIn, response=MessageOut, status=201, also=REPLAYED)
def customer_reply(req: Req, handle: str, ticket_id: str, message_id: str) -> MessageOut | Reply[MessageOut]:
    """Reply on one's own ticket under a client-chosen UUID: a pending or solved ticket opens again; a
    closed one takes no reply (409 naming `status`)."""
    m, created = tickets.customer_reply(req.principal, _handle(handle), _uuid(ticket_id, "ticket_id"),
                                        _uuid(message_id, "message_id"), req.body(CustomerMessageIn))
    out = tickets.message_out(m)
    return out if created else Reply(out, 200)


@route(helpdesk, "/desks/{handle}/tickets/{ticket_id}/attachments", ("POST",), path_patterns={**HANDLE, **TICKET},
       body=AttachmentIn, response=AttachmentUploadOut, status=201)
def customer_attachment(req: Req, handle: str, ticket_id: str) -> AttachmentUploadOut:
    """Where to upload a file for a reply on one's own ticket: a presigned POST to the bucket that takes
    only that type and at most 10 MiB; then list `attachment_id` in the reply's `attachments`."""
    return tickets.customer_attachment(req.principal, _handle(handle), _uuid(ticket_id, "ticket_id"),
                                       req.body(AttachmentIn))


@route(helpdesk, "/desks/{handle}/tickets/{ticket_id}/rating", ("POST",), path_patterns={**HANDLE, **TICKET},
       body=RatingIn, response=RatingOut)
def rate_own_ticket(req: Req, handle: str, ticket_id: str) -> RatingOut:
    """Rate the latest solve of one's own ticket in the portal (good or bad, an optional comment): one
    rating per solve, the latest kept, changeable until the ticket closes (409 naming `status`)."""
    return ticket_links.rate_own(req.principal, _handle(handle), _uuid(ticket_id, "ticket_id"), req.body(RatingIn))


# ----------------------------------------------------------------- setting the desk up (admins)
@route(helpdesk, "/orgs/{org_id}/desk", ("GET",), response=DeskOut)
def get_desk(req: Req, org_id: str) -> DeskOut:
    """The organisation's help desk (any member)."""
    orgs.require_role(req.principal, org_id)
    return desks.desk_out(desks.get_desk(org_id))


@route(helpdesk, "/orgs/{org_id}/desk", ("PUT",), body=DeskIn, response=DeskOut, also=CREATED)
def put_desk(req: Req, org_id: str) -> DeskOut | Reply[DeskOut]:
    """Create the desk (201) or replace it at `version` (owners and managers): its public handle, name
    and categories, each routed to a team (a handle another desk holds is 409)."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    data = req.body(DeskIn)
    out = desks.desk_out(desks.set_desk(org_id, data))
    return Reply(out, 201) if data.version is None else out


@route(helpdesk, "/orgs/{org_id}/teams", ("GET",), response=TeamsOut)
def list_teams(req: Req, org_id: str) -> TeamsOut:
    """The desk's teams with their agents and leads (any member)."""
    orgs.require_role(req.principal, org_id)
    return teams.teams(org_id)


@route(helpdesk, "/orgs/{org_id}/teams/{team_id}", ("PUT",), path_patterns={"team_id": UUID_PATTERN}, body=TeamIn,
       response=TeamOut, also=CREATED)
def put_team(req: Req, org_id: str, team_id: str) -> TeamOut | Reply[TeamOut]:
    """Create a team under a client-chosen UUID (201) or replace it at `version` (owners and managers);
    its agents are members of the organisation and its lead one of them."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    team, created = teams.set_team(org_id, _uuid(team_id, "team_id"), req.body(TeamIn))
    out = teams.team_out(team)
    return Reply(out, 201) if created else out


@route(helpdesk, "/orgs/{org_id}/agents", ("GET",), response=AgentsOut)
def list_agents(req: Req, org_id: str) -> AgentsOut:
    """Agents with their open tickets and presence (admins and agents)."""
    access.staff_viewer(req.principal, org_id)
    return teams.agents(org_id)


@route(helpdesk, "/orgs/{org_id}/agents/{sub}/away", ("PUT",), body=AwayIn, response=AgentOut)
def put_away(req: Req, org_id: str, sub: str) -> AgentOut:
    """Mark an agent away (assignment skips them) or back: the agent themselves, or an admin."""
    viewer = access.staff_viewer(req.principal, org_id)
    if not viewer.admin and sub != req.principal.sub:
        raise Forbidden("only the agent or an owner or manager sets this", field="role")
    return teams.agent_out(teams.set_away(org_id, sub, req.body(AwayIn).away))


@route(helpdesk, "/orgs/{org_id}/macros", ("GET",), response=MacrosOut)
def list_macros(req: Req, org_id: str) -> MacrosOut:
    """Canned replies (admins and agents)."""
    access.staff_viewer(req.principal, org_id)
    return macros.macros(org_id)


@route(helpdesk, "/orgs/{org_id}/macros/{macro_id}", ("PUT",), path_patterns={"macro_id": UUID_PATTERN},
       body=MacroIn, response=MacroOut, also=CREATED)
def put_macro(req: Req, org_id: str, macro_id: str) -> MacroOut | Reply[MacroOut]:
    """Create (201) or replace a canned reply (owners and managers); placeholders: {{customer.name}},
    {{customer.email}}, {{ticket.id}}, {{ticket.subject}}, {{agent.name}}."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    m, created = macros.set_macro(org_id, _uuid(macro_id, "macro_id"), req.body(MacroIn))
    out = macros.macro_out(m)
    return Reply(out, 201) if created else out


# ----------------------------------------------------------------- working tickets (agents, admins)
@route(helpdesk, "/orgs/{org_id}/tickets", ("GET",), query=TicketsQuery, response=TicketsOut)
def list_tickets(req: Req, org_id: str) -> TicketsOut:
    """Tickets newest first: all of the organisation's for admins, their teams' for agents."""
    viewer = access.staff_viewer(req.principal, org_id)
    q = req.query_model(TicketsQuery)
    return tickets.staff_tickets(viewer, q.status, q.limit)


@route(helpdesk, "/orgs/{org_id}/tickets/{ticket_id}", ("PUT",), path_patterns=TICKET, body=StaffTicketIn,
       response=TicketOut, status=201, also=REPLAYED)
def file_for_customer(req: Req, org_id: str, ticket_id: str) -> TicketOut | Reply[TicketOut]:
    """An agent or admin files a ticket for a customer who phoned, came in or wrote to them, under a
    client-chosen UUID (201): the customer is their email address (no account), emailed as any customer
    with signed links to the thread; routed and assigned as any ticket. The same id and body again
    answers 200, another body 409."""
    viewer = access.staff_viewer(req.principal, org_id)
    t, created = tickets.file_for_customer(viewer, _uuid(ticket_id, "ticket_id"), req.body(StaffTicketIn))
    out = tickets.ticket_out(t)
    return out if created else Reply(out, 200)


@route(helpdesk, "/orgs/{org_id}/tickets/{ticket_id}", ("GET",), path_patterns=TICKET, response=TicketThreadOut)
def get_ticket(req: Req, org_id: str, ticket_id: str) -> TicketThreadOut:
    """A ticket with its whole thread, internal notes included."""
    viewer = access.staff_viewer(req.principal, org_id)
    return tickets.thread(tickets.staff_ticket(viewer, _uuid(ticket_id, "ticket_id")), True)


@route(helpdesk, "/orgs/{org_id}/tickets/{ticket_id}/messages/{message_id}", ("PUT",), path_patterns=MESSAGE,
       body=AgentMessageIn, response=MessageOut, status=201, also=REPLAYED)
def agent_message(req: Req, org_id: str, ticket_id: str, message_id: str) -> MessageOut | Reply[MessageOut]:
    """A public reply (the customer is emailed; a new ticket opens) or an internal note (never shown to
    or emailed to the customer), with a body or a canned reply, under a client-chosen UUID."""
    viewer = access.staff_viewer(req.principal, org_id)
    m, created = tickets.agent_message(viewer, req.principal, _uuid(ticket_id, "ticket_id"),
                                       _uuid(message_id, "message_id"), req.body(AgentMessageIn))
    out = tickets.message_out(m)
    return out if created else Reply(out, 200)


@route(helpdesk, "/orgs/{org_id}/tickets/{ticket_id}/attachments", ("POST",), path_patterns=TICKET, body=AttachmentIn,
       response=AttachmentUploadOut, status=201)
def staff_attachment(req: Req, org_id: str, ticket_id: str) -> AttachmentUploadOut:
    """Where to upload a file for a reply or note on a ticket the caller works (a presigned POST: that
    type only, at most 10 MiB); then list `attachment_id` in the message's `attachments`."""
    viewer = access.staff_viewer(req.principal, org_id)
    return tickets.staff_attachment(viewer, req.principal, _uuid(ticket_id, "ticket_id"), req.body(AttachmentIn))


@route(helpdesk, "/orgs/{org_id}/tickets/{ticket_id}/status", ("POST",), path_patterns=TICKET, body=StatusIn,
       response=TicketOut)
def set_status(req: Req, org_id: str, ticket_id: str) -> TicketOut:
    """Move a ticket: new → open → pending → solved → closed, a solved one back to open (another
    transition is 409 naming `status`; a stale `version` 409 naming it)."""
    viewer = access.staff_viewer(req.principal, org_id)
    data = req.body(StatusIn)
    return tickets.ticket_out(tickets.set_status(viewer, _uuid(ticket_id, "ticket_id"), data.status, data.version))


@route(helpdesk, "/orgs/{org_id}/tickets/{ticket_id}/assignee", ("POST",), path_patterns=TICKET, body=AssignIn,
       response=TicketOut)
def reassign(req: Req, org_id: str, ticket_id: str) -> TicketOut:
    """Give a ticket to another agent of its team (owners, managers, the team's lead); they are emailed."""
    viewer = access.staff_viewer(req.principal, org_id)
    data = req.body(AssignIn)
    return tickets.ticket_out(assignment.reassign(viewer, _uuid(ticket_id, "ticket_id"), data.assignee, data.version))


@route(helpdesk, "/orgs/{org_id}/tickets/{ticket_id}/merge", ("POST",), path_patterns=TICKET, body=MergeIn,
       response=TicketOut)
def merge_ticket(req: Req, org_id: str, ticket_id: str) -> TicketOut:
    """Merge this ticket, a duplicate, into ticket `into` (both ones the caller works): its thread is
    copied there, its customer follows the target, and it closes pointing at it (`merged_into`)."""
    viewer = access.staff_viewer(req.principal, org_id)
    data = req.body(MergeIn)
    return tickets.ticket_out(tickets.merge(viewer, _uuid(ticket_id, "ticket_id"), _uuid(data.into, "into"),
                                            data.version))


# ----------------------------------------------------------------- the knowledge base
ARTICLE = {"article_id": UUID_PATTERN}
# An article's body is up to 40,000 characters of any script: up to 4 bytes each in UTF-8, 12 as JSON
# surrogate escapes, so its route takes more than the default body limit (the item stays < 400 KB).
ARTICLE_BODY_BYTES = 512 * 1024
VERSION = {"article_id": UUID_PATTERN, "version": r"^[1-9][0-9]{0,5}$"}


@route(helpdesk, "/desks/{handle}/articles", ("GET",), public=True, path_patterns=HANDLE, query=KbSearchQuery,
       response=KbHitsOut)
def public_articles(req: Req, handle: str) -> KbHitsOut:
    """Search the desk's published public articles, best first (no `q`: all of them by title)."""
    q = req.query_model(KbSearchQuery)
    return kb.public_search(_handle(handle), q.q, q.category, q.limit)


@route(helpdesk, "/desks/{handle}/articles/{article_id}", ("GET",), public=True,
       path_patterns={**HANDLE, **ARTICLE}, response=PublicArticleOut)
def public_article(req: Req, handle: str, article_id: str) -> PublicArticleOut:
    """A published public article, its Markdown rendered to sanitized HTML."""
    return kb.public_article(_handle(handle), _uuid(article_id, "article_id"))


@route(helpdesk, "/desks/{handle}/suggestions", ("GET",), public=True, path_patterns=HANDLE, query=SuggestQuery,
       response=KbHitsOut)
def suggestions(req: Req, handle: str) -> KbHitsOut:
    """Public articles for a new ticket's subject as it is typed (the last word also as a prefix)."""
    q = req.query_model(SuggestQuery)
    return kb.suggest(_handle(handle), q.subject, q.limit)


@route(helpdesk, "/desks/{handle}/deflections/{deflection_id}", ("PUT",), public=True,
       path_patterns={**HANDLE, "deflection_id": UUID_PATTERN}, body=DeflectionIn, response=DeflectionOut,
       status=201, also=REPLAYED)
def deflection(req: Req, handle: str, deflection_id: str) -> DeflectionOut | Reply[DeflectionOut]:
    """The portal reports a deflection under a client-chosen UUID: a suggested article was opened and
    the new-ticket form left unfiled. Counted once per id for the desk's day (UTC)."""
    d, created = kb.record_deflection(_handle(handle), _uuid(deflection_id, "deflection_id"), req.body(DeflectionIn))
    out = kb.deflection_out(d)
    return out if created else Reply(out, 200)


@route(helpdesk, "/orgs/{org_id}/kb/articles", ("GET",), query=ArticlesQuery, response=ArticlesOut)
def list_articles(req: Req, org_id: str) -> ArticlesOut:
    """Every article of the desk, drafts and internal ones too, by title (admins and agents)."""
    viewer = access.staff_viewer(req.principal, org_id)
    q = req.query_model(ArticlesQuery)
    return kb.staff_articles(viewer, q.status, q.visibility, q.category)


@route(helpdesk, "/orgs/{org_id}/kb/articles/{article_id}", ("PUT",), path_patterns=ARTICLE, body=ArticleIn,
       response=ArticleOut, also=CREATED, max_body_bytes=ARTICLE_BODY_BYTES)
def put_article(req: Req, org_id: str, article_id: str) -> ArticleOut | Reply[ArticleOut]:
    """Create an article under a client-chosen UUID (201) or save a new version at `version` (admins
    and agents); a published article is searchable within seconds (the stream rebuilds the index)."""
    viewer = access.staff_viewer(req.principal, org_id)
    a, created = kb.save_article(viewer, req.principal, _uuid(article_id, "article_id"), req.body(ArticleIn))
    out = kb.article_out(a)
    return Reply(out, 201) if created else out


@route(helpdesk, "/orgs/{org_id}/kb/articles/{article_id}", ("GET",), path_patterns=ARTICLE, response=ArticleOut)
def get_article(req: Req, org_id: str, article_id: str) -> ArticleOut:
    """An article at its latest version, with its Markdown and sanitized HTML (admins and agents)."""
    viewer = access.staff_viewer(req.principal, org_id)
    return kb.article_out(kb.staff_article(viewer, _uuid(article_id, "article_id")))


@route(helpdesk, "/orgs/{org_id}/kb/articles/{article_id}/versions", ("GET",), path_patterns=ARTICLE,
       response=ArticleVersionsOut)
def article_versions(req: Req, org_id: str, article_id: str) -> ArticleVersionsOut:
    """An article's saved versions, newest first."""
    viewer = access.staff_viewer(req.principal, org_id)
    return kb.versions(viewer, _uuid(article_id, "article_id"))


@route(helpdesk, "/orgs/{org_id}/kb/articles/{article_id}/versions/{version}", ("GET",), path_patterns=VERSION,
       response=ArticleVersionOut)
def article_version(req: Req, org_id: str, article_id: str, version: str) -> ArticleVersionOut:
    """One saved version of an article."""
    viewer = access.staff_viewer(req.principal, org_id)
    if not re.fullmatch(VERSION["version"], version):
        raise InvalidInput("a version is a positive whole number", field="version")
    return kb.version(viewer, _uuid(article_id, "article_id"), int(version))


@route(helpdesk, "/orgs/{org_id}/kb/search", ("GET",), query=KbSearchQuery, response=KbHitsOut)
def search_articles(req: Req, org_id: str) -> KbHitsOut:
    """Search the desk's published articles, internal ones too (admins and agents)."""
    access.staff_viewer(req.principal, org_id)
    q = req.query_model(KbSearchQuery)
    return kb.search(org_id, q.q, False, q.category, q.limit)


@route(helpdesk, "/orgs/{org_id}/kb/drafts/{article_id}", ("PUT",), path_patterns=ARTICLE, body=DraftFromTicketIn,
       response=ArticleOut, status=201, also=REPLAYED)
def draft_from_ticket(req: Req, org_id: str, article_id: str) -> ArticleOut | Reply[ArticleOut]:
    """Turn a solved or closed ticket the caller works into a draft internal article under a
    client-chosen UUID: its subject, the question and the public replies (never internal notes)."""
    viewer = access.staff_viewer(req.principal, org_id)
    a, created = kb.draft_from_solved_ticket(viewer, req.principal, _uuid(article_id, "article_id"),
                                             _uuid(req.body(DraftFromTicketIn).ticket_id, "ticket_id"))
    out = kb.article_out(a)
    return out if created else Reply(out, 200)


@route(helpdesk, "/orgs/{org_id}/kb/deflections", ("GET",), query=DeflectionsQuery, response=DeflectionDaysOut)
def deflections(req: Req, org_id: str) -> DeflectionDaysOut:
    """Deflections per day (UTC) from `start` to `end`, at most 366 days (admins and agents)."""
    access.staff_viewer(req.principal, org_id)
    q = req.query_model(DeflectionsQuery)
    return kb.deflection_days(org_id, q.start, q.end)


# ----------------------------------------------------------------- signed ticket links (issue 11 items 1, 7)
LINK = {"token": TOKEN_PATTERN}
LINK_MESSAGE = {"token": TOKEN_PATTERN, "message_id": UUID_PATTERN}
RATING_PAGE = Media("text/html", "The rating page, in HTML (errors are JSON like every other route's)")


def _token(value: str) -> str:
    if not re.fullmatch(TOKEN_PATTERN, value):
        raise InvalidInput("this is not a ticket link", field="token")
    return value


@route(helpdesk, "/orgs/{org_id}/tickets/{ticket_id}/links", ("POST",), path_patterns=TICKET, response=TicketLinkOut,
       status=201)
def new_ticket_link(req: Req, org_id: str, ticket_id: str) -> TicketLinkOut:
    """A signed link (30 days) to the ticket's public thread, for a customer without an account."""
    viewer = access.staff_viewer(req.principal, org_id)
    return ticket_links.new_link(viewer, _uuid(ticket_id, "ticket_id"))


@route(helpdesk, "/orgs/{org_id}/tickets/{ticket_id}/links/revoke", ("POST",), path_patterns=TICKET,
       response=TicketLinkOut)
def revoke_ticket_links(req: Req, org_id: str, ticket_id: str) -> TicketLinkOut:
    """Revoke every link of the ticket sent so far (thread and rating links: its key is replaced) and
    answer a new thread link; the ticket's reply address keeps working."""
    viewer = access.staff_viewer(req.principal, org_id)
    return ticket_links.revoke_links(viewer, _uuid(ticket_id, "ticket_id"))


@route(helpdesk, "/ticket-links/{token}", ("GET",), public=True, path_patterns=LINK, response=TicketThreadOut)
def link_thread(req: Req, token: str) -> TicketThreadOut:
    """The ticket's public thread for the holder of its signed link (no account); a forged or revoked
    link is 404 naming `token`, an expired one 410."""
    return ticket_links.link_thread(_token(token))


@route(helpdesk, "/ticket-links/{token}/messages/{message_id}", ("PUT",), public=True, path_patterns=LINK_MESSAGE,
       body=CustomerMessageIn, response=MessageOut, status=201, also=REPLAYED)
def link_reply(req: Req, token: str, message_id: str) -> MessageOut | Reply[MessageOut]:
    """The customer's reply through the link, under a client-chosen UUID: a solved ticket reopens within
    7 days; a closed one gets a linked follow-up (the answer's `ticket_id`)."""
    m, created = ticket_links.link_reply(_token(token), _uuid(message_id, "message_id"), req.body(CustomerMessageIn))
    out = tickets.message_out(m)
    return out if created else Reply(out, 200)


@route(helpdesk, "/ticket-links/{token}/attachments", ("POST",), public=True, path_patterns=LINK, body=AttachmentIn,
       response=AttachmentUploadOut, status=201)
def link_attachment(req: Req, token: str) -> AttachmentUploadOut:
    """Where the holder of a ticket link uploads a file for their reply through it (a presigned POST)."""
    return ticket_links.link_attachment(_token(token), req.body(AttachmentIn))


# The page posts the score at once (one click from the email) and then offers the comment box. The
# script is inline and allowed by its hash alone; without JavaScript nothing is stored by opening the
# link, so a mail scanner that fetches both links rates nothing.
_RATING_SCRIPT = (
    "var f=document.getElementById('f'),s=document.getElementById('s');"
    "function send(c){var b={score:f.dataset.score};if(c)b.comment=c;"
    "return fetch(f.action,{method:'POST',headers:{'Content-Type':'application/json'},body:JSON.stringify(b)})"
    ".then(function(r){s.textContent=r.ok?(c?'Thank you for your comment.':'Thank you: your rating is saved.')"
    ":'This link can no longer rate the request.';});}"
    "send();f.addEventListener('submit',function(e){e.preventDefault();send(f.elements.comment.value);});"
)


def _rating_page(score: str) -> Response:
    import base64
    import hashlib
    import html

    digest = base64.b64encode(hashlib.sha256(_RATING_SCRIPT.encode()).digest()).decode()
    action = "rating"  # relative to /ticket-links/{token}/rating: the same path, by POST
    page = ("<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport content='width=device-width'>"
            f"<title>Rate your request</title><h1>You rated your request {html.escape(score)}</h1>"
            "<p id=s>Saving your rating...</p>"
            f"<form id=f method=post action={action} data-score=\"{html.escape(score, quote=True)}\">"
            "<label for=c>Anything to add? (optional)</label><br><textarea id=c name=comment maxlength=2000></textarea>"
            f"<br><button type=submit>Send comment</button></form><script>{_RATING_SCRIPT}</script></html>")
    return Response(body=page, status_code=200, headers={
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": (f"default-src 'none'; script-src 'sha256-{digest}'; connect-src 'self'; "
                                    "form-action 'self'; frame-ancestors 'none'")})


@route(helpdesk, "/ticket-links/{token}/rating", ("GET",), public=True, path_patterns=LINK, query=RatingQuery,
       response=RATING_PAGE)
def rating_page(req: Req, token: str) -> Response:
    """The page a solved email's good / bad link opens: it stores the score at once and offers a comment."""
    score = req.query_model(RatingQuery).score
    ticket_links.check_rating_link(_token(token))
    return _rating_page(score)


@route(helpdesk, "/ticket-links/{token}/rating", ("POST",), public=True, path_patterns=LINK, body=RatingIn,
       response=RatingOut)
def rate(req: Req, token: str) -> RatingOut:
    """Rate the solve the link was sent for (good or bad, an optional comment): one rating per solve, the
    latest kept, changeable until the ticket closes (409 naming `status`)."""
    return ticket_links.rate(_token(token), req.body(RatingIn))


# ----------------------------------------------------------------- SLAs and insights (issue 11 items 5, 9)
@route(helpdesk, "/orgs/{org_id}/helpdesk/sla", ("GET",), response=SlaPolicyOut)
def get_sla(req: Req, org_id: str) -> SlaPolicyOut:
    """The desk's SLA policy: calendar and targets per priority (admins and agents; version 0: none)."""
    access.staff_viewer(req.principal, org_id)
    return sla.policy_out(sla.get_policy(org_id), org_id)


@route(helpdesk, "/orgs/{org_id}/helpdesk/sla", ("PUT",), body=SlaPolicyIn, response=SlaPolicyOut, also=CREATED)
def put_sla(req: Req, org_id: str) -> SlaPolicyOut | Reply[SlaPolicyOut]:
    """Create (201) or replace at `version` the SLA policy (owners and managers): the calendar (IANA
    zone, weekly hours, a country's public holidays, closed days) and first-response and resolution
    targets per priority in business minutes. Tickets keep the targets they were filed with."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    data = req.body(SlaPolicyIn)
    out = sla.policy_out(sla.set_policy(org_id, data), org_id)
    return Reply(out, 201) if data.version is None else out


@route(helpdesk, "/orgs/{org_id}/helpdesk/insights", ("GET",), response=HelpdeskInsightsOut)
def helpdesk_insights(req: Req, org_id: str) -> HelpdeskInsightsOut:
    """How the desk is doing (owners and managers), precomputed by the stream: tickets created and solved
    per day and by category, priority, team and agent; backlog by status; first-response and resolution
    medians and p90 (business minutes); SLA attainment; satisfaction; reopen and deflection rates; the
    agents needed per hour of the week (Erlang C) beside those scheduled."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    return insights.insights_for(org_id)
