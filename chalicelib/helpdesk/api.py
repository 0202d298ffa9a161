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

from chalice import Blueprint

from ..core.deferred import deferred
from ..core.errors import Forbidden, InvalidInput
from ..core.roles import MANAGERS
from ..core.schemas import UUID_PATTERN
from ..core.web import Reply, Req, route
from .rules import HANDLE_PATTERN
from .schemas import (
    AgentMessageIn,
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
    SlaPolicyIn,
    SlaPolicyOut,
    StatusIn,
    TeamIn,
    TeamOut,
    TeamsOut,
    TicketIn,
    TicketOut,
    TicketsOut,
    TicketsQuery,
    TicketThreadOut,
)

if TYPE_CHECKING:
    from ..core import orgs
    from . import access, assignment, desks, macros, teams, tickets
    from . import insights, sla
else:  # imported by the first request that calls them (core.deferred)
    (orgs,) = deferred("chalicelib.core", "orgs")
    access, assignment, desks, macros, teams, tickets = deferred(
        __package__, "access", "assignment", "desks", "macros", "teams", "tickets")
    insights, sla = deferred(__package__, "insights", "sla")

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
