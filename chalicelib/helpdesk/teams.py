"""Teams of agents and the agents themselves: who is in which team, who leads it, who is away, and
each agent's load (the counters assignment reads)."""
from __future__ import annotations

from pynamodb.exceptions import TransactWriteError

from ..core import clock
from ..core.db import conflicted, find, transact, update_if
from ..core.errors import Conflict, InvalidInput, NotFound, TallyError
from ..core.keys import org_pk
from ..core.models import Membership, Profile
from ..core.orgs import members
from ..core.profiles import profile_key
from .models import Agent, Team, agent_key, team_key
from .schemas import AgentOut, AgentsOut, TeamIn, TeamOut, TeamsOut


def team_out(t: Team) -> TeamOut:
    return TeamOut(id=t.id, name=t.name, lead=t.lead, agents=[str(s) for s in t.agents], version=int(t.version))


def agent_out(a: Agent) -> AgentOut:
    return AgentOut(sub=a.sub, email=a.email, name=a.name, away=bool(a.away), open_count=int(a.open_count),
                    assigned_total=int(a.assigned_total))


def all_teams(org_id: str) -> list[Team]:
    """The organisation's teams (one Query: a desk has a few)."""
    return sorted(Team.query(org_pk(org_id), Team.sk.startswith("TEAM#")), key=lambda t: t.name.lower())


def teams(org_id: str) -> TeamsOut:
    return TeamsOut(items=[team_out(t) for t in all_teams(org_id)])


def teams_of(org_id: str, sub: str) -> list[Team]:
    """The teams `sub` is an agent of."""
    return [t for t in all_teams(org_id) if sub in t.agents]


def get_team(org_id: str, team_id: str, field: str = "team_id") -> Team:
    t = find(Team, *team_key(org_id, team_id))
    if t is None:
        raise NotFound("no such team", field=field)
    return t


def set_team(org_id: str, team_id: str, data: TeamIn) -> tuple[Team, bool]:
    """Create a team under a client-chosen id, or replace it at the version read. Every agent must be a
    member of the organisation (404 naming `agents`); each gets their Agent item (load counters kept)
    in the same transaction. Returns (team, created)."""
    by_sub = {m.sub: m for m in members(org_id)}
    for sub in data.agents:
        if sub not in by_sub:
            raise NotFound(f"{sub} is not a member of this organisation", field="agents")
    # where an agent is emailed: their profile's address, else the membership's (one BatchGetItem)
    profiles = {p.sub: p for p in Profile.batch_get([profile_key(s) for s in data.agents])}
    current = find(Team, *team_key(org_id, team_id))
    now = clock.iso_now()
    if current is None and data.version is not None:
        raise NotFound("no such team", field="version")
    if current is not None:
        if data.version is None:
            raise InvalidInput("the team exists: send the version you read", field="version")
        if data.version != current.version:
            raise Conflict("the team changed since you read it", field="version",
                           extra={"current": team_out(current).model_dump(mode="json")})
    team = Team(*team_key(org_id, team_id), id=team_id, org_id=org_id, name=data.name, lead=data.lead,
                agents=list(data.agents), version=(int(current.version) + 1) if current else 1,
                created_at=current.created_at if current else now, updated_at=now)

    try:
        _write_team(team, current is not None, data, by_sub, profiles, org_id, now)
    except TransactWriteError as exc:
        if conflicted(exc):
            raise Conflict("the team changed meanwhile: read it again", field="version") from None
        raise
    return team, current is None


def _write_team(team: Team, exists: bool, data: TeamIn, by_sub: dict[str, Membership], profiles: dict[str, Profile],
                org_id: str, now: str) -> None:
    """The team (at its version, or new) and each of its agents' items, in one transaction."""

    def refused(failed: list[int]) -> TallyError | None:
        if 0 in failed:
            return Conflict("the team changed since you read it", field="version")
        return None

    with transact(otherwise=refused) as tx:
        tx.save(team, condition=(Team.version == data.version) if exists else Team.pk.does_not_exist())
        for sub in data.agents:
            p = profiles.get(sub)
            address = (p.email if p is not None else "") or by_sub[sub].email
            name = (p.name if p is not None else "") or (address.split("@")[0] if address else sub)
            probe = Agent(*agent_key(org_id, sub))
            tx.update(probe, actions=[
                Agent.sub.set(sub), Agent.org_id.set(org_id), Agent.email.set(address), Agent.name.set(name),
                Agent.away.set(Agent.away | False), Agent.open_count.set(Agent.open_count | 0),
                Agent.assigned_total.set(Agent.assigned_total | 0),
                Agent.created_at.set(Agent.created_at | now), Agent.updated_at.set(now),
            ])


def agents(org_id: str) -> AgentsOut:
    """Every agent with their load, by name."""
    items = sorted(Agent.query(org_pk(org_id), Agent.sk.startswith("AGENT#")), key=lambda a: a.name.lower())
    return AgentsOut(items=[agent_out(a) for a in items])


def set_away(org_id: str, sub: str, away: bool) -> Agent:
    """Mark an agent away (skipped by assignment) or back."""
    probe = Agent(*agent_key(org_id, sub))
    update_if(probe, [Agent.away.set(away), Agent.updated_at.set(clock.iso_now())], Agent.pk.exists(),
              otherwise=lambda: NotFound("no such agent", field="sub"))
    return probe
