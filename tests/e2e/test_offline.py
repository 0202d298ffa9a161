"""Offline-first in real Chromium: changes made with the network gone survive a reload and sync once."""
from __future__ import annotations

import time
import uuid

from playwright.sync_api import expect

from tests.e2e.http import call
from tests.e2e.test_dashboard import CHROMIUM_ARGS  # noqa: F401  (the browser fixture's flags)
from tests.e2e.test_dashboard import browser, open_page  # noqa: F401


def test_offline_adds_and_an_edit_survive_a_reload_and_sync_exactly_once(browser, local_stack):  # noqa: F811
    api = local_stack["api_url"]
    email, password = f"offline-{uuid.uuid4().hex[:8]}@example.com", "Sup3r-secret-pw"
    context = browser.new_context()
    page = context.new_page()
    page.goto(local_stack["dashboard_url"])
    form = page.locator("#sign-up-form")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign up").click()
    expect(page.locator("#app")).to_be_visible()
    open_page(page, "Expenses")
    page.wait_for_function("navigator.serviceWorker.controller !== null || "
                           "navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the service worker, which has cached the shell
    expect(page.locator("#app")).to_be_visible()
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    # The network goes: offline mode does not stop a service worker, so the API is blocked too.
    context.set_offline(True)
    context.route(f"{api}/**", lambda route: route.abort("internetdisconnected"))
    entry = page.locator("#expense-form")
    for amount in ("11.00", "22.00", "33.00"):
        entry.get_by_label("Amount").fill(amount)
        entry.get_by_label("Category").select_option("food")
        entry.get_by_role("button", name="Save").click()
        expect(page.locator("#message")).to_have_text("Saved offline: it will sync when you are back online.")
    expect(page.locator("#pending-count")).to_have_text("3")
    page.get_by_role("button", name="Edit food 22.00").click()
    entry.get_by_label("Amount").fill("25.00")
    entry.get_by_role("button", name="Save").click()
    expect(page.locator("#pending-count")).to_have_text("3")
    # the edit is queued (and shown) before the reload: the count alone was 3 already
    expect(page.locator("#expense-list")).to_contain_text("25.00 USD")
    expect(page.locator("#expense-list")).not_to_contain_text("22.00 USD")

    page.reload()  # still offline: the shell comes from the service worker, the changes from IndexedDB
    expect(page.locator("#app")).to_be_visible()
    expect(page.locator("#pending-count")).to_have_text("3")
    expect(page.locator("#expense-list")).to_contain_text("25.00 USD")

    context.unroute(f"{api}/**")
    context.set_offline(False)
    expect(page.locator("#pending")).to_be_hidden(timeout=30000)

    _, tokens, _ = call("POST", f"{api}/auth/sign-in", {"email": email, "password": password})
    month = time.strftime("%Y-%m", time.gmtime())
    _, listing, _ = call("GET", f"{api}/expenses?month={month}", token=tokens["id_token"])
    assert sorted(i["amount"] for i in listing["items"]) == ["11.00", "25.00", "33.00"]
    page.reload()  # a second load syncs nothing more
    time.sleep(1.5)
    _, listing, _ = call("GET", f"{api}/expenses?month={month}", token=tokens["id_token"])
    assert len(listing["items"]) == 3
    context.close()


def test_an_offline_edit_that_meets_a_newer_server_version_asks_and_overwrites_nothing(browser, local_stack):  # noqa: F811
    api = local_stack["api_url"]
    email, password = f"conflict-{uuid.uuid4().hex[:8]}@example.com", "Sup3r-secret-pw"
    assert call("POST", f"{api}/auth/sign-up", {"email": email, "password": password})[0] == 201
    token = call("POST", f"{api}/auth/sign-in", {"email": email, "password": password})[1]["id_token"]
    today = time.strftime("%Y-%m-%d", time.gmtime())
    entry = {"kind": "expense", "amount": "10.00", "currency": "USD", "date": today, "category": "food",
             "payment_mode": "cash"}
    _, rec, _ = call("POST", f"{api}/expenses", entry, token)

    context = browser.new_context()
    page = context.new_page()
    page.goto(local_stack["dashboard_url"])
    form = page.locator("#sign-in-form")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign in").click()
    expect(page.locator("#expense-list")).to_contain_text("10.00 USD")

    context.set_offline(True)
    context.route(f"{api}/**", lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name="Edit food 10.00").click()
    page.locator("#expense-form").get_by_label("Amount").fill("50.00")
    page.locator("#expense-form").get_by_role("button", name="Save").click()
    expect(page.locator("#pending-count")).to_have_text("1")
    # meanwhile, another device changes the same entry
    assert call("PUT", f"{api}/expenses/{rec['id']}", entry | {"amount": "60.00", "version": 1}, token)[0] == 200

    context.unroute(f"{api}/**")
    context.set_offline(False)
    expect(page.locator("#conflict")).to_be_visible(timeout=30000)
    assert call("GET", f"{api}/expenses/{rec['id']}", token=token)[1]["amount"] == "60.00"  # not overwritten
    page.get_by_role("button", name="Keep mine").click()
    expect(page.locator("#message")).to_have_text("Your version was saved.")
    got = call("GET", f"{api}/expenses/{rec['id']}", token=token)[1]
    assert got["amount"] == "50.00" and got["version"] == 3
    context.close()
