"""The shop's settings and storefront listings pages in real Chromium against the local stack: on a phone
(375 px) an owner opens a shop (a handle another shop holds is refused under its field first), adds two
categories and a pickup store, lists a product in a category at 10 % off, and the storefront document the
stack's stream worker publishes shows it at the price after the discount; an edit made meanwhile by
someone else is reported and the form reloaded. A staff member sees the settings read-only, with no
payment secret and no save button (desktop). The pages pass axe-core and never scroll sideways."""
from __future__ import annotations

import json
import re
import uuid

from playwright.sync_api import expect

from tests.e2e.http import call
from tests.e2e.test_dashboard import browser  # noqa: F401
from tests.e2e.test_helpdesk_dashboard import PASSWORD, person
from tests.e2e.test_local_stack import wait_for
from tests.e2e.test_shop_done import published
from tests.e2e.test_ui_pages import WIDTHS, axe_violations, new_page, settle, sideways, sign_in


def seed(api: str) -> dict:
    owner, staff, rival = person(api, "Orla Owner"), person(api, "Sami Staff"), person(api, "Rita Rival")
    t = owner["token"]
    oid = call("POST", f"{api}/orgs", {"name": "Harbour Goods"}, t)[1]["org_id"]
    store = call("POST", f"{api}/orgs/{oid}/locations", {"name": "Quay Street", "kind": "store"}, t)[1]["id"]
    depot = call("POST", f"{api}/orgs/{oid}/locations", {"name": "Depot", "kind": "warehouse"}, t)[1]["id"]
    status, product, _ = call("POST", f"{api}/orgs/{oid}/products", {
        "sku": "MUG-RED", "name": "Red enamel mug", "price": "20.00", "cost": "6.00", "currency": "EUR"}, t)
    assert status == 201, product
    status, other, _ = call("POST", f"{api}/orgs/{oid}/products", {
        "sku": "SPADE-1", "name": "Garden spade", "price": "35.00", "cost": "12.00", "currency": "EUR"}, t)
    assert status == 201, other
    assert call("PUT", f"{api}/orgs/{oid}/members/{staff['sub']}", {"role": "staff"}, t)[0] == 200
    # another organisation's shop holds a handle first
    rival_org = call("POST", f"{api}/orgs", {"name": "Rival"}, rival["token"])[1]["org_id"]
    taken = f"taken-{uuid.uuid4().hex[:8]}"
    status, out, _ = call("PUT", f"{api}/orgs/{rival_org}/shop", {"handle": taken, "name": "Rival"}, rival["token"])
    assert status == 200, out
    return {"owner": owner, "staff": staff, "oid": oid, "store": store, "depot": depot, "product": product["id"],
            "taken": taken, "handle": f"harbour-{uuid.uuid4().hex[:8]}"}


def field_error(scope, label: str):
    return scope.locator(".field", has=scope.page.get_by_label(label, exact=True)).locator(".field-error")


