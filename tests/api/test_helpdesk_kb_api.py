"""The knowledge base's routes: articles written and versioned by agents, public search and
suggestions for customers (public articles only), agents' search (internal ones too), the index
kept fresh by the help-desk stream, deflections counted once, a solved ticket turned into a draft,
sanitized HTML, bad input and who may do what (customer, agent, admin, member, other organisation)."""
from __future__ import annotations

import uuid

import pytest

from chalicelib.core import clock
from chalicelib.helpdesk import kb_index
from tests.desks import DeskWorld, make_desk
from tests.mocked import Caller, sign_up


@pytest.fixture
def desk(client, alice, bob, monkeypatch) -> DeskWorld:
    monkeypatch.setattr(kb_index, "RECHECK_SECONDS", 0.0)  # every search asks S3 whether the index changed
    kb_index.forget_indexes()
    return make_desk(client, alice, bob)


def _error(resp) -> tuple[int, str | None]:
    status, body = resp
    return status, (body or {}).get("error", {}).get("field")


def _article(desk: DeskWorld, who: Caller | None = None, aid: str | None = None, **fields) -> dict:
    body = {"title": "Refund times", "body": "We refund within **3 working days** of receiving your return.",
            "visibility": "public", "status": "published", "category": "returns", "tags": ["Refund", "returns"],
            **fields}
    status, out = (who or desk.agent).put(f"/orgs/{desk.oid}/kb/articles/{aid or uuid.uuid4()}", body)
    assert status in (200, 201), out
    return out


def _ids(resp) -> list[str]:
    status, out = resp
    assert status == 200, out
    return [h["id"] for h in out["items"]]


# ------------------------------------------------------------------ writing and versions
def test_each_save_is_a_new_version_and_a_stale_one_is_409(desk):
    aid = str(uuid.uuid4())
    path = f"/orgs/{desk.oid}/kb/articles/{aid}"
    body = {"title": "Reset your password", "body": "Choose *Forgot password*.", "visibility": "public",
            "status": "draft", "category": "account", "tags": ["Login", "login", " password "]}
    status, a = desk.agent.put(path, body)
    assert status == 201 and a["version"] == 1 and a["tags"] == ["login", "password"]
    assert a["html"] == "<p>Choose <em>Forgot password</em>.</p>\n"
    assert desk.agent.put(path, body) == (200, a)  # a retried create: the same article, no new version
    status, a2 = desk.lead.put(path, {**body, "body": "Choose **Forgot password**.", "status": "published",
                                      "version": 1})
    assert status == 200 and a2["version"] == 2 and a2["status"] == "published"
    assert _error(desk.agent.put(path, {**body, "version": 1})) == (409, "version")
    assert _error(desk.agent.put(path, {**body, "body": "other"})) == (409, "version")
    status, versions = desk.agent.get(f"{path}/versions")
    assert status == 200 and [v["version"] for v in versions["items"]] == [2, 1]
    status, v1 = desk.agent.get(f"{path}/versions/1")
    assert status == 200 and v1["body"] == "Choose *Forgot password*." and v1["status"] == "draft"
    assert desk.agent.get(path)[1]["body"] == "Choose **Forgot password**."
    assert _error(desk.agent.get(f"{path}/versions/3")) == (404, "version")
    assert _error(desk.agent.get(f"/orgs/{desk.oid}/kb/articles/{uuid.uuid4()}/versions/1")) == (404, "article_id")
    assert _error(desk.agent.put(f"/orgs/{desk.oid}/kb/articles/{uuid.uuid4()}", {**body, "version": 4})) == (
        404, "article_id")


def test_agents_list_every_article_drafts_too_filtered(desk):
    _article(desk, title="Zebra article", status="draft", visibility="internal")
    _article(desk, title="Alpha article")
    status, out = desk.agent.get(f"/orgs/{desk.oid}/kb/articles")
    assert status == 200 and [a["title"] for a in out["items"]] == ["Alpha article", "Zebra article"]
    assert "body" not in out["items"][0]
    assert [a["title"] for a in desk.agent.get(f"/orgs/{desk.oid}/kb/articles?status=draft")[1]["items"]] == [
        "Zebra article"]
    assert [a["title"] for a in desk.agent.get(f"/orgs/{desk.oid}/kb/articles?visibility=public")[1]["items"]] == [
        "Alpha article"]


