"""The help desk's pages in real Chromium against the local stack: a customer files a request in the
portal, it is assigned to the least-loaded agent, the agent answers with a public reply and an internal
note, the customer sees the reply and never the note, and SES carried exactly one email for the reply
and none for the note. Every help desk page, filled in, passes axe-core at 1366 and 375 px and never
scrolls sideways on a phone."""
from __future__ import annotations

import email
import email.policy
import json
import re
import urllib.request
import uuid
from datetime import datetime, timezone

import pytest
from playwright.sync_api import expect

from tests.e2e.http import call
from tests.e2e.test_dashboard import browser, field_error  # noqa: F401
from tests.e2e.test_local_stack import mails_to, wait_for
from tests.e2e.test_ui_pages import WIDTHS, axe_violations, new_page, settle, sideways, sign_in

PASSWORD = "Sup3r-secret-pw"


def person(api: str, name: str) -> dict:
    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.com"
    status, out, _ = call("POST", f"{api}/auth/sign-up", {"email": email, "password": PASSWORD, "name": name})
    assert status == 201, out
    token = call("POST", f"{api}/auth/sign-in", {"email": email, "password": PASSWORD})[1]["id_token"]
    return {"sub": out["sub"], "email": email, "name": name, "token": token}


def ses_mails_to(out: dict, address: str) -> list[tuple[str, str]]:
    """(subject, plain text) of every message SES (the local moto server) sent to one address: what
    really left, decoded from the raw MIME the mailer handed to send_raw_email."""
    with urllib.request.urlopen(f"{out['aws_endpoint_url']}/moto-api/data.json", timeout=30) as r:
        data = json.loads(r.read())
    found = []
    for m in data.get("ses", {}).get("RawMessage", []):
        if address in (m.get("destinations") or []):
            mail = email.message_from_string(m["raw_data"], policy=email.policy.default)
            found.append((str(mail["Subject"]), mail.get_body(("plain",)).get_content()))
    return found


def seed_desk(local_stack: dict) -> dict:
    """An organisation with a desk, one team of two agents (one holding two tickets, the other none) and a
    canned reply; the tickets are the owner's own requests (so the portal pages have some), one with a
    public reply and an internal note."""
    api = local_stack["api_url"]
    owner, busy, free = person(api, "Olive Owner"), person(api, "Avery Agent"), person(api, "Blake Agent")
    oid = call("POST", f"{api}/orgs", {"name": "Acme Outdoor"}, owner["token"])[1]["org_id"]
    for a in (busy, free):
        assert call("PUT", f"{api}/orgs/{oid}/members/{a['sub']}", {"role": "staff"}, owner["token"])[0] == 200
    team = str(uuid.uuid4())
    status, out, _ = call("PUT", f"{api}/orgs/{oid}/teams/{team}", {"name": "Care", "agents": [busy["sub"], free["sub"]],
                                                                      "lead": busy["sub"]}, owner["token"])
    assert status == 201, out
    handle = f"acme-{uuid.uuid4().hex[:8]}"
    status, out, _ = call("PUT", f"{api}/orgs/{oid}/desk", {"handle": handle, "name": "Acme Support", "categories": [
        {"slug": "orders", "name": "Orders and delivery", "team_id": team},
        {"slug": "billing", "name": "Billing", "team_id": team}]}, owner["token"])
    assert status == 201, out
    status, out, _ = call("PUT", f"{api}/orgs/{oid}/macros/{uuid.uuid4()}", {
        "title": "Thanks, looking into it", "body": "Hello {{customer.name}}, thanks for ticket {{ticket.id}}. {{agent.name}}"},
        owner["token"])
    assert status == 201, out
    # the owner's own request, on the desk's first agent by the tie's round robin: one agent now has one
    own = str(uuid.uuid4())
    status, first, _ = call("PUT", f"{api}/desks/{handle}/tickets/{own}", {
        "category": "orders", "subject": "Tent poles missing from my order",
        "description": "The tent arrived without its poles.\nOrder 1042.", "priority": "high"}, owner["token"])
    assert status == 201, first
    loaded = busy if first["assignee"] == busy["sub"] else free
    least = free if loaded is busy else busy
    # a second request (a duplicate to merge), given by the owner to the same agent: loads 2 and 0
    status, second, _ = call("PUT", f"{api}/desks/{handle}/tickets/{uuid.uuid4()}", {
        "category": "orders", "subject": "Where are my tent poles?", "description": "Still waiting."}, owner["token"])
    assert status == 201, second
    if second["assignee"] != loaded["sub"]:
        status, out, _ = call("POST", f"{api}/orgs/{oid}/tickets/{second['id']}/assignee",
                              {"assignee": loaded["sub"], "version": second["version"]}, owner["token"])
        assert status == 200, out
    loads = {a["sub"]: a["open_count"] for a in call("GET", f"{api}/orgs/{oid}/agents", None, owner["token"])[1]["items"]}
    assert loads == {loaded["sub"]: 2, least["sub"]: 0}, loads
    for kind, body in (("reply", "Sorry about that: new poles are on their way."), ("note", "Courier claim opened, ref 77.")):
        status, out, _ = call("PUT", f"{api}/orgs/{oid}/tickets/{own}/messages/{uuid.uuid4()}", {"kind": kind, "body": body},
                              loaded["token"])
        assert status == 201, out
    return {"org": oid, "handle": handle, "team": team, "owner": owner, "loaded": loaded, "least": least, "own_ticket": own}


