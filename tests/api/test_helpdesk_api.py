"""Help desk routes: the public desk, setting it up, filing and following tickets, working them, and
who sees what (route × role × other organisation)."""
from __future__ import annotations

import uuid

import pytest

from tests.desks import DeskWorld, make_desk
from tests.mocked import Caller, sign_up


@pytest.fixture
def desk(client, alice, bob) -> DeskWorld:
    return make_desk(client, alice, bob)


def _filed(desk: DeskWorld, **fields) -> dict:
    status, t = desk.file(**fields)
    assert status == 201, t
    return t


def _error(resp) -> tuple[int, str | None]:
    status, body = resp
    return status, (body or {}).get("error", {}).get("field")


# ------------------------------------------------------------------ the public desk
def test_anyone_reads_a_desks_name_and_categories(desk, client):
    anon = Caller(client, None, "")
    status, out = anon.get(f"/desks/{desk.handle}")
    assert status == 200
    assert out == {"handle": desk.handle, "name": "Acme Support", "categories": [
        {"slug": "billing", "name": "Billing"}, {"slug": "tech", "name": "Technical"}]}


def test_an_unknown_handle_is_404_naming_it_and_a_malformed_one_400(desk, client):
    anon = Caller(client, None, "")
    assert _error(anon.get("/desks/nobody-here")) == (404, "handle")
    assert _error(anon.get("/desks/Not_A_Handle")) == (400, "handle")


# ------------------------------------------------------------------ setting the desk up
def test_only_owners_and_managers_set_up_the_desk(desk):
    body = {"handle": desk.handle, "name": "Renamed", "categories": [
        {"slug": "billing", "name": "Billing", "team_id": desk.billing}], "version": 1}
    assert _error(desk.agent.put(f"/orgs/{desk.oid}/desk", body)) == (403, "role")
    assert _error(desk.outsider.put(f"/orgs/{desk.oid}/desk", body)) == (404, "org_id")
    status, out = desk.manager.put(f"/orgs/{desk.oid}/desk", body)
    assert status == 200 and out["name"] == "Renamed" and out["version"] == 2
    assert _error(desk.manager.put(f"/orgs/{desk.oid}/desk", body)) == (409, "version")
    assert desk.idle.get(f"/orgs/{desk.oid}/desk")[0] == 200
    assert _error(desk.outsider.get(f"/orgs/{desk.oid}/desk")) == (404, "org_id")


def test_a_handle_is_one_desks_and_moves_with_it(desk, client, bob):
    oid = bob.post("/orgs", {"name": "Third"})[1]["org_id"]
    team = str(uuid.uuid4())
    assert bob.put(f"/orgs/{oid}/teams/{team}", {"name": "All", "agents": [bob.sub]})[0] == 201
    body = {"handle": desk.handle, "name": "Copycat", "categories": [{"slug": "help", "name": "Help", "team_id": team}]}
    assert _error(bob.put(f"/orgs/{oid}/desk", body)) == (409, "handle")
    # the first desk takes another handle: the old one is free again
    moved = {"handle": desk.handle + "-new", "name": "Acme Support", "version": 1, "categories": [
        {"slug": "billing", "name": "Billing", "team_id": desk.billing}]}
    assert desk.owner.put(f"/orgs/{desk.oid}/desk", moved)[0] == 200
    assert Caller(client, None, "").get(f"/desks/{desk.handle}")[0] == 404
    assert bob.put(f"/orgs/{oid}/desk", body)[0] == 201


def test_a_desk_category_naming_no_team_is_404_naming_categories(client, alice):
    oid = alice.post("/orgs", {"name": "Solo"})[1]["org_id"]
    body = {"handle": "solo-desk", "name": "Solo", "categories": [
        {"slug": "x", "name": "X", "team_id": str(uuid.uuid4())}]}
    assert _error(alice.put(f"/orgs/{oid}/desk", body)) == (404, "categories")


