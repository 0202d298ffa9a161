"""`make demo`: a year of realistic sample data for the demo user, through the API over HTTP.

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
    return 0


if __name__ == "__main__":
    sys.exit(main())