def test_an_owner_opens_a_shop_and_lists_a_product_and_staff_see_it_read_only(browser, local_stack):  # noqa: F811
    api, dash = local_stack["api_url"], local_stack["dashboard_url"]
    site = dash if dash.endswith("/") else dash + "/"
    s = seed(api)
    problems: dict[str, object] = {}

    context, page = new_page(browser, *WIDTHS["phone"])
    sign_in(page, dash, s["owner"]["email"], PASSWORD)
    page.goto(f"{dash}#/shop/settings")
    expect(page.locator('main[data-page="/shop/settings"]')).to_be_visible()
    expect(page.locator("#no-shop")).to_be_visible()
    form = page.locator("#shop-form")
    form.get_by_label("Name", exact=True).fill("Harbour Goods")
    form.get_by_label("Handle (in the storefront's address)").fill(s["taken"])
    form.get_by_label("Currency").select_option("EUR")
    form.get_by_role("button", name="Add a category").click()
    form.get_by_label("Category 1 name").fill("Kitchen & Dining")
    expect(form.get_by_label("Category 1 slug")).to_have_value("kitchen-dining")  # derived from the name
    form.get_by_role("button", name="Add a category").click()
    form.get_by_label("Category 2 name").fill("Garden")
    form.get_by_label("Category 2 slug").fill("outdoor")  # a slug can be chosen
    form.get_by_label("Quay Street").check()
    form.get_by_label("Delivery from").select_option(label="Depot")
    form.get_by_role("button", name="Open the shop").click()
    expect(field_error(form, "Handle (in the storefront's address)")).to_contain_text("another shop has this handle",
                                                                                    ignore_case=True)
    expect(form.get_by_label("Handle (in the storefront's address)")).to_be_focused()
    form.get_by_label("Handle (in the storefront's address)").fill(s["handle"])
    form.get_by_role("button", name="Open the shop").click()
    link = page.locator("#storefront-link")
    expect(link).to_have_attribute("href", f"storefront.html#/s/{s['handle']}")
    expect(link).to_have_attribute("target", "_blank")
    expect(page.locator("#payment-secret")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    expect(form.get_by_role("button", name="Save settings")).to_be_visible()
    shop = call("GET", f"{api}/orgs/{s['oid']}/shop", None, s["owner"]["token"])[1]
    assert shop["categories"] == [{"slug": "kitchen-dining", "name": "Kitchen & Dining"},
                                  {"slug": "outdoor", "name": "Garden"}], shop
    assert shop["pickup_location_ids"] == [s["store"]] and shop["delivery_location_id"] == s["depot"], shop
    settle(page)
    problems["settings sideways"] = sideways(page)
    problems["settings axe"] = axe_violations(page)

    # someone else changes the shop meanwhile: the save is refused, said, and the form shows theirs
    changed = {k: shop[k] for k in ("handle", "currency", "categories", "pickup_location_ids", "delivery_location_id",
                                    "reservation_minutes", "delivery_days", "time_zone", "return_days", "version")}
    status, out, _ = call("PUT", f"{api}/orgs/{s['oid']}/shop", {**changed, "name": "Harbour Goods & Co"},
                          s["owner"]["token"])
    assert status == 200, out
    form.get_by_label("Return days (0: no returns)").fill("14")
    form.get_by_role("button", name="Save settings").click()
    expect(page.locator("#shop-stale")).to_be_in_viewport()
    expect(form.get_by_label("Name", exact=True)).to_have_value("Harbour Goods & Co")
    expect(form.get_by_label("Return days (0: no returns)")).to_have_value("30")

    page.goto(f"{dash}#/shop/listings")
    expect(page.locator('main[data-page="/shop/listings"]')).to_be_visible()
    expect(page.locator("#listings tbody tr")).to_have_count(2)
    page.get_by_label("Search name or SKU").fill("mug-r")
    expect(page.locator("#listings tbody tr")).to_have_count(1)
    row = page.locator(f'#listings tr[data-product="{s["product"]}"]')
    expect(row).to_contain_text("Not listed")
    row.get_by_role("button", name="List Red enamel mug").click()
    dialog = page.locator("#listing-dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Category").select_option(label="Kitchen & Dining")
    dialog.get_by_label("Discount", exact=True).select_option("percent")
    dialog.get_by_label("Percent off").fill("110")
    dialog.get_by_role("button", name="List on the storefront").click()
    expect(field_error(dialog, "Percent off")).to_have_text("A percentage is at most 100.")
    dialog.get_by_label("Percent off").fill("10")
    dialog.get_by_label("Label (optional)").fill("Launch week")
    settle(page)
    problems["dialog sideways"] = sideways(page)
    problems["dialog axe"] = axe_violations(page)
    dialog.get_by_role("button", name="List on the storefront").click()
    expect(dialog).to_have_count(0)
    expect(row).to_contain_text("Listed")
    expect(row).to_contain_text("Kitchen & Dining")
    expect(row).to_contain_text("−2.00")
    expect(row).to_contain_text("18.00 EUR")
    page.get_by_label("Search name or SKU").fill("")
    page.get_by_label("Show").select_option("unlisted")
    expect(page.locator("#listings tbody tr")).to_have_count(1)
    expect(page.locator("#listings")).to_contain_text("Garden spade")
    settle(page)
    problems["listings sideways"] = sideways(page)
    problems["listings axe"] = axe_violations(page)
    context.close()

    # the shop stream publishes the storefront's index (the local stack's workers)
    def card() -> dict | None:
        doc = published(site, f"storefront/{s['handle']}/index.json") or {}
        return next((c for c in doc.get("products", []) if c["product_id"] == s["product"]), None)

    assert wait_for(lambda: (card() or {}).get("final_price") == "18.00", timeout=60), card()
    assert card()["category"] == "kitchen-dining" and card()["price"] == "20.00", card()

    # a staff member sees the settings, read-only, and lists nothing
    context, page = new_page(browser, *WIDTHS["desktop"])
    sign_in(page, dash, s["staff"]["email"], PASSWORD)
    page.goto(f"{dash}#/shop/settings")
    expect(page.locator("#read-only")).to_be_visible()
    form = page.locator("#shop-form")
    expect(form.get_by_label("Name", exact=True)).to_have_value("Harbour Goods & Co")
    expect(form.get_by_label("Name", exact=True)).to_be_disabled()
    expect(form.get_by_label("Category 1 name")).to_be_disabled()
    expect(form.get_by_label("Quay Street")).to_be_checked()
    expect(form.get_by_role("button")).to_have_count(0)
    expect(page.locator("#payment-secret")).to_have_count(0)
    settle(page)
    problems["staff settings axe"] = axe_violations(page)
    page.goto(f"{dash}#/shop/listings")
    expect(page.locator(f'#listings tr[data-product="{s["product"]}"]')).to_contain_text("18.00 EUR")
    expect(page.locator("#listings button")).to_have_count(0)
    context.close()
    assert all(not v for v in problems.values()), json.dumps(problems, indent=1)
