"""Transactions over the API: happy paths, auth, cross-owner access, bad input."""
from __future__ import annotations

import uuid

import pytest

from tests.mocked import Caller

FOOD = {"kind": "expense", "amount": "12.50", "currency": "USD", "date": "2026-11-10",
        "category": "food", "payment_mode": "cash", "note": "lunch", "tags": ["work"]}


def test_post_creates_and_get_returns_it(alice):
    status, rec = alice.post("/expenses", FOOD)
    assert status == 201
    assert rec["amount"] == "12.50" and rec["version"] == 1 and rec["currency"] == "USD"
    status, got = alice.get(f"/expenses/{rec['id']}")
    assert status == 200 and got == rec


def test_put_without_version_creates_and_replay_returns_existing(alice):
    tid = str(uuid.uuid4())
    s1, first = alice.put(f"/expenses/{tid}", FOOD)
    s2, again = alice.put(f"/expenses/{tid}", FOOD)
    assert (s1, s2) == (201, 200)
    assert again == first


def test_put_create_with_other_content_on_existing_id_is_409(alice):
    tid = str(uuid.uuid4())
    alice.put(f"/expenses/{tid}", FOOD)
    status, body = alice.put(f"/expenses/{tid}", FOOD | {"amount": "99.00"})
    assert status == 409 and body["current"]["amount"] == "12.50"


def test_put_with_current_version_replaces(alice):
    _, rec = alice.post("/expenses", FOOD)
    status, new = alice.put(f"/expenses/{rec['id']}", FOOD | {"amount": "20.00", "version": 1})
    assert status == 200 and new["amount"] == "20.00" and new["version"] == 2
    assert new["created_at"] == rec["created_at"]


def test_stale_version_is_409_with_current_record_and_nothing_overwritten(alice):
    _, rec = alice.post("/expenses", FOOD)
    alice.put(f"/expenses/{rec['id']}", FOOD | {"amount": "20.00", "version": 1})
    status, body = alice.put(f"/expenses/{rec['id']}", FOOD | {"amount": "30.00", "version": 1})
    assert status == 409
    assert body["error"]["field"] == "version" and body["current"]["amount"] == "20.00"
    assert alice.get(f"/expenses/{rec['id']}")[1]["amount"] == "20.00"


def test_list_by_month_and_category_paginates(alice):
    for i in range(5):
        alice.post("/expenses", FOOD | {"date": f"2026-11-0{i + 1}"})
    alice.post("/expenses", FOOD | {"category": "transport"})
    alice.post("/expenses", FOOD | {"date": "2026-10-31"})
    status, page = alice.get("/expenses?month=2026-11&limit=4")
    assert status == 200 and len(page["items"]) == 4 and page["next"]
    _, rest = alice.get(f"/expenses?month=2026-11&limit=4&next={page['next']}")
    assert len(rest["items"]) == 2 and rest["next"] is None
    _, food = alice.get("/expenses?month=2026-11&category=food")
    assert len(food["items"]) == 5
    assert [i["date"] for i in food["items"]] == sorted((i["date"] for i in food["items"]), reverse=True)


def test_delete_is_idempotent(alice):
    _, rec = alice.post("/expenses", FOOD)
    assert alice.delete(f"/expenses/{rec['id']}")[0] == 204
    assert alice.delete(f"/expenses/{rec['id']}")[0] == 204
    assert alice.get(f"/expenses/{rec['id']}")[0] == 404


def test_every_expense_route_needs_a_token(client):
    anon = Caller(client, None, "")
    tid = str(uuid.uuid4())
    for method, path in [("GET", "/expenses?month=2026-11"), ("POST", "/expenses"), ("GET", f"/expenses/{tid}"),
                         ("PUT", f"/expenses/{tid}"), ("DELETE", f"/expenses/{tid}"), ("GET", "/budgets"),
                         ("PUT", "/budgets/food"), ("GET", "/insights/expenses?year=2026"), ("GET", "/me")]:
        status, body = anon.call(method, path, FOOD if method in ("POST", "PUT") else None)
        assert status == 401, (method, path)
        assert body["error"]["code"] == "unauthorized"


def test_a_forged_token_is_rejected(alice):
    head, payload, _sig = alice.token.split(".")
    forged = Caller(alice.client, f"{head}.{payload}.AAAA", alice.email)
    assert forged.get("/me")[0] == 401


def test_another_users_records_are_invisible(alice, bob):
    _, rec = alice.post("/expenses", FOOD)
    assert bob.get(f"/expenses/{rec['id']}")[0] == 404
    assert bob.get("/expenses?month=2026-11")[1]["items"] == []
    # bob's delete of alice's id touches only bob's (nonexistent) record
    assert bob.delete(f"/expenses/{rec['id']}")[0] == 204
    assert alice.get(f"/expenses/{rec['id']}")[0] == 200
    # a replace by bob of alice's id finds nothing of his
    assert bob.put(f"/expenses/{rec['id']}", FOOD | {"version": 1})[0] == 404