# ------------------------------------------------------------------ search, kept fresh by the stream
def test_customers_find_published_public_articles_and_agents_internal_ones_too(desk, client, pump):
    public = _article(desk)
    internal = _article(desk, title="Refund approval limits", body="Agents refund up to 150 euros.",
                        visibility="internal")
    draft = _article(desk, title="Refunding gift cards", body="Refunds of gift cards.", status="draft",
                     visibility="public")
    anon = Caller(client, None, "")
    assert _ids(anon.get(f"/desks/{desk.handle}/articles?q=refunds")) == []  # not indexed before the stream runs
    pump.run()
    assert _ids(anon.get(f"/desks/{desk.handle}/articles?q=refunded")) == [public["id"]]  # stemmed
    assert _ids(desk.customer.get(f"/desks/{desk.handle}/articles?q=refund")) == [public["id"]]
    assert set(_ids(desk.agent.get(f"/orgs/{desk.oid}/kb/search?q=refund"))) == {public["id"], internal["id"]}
    assert draft["id"] not in _ids(desk.agent.get(f"/orgs/{desk.oid}/kb/search?q=gift+cards"))
    # no words: every article, by title; a category narrows it
    assert _ids(anon.get(f"/desks/{desk.handle}/articles")) == [public["id"]]
    assert _ids(anon.get(f"/desks/{desk.handle}/articles?q=refund&category=account")) == []

    status, out = anon.get(f"/desks/{desk.handle}/articles/{public['id']}")
    assert status == 200 and out["html"] == "<p>We refund within <strong>3 working days</strong> of receiving your return.</p>\n"
    assert _error(anon.get(f"/desks/{desk.handle}/articles/{internal['id']}")) == (404, "article_id")
    assert _error(anon.get(f"/desks/{desk.handle}/articles/{draft['id']}")) == (404, "article_id")
    assert _error(anon.get(f"/desks/nobody-here/articles?q=refund")) == (404, "handle")


def test_an_edit_reaches_search_after_the_stream_and_unpublishing_removes_it(desk, client, pump):
    a = _article(desk)
    pump.run()
    anon = Caller(client, None, "")
    path = f"/orgs/{desk.oid}/kb/articles/{a['id']}"
    base = {"title": "Money back on returns", "body": "Your bank shows the credit after 5 days.",
            "visibility": "public", "status": "published", "category": "returns"}
    assert desk.agent.put(path, {**base, "version": 1})[0] == 200
    assert _ids(anon.get(f"/desks/{desk.handle}/articles?q=refund")) == [a["id"]]  # the stream has not run yet
    pump.run()
    assert _ids(anon.get(f"/desks/{desk.handle}/articles?q=refund")) == []
    assert _ids(anon.get(f"/desks/{desk.handle}/articles?q=bank+credit")) == [a["id"]]
    assert desk.agent.put(path, {**base, "visibility": "internal", "version": 2})[0] == 200
    pump.run()
    assert _ids(anon.get(f"/desks/{desk.handle}/articles?q=bank+credit")) == []
    assert _ids(desk.agent.get(f"/orgs/{desk.oid}/kb/search?q=bank+credit")) == [a["id"]]
    assert desk.agent.put(path, {**base, "status": "draft", "version": 3})[0] == 200
    pump.run()
    assert _ids(desk.agent.get(f"/orgs/{desk.oid}/kb/search?q=bank+credit")) == []


def test_one_batch_of_many_article_changes_rebuilds_the_index_once(desk, pump, monkeypatch):
    built: list[str] = []
    real = kb_index.rebuild
    monkeypatch.setattr(kb_index, "rebuild", lambda org_id: built.append(org_id) or real(org_id))
    for i in range(4):
        _article(desk, title=f"Article {i}")
    pump.run()
    assert built == [desk.oid]


