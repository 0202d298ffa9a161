"""Expense routes: transactions, budgets, categories, exports, reports, insights, recurring rules,
exchange rates and statement imports. Routes only: parse, call one service, return its response
model. Every record is keyed by its owner, the caller."""
from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from ..core.deferred import deferred
from ..core.errors import InvalidInput
from ..core.schemas import UUID_PATTERN
from ..core.web import NO_CONTENT, Media, Reply, Req, route
from .schemas import (
    BudgetIn, BudgetSet, BudgetsOut, BudgetsQuery, CategoriesOut, CategoryIn, CategoryOut, ChartOut, ChartUrlOut,
    MONTH, ExportQuery, ImportIn, ImportOut, ListQuery, MonthReportOut, RatesIn, RatesOut, RecurringIn, RecurringListOut,
    RecurringOut, TransactionIn, TransactionOut, TransactionsOut, YearQuery,
)

if TYPE_CHECKING:
    from . import budgets, categories, imports, rates, recurring, reports, transactions
else:  # imported by the first request that calls them (core.deferred)
    budgets, categories, imports, rates, recurring, reports, transactions = deferred(
        __package__, "budgets", "categories", "imports", "rates", "recurring", "reports", "transactions")

expenses = Blueprint(__name__)
ID = {"txn_id": UUID_PATTERN}
RULE_ID = {"rule_id": UUID_PATTERN}
A_MONTH = {"month": MONTH}


def _uuid(value: str, field: str = "id") -> str:
    """A path id: a UUID in its canonical form (what the document's pattern says), else a 400 naming `field`."""
    if not re.fullmatch(UUID_PATTERN, value):
        raise InvalidInput("must be a UUID such as 0b9e1c2a-5d4f-4e8a-9c3b-2a1d0e9f8c7b", field=field)
    return str(uuid.UUID(value))


# ------------------------------------------------------------- transactions
@route(expenses, "/expenses", ("POST",), body=TransactionIn, response=TransactionOut, status=201)
def post_expense(req: Req) -> TransactionOut:
    """Record an expense or income."""
    data = req.body(TransactionIn)
    if data.version is not None:
        raise InvalidInput("a new transaction has no version", field="version")
    txn, _ = transactions.create_transaction(req.principal, str(uuid.uuid4()), data)
    return transactions.transaction_out(txn)


@route(expenses, "/expenses/{txn_id}", ("PUT",), path_patterns=ID, body=TransactionIn, response=TransactionOut, status=201,
       also={200: "a replay of the create (no version) returns the stored record; "
                  "a replace at `version` returns the new record"})
def put_expense(req: Req, txn_id: str) -> TransactionOut | Reply[TransactionOut]:
    """Create with a client-chosen UUID (no version: 201; a replay answers 200 with the record), or
    replace at `version` (200)."""
    txn_id = _uuid(txn_id)
    data = req.body(TransactionIn)
    if data.version is None:
        txn, created = transactions.create_transaction(req.principal, txn_id, data)
        out = transactions.transaction_out(txn)
        return out if created else Reply(out, 200)
    return Reply(transactions.transaction_out(transactions.replace_transaction(req.principal, txn_id, data)), 200)


@route(expenses, "/expenses/{txn_id}", ("GET",), path_patterns=ID, response=TransactionOut)
def get_expense(req: Req, txn_id: str) -> TransactionOut:
    """One of the caller's transactions."""
    return transactions.transaction_out(transactions.get_transaction(req.principal, _uuid(txn_id)))


@route(expenses, "/expenses/{txn_id}", ("DELETE",), path_patterns=ID, response=NO_CONTENT, status=204)
def delete_expense(req: Req, txn_id: str) -> None:
    """Delete a transaction; deleting twice is fine."""
    transactions.delete_transaction(req.principal, _uuid(txn_id))


@route(expenses, "/expenses", ("GET",), query=ListQuery, response=TransactionsOut)
def list_expenses(req: Req) -> TransactionsOut:
    """A month's transactions, newest first, optionally one category; paginated with `next`."""
    return transactions.list_month(req.principal, req.query_model(ListQuery))


# ------------------------------------------------------------------ budgets
@route(expenses, "/budgets/{category}", ("PUT",), body=BudgetIn, response=BudgetSet)
def put_budget(req: Req, category: str) -> BudgetSet:
    """Set a monthly budget for a category, or `total` for all spending."""
    return budgets.set_budget(req.principal, category, req.body(BudgetIn))


@route(expenses, "/budgets", ("GET",), query=BudgetsQuery, response=BudgetsOut)
def list_budgets(req: Req) -> BudgetsOut:
    """Each budget with what is spent in the month (default: this month, in the owner's time zone)."""
    return budgets.budget_progress(req.principal, req.query_model(BudgetsQuery).month)


