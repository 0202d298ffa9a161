"""The expenses routes answer exactly what the OpenAPI document says: response models, every status,
required query parameters, strict request types."""
from __future__ import annotations

import re

import uuid

import pytest

from tests.mocked import Caller

FOOD = {"kind": "expense", "amount": "12.50", "currency": "USD", "date": "2026-11-10",
        "category": "food", "payment_mode": "cash", "note": "lunch", "tags": ["work"]}
STATEMENT = "Date,Amount,Description\n2026-11-01,-12.50,Coffee\n2026-11-02,-3.00,Tea\n"
IMPORT = {"csv": STATEMENT, "mapping": {"date": "Date", "amount": "Amount", "description": "Description"}}
RULE = {"kind": "expense", "amount": "900.00", "currency": "USD", "category": "housing",
        "payment_mode": "bank_transfer", "frequency": "monthly", "start_date": "2026-11-01"}
EXPENSE_PATHS = ("/expenses", "/budgets", "/categories", "/exports/expenses", "/reports/", "/insights/expenses",
                 "/recurring", "/rates/", "/imports")


@pytest.fixture
def document(client):
    status, doc = Caller(client, None, "").get("/openapi.json")
    assert status == 200
    return doc


def _operations(doc):
    for path, ops in doc["paths"].items():
        if path.startswith(EXPENSE_PATHS):
            for method, op in ops.items():
                yield path, method, op