def test_suggestions_follow_the_subject_as_it_is_typed(desk, client, pump):
    returns = _article(desk, title="How to send a return", body="Print the prepaid label.", category="returns")
    _article(desk, title="Reset your password", body="Choose Forgot password.", category="account")
    _article(desk, title="Returns of internal stock", body="Internal.", visibility="internal")
    pump.run()
    anon = Caller(client, None, "")
    assert _ids(anon.get(f"/desks/{desk.handle}/suggestions?subject=How+do+I+retu")) == [returns["id"]]
    assert _ids(anon.get(f"/desks/{desk.handle}/suggestions?subject=passw")) != [returns["id"]]
    status, out = anon.get(f"/desks/{desk.handle}/suggestions?subject=returning+my+parcel")
    assert status == 200 and out["items"][0] == {
        "id": returns["id"], "title": "How to send a return", "excerpt": "Print the prepaid label.",
        "category": "returns", "visibility": "public", "updated_at": returns["updated_at"]}
    assert _error(anon.get(f"/desks/{desk.handle}/suggestions")) == (400, "subject")
    assert _error(anon.get(f"/desks/{desk.handle}/suggestions?subject=%3Cscript%3E")) == (400, "subject")


# ------------------------------------------------------------------ sanitized HTML
def test_scripts_event_handlers_and_javascript_urls_never_reach_the_page(desk, client, pump):
    body = ("Hello <script>alert(1)</script>\n\n<img src=x onerror=\"alert(2)\">\n\n"
            "[click](javascript:alert(3)) <a href=\"javascript:alert(4)\">raw</a> "
            "<a href=\"https://example.com\" onclick=\"alert(5)\">ok</a> <kbd>Ctrl</kbd>")
    a = _article(desk, body=body)
    for html in (a["html"], Caller(client, None, "").get(f"/desks/{desk.handle}/articles/{a['id']}")[1]["html"]):
        low = html.lower()
        assert "<script" not in low and "onerror=" not in low and "onclick=" not in low
        assert '="javascript:' not in low  # no link or image keeps such a URL (the refused Markdown link stays text)
        assert '<a href="https://example.com">ok</a>' in html and "<kbd>Ctrl</kbd>" in html


# ------------------------------------------------------------------ bad input writes nothing
def test_bad_input_is_4xx_naming_the_field_and_writes_nothing(desk):
    aid = str(uuid.uuid4())
    path = f"/orgs/{desk.oid}/kb/articles/{aid}"
    ok = {"title": "Title", "body": "Body", "visibility": "public", "status": "published", "category": "general"}
    assert _error(desk.agent.put(path, {**ok, "title": "<b>Bold</b> title"})) == (400, "title")
    assert _error(desk.agent.put(path, {**ok, "title": ""})) == (400, "title")
    assert _error(desk.agent.put(path, {**ok, "visibility": "secret"})) == (400, "visibility")
    assert _error(desk.agent.put(path, {**ok, "category": "Not A Slug"})) == (400, "category")
    assert _error(desk.agent.put(path, {**ok, "tags": ["<x>"]})) == (400, "tags.0")
    assert _error(desk.agent.put(path, {**ok, "tags": [f"t{i}" for i in range(11)]})) == (400, "tags")
    assert _error(desk.agent.put(path, {**ok, "extra": 1})) == (400, "extra")
    assert _error(desk.agent.put(path, {**ok, "body": "x" * 40001})) == (400, "body")
    assert _error(desk.agent.put(path, {**ok, "body": "x" * 70000})) == (400, "body")
    assert _error(desk.agent.put(path, {**ok, "body": "x" * 600_000})) == (413, "body")
    assert _error(desk.agent.put(f"/orgs/{desk.oid}/kb/articles/not-a-uuid", ok)) == (400, "article_id")
    assert _error(desk.agent.get(f"{path}/versions/0")) == (400, "version")
    assert _error(desk.agent.get(path)) == (404, "article_id")  # nothing was written
    assert _error(desk.agent.get(f"/orgs/{desk.oid}/kb/search?q=%3Cimg%3E")) == (400, "q")
    assert _error(desk.agent.get(f"/orgs/{desk.oid}/kb/deflections?start=2026-11-01")) == (400, "end")
    assert _error(desk.agent.get(f"/orgs/{desk.oid}/kb/deflections?start=2026-11-05&end=2026-11-01")) == (400, "end")
    assert _error(desk.agent.get(f"/orgs/{desk.oid}/kb/deflections?start=2026-02-30&end=2026-03-01")) == (
        400, "start")
    assert _error(desk.agent.get(f"/orgs/{desk.oid}/kb/deflections?start=2024-01-01&end=2026-01-01")) == (400, "end")