@pytest.fixture(scope="module")
def desk(local_stack):
    return seed_desk(local_stack)


def test_a_filed_request_goes_to_the_least_loaded_agent_and_the_customer_sees_and_hears_only_the_reply(
        browser, local_stack, desk):  # noqa: F811
    dash, api = local_stack["dashboard_url"], local_stack["api_url"]
    customer = person(api, "Casey Customer")
    subject = f"Stove will not light {uuid.uuid4().hex[:6]}"
    reply_text = "Please clean the jet with the needle from the kit and try again."
    note_text = "Known batch fault, escalate if it happens again."

    # the customer, on a phone: enters the desk's address, files a request
    c_ctx, c = new_page(browser, 375, 740)
    sign_in(c, dash, customer["email"], PASSWORD)
    c.goto(f"{dash}#/support")
    expect(c.locator('main[data-page="/support"]')).to_be_visible()
    desk_form = c.locator("#desk-form")
    desk_form.get_by_label("Desk address").fill("No Such Desk!")
    desk_form.get_by_role("button", name="Open desk").click()
    expect(desk_form.locator(".field-error")).to_have_text("A desk address is 3 to 40 lower-case letters, digits and hyphens.")
    desk_form.get_by_label("Desk address").fill(desk["handle"])
    desk_form.get_by_role("button", name="Open desk").click()
    expect(c.locator("#desk-name")).to_have_text("Acme Support")
    form = c.locator("#ticket-form")
    form.get_by_label("Category").select_option(label="Orders and delivery")
    form.get_by_label("Priority").select_option("high")
    form.get_by_label("Subject").fill("<b>loud</b>")
    form.get_by_label("Description").fill("The stove clicks but no flame.")
    form.get_by_role("button", name="File request").click()
    expect(form.locator(".field", has=c.get_by_label("Subject", exact=True)).locator(".field-error")).to_have_text(
        "Write the subject without < or >.")
    form.get_by_label("Subject").fill(subject)
    # with files, as a reply takes them: six are refused under the field before anything is sent
    files = form.get_by_label("Attach files")
    files.set_input_files(files=[{"name": f"p{i}.png", "mimeType": "image/png", "buffer": b"\x89PNG"} for i in range(6)])
    form.get_by_role("button", name="File request").click()
    expect(form.locator(".field", has=c.get_by_label("Attach files")).locator(".field-error")).to_have_text("Attach at most 5 files.")
    files.set_input_files(files=[{"name": "stove.png", "mimeType": "image/png", "buffer": b"\x89PNG stove"}])
    form.get_by_role("button", name="File request").click()
    expect(c.locator("#message")).to_have_text(f"Request filed: {desk['least']['name']} will answer. We emailed you a copy.")
    row = c.locator("#my-tickets tbody tr", has_text=subject)
    expect(row).to_have_count(1)
    expect(row.locator('td[data-label="Agent"]')).to_have_text(desk["least"]["name"])
    expect(row.locator('td[data-label="Priority"]')).to_have_text("High")
    assert sideways(c) is None
    ticket_id = row.get_attribute("data-id")

    # the least-loaded agent finds it in their queue, replies in public and adds an internal note
    a_ctx, a = new_page(browser, 1366, 900)
    sign_in(a, dash, desk["least"]["email"], PASSWORD)
    a.goto(f"{dash}#/helpdesk")
    queue_row = a.locator(f'#queue-table tr[data-id="{ticket_id}"]')
    expect(queue_row).to_be_visible()
    a.locator("#q-assignee").select_option("me")
    expect(queue_row.locator('td[data-label="Assignee"]')).to_have_text("Me")
    a.locator("#q-priority").select_option("low")
    expect(queue_row).to_have_count(0)
    a.locator("#q-priority").select_option("high")
    queue_row.get_by_role("link", name=subject).click()
    expect(a.locator("#ticket-subject")).to_have_text(subject)
    expect(a.locator("#assignee-name")).to_have_text(desk["least"]["name"])
    # the request's file is on its first message, read through a presigned GET
    request_file = a.locator('#thread li[data-id="request"] .attachments a')
    expect(request_file).to_have_text("stove.png")
    assert a.request.get(request_file.get_attribute("href")).body() == b"\x89PNG stove"
    composer = a.locator("#message-form")
    composer.get_by_label("Reply to the customer").fill(reply_text)
    composer.get_by_role("button", name="Send reply").click()
    expect(a.locator("#message")).to_have_text("Reply sent: the customer is emailed.")
    composer.get_by_label("Internal note (agents only)").check()
    expect(a.locator("#composer")).to_have_class("composing-note")
    composer.get_by_label("Note for agents").fill(note_text)
    composer.get_by_role("button", name="Add internal note").click()
    expect(a.locator("#message")).to_have_text("Internal note added: the customer does not see it.")
    thread = a.locator("#thread")
    expect(thread.locator("li[data-kind=reply]", has_text=reply_text)).to_contain_text("Public reply")
    expect(thread.locator("li[data-kind=note]", has_text=note_text)).to_contain_text("Only agents see this")
    # then solves it: its email comes after the note's stream record, so once it is sent the note was seen
    a.locator("#status-form").get_by_label("Status").select_option("solved")
    a.locator("#status-form").get_by_role("button", name="Change status").click()
    expect(a.locator("#message")).to_have_text("The ticket is now solved.")
    expect(a.locator("#ticket")).to_have_attribute("data-status", "solved")
    # the assignment email's link opens the same ticket
    assigned = wait_for(lambda: [m for m in mails_to(local_stack, desk["least"]["email"]) if subject in m["subject"]], timeout=180)
    assert assigned and "Assigned to you" in assigned[0]["subject"], assigned
    link = re.search(r"#/helpdesk/tickets/[0-9a-f-]{36}", assigned[0]["text"]).group(0)
    a.goto(f"{dash}#/helpdesk")
    a.goto(f"{dash}{link}")
    expect(a.locator('main[data-page="/helpdesk/ticket"] #ticket-subject')).to_have_text(subject)
    assert a.url.endswith(f"#/helpdesk/ticket?id={ticket_id}")
    # a customer phones: the agent files a ticket for them above the queue (a bad address refused under its
    # field); it is routed as any ticket (to this agent, the least loaded) and the caller is emailed a copy
    a.goto(f"{dash}#/helpdesk")
    a.locator("#file-for-customer summary").click()
    staff_form = a.locator("#staff-ticket-form")
    staff_form.get_by_label("Customer's email").fill("erin at example")
    staff_form.get_by_label("Subject").fill("Oven door does not close")
    staff_form.get_by_label("What they told you").fill("Phoned at 9:40: the oven door does not close since Monday.")
    staff_form.get_by_role("button", name="File ticket").click()
    expect(field_error(staff_form, "Customer's email")).to_have_text(
        "Enter the customer's email address, like name@example.com.")
    caller = f"erin-{uuid.uuid4().hex[:8]}@example.com"
    staff_form.get_by_label("Customer's email").fill(caller)
    staff_form.get_by_label("Their name (optional)").fill("Erin Caller")
    staff_form.get_by_role("button", name="File ticket").click()
    expect(a.locator("#message")).to_have_text(
        "Ticket filed for Erin Caller: you will answer. We emailed them a copy with a link to follow it.")
    settle(a)
    assert axe_violations(a) == []  # the queue page with the open form
    a.locator("#filed-ticket").get_by_role("link", name="Oven door does not close").click()
    expect(a.locator("#ticket-subject")).to_have_text("Oven door does not close")
    expect(a.locator("#ticket-filed")).to_contain_text("by phone")
    received = wait_for(lambda: [m for m in mails_to(local_stack, caller) if "Oven door" in m["subject"]], timeout=180)
    assert "We received your request" in received[0]["subject"] and "/ticket-links/" in received[0]["text"], received
    a_ctx.close()

    # the customer sees the reply, never the note
    row.get_by_role("link", name=subject).click()
    expect(c.locator("#ticket-subject")).to_have_text(subject)
    expect(c.locator("#thread")).to_contain_text(reply_text)
    expect(c.locator("#thread > li")).to_have_count(2)  # the request and the reply
    assert note_text not in c.locator("main").inner_text()
    assert "Courier" not in c.content() and "escalate" not in c.content()
    assert sideways(c) is None
    c_ctx.close()

    # mail: received, the reply and solved reached the customer through SES; nothing for the note
    def sent(what: str) -> list[dict]:
        return [m for m in mails_to(local_stack, customer["email"]) if what in m["subject"] and m["status"] == "sent"]

    assert wait_for(lambda: sent("is solved"), timeout=180), mails_to(local_stack, customer["email"])
    assert len({m["id"] for m in sent(f"Re: [Acme Support] {subject}")}) == 1
    ses = ses_mails_to(local_stack, customer["email"])
    assert sorted(subject for subject, _ in ses) == sorted([
        f"Re: [Acme Support] {subject}", f"[Acme Support] We received your request: {subject}",
        f"[Acme Support] Your request is solved: {subject}"]), ses
    assert [text for s, text in ses if s.startswith("Re:")][0].count(reply_text) == 1
    assert not [text for _, text in ses if "batch fault" in text], ses  # the note was never emailed


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_every_help_desk_page_passes_axe_and_fits_a_phone(browser, local_stack, desk, width_name):  # noqa: F811
    width, height = WIDTHS[width_name]
    context, page = new_page(browser, width, height)
    sign_in(page, local_stack["dashboard_url"], desk["owner"]["email"], PASSWORD)
    pages = [f"/support?desk={desk['handle']}", f"/support/ticket?desk={desk['handle']}&id={desk['own_ticket']}", "/support/desks",
             "/helpdesk", f"/helpdesk/ticket?id={desk['own_ticket']}", "/helpdesk/desk", "/helpdesk/teams", "/helpdesk/macros",
             "/helpdesk/insights"]
    violations, wide = {}, {}
    for path in pages:
        page.goto(f"{local_stack['dashboard_url']}#{path}")
        expect(page.locator(f'main[data-page="{path.split("?")[0]}"]')).to_be_visible()
        settle(page)
        if path.startswith("/helpdesk"):
            expect(page.locator("#desk-role")).to_contain_text("owner")
        if found := axe_violations(page):
            violations[path] = found
        if width < 500 and (out := sideways(page)):
            wide[path] = out
    # the agent's ticket page tells a note from a reply; the composer in note mode with a canned reply
    page.goto(f"{local_stack['dashboard_url']}#/helpdesk/ticket?id={desk['own_ticket']}")
    expect(page.locator("#thread li[data-kind=note]")).to_contain_text("Internal note by")
    composer = page.locator("#message-form")
    composer.get_by_label("Internal note (agents only)").check()
    composer.get_by_label("Canned reply").select_option(label="Thanks, looking into it")
    expect(composer.get_by_label("Note for agents")).to_have_value(
        f"Hello Olive Owner, thanks for ticket {desk['own_ticket']}. Olive Owner")
    if found := axe_violations(page):
        violations["note composer"] = found
    # the merge asks first, and its dialog passes too
    page.locator("#merge-form option", has_text="Where are my tent poles?").wait_for(state="attached")
    page.locator("#merge-form").get_by_label("Merge into").select_option(label="Where are my tent poles? (Olive Owner)")
    page.locator("#merge-form").get_by_role("button", name="Merge").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    if found := axe_violations(page):
        violations["merge dialog"] = found
    if width < 500 and (out := sideways(page)):
        wide["merge dialog"] = out
    page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    expect(page.locator("#ticket")).not_to_have_attribute("data-status", "closed")
    context.close()
    assert violations == {}, json.dumps(violations, indent=1)
    assert wide == {}, wide