def test_teams_take_members_only_and_a_lead_among_them(desk, client):
    stranger = sign_up(client, "stranger")
    team = f"/orgs/{desk.oid}/teams/{uuid.uuid4()}"
    assert _error(desk.owner.put(team, {"name": "T", "agents": [stranger.sub]})) == (404, "agents")
    assert _error(desk.owner.put(team, {"name": "T", "agents": [desk.agent.sub], "lead": desk.tech.sub})) == (
        400, "lead")
    assert _error(desk.agent.put(team, {"name": "T", "agents": [desk.agent.sub]})) == (403, "role")
    assert _error(desk.outsider.put(team, {"name": "T", "agents": [desk.agent.sub]})) == (404, "org_id")
    names = [t["name"] for t in desk.idle.get(f"/orgs/{desk.oid}/teams")[1]["items"]]
    assert names == ["Billing", "Tech"]


# ------------------------------------------------------------------ filing
def test_a_customer_files_a_ticket_once_under_its_id(desk):
    tid = str(uuid.uuid4())
    status, t = desk.file(tid=tid, priority="high", link={"kind": "order", "id": "ORD-1001"})
    assert status == 201
    assert (t["status"], t["priority"], t["category"], t["team_id"]) == ("new", "high", "billing", desk.billing)
    assert t["link"] == {"kind": "order", "id": "ORD-1001"}
    assert t["assignee"] in (desk.lead.sub, desk.agent.sub)
    status, again = desk.file(tid=tid, priority="high", link={"kind": "order", "id": "ORD-1001"})
    assert status == 200 and again == t
    assert _error(desk.file(tid=tid, subject="Something else")) == (409, "ticket_id")


def test_filing_refuses_unknown_categories_html_subjects_and_bad_fields(desk, client):
    assert _error(desk.file(category="shipping")) == (400, "category")
    assert _error(desk.file(subject="<b>urgent</b> refund")) == (400, "subject")
    assert _error(desk.file(subject="<script>alert(1)</script>")) == (400, "subject")
    assert _error(desk.file(priority="critical")) == (400, "priority")
    assert _error(desk.file(link={"kind": "invoice", "id": "1"})) == (400, "link.kind")
    assert _error(desk.file(extra="x")) == (400, "extra")
    assert _error(desk.file(tid="not-a-uuid")) == (400, "ticket_id")
    anon = Caller(client, None, "")
    assert desk.file(who=anon)[0] == 401
    assert _error(desk.customer.put(f"/desks/nobody-here/tickets/{uuid.uuid4()}", {
        "category": "billing", "subject": "s", "description": "d"})) == (404, "handle")
    assert desk.owner.get(f"/orgs/{desk.oid}/tickets")[1]["items"] == []


# ------------------------------------------------------------------ filed by an agent for a customer
PHONED = {"customer_email": "Dana.Reyes@Example.org", "customer_name": "Dana Reyes", "category": "tech",
          "subject": "Printer jams", "description": "Called at 10:05: the printer jams on every second page.",
          "channel": "phone"}


def test_an_agent_files_a_ticket_for_a_customer_who_phoned_once_under_its_id(desk):
    tid = str(uuid.uuid4())
    path = f"/orgs/{desk.oid}/tickets/{tid}"
    status, t = desk.agent.put(path, PHONED)  # a billing agent takes a call about a technical problem
    assert status == 201, t
    assert (t["id"], t["channel"], t["customer_name"], t["status"], t["category"]) == (
        tid, "phone", "Dana Reyes", "new", "tech")
    assert (t["team_id"], t["assignee"]) == (desk.tech_team, desk.tech.sub)  # routed as any ticket
    status, again = desk.agent.put(path, PHONED)
    assert (status, again["id"], again["version"]) == (200, tid, t["version"])
    assert _error(desk.agent.put(path, {**PHONED, "subject": "Scanner jams"})) == (409, "ticket_id")
    # the customer is their address, lower-cased (no account): the tech queue has it, with the thread
    thread = desk.tech.get(path)[1]
    assert thread["customer_name"] == "Dana Reyes" and thread["description"] == PHONED["description"]
    assert tid in {x["id"] for x in desk.tech.get(f"/orgs/{desk.oid}/tickets")[1]["items"]}
    # without a name, the address's local part; a walk-in
    status, walk_in = desk.manager.put(f"/orgs/{desk.oid}/tickets/{uuid.uuid4()}",
                                       {**PHONED, "customer_name": "", "channel": "walk_in", "category": "billing"})
    assert (status, walk_in["customer_name"], walk_in["channel"]) == (201, "dana.reyes", "walk_in")


