"""Expense routes: transactions, budgets, categories, insights. Every record is keyed by its owner."""
from __future__ import annotations

import base64
import csv
import io
import json
import re
import uuid
from zoneinfo import ZoneInfo
from typing import Any

from chalice import Blueprint, Response
from pynamodb.exceptions import PutError, UpdateError

from ..core import charts, clock
from ..core.auth import Principal
from ..core.errors import Conflict, InvalidInput, NotFound
from ..core.models import Profile, Rollup
from ..core.money import fmt, parse_amount
from ..core.profiles import ensure_profile, profile_key
from ..core.shards import shard_of
from ..core.web import Req, route
from . import rules
from .rates import get_rate, home_view, usable
from .models import Budget, Category, Transaction
from .schemas import (
    BudgetIn, BudgetSet, BudgetsOut, CategoryIn, ListQuery, TransactionIn, TransactionOut, YearQuery,
)

expenses = Blueprint(__name__)


# ------------------------------------------------------------------ helpers
def txn_key(user: Principal, txn_id: str) -> tuple[str, str]:
    return user.owner_key, f"TXN#{txn_id}"


def _uuid(value: str, field: str = "id") -> str:
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError):
        raise InvalidInput("must be a UUID", field=field) from None


def txn_out(t: Transaction) -> dict[str, Any]:
    return {
        "id": t.id, "kind": t.kind, "amount": fmt(t.amount, t.currency), "currency": t.currency,
        "date": t.date, "category": t.category, "payment_mode": t.payment_mode, "note": t.note or "",
        "tags": list(t.tags or []), "version": int(t.version), "created_at": t.created_at,
        "updated_at": t.updated_at,
    }


def _check_category(user: Principal, slug: str, kind: str) -> None:
    """Default categories cost no read; a user's own category is one GetItem."""
    if slug in rules.DEFAULT_CATEGORIES:
        return
    try:
        Category.get(user.owner_key, f"CATEGORY#{slug}")
    except Category.DoesNotExist:
        raise InvalidInput(f"unknown category {slug!r}", field="category") from None


def _build(user: Principal, txn_id: str, data: TransactionIn, currency: str, version: int,
           created_at: str, now: str) -> Transaction:
    amount = parse_amount(data.amount, currency)
    month = data.date[:7]
    return Transaction(
        user.owner_key, f"TXN#{txn_id}",
        gsi1pk=f"{user.owner_key}#{month}", gsi1sk=f"{data.date}#{txn_id}",
        gsi2pk=f"{user.owner_key}#{month}#{data.category}", gsi2sk=f"{data.date}#{txn_id}",
        id=txn_id, owner=user.sub, kind=data.kind, amount=amount, currency=currency, date=data.date,
        category=data.category, payment_mode=data.payment_mode, note=data.note, tags=data.tags,
        version=version, created_at=created_at, updated_at=now,
    )


def _same(a: Transaction, b: Transaction) -> bool:
    fields = ("kind", "amount", "currency", "date", "category", "payment_mode", "note", "tags")
    return all(getattr(a, f) == getattr(b, f) for f in fields)


def _home_currency(user: Principal) -> str:
    try:
        return Profile.get(*profile_key(user.sub)).currency
    except Profile.DoesNotExist:
        return ensure_profile(user.sub, user.email).currency


# ------------------------------------------------------------- transactions
def create_txn(user: Principal, txn_id: str, data: TransactionIn) -> tuple[Transaction, bool]:
    """Create a transaction once: a put if its id is new, in its own currency (the home currency
    when none is given). Returns (record, created); a replay of the same create returns the stored
    record, another body under the same id is a 409."""
    _check_category(user, data.category, data.kind)
    currency = data.currency or _home_currency(user)
    now = clock.iso_now()
    txn = _build(user, txn_id, data, currency, 1, now, now)
    try:
        txn.save(condition=Transaction.pk.does_not_exist())
        return txn, True
    except PutError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
    existing = Transaction.get(*txn_key(user, txn_id))
    if _same(existing, txn):
        return existing, False
    raise Conflict("a different transaction exists with this id", field="id", extra={"current": txn_out(existing)})


