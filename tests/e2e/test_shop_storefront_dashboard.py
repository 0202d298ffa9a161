"""The storefront in real Chromium at 375 px against the local stack, with no sign-in: a shopper finds a
product by search, sees its selling price, the listing's discount and the price after it, and the
delivery date, orders for pickup as a guest and gets the email; once collected they ask for a return
on the order's page, and the owner receives it and restocks it on the dashboard's returns page: the
units are back in the inventory ledger. The storefront's pages pass axe-core and never scroll sideways."""
from __future__ import annotations

import json
import urllib.request
import uuid
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.e2e.http import call
from tests.e2e.test_dashboard import browser  # noqa: F401
from tests.e2e.test_helpdesk_dashboard import PASSWORD, person, ses_mails_to
from tests.e2e.test_local_stack import wait_for
from tests.e2e.test_ui_pages import WIDTHS, axe_violations, new_page, settle, sideways, sign_in


def open_shop(api: str) -> dict:
    owner = person(api, "Olga Owner")
    t = owner["token"]
    oid = call("POST", f"{api}/orgs", {"name": "Corner Goods"}, t)[1]["org_id"]
    store = call("POST", f"{api}/orgs/{oid}/locations", {"name": "High Street", "kind": "store"}, t)[1]["id"]
    depot = call("POST", f"{api}/orgs/{oid}/locations", {"name": "Depot", "kind": "warehouse"}, t)[1]["id"]
    status, product, _ = call("POST", f"{api}/orgs/{oid}/products", {
        "sku": "MUG-BLUE", "name": "Blue enamel mug", "brand": "Camp Co", "price": "12.50", "cost": "4.00",
        "currency": "EUR"}, t)
    assert status == 201, product
    for loc in (store, depot):
        assert call("PUT", f"{api}/orgs/{oid}/movements/{uuid.uuid4()}", {
            "kind": "receive", "product_id": product["id"], "location_id": loc, "quantity": "5",
            "unit_cost": "4.00"}, t)[0] == 201
    handle = f"corner-{uuid.uuid4().hex[:8]}"
    status, shop, _ = call("PUT", f"{api}/orgs/{oid}/shop", {
        "handle": handle, "name": "Corner Goods", "currency": "EUR",
        "categories": [{"slug": "kitchen", "name": "Kitchen"}, {"slug": "garden", "name": "Garden"}],
        "pickup_location_ids": [store], "delivery_location_id": depot, "delivery_days": 2}, t)
    assert status == 200, shop
    # the listing's discount as it exists today: 20 % off the selling price
    status, listing, _ = call("PUT", f"{api}/orgs/{oid}/shop/listings/{product['id']}", {
        "category": "kitchen", "description": "Enamel, 350 ml.",
        "discount": {"kind": "percent", "value": "20", "label": "Winter sale"}}, t)
    assert status == 200 and listing["final_price"] == "10.00", listing
    return {"owner": owner, "oid": oid, "store": store, "product": product["id"], "handle": handle}


def published(site: str, key: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"{site}{key}", timeout=10) as r:
            return json.loads(r.read())
    except Exception:
        return None


def stock(api: str, shop: dict) -> dict:
    return call("GET", f"{api}/orgs/{shop['oid']}/stock/{shop['product']}/{shop['store']}", None, shop["owner"]["token"])[1]


def checked(page, what: str) -> None:
    settle(page)
    assert sideways(page) is None, (what, sideways(page))
    assert axe_violations(page) == [], (what, axe_violations(page))


