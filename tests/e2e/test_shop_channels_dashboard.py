"""Channels in one window, in real Chromium against the local stack: a storefront order and a signed
marketplace order for the same product land in one inbox, filtered by channel; the channels page shows
each channel's feed and orders URL and (owners only) its secret, and adds a channel; both pages pass
axe-core and never scroll sideways at 375 px. Also over HTTP: the last unit asked for by the storefront
and a marketplace at the same moment goes to exactly one of them."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

from playwright.sync_api import expect

from tests.e2e.http import call
from tests.e2e.test_dashboard import browser  # noqa: F401
from tests.e2e.test_local_stack import sign_in as api_sign_in
from tests.e2e.test_ui_pages import WIDTHS, axe_violations, new_page, settle, sideways, sign_in

PASSWORD = "Passw0rd!long"


def seed(api: str, stock: int) -> dict:
    email = f"chan-{uuid.uuid4().hex[:8]}@example.com"
    assert call("POST", f"{api}/auth/sign-up", {"email": email, "password": PASSWORD, "name": "Cleo"})[0] == 201
    token = api_sign_in(api, email, PASSWORD)
    oid = call("POST", f"{api}/orgs", {"name": "Two Channels"}, token)[1]["org_id"]
    depot = call("POST", f"{api}/orgs/{oid}/locations", {"name": "Depot", "kind": "warehouse"}, token)[1]["id"]
    status, product, _ = call("POST", f"{api}/orgs/{oid}/products", {
        "sku": "LAST-1", "name": "Last lamp", "price": "40.00", "cost": "10.00", "currency": "EUR"}, token)
    assert status == 201, product
    assert call("PUT", f"{api}/orgs/{oid}/movements/{uuid.uuid4()}", {
        "kind": "receive", "product_id": product["id"], "location_id": depot, "quantity": str(stock),
        "unit_cost": "10.00"}, token)[0] == 201
    handle = f"lamps-{uuid.uuid4().hex[:8]}"
    assert call("PUT", f"{api}/orgs/{oid}/shop", {"handle": handle, "name": "Lamps", "currency": "EUR",
                                                   "delivery_location_id": depot}, token)[0] == 200
    assert call("PUT", f"{api}/orgs/{oid}/shop/listings/{product['id']}", {}, token)[0] == 200
    cid = str(uuid.uuid4())
    status, ch, _ = call("PUT", f"{api}/orgs/{oid}/shop/channels/{cid}", {
        "kind": "marketplace", "name": "Bazaar", "location_id": depot, "buffer": "0"}, token)
    assert status == 201, ch
    return {"email": email, "token": token, "oid": oid, "depot": depot, "product": product["id"], "handle": handle,
            "channel": ch}


def storefront_order(api: str, s: dict) -> tuple[int, dict]:
    status, body, _ = call("POST", f"{api}/shops/{s['handle']}/orders", {
        "order_id": str(uuid.uuid4()), "fulfilment": "delivery", "address": "2 Quay", "email": "web@example.com",
        "lines": [{"product_id": s["product"], "quantity": "1"}]})
    return status, body


def marketplace_order(api: str, s: dict) -> tuple[int, dict]:
    raw = json.dumps({"external_id": f"BZ-{uuid.uuid4().hex[:8]}", "reference": "BZ 77", "email": "mp@example.com",
                      "name": "Marta", "currency": "EUR", "lines": [{"sku": s.get("sku", "LAST-1"), "quantity": "1"}]}).encode()
    ts = str(int(time.time()))
    sig = "v1=" + hmac.new(s["channel"]["secret"].encode(), ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
    req = urllib.request.Request(f"{api}/channels/{s['channel']['id']}/orders", data=raw, method="POST", headers={
        "Content-Type": "application/json", "X-Tally-Timestamp": ts, "X-Tally-Signature": sig})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_the_last_unit_asked_for_by_two_channels_at_once_goes_to_one(local_stack):
    api = local_stack["api_url"]
    for _ in range(3):  # three rounds: each a fresh last unit, both channels at the same moment
        s = seed(api, stock=1)
        with ThreadPoolExecutor(max_workers=2) as pool:
            web, market = pool.submit(storefront_order, api, s), pool.submit(marketplace_order, api, s)
            results = [web.result(), market.result()]
        statuses = sorted(status for status, _ in results)
        assert statuses == [201, 409], results
        loser = next(body for status, body in results if status == 409)
        assert loser["error"]["field"] == "lines.0.quantity" and loser["available"] == "0"
        orders = call("GET", f"{api}/orgs/{s['oid']}/shop/orders", None, s["token"])[1]["items"]
        assert len(orders) == 1
        pos = call("GET", f"{api}/orgs/{s['oid']}/stock/{s['product']}/{s['depot']}", None, s["token"])[1]
        assert (pos["on_hand"], pos["reserved"], pos["available"]) == ("1", "1", "0")


def test_one_inbox_and_the_channels_page_in_chromium(browser, local_stack):  # noqa: F811
    api, dash = local_stack["api_url"], local_stack["dashboard_url"]
    s = seed(api, stock=5)
    assert storefront_order(api, s)[0] == 201
    status, mp = marketplace_order(api, s)
    assert status == 201, mp
    for name, (width, height) in WIDTHS.items():
        context, page = new_page(browser, width, height)
        sign_in(page, dash, s["email"], PASSWORD)
        page.goto(f"{dash}#/shop/inbox")
        settle(page)
        rows = page.locator("#inbox tbody tr")
        expect(rows).to_have_count(2)
        expect(page.locator(f"#inbox tr[data-channel='{s['channel']['id']}']")).to_contain_text("Bazaar BZ 77")
        assert sideways(page) is None or width > 500, sideways(page)
        assert axe_violations(page) == [], name
        page.locator("#inbox-filters").get_by_label("Channel").select_option(s["channel"]["id"])
        expect(rows).to_have_count(1)
        expect(rows.first).to_have_attribute("data-order", mp["id"])
        page.locator("#inbox-filters").get_by_label("Channel").select_option("storefront")
        expect(rows).to_have_count(1)
        expect(rows.first).to_have_attribute("data-channel", "storefront")

        page.goto(f"{dash}#/shop/channels")
        settle(page)
        card = page.locator(f"#channel-list li[data-channel='{s['channel']['id']}']")
        expect(card).to_contain_text("Bazaar")
        expect(card.locator("a.feed-csv")).to_have_attribute("href", f"{dash.rstrip('/')}/storefront/feeds/{s['channel']['id']}/stock.csv")
        expect(card.locator("code.secret")).to_have_count(1)  # the owner sees it
        assert sideways(page) is None, sideways(page)
        assert axe_violations(page) == [], name
        if name == "phone":
            form = page.locator("#new-channel")
            form.get_by_label("Name").fill("Counter")
            form.get_by_label("Kind").select_option("in_store")
            buffer = form.get_by_label("Stock buffer (units kept back)")
            buffer.fill("x")
            form.get_by_role("button", name="Add channel").click()
            expect(buffer).to_have_attribute("aria-invalid", "true")
            expect(form).to_contain_text("A number of units")
            expect(page.locator("#channel-list li")).to_have_count(1)
            buffer.fill("2")
            form.get_by_role("button", name="Add channel").click()
            expect(page.locator("#channel-list li")).to_have_count(2)
            expect(page.locator("#channel-list")).to_contain_text("Counter")
            assert sideways(page) is None, sideways(page)
        context.close()
