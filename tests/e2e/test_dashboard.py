"""The dashboard in real headless Chromium (Debian's), against the local stack."""
from __future__ import annotations

import pathlib
import re
import time
import uuid
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.e2e.http import call

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser(chromium):
    """The e2e package's Chromium (tests/e2e/conftest.py) for one module: the contexts (and their pages)
    the module opened are closed after its last test, as closing a module's own browser did, so no page
    of one module runs on in the next."""
    before = [c._impl_obj for c in chromium.contexts]
    yield chromium
    for context in chromium.contexts:
        if not any(context._impl_obj is b for b in before):
            context.close()


def sign_up_in_browser(page, dashboard_url: str, name: str) -> tuple[str, str]:
    """Sign up through the dashboard's form (confirmed at once locally): the first-run guide is shown,
    then the expenses overview is opened."""
    page.goto(dashboard_url)
    email, password = f"e2e-{uuid.uuid4().hex[:8]}@example.com", "Sup3r-secret-pw"
    form = page.locator("#sign-up-form")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign up").click()
    expect(page.locator("#app")).to_be_visible()
    expect(page.get_by_role("heading", name="Welcome to Tally")).to_be_visible()
    open_page(page, "Expenses")
    return email, password


def open_page(page, link: str) -> None:
    """Follow a link of the navigation (module or page) and wait for its page."""
    page.get_by_role("navigation").get_by_role("link", name=link, exact=True).click()
    expect(page.locator(f'main[data-page] h1')).to_be_visible()


def confirm(page, action: str) -> None:
    """Answer the confirmation dialog of a destructive action."""
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=action).click()
    expect(dialog).to_be_hidden()


def field_error(form, label: str):
    """The message shown under a form's field."""
    return form.locator(".field", has=form.page.get_by_label(label, exact=True)).locator(".field-error")


def month_chart_value(page, chart: str, key: str) -> float:
    """What Chart.js itself holds for this month in one dataset of a chart (proof that it drew); the
    datasets carry their category key, the labels are month names from January on."""
    return page.evaluate(
        """([chart, key, month]) => {
             const c = Chart.getChart(chart);
             const set = c.data.datasets.find((d) => d.key === key);
             return set ? set.data[month - 1] : null;
           }""", [chart, key, int(time.strftime("%m", time.gmtime()))])


