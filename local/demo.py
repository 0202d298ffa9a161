"""`make demo`: a year of realistic expenses and a demo shop for the demo user, through the API over HTTP.

Ids are uuid5 of the entry's content and position, so running it twice creates nothing new.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import urllib.error
import urllib.request
import uuid
from datetime import date, timedelta

from .outputs import DEFAULT_STATE_DIR, running_outputs

NS = uuid.UUID("6f1c2d1e-3a59-4b8e-9d61-5d3b2f1a7c10")

MONTHLY = [("housing", "1200.00", 1, "bank_transfer", "Rent"), ("utilities", "95.40", 5, "bank_transfer", "Power & water"),
           ("utilities", "39.99", 12, "e_payment", "Phone"), ("entertainment", "15.49", 18, "credit_card", "Streaming")]
DAILY = [("food", (8, 35), "debit_card", ["Lunch", "Coffee & cake", "Dinner out", "Takeaway"]),
         ("groceries", (25, 140), "debit_card", ["Supermarket", "Market", "Bakery"]),
         ("transport", (3, 60), "e_payment", ["Metro", "Fuel", "Taxi"]),
         ("shopping", (15, 180), "credit_card", ["Clothes", "Books", "Household"]),
         ("health", (10, 90), "cash", ["Pharmacy", "Dentist"])]


def call(method, url, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def entries(today: date):
    rng = random.Random(42)
    start = date(today.year - 1, today.month, 1)
    d = start
    while d <= today:
        for cat, amount, day, mode, note in MONTHLY:
            if d.day == day:
                yield {"kind": "expense", "amount": amount, "date": d.isoformat(), "category": cat,
                       "payment_mode": mode, "note": note}
        if d.day == 25:
            yield {"kind": "income", "amount": "3150.00", "date": d.isoformat(), "category": "salary",
                   "payment_mode": "bank_transfer", "note": "Salary"}
        for cat, (lo, hi), mode, notes in DAILY:
            if rng.random() < {"food": 0.3, "groceries": 0.15, "transport": 0.15, "shopping": 0.05, "health": 0.03}[cat]:
                cents = rng.randint(lo * 100, hi * 100)
                yield {"kind": "expense", "amount": f"{cents // 100}.{cents % 100:02d}", "date": d.isoformat(),
                       "category": cat, "payment_mode": mode, "note": rng.choice(notes)}
        d += timedelta(days=1)


SHOP = "Demo Deli"
HISTORY_DAYS = 84  # twelve weeks: enough for a weekly season
PRODUCTS = [("COF-1", "Coffee beans 1kg", "14.90", "6.20", 9), ("TEA-1", "Green tea 100g", "5.50", "1.80", 4),
            ("CHO-1", "Dark chocolate", "3.20", "1.10", 1)]


def shop(api: str, token: str, today: date) -> tuple[int, int]:
    """A demo shop (found again by name): two stores, a supplier, three products, twelve weeks of
    weekday-shaped sales and Monday deliveries, dated in the past so the charts and forecasts have a
    history. Movement ids are uuid5 of their content: a second run records nothing new."""
    orgs = call("GET", f"{api}/orgs", token=token)[1]["items"]
    org = next((o["org_id"] for o in orgs if o["name"] == SHOP), None) or \
        call("POST", f"{api}/orgs", {"name": SHOP}, token)[1]["org_id"]
    base = f"{api}/orgs/{org}"

    def ensure(kind: str, key: str, body: dict) -> str:
        items = call("GET", f"{base}/{kind}", token=token)[1]["items"]
        found = next((i["id"] for i in items if i[key] == body[key]), None)
        return found or call("POST", f"{base}/{kind}", body, token)[1]["id"]

    stores = [ensure("locations", "name", {"name": n, "kind": "store"}) for n in ("High Street", "Station")]
    supplier = ensure("suppliers", "name", {"name": "Bean Co", "email": "orders@beanco.example", "lead_time_days": 3})
    rng = random.Random(7)
    created = same = 0
    for sku, name, price, cost, per_day in PRODUCTS:
        pid = ensure("products", "sku", {"sku": sku, "name": name, "price": price, "cost": cost,
                                         "supplier_id": supplier, "allow_backorder": True})
        for store in stores:
            call("PUT", f"{base}/stock/{pid}/{store}/settings",
                 {"reorder_point": str(per_day * 4), "reorder_quantity": str(per_day * 14)}, token)
        for n in range(HISTORY_DAYS, 0, -1):
            day = today - timedelta(days=n)
            moves = []
            if day.weekday() == 0 or n == HISTORY_DAYS:  # Monday deliveries (and a first one)
                moves.append({"kind": "receive", "quantity": str(per_day * 9), "unit_cost": cost,
                              "lot": f"{sku}-{day:%y%m%d}"})
            shape = (0.7, 0.8, 0.9, 1.0, 1.3, 1.6, 0.6)[day.weekday()]
            sold = max(0, round(rng.gauss(per_day * shape, per_day * 0.3)))
            if sold:
                moves.append({"kind": "sale", "quantity": str(sold)})
            for i, m in enumerate(moves):
                body = m | {"product_id": pid, "location_id": stores[0], "occurred_on": day.isoformat()}
                mid = uuid.uuid5(NS, f"shop:{sku}:{day}:{i}:{json.dumps(m, sort_keys=True)}")
                status, out = call("PUT", f"{base}/movements/{mid}", body, token)
                created += status == 201
                same += status == 200
    return created, same


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--state-dir", default=str(DEFAULT_STATE_DIR))
    args = p.parse_args(argv)
    out = running_outputs(args.state_dir)
    if out is None:
        return 2
    api = out["api_url"]
    status, tokens = call("POST", f"{api}/auth/sign-in", {"email": out["demo_email"], "password": out["demo_password"]})
    if status != 200:
        print(f"demo sign-in failed: {tokens}", file=sys.stderr)
        return 1
    token = tokens["id_token"]
    currency = call("GET", f"{api}/me", token=token)[1]["currency"]
    created = same = 0
    for i, e in enumerate(entries(date.today())):
        tid = uuid.uuid5(NS, f"{i}:{json.dumps(e, sort_keys=True)}")
        status, body = call("PUT", f"{api}/expenses/{tid}", e | {"currency": currency}, token)
        if status == 201:
            created += 1
        elif status == 200:
            same += 1
        else:
            print(f"entry {e} refused: {body}", file=sys.stderr)
    for cat, limit in (("food", "400.00"), ("groceries", "450.00"), ("transport", "250.00"), ("total", "3000.00")):
        call("PUT", f"{api}/budgets/{cat}", {"limit": limit}, token)
    print(f"demo data: {created} entries created, {same} already there; budgets set. Sign in as {out['demo_email']}.")
    moved, known = shop(api, token, date.today())
    print(f"demo shop {SHOP!r}: {moved} stock movements recorded, {known} already there (see Inventory; "
          "`make job NAME=forecast_demand` forecasts now).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