def test_page_token_of_another_user_is_refused(alice, bob):
    for i in range(3):
        alice.post("/expenses", FOOD)
    _, page = alice.get("/expenses?month=2026-11&limit=1")
    status, body = bob.get(f"/expenses?month=2026-11&limit=1&next={page['next']}")
    assert status == 400 and body["error"]["field"] == "next"


@pytest.mark.parametrize("change,field", [
    ({"amount": "0"}, "amount"),
    ({"amount": "-5.00"}, "amount"),
    ({"amount": "NaN"}, "amount"),
    ({"amount": "Infinity"}, "amount"),
    ({"amount": "1e400"}, "amount"),
    ({"amount": "12.345"}, "amount"),
    ({"amount": 12.5}, "amount"),
    ({"amount": "99999999999.00"}, "amount"),
    ({"amount": "abc"}, "amount"),
    ({"date": "2026-02-30"}, "date"),
    ({"date": "2026-13-01"}, "date"),
    ({"date": "22/11/2026"}, "date"),
    ({"currency": "XYZ"}, "currency"),
    ({"currency": "usd"}, "currency"),
    ({"currency": "JPY", "amount": "12.50"}, "amount"),  # JPY has no minor units
    ({"kind": "gift"}, "kind"),
    ({"payment_mode": "barter"}, "payment_mode"),
    ({"category": "no-such-category"}, "category"),
    ({"unknown": 1}, "unknown"),
    ({"tags": ["x" * 31]}, "tags"),
])
def test_bad_input_is_400_naming_the_field_and_writes_nothing(alice, change, field):
    status, body = alice.post("/expenses", FOOD | change)
    assert status == 400, body
    assert body["error"]["field"] == field
    assert alice.get("/expenses?month=2026-11")[1]["items"] == []


def test_missing_field_is_named(alice):
    body = dict(FOOD)
    del body["amount"]
    status, err = alice.post("/expenses", body)
    assert status == 400 and err["error"]["field"] == "amount"


@pytest.mark.parametrize("raw", [b"{not json", b"[1,2]", b"", b'{"amount": NaN}'])
def test_malformed_json_is_400(alice, raw):
    status, body = alice.call("POST", "/expenses", raw=raw)
    assert status == 400 and body["error"]["field"] == "body"


def test_oversized_body_is_413(alice):
    status, body = alice.post("/expenses", FOOD | {"note": "x" * 70000})
    assert status == 413 and body["error"]["field"] == "body"


def test_bad_ids_are_400(alice):
    status, body = alice.get("/expenses/not-a-uuid")
    assert status == 400 and body["error"]["field"] == "id"


def test_month_export_is_csv_with_formula_cells_escaped(alice, bob):
    alice.post("/expenses", FOOD | {"note": "=HYPERLINK(\"http://evil\")", "tags": ["+1", "@x"]})
    alice.post("/expenses", FOOD | {"date": "2026-11-01", "note": "-5 discount", "amount": "3.00"})
    alice.post("/expenses", FOOD | {"date": "2026-12-01"})
    resp = alice.client.http.get("/exports/expenses?month=2026-11",
                                 headers={"Authorization": f"Bearer {alice.token}"})
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv")
    assert 'filename="tally-2026-11.csv"' in resp.headers["Content-Disposition"]
    import csv as _csv
    import io as _io

    rows = list(_csv.reader(_io.StringIO(resp.body.decode())))
    assert rows[0] == ["date", "kind", "amount", "currency", "category", "payment_mode", "note", "tags", "id"]
    assert [r[0] for r in rows[1:]] == ["2026-11-01", "2026-11-10"]
    assert rows[1][6] == "'-5 discount" and rows[1][2] == "3.00"
    assert rows[2][6].startswith("'=HYPERLINK") and rows[2][7] == "'+1;@x"
    assert bob.get("/exports/expenses?month=2026-11")[1].count(b"\n") == 1  # bob sees only the header


def test_year_export_and_bad_export_queries(alice):
    alice.post("/expenses", FOOD | {"date": "2026-01-05"})
    alice.post("/expenses", FOOD | {"date": "2026-12-31"})
    alice.post("/expenses", FOOD | {"date": "2025-12-31"})
    resp = alice.client.http.get("/exports/expenses?year=2026", headers={"Authorization": f"Bearer {alice.token}"})
    assert resp.body.decode().count("\r\n") == 3
    assert alice.get("/exports/expenses?month=2026-13")[1]["error"]["field"] == "month"
    assert alice.get("/exports/expenses")[0] == 200  # neither: the current month
    assert Caller(alice.client, None, "").get("/exports/expenses?month=2026-11")[0] == 401