def test_only_desk_staff_file_for_customers_and_bad_input_writes_nothing(desk, client):
    path = f"/orgs/{desk.oid}/tickets/{uuid.uuid4()}"
    assert Caller(client, None, "").put(path, PHONED)[0] == 401
    assert _error(desk.idle.put(path, PHONED)) == (403, "role")  # a member in no team
    assert _error(desk.customer.put(path, PHONED)) == (404, "org_id")
    assert _error(desk.outsider.put(path, PHONED)) == (404, "org_id")
    for field, value in (("customer_email", "dana at example"), ("category", "shipping"), ("channel", "fax"),
                         ("subject", "<b>urgent</b>"), ("customer_name", "Dana\x00"), ("priority", "critical"),
                         ("link", {"kind": "car", "id": "1"}), ("attachments", [])):
        assert _error(desk.agent.put(path, {**PHONED, field: value})) == (400, field), field
    for field in ("customer_email", "subject", "description", "category"):
        assert _error(desk.agent.put(path, {k: v for k, v in PHONED.items() if k != field})) == (400, field)
    assert _error(desk.agent.put(f"/orgs/{desk.oid}/tickets/not-a-uuid", PHONED)) == (400, "ticket_id")
    assert desk.owner.get(f"/orgs/{desk.oid}/tickets")[1]["items"] == []


def test_filing_for_a_customer_needs_the_organisations_desk(client, alice):
    oid = alice.post("/orgs", {"name": "No desk yet"})[1]["org_id"]
    assert _error(alice.put(f"/orgs/{oid}/tickets/{uuid.uuid4()}", PHONED)) == (404, "desk")


# ------------------------------------------------------------------ who sees what
def test_a_customer_sees_only_their_own_tickets(desk, client):
    mine = _filed(desk)
    other = sign_up(client, "other")
    theirs = _filed(desk, who=other)
    listed = desk.customer.get(f"/desks/{desk.handle}/tickets")[1]["items"]
    assert [t["id"] for t in listed] == [mine["id"]]
    assert desk.customer.get(f"/desks/{desk.handle}/tickets/{mine['id']}")[0] == 200
    assert _error(desk.customer.get(f"/desks/{desk.handle}/tickets/{theirs['id']}")) == (404, "ticket_id")
    assert _error(desk.customer.put(f"/desks/{desk.handle}/tickets/{theirs['id']}/messages/{uuid.uuid4()}",
                                    {"body": "hi"})) == (404, "ticket_id")
    # a customer is no member: the organisation's routes do not know them
    assert _error(desk.customer.get(f"/orgs/{desk.oid}/tickets")) == (404, "org_id")
    assert _error(desk.customer.get(f"/orgs/{desk.oid}/tickets/{mine['id']}")) == (404, "org_id")


def test_agents_see_their_teams_tickets_and_admins_all(desk):
    billing = _filed(desk)
    tech = _filed(desk, category="tech", subject="App crashes")
    ids = lambda who: {t["id"] for t in who.get(f"/orgs/{desk.oid}/tickets")[1]["items"]}  # noqa: E731
    assert ids(desk.owner) == ids(desk.manager) == {billing["id"], tech["id"]}
    assert ids(desk.agent) == ids(desk.lead) == {billing["id"]}
    assert ids(desk.tech) == {tech["id"]}
    assert _error(desk.tech.get(f"/orgs/{desk.oid}/tickets/{billing['id']}")) == (404, "ticket_id")
    assert desk.agent.get(f"/orgs/{desk.oid}/tickets/{billing['id']}")[0] == 200
    assert _error(desk.idle.get(f"/orgs/{desk.oid}/tickets")) == (403, "role")
    assert _error(desk.outsider.get(f"/orgs/{desk.oid}/tickets")) == (404, "org_id")
    assert _error(desk.outsider.get(f"/orgs/{desk.oid}/tickets/{billing['id']}")) == (404, "org_id")
    assert [t["id"] for t in desk.owner.get(f"/orgs/{desk.oid}/tickets?status=new&limit=1")[1]["items"]] == [tech["id"]]
    assert _error(desk.owner.get(f"/orgs/{desk.oid}/tickets?status=lost")) == (400, "status")