def test_sign_up_add_expense_chart_budget_edit_delete(browser, local_stack):
    hosts: set[str] = set()
    urls: list[str] = []
    problems: list[str] = []  # console errors (CSP violations among them) and uncaught exceptions
    page = browser.new_page()
    page.on("request", lambda r: (hosts.add(urlparse(r.url).hostname or ""), urls.append(r.url)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
    email, password = sign_up_in_browser(page, local_stack["dashboard_url"], "Erin")
    expect(page.locator("#who")).to_have_text("Erin")
    expect(page.locator("#expense-form").get_by_label("Currency")).to_have_value("USD")  # the profile's
    expect(page.locator("#expense-form").get_by_label("Date")).to_have_value(time.strftime("%Y-%m-%d", time.gmtime()))
    expect(page.locator("#expense-form").get_by_label("Category").locator("option[value=food]")).to_have_text("Food")

    entry = page.locator("#expense-form")
    entry.get_by_label("Amount").fill("25.00")
    entry.get_by_label("Category").select_option("food")
    entry.get_by_role("button", name="Save").click()
    expect(page.locator("#expense-list li").first).to_contain_text("25.00 USD")
    # the chart data follows the stream within seconds
    expect(page.locator('#month-totals tr[data-category="food"]')).to_have_attribute("data-amount", "25.00",
                                                                                     timeout=30000)

    assert month_chart_value(page, "monthly-chart", "food") == 25
    expect(page.locator("#balance-summary")).to_contain_text("spent 25.00, net -25.00 USD")
    expect(page.locator("#glance-spent")).to_have_text("$25.00")  # the month at a glance, in the home currency
    expect(page.locator("#glance-net")).to_have_text("-$25.00")

    open_page(page, "Budgets")
    budget = page.locator("#budget-form")
    limit = budget.get_by_label("Monthly limit")
    budget.get_by_label("Budget category").select_option("food")
    limit.fill("12,50")  # checked here first, in words that say what to type
    budget.get_by_role("button", name="Set budget").click()
    expect(field_error(budget, "Monthly limit")).to_have_text("Use a point for decimals, e.g. 12.50.")
    limit.fill("0")  # the API's error reaches the field it names, in plain words, focused
    budget.get_by_role("button", name="Set budget").click()
    expect(field_error(budget, "Monthly limit")).to_have_text("Amount must be greater than zero.")
    expect(limit).to_have_attribute("aria-invalid", "true")
    expect(limit).to_be_focused()
    expect(page.locator("#message")).not_to_have_class("error")  # no page-level error when a field owns it
    limit.fill("100")
    expect(limit).not_to_have_attribute("aria-invalid", "true")
    budget.get_by_role("button", name="Set budget").click()
    expect(page.locator('#budget-list li[data-category="food"]')).to_contain_text("25.00 of 100.00 USD")
    expect(page.get_by_label("Food budget used")).to_have_js_property("value", 25)
    expect(page.locator('#budget-list li[data-category="food"]')).to_have_class("budget")  # below 80%: no colour
    expect(field_error(budget, "Monthly limit")).to_have_text("")  # cleared by the success

    open_page(page, "Overview")

    page.get_by_role("button", name="Edit food 25.00").click()
    entry.get_by_label("Amount").fill("90.00")
    entry.get_by_role("button", name="Save").click()
    expect(page.locator("#expense-list li").first).to_contain_text("90.00 USD")
    expect(page.locator('#month-totals tr[data-category="food"]')).to_have_attribute("data-amount", "90.00",
                                                                                     timeout=30000)
    expect(page.locator('#budget-list li[data-category="food"]')).to_have_class("budget warn", timeout=30000)
    expect(page.locator("#alert-list")).to_contain_text("80%", timeout=30000)
    assert month_chart_value(page, "monthly-chart", "food") == 90
    expect(page.locator('#budget-list li[data-category="food"]')).to_contain_text(re.compile(r"\d+ days left|Last day of the month"))

    with page.expect_download() as download:
        page.get_by_role("button", name="Download month as CSV").click()
    csv_text = pathlib.Path(download.value.path()).read_text(encoding="utf-8")
    assert csv_text.startswith("date,kind,amount") and ",90.00,USD,food," in csv_text
    with page.expect_download() as download:
        page.get_by_role("button", name="Download monthly report (PDF)").click()
    assert download.value.suggested_filename == f"tally-report-{time.strftime('%Y-%m', time.gmtime())}.pdf"
    pdf = pathlib.Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-") and b"Tally monthly report" in pdf and b"food: 90.00 of 100.00 USD" in pdf

    open_page(page, "Recurring")
    recurring = page.locator("#recurring-form")
    recurring.get_by_label("Recurring amount").fill("950.00")
    recurring.get_by_label("Recurring category").select_option("housing")
    recurring.get_by_label("Recurring note").fill("Rent")
    recurring.get_by_role("button", name="Add recurring").click()
    expect(page.locator("#recurring-list")).to_contain_text("Rent · monthly · next ")
    page.get_by_role("button", name="Stop Rent").click()
    confirm(page, "Stop recurring")
    expect(page.locator("#recurring-list")).to_contain_text("Nothing recurring yet.")
    open_page(page, "Overview")

    # An edit that meets a newer version saved elsewhere: the 409 shows both, and nothing is overwritten.
    record_id = page.locator("#expense-list li").first.get_attribute("data-id")
    page.get_by_role("button", name="Edit food 90.00").click()
    token = call("POST", f"{local_stack['api_url']}/auth/sign-in", {"email": email, "password": password})[1]["id_token"]
    _, theirs, _ = call("GET", f"{local_stack['api_url']}/expenses/{record_id}", token=token)
    status, _, _ = call("PUT", f"{local_stack['api_url']}/expenses/{record_id}",
                        {k: theirs[k] for k in ("kind", "currency", "date", "category", "payment_mode", "version")}
                        | {"amount": "95.00"}, token)
    assert status == 200
    entry.get_by_label("Amount").fill("70.00")
    entry.get_by_role("button", name="Save").click()
    expect(page.locator("#conflict")).to_be_visible()
    expect(page.locator("#conflict-theirs")).to_contain_text("-95.00 USD · Food")
    expect(page.locator("#conflict-mine")).to_contain_text("-70.00 USD · Food")
    expect(page.locator("#message")).to_contain_text("Conflict")
    page.get_by_role("button", name="Keep the saved one").click()
    expect(page.locator("#conflict")).to_be_hidden()
    expect(page.locator("#expense-list li").first).to_contain_text("95.00 USD")

    page.get_by_role("button", name="Delete food 95.00").click()  # deleted at once, with an undo
    expect(page.locator("#expense-list")).to_contain_text("Nothing recorded this month.")
    page.locator(".toast").get_by_role("button", name="Undo").click()
    expect(page.locator("#expense-list li").first).to_contain_text("95.00 USD")
    expect(page.locator("#message")).to_have_text("Entry restored.")
    page.get_by_role("button", name="Delete food 95.00").click()
    expect(page.locator("#expense-list")).to_contain_text("Nothing recorded this month.")
    page.wait_for_function("""() => { const row = document.querySelector('#month-totals tr[data-category="food"]');
                                     return !row || Number(row.dataset.amount) === 0; }""", timeout=30000)

    # an expense in another currency waits for the month's rate; setting it brings it into the totals
    entry.get_by_label("Amount").fill("10.00")
    entry.get_by_label("Currency").fill("EUR")
    entry.get_by_label("Category").select_option("food")
    entry.get_by_role("button", name="Save").click()
    expect(page.locator("#expense-list li").first).to_contain_text("10.00 EUR")
    page.wait_for_timeout(1500)  # the stream files it under EUR
    page.reload()
    expect(page.locator("#missing-rates")).to_contain_text("No rate yet for EUR", timeout=30000)
    open_page(page, "Budgets")
    rates = page.locator("#rates-form")
    rates.get_by_label("Rate currency").fill("EUR")
    rates.get_by_label("Rate (in your home currency)").fill("2.5")
    rates.get_by_role("button", name="Set rate").click()
    expect(page.locator("#rates-list")).to_contain_text("1 EUR = 2.5 USD")
    expect(page.locator("#missing-rates")).to_be_hidden()
    expect(page.locator('#budget-list li[data-category="food"]')).to_contain_text("25.00 of 100.00 USD")
    open_page(page, "Overview")
    expect(page.locator('#month-totals tr[data-category="food"]')).to_have_attribute("data-amount", "25.00",
                                                                                     timeout=30000)

    page.locator("#who").click()  # the signed-in person's name opens their profile
    profile = page.locator("#profile-form")
    profile.get_by_label("Monthly digest").uncheck()
    profile.get_by_role("button", name="Save profile").click()
    expect(page.locator("#message")).to_have_text("Profile saved.")
    expect(profile.get_by_label("Monthly digest")).not_to_be_checked()
    expect(profile.get_by_label("Pace warnings")).to_be_checked()

    # tokens live in sessionStorage only, never in localStorage or any URL; signing out drops them
    assert "eyJ" in page.evaluate("JSON.stringify(sessionStorage)")
    assert "eyJ" not in page.evaluate("JSON.stringify(localStorage)")
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#auth")).to_be_visible()
    expect(page.locator("#app")).to_be_hidden()
    assert page.evaluate("sessionStorage.length") == 0
    expect(page.locator("#sign-in-form").get_by_label("Password")).to_have_value("")

    assert "token" not in page.url and "eyJ" not in page.url
    assert not [u for u in urls if "eyJ" in u or "token=" in u], urls
    assert hosts <= {"127.0.0.1", "localhost"}, hosts
    # the only console errors allowed are the browser's notes of the 400 and 409 the test asked for
    assert [p for p in problems if "status of 409" not in p and "status of 400" not in p] == [], problems
    page.close()


def test_phone_sized_screen_has_no_horizontal_scroll(browser, local_stack):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(local_stack["dashboard_url"])
    form = page.locator("#sign-in-form")
    form.get_by_label("Email").fill(local_stack["demo_email"])
    form.get_by_label("Password").fill(local_stack["demo_password"])
    form.get_by_role("button", name="Sign in").click()
    expect(page.locator("#expense-form")).to_be_visible()
    expect(page.locator("#month-picker")).not_to_have_value("")
    time.sleep(0.5)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    for control in ("Amount", "Category", "Payment mode", "Tags"):
        box = page.locator("#expense-form").get_by_label(control).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 375, (control, box)
    save = page.locator("#expense-form").get_by_role("button", name="Save").bounding_box()
    assert save and save["x"] + save["width"] <= 375
    page.screenshot(path=str(pathlib.Path(local_stack["state_dir"]) / "phone.png"), full_page=True)
    context.close()


def test_dashboard_is_served_with_security_headers(local_stack):
    from tests.e2e.http import call

    status, _, headers = call("GET", local_stack["dashboard_url"] + "config.json")
    assert status == 200
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and local_stack["api_url"] in csp
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"


def test_import_a_statement_twice_with_preview_and_progress(browser, local_stack, tmp_path):
    lines = "".join(f"2026-10-{1 + i % 28:02d},\"-{1 + i % 9},50\",Shop {i}\n" for i in range(30))
    statement = tmp_path / "statement.csv"
    statement.write_text("Datum,Betrag,Text\n" + lines + "2026-10-40,-1,bad\n", encoding="utf-8")
    page = browser.new_page()
    page.goto(local_stack["dashboard_url"])
    form = page.locator("#sign-up-form")
    form.get_by_label("Email").fill(f"importer-{uuid.uuid4().hex[:8]}@example.com")
    form.get_by_label("Password").fill("Sup3r-secret-pw")
    form.get_by_role("button", name="Sign up").click()
    expect(page.locator("#app")).to_be_visible()
    page.get_by_role("link", name="Import a bank statement").click()  # a step of the first-run guide
    imp = page.locator("#import-form")
    imp.get_by_label("Statement (CSV)").set_input_files(str(statement))
    expect(imp.get_by_label("Amount column")).to_have_value("Betrag")
    imp.get_by_label("Decimal separator").select_option(",")
    imp.get_by_role("button", name="Preview").click()
    expect(page.locator("#import-summary")).to_contain_text("31 lines: 30 good, 1 with errors")
    expect(page.locator("#import-errors")).to_contain_text("Line 32: ")
    imp.get_by_role("button", name="Import").click()
    expect(page.locator("#message")).to_have_text("Imported: 30 new, 0 already there, 1 lines with errors.")
    expect(page.locator("#import-progress")).to_have_attribute("value", "100")
    imp.get_by_role("button", name="Preview").click()
    imp.get_by_role("button", name="Import").click()
    expect(page.locator("#message")).to_have_text("Imported: 0 new, 30 already there, 1 lines with errors.")
    open_page(page, "Overview")
    page.locator("#month-picker").fill("2026-10")
    page.locator("#month-picker").dispatch_event("change")
    expect(page.locator("#expense-list li")).to_have_count(30)
    page.close()