def replace_txn(user: Principal, txn_id: str, data: TransactionIn) -> Transaction:
    """Replace a transaction at the version the client read: one conditional update.

    A stale version answers 409 with the current record: nothing is silently overwritten.
    """
    _check_category(user, data.category, data.kind)
    now = clock.iso_now()
    version = int(data.version or 0)
    probe = Transaction(*txn_key(user, txn_id))
    currency = data.currency
    new = _build(user, txn_id, data, currency or "XXX", version + 1, "", now) if currency else None
    if new is None:
        currency = _home_currency(user)
        new = _build(user, txn_id, data, currency, version + 1, "", now)
    T = Transaction
    actions = [
        T.gsi1pk.set(new.gsi1pk), T.gsi1sk.set(new.gsi1sk), T.gsi2pk.set(new.gsi2pk), T.gsi2sk.set(new.gsi2sk),
        T.kind.set(new.kind), T.amount.set(new.amount), T.date.set(new.date), T.category.set(new.category),
        T.payment_mode.set(new.payment_mode), T.note.set(new.note), T.tags.set(new.tags),
        T.version.add(1), T.updated_at.set(now),
    ]
    try:
        probe.update(actions=actions, condition=T.pk.exists() & (T.version == version) & (T.currency == currency))
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise
        try:
            current = Transaction.get(*txn_key(user, txn_id))
        except Transaction.DoesNotExist:
            raise NotFound("no such transaction", field="id") from None
        if int(current.version) != version:
            raise Conflict("the transaction changed since you read it", field="version",
                           extra={"current": txn_out(current)}) from None
        raise InvalidInput(f"currency must stay {current.currency}", field="currency") from None
    return probe


@route(expenses, "/expenses", ("POST",), body=TransactionIn, response=TransactionOut, status=201)
def post_expense(req: Req):
    """Record an expense or income."""
    data = req.body(TransactionIn)
    if data.version is not None:
        raise InvalidInput("a new transaction has no version", field="version")
    txn, _ = create_txn(req.principal, str(uuid.uuid4()), data)
    return txn_out(txn)


@route(expenses, "/expenses/{txn_id}", ("PUT",), body=TransactionIn, response=TransactionOut)
def put_expense(req: Req, txn_id: str):
    """Create with a client-chosen UUID (no version; replays return the record), or replace at `version`."""
    txn_id = _uuid(txn_id)
    data = req.body(TransactionIn)
    if data.version is None:
        txn, created = create_txn(req.principal, txn_id, data)
        return Response(body=json.dumps(txn_out(txn)), status_code=201 if created else 200,
                        headers={"Content-Type": "application/json"})
    return txn_out(replace_txn(req.principal, txn_id, data))


@route(expenses, "/expenses/{txn_id}", ("GET",), response=TransactionOut)
def get_expense(req: Req, txn_id: str):
    """One of the caller's transactions."""
    try:
        return txn_out(Transaction.get(*txn_key(req.principal, _uuid(txn_id))))
    except Transaction.DoesNotExist:
        raise NotFound("no such transaction", field="id") from None


@route(expenses, "/expenses/{txn_id}", ("DELETE",), status=204)
def delete_expense(req: Req, txn_id: str):
    """Delete a transaction; deleting twice is fine."""
    Transaction(*txn_key(req.principal, _uuid(txn_id))).delete()
    return Response(body="", status_code=204)


def _encode_page(key: dict | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def _decode_page(token: str | None, partition_attr: str, partition: str) -> dict | None:
    if not token:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()))
        assert isinstance(key, dict) and key[partition_attr]["S"] == partition
    except Exception:
        raise InvalidInput("not a page token of this list", field="next") from None
    return key


@route(expenses, "/expenses", ("GET",), query=("month", "category", "limit", "next"))
def list_expenses(req: Req):
    """A month's transactions, newest first, optionally one category; paginated with `next`."""
    q = req.query_model(ListQuery)
    owner = req.principal.owner_key
    if q.category:
        part, attr, index = f"{owner}#{q.month}#{q.category}", "gsi2pk", Transaction.by_month_category
    else:
        part, attr, index = f"{owner}#{q.month}", "gsi1pk", Transaction.by_month
    result = index.query(part, scan_index_forward=False, limit=q.limit,
                         last_evaluated_key=_decode_page(q.next, attr, part))
    items = [txn_out(t) for t in result]
    return {"items": items, "next": _encode_page(result.last_evaluated_key)}


