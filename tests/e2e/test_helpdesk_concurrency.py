"""Twenty tickets filed at the same moment, against the running local stack over HTTP: assignment
spreads them over the team's agents with loads at most one apart, every ticket is counted once, and
the stream workers send each customer their "received" email once."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.e2e.http import call
from tests.e2e.test_local_stack import mails_to, sign_in, wait_for

PASSWORD = "Passw0rd!long"


def _person(api: str, name: str) -> tuple[str, str, str]:
    email = f"{name}-{uuid.uuid4().hex[:8]}@example.com"
    status, out, _ = call("POST", f"{api}/auth/sign-up", {"email": email, "password": PASSWORD, "name": name})
    assert status == 201, out
    return out["sub"], sign_in(api, email, PASSWORD), email


def test_twenty_tickets_filed_at_once_spread_within_one(local_stack):
    api = local_stack["api_url"]
    _, owner, _ = _person(api, "owner")
    oid = call("POST", f"{api}/orgs", {"name": "Rush Desk"}, owner)[1]["org_id"]
    agents = [_person(api, f"agent{i}") for i in range(3)]
    for sub, _, _ in agents:
        assert call("PUT", f"{api}/orgs/{oid}/members/{sub}", {"role": "staff"}, owner)[0] == 200
    team = str(uuid.uuid4())
    assert call("PUT", f"{api}/orgs/{oid}/teams/{team}", {"name": "All", "agents": [a[0] for a in agents]},
                owner)[0] == 201
    handle = f"rush-{uuid.uuid4().hex[:8]}"
    assert call("PUT", f"{api}/orgs/{oid}/desk", {"handle": handle, "name": "Rush", "categories": [
        {"slug": "help", "name": "Help", "team_id": team}]}, owner)[0] == 201
    customers = [_person(api, f"cust{i}") for i in range(4)]

    def file(i: int) -> tuple[int, dict]:
        _, token, _ = customers[i % len(customers)]
        status, out, _ = call("PUT", f"{api}/desks/{handle}/tickets/{uuid.uuid4()}", {
            "category": "help", "subject": f"Request {i}", "description": "Please help"}, token)
        return status, out

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(file, range(20)))
    assert [s for s, _ in results] == [201] * 20, results
    per_agent: dict[str, int] = {}
    for _, t in results:
        per_agent[t["assignee"]] = per_agent.get(t["assignee"], 0) + 1
    assert set(per_agent) == {a[0] for a in agents}
    assert max(per_agent.values()) - min(per_agent.values()) <= 1, per_agent
    loads = {a["sub"]: a["open_count"] for a in call("GET", f"{api}/orgs/{oid}/agents", None, owner)[1]["items"]}
    assert loads == per_agent  # each assignment counted once, in the same transaction as its ticket
    listed = call("GET", f"{api}/orgs/{oid}/tickets?limit=200", None, owner)[1]["items"]
    assert len(listed) == 20
    # the stream workers email every customer once per ticket they filed (the outbox page lists messages
    # by status, so one that changes status while it is read may show twice or not at all: count sent ids)
    def received(email: str) -> set[str]:
        return {m["id"] for m in mails_to(local_stack, email)
                if "We received your request" in m["subject"] and m["status"] == "sent"}

    for _, _, email in customers:
        assert wait_for(lambda: len(received(email)) >= 5, timeout=180), mails_to(local_stack, email)
    for _, _, email in customers:
        assert len(received(email)) == 5