def test_the_queue_shows_sla_clocks_when_tickets_carry_them_breached_first(browser, local_stack, desk):  # noqa: F811
    """The SLA fields a ticket gains (`sla_breached`, `sla_due`) are drawn as they come: here the API's
    answer is given them on its way to the page, as the SLA sweep will set them. The oldest ticket is
    the breached one, and it moves to the top of a newest-first queue."""
    api, dash = local_stack["api_url"], local_stack["dashboard_url"]
    newer = str(uuid.uuid4())
    status, out, _ = call("PUT", f"{api}/desks/{desk['handle']}/tickets/{newer}", {
        "category": "billing", "subject": "Charged twice", "description": "Two charges for one order."}, desk["owner"]["token"])
    assert status == 201, out
    breached = desk["own_ticket"]
    context, page = new_page(browser, 375, 740)

    def with_clocks(route) -> None:
        answer = route.fetch()
        body = answer.json()
        assert body["items"][0]["id"] != breached  # newest first: the breached one is not first by itself
        for t in body["items"]:
            t["sla_breached"] = t["id"] == breached
            t["sla_due"] = None if t["id"] == breached else "2030-01-02T09:00:00Z"
        route.fulfill(response=answer, json=body)

    page.route(f"**/orgs/{desk['org']}/tickets?*", with_clocks)
    sign_in(page, dash, desk["owner"]["email"], PASSWORD)
    page.goto(f"{dash}#/helpdesk")
    rows = page.locator("#queue-table tbody tr")
    expect(rows.first).to_have_attribute("data-id", breached)
    expect(rows.first.locator('td[data-label="SLA"]')).to_have_text("SLA breached")
    expect(page.locator(f'#queue-table tr[data-id="{newer}"] td[data-label="SLA"]')).to_contain_text("due ")
    settle(page)
    assert sideways(page) is None
    assert axe_violations(page) == []
    context.close()


