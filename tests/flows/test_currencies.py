"""Transactions in several currencies: budgets and alerts in the home currency at the month's rate."""
from __future__ import annotations

import copy
from datetime import datetime, timezone

from chalicelib.core import clock
from tests.mocked import sent_emails

NOV = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)


def spend(amount: str, currency: str) -> dict:
    return {"kind": "expense", "amount": amount, "currency": currency, "date": "2026-11-10", "category": "food",
            "payment_mode": "cash"}


def food(caller) -> dict:
    return caller.get("/budgets?month=2026-11")[1]


def test_a_foreign_expense_counts_at_the_rate_and_a_rate_change_recomputes_once(alice, pump):
    clock.set_now(NOV)
    alice.put("/budgets/food", {"limit": "100"})
    assert alice.post("/expenses", spend("60.00", "USD"))[0] == 201
    assert alice.post("/expenses", spend("10.00", "EUR"))[0] == 201
    pump.run()
    budgets = food(alice)
    assert budgets["items"][0]["spent"] == "60.00" and budgets["missing_rates"] == ["EUR"]
    chart = alice.get("/insights/expenses?year=2026")[1]
    assert chart["missing_rates"] == {"2026-11": ["EUR"]}
    assert sent_emails() == []
    # a rate: 10 EUR = 22 USD → 82 USD, past 80 %
    status, rates = alice.put("/rates/2026-11", {"rates": {"EUR": "2.2"}})
    assert status == 200 and rates == {"month": "2026-11", "base": "USD", "rates": {"EUR": "2.2"}, "version": 1,
                                       "updated_at": rates["updated_at"]}
    batch = pump.expenses_batch()
    assert pump.invoke("on_expenses_stream", batch) == {"batchItemFailures": []}
    pump.run()
    assert food(alice)["items"][0]["spent"] == "82.00" and food(alice)["missing_rates"] == []
    assert [m["threshold"] for m in sent_emails()] == ["80"]
    # the same batch again: no second email
    assert pump.invoke("on_expenses_stream", copy.deepcopy(batch)) == {"batchItemFailures": []}
    pump.run()
    assert len(sent_emails()) == 1
    # a higher rate crosses 100 %; the chart follows
    alice.put("/rates/2026-11", {"rates": {"EUR": "4.5"}})
    pump.run()
    assert food(alice)["items"][0]["spent"] == "105.00"
    assert sorted(m["threshold"] for m in sent_emails()) == ["100", "80"]
    chart = alice.get("/insights/expenses?year=2026")[1]
    assert chart["months"][10]["spend"] == "105.00" and chart["missing_rates"] == {}


def test_rate_routes_validate_and_are_private(alice, bob):
    assert alice.get("/rates/2026-11")[1]["rates"] == {} and alice.get("/rates/2026-11")[1]["version"] == 0
    for body, field in (({"rates": {"EUR": "-1"}}, "rates.EUR"), ({"rates": {"XYZ": "1"}}, "rates.XYZ"),
                        ({"rates": {"USD": "1"}}, "rates.USD"), ({"rates": {"EUR": "abc"}}, "rates.EUR"),
                        ({"rates": {"EUR": "1"}, "extra": 1}, "extra")):
        status, err = alice.put("/rates/2026-11", body)
        assert status == 400 and err["error"]["field"] == field, (body, err)
    status, err = alice.put("/rates/2026-13", {"rates": {"EUR": "1.1"}})
    assert status == 400 and err["error"]["field"] == "month"
    assert alice.put("/rates/2026-11", {"rates": {"EUR": "1.1", "GBP": "1.3"}})[0] == 200
    assert alice.get("/rates/2026-11")[1]["rates"] == {"EUR": "1.1", "GBP": "1.3"}
    assert bob.get("/rates/2026-11")[1]["rates"] == {}


def test_the_monthly_report_is_in_the_home_currency(alice, bob, pump):
    clock.set_now(NOV)
    alice.put("/budgets/food", {"limit": "100"})
    alice.put("/budgets/transport", {"limit": "50"})
    alice.post("/expenses", spend("60.00", "USD"))
    alice.post("/expenses", spend("30.00", "EUR"))
    alice.post("/expenses", spend("5000", "JPY") | {"category": "transport", "note": "train"})
    alice.post("/expenses", {"kind": "income", "amount": "200.00", "currency": "USD", "date": "2026-11-01",
                             "category": "salary", "payment_mode": "bank_transfer"})
    alice.put("/rates/2026-11", {"rates": {"EUR": "1.5"}})
    pump.run()
    status, report = alice.get("/reports/2026-11")
    assert status == 200
    assert (report["currency"], report["spend"], report["income"], report["net"]) == ("USD", "105.00", "200.00", "95.00")
    assert report["categories"] == {"food": "105.00"} and report["missing_rates"] == ["JPY"]
    assert [(b["category"], b["status"]) for b in report["budgets"]] == [("food", "over"), ("transport", "ok")]
    assert [(t["amount"], t["currency"], t["home_amount"]) for t in report["top_expenses"]] == [
        ("60.00", "USD", "60.00"), ("30.00", "EUR", "45.00")]
    assert report["count"] == 4
    assert bob.get("/reports/2026-11")[1]["spend"] == "0.00"
    assert alice.get("/reports/2026-13")[1]["error"]["field"] == "month"