# ------------------------------------------------------------------ budgets
def _budget_dict(b: Budget) -> dict[str, Any]:
    return {"category": b.category, "limit": b.limit, "thresholds": [int(p) for p in b.thresholds],
            "currency": b.currency, "rollover": b.rollover or "none", "carry": dict(b.carry or {})}


def owner_budgets(owner_key: str) -> list[dict[str, Any]]:
    return [_budget_dict(b) for b in Budget.query(owner_key, Budget.sk.startswith("BUDGET#"))]


@route(expenses, "/budgets/{category}", ("PUT",), body=BudgetIn, response=BudgetSet)
def put_budget(req: Req, category: str):
    """Set a monthly budget for a category, or `total` for all spending."""
    user = req.principal
    if category != rules.TOTAL:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,39}", category):
            raise InvalidInput("not a category", field="category")
        _check_category(user, category, "expense")
        if rules.DEFAULT_CATEGORIES.get(category) == "income":
            raise InvalidInput("budgets are for spending categories", field="category")
    data = req.body(BudgetIn)
    currency = _home_currency(user)
    limit = parse_amount(data.limit, currency, field="limit")
    now = clock.iso_now()
    B = Budget
    # An upsert that keeps what month-end closes carried: setting the same budget twice is the same budget.
    Budget(user.owner_key, f"BUDGET#{category}").update(actions=[
        B.category.set(category), B.limit.set(limit), B.currency.set(currency), B.thresholds.set(data.thresholds),
        B.rollover.set(data.rollover), B.carry.set(B.carry | {}), B.created_at.set(B.created_at | now),
        B.updated_at.set(now), B.gsi3pk.set(f"BUDGET#{shard_of(user.owner_key)}"),
        B.gsi3sk.set(f"{user.owner_key}#{category}"),
    ])
    return {"category": category, "limit": fmt(limit, currency), "currency": currency,
            "thresholds": data.thresholds, "rollover": data.rollover}


def _progress(user: Principal, budgets: list[dict], month: str | None) -> tuple[list[dict], list[str]]:
    """Budget progress for `month` (default: the owner's current month in their time zone), in the
    home currency the budgets are set in, and the currencies of that month still without a rate."""
    if not month:
        month = local_month(ensure_profile(user.sub, user.email).time_zone)
    elif not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise InvalidInput("month must be YYYY-MM", field="month")
    if not budgets:
        return [], []
    try:
        raw = Rollup.get(*rules.year_key(user.owner_key, month[:4])).totals or {}
    except Rollup.DoesNotExist:
        raw = {}
    home = budgets[0]["currency"]
    view = home_view(user.owner_key, raw, home, month[:4])
    out = [rules.budget_progress(b, month, rules.month_spent(view.totals, month[5:7], b["category"]), b["currency"])
           for b in budgets]
    return out, view.missing.get(month, [])


def local_month(tz: str) -> str:
    return clock.now().astimezone(ZoneInfo(tz)).strftime("%Y-%m")


@route(expenses, "/budgets", ("GET",), query=("month",), response=BudgetsOut)
def list_budgets(req: Req):
    """Each budget with what is spent in the month (default: this month, in the owner's time zone)."""
    user = req.principal
    items, missing = _progress(user, owner_budgets(user.owner_key), req.query.get("month"))
    return {"items": items, "missing_rates": missing}


@route(expenses, "/budgets/{category}", ("DELETE",), status=204)
def delete_budget(req: Req, category: str):
    """Remove a budget; removing twice is fine."""
    Budget(req.principal.owner_key, f"BUDGET#{category}").delete()
    return Response(body="", status_code=204)


# --------------------------------------------------------------- categories
@route(expenses, "/categories", ("GET",))
def list_categories(req: Req):
    """Default categories and the caller's own."""
    items = [{"slug": s, "name": s.replace("_", " ").capitalize(), "kind": k, "custom": False}
             for s, k in rules.DEFAULT_CATEGORIES.items()]
    items += [{"slug": c.slug, "name": c.name, "kind": c.kind, "custom": True}
              for c in Category.query(req.principal.owner_key, Category.sk.startswith("CATEGORY#"))]
    return {"items": items}


