"""The expenses stream: rollups, budget crossings, exactly-once emails, replays and faults."""
from __future__ import annotations

import copy
from datetime import datetime, timezone

from chalicelib.core import clock
from tests.mocked import ses_messages, sent_emails

NOV = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)


def food(amount: str, date: str = "2026-11-10", **kw) -> dict:
    return {"kind": "expense", "amount": amount, "currency": "USD", "date": date, "category": "food",
            "payment_mode": "debit_card"} | kw


def spent(caller, category="food", month="2026-11") -> str:
    items = caller.get(f"/budgets?month={month}")[1]["items"]
    return next(b["spent"] for b in items if b["category"] == category)


def test_food_budget_50_40_20_sends_exactly_80_and_100_percent_emails(alice, pump):
    clock.set_now(NOV)
    assert alice.put("/budgets/food", {"limit": "100"})[0] == 200
    for amount in ("50", "40", "20"):
        assert alice.post("/expenses", food(amount))[0] == 201
        pump.run()
    mails = sent_emails()
    assert sorted(m["threshold"] for m in mails) == ["100", "80"]
    assert all(m["recipient"] == alice.email and m["period"] == "2026-11" for m in mails)
    assert len(ses_messages()) == 2
    assert spent(alice) == "110.00"
    hundred = next(m for m in mails if m["threshold"] == "100")
    assert "food" in hundred["subject"] and "110.00" in hundred["text"] and "100.00" in hundred["text"]
    assert "50.00" in hundred["text"]  # the month's top expenses are listed
    assert hundred["ses_message_id"] and hundred["sent_at"]


def test_one_batch_crossing_both_thresholds_sends_two_emails(alice, pump):
    alice.put("/budgets/food", {"limit": "100"})
    alice.post("/expenses", food("60"))
    alice.post("/expenses", food("45"))
    pump.run()
    assert sorted(m["threshold"] for m in sent_emails()) == ["100", "80"]


def test_replaying_a_batch_changes_no_total_and_sends_no_second_email(alice, pump):
    alice.put("/budgets/food", {"limit": "100"})
    alice.post("/expenses", food("90"))
    recs = pump.expenses_batch()
    assert pump.invoke("on_expenses_stream", recs) == {"batchItemFailures": []}
    pump.run()
    assert pump.invoke("on_expenses_stream", copy.deepcopy(recs)) == {"batchItemFailures": []}
    pump.run()
    assert spent(alice) == "90.00"
    assert [m["threshold"] for m in sent_emails()] == ["80"]
    assert len(ses_messages()) == 1


def test_edit_back_and_forth_sends_no_second_email_and_totals_follow(alice, pump):
    alice.put("/budgets/food", {"limit": "100"})
    _, rec = alice.post("/expenses", food("85"))
    pump.run()
    alice.put(f"/expenses/{rec['id']}", food("10", version=1))
    pump.run()
    assert spent(alice) == "10.00"
    alice.put(f"/expenses/{rec['id']}", food("85", version=2))
    pump.run()
    assert spent(alice) == "85.00"
    assert [m["threshold"] for m in sent_emails()] == ["80"]


def test_moving_an_expense_to_another_month_and_category_moves_its_total(alice, pump):
    _, rec = alice.post("/expenses", food("30"))
    pump.run()
    alice.put(f"/expenses/{rec['id']}", food("30", date="2026-10-05", category="transport", version=1))
    pump.run()
    assert alice.get("/budgets?month=2026-11")[1]["items"] == []
    alice.put("/budgets/transport", {"limit": "100"})
    alice.put("/budgets/food", {"limit": "100"})
    assert spent(alice, "transport", "2026-10") == "30.00"
    assert spent(alice, "food", "2026-11") == "0.00"


def test_delete_takes_the_amount_out(alice, pump):
    alice.put("/budgets/total", {"limit": "500"})
    _, a = alice.post("/expenses", food("30"))
    alice.post("/expenses", food("20", category="transport"))
    pump.run()
    assert spent(alice, "total") == "50.00"
    alice.delete(f"/expenses/{a['id']}")
    pump.run()
    assert spent(alice, "total") == "20.00"


