"""Recurring rules over the API and the job that records their occurrences exactly once."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from chalicelib.core import clock
from local.lambda_events import scheduled_event
from tests.mocked import Caller

RENT = {"kind": "expense", "amount": "1200.00", "category": "housing", "payment_mode": "bank_transfer",
        "note": "Rent", "frequency": "monthly", "start_date": "2026-09-01"}


def at(y, m, d, h=9):
    clock.set_now(datetime(y, m, d, h, tzinfo=timezone.utc))


def run_job(client) -> dict:
    return client.lambda_.invoke("materialize_recurring",
                                 scheduled_event("materialize_recurring", "us-east-1", clock.iso_now())).payload


def rent_entries(caller, month) -> list[dict]:
    return [i for i in caller.get(f"/expenses?month={month}")[1]["items"] if i["note"] == "Rent"]


def test_monthly_rent_is_recorded_once_per_month_even_after_ten_days_down(client, alice, pump):
    at(2026, 8, 20)
    status, rule = alice.post("/recurring", RENT)
    assert status == 201 and rule["next_date"] == "2026-09-01" and rule["day"] == 1
    at(2026, 9, 15)
    assert run_job(client)["created"] == 1
    assert run_job(client)["created"] == 0  # running twice records nothing new
    at(2026, 10, 25)
    run_job(client)
    # the schedule worker is down from Oct 25 to Nov 4, across the month's end
    at(2026, 11, 4)
    run_job(client)
    run_job(client)
    for month in ("2026-09", "2026-10", "2026-11"):
        entries = rent_entries(alice, month)
        assert [e["date"] for e in entries] == [f"{month}-01"], month
    assert rent_entries(alice, "2026-12") == []
    assert alice.get(f"/recurring/{rule['id']}")[1]["next_date"] == "2026-12-01"
    pump.run()
    alice.put("/budgets/housing", {"limit": "5000"})
    items = alice.get("/budgets?month=2026-11")[1]["items"]
    assert items[0]["spent"] == "1200.00"


def test_a_late_first_run_catches_up_every_missed_occurrence(client, alice):
    at(2026, 1, 1)
    alice.post("/recurring", RENT | {"start_date": "2026-01-31", "note": "Rent"})
    at(2026, 5, 2)
    assert run_job(client)["created"] == 4  # Jan 31, Feb 28, Mar 31, Apr 30
    assert [e["date"] for e in rent_entries(alice, "2026-02")] == ["2026-02-28"]


def test_the_owners_time_zone_decides_when_the_day_has_come(client, alice):
    alice.put("/me", {"time_zone": "Pacific/Auckland"})
    at(2026, 8, 1)
    alice.post("/recurring", RENT)
    at(2026, 8, 31, 13)  # 01:00 on Sep 1 in Auckland
    assert run_job(client)["created"] == 1
    assert [e["date"] for e in rent_entries(alice, "2026-09")] == ["2026-09-01"]


def test_weekly_and_an_end_date(client, alice):
    at(2026, 11, 1)
    _, rule = alice.post("/recurring", RENT | {"frequency": "weekly", "start_date": "2026-11-02",
                                                "end_date": "2026-11-16", "note": "Cleaner", "amount": "40.00"})
    assert rule["day"] == 0
    at(2026, 12, 31)
    assert run_job(client)["created"] == 3
    assert alice.get(f"/recurring/{rule['id']}")[1]["next_date"] is None


def test_a_deleted_rule_records_nothing_more(client, alice):
    at(2026, 8, 20)
    _, rule = alice.post("/recurring", RENT)
    assert alice.delete(f"/recurring/{rule['id']}")[0] == 204
    assert alice.delete(f"/recurring/{rule['id']}")[0] == 204
    at(2026, 12, 1)
    assert run_job(client)["created"] == 0


def test_rules_are_private(alice, bob):
    _, rule = alice.post("/recurring", RENT)
    assert bob.get(f"/recurring/{rule['id']}")[0] == 404
    assert bob.get("/recurring")[1]["items"] == []
    assert bob.delete(f"/recurring/{rule['id']}")[0] == 204
    assert alice.get(f"/recurring/{rule['id']}")[0] == 200


def test_recurring_routes_need_a_token(client):
    anon = Caller(client, None, "")
    for method, path in [("GET", "/recurring"), ("POST", "/recurring"), ("GET", f"/recurring/{uuid.uuid4()}"),
                         ("DELETE", f"/recurring/{uuid.uuid4()}")]:
        assert anon.call(method, path, RENT if method == "POST" else None)[0] == 401


@pytest.mark.parametrize("change,field", [
    ({"frequency": "daily"}, "frequency"), ({"start_date": "2026-02-30"}, "start_date"),
    ({"end_date": "2026-01-01"}, "end_date"), ({"day": 32}, "day"), ({"frequency": "weekly", "day": 7}, "day"),
    ({"amount": "-1"}, "amount"), ({"category": "nope"}, "category"), ({"currency": "EURO"}, "currency"),
    ({"currency": "JPY", "amount": "950.50"}, "amount"),
    ({"extra": True}, "extra"),
])
def test_bad_rules_are_400_naming_the_field(alice, change, field):
    status, body = alice.post("/recurring", RENT | change)
    assert status == 400 and body["error"]["field"] == field
    assert alice.get("/recurring")[1]["items"] == []


def test_a_rule_in_another_currency_records_entries_in_it(client, alice):
    at(2026, 8, 20)
    status, rule = alice.post("/recurring", RENT | {"currency": "EUR", "amount": "900.00"})
    assert status == 201 and rule["currency"] == "EUR"
    at(2026, 9, 2)
    assert run_job(client)["created"] == 1
    [entry] = rent_entries(alice, "2026-09")
    assert (entry["amount"], entry["currency"]) == ("900.00", "EUR")
