"""Who works a ticket: automatic assignment when it is filed, manual reassignment by admins and team
leads, and the agents' open-ticket counters that both keep right.

Filing reads the category team's agents (one consistent BatchGetItem), lets `rules.pick_agent` choose
the least-loaded one not away, and writes the ticket and that agent's counters in one transaction,
conditional on the counters read. Two tickets filed at the same moment that chose the same agent
cannot both commit: the loser re-reads and chooses again, so the spread stays within one.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.update import Action

from ..core import clock
from ..core.db import conflicted, failed_actions, find, transact
from ..core.errors import Conflict, Forbidden, NotFound
from .access import StaffViewer, visible
from .models import Agent, Team, Ticket, agent_key, team_key, ticket_key
from .rules import AgentLoad, is_open, pick_agent
from .teams import get_team

MAX_ATTEMPTS = 40


def _loads(org_id: str, team: Team | None) -> list[Agent]:
    if team is None or not team.agents:
        return []
    return list(Agent.batch_get([agent_key(org_id, str(s)) for s in team.agents], consistent_read=True))


def _backoff(attempt: int) -> None:
    time.sleep(random.uniform(0, min(0.2, 0.005 * 2 ** attempt)))


def file_assigned(ticket: Ticket, replay: Callable[[Ticket], Ticket]) -> tuple[Ticket, bool]:
    """Write a new ticket assigned to the least-loaded present agent of its team (unassigned when
    there is none). Returns (ticket, created); when the id exists, `replay(existing)` answers."""
    org_id = ticket.org_id
    team = find(Team, *team_key(org_id, ticket.team_id))
    for attempt in range(MAX_ATTEMPTS):
        agents = {a.sub: a for a in _loads(org_id, team)}
        chosen = pick_agent(AgentLoad(a.sub, int(a.open_count), int(a.assigned_total), bool(a.away))
                            for a in agents.values())
        agent = agents[chosen.sub] if chosen else None
        ticket.assignee = agent.sub if agent else None
        ticket.assignee_email = agent.email if agent else None
        ticket.assignee_name = agent.name if agent else None
        try:
            with transact() as tx:
                tx.save(ticket, condition=Ticket.pk.does_not_exist())
                if agent is not None:
                    tx.update(Agent(*agent_key(org_id, agent.sub)), actions=[
                        Agent.open_count.add(1), Agent.assigned_total.add(1), Agent.updated_at.set(clock.iso_now()),
                    ], condition=((Agent.open_count == int(agent.open_count))
                                  & (Agent.assigned_total == int(agent.assigned_total)) & (Agent.away == False)))  # noqa: E712
            return ticket, True
        except TransactWriteError as exc:
            if 0 in failed_actions(exc):
                existing = find(Ticket, *ticket_key(org_id, ticket.id))
                if existing is not None:
                    return replay(existing), False
            if not conflicted(exc):
                raise
        _backoff(attempt)
    raise Conflict("too many tickets are being filed at once: try again", field="ticket_id")


def load_actions(org_id: str, moves: Sequence[tuple[str | None, int]]) -> list[tuple[Agent, list[Action]]]:
    """Counter updates for (agent, change in open tickets) pairs, leaving out empty ones."""
    out: list[tuple[Agent, list[Action]]] = []
    for sub, delta in moves:
        if sub and delta:
            out.append((Agent(*agent_key(org_id, sub)), [Agent.open_count.add(delta)]))
    return out


def reassign(viewer: StaffViewer, ticket_id: str, assignee: str, version: int) -> Ticket:
    """Give a ticket to another agent of its team (admins, or the lead of the ticket's team), at the
    version read; the counters of both agents move in the same transaction."""
    org_id = viewer.org_id
    ticket = visible(viewer, find(Ticket, *ticket_key(org_id, ticket_id)))
    if not viewer.may_assign(ticket):
        raise Forbidden("reassigning needs an owner, a manager or the lead of the ticket's team", field="role")
    team = get_team(org_id, ticket.team_id, field="assignee")
    if assignee not in team.agents:
        raise NotFound("not an agent of this ticket's team", field="assignee")
    if version != int(ticket.version):
        raise Conflict("the ticket changed since you read it", field="version", extra={"version": int(ticket.version)})
    if ticket.assignee == assignee:
        return ticket
    agent = find(Agent, *agent_key(org_id, assignee))
    if agent is None:
        raise NotFound("no such agent", field="assignee")
    now = clock.iso_now()
    counted = is_open(ticket.status)
    new_agent_actions: list[Action] = [Agent.assigned_total.add(1)]
    if counted:
        new_agent_actions.append(Agent.open_count.add(1))

    try:
        with transact() as tx:
            tx.update(Ticket(*ticket_key(org_id, ticket_id)), actions=[
                Ticket.assignee.set(assignee), Ticket.assignee_email.set(agent.email),
                Ticket.assignee_name.set(agent.name), Ticket.version.add(1), Ticket.updated_at.set(now),
            ], condition=Ticket.version == version)
            for probe, actions in load_actions(org_id, [(ticket.assignee, -1 if counted else 0)]):
                tx.update(probe, actions=actions)
            tx.update(Agent(*agent_key(org_id, assignee)), actions=new_agent_actions)
    except TransactWriteError as exc:
        if conflicted(exc):  # its version moved, or another change of the same items ran at once
            raise Conflict("the ticket changed since you read it", field="version") from None
        raise
    ticket.assignee, ticket.assignee_email, ticket.assignee_name = assignee, agent.email, agent.name
    ticket.version, ticket.updated_at = int(ticket.version) + 1, now
    return ticket
