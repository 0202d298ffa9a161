"""Bank statement import over the API: preview, per-line errors, slices, each line once."""
from __future__ import annotations

import pytest

from tests.mocked import Caller

STATEMENT = ("Date,Amount,Description,Category\n"
             "2026-11-01,-12.50,Coffee,food\n"
             "2026-11-01,-12.50,Coffee,food\n"
             "2026-11-02,2500.00,Salary,salary\n"
             "2026-11-31,-1.00,Bad date,food\n"
             "2026-11-03,-40.00,Train,\n")
MAPPING = {"date": "Date", "amount": "Amount", "description": "Description", "category": "Category"}


def body(**kw):
    return {"csv": STATEMENT, "mapping": MAPPING, "default_category": "transport"} | kw


def month(caller):
    return caller.get("/expenses?month=2026-11&limit=200")[1]["items"]


def test_preview_reports_lines_and_errors_and_writes_nothing(alice):
    status, out = alice.post("/imports", body())
    assert status == 200
    assert (out["lines"], out["valid"], out["invalid"]) == (5, 4, 1)
    assert out["errors"] == [{"line": 5, "field": "date", "message": "day is out of range for month"}] or \
        out["errors"][0]["line"] == 5 and out["errors"][0]["field"] == "date"
    assert [p["category"] for p in out["preview"]] == ["food", "food", "salary", "transport"]
    assert month(alice) == []


def test_the_same_file_imported_twice_yields_each_line_once(alice):
    status, first = alice.post("/imports", body(commit=True))
    assert status == 200 and first["created"] == 4 and first["existing"] == 0
    _, second = alice.post("/imports", body(commit=True))
    assert second["created"] == 0 and second["existing"] == 4
    items = month(alice)
    assert len(items) == 4
    assert sorted(i["note"] for i in items) == ["Coffee", "Coffee", "Salary", "Train"]
    assert {i["kind"] for i in items if i["note"] == "Salary"} == {"income"}


def test_large_files_commit_in_slices(alice):
    rows = "".join(f"2026-11-{1 + i % 28:02d},-{1 + i % 50}.00,Shop {i},food\n" for i in range(1200))
    text = "Date,Amount,Description,Category\n" + rows
    done, created = 0, 0
    while True:
        status, out = alice.post("/imports", body(csv=text, commit=True, start=done, count=1000))
        assert status == 200
        created += out["created"]
        done = out["done"]
        if done >= out["valid"]:
            break
    assert created == 1200
    assert alice.post("/imports", body(csv=text, commit=True, start=0, count=1000))[1]["created"] == 0


def test_imported_lines_are_the_importers_only(alice, bob):
    alice.post("/imports", body(commit=True))
    assert month(bob) == []
    assert bob.post("/imports", body(commit=True))[1]["created"] == 4  # bob's own copies


@pytest.mark.parametrize("change,field", [
    ({"mapping": {"date": "When", "amount": "Amount"}}, "mapping.date"),
    ({"mapping": {"date": "Date"}}, "mapping.amount"),
    ({"csv": ""}, "csv"), ({"decimal_separator": ";"}, "decimal_separator"),
    ({"default_category": "nope"}, "default_category"), ({"count": 5000}, "count"), ({"x": 1}, "x"),
])
def test_bad_imports_name_the_field(alice, change, field):
    status, out = alice.post("/imports", body(**change))
    assert status == 400 and out["error"]["field"] == field


def test_import_needs_a_token(client):
    assert Caller(client, None, "").post("/imports", body())[0] == 401