def test_internal_notes_never_reach_the_customer(desk):
    t = _filed(desk)
    who = desk.lead if t["assignee"] == desk.lead.sub else desk.agent
    path = f"/orgs/{desk.oid}/tickets/{t['id']}/messages"
    status, note = who.put(f"{path}/{uuid.uuid4()}", {"kind": "note", "body": "VIP: refund at once"})
    assert status == 201 and note["kind"] == "note"
    status, reply = who.put(f"{path}/{uuid.uuid4()}", {"kind": "reply", "body": "Refunded."})
    assert status == 201
    seen = desk.customer.get(f"/desks/{desk.handle}/tickets/{t['id']}")[1]
    assert [m["body"] for m in seen["messages"]] == ["Refunded."]
    assert seen["status"] == "open"  # an agent's reply opens a new ticket
    full = who.get(f"/orgs/{desk.oid}/tickets/{t['id']}")[1]
    assert [m["kind"] for m in full["messages"]] == ["note", "reply"]
    assert _error(desk.tech.put(f"{path}/{uuid.uuid4()}", {"kind": "note", "body": "x"})) == (404, "ticket_id")
    assert _error(who.put(f"{path}/{uuid.uuid4()}", {"kind": "reply"})) == (400, "body")


def test_a_message_is_written_once_under_its_id(desk):
    t = _filed(desk)
    mid = str(uuid.uuid4())
    path = f"/desks/{desk.handle}/tickets/{t['id']}/messages/{mid}"
    first = desk.customer.put(path, {"body": "Any news?"})
    assert first[0] == 201
    again = desk.customer.put(path, {"body": "Any news?"})
    assert again == (200, first[1])
    assert _error(desk.customer.put(path, {"body": "Something else"})) == (409, "message_id")
    seen = desk.customer.get(f"/desks/{desk.handle}/tickets/{t['id']}")[1]
    assert len(seen["messages"]) == 1


# ------------------------------------------------------------------ statuses
def test_statuses_follow_the_workflow_at_the_version_read(desk):
    t = _filed(desk)
    path = f"/orgs/{desk.oid}/tickets/{t['id']}/status"
    assert _error(desk.owner.post(path, {"status": "closed", "version": 1})) == (409, "status")
    status, opened = desk.owner.post(path, {"status": "open", "version": 1})
    assert status == 200 and (opened["status"], opened["version"]) == ("open", 2)
    assert _error(desk.owner.post(path, {"status": "pending", "version": 1})) == (409, "version")
    assert desk.owner.post(path, {"status": "pending", "version": 2})[1]["status"] == "pending"
    # the customer answering a pending ticket hands it back to the agent
    assert desk.customer.put(f"/desks/{desk.handle}/tickets/{t['id']}/messages/{uuid.uuid4()}",
                             {"body": "Here is the receipt."})[0] == 201
    current = desk.owner.get(f"/orgs/{desk.oid}/tickets/{t['id']}")[1]
    assert current["status"] == "open"
    v = current["version"]
    assert desk.owner.post(path, {"status": "solved", "version": v})[1]["status"] == "solved"
    assert desk.owner.post(path, {"status": "closed", "version": v + 1})[1]["status"] == "closed"
    assert _error(desk.owner.post(path, {"status": "open", "version": v + 2})) == (409, "status")
    # a closed ticket takes no reply: the customer's answer opens a linked follow-up (issue 11 item 6)
    status, reply = desk.customer.put(f"/desks/{desk.handle}/tickets/{t['id']}/messages/{uuid.uuid4()}",
                                      {"body": "One more thing"})
    assert status == 201 and reply["ticket_id"] != t["id"]
    assert desk.owner.get(f"/orgs/{desk.oid}/tickets/{t['id']}")[1]["status"] == "closed"
    assert _error(desk.tech.post(path, {"status": "open", "version": v + 2})) == (404, "ticket_id")
    assert _error(desk.idle.post(path, {"status": "open", "version": v + 2})) == (403, "role")
    assert _error(desk.owner.post(path, {"status": "reopened", "version": 1})) == (400, "status")