def test_a_shopper_orders_at_a_discount_and_a_return_is_restocked(local_stack, browser):  # noqa: F811
    api, dash = local_stack["api_url"], local_stack["dashboard_url"]
    site = dash if dash.endswith("/") else dash + "/"
    shop = open_shop(api)
    handle = shop["handle"]
    # the shop stream publishes the storefront's documents (the local stack's workers)
    assert wait_for(lambda: any(c.get("final_price") == "10.00" for c in
                                (published(site, f"storefront/{handle}/index.json") or {}).get("products", [])),
                    timeout=60), "the storefront index was not published"
    assert wait_for(lambda: (published(site, f"storefront/{handle}/products/{shop['product']}.json") or {}).get("pickup"),
                    timeout=60)
    width, height = WIDTHS["phone"]
    context, page = new_page(browser, width, height)
    try:
        page.goto(f"{site}storefront.html#/s/{handle}")
        expect(page.locator("#products .product-card")).to_have_count(1, timeout=30000)
        card = page.locator(f"#products [data-id='{shop['product']}']")
        expect(card).to_contain_text("12.50")
        expect(card).to_contain_text("10.00")
        checked(page, "catalogue")
        page.get_by_label("Search Corner Goods").fill("enamel cam")
        expect(page.locator("#shop-count")).to_have_text("1 product")
        page.get_by_label("Search Corner Goods").fill("teapot")
        expect(page.locator("#shop-count")).to_have_text("0 products")
        page.get_by_role("link", name="Garden").click()
        page.get_by_label("Search Corner Goods").fill("")
        expect(page.locator("#products .product-card")).to_have_count(0)
        page.get_by_role("link", name="Kitchen").click()
        page.get_by_role("link", name="Blue enamel mug").click()

        # the product: selling price, discount, price after it; availability per store; the delivery date
        expect(page.locator("#product-price")).to_contain_text("12.50")
        expect(page.locator("#product-price")).to_contain_text("10.00")
        expect(page.locator("#product-price")).to_contain_text("Winter sale")
        availability = page.locator("#availability")
        expect(availability).to_contain_text("5 available")
        expect(availability.locator("li", has_text="Pick up at High Street")).to_contain_text("Collect today")
        due = date.today() + timedelta(days=2)
        expect(availability.locator("li", has_text="Home delivery")).to_contain_text(f"Delivered by")
        expect(availability.locator("li", has_text="Home delivery")).to_contain_text(str(due.day))
        checked(page, "product")
        page.get_by_label("Quantity").fill("2")
        page.locator("#add-to-cart").click()
        expect(page.locator(".cart-count")).to_have_text("2")

        # the cart and checkout: pickup at the store, a guest's email
        page.locator("#cart-link").click()
        expect(page.locator("#cart-total")).to_contain_text("20.00")
        guest = f"guest-{uuid.uuid4().hex[:8]}@example.com"
        form = page.locator("#checkout-form")
        form.get_by_label("Pickup store").select_option(label="High Street")
        form.get_by_label("Email").fill(guest)
        form.get_by_label("Name").fill("Gus Guest")
        checked(page, "cart")
        page.locator("#place-order").click()
        expect(page.locator("#order")).to_have_attribute("data-status", "placed", timeout=30000)
        expect(page.locator("#order-status")).to_contain_text("Placed")
        order_url = page.url
        order_id = order_url.split("id=")[1].split("&")[0]
        checked(page, "order")
        assert (stock(api, shop)["reserved"], stock(api, shop)["available"]) == ("2", "3")
        mails = wait_for(lambda: [m for m in ses_mails_to(local_stack, guest) if "placed" in m[0]], timeout=60)
        assert mails and "Blue enamel mug" in mails[0][1] and "20.00 EUR" in mails[0][1], mails
        assert f"storefront.html#/s/{handle}/order?id={order_id}" in mails[0][1]

        # the shop hands it over (staff, through the API)
        t = shop["owner"]["token"]
        order = call("GET", f"{api}/orgs/{shop['oid']}/shop/orders/{order_id}", None, t)[1]
        for step in ("confirmed", "picked", "ready", "collected"):
            status, order, _ = call("POST", f"{api}/orgs/{shop['oid']}/shop/orders/{order_id}/status",
                                    {"status": step, "version": order["version"]}, t)
            assert status == 200, order
        assert stock(api, shop)["on_hand"] == "3"

        # the shopper asks for a return of one mug on the order's page
        page.reload()
        expect(page.locator("#order")).to_have_attribute("data-status", "collected", timeout=30000)
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
        checked(page, "returns")
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
    assert after["on_hand"] == "4", after  # the restocked mug is back in the ledger
    moves = call("GET", f"{api}/orgs/{shop['oid']}/movements?product_id={shop['product']}", None, t)[1]["items"]
    assert [m["quantity"] for m in moves if m["kind"] == "return"] == ["1"]
    assert wait_for(lambda: [m for m in ses_mails_to(local_stack, guest) if "refunded" in m[0]], timeout=60)
