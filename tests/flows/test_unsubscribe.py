"""Every alert email carries an unsubscribe link and List-Unsubscribe headers; the link works once clicked."""
from __future__ import annotations

import email
from urllib.parse import parse_qs, urlparse

from tests.mocked import ses_messages, sent_emails


def food(amount: str) -> dict:
    return {"kind": "expense", "amount": amount, "currency": "USD", "date": "2026-11-10", "category": "food",
            "payment_mode": "cash"}


def crossing(alice, pump, amount="90"):
    alice.put("/budgets/food", {"limit": "100"})
    alice.post("/expenses", food(amount))
    pump.run()


def test_alert_email_is_raw_mime_with_text_html_and_list_unsubscribe(alice, pump):
    crossing(alice, pump)
    (raw,) = ses_messages()
    msg = email.message_from_string(raw.raw_data)
    assert msg["To"] == alice.email and "Budget alert" in msg["Subject"]
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = "".join(str(msg["List-Unsubscribe"]).split()).strip("<>")  # long headers are folded
    q = parse_qs(urlparse(url).query)
    assert q["u"] == [alice.sub] and q["type"] == ["budget"]
    kinds = {part.get_content_type() for part in msg.walk()}
    assert {"text/plain", "text/html"} <= kinds
    (record,) = sent_emails()
    assert url in record["text"] and record["unsubscribe_url"] == url


def _link(alice, pump):
    crossing(alice, pump)
    url = sent_emails()[0]["unsubscribe_url"]
    return url[url.index("/unsubscribe"):]


def test_opening_the_link_changes_nothing_and_the_button_unsubscribes(alice, pump, client):
    path = _link(alice, pump)
    page = client.http.get(path)
    assert page.status_code == 200 and b"<form method=\"post\"" in page.body
    assert alice.get("/me")[1]["alert_preferences"]["budget_alerts"] is True
    done = client.http.post(path, headers={"Content-Type": "application/x-www-form-urlencoded"},
                            body=b"List-Unsubscribe=One-Click")
    assert done.status_code == 200 and b"no more budget emails" in done.body
    assert alice.get("/me")[1]["alert_preferences"]["budget_alerts"] is False
    alice.post("/expenses", food("20"))  # crosses 100%: no email now
    pump.run()
    assert [m["threshold"] for m in sent_emails()] == ["80"]


def test_a_forged_or_foreign_link_is_refused(alice, bob, pump, client):
    path = _link(alice, pump)
    forged = path.replace("t=", "t=x")
    assert client.http.post(forged, headers={"Content-Type": "application/x-www-form-urlencoded"}, body=b"").status_code == 404
    other = path.replace(alice.sub, bob.sub)
    assert client.http.post(other, headers={"Content-Type": "application/x-www-form-urlencoded"}, body=b"").status_code == 404
    assert client.http.get(path.replace("type=budget", "type=everything")).status_code == 400
    assert bob.get("/me")[1]["alert_preferences"]["budget_alerts"] is True