@route(expenses, "/budgets/{category}", ("DELETE",), response=NO_CONTENT, status=204)
def delete_budget(req: Req, category: str) -> None:
    """Remove a budget; removing twice is fine."""
    budgets.delete_budget(req.principal, category)


# --------------------------------------------------------------- categories
@route(expenses, "/categories", ("GET",), response=CategoriesOut)
def list_categories(req: Req) -> CategoriesOut:
    """Default categories and the caller's own."""
    return categories.list_categories(req.principal)


@route(expenses, "/categories", ("POST",), body=CategoryIn, response=CategoryOut, status=201)
def post_category(req: Req) -> CategoryOut:
    """Add an own category."""
    return categories.create_category(req.principal, req.body(CategoryIn))


# ------------------------------------------------------- exports and reports
@route(expenses, "/exports/expenses", ("GET",), query=ExportQuery,
       response=Media("text/csv", description="the transactions as CSV, a header row first"))
def export_csv(req: Req) -> Response:
    """A month (?month=YYYY-MM) or a year (?year=YYYY) as CSV; one of them is required, month wins.

    Neither is a 400 naming `year`; every cell is safe to open in a spreadsheet."""
    name, text = reports.export_csv(req.principal, req.query_model(ExportQuery))
    return Response(body=text, status_code=200, headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="tally-{name}.csv"',
    })


@route(expenses, "/reports/{month}", ("GET",), path_patterns=A_MONTH, response=MonthReportOut)
def month_report(req: Req, month: str) -> MonthReportOut:
    """The monthly report in the home currency (totals, categories, budgets, the ten biggest
    expenses); the dashboard downloads it as PDF, `/exports/expenses?month=` gives the CSV."""
    return reports.month_report(req.principal, month)


# ----------------------------------------------------------------- insights
@route(expenses, "/insights/expenses", ("GET",), query=YearQuery, response=ChartOut)
def insights(req: Req) -> ChartOut:
    """The precomputed chart JSON for a year (empty months before anything was recorded)."""
    return reports.year_chart(req.principal, req.query_model(YearQuery).year)


@route(expenses, "/insights/expenses/url", ("GET",), query=YearQuery, response=ChartUrlOut)
def insights_url(req: Req) -> ChartUrlOut:
    """A short-lived presigned URL to the chart JSON for a year."""
    return reports.year_chart_url(req.principal, req.query_model(YearQuery).year)


# ---------------------------------------------------------------- recurring
@route(expenses, "/recurring", ("POST",), body=RecurringIn, response=RecurringOut, status=201)
def post_rule(req: Req) -> RecurringOut:
    """Start a recurring expense or income: monthly on a day (clamped to the month's end), weekly or yearly."""
    return recurring.rule_out(recurring.create_rule(req.principal, req.body(RecurringIn)))


@route(expenses, "/recurring", ("GET",), response=RecurringListOut)
def list_rules(req: Req) -> RecurringListOut:
    """The caller's recurring rules with their next dates."""
    return recurring.list_rules(req.principal)


@route(expenses, "/recurring/{rule_id}", ("GET",), path_patterns=RULE_ID, response=RecurringOut)
def get_rule(req: Req, rule_id: str) -> RecurringOut:
    """One recurring rule."""
    return recurring.rule_out(recurring.get_rule(req.principal, _uuid(rule_id)))


@route(expenses, "/recurring/{rule_id}", ("DELETE",), path_patterns=RULE_ID, response=NO_CONTENT, status=204)
def delete_rule(req: Req, rule_id: str) -> None:
    """Stop a recurring rule (deleting twice is fine); what it already recorded stays."""
    recurring.delete_rule(req.principal, _uuid(rule_id))


# -------------------------------------------------------------------- rates
@route(expenses, "/rates/{month}", ("PUT",), path_patterns=A_MONTH, body=RatesIn, response=RatesOut)
def put_rates(req: Req, month: str) -> RatesOut:
    """Set a month's exchange rates against your home currency (1 unit = rate home units); the
    month's totals, budgets and charts are recomputed with them."""
    return rates.set_month_rates(req.principal, month, req.body(RatesIn))


@route(expenses, "/rates/{month}", ("GET",), path_patterns=A_MONTH, response=RatesOut)
def get_rates(req: Req, month: str) -> RatesOut:
    """A month's exchange rates (none set: empty, version 0)."""
    return rates.month_rates(req.principal, month)


# ------------------------------------------------------------------ imports
@route(expenses, "/imports", ("POST",), body=ImportIn, response=ImportOut, max_body_bytes=4 * 1024 * 1024)
def post_import(req: Req) -> ImportOut:
    """A bank statement (CSV with a column mapping): a preview with per-line errors, or with commit=true
    the good lines from `start` (at most 1000 a call, so a client can show progress), each line once."""
    return imports.run_import(req.principal, req.body(ImportIn))