# ------------------------------------------------------------------ canned replies
def test_a_canned_reply_fills_in_the_customer_and_the_ticket(desk):
    macro = str(uuid.uuid4())
    body = {"title": "Refund done", "body": "Hello {{customer.name}}, ticket {{ ticket.id }} is refunded."}
    assert _error(desk.agent.put(f"/orgs/{desk.oid}/macros/{macro}", body)) == (403, "role")
    assert desk.owner.put(f"/orgs/{desk.oid}/macros/{macro}", body)[0] == 201
    assert desk.owner.put(f"/orgs/{desk.oid}/macros/{macro}", body)[0] == 200
    assert _error(desk.owner.put(f"/orgs/{desk.oid}/macros/{uuid.uuid4()}",
                                 {"title": "x", "body": "{{customer.password}}"})) == (400, "body")
    assert [m["title"] for m in desk.agent.get(f"/orgs/{desk.oid}/macros")[1]["items"]] == ["Refund done"]
    assert _error(desk.idle.get(f"/orgs/{desk.oid}/macros")) == (403, "role")
    t = _filed(desk)
    status, m = desk.lead.put(f"/orgs/{desk.oid}/tickets/{t['id']}/messages/{uuid.uuid4()}",
                              {"kind": "reply", "macro_id": macro})
    assert status == 201
    assert m["body"] == f"Hello cust, ticket {t['id']} is refunded."
    assert _error(desk.lead.put(f"/orgs/{desk.oid}/tickets/{t['id']}/messages/{uuid.uuid4()}",
                                {"kind": "reply", "macro_id": str(uuid.uuid4())})) == (404, "macro_id")


# ------------------------------------------------------------------ assignment
def _loads(desk: DeskWorld) -> dict[str, int]:
    return {a["sub"]: a["open_count"] for a in desk.owner.get(f"/orgs/{desk.oid}/agents")[1]["items"]}


def test_tickets_go_to_the_least_loaded_agent_in_turn(desk):
    assignees = [_filed(desk)["assignee"] for _ in range(4)]
    assert sorted(assignees) == sorted([desk.lead.sub, desk.agent.sub] * 2)
    assert assignees[0] != assignees[1] and assignees[2] != assignees[3]
    loads = _loads(desk)
    assert (loads[desk.lead.sub], loads[desk.agent.sub]) == (2, 2)


def test_solving_a_ticket_frees_its_agent(desk):
    t = _filed(desk)
    who = t["assignee"]
    path = f"/orgs/{desk.oid}/tickets/{t['id']}/status"
    desk.owner.post(path, {"status": "solved", "version": 1})
    assert _loads(desk)[who] == 0
    desk.owner.post(path, {"status": "open", "version": 2})  # reopened: counted again
    assert _loads(desk)[who] == 1
    # the next ticket goes to the other agent (fewest open), the one after to whoever has fewer
    assert _filed(desk)["assignee"] != who


def test_an_agent_marked_away_gets_no_tickets(desk):
    assert _error(desk.agent.put(f"/orgs/{desk.oid}/agents/{desk.lead.sub}/away", {"away": True})) == (403, "role")
    status, me = desk.agent.put(f"/orgs/{desk.oid}/agents/{desk.agent.sub}/away", {"away": True})
    assert status == 200 and me["away"] is True
    assert {_filed(desk)["assignee"] for _ in range(3)} == {desk.lead.sub}
    desk.owner.put(f"/orgs/{desk.oid}/agents/{desk.lead.sub}/away", {"away": True})
    assert _filed(desk)["assignee"] is None  # nobody present: the ticket waits unassigned
    assert _error(desk.idle.put(f"/orgs/{desk.oid}/agents/{desk.idle.sub}/away", {"away": True})) == (403, "role")
    assert _error(desk.owner.put(f"/orgs/{desk.oid}/agents/{desk.idle.sub}/away", {"away": True})) == (404, "sub")


