"""The promotions page in real Chromium on a phone (375 px) against the local stack: an owner makes a coupon
promotion (a percentage over 100 and a code another promotion holds are explained under their fields),
sees it in the list with its uses, a shopper's order with the code counts one use, and the promotion's
chart (precomputed by the stack's stream worker) shows that week's unit; the page passes axe-core and
never scrolls sideways."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from tests.e2e.http import call
from tests.e2e.test_dashboard import browser  # noqa: F401
from tests.e2e.test_local_stack import wait_for
from tests.e2e.test_ui_pages import axe_violations, new_page, settle, sideways, sign_in

PASSWORD = "Sup3r-secret-pw"


def seed(api: str) -> dict:
    email = f"promo-{uuid.uuid4().hex[:8]}@example.com"
    assert call("POST", f"{api}/auth/sign-up", {"email": email, "password": PASSWORD, "name": "Pat Owner"})[0] == 201
    token = call("POST", f"{api}/auth/sign-in", {"email": email, "password": PASSWORD})[1]["id_token"]
    oid = call("POST", f"{api}/orgs", {"name": "Promo Shop"}, token)[1]["org_id"]
    loc = call("POST", f"{api}/orgs/{oid}/locations", {"name": "Store"}, token)[1]["id"]
    product = call("POST", f"{api}/orgs/{oid}/products", {
        "sku": "TEA-1", "name": "Green tea", "price": "8.00", "cost": "3.00", "currency": "EUR"}, token)[1]
    assert call("PUT", f"{api}/orgs/{oid}/movements/{uuid.uuid4()}", {
        "kind": "receive", "product_id": product["id"], "location_id": loc, "quantity": "20", "unit_cost": "3.00"},
        token)[0] == 201
    handle = f"promo-{uuid.uuid4().hex[:8]}"
    status, shop, _ = call("PUT", f"{api}/orgs/{oid}/shop", {
        "handle": handle, "name": "Promo Shop", "currency": "EUR", "categories": [{"slug": "tea", "name": "Tea"}],
        "pickup_location_ids": [loc]}, token)
    assert status == 200, shop
    assert call("PUT", f"{api}/orgs/{oid}/shop/listings/{product['id']}", {"category": "tea"}, token)[0] == 200
    taken = f"TAKEN{uuid.uuid4().hex[:5]}".upper()
    status, out, _ = call("POST", f"{api}/orgs/{oid}/shop/promotions", {
        "name": "Old coupon", "kind": "amount", "value": "1", "scope": "shop", "starts_at": "2020-01-01",
        "ends_at": "2099-01-01", "code": taken}, token)
    assert status == 201, out
    return {"email": email, "token": token, "oid": oid, "loc": loc, "product": product["id"], "handle": handle,
            "taken": taken}


def test_an_owner_makes_a_coupon_promotion_on_a_phone_and_sees_its_chart(browser, local_stack):  # noqa: F811
    dash, api = local_stack["dashboard_url"], local_stack["api_url"]
    s = seed(api)
    context, page = new_page(browser, 375, 740)
    sign_in(page, dash, s["email"], PASSWORD)
    page.goto(f"{dash}#/shop/promotions")
    expect(page.locator('main[data-page="/shop/promotions"]')).to_be_visible()
    expect(page.locator("#promotion-list")).to_contain_text("Old coupon")
    form = page.locator("#promotion-form")
    now = datetime.now(timezone.utc)
    form.get_by_label("Name").fill("Tea week")
    form.get_by_label("Value").fill("150")
    form.get_by_label("Applies to").select_option("category")
    form.get_by_label("Category").select_option(label="Tea")
    form.get_by_label("Starts (UTC)").fill((now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Ends (UTC)").fill((now + timedelta(days=13)).strftime("%Y-%m-%dT%H:%M"))
    form.get_by_label("Only with a coupon code").check()
    form.get_by_label("Code", exact=True).fill(s["taken"].lower())
    form.get_by_label("Usage limit (optional)").fill("10")
    form.get_by_role("button", name="Save promotion").click()
    expect(form.locator(".field", has=page.get_by_label("Value", exact=True)).locator(".field-error")).to_have_text(
        "A percentage is at most 100.")
    form.get_by_label("Value").fill("25")
    form.get_by_role("button", name="Save promotion").click()
    expect(form.locator(".field", has=page.get_by_label("Code", exact=True)).locator(".field-error")).not_to_be_empty()
    code = f"TEA{uuid.uuid4().hex[:5]}".upper()
    form.get_by_label("Code", exact=True).fill(code)
    form.get_by_role("button", name="Save promotion").click()
    row = page.locator("#promotion-list tr", has_text="Tea week")
    expect(row).to_contain_text(f"{code}: 0 of 10 used")
    expect(row).to_contain_text("Running")
    expect(page.locator("#promotion-chart")).to_be_visible()  # the new promotion's chart, empty for now
    settle(page)
    problems = {"axe": axe_violations(page), "sideways": sideways(page)}

    status, order, _ = call("POST", f"{api}/shops/{s['handle']}/orders", {
        "order_id": str(uuid.uuid4()), "fulfilment": "pickup", "location_id": s["loc"], "email": "sam@example.com",
        "lines": [{"product_id": s["product"], "quantity": "2"}], "coupon": code.lower()})
    assert status == 201 and order["lines"][0]["unit_price"] == "6.00", order
    promo_id = next(p["id"] for p in call("GET", f"{api}/orgs/{s['oid']}/shop/promotions", None, s["token"])[1]["items"]
                    if p["name"] == "Tea week")
    assert wait_for(lambda: any(w["units"] == "2" for w in call(
        "GET", f"{api}/orgs/{s['oid']}/shop/promotions/{promo_id}/chart", None, s["token"])[1]["weeks"]), timeout=90)
    page.reload()
    row = page.locator("#promotion-list tr", has_text="Tea week")
    expect(row).to_contain_text(f"{code}: 1 of 10 used")
    row.get_by_role("button", name="Chart").click()
    expect(page.locator("#promotion-weeks-table")).to_contain_text("12.00")
    expect(page.locator("#chart-summary")).to_contain_text("During")
    settle(page)
    problems["axe after"] = axe_violations(page)
    problems["sideways after"] = sideways(page)
    context.close()
    assert problems == {"axe": [], "sideways": None, "axe after": [], "sideways after": None}, json.dumps(problems, indent=1)
