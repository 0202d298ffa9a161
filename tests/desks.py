"""A help desk world for the API and flow tests: an organisation with admins, agents in two teams,
a member who is no agent, a customer and an outsider."""
from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass

from tests.mocked import Caller, sign_up

_handles = itertools.count(1)


@dataclass
class DeskWorld:
    oid: str
    handle: str
    owner: Caller
    manager: Caller
    lead: Caller  # leads the billing team
    agent: Caller  # billing
    tech: Caller  # the tech team's only agent
    idle: Caller  # a staff member in no team
    customer: Caller
    outsider: Caller  # owns another organisation
    billing: str
    tech_team: str

    def file(self, who: Caller | None = None, tid: str | None = None, **fields):
        body = {"category": "billing", "subject": "Charged twice", "description": "My card was charged twice.",
                **fields}
        return (who or self.customer).put(f"/desks/{self.handle}/tickets/{tid or uuid.uuid4()}", body)

    def staff(self, who: Caller, path: str = "") -> str:
        return f"/orgs/{self.oid}/tickets{path}"


def make_desk(client, alice: Caller, bob: Caller, billing_agents: int = 2) -> DeskWorld:
    oid = alice.post("/orgs", {"name": "Acme"})[1]["org_id"]
    manager, lead, agent, tech, idle = (sign_up(client, n) for n in ("mgr", "lead", "agent", "tech", "idle"))
    assert alice.put(f"/orgs/{oid}/members/{manager.sub}", {"role": "manager"})[0] == 200
    for m in (lead, agent, tech, idle):
        assert alice.put(f"/orgs/{oid}/members/{m.sub}", {"role": "staff"})[0] == 200
    customer = sign_up(client, "cust")
    bob.post("/orgs", {"name": "Other"})
    billing, tech_team = str(uuid.uuid4()), str(uuid.uuid4())
    agents = [lead.sub, agent.sub][:billing_agents]
    status, out = alice.put(f"/orgs/{oid}/teams/{billing}", {"name": "Billing", "agents": agents, "lead": lead.sub})
    assert status == 201, out
    status, out = alice.put(f"/orgs/{oid}/teams/{tech_team}", {"name": "Tech", "agents": [tech.sub]})
    assert status == 201, out
    handle = f"acme-{next(_handles)}"
    status, out = alice.put(f"/orgs/{oid}/desk", {"handle": handle, "name": "Acme Support", "categories": [
        {"slug": "billing", "name": "Billing", "team_id": billing},
        {"slug": "tech", "name": "Technical", "team_id": tech_team}]})
    assert status == 201, out
    return DeskWorld(oid, handle, alice, manager, lead, agent, tech, idle, customer, bob, billing, tech_team)
