"""The daily pace warning and the monthly digest: once each, in the person's time zone."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from chalicelib.core import clock
from chalicelib.expenses import rules
from local.lambda_events import scheduled_event
from tests.mocked import sent_emails


def at(y, m, d, h=12):
    clock.set_now(datetime(y, m, d, h, tzinfo=timezone.utc))


def run(client, name) -> dict:
    return client.lambda_.invoke(name, scheduled_event(name, "us-east-1", clock.iso_now())).payload


def spend(caller, amount, date, category="food"):
    assert caller.post("/expenses", {"kind": "expense", "amount": amount, "currency": "USD", "date": date,
                                     "category": category, "payment_mode": "cash"})[0] == 201


def test_pace_rule():
    assert rules.pace_crossing_day(Decimal(150), Decimal(300), 10, 30) == 20
    assert rules.pace_crossing_day(Decimal(90), Decimal(300), 10, 30) is None  # ends at 270
    assert rules.pace_crossing_day(Decimal(50), Decimal(300), 2, 30) is None  # too early to tell
    assert rules.pace_crossing_day(Decimal(310), Decimal(300), 10, 30) is None  # already over: budget alert's job
    assert rules.ordinal(19) == "19th" and rules.ordinal(22) == "22nd" and rules.ordinal(11) == "11th"


def test_pace_warning_once_per_budget_and_month(client, alice, bob, pump):
    alice.put("/budgets/food", {"limit": "300"})
    alice.put("/budgets/transport", {"limit": "300"})
    bob.put("/budgets/food", {"limit": "300"})
    spend(alice, "150", "2026-11-04")
    spend(alice, "20", "2026-11-04", "transport")
    spend(bob, "60", "2026-11-04")
    pump.run()
    at(2026, 11, 10)
    assert run(client, "pace_warning")["warnings"] == 1
    at(2026, 11, 11)
    assert run(client, "pace_warning")["warnings"] == 0
    pump.run()
    (mail,) = sent_emails()
    assert mail["recipient"] == alice.email and mail["alert_type"] == "pace"
    assert mail["subject"] == "At this pace you pass your food budget around the 20th"
    assert "unsubscribe?" in mail["text"] and "type=pace" in mail["unsubscribe_url"]


def test_pace_warning_respects_the_preference(client, alice, pump):
    alice.put("/me", {"alert_preferences": {"pace_alerts": False}})
    alice.put("/budgets/food", {"limit": "300"})
    spend(alice, "150", "2026-11-04")
    pump.run()
    at(2026, 11, 10)
    assert run(client, "pace_warning")["warnings"] == 0


def test_monthly_digest_on_the_first_in_the_persons_time_zone(client, alice, bob, pump):
    alice.put("/me", {"time_zone": "Europe/Paris"})
    alice.put("/budgets/food", {"limit": "100"})
    spend(alice, "40", "2026-10-12")
    spend(alice, "120", "2026-11-03")
    spend(alice, "30", "2026-11-05", "transport")
    assert alice.post("/expenses", {"kind": "income", "amount": "1000", "currency": "USD", "date": "2026-11-25",
                                    "category": "salary", "payment_mode": "bank_transfer"})[0] == 201
    pump.run()
    at(2026, 11, 15)
    assert run(client, "monthly_digest") == {"skipped": "nobody is on the 1st"}
    at(2026, 11, 30, 23)  # 00:00 on Dec 1 in Paris: too early in the day
    assert run(client, "monthly_digest")["digests"] == 0
    at(2026, 12, 1, 7)  # 08:00 in Paris
    assert run(client, "monthly_digest")["digests"] == 1
    assert run(client, "monthly_digest")["digests"] == 0
    pump.run()
    mails = [m for m in sent_emails() if m["alert_type"] == "digest"]
    assert len(mails) == 1 and mails[0]["recipient"] == alice.email and mails[0]["period"] == "2026-11"
    text = mails[0]["text"]
    assert "spent 150.00 USD and received 1000.00 USD: net 850.00 USD, a savings rate of 85.0%" in text
    assert "Budgets reached: food." in text
    assert "food: +80.00 USD" in text and "transport: +30.00 USD" in text
    # bob recorded nothing: no digest for him
    assert not [m for m in mails if m["recipient"] == bob.email]
