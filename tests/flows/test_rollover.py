"""Budget rollover: the month-end close carries a surplus or an overspend into the next month, once."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest

from chalicelib.core import clock
from chalicelib.expenses import rules
from local.lambda_events import scheduled_event
from tests.mocked import sent_emails


def at(y, m, d, h=12):
    clock.set_now(datetime(y, m, d, h, tzinfo=timezone.utc))


def close(client) -> dict:
    return client.lambda_.invoke("month_end_close", scheduled_event("month_end_close", "us-east-1",
                                                                     clock.iso_now())).payload


def spend(caller, amount, date):
    assert caller.post("/expenses", {"kind": "expense", "amount": amount, "currency": "USD", "date": date,
                                     "category": "food", "payment_mode": "cash"})[0] == 201


def budget(caller, month):
    return caller.get(f"/budgets?month={month}")[1]["items"][0]


@pytest.mark.parametrize("mode,spent,carry", [("surplus", "60", "40.00"), ("surplus", "130", "0.00"),
                                              ("overspend", "130", "-30.00"), ("overspend", "60", "0.00"),
                                              ("none", "60", "0.00")])
def test_the_close_carries_what_the_mode_says_once(client, alice, pump, mode, spent, carry):
    at(2026, 11, 5)
    alice.put("/budgets/food", {"limit": "100", "rollover": mode})
    spend(alice, spent, "2026-11-04")
    pump.run()
    at(2026, 12, 1, 9)
    close(client)
    close(client)
    dec = budget(alice, "2026-12")
    assert dec["carry"] == carry and dec["base_limit"] == "100.00"
    assert Decimal(dec["limit"]) == Decimal("100") + Decimal(carry)
    assert budget(alice, "2026-11")["limit"] == "100.00"


def test_setting_the_budget_again_keeps_its_carries_and_alerts_use_the_carried_limit(client, alice, pump):
    at(2026, 11, 5)
    alice.put("/budgets/food", {"limit": "100", "rollover": "surplus"})
    spend(alice, "60", "2026-11-04")
    pump.run()
    at(2026, 12, 1, 9)
    close(client)
    alice.put("/budgets/food", {"limit": "100", "rollover": "surplus"})
    assert budget(alice, "2026-12")["limit"] == "140.00"
    spend(alice, "111", "2026-12-02")  # 79% of 140: no alert (it would be 111% of 100)
    pump.run()
    assert [m for m in sent_emails() if m["period"] == "2026-12"] == []
    spend(alice, "1", "2026-12-03")  # 112 = 80% of 140
    pump.run()
    assert [m["threshold"] for m in sent_emails() if m["period"] == "2026-12"] == ["80"]


def test_no_close_mid_month(client, alice):
    at(2026, 11, 15)
    alice.put("/budgets/food", {"limit": "100", "rollover": "surplus"})
    assert close(client) == {"skipped": "nobody is on the 1st"}


def test_rollover_rule():
    assert rules.rollover_carry("surplus", Decimal(100), Decimal(60)) == Decimal(40)
    assert rules.rollover_carry("overspend", Decimal(100), Decimal(130)) == Decimal(-30)
    assert rules.rollover_carry("none", Decimal(100), Decimal(10)) == 0
    assert rules.effective_limit({"limit": Decimal(100), "carry": {"2026-12": Decimal(40)}}, "2026-12") == 140


def test_bad_rollover_is_400(alice):
    status, body = alice.put("/budgets/food", {"limit": "100", "rollover": "sometimes"})
    assert status == 400 and body["error"]["field"] == "rollover"
