"""The help desk's pages in real Chromium against the local stack: a customer files a request in the
portal, it is assigned to the least-loaded agent, the agent answers with a public reply and an internal
note, the customer sees the reply and never the note, and SES carried exactly one email for the reply
and none for the note. Every help desk page, filled in, passes axe-core at 1366 and 375 px and never
scrolls sideways on a phone."""
from __future__ import annotations

import json
import urllib.request
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.http import call
from tests.e2e.test_dashboard import browser  # noqa: F401
from tests.e2e.test_local_stack import mails_to, wait_for
from tests.e2e.test_ui_pages import WIDTHS, axe_violations, new_page, settle, sideways, sign_in

PASSWORD = "Sup3r-secret-pw"


def person(api: str, name: str) -> dict:
    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.com"
    status, out, _ = call("POST", f"{api}/auth/sign-up", {"email": email, "password": PASSWORD, "name": name})
    assert status == 201, out
    token = call("POST", f"{api}/auth/sign-in", {"email": email, "password": PASSWORD})[1]["id_token"]
    return {"sub": out["sub"], "email": email, "name": name, "token": token}


def ses_messages_to(out: dict, address: str) -> list[str]:
    """The raw messages SES (the local moto server) holds for one recipient: what was really sent."""
    with urllib.request.urlopen(f"{out['aws_endpoint_url']}/moto-api/data.json", timeout=30) as r:
        data = json.loads(r.read())
    found = []
    for model in ("RawMessage", "Message"):
        for m in data.get("ses", {}).get(model, []):
            to = m.get("destinations") or m.get("destination") or {}
            if address in json.dumps(to):
                found.append(m.get("raw_data") or json.dumps(m.get("body") or m))
    return found


@pytest.fixture(scope="module")
def desk(local_stack):
    """An organisation with a desk, one team of two agents (one already holding a ticket) and a canned
    reply; its owner also files a request of their own (so the portal pages have one)."""
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
    for kind, body in (("reply", "Sorry about that: new poles are on their way."), ("note", "Courier claim opened, ref 77.")):
        status, out, _ = call("PUT", f"{api}/orgs/{oid}/tickets/{own}/messages/{uuid.uuid4()}", {"kind": kind, "body": body},
                              loaded["token"])
        assert status == 201, out
    return {"org": oid, "handle": handle, "team": team, "owner": owner, "loaded": loaded, "least": least, "own_ticket": own}


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
    a_ctx.close()

    # the customer sees the reply, never the note
    row.get_by_role("link", name=subject).click()
    expect(c.locator("#ticket-subject")).to_have_text(subject)
    expect(c.locator("#thread")).to_contain_text(reply_text)
    expect(c.locator("#thread li")).to_have_count(2)  # the request and the reply
    assert note_text not in c.locator("main").inner_text()
    assert "Courier" not in c.content() and "escalate" not in c.content()
    assert sideways(c) is None
    c_ctx.close()

    # mail: received, the reply and solved reached the customer through SES; nothing for the note
    def sent(what: str) -> list[dict]:
        return [m for m in mails_to(local_stack, customer["email"]) if what in m["subject"] and m["status"] == "sent"]

    assert wait_for(lambda: sent("is solved"), timeout=180), mails_to(local_stack, customer["email"])
    assert len({m["id"] for m in sent(f"Re: [Acme Support] {subject}")}) == 1
    ses = ses_messages_to(local_stack, customer["email"])
    replies = [m for m in ses if reply_text.split(":")[0][:30] in m or "jet with the needle" in m]
    assert len(replies) == 1, ses
    assert not [m for m in ses if "batch fault" in m], ses
    assert len(ses) == 3, ses  # received, the reply, solved


@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_every_help_desk_page_passes_axe_and_fits_a_phone(browser, local_stack, desk, width_name):  # noqa: F811
    width, height = WIDTHS[width_name]
    context, page = new_page(browser, width, height)
    sign_in(page, local_stack["dashboard_url"], desk["owner"]["email"], PASSWORD)
    pages = [f"/support?desk={desk['handle']}", f"/support/ticket?desk={desk['handle']}&id={desk['own_ticket']}", "/support/desks",
             "/helpdesk", f"/helpdesk/ticket?id={desk['own_ticket']}", "/helpdesk/desk", "/helpdesk/teams", "/helpdesk/macros"]
    violations, wide = {}, {}
    for path in pages:
        page.goto(f"{local_stack['dashboard_url']}#{path}")
        expect(page.locator(f'main[data-page="{path.split("?")[0]}"]')).to_be_visible()
        settle(page)
        if path.startswith("/helpdesk") and "picker" not in path:
            expect(page.locator("#desk-role")).to_contain_text("owner")
        if found := axe_violations(page):
            violations[path] = found
        if width < 500 and (out := sideways(page)):
            wide[path] = out
    # the agent's ticket page tells a note from a reply; the composer in note mode and the merge dialog pass too
    page.goto(f"{local_stack['dashboard_url']}#/helpdesk/ticket?id={desk['own_ticket']}")
    expect(page.locator("#thread li[data-kind=note]")).to_contain_text("Internal note by")
    page.locator("#message-form").get_by_label("Internal note (agents only)").check()
    page.locator("#message-form").get_by_label("Canned reply").select_option(label="Thanks, looking into it")
    expect(page.locator("#message-form").get_by_label("Note for agents")).to_have_value(
        f"Hello Olive Owner, thanks for ticket {desk['own_ticket']}. Olive Owner")
    if found := axe_violations(page):
        violations["note composer"] = found
    context.close()
    assert violations == {}, json.dumps(violations, indent=1)
    assert wide == {}, wide