def _schema(doc, ref):
    return doc["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def test_every_expenses_route_declares_its_response(chalice_app):
    from chalicelib.core import web

    declared = [d for d in web.load_routes() if d.path.startswith(EXPENSE_PATHS)]
    assert len(declared) == 21
    models = [d for d in declared if isinstance(d.response, type) and issubclass(d.response, web.BaseModel)]
    others = [d for d in declared if isinstance(d.response, (web.NoContent, web.Media))]
    assert len(models) + len(others) == 21


def test_every_expenses_operation_documents_a_body_for_each_success(document):
    seen = 0
    for path, method, op in _operations(document):
        successes = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        assert successes, (method, path)
        for code, response in successes.items():
            if code == "204":
                assert "content" not in response, (method, path)
            else:
                assert response["content"], (method, path, code)
        seen += 1
    assert seen == 21


def test_put_with_a_new_id_declares_201_and_200_and_answers_both(alice, document):
    responses = document["paths"]["/expenses/{txn_id}"]["put"]["responses"]
    assert {"200", "201"} <= set(responses)
    assert responses["200"]["content"] == responses["201"]["content"]
    tid = str(uuid.uuid4())
    created = alice.put(f"/expenses/{tid}", FOOD)
    replayed = alice.put(f"/expenses/{tid}", FOOD)
    replaced = alice.put(f"/expenses/{tid}", FOOD | {"amount": "13.00", "version": 1})
    assert (created[0], replayed[0], replaced[0]) == (201, 200, 200)
    assert replayed[1] == created[1]
    assert replaced[1]["version"] == 2 and replaced[1]["amount"] == "13.00"


@pytest.mark.parametrize("path,operation,name", [
    ("/expenses", "get", "month"),
    ("/insights/expenses", "get", "year"),
    ("/insights/expenses/url", "get", "year"),
])
def test_required_query_parameters_are_required_in_the_document_and_by_the_route(alice, document, path,
                                                                                  operation, name):
    params = {p["name"]: p for p in document["paths"][path][operation]["parameters"] if p["in"] == "query"}
    assert params[name]["required"] is True
    status, body = alice.get(path)
    assert status == 400 and body["error"]["field"] == name


def test_export_documents_month_or_year_and_defaults_to_the_current_month(alice, document):
    op = document["paths"]["/exports/expenses"]["get"]
    params = {p["name"]: p for p in op["parameters"] if p["in"] == "query"}
    assert params["month"]["required"] is False and params["year"]["required"] is False
    assert "default: the current month" in params["month"]["schema"]["description"]
    assert list(op["responses"]["200"]["content"]) == ["text/csv"]
    resp = alice.client.http.get("/exports/expenses", headers={"Authorization": f"Bearer {alice.token}"})
    assert resp.status_code == 200 and re.search(r'filename="tally-\d{4}-\d{2}\.csv"', resp.headers["Content-Disposition"])
    assert alice.get("/exports/expenses?year=1969")[1]["error"]["field"] == "year"
    resp = alice.client.http.get("/exports/expenses?year=2026&month=2026-11",
                                 headers={"Authorization": f"Bearer {alice.token}"})
    assert resp.status_code == 200 and 'filename="tally-2026-11.csv"' in resp.headers["Content-Disposition"]


@pytest.mark.parametrize("change,field", [
    ({"start": False}, "start"),
    ({"start": True}, "start"),
    ({"start": "1"}, "start"),
    ({"commit": 0}, "commit"),
    ({"commit": 1}, "commit"),
    ({"commit": "true"}, "commit"),
    ({"count": 1.5}, "count"),
])
def test_import_refuses_values_of_the_wrong_type_naming_the_field(alice, change, field):
    status, body = alice.post("/imports", IMPORT | change)
    assert status == 400, body
    assert body["error"]["field"] == field
    assert alice.get("/expenses?month=2026-11")[1]["items"] == []


@pytest.mark.parametrize("path,body,field", [
    ("/expenses", FOOD | {"version": True}, "version"),
    ("/expenses", FOOD | {"version": "1"}, "version"),
    ("/expenses", FOOD | {"tags": [1]}, "tags.0"),
    ("/recurring", RULE | {"day": True}, "day"),
    ("/recurring", RULE | {"day": "5"}, "day"),
    ("/categories", {"name": 5}, "name"),
])
def test_bodies_refuse_bools_and_strings_for_numbers(alice, path, body, field):
    status, err = alice.post(path, body)
    assert status == 400, err
    assert err["error"]["field"] == field


@pytest.mark.parametrize("body,field", [
    ({"limit": "100.00", "thresholds": [True]}, "thresholds.0"),
    ({"limit": "100.00", "thresholds": ["80"]}, "thresholds.0"),
    ({"limit": 100}, "limit"),
])
def test_budget_body_is_strict(alice, body, field):
    status, err = alice.put("/budgets/food", body)
    assert status == 400 and err["error"]["field"] == field
    assert alice.get("/budgets?month=2026-11")[1]["items"] == []


def test_import_answers_a_preview_without_commit_fields_and_a_commit_with_them(alice, document):
    schema = _schema(document, document["paths"]["/imports"]["post"]["responses"]["200"]["content"]
                     ["application/json"]["schema"])
    assert len(schema["anyOf"]) == 2
    status, preview = alice.post("/imports", IMPORT)
    assert status == 200 and preview["valid"] == 2
    assert not {"start", "done", "created", "existing"} & set(preview)
    status, done = alice.post("/imports", IMPORT | {"commit": True})
    assert status == 200 and (done["start"], done["done"], done["created"], done["existing"]) == (0, 2, 2, 0)


def test_routes_return_their_models(alice):
    from chalicelib.expenses.schemas import (
        BudgetsOut, CategoriesOut, ChartOut, ChartUrlOut, MonthReportOut, RatesOut, RecurringListOut, TransactionsOut,
    )

    alice.post("/expenses", FOOD)
    alice.put("/budgets/food", {"limit": "100.00"})
    alice.post("/recurring", RULE)
    for path, model in [("/expenses?month=2026-11", TransactionsOut), ("/budgets?month=2026-11", BudgetsOut),
                        ("/categories", CategoriesOut), ("/insights/expenses?year=2026", ChartOut),
                        ("/insights/expenses/url?year=2026", ChartUrlOut), ("/reports/2026-11", MonthReportOut),
                        ("/rates/2026-11", RatesOut), ("/recurring", RecurringListOut)]:
        status, body = alice.get(path)
        assert status == 200, (path, body)
        assert model.model_validate(body).model_dump(mode="json") == body, path


def test_an_empty_year_chart_has_every_field_of_its_model(alice):
    status, chart = alice.get("/insights/expenses?year=2031")
    assert status == 200
    assert len(chart["months"]) == 12 and chart["missing_rates"] == {} and chart["budgets"] == []


def test_deletes_answer_204_with_no_body(alice, document):
    assert list(document["paths"]["/budgets/{category}"]["delete"]["responses"]) == ["204", "4XX"]
    alice.put("/budgets/food", {"limit": "100.00"})
    for path in ("/budgets/food", f"/recurring/{uuid.uuid4()}", f"/expenses/{uuid.uuid4()}"):
        status, body = alice.delete(path)
        assert (status, body) == (204, None), path


def test_bad_months_in_paths_are_400_naming_month(alice):
    for path in ("/reports/2026-13", "/rates/26-11"):
        status, body = alice.get(path)
        assert status == 400 and body["error"]["field"] == "month", path