# ------------------------------------------------------------------ who may do what
def test_route_by_role_and_other_organisation(desk, client):
    a = _article(desk, visibility="internal")
    stranger = sign_up(client, "stranger")
    routes = [("get", f"/orgs/{desk.oid}/kb/articles"), ("get", f"/orgs/{desk.oid}/kb/articles/{a['id']}"),
              ("get", f"/orgs/{desk.oid}/kb/articles/{a['id']}/versions"),
              ("get", f"/orgs/{desk.oid}/kb/articles/{a['id']}/versions/1"),
              ("get", f"/orgs/{desk.oid}/kb/search?q=refund"),
              ("get", f"/orgs/{desk.oid}/kb/deflections?start=2026-11-01&end=2026-11-30")]
    for method, path in routes:
        for who in (desk.owner, desk.manager, desk.lead, desk.agent, desk.tech):
            assert getattr(who, method)(path)[0] == 200, (path, who.email)
        assert _error(getattr(desk.idle, method)(path)) == (403, "role"), path
        assert _error(getattr(desk.customer, method)(path)) == (404, "org_id"), path
        assert _error(getattr(desk.outsider, method)(path)) == (404, "org_id"), path
        assert _error(getattr(stranger, method)(path)) == (404, "org_id"), path
        assert getattr(Caller(client, None, ""), method)(path)[0] == 401, path
    write = f"/orgs/{desk.oid}/kb/articles/{uuid.uuid4()}"
    body = {"title": "T", "body": "B"}
    assert _error(desk.idle.put(write, body)) == (403, "role")
    assert _error(desk.customer.put(write, body)) == (404, "org_id")
    assert _error(desk.outsider.put(write, body)) == (404, "org_id")
    assert desk.manager.put(write, body)[0] == 201
    # another organisation's article id under one's own organisation is simply not there
    bob_org = desk.outsider.get("/orgs")[1]["items"][0]["org_id"]
    assert _error(desk.outsider.get(f"/orgs/{bob_org}/kb/articles/{a['id']}")) in ((404, "article_id"), (403, "role"))


