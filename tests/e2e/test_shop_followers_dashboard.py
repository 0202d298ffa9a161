"""The shop's followers page in real Chromium against the local stack, on a phone (375 px): a follower who
confirmed by the signed link is counted, a launch day is set from the page and the day's news job sends
the follower one message (listed under Messages sent), a texted inquiry (`make sms-in`) is answered by
text from the page; the page passes axe-core and never scrolls sideways at 375 px."""
from __future__ import annotations

import pathlib
import re
import subprocess
import sys
import urllib.request
import uuid
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.e2e.http import call
from tests.e2e.test_dashboard import browser  # noqa: F401
from tests.e2e.test_local_stack import wait_for
from tests.e2e.test_shop_orders import _open_shop
from tests.e2e.test_ui_pages import WIDTHS, axe_violations, new_page, settle, sideways, sign_in

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _outbox(out) -> dict:
    return call("GET", out["outbox_url"])[1]


def _run(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def news_shop(local_stack):
    api = local_stack["api_url"]
    token, oid, pid, loc, handle, _ = _open_shop(api, stock=3)
    owner = call("GET", f"{api}/me", None, token)[1]["email"]
    fan = f"fan-{uuid.uuid4().hex[:8]}@example.com"
    status, out, _ = call("POST", f"{api}/shops/{handle}/follows", {"kind": "shop", "email": fan})
    assert status == 202, out
    status, out, _ = call("POST", f"{api}/shops/{handle}/follows", {"kind": "category", "category": "nope",
                                                                    "email": fan})
    assert status == 400 and out["error"]["field"] == "category"
    confirm = wait_for(lambda: [m for m in _outbox(local_stack)["messages"] if m["to"] == fan], timeout=60)
    url = re.search(r"(http\S+/follows/confirm\?\S+)", confirm[0]["text"]).group(1)
    q = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
    req = urllib.request.Request(f"{api}/shops/{handle}/follows/confirm?c={q['c']}&f={q['f']}&s={q['s']}",
                                 data=b"", method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"})
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status == 200 and "You will hear of new products" in r.read().decode()
    phone = f"+4479111{uuid.uuid4().int % 100000:05d}"
    _run("local.sms_in", "--from", phone, "--text", f"{handle} Do you sell gift cards?",
         "--state-dir", local_stack["state_dir"])
    assert wait_for(lambda: call("GET", f"{api}/orgs/{oid}/shop/inquiries", None, token)[1]["items"], timeout=60)
    return {"oid": oid, "pid": pid, "handle": handle, "owner": owner, "token": token, "fan": fan, "phone": phone}


def test_followers_launch_news_and_a_texted_answer_on_a_phone(browser, local_stack, news_shop):  # noqa: F811
    dash, api = local_stack["dashboard_url"], local_stack["api_url"]
    ctx, page = new_page(browser, *WIDTHS["phone"])
    sign_in(page, dash, news_shop["owner"], "Passw0rd!long")
    page.goto(f"{dash}#/shop/followers")
    expect(page.locator('main[data-page="/shop/followers"]')).to_be_visible()
    if page.locator("#shop-org").count():
        page.locator("#shop-org").select_option(news_shop["oid"])
    expect(page.locator('#follower-counts li[data-target="shop"]')).to_contain_text("1 confirmed")
    expect(page.locator("#followers")).to_contain_text(news_shop["fan"])

    today = datetime.now(timezone.utc).date().isoformat()
    form = page.locator("#launch-form")
    form.get_by_role("button", name="Set launch day").click()  # no day yet: said under its field
    expect(form.get_by_label("Launch day")).to_have_attribute("aria-invalid", "true")
    form.get_by_label("Launch day").fill(today)
    form.get_by_role("button", name="Set launch day").click()
    expect(page.locator("#message")).to_contain_text(f"Launch set for {today}")

    out = _run("local.job", "announce_launches", "--state-dir", local_stack["state_dir"])
    assert '"messages": 1' in out, out
    page.reload()
    expect(page.locator("#news-sent")).to_contain_text(news_shop["fan"])
    expect(page.locator("#news-sent")).to_contain_text("Launch (1 product)")
    sent = wait_for(lambda: [m for m in _outbox(local_stack)["messages"]
                             if m["to"] == news_shop["fan"] and m["rule"] == "launch" and m["status"] == "sent"], timeout=60)
    assert len(sent) == 1 and "Hot item" in sent[0]["text"]

    item = page.locator("#inquiries li").first
    expect(item).to_contain_text("Do you sell gift cards?")
    settle(page)
    assert axe_violations(page) == []
    assert sideways(page) is None
    item.get_by_label(f"Answer {news_shop['phone']}").fill("Yes, in store.")
    item.get_by_role("button", name="Send text").click()
    expect(page.locator("#inquiries li").first).to_contain_text("answered")
    texts = wait_for(lambda: [t for t in _outbox(local_stack)["texts"] if t["to"] == news_shop["phone"]], timeout=60)
    assert [t["text"] for t in texts] == ["Flash Shop: Yes, in store."]
    ctx.close()
    status, err, _ = call("PUT", f"{api}/orgs/{news_shop['oid']}/shop/launches/{news_shop['pid']}",
                          {"launch_on": "2026-02-30"}, news_shop["token"])
    assert status == 400 and err["error"]["field"] == "launch_on"


def test_the_followers_page_passes_axe_on_a_desktop(browser, local_stack, news_shop):  # noqa: F811
    ctx, page = new_page(browser, *WIDTHS["desktop"])
    sign_in(page, local_stack["dashboard_url"], news_shop["owner"], "Passw0rd!long")
    page.goto(f"{local_stack['dashboard_url']}#/shop/followers")
    if page.locator("#shop-org").count():
        page.locator("#shop-org").select_option(news_shop["oid"])
    expect(page.locator("#followers")).to_contain_text(news_shop["fan"])
    settle(page)
    assert axe_violations(page) == []
    ctx.close()
