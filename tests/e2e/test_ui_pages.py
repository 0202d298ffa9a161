"""Every dashboard page in real Chromium, as a new user and on a phone: axe-core finds no serious or
critical violation, no page scrolls sideways at 375 px, charts read (currency, months, one axis per
measure, empty states), destructive actions ask first, errors sit under their field, and sign-up takes
the browser's time zone and currency.

`python -m tests.e2e.test_ui_pages --out screenshots` (`make screenshots`) walks the same pages of the
running `make run` stack as its demo user (`make demo` fills it) and saves a screenshot of each at
1366 and 375 px.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import re
import subprocess
import sys
import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.e2e.http import call
from tests.e2e.test_dashboard import CHROMIUM_ARGS, browser, confirm, field_error, open_page  # noqa: F401

ROOT = pathlib.Path(__file__).resolve().parents[2]
AXE = ROOT / "dashboard" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ["/welcome", "/expenses", "/budgets", "/recurring", "/import", "/alerts", "/settings", "/inventory",
         "/inventory/stock", "/inventory/movements", "/inventory/orders", "/inventory/catalogue", "/inventory/charts",
         "/inventory/team", "/support", "/support/desks", "/helpdesk", "/helpdesk/desk", "/helpdesk/teams", "/helpdesk/macros",
         "/helpdesk/insights"]
WIDTHS = {"desktop": (1366, 900), "phone": (375, 740)}


# ---------------------------------------------------------------- walking the pages
def new_page(browser, width: int, height: int, **context_args):
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=width < 500, **context_args)
    context.add_init_script(path=str(AXE))  # axe-core from the dashboard's npm packages (CSP never blocks it)
    return context, context.new_page()


def settle(page) -> None:
    """Wait until the page has drawn its data: nothing busy, fonts and charts done."""
    expect(page.locator("[aria-busy=true]")).to_have_count(0, timeout=30000)
    page.wait_for_timeout(300)


def axe_violations(page) -> list[dict]:
    """Serious and critical axe-core violations of the page as it is now."""
    found = page.evaluate("""async () => {
        const r = await axe.run(document, { resultTypes: ["violations"] });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                                          nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
    }""")
    return [v for v in found if v["impact"] in ("serious", "critical")]


def sideways(page) -> dict | None:
    """What sticks out to the right of the viewport, or a table that needs scrolling inside its box
    (None when nothing does)."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const tables = [...document.querySelectorAll(".table-wrap")].filter((t) => t.scrollWidth > t.clientWidth + 1);
        if (tables.length) return { tables: tables.map((t) => t.querySelector("table").id) };
        if (document.documentElement.scrollWidth <= width) return null;
        const wide = [...document.querySelectorAll("body *")].filter((e) => e.getBoundingClientRect().right > width + 1)
            .slice(0, 5).map((e) => e.tagName + (e.id ? "#" + e.id : "") + "." + e.className);
        return { scrollWidth: document.documentElement.scrollWidth, width, wide };
    }""")


def sign_in(page, dashboard_url: str, email: str, password: str) -> None:
    page.goto(dashboard_url)
    form = page.locator("#sign-in-form")
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign in").click()
    expect(page.locator("#app")).to_be_visible()


def walk(browser, dashboard_url: str, email: str, password: str, visit) -> None:
    """Every page at both widths, signed out first; `visit(page, name, width)` checks or photographs it."""
    for width_name, (width, height) in WIDTHS.items():
        context, page = new_page(browser, width, height)
        page.goto(dashboard_url)
        expect(page.locator("#sign-in-form")).to_be_visible()
        visit(page, f"sign-in-{width_name}", width)
        sign_in(page, dashboard_url, email, password)
        for path in PAGES:
            page.goto(f"{dashboard_url}#{path}")
            expect(page.locator(f'main[data-page="{path}"]')).to_be_visible()
            settle(page)
            visit(page, f"{path.strip('/').replace('/', '-')}-{width_name}", width)
        context.close()


# ---------------------------------------------------------------- a small shop and a few months of money
def seed(out: dict) -> dict:
    """A person with three months of entries, budgets, a recurring rent and a shop: two locations, a
    supplier, two products (one low), sales on several days, a lot expiring soon, a backorder and a
    purchase order drafted by the reorder job."""
    api = out["api_url"]
    email, password = f"ui-{uuid.uuid4().hex[:8]}@example.com", "Sup3r-secret-pw"
    assert call("POST", f"{api}/auth/sign-up", {"email": email, "password": password, "name": "Sam Rivera"})[0] == 201
    token = call("POST", f"{api}/auth/sign-in", {"email": email, "password": password})[1]["id_token"]
    assert call("PUT", f"{api}/me", {"currency": "USD", "time_zone": "UTC"}, token)[0] == 200
    today = date.today()
    months = [(today.replace(day=1) - timedelta(days=31 * k)).replace(day=1) for k in range(3)]
    for i, first in enumerate(months):
        def day(d: int, first: date = first) -> date:
            return min(first.replace(day=d), today)  # this month: nothing after today
        for kind, amount, cat, d, note in [("income", "3200.00", "salary", 1, "Salary"), ("expense", "1200.00", "housing", 1, "Rent"),
                                           ("expense", f"{45 + 10 * i}.50", "food", 3, "Dinner out"),
                                           ("expense", "82.10", "groceries", 5, "Supermarket"),
                                           ("expense", "23.00", "transport", 6, "Metro card")]:
            body = {"kind": kind, "amount": amount, "currency": "USD", "date": day(d).isoformat(), "category": cat,
                    "payment_mode": "bank_transfer", "note": note}
            assert call("POST", f"{api}/expenses", body, token)[0] == 201
    for cat, limit in (("food", "60.00"), ("groceries", "400.00"), ("total", "2000.00")):
        assert call("PUT", f"{api}/budgets/{cat}", {"limit": limit}, token)[0] == 200
    call("POST", f"{api}/recurring", {"kind": "expense", "amount": "1200.00", "category": "housing", "payment_mode": "bank_transfer",
                                      "note": "Rent", "frequency": "monthly", "start_date": today.isoformat()}, token)

    org = call("POST", f"{api}/orgs", {"name": "Sam's Corner Shop"}, token)[1]["org_id"]
    base = f"{api}/orgs/{org}"
    store = call("POST", f"{base}/locations", {"name": "High Street", "kind": "store"}, token)[1]["id"]
    depot = call("POST", f"{base}/locations", {"name": "Depot", "kind": "warehouse"}, token)[1]["id"]
    supplier = call("POST", f"{base}/suppliers", {"name": "Bean Co", "email": "orders@beanco.example", "lead_time_days": 3},
                    token)[1]["id"]
    coffee = call("POST", f"{base}/products", {"sku": "COF-1", "name": "Coffee beans 1kg", "price": "14.50", "cost": "6.00",
                                                 "currency": "USD", "supplier_id": supplier, "allow_backorder": True}, token)[1]["id"]
    tea = call("POST", f"{base}/products", {"sku": "TEA-1", "name": "Green tea 100 bags", "price": "5.20", "cost": "2.10",
                                              "currency": "USD", "supplier_id": supplier, "allow_backorder": False}, token)[1]["id"]
    dana = call("POST", f"{base}/customers", {"name": "Dana Okafor", "email": "dana@example.com"}, token)[1]["id"]
    call("PUT", f"{base}/stock/{coffee}/{store}/settings", {"reorder_point": "8", "reorder_quantity": "24", "max_quantity": None}, token)

    def move(body: dict, days_ago: int = 0) -> None:
        body = body | {"occurred_on": (today - timedelta(days=days_ago)).isoformat()}
        status, answer, _ = call("PUT", f"{base}/movements/{uuid.uuid4()}", body, token)
        assert status == 201, answer

    soon = (today + timedelta(days=12)).isoformat()
    move({"kind": "receive", "product_id": coffee, "location_id": store, "quantity": "20", "unit_cost": "6.00", "lot": "C-1"}, 6)
    move({"kind": "receive", "product_id": tea, "location_id": store, "quantity": "30", "unit_cost": "2.10", "lot": "T-7",
          "expiry": soon}, 6)
    move({"kind": "receive", "product_id": tea, "location_id": depot, "quantity": "40", "unit_cost": "2.10"}, 5)
    for days_ago, coffee_sold, tea_sold in ((4, "3", "5"), (3, "4", "2"), (2, "2", "6"), (1, "5", "3")):
        move({"kind": "sale", "product_id": coffee, "location_id": store, "quantity": coffee_sold}, days_ago)
        move({"kind": "sale", "product_id": tea, "location_id": store, "quantity": tea_sold}, days_ago)
    move({"kind": "scrap", "product_id": tea, "location_id": store, "quantity": "1", "reason": "damaged"}, 1)
    move({"kind": "sale", "product_id": coffee, "location_id": store, "quantity": "9", "customer_id": dana})  # 6 there: 3 wait
    job = subprocess.run([sys.executable, "-m", "local.job", "reorder", "--state-dir", out["state_dir"]],
                         capture_output=True, text=True, timeout=300, check=False, cwd=ROOT)
    assert job.returncode == 0, job.stderr
    return {"email": email, "password": password, "token": token, "org": org, "store": store, "depot": depot,
            "coffee": coffee, "tea": tea}


@pytest.fixture(scope="module")
def shop(local_stack):
    return seed(local_stack)


# ---------------------------------------------------------------- the tests
def test_every_page_has_no_serious_axe_violation_and_no_sideways_scroll_on_a_phone(browser, local_stack, shop):  # noqa: F811
    violations: dict[str, list] = {}
    wide: dict[str, dict] = {}

    def visit(page, name: str, width: int) -> None:
        found = axe_violations(page)
        if found:
            violations[name] = found
        if width < 500 and (out := sideways(page)):
            wide[name] = out

    walk(browser, local_stack["dashboard_url"], shop["email"], shop["password"], visit)
    assert violations == {}, json.dumps(violations, indent=1)
    assert wide == {}, wide


def test_a_confirmation_dialog_and_field_errors_pass_axe_too(browser, local_stack, shop):  # noqa: F811
    context, page = new_page(browser, 375, 740)
    sign_in(page, local_stack["dashboard_url"], shop["email"], shop["password"])
    page.goto(local_stack["dashboard_url"] + "#/inventory/movements")
    settle(page)
    move = page.locator("#movement-form")
    move.get_by_label("Movement").select_option("sale")
    move.get_by_label("Quantity").fill("-2")
    move.get_by_role("button", name="Record").click()
    expect(field_error(move, "Quantity")).to_have_text("Enter the amount without a minus sign.")
    assert axe_violations(page) == []
    page.locator("#movement-list li[data-kind=sale]").first.get_by_role("button", name="Reverse").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert axe_violations(page) == []
    assert sideways(page) is None
    page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    context.close()


def test_reverse_asks_first_and_a_refused_sale_is_explained_under_its_field(browser, local_stack, shop):  # noqa: F811
    context, page = new_page(browser, 1366, 900)
    sign_in(page, local_stack["dashboard_url"], shop["email"], shop["password"])
    open_page(page, "Inventory")
    open_page(page, "Movements")
    settle(page)
    sales = page.locator("#movement-list li[data-kind=sale]")
    count = sales.count()
    assert count >= 5
    # every movement shows the day it happened: the seeded sales are spread over days before today
    days = set(page.locator("#movement-list li[data-occurred-on]").evaluate_all("(es) => es.map((e) => e.dataset.occurredOn)"))
    assert len(days) >= 4
    reverse = sales.first.get_by_role("button", name="Reverse")
    expect(reverse).to_have_class("danger outline small")  # a destructive button looks it
    reverse.click()
    page.get_by_role("dialog").get_by_role("button", name="Cancel").click()
    expect(page.locator("#movement-list li[data-reverses]")).to_have_count(0)
    reverse.click()
    confirm(page, "Reverse movement")
    expect(page.locator("#message")).to_contain_text("Reversed:")
    expect(page.locator("#movement-list li[data-reverses]")).to_have_count(1)

    # filters by product and location use the API's own query
    page.locator("#movement-product").select_option(label="Green tea 100 bags")
    expect(page.locator("#movement-list li[data-kind]").first).to_contain_text("Green tea")
    assert all("Green tea" in t for t in page.locator("#movement-list li[data-kind]").all_inner_texts())
    page.locator("#movement-location").select_option(label="Depot")
    expect(page.locator("#movement-list li[data-kind]")).to_have_count(1)
    expect(page.locator("#movement-list li[data-kind]")).to_contain_text("at Depot")

    # more tea than the store has, and tea takes no backorders: the API's refusal sits under Quantity
    move = page.locator("#movement-form")
    move.get_by_label("Movement").select_option("sale")
    move.get_by_label("Product").select_option(label="Green tea 100 bags (TEA-1)")
    move.get_by_label("Location", exact=True).select_option(label="High Street")
    move.get_by_label("Quantity").fill("500")
    move.get_by_role("button", name="Record").click()
    error = field_error(move, "Quantity")
    expect(error).not_to_have_text("")
    text = error.inner_text()
    assert "Value error" not in text and "quantity:" not in text and text[0].isupper(), text
    expect(move.get_by_label("Quantity")).to_be_focused()
    expect(move.get_by_label("Quantity")).to_have_attribute("aria-invalid", "true")
    context.close()


def test_charts_read_money_months_and_separate_axes(browser, local_stack, shop):  # noqa: F811
    context, page = new_page(browser, 1366, 900)
    sign_in(page, local_stack["dashboard_url"], shop["email"], shop["password"])
    expect(page.locator("#monthly-chart")).to_be_visible(timeout=30000)
    chart = page.evaluate("""() => {
        const c = Chart.getChart("monthly-chart");
        return { labels: c.data.labels, sets: c.data.datasets.map((d) => d.label),
                 tick: c.options.scales.y.ticks.callback(1200), title: c.options.scales.y.title.text };
    }""")
    month = date.today().month
    assert len(chart["labels"]) == month  # no month drawn before it has come
    assert chart["labels"][0] == "Jan" and chart["tick"].startswith("$") and chart["title"] == "USD"
    assert "Food" in chart["sets"] and "food" not in chart["sets"]  # the names the forms show
    expect(page.locator("#glance")).to_contain_text("Spent")
    expect(page.locator('#budget-list li[data-category="food"]')).to_contain_text(re.compile(r"\d+ days left|Last day of the month"))

    open_page(page, "Inventory")
    open_page(page, "Charts")
    page.wait_for_function("() => window.Chart && Chart.getChart('sales-chart')", timeout=30000)
    sales = page.evaluate("""() => {
        const c = Chart.getChart("sales-chart");
        return { axes: c.data.datasets.map((d) => d.yAxisID), left: c.options.scales.y.title.text,
                 right: c.options.scales.y1.title.text, tick: c.options.scales.y1.ticks.callback(30) };
    }""")
    assert sales == {"axes": ["y", "y1"], "left": "Units", "right": "USD", "tick": "$30"}

    # a shop with nothing sold yet says so, with the way to the first sale
    open_page(page, "Team")
    page.get_by_label("New organisation name").fill("Empty Corner")
    page.get_by_role("button", name="Create organisation").click()
    expect(page.locator("#role")).to_have_text("You are owner")
    open_page(page, "Charts")
    expect(page.locator("#inventory-charts")).to_contain_text("No sales yet:")
    expect(page.get_by_role("link", name="Record a sale")).to_be_visible()
    expect(page.locator("#sales-chart")).to_have_count(0)
    context.close()


def test_the_forecast_chart_draws_its_80_and_95_percent_bands_and_names_the_model(browser, local_stack, shop):  # noqa: F811
    job = subprocess.run([sys.executable, "-m", "local.job", "forecast_demand", "--state-dir", local_stack["state_dir"]],
                         capture_output=True, text=True, timeout=300, check=False, cwd=ROOT)
    assert job.returncode == 0, job.stderr
    context, page = new_page(browser, 1366, 900)
    sign_in(page, local_stack["dashboard_url"], shop["email"], shop["password"])
    page.goto(f"{local_stack['dashboard_url']}#/inventory/charts")
    expect(page.locator('main[data-page="/inventory/charts"]')).to_be_visible()
    picker = page.locator("#org-picker")  # other tests may have added organisations: pick the shop
    expect(picker).to_be_visible()
    picker.select_option(label="Sam's Corner Shop")
    page.wait_for_function("() => window.Chart && Chart.getChart('forecast-chart')", timeout=30000)
    chart = page.evaluate("""() => {
        const c = Chart.getChart("forecast-chart");
        const shown = c.legend.legendItems.map((i) => i.text);
        return { shown, sets: c.data.datasets.map((d) => ({ label: d.label, fill: d.fill,
                 values: d.data.filter((v) => v !== null) })) };
    }""")
    sets = {d["label"]: d for d in chart["sets"]}
    assert chart["shown"] == ["Actual", "Forecast then", "Forecast", "95% range", "80% range"]
    for band in ("95% range", "80% range"):
        upper, lower = sets[band], sets[f"{band} (low)"]
        assert upper["fill"] == "+1" and len(upper["values"]) == len(lower["values"]) == 28
        assert all(lo <= hi for lo, hi in zip(lower["values"], upper["values"]))
    assert any(hi > lo for hi, lo in zip(sets["95% range"]["values"], sets["95% range (low)"]["values"]))
    assert all(a >= b for a, b in zip(sets["95% range"]["values"], sets["80% range"]["values"]))  # 95 holds 80
    expect(page.locator("#forecast-model")).to_contain_text("Model: ")
    context.close()


def test_sign_up_takes_the_browsers_time_zone_and_currency_then_guides(browser, local_stack):  # noqa: F811
    context, page = new_page(browser, 375, 740, locale="de-DE", timezone_id="Europe/Berlin")
    page.goto(local_stack["dashboard_url"])
    form = page.locator("#sign-up-form")
    expect(form.get_by_label("Time zone")).to_have_value("Europe/Berlin")
    expect(form.get_by_label("Home currency")).to_have_value("EUR")
    email, password = f"first-{uuid.uuid4().hex[:8]}@example.com", "Sup3r-secret-pw"
    form.get_by_label("Email").fill(email)
    form.get_by_label("Password").fill("short")
    form.get_by_role("button", name="Sign up").click()
    expect(field_error(form, "Password")).to_have_text("Use at least 8 characters.")  # not the browser's words
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Welcome to Tally")).to_be_visible()
    expect(page.locator("main")).to_contain_text("You are set up in EUR, time zone Europe/Berlin")
    token = call("POST", f"{local_stack['api_url']}/auth/sign-in", {"email": email, "password": password})[1]["id_token"]
    me = call("GET", f"{local_stack['api_url']}/me", token=token)[1]
    assert (me["time_zone"], me["currency"]) == ("Europe/Berlin", "EUR")
    page.get_by_role("link", name="Add your first entry").click()
    entry = page.locator("#expense-form")
    expect(entry.get_by_label("Amount")).to_be_focused()
    expect(entry.get_by_label("Currency")).to_have_value("EUR")
    entry.get_by_label("Amount").fill("12,50")
    entry.get_by_role("button", name="Save").click()
    expect(field_error(entry, "Amount")).to_have_text("Use a point for decimals, e.g. 12.50.")
    entry.get_by_label("Amount").fill("-3")
    entry.get_by_role("button", name="Save").click()
    expect(field_error(entry, "Amount")).to_contain_text("choose Income for money coming in")
    # inventory shows who is signed in and how to sign out
    page.get_by_role("link", name="Inventory").click()
    expect(page.locator("#who")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("heading", name="Start: create your organisation")).to_be_visible()
    context.close()


# ---------------------------------------------------------------- `make screenshots`
def screenshots(out_dir: pathlib.Path, state_dir: str) -> int:
    from local.outputs import running_outputs

    out = running_outputs(state_dir)
    if out is None:
        print("start the stack first: make run (and make demo for its demo data)", file=sys.stderr)
        return 2
    out_dir.mkdir(parents=True, exist_ok=True)
    saved: list[str] = []

    def visit(page, name: str, width: int) -> None:
        path = out_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        saved.append(path.name)

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        walk(b, out["dashboard_url"], out["demo_email"], out["demo_password"], visit)
        b.close()
    print(f"{len(saved)} screenshots in {out_dir}/")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Screenshots of every dashboard page at 1366 and 375 px")
    parser.add_argument("--out", default="screenshots")
    parser.add_argument("--state-dir", default=".local")
    args = parser.parse_args()
    sys.exit(screenshots(pathlib.Path(args.out), args.state_dir))