def test_retry_after_failure_halfway_applies_each_record_once(alice, bob, pump, monkeypatch):
    """A batch whose second half fails is redelivered whole; nothing doubles, nothing is lost."""
    from chalicelib.core import rollups

    for who in (alice, bob):
        who.put("/budgets/food", {"limit": "100"})
        for amount in ("10", "20", "30", "40"):
            who.post("/expenses", food(amount))
    recs = pump.expenses_batch()
    monkeypatch.setattr(rollups, "SCOPES_PER_TRANSACTION", 1)
    real = rollups._apply_group
    calls = {"n": 0}

    def flaky(group, react, result):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("throttled")
        return real(group, react, result)

    monkeypatch.setattr(rollups, "_apply_group", flaky)
    resp = pump.invoke("on_expenses_stream", recs)
    failed = {f["itemIdentifier"] for f in resp["batchItemFailures"]}
    second = sorted([alice, bob], key=lambda c: f"USER#{c.sub}")[1]
    expected = {r["dynamodb"]["SequenceNumber"] for r in recs
                if r["dynamodb"]["Keys"]["sk"]["S"].startswith("TXN#")
                and r["dynamodb"]["Keys"]["pk"]["S"] == f"USER#{second.sub}"}
    assert failed == expected
    # Lambda redelivers from the lowest failed record; here the whole batch comes again.
    assert pump.invoke("on_expenses_stream", recs) == {"batchItemFailures": []}
    pump.run()
    assert spent(alice) == "100.00" and spent(bob) == "100.00"
    assert sorted(m["threshold"] for m in sent_emails()) == ["100", "100", "80", "80"]


def test_a_poison_record_fails_only_itself(alice, pump):
    alice.post("/expenses", food("10"))
    alice.post("/expenses", food("15"))
    recs = pump.expenses_batch()
    bad = copy.deepcopy(recs[0])
    bad["eventID"] = "poison"
    bad["dynamodb"]["SequenceNumber"] = "1"
    bad["dynamodb"]["NewImage"]["amount"] = {"S": "not a number"}
    resp = pump.invoke("on_expenses_stream", [bad] + recs)
    assert resp == {"batchItemFailures": [{"itemIdentifier": "1"}]}
    alice.put("/budgets/food", {"limit": "100"})
    assert spent(alice) == "25.00"


def test_disabled_budget_alerts_send_nothing(alice, pump):
    assert alice.put("/me", {"alert_preferences": {"budget_alerts": False}})[0] == 200
    alice.put("/budgets/food", {"limit": "10"})
    alice.post("/expenses", food("50"))
    pump.run()
    assert sent_emails() == []


def test_chart_json_is_published_and_served(alice, pump):
    clock.set_now(NOV)
    alice.put("/budgets/food", {"limit": "100"})
    alice.post("/expenses", food("50"))
    alice.post("/expenses", food("40", date="2026-03-02", category="transport"))
    alice.post("/expenses", {"kind": "income", "amount": "1000", "currency": "USD", "date": "2026-11-01",
                             "category": "salary", "payment_mode": "bank_transfer"})
    alice.post("/expenses", food("7", date="2025-06-01"))
    pump.run()
    status, doc = alice.get("/insights/expenses?year=2026")
    assert status == 200
    nov = doc["months"][10]
    assert nov == {"month": "2026-11", "spend": "50.00", "income": "1000.00", "net": "950.00", "savings_rate": 95.0,
                   "by_category": {"food": "50.00"}}
    assert doc["months"][2]["by_category"] == {"transport": "40.00"}
    assert doc["categories"] == {"food": "50.00", "transport": "40.00"}
    assert {"year": 2025, "spend": "7.00", "income": "0.00", "net": "-7.00", "savings_rate": None} in doc["years"]
    assert doc["budgets"][0]["spent"] == "50.00" and doc["budgets"][0]["month"] == "2026-11"
    status, link = alice.get("/insights/expenses/url?year=2026")
    assert status == 200 and link["expires_in"] <= 900 and "Signature" in link["url"] or "X-Amz" in link["url"]


def test_outbox_message_is_sent_once_even_if_delivered_twice(alice, pump):
    from chalicelib.core.mailer import deliver

    alice.put("/budgets/food", {"limit": "10"})
    alice.post("/expenses", food("50"))
    pump.run()
    msgs = sent_emails()
    assert len(msgs) == 2
    assert all(deliver(m["id"]) is False for m in msgs)
    assert len(ses_messages()) == 2  # 80 and 100 in one go


def test_records_after_a_cancelled_transaction_still_reach_the_handler(alice, pump):
    """A replayed create cancels a transaction (moto then swaps the table); later changes still flow."""
    import uuid as _uuid

    tid = str(_uuid.uuid4())
    alice.put(f"/expenses/{tid}", food("30"))
    assert alice.put(f"/expenses/{tid}", food("30"))[0] == 200  # cancelled transaction, replay answered
    alice.post("/expenses", food("12"))
    pump.run()
    alice.put("/budgets/food", {"limit": "100"})
    assert spent(alice) == "42.00"