def test_an_owner_sets_up_a_desk_in_the_browser_and_works_a_ticket_with_a_canned_reply(browser, local_stack):  # noqa: F811
    """From an organisation with two members to a working desk, through the forms: a team with a lead,
    the desk and its categories, a canned reply; mistakes are explained under their field. Then a
    request is reassigned and answered with the canned reply, whose placeholders the server fills."""
    api, dash = local_stack["api_url"], local_stack["dashboard_url"]
    owner, agent, customer = person(api, "Noor Owner"), person(api, "Kai Agent"), person(api, "Remy Customer")
    oid = call("POST", f"{api}/orgs", {"name": "Kai's Bikes"}, owner["token"])[1]["org_id"]
    status, out, _ = call("POST", f"{api}/orgs/{oid}/invitations", {"email": agent["email"], "role": "staff"}, owner["token"])
    assert status == 201, out
    status, out, _ = call("POST", f"{api}/invitations/{oid}/accept", None, agent["token"])
    assert status == 200, out
    context, page = new_page(browser, 375, 740)
    sign_in(page, dash, owner["email"], PASSWORD)
    page.goto(f"{dash}#/helpdesk")
    expect(page.get_by_role("link", name="Set up your help desk.")).to_be_visible()
    page.goto(f"{dash}#/helpdesk/desk")
    expect(page.get_by_role("link", name="Create a team first.")).to_be_visible()

    page.goto(f"{dash}#/helpdesk/teams")
    team = page.locator("#team-form")
    team.get_by_label("Team name").fill("Workshop")
    team.get_by_role("button", name="Create team").click()
    expect(team.locator("#agents-error")).to_have_text("Choose at least one agent.")
    team.get_by_label(agent["email"]).check()
    team.get_by_label(owner["email"]).check()
    team.get_by_label("Lead (reassigns the team's tickets)").select_option(label=owner["email"])
    team.get_by_role("button", name="Create team").click()
    expect(page.locator("#message")).to_have_text("Team Workshop saved.")
    expect(page.locator("#team-list")).to_contain_text("2 agents, led by Noor Owner")
    expect(page.locator("#agents-table tbody tr")).to_have_count(2)
    # the owner goes away: new requests skip them
    page.get_by_label("Noor Owner is away").check()
    expect(page.locator("#message")).to_have_text("Noor Owner is away: new tickets skip them.")

    page.goto(f"{dash}#/helpdesk/desk")
    settings = page.locator("#desk-settings")
    settings.get_by_label("Desk name").fill("Kai's Bikes Help")
    settings.get_by_label("Public address").fill("Kai's bikes")
    settings.get_by_role("button", name="Create desk").click()
    expect(settings.locator(".field", has=page.get_by_label("Public address", exact=True)).locator(".field-error")).to_have_text(
        "Use 3 to 40 lower-case letters, digits and hyphens, e.g. acme-support.")
    handle = f"kai-{uuid.uuid4().hex[:8]}"
    settings.get_by_label("Public address").fill(handle)
    settings.get_by_role("button", name="Add a category").click()
    settings.get_by_label("Category", exact=True).nth(1).fill("Repairs")
    settings.get_by_label("Short key").nth(1).fill("repairs")
    settings.get_by_role("button", name="Create desk").click()
    expect(page.locator("#message")).to_have_text(f"Desk saved: customers reach it at #/support?desk={handle}.")
    expect(page.locator("#desk-role")).to_be_visible()
    desk = call("GET", f"{api}/desks/{handle}", None, customer["token"])[1]
    assert desk == {"handle": handle, "name": "Kai's Bikes Help", "categories": [
        {"slug": "general", "name": "General question"}, {"slug": "repairs", "name": "Repairs"}]}

    page.goto(f"{dash}#/helpdesk/macros")
    macro = page.locator("#macro-form")
    macro.get_by_label("Title").fill("Booked in")
    macro.get_by_label("Reply").fill("Hi {{customer.name}}, {{bike.model}} is booked in.")
    macro.get_by_role("button", name="Add canned reply").click()
    error = macro.locator(".field", has=page.get_by_label("Reply", exact=True)).locator(".field-error")
    expect(error).to_contain_text("Unknown placeholder {{bike.model}}")
    macro.get_by_label("Reply").fill("Hi {{customer.name}}, ticket {{ticket.id}} is booked in; we write to {{customer.email}}.")
    macro.get_by_role("button", name="Add canned reply").click()
    expect(page.locator("#macro-list li", has_text="Booked in")).to_be_visible()

    # a request comes in: the owner is away, so it goes to Kai; the owner (the team's lead) takes it over
    # and answers with the canned reply, unchanged: it goes by its id and the server fills every placeholder
    status, t, _ = call("PUT", f"{api}/desks/{handle}/tickets/{uuid.uuid4()}", {
        "category": "repairs", "subject": "Brakes squeal", "description": "Front brake squeals."}, customer["token"])
    assert status == 201 and t["assignee"] == agent["sub"], t
    page.goto(f"{dash}#/helpdesk/ticket?id={t['id']}")
    expect(page.locator("#assignee-name")).to_have_text("Kai Agent")
    assign = page.locator("#assign-form")
    assign.get_by_label("Assignee").select_option(label="Noor Owner")
    assign.get_by_role("button", name="Reassign").click()
    expect(page.locator("#message")).to_have_text("Assigned to Noor Owner: they are emailed.")
    expect(page.locator("#assignee-name")).to_have_text("Noor Owner")
    composer = page.locator("#message-form")
    composer.get_by_label("Canned reply").select_option(label="Booked in")
    expect(composer.get_by_label("Reply to the customer")).to_have_value(
        f"Hi Remy Customer, ticket {t['id']} is booked in; we write to {{{{customer.email}}}}.")
    composer.get_by_role("button", name="Send reply").click()
    expect(page.locator("#message")).to_have_text("Reply sent: the customer is emailed.")
    expect(page.locator("#thread li[data-kind=reply]").last).to_contain_text(
        f"Hi Remy Customer, ticket {t['id']} is booked in; we write to {customer['email']}.")
    assert sideways(page) is None
    context.close()