@route(expenses, "/categories", ("POST",), body=CategoryIn, status=201)
def post_category(req: Req):
    """Add an own category."""
    data = req.body(CategoryIn)
    slug = "".join(ch if ch.isalnum() else "_" for ch in data.name.lower()).strip("_")[:40]
    if not slug or slug in rules.DEFAULT_CATEGORIES or slug == rules.TOTAL:
        raise InvalidInput("this category exists already or has no usable name", field="name")
    c = Category(req.principal.owner_key, f"CATEGORY#{slug}", slug=slug, name=data.name, kind=data.kind,
                 created_at=clock.iso_now())
    c.save()
    return {"slug": slug, "name": data.name, "kind": data.kind, "custom": True}


# ------------------------------------------------------------------ exports
def month_transactions(owner_key: str, month: str) -> list[Transaction]:
    """Every transaction of a month, all pages."""
    return list(Transaction.by_month.query(f"{owner_key}#{month}"))


@route(expenses, "/exports/expenses", ("GET",), query=("month", "year"))
def export_csv(req: Req):
    """A month (?month=YYYY-MM) or a year (?year=YYYY) as CSV, safe to open in a spreadsheet."""
    month, year = req.query.get("month"), req.query.get("year")
    if month and re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        months, name = [month], month
    elif not month and year and re.fullmatch(r"(19[7-9]\d|20\d\d|2100)", year):
        months, name = [f"{year}-{m:02d}" for m in range(1, 13)], year
    else:
        raise InvalidInput("give month=YYYY-MM or year=YYYY", field="month" if month else "year")
    owner = req.principal.owner_key
    items = [txn_out(t) for m in months for t in month_transactions(owner, m)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rules.csv_rows(items))
    return Response(body=out.getvalue(), status_code=200, headers={
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": f'attachment; filename="tally-{name}.csv"',
    })


@route(expenses, "/reports/{month}", ("GET",))
def month_report(req: Req, month: str):
    """The monthly report in the home currency (totals, categories, budgets, the ten biggest
    expenses); the dashboard downloads it as PDF, `/exports/expenses?month=` gives the CSV."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise InvalidInput("month must be YYYY-MM", field="month")
    user = req.principal
    owner = user.owner_key
    home = ensure_profile(user.sub, user.email).currency
    try:
        raw = Rollup.get(*rules.year_key(owner, month[:4])).totals or {}
    except Rollup.DoesNotExist:
        raw = {}
    view = home_view(owner, raw, home, month[:4])
    rate = get_rate(owner, month)
    items = [txn_out(t) for t in month_transactions(owner, month)]
    return rules.month_report(month=month, currency=home, totals=view.totals, budgets=owner_budgets(owner),
                              transactions=items, rates=usable(rate, home), missing=view.missing.get(month, []),
                              generated_at=clock.iso_now())


# ----------------------------------------------------------------- insights
def chart_name(year: int) -> str:
    return f"expenses-{year}"


def empty_chart(year: int, currency: str) -> dict[str, Any]:
    return rules.chart_document(year=year, currency=currency, year_totals={}, all_totals={}, budgets=[],
                                current_month=f"{year}-01", current_totals={}, generated_at="")


@route(expenses, "/insights/expenses", ("GET",), query=("year",))
def insights(req: Req):
    """The precomputed chart JSON for a year (empty months before anything was recorded)."""
    q = req.query_model(YearQuery)
    doc = charts.read(req.principal.owner_key, chart_name(q.year))
    return doc if doc is not None else empty_chart(q.year, "USD")


@route(expenses, "/insights/expenses/url", ("GET",), query=("year",))
def insights_url(req: Req):
    """A short-lived presigned URL to the chart JSON for a year."""
    q = req.query_model(YearQuery)
    url, seconds = charts.presigned_url(req.principal.owner_key, chart_name(q.year))
    return {"url": url, "expires_in": seconds}