# ------------------------------------------------------------------ deflections
def test_a_deflection_counts_once_per_client_id_per_day(desk, client, monkeypatch):
    from datetime import datetime, timezone

    clock.set_now(datetime(2026, 11, 20, 9, tzinfo=timezone.utc))
    a = _article(desk)
    internal = _article(desk, visibility="internal")
    anon = Caller(client, None, "")
    did = str(uuid.uuid4())
    path = f"/desks/{desk.handle}/deflections/{did}"
    status, out = anon.put(path, {"article_id": a["id"], "subject": "where is my refund"})
    assert status == 201 and out == {"id": did, "article_id": a["id"], "day": "2026-11-20"}
    assert anon.put(path, {"article_id": a["id"], "subject": "where is my refund"}) == (200, out)
    assert _error(anon.put(path, {"article_id": a["id"], "subject": "another"})) == (409, "deflection_id")
    assert desk.customer.put(f"/desks/{desk.handle}/deflections/{uuid.uuid4()}", {"article_id": a["id"]})[0] == 201
    assert _error(anon.put(f"/desks/{desk.handle}/deflections/{uuid.uuid4()}", {"article_id": internal["id"]})) == (
        404, "article_id")
    assert _error(anon.put(f"/desks/{desk.handle}/deflections/{uuid.uuid4()}", {"article_id": "nope"})) == (
        400, "article_id")
    assert _error(anon.put(f"/desks/{desk.handle}/deflections/{uuid.uuid4()}",
                           {"article_id": a["id"], "subject": "<b>x</b>"})) == (400, "subject")
    clock.set_now(datetime(2026, 11, 21, 9, tzinfo=timezone.utc))
    assert anon.put(f"/desks/{desk.handle}/deflections/{uuid.uuid4()}", {"article_id": a["id"]})[0] == 201
    status, days = desk.lead.get(f"/orgs/{desk.oid}/kb/deflections?start=2026-11-01&end=2026-11-30")
    assert status == 200 and days["items"] == [{"day": "2026-11-20", "deflections": 2},
                                               {"day": "2026-11-21", "deflections": 1}]


# ------------------------------------------------------------------ a solved ticket becomes a draft
def test_an_agent_turns_a_solved_ticket_into_a_draft_article(desk, pump):
    status, t = desk.file(subject="Charged twice for one order", description="My card was charged twice, cust here.")
    assert status == 201
    agent = desk.lead if t["assignee"] == desk.lead.sub else desk.agent
    msgs = f"/orgs/{desk.oid}/tickets/{t['id']}/messages"
    assert agent.put(f"{msgs}/{uuid.uuid4()}", {"kind": "note", "body": "Processor bug, see internal board"})[0] == 201
    assert agent.put(f"{msgs}/{uuid.uuid4()}", {"kind": "reply",
                                                "body": "The second amount is a pending authorisation."})[0] == 201
    aid = str(uuid.uuid4())
    path = f"/orgs/{desk.oid}/kb/drafts/{aid}"
    assert _error(agent.put(path, {"ticket_id": t["id"]})) == (409, "status")  # not solved yet
    v = agent.get(f"/orgs/{desk.oid}/tickets/{t['id']}")[1]["version"]
    assert agent.post(f"/orgs/{desk.oid}/tickets/{t['id']}/status", {"status": "solved", "version": v})[0] == 200
    assert _error(desk.tech.put(path, {"ticket_id": t["id"]})) == (404, "ticket_id")  # another team's ticket
    assert _error(desk.customer.put(path, {"ticket_id": t["id"]})) == (404, "org_id")
    assert _error(agent.put(path, {"ticket_id": str(uuid.uuid4())})) == (404, "ticket_id")
    status, a = agent.put(path, {"ticket_id": t["id"]})
    assert status == 201 and a["status"] == "draft" and a["visibility"] == "internal"
    assert a["title"] == "Charged twice for one order" and a["source_ticket"] == t["id"]
    assert "pending authorisation" in a["body"] and "Processor bug" not in a["body"]
    assert "My card was charged twice" in a["body"]
    assert agent.put(path, {"ticket_id": t["id"]}) == (200, a)
    other = _article(desk)
    assert _error(agent.put(f"/orgs/{desk.oid}/kb/drafts/{other['id']}", {"ticket_id": t["id"]})) == (
        409, "article_id")
    pump.run()
    assert aid not in _ids(agent.get(f"/orgs/{desk.oid}/kb/search?q=charged+twice"))  # a draft is not searchable


def test_a_container_reopens_a_desks_index_only_when_it_changed(desk, pump):
    assert kb_index.desk_index(desk.oid) is None  # nothing published yet
    _article(desk)
    pump.run()
    first = kb_index.desk_index(desk.oid)
    assert first is not None and first.size == 1
    assert kb_index.desk_index(desk.oid) is first  # S3 answered "not modified"
    _article(desk, title="Another one")
    pump.run()
    second = kb_index.desk_index(desk.oid)
    assert second is not first and second.size == 2
