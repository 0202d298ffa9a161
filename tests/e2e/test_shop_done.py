"""Issue 13's Done-when as one flow in real Chromium at 375 px against the local stack (no mocks: moto's
server, the stack's stream and schedule workers, the storefront served as the CDN would):

a shopper follows the Kitchen category from the storefront and confirms by the email's link; sees the
selling price, the running promotion and the price after it, and a delivery date; orders for delivery as
a guest, asking for texts, and gets the email and the text (the local outbox lists both); a signed
marketplace order for the same product takes the last unit and lands in the same inbox, both
reservations hold and the last unit is never sold twice (a third order from either channel is refused
naming its field); the owner moves the order on from its page in the inbox; a launch sends the follower one message, whose link opens the product; "notify me" on
it sends one message when it is back; the delivered order's return is restocked through the ledger.
The storefront's pages pass axe-core and never scroll sideways."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
import uuid
from datetime import date, datetime, timedelta, timezone

from playwright.sync_api import expect

from tests.e2e.http import call
from tests.e2e.test_dashboard import browser  # noqa: F401
from tests.e2e.test_helpdesk_dashboard import PASSWORD, person, ses_mails_to
from tests.e2e.test_local_stack import wait_for
from tests.e2e.test_shop_channels_dashboard import marketplace_order
from tests.e2e.test_shop_sms_local import ROOT
from tests.e2e.test_ui_pages import WIDTHS, axe_violations, new_page, settle, sideways, sign_in


def open_shop(api: str) -> dict:
    """A shop with a store and a depot: the blue mug (5 at the store, 3 at the depot that delivers and
    that the Bazaar marketplace sells from), a green mug listed with no stock, a 20 % Kitchen promotion."""
    owner = person(api, "Olga Owner")
    t = owner["token"]
    oid = call("POST", f"{api}/orgs", {"name": "Corner Goods"}, t)[1]["org_id"]
    store = call("POST", f"{api}/orgs/{oid}/locations", {"name": "High Street", "kind": "store"}, t)[1]["id"]
    depot = call("POST", f"{api}/orgs/{oid}/locations", {"name": "Depot", "kind": "warehouse"}, t)[1]["id"]
    products = {}
    for sku, name in (("MUG-BLUE", "Blue enamel mug"), ("MUG-GREEN", "Green enamel mug")):
        status, product, _ = call("POST", f"{api}/orgs/{oid}/products", {
            "sku": sku, "name": name, "brand": "Camp Co", "price": "12.50", "cost": "4.00", "currency": "EUR"}, t)
        assert status == 201, product
        products[sku] = product["id"]
    for loc, units in ((store, "5"), (depot, "3")):
        assert call("PUT", f"{api}/orgs/{oid}/movements/{uuid.uuid4()}", {
            "kind": "receive", "product_id": products["MUG-BLUE"], "location_id": loc, "quantity": units,
            "unit_cost": "4.00"}, t)[0] == 201
    handle = f"corner-{uuid.uuid4().hex[:8]}"
    status, shop, _ = call("PUT", f"{api}/orgs/{oid}/shop", {
        "handle": handle, "name": "Corner Goods", "currency": "EUR",
        "categories": [{"slug": "kitchen", "name": "Kitchen"}, {"slug": "garden", "name": "Garden"}],
        "pickup_location_ids": [store], "delivery_location_id": depot, "delivery_days": 2}, t)
    assert status == 200, shop
    for pid in products.values():
        status, listing, _ = call("PUT", f"{api}/orgs/{oid}/shop/listings/{pid}", {
            "category": "kitchen", "description": "Enamel, 350 ml."}, t)
        assert status == 200, listing
    status, promo, _ = call("POST", f"{api}/orgs/{oid}/shop/promotions", {
        "name": "Winter sale", "kind": "percent", "value": "20", "scope": "category", "target": "Kitchen",
        "starts_at": "2020-01-01T00:00:00Z", "ends_at": "2099-01-01T00:00:00Z"}, t)
    assert status == 201, promo
    status, bazaar, _ = call("PUT", f"{api}/orgs/{oid}/shop/channels/{uuid.uuid4()}", {
        "kind": "marketplace", "name": "Bazaar", "location_id": depot, "buffer": "0"}, t)
    assert status == 201, bazaar
    return {"owner": owner, "oid": oid, "store": store, "depot": depot, "product": products["MUG-BLUE"],
            "new": products["MUG-GREEN"], "handle": handle, "channel": bazaar}


def published(site: str, key: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"{site}{key}", timeout=10) as r:
            return json.loads(r.read())
    except Exception:
        return None


def stock(api: str, shop: dict, product: str | None = None, where: str | None = None) -> dict:
    return call("GET", f"{api}/orgs/{shop['oid']}/stock/{product or shop['product']}/{where or shop['depot']}",
                None, shop["owner"]["token"])[1]


def outbox(stack: dict) -> dict:
    return call("GET", stack["outbox_url"])[1]


def sent_to(stack: dict, to: str, rule: str | None = None) -> list[dict]:
    return [m for m in outbox(stack)["messages"]
            if m["to"] == to and m["status"] == "sent" and (rule is None or m["rule"] == rule)]


def job(stack: dict, name: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "local.job", name, "--state-dir", stack["state_dir"]], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout[done.stdout.index("{"):])


def checked(page, what: str) -> None:
    settle(page)
    assert sideways(page) is None, (what, sideways(page))
    assert axe_violations(page) == [], (what, axe_violations(page))


def test_shop_done_when_in_chromium(local_stack, browser):  # noqa: F811
    api, dash = local_stack["api_url"], local_stack["dashboard_url"]
    site = dash if dash.endswith("/") else dash + "/"
    shop = open_shop(api)
    handle, t = shop["handle"], shop["owner"]["token"]
    # the shop stream publishes the storefront's documents (the local stack's workers)
    assert wait_for(lambda: any(c.get("final_price") == "10.00" for c in
                                (published(site, f"storefront/{handle}/index.json") or {}).get("products", [])),
                    timeout=60), "the storefront index was not published"
    assert wait_for(lambda: (published(site, f"storefront/{handle}/products/{shop['product']}.json") or {}).get("pickup"),
                    timeout=60)
    fan = f"fan-{uuid.uuid4().hex[:8]}@example.com"
    guest = f"guest-{uuid.uuid4().hex[:8]}@example.com"
    phone = f"+44 7911 1{uuid.uuid4().int % 100000:05d}"
    e164 = phone.replace(" ", "")
    width, height = WIDTHS["phone"]
    context, page = new_page(browser, width, height)
    try:
        # the catalogue: the promotion's price on the card; search; categories
        page.goto(f"{site}storefront.html#/s/{handle}")
        expect(page.locator("#products .product-card")).to_have_count(2, timeout=30000)
        card = page.locator(f"#products [data-id='{shop['product']}']")
        expect(card).to_contain_text("12.50")
        expect(card).to_contain_text("10.00")
        page.get_by_label("Search Corner Goods").fill("blue enamel")
        expect(page.locator("#shop-count")).to_have_text("1 product")
        page.get_by_label("Search Corner Goods").fill("")
        page.get_by_role("link", name="Kitchen").click()

        # follow the Kitchen category: a text follower without a number is told under the field
        follow = page.locator("#follow-form")
        expect(follow.get_by_label("News of")).to_have_value("category:kitchen")
        follow.get_by_label("Text me").check()
        follow.get_by_label("Email", exact=True).fill(fan)
        follow.get_by_role("button", name="Follow").click()
        expect(follow.get_by_label("Mobile number")).to_have_attribute("aria-invalid", "true")
        follow.get_by_label("Email me").check()
        follow.get_by_role("button", name="Follow").click()
        expect(page.locator("#follow-done")).to_contain_text(f"open the email we sent to {fan}")
        checked(page, "catalogue with the follow form")
        confirm = wait_for(lambda: sent_to(local_stack, fan, "follow:confirm"), timeout=60)
        link = re.search(r"(http\S+/follows/confirm\?\S+)", confirm[0]["text"]).group(1)
        page.goto(link)  # the email's link: a page with a button (a link scanner confirms nothing)
        page.get_by_role("button", name="Yes, send me news").click()
        expect(page.locator("h1")).to_have_text("Confirmed")

        # the product: selling price, the promotion, the price after it; per-place stock and dates
        page.goto(f"{site}storefront.html#/s/{handle}/p/{shop['product']}")
        expect(page.locator("#product-price")).to_contain_text("12.50")
        expect(page.locator("#product-price")).to_contain_text("10.00")
        expect(page.locator("#product-price")).to_contain_text("Winter sale")
        availability = page.locator("#availability")
        expect(availability.locator("li", has_text="Pick up at High Street")).to_contain_text("Collect today")
        delivery = availability.locator("li", has_text="Home delivery")
        expect(delivery).to_contain_text("3 available")
        expect(delivery).to_contain_text("Delivered by")
        expect(delivery).to_contain_text(str((date.today() + timedelta(days=2)).day))
        expect(page.locator("#notify")).to_have_count(0)  # in stock: no "notify me"
        checked(page, "product")
        page.get_by_label("Quantity").fill("2")
        page.locator("#add-to-cart").click()
        expect(page.locator(".cart-count")).to_have_text("2")

        # checkout: delivery, a guest's email, texts asked for (a number is needed: said under its field)
        page.locator("#cart-link").click()
        expect(page.locator("#cart-total")).to_contain_text("20.00")
        form = page.locator("#checkout-form")
        form.get_by_label("Deliver to my address").check()
        form.get_by_label("Delivery address").fill("2 Quay Street")
        form.get_by_label("Email", exact=True).fill(guest)
        form.get_by_label("Name").fill("Gus Guest")
        form.get_by_label("Also text me when my order moves on").check()
        page.locator("#place-order").click()
        expect(form.get_by_label("Mobile number")).to_have_attribute("aria-invalid", "true")
        form.get_by_label("Mobile number").fill(phone)
        checked(page, "cart")
        page.locator("#place-order").click()
        expect(page.locator("#order")).to_have_attribute("data-status", "placed", timeout=30000)
        order_id = page.url.split("id=")[1].split("&")[0]
        checked(page, "order")
        after = stock(api, shop)
        assert (after["reserved"], after["available"]) == ("2", "1"), after

        # the email and the text, side by side in the local outbox
        mails = wait_for(lambda: [m for m in ses_mails_to(local_stack, guest) if "placed" in m[0]], timeout=60)
        assert mails and "Blue enamel mug" in mails[0][1] and "20.00 EUR" in mails[0][1], mails
        texts = wait_for(lambda: [m for m in outbox(local_stack)["messages"]
                                  if m["channel"] == "sms" and m["to"] == e164 and m["status"] == "sent"], timeout=60)
        assert len(texts) == 1 and "Corner Goods" in texts[0]["text"], texts
        page.goto(local_stack["outbox_page"])
        expect(page.locator("article.email", has_text=guest).first).to_contain_text("placed")
        expect(page.locator("article.sms", has_text=e164)).to_contain_text(f"SNS accepted it for {e164}")

        # a signed marketplace order for the same product takes the last unit at the depot...
        status, mp = marketplace_order(api, {"channel": shop["channel"], "sku": "MUG-BLUE"})
        assert status == 201, mp
        after = stock(api, shop)
        assert (after["on_hand"], after["reserved"], after["available"]) == ("3", "3", "0"), after
        # ... and neither channel can sell it again: each refusal names its field, nothing is written
        status, err = marketplace_order(api, {"channel": shop["channel"], "sku": "MUG-BLUE"})
        assert status == 409 and err["error"]["field"] == "lines.0.quantity", err
        status, err, _ = call("POST", f"{api}/shops/{handle}/orders", {
            "order_id": str(uuid.uuid4()), "fulfilment": "delivery", "address": "9 Pier", "email": guest,
            "lines": [{"product_id": shop["product"], "quantity": "1"}]})
        assert status == 409 and err["error"]["field"] == "lines.0.quantity", err
        assert stock(api, shop) == after
    finally:
        context.close()

    # one inbox: the storefront's order and the marketplace's, side by side (the owner, on a phone)
    context, page = new_page(browser, width, height)
    try:
        sign_in(page, dash, shop["owner"]["email"], PASSWORD)
        page.goto(f"{dash}#/shop/inbox")
        rows = page.locator("#inbox tbody tr")
        expect(rows).to_have_count(2, timeout=30000)
        expect(page.locator("#inbox tr[data-channel='storefront']")).to_have_attribute("data-order", order_id)
        expect(page.locator(f"#inbox tr[data-channel='{shop['channel']['id']}']")).to_contain_text("Bazaar")
        checked(page, "inbox")
        # the shop hands the storefront's order over from its page: paid, picked, shipped, delivered
        page.locator("#inbox tr[data-channel='storefront'] a.open-order").click()
        detail = page.locator("#order")
        expect(detail).to_have_attribute("data-status", "placed")
        expect(detail).to_contain_text(e164)
        expect(page.locator("#order-actions button[data-status='cancelled']")).to_be_visible()  # an owner may cancel
        checked(page, "order page")
        for status, label in (("confirmed", "Mark paid"), ("picked", "Mark picked"), ("shipped", "Mark shipped"),
                              ("delivered", "Mark delivered")):
            page.locator("#order-actions").get_by_role("button", name=label).click()
            expect(detail).to_have_attribute("data-status", status)
        expect(page.locator("#order-actions")).to_have_count(0)  # delivered: nothing more to do
        expect(page.locator("#order-history li")).to_have_count(5)
    finally:
        context.close()

    # a launch: the follower gets one message (a rerun of the day's job sends nothing twice)
    today = datetime.now(timezone.utc).date().isoformat()
    status, launch, _ = call("PUT", f"{api}/orgs/{shop['oid']}/shop/launches/{shop['new']}", {"launch_on": today}, t)
    assert status == 200, launch
    assert job(local_stack, "announce_launches")["messages"] == 1
    assert job(local_stack, "announce_launches")["messages"] == 0
    news = wait_for(lambda: sent_to(local_stack, e164, "launch") or sent_to(local_stack, fan, "launch"), timeout=60)
    assert len(news) == 1 and "Green enamel mug" in news[0]["text"], news
    assert [m for m in outbox(local_stack)["messages"] if m["rule"] == "launch" and m["to"] in (fan, e164)] == news
    product_link = re.search(r"(http\S+storefront\.html#/s/\S+/p/[0-9a-f-]+)", news[0]["text"]).group(1)

    context, page = new_page(browser, width, height)
    try:
        # the launch message's link opens the new mug: out of stock everywhere, so "notify me"
        page.goto(product_link)
        expect(page.locator("#product-name")).to_have_text("Green enamel mug")
        expect(page.locator("#add-to-cart")).to_be_hidden()
        waiting = f"wait-{uuid.uuid4().hex[:8]}@example.com"
        notify = page.locator("#notify-form")
        notify.get_by_label("Email", exact=True).fill("not an email")
        notify.get_by_role("button", name="Notify me").click()
        expect(notify.get_by_label("Email", exact=True)).to_have_attribute("aria-invalid", "true")
        notify.get_by_label("Email", exact=True).fill(waiting)
        checked(page, "product out of stock")
        notify.get_by_role("button", name="Notify me").click()
        expect(page.locator("#notify-done")).to_contain_text("Green enamel mug")
    finally:
        context.close()
    assert job(local_stack, "notify_restocked")["sent"] == 0  # not back yet: nothing sent
    assert call("PUT", f"{api}/orgs/{shop['oid']}/movements/{uuid.uuid4()}", {
        "kind": "receive", "product_id": shop["new"], "location_id": shop["store"], "quantity": "4",
        "unit_cost": "4.00"}, t)[0] == 201
    # the job reads the availability the inventory stream keeps: once that has the mug, one message
    assert wait_for(lambda: job(local_stack, "notify_restocked")["sent"] == 1, timeout=120)
    assert job(local_stack, "notify_restocked")["sent"] == 0
    back = wait_for(lambda: sent_to(local_stack, waiting, "restock"), timeout=60)
    assert len(back) == 1 and "Green enamel mug" in back[0]["text"], back

    # the order was delivered (a text at every step), then the shopper returns one mug
    assert stock(api, shop)["on_hand"] == "1"  # two delivered; the marketplace's unit still reserved
    assert wait_for(lambda: len([m for m in outbox(local_stack)["messages"]
                                 if m["channel"] == "sms" and m["to"] == e164 and m["status"] == "sent"]) == 5,
                    timeout=60)

    context, page = new_page(browser, width, height)
    try:
        links = [m.group(1) for _, body in ses_mails_to(local_stack, guest)
                 for m in [re.search(r"(http\S+storefront\.html#/s/\S+/order\?id=\S+)", body)] if m]
        link = links[-1]  # the order's page with its token, as every status email links to it
        page.goto(link.rstrip(".,)"))
        expect(page.locator("#order")).to_have_attribute("data-status", "delivered", timeout=30000)
        ret_form = page.locator("#return-form")
        ret_form.get_by_label("Blue enamel mug: how many to return").select_option("1")
        ret_form.get_by_label("Why?").select_option("defective")
        ret_form.get_by_label("Anything to add (optional)").fill("The enamel chipped.")
        checked(page, "order with a return form")
        page.locator("#ask-return").click()
        expect(page.locator("#returns li")).to_have_attribute("data-status", "requested", timeout=30000)
    finally:
        context.close()

    # the owner receives it and restocks it on the dashboard's returns page
    context, page = new_page(browser, width, height)
    try:
        sign_in(page, dash, shop["owner"]["email"], PASSWORD)
        page.goto(f"{dash}#/shop/returns")
        item = page.locator("#returns-list .return-item").first
        expect(item).to_have_attribute("data-status", "requested", timeout=30000)
        item.locator("button.receive").click()
        expect(item).to_have_attribute("data-status", "received", timeout=30000)
        expect(item.get_by_label("Refund (EUR, at most 10.00)")).to_have_value("10.00")
        item.get_by_label("1 × Blue enamel mug").select_option("restock")
        checked(page, "returns, settling")
        item.locator("button.resolve").click()
        expect(item).to_have_attribute("data-status", "refunded", timeout=30000)
        expect(item).to_contain_text("restocked")
    finally:
        context.close()
    after = stock(api, shop)
    assert (after["on_hand"], after["reserved"]) == ("2", "1"), after  # the restocked mug is back in the ledger
    moves = call("GET", f"{api}/orgs/{shop['oid']}/movements?product_id={shop['product']}", None, t)[1]["items"]
    assert [m["quantity"] for m in moves if m["kind"] == "return"] == ["1"]
    assert wait_for(lambda: [m for m in ses_mails_to(local_stack, guest) if "refunded" in m[0]], timeout=60)


def test_a_signed_in_shopper_orders_and_returns_from_their_account(local_stack, browser):  # noqa: F811
    """A shopper creates an account on the storefront, orders under it (no email to type, no link token),
    finds the order under "My orders" and asks for its return from there; signed out, the order's page
    is theirs no more."""
    api, dash = local_stack["api_url"], local_stack["dashboard_url"]
    site = dash if dash.endswith("/") else dash + "/"
    shop = open_shop(api)
    handle, t = shop["handle"], shop["owner"]["token"]
    assert wait_for(lambda: (published(site, f"storefront/{handle}/products/{shop['product']}.json") or {}).get("pickup"),
                    timeout=60)
    email = f"shopper-{uuid.uuid4().hex[:8]}@example.com"
    context, page = new_page(browser, *WIDTHS["phone"])
    try:
        page.goto(f"{site}storefront.html#/s/{handle}")
        page.locator("#account-link").click()
        up = page.locator("#shop-sign-up-form")
        up.get_by_label("Name").fill("Sam Shopper")
        up.get_by_label("Email").fill(email)
        up.get_by_label("Password").fill("short")
        up.get_by_role("button", name="Create account").click()
        expect(up.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
        up.get_by_label("Password").fill(PASSWORD)
        checked(page, "account: sign in or up")
        up.get_by_role("button", name="Create account").click()
        expect(page.locator("#account-email")).to_have_text(email, timeout=30000)
        expect(page.locator("#no-orders")).to_be_visible()
        expect(page.locator("#account-link")).to_have_text("My orders")
        checked(page, "account: no orders")

        page.goto(f"{site}storefront.html#/s/{handle}/p/{shop['product']}")
        page.locator("#add-to-cart").click()
        page.locator("#cart-link").click()
        expect(page.locator("#ordering-as")).to_contain_text(email)
        expect(page.locator("#checkout-form").get_by_label("Name")).to_have_value("Sam Shopper")
        page.locator("#place-order").click()
        expect(page.locator("#order")).to_have_attribute("data-status", "placed", timeout=30000)
        assert "t=" not in page.url.split("?", 1)[1], page.url  # their own order: no link token
        order_id = page.url.split("id=")[1].split("&")[0]
        order = call("GET", f"{api}/orgs/{shop['oid']}/shop/orders/{order_id}", None, t)[1]
        assert (order["guest"], order["customer_email"]) == (False, email), order
        for step in ("confirmed", "picked", "ready", "collected"):
            status, order, _ = call("POST", f"{api}/orgs/{shop['oid']}/shop/orders/{order_id}/status",
                                    {"status": step, "version": order["version"]}, t)
            assert status == 200, order

        page.locator("#account-link").click()
        mine = page.locator("#my-orders li")
        expect(mine).to_have_count(1)
        expect(mine.first).to_have_attribute("data-status", "collected")
        mine.first.get_by_role("link").click()
        ret_form = page.locator("#return-form")
        ret_form.get_by_label("Blue enamel mug: how many to return").select_option("1")
        ret_form.get_by_label("Why?").select_option("no_longer_needed")
        page.locator("#ask-return").click()
        expect(page.locator("#returns li")).to_have_attribute("data-status", "requested", timeout=30000)
        returns = call("GET", f"{api}/orgs/{shop['oid']}/shop/returns", None, t)[1]["items"]
        assert [(r["order_id"], r["customer_email"]) for r in returns] == [(order_id, email)], returns

        page.locator("#account-link").click()
        page.locator("#sign-out").click()
        expect(page.locator("#account-link")).to_have_text("Sign in")
        page.goto(f"{site}storefront.html#/s/{handle}/order?id={order_id}")
        expect(page.locator("#order-problem")).to_be_visible()
    finally:
        context.close()
