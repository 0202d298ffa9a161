"""The help desk pages issue 11 added last, in Chromium at 375 px against the local stack: the ticket-link
page an email-only customer opens without an account (read, reply, attach a file), attachments in the
agent's workspace (uploaded by the browser straight to the bucket, read back through presigned GETs, bad
files refused under the field), and the agents' knowledge base (create, edit, versions, public or
internal, a draft from a solved ticket). Each passes axe-core and never scrolls sideways."""
from __future__ import annotations

import json
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.http import call
from tests.e2e.test_dashboard import browser  # noqa: F401
from tests.e2e.test_helpdesk_dashboard import PASSWORD, person
from tests.e2e.test_ui_pages import axe_violations, new_page, settle, sideways, sign_in

PDF = b"%PDF-1.4\n% a receipt\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6300010000050001"
                    "0d0a2db40000000049454e44ae426082")


@pytest.fixture(scope="module")
def world(local_stack) -> dict:
    api = local_stack["api_url"]
    owner, agent, customer = person(api, "Pia Owner"), person(api, "Rui Agent"), person(api, "Sam Customer")
    oid = call("POST", f"{api}/orgs", {"name": "Pine Gear"}, owner["token"])[1]["org_id"]
    assert call("PUT", f"{api}/orgs/{oid}/members/{agent['sub']}", {"role": "staff"}, owner["token"])[0] == 200
    team = str(uuid.uuid4())
    assert call("PUT", f"{api}/orgs/{oid}/teams/{team}", {"name": "Care", "agents": [agent["sub"]]}, owner["token"])[0] == 201
    handle = f"pine-{uuid.uuid4().hex[:8]}"
    assert call("PUT", f"{api}/orgs/{oid}/desk", {"handle": handle, "name": "Pine Support", "categories": [
        {"slug": "orders", "name": "Orders", "team_id": team}]}, owner["token"])[0] == 201
    status, t, _ = call("PUT", f"{api}/desks/{handle}/tickets/{uuid.uuid4()}", {
        "category": "orders", "subject": "Wrong size boots", "description": "I ordered 43, got 41."}, customer["token"])
    assert status == 201, t
    return {"org": oid, "handle": handle, "owner": owner, "agent": agent, "customer": customer, "ticket": t}


def _faults(page, label: str, violations: dict, wide: dict) -> None:
    settle(page)
    if found := axe_violations(page):
        violations[label] = found
    if out := sideways(page):
        wide[label] = out