def test_admins_and_the_team_lead_reassign_within_the_team(desk):
    t = _filed(desk)
    other = desk.agent.sub if t["assignee"] == desk.lead.sub else desk.lead.sub
    path = f"/orgs/{desk.oid}/tickets/{t['id']}/assignee"
    if t["assignee"] == desk.agent.sub:  # an agent who is not the lead cannot give their ticket away
        assert _error(desk.agent.post(path, {"assignee": other, "version": 1})) == (403, "role")
    assert _error(desk.tech.post(f"/orgs/{desk.oid}/tickets/{t['id']}/assignee",
                                 {"assignee": desk.tech.sub, "version": 1})) == (404, "ticket_id")
    assert _error(desk.lead.post(path, {"assignee": desk.tech.sub, "version": 1})) == (404, "assignee")
    assert _error(desk.tech.post(path, {"assignee": other, "version": 1})) == (404, "ticket_id")
    assert _error(desk.outsider.post(path, {"assignee": other, "version": 1})) == (404, "org_id")
    status, moved = desk.lead.post(path, {"assignee": other, "version": 1})
    assert status == 200 and moved["assignee"] == other and moved["version"] == 2
    loads = _loads(desk)
    assert loads[other] == 1 and loads[t["assignee"]] == 0
    assert _error(desk.owner.post(path, {"assignee": t["assignee"], "version": 1})) == (409, "version")
    assert desk.owner.post(path, {"assignee": t["assignee"], "version": 2})[1]["assignee"] == t["assignee"]


# ------------------------------------------------------------------ merging
def test_merging_a_duplicate_moves_its_thread_and_customer_and_points_at_the_target(desk, client):
    other = sign_up(client, "dup")
    target = _filed(desk)
    status, dup = desk.file(who=other, subject="Double charge again", description="Same problem here.")
    assert status == 201
    assert other.put(f"/desks/{desk.handle}/tickets/{dup['id']}/messages/{uuid.uuid4()}",
                     {"body": "Card ending 4242"})[0] == 201
    dup_version = desk.owner.get(f"/orgs/{desk.oid}/tickets/{dup['id']}")[1]["version"]
    path = f"/orgs/{desk.oid}/tickets/{dup['id']}/merge"
    assert _error(desk.owner.post(path, {"into": dup["id"], "version": dup_version})) == (400, "into")
    assert _error(desk.owner.post(path, {"into": str(uuid.uuid4()), "version": dup_version})) == (404, "into")
    assert _error(desk.owner.post(path, {"into": target["id"], "version": dup_version - 1})) == (409, "version")
    tech = _filed(desk, category="tech", subject="App crashes")
    # an agent merges only tickets they see: another team's ticket is not there for them
    assert _error(desk.lead.post(path, {"into": tech["id"], "version": dup_version})) == (404, "into")
    assert _error(desk.idle.post(path, {"into": target["id"], "version": dup_version})) == (403, "role")
    assert _error(desk.outsider.post(path, {"into": target["id"], "version": dup_version})) == (404, "org_id")
    loads_before = _loads(desk)
    status, merged = desk.lead.post(path, {"into": target["id"], "version": dup_version})
    assert status == 200, merged
    assert (merged["status"], merged["merged_into"]) == ("closed", target["id"])
    assert _loads(desk)[dup["assignee"]] == loads_before[dup["assignee"]] - 1
    # the target holds the duplicate's thread (and a note saying where it came from)
    full = desk.owner.get(f"/orgs/{desk.oid}/tickets/{target['id']}")[1]
    assert [m["body"] for m in full["messages"] if m["kind"] == "reply"] == ["Card ending 4242"]
    assert any(dup["id"] in m["body"] for m in full["messages"] if m["kind"] == "note")
    # the duplicate's customer sees their ticket's pointer, follows the target and answers there
    mine = other.get(f"/desks/{desk.handle}/tickets/{dup['id']}")[1]
    assert mine["merged_into"] == target["id"]
    assert other.get(f"/desks/{desk.handle}/tickets/{target['id']}")[0] == 200
    assert _error(other.put(f"/desks/{desk.handle}/tickets/{dup['id']}/messages/{uuid.uuid4()}",
                            {"body": "hello?"})) == (409, "status")
    assert other.put(f"/desks/{desk.handle}/tickets/{target['id']}/messages/{uuid.uuid4()}",
                     {"body": "Following here"})[0] == 201
    # merged once: again is a 409 (it is closed now)
    assert _error(desk.owner.post(path, {"into": target["id"], "version": merged["version"]})) == (409, "status")
    now = desk.owner.get(f"/orgs/{desk.oid}/tickets/{target['id']}")[1]["version"]
    assert _error(desk.owner.post(f"/orgs/{desk.oid}/tickets/{target['id']}/merge",
                                  {"into": dup["id"], "version": now})) == (409, "into")