def business_duration(minutes: float | None) -> str:
    """The insights page's way of writing business minutes (helpdesk/insights.jsx `duration`)."""
    if minutes is None:
        return "–"
    if minutes < 1:
        return "under 1 min"
    m = int(minutes + 0.5)
    if m < 60:
        return f"{m} min"
    if m < 24 * 60:
        return f"{m // 60} h" + (f" {m % 60} min" if m % 60 else "")
    h = int(m / 60 + 0.5)
    return f"{h // 24} d" + (f" {h % 24} h" if h % 24 else "")


def test_the_customer_reads_a_suggested_article_still_files_and_the_insights_page_shows_the_medians(
        browser, local_stack, desk):  # noqa: F811
    """An admin publishes a public article through the API; a customer typing a matching subject in the
    portal is offered it, reads it, and still files the request (no deflection is counted); reading a
    suggestion and leaving the form unfiled is counted once. The knowledge base's search box finds the
    article. Once the ticket is answered and solved and the stream has published the insights, the
    owner's insights page shows the first-response and resolution medians the API gives."""
    api, dash = local_stack["api_url"], local_stack["dashboard_url"]
    owner, agent = desk["owner"], desk["least"]
    customer = person(api, "Dana Customer")
    word = f"fjord{uuid.uuid4().hex[:6]}"  # a word only this article has
    title = f"Relighting the {word} stove"
    article = str(uuid.uuid4())
    status, out, _ = call("PUT", f"{api}/orgs/{desk['org']}/kb/articles/{article}", {
        "title": title, "body": f"**Clean the jet** of the {word} stove with the needle.\n\nThen light it again.",
        "visibility": "public", "status": "published", "category": "orders"}, owner["token"])
    assert status == 201, out
    suggest = f"{api}/desks/{desk['handle']}/suggestions?subject=" + urllib.request.quote(f"my {word} stove")
    assert wait_for(lambda: [h for h in call("GET", suggest, None, customer["token"])[1]["items"] if h["id"] == article],
                    timeout=120), "the published article reached the index"

    def deflections() -> int:
        day = datetime.now(timezone.utc).date().isoformat()
        items = call("GET", f"{api}/orgs/{desk['org']}/kb/deflections?start={day}&end={day}", None, owner["token"])[1]["items"]
        return sum(d["deflections"] for d in items)

    before = deflections()
    context, page = new_page(browser, 375, 740)
    sign_in(page, dash, customer["email"], PASSWORD)
    page.goto(f"{dash}#/support?desk={desk['handle']}")
    expect(page.locator("#desk-name")).to_have_text("Acme Support")
    form = page.locator("#ticket-form")
    subject = f"My {word} stove will not light"
    form.get_by_label("Subject").press_sequentially(subject, delay=20)
    suggestion = page.locator("#suggestions li", has_text=title)
    expect(suggestion).to_have_count(1)
    suggestion.get_by_role("link", name=title).click()
    shown = page.locator("#kb-article")
    expect(shown.locator("#kb-article-title")).to_have_text(title)
    expect(shown.locator(".kb-body strong")).to_have_text("Clean the jet")  # the server's HTML, drawn as HTML
    assert sideways(page) is None
    if found := axe_violations(page):
        pytest.fail(json.dumps(found, indent=1))
    # it did not answer the question: the customer files the request all the same
    form.get_by_label("Description").fill("Cleaned the jet as the article says; still no flame.")
    form.get_by_role("button", name="File request").click()
    expect(page.locator("#message")).to_contain_text("Request filed:")
    row = page.locator("#my-tickets tbody tr", has_text=subject)
    expect(row).to_have_count(1)
    ticket_id = row.get_attribute("data-id")
    expect(page.locator("#suggestions")).to_have_count(0)
    expect(page.locator("#ticket-form #kb-article")).to_have_count(0)
    # the search box over the desk's public articles finds it too
    kb = page.locator("#kb-search")
    kb.get_by_label("Search the help articles").fill(f"relighting {word}")
    kb.get_by_role("button", name="Search").click()
    found_row = page.locator("#kb-results li", has_text=title)
    expect(found_row).to_have_count(1)
    found_row.get_by_role("link", name=title).click()
    expect(page.locator("#kb #kb-article-title")).to_have_text(title)
    # leaving the page after filing reports no deflection; reading a suggestion and leaving unfiled does
    page.goto(f"{dash}#/support/desks")
    expect(page.locator('main[data-page="/support/desks"]')).to_be_visible()
    page.goto(f"{dash}#/support?desk={desk['handle']}")
    page.locator("#ticket-form").get_by_label("Subject").press_sequentially(f"{word} stove again", delay=20)
    page.locator("#suggestions li", has_text=title).get_by_role("link", name=title).click()
    expect(page.locator("#ticket-form #kb-article-title")).to_have_text(title)
    page.goto(f"{dash}#/support/desks")
    expect(page.locator('main[data-page="/support/desks"]')).to_be_visible()
    assert wait_for(lambda: deflections() == before + 1, timeout=60), (before, deflections())
    context.close()

    # the agent answers and solves it; the stream folds it into the insights
    status, out, _ = call("PUT", f"{api}/orgs/{desk['org']}/tickets/{ticket_id}/messages/{uuid.uuid4()}",
                          {"kind": "reply", "body": "Please try a new gas canister."}, agent["token"])
    assert status == 201, out
    t = call("GET", f"{api}/orgs/{desk['org']}/tickets/{ticket_id}", None, agent["token"])[1]
    status, out, _ = call("POST", f"{api}/orgs/{desk['org']}/tickets/{ticket_id}/status",
                          {"status": "solved", "version": t["version"]}, agent["token"])
    assert status == 200, out

    def insights() -> dict | None:
        doc = call("GET", f"{api}/orgs/{desk['org']}/helpdesk/insights", None, owner["token"])[1]
        o = doc["overall"]
        return doc if o["first_response"]["median"] is not None and o["resolution"]["median"] is not None else None

    doc = wait_for(insights, timeout=180)
    assert doc, "the stream published the insights with both medians"
    o = doc["overall"]
    context, page = new_page(browser, 1366, 900)
    sign_in(page, dash, owner["email"], PASSWORD)
    page.goto(f"{dash}#/helpdesk/insights")
    expect(page.locator('main[data-page="/helpdesk/insights"]')).to_be_visible()
    expect(page.locator("#frt-median")).to_have_text(business_duration(o["first_response"]["median"]))
    expect(page.locator("#frt-p90")).to_have_text(business_duration(o["first_response"]["p90"]))
    expect(page.locator("#res-median")).to_have_text(business_duration(o["resolution"]["median"]))
    expect(page.locator("#res-p90")).to_have_text(business_duration(o["resolution"]["p90"]))
    expect(page.locator("#daily-chart")).to_be_visible()
    expect(page.locator("#backlog-table")).to_be_visible()
    expect(page.locator("#staffing-table")).to_be_visible()
    settle(page)
    assert axe_violations(page) == []
    context.close()