def test_an_email_only_customer_reads_and_answers_with_a_file_through_the_link_and_the_agent_gets_it(
        browser, local_stack, world):  # noqa: F811
    api, dash = local_stack["api_url"], local_stack["dashboard_url"]
    agent, t = world["agent"], world["ticket"]
    o = f"/orgs/{world['org']}/tickets/{t['id']}"
    status, out, _ = call("PUT", f"{api}{o}/messages/{uuid.uuid4()}", {"kind": "reply", "body": "Send us a photo of the label."},
                          agent["token"])
    assert status == 201, out
    assert call("PUT", f"{api}{o}/messages/{uuid.uuid4()}", {"kind": "note", "body": "Warehouse mix-up?"}, agent["token"])[0] == 201
    link = call("POST", f"{api}{o}/links", None, agent["token"])[1]
    assert "#/ticket-links/" in link["url"]
    violations, wide = {}, {}

    # no account, a phone: the link from the email opens the request
    ctx, page = new_page(browser, 375, 740)
    page.goto(f"{dash}#/ticket-links/{link['token']}")
    expect(page.locator('main[data-page="/ticket-link"] #ticket-subject')).to_have_text("Wrong size boots")
    expect(page.locator("#thread")).to_contain_text("Send us a photo of the label.")
    assert "Warehouse" not in page.locator("main").inner_text()
    expect(page.locator("#sign-in-form")).to_have_count(0)
    reply = page.locator("#customer-reply")
    reply.get_by_label("Your reply").fill("Here is the label.")
    # a file of a type the desk does not take is refused before anything is sent
    reply.get_by_label("Attach files").set_input_files(files=[{"name": "page.html", "mimeType": "text/html", "buffer": b"<p>x</p>"}])
    reply.get_by_role("button", name="Send reply").click()
    expect(reply.locator(".field", has=page.get_by_label("Attach files")).locator(".field-error")).to_have_text(
        "page.html: only pictures, PDF and text files can be attached.")
    reply.get_by_label("Attach files").set_input_files(files=[{"name": "label.png", "mimeType": "image/png", "buffer": PNG}])
    reply.get_by_role("button", name="Send reply").click()
    expect(page.locator("#message")).to_have_text("Your reply was sent.")
    mine = page.locator("#thread li.msg.customer", has_text="Here is the label.")
    expect(mine.locator(".attachments a")).to_have_text("label.png")
    got = page.request.get(mine.locator(".attachments a").get_attribute("href"))
    assert got.status == 200 and got.body() == PNG
    assert got.headers["content-disposition"].startswith("attachment;")
    _faults(page, "ticket link", violations, wide)
    # a forged link shows nothing of the ticket
    page.goto(f"{dash}#/ticket-links/{link['token'][:-3]}xyz")
    expect(page.locator("main")).to_contain_text("This link is not valid")
    ctx.close()

    # the agent, on a phone too, sees the file, answers with one, and a file over 10 MB is refused
    ctx, page = new_page(browser, 375, 740)
    sign_in(page, dash, agent["email"], PASSWORD)
    page.goto(f"{dash}#/helpdesk/ticket?id={t['id']}")
    expect(page.locator("#thread .attachments a", has_text="label.png")).to_have_count(1)
    composer = page.locator("#message-form")
    composer.get_by_label("Reply to the customer").fill("Thanks: the return label is attached.")
    composer.get_by_label("Attach files").set_input_files(files=[
        {"name": "big.pdf", "mimeType": "application/pdf", "buffer": b"0" * (10 * 1024 * 1024 + 1)}])
    composer.get_by_role("button", name="Send reply").click()
    expect(composer.locator(".field", has=page.get_by_label("Attach files")).locator(".field-error")).to_have_text(
        "big.pdf is 10.0 MB: at most 10 MB a file.")
    composer.get_by_label("Attach files").set_input_files(files=[{"name": "return.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    composer.get_by_role("button", name="Send reply").click()
    expect(page.locator("#message")).to_have_text("Reply sent: the customer is emailed.")
    expect(page.locator("#thread li.msg.agent .attachments a", has_text="return.pdf")).to_have_count(1)
    _faults(page, "agent ticket with files", violations, wide)
    ctx.close()
    thread = call("GET", f"{api}/ticket-links/{link['token']}")[1]
    assert [[a["filename"] for a in m["attachments"]] for m in thread["messages"]] == [[], ["label.png"], ["return.pdf"]]
    assert violations == {}, json.dumps(violations, indent=1)
    assert wide == {}, wide


def test_an_agent_writes_an_article_edits_it_looks_back_at_versions_and_drafts_one_from_a_solved_ticket(
        browser, local_stack, world):  # noqa: F811
    api, dash = local_stack["api_url"], local_stack["dashboard_url"]
    agent = world["agent"]
    violations, wide = {}, {}
    ctx, page = new_page(browser, 375, 740)
    sign_in(page, dash, agent["email"], PASSWORD)
    page.goto(f"{dash}#/helpdesk/kb")
    expect(page.locator('main[data-page="/helpdesk/kb"]')).to_be_visible()
    page.get_by_role("button", name="New article").click()
    form = page.locator("#article-form")
    form.get_by_label("Title").fill("Exchanging <b>boots</b>")
    form.get_by_label("Article (Markdown)").fill("Send them back **unworn** within 30 days.")
    form.get_by_role("button", name="Create article").click()
    expect(form.locator(".field", has=page.get_by_label("Title", exact=True)).locator(".field-error")).to_have_text(
        "Write the title without < or >.")
    form.get_by_label("Title").fill("Exchanging boots")
    form.get_by_label("Shown to").select_option("public")
    form.get_by_label("Tags").fill("returns, sizes")
    form.get_by_role("button", name="Create article").click()
    expect(page.locator("#message")).to_have_text("Article saved: version 1, a draft.")
    expect(page.locator("#article")).to_have_attribute("data-version", "1")
    expect(page.locator("#article-preview strong")).to_have_text("unworn")
    # a second version, published
    form = page.locator("#article-form")
    form.get_by_label("Title").fill("Exchanging boots for another size")
    form.get_by_label("State").select_option("published")
    form.get_by_role("button", name="Save new version").click()
    expect(page.locator("#article")).to_have_attribute("data-version", "2")
    expect(page.locator("#article")).to_have_attribute("data-status", "published")
    expect(page.locator("#versions li")).to_have_count(2)
    page.get_by_role("button", name="Show version 1").click()
    expect(page.locator("#version-view-title")).to_have_text("Version 1: Exchanging boots")
    _faults(page, "article", violations, wide)
    page.goto(f"{dash}#/helpdesk/kb")
    row = page.locator("#articles-table tbody tr", has_text="Exchanging boots for another size")
    expect(row).to_contain_text("Public")
    expect(row).to_contain_text("Published")
    _faults(page, "articles", violations, wide)

    # a solved ticket becomes a draft internal article, opened in the editor
    status, t, _ = call("PUT", f"{api}/desks/{world['handle']}/tickets/{uuid.uuid4()}", {
        "category": "orders", "subject": "Laces snapped", "description": "After two days."}, world["customer"]["token"])
    assert status == 201, t
    o = f"{api}/orgs/{world['org']}/tickets/{t['id']}"
    assert call("PUT", f"{o}/messages/{uuid.uuid4()}", {"kind": "reply", "body": "New laces are in the post."},
                agent["token"])[0] == 201
    v = call("GET", o, None, agent["token"])[1]["version"]
    assert call("POST", f"{o}/status", {"status": "solved", "version": v}, agent["token"])[0] == 200
    page.reload()
    draft = page.locator("#draft-form")
    draft.get_by_label("Solved ticket").select_option(label="Laces snapped")
    draft.get_by_role("button", name="Write a draft").click()
    expect(page.locator("#article-title")).to_have_text("Laces snapped")
    expect(page.locator("#article")).to_have_attribute("data-status", "draft")
    expect(page.locator("#article-form").get_by_label("Shown to")).to_have_value("internal")
    expect(page.locator("#article-preview")).to_contain_text("New laces are in the post.")
    _faults(page, "draft from a ticket", violations, wide)
    # and from the ticket page itself
    page.goto(f"{dash}#/helpdesk/ticket?id={t['id']}")
    page.get_by_role("button", name="Draft a help article from this ticket").click()
    expect(page.locator('main[data-page="/helpdesk/article"] #article-title')).to_have_text("Laces snapped")
    ctx.close()
    assert violations == {}, json.dumps(violations, indent=1)
    assert wide == {}, wide


def test_a_customer_rates_a_solved_request_in_the_portal_and_may_change_it(browser, local_stack, world):  # noqa: F811
    api, dash = local_stack["api_url"], local_stack["dashboard_url"]
    customer, agent = world["customer"], world["agent"]
    status, t, _ = call("PUT", f"{api}/desks/{world['handle']}/tickets/{uuid.uuid4()}", {
        "category": "orders", "subject": "Parcel damaged", "description": "The box was crushed."}, customer["token"])
    assert status == 201, t
    o = f"{api}/orgs/{world['org']}/tickets/{t['id']}"
    assert call("POST", f"{o}/status", {"status": "solved", "version": t["version"]}, agent["token"])[0] == 200
    ctx, page = new_page(browser, 375, 740)
    sign_in(page, dash, customer["email"], PASSWORD)
    page.goto(f"{dash}#/support/ticket?desk={world['handle']}&id={t['id']}")
    rate = page.locator("#rate-form")
    rate.get_by_role("button", name="Bad").click()
    expect(page.locator("#message")).to_have_text("Thank you: you rated this bad.")
    expect(page.locator("#rated")).to_contain_text("You rated this bad.")
    rate.get_by_label("Comment (optional)").fill("Replaced quickly, thanks.")
    rate.get_by_role("button", name="Good").click()
    expect(page.locator("#rated")).to_contain_text("You rated this good")
    settle(page)
    assert sideways(page) is None
    assert axe_violations(page) == []
    ctx.close()
    assert call("GET", o, None, agent["token"])[1]["rating"] == "good"
