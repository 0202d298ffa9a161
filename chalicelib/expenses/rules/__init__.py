"""Pure expense rules: categories, rollup contributions, budget crossings, alert text, charts.

No boto3 and no I/O here.
"""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Iterable

from ...core.alert_rules import Crossing, Threshold, crossings
from ...core.errors import InvalidInput
from ...core.money import fmt

EXPENSE_CATEGORIES = (
    "food", "groceries", "housing", "utilities", "transport", "health", "entertainment",
    "shopping", "travel", "education", "personal", "gifts", "other",
)
INCOME_CATEGORIES = ("salary", "business", "investment", "gift", "other_income")
DEFAULT_CATEGORIES = {c: "expense" for c in EXPENSE_CATEGORIES} | {c: "income" for c in INCOME_CATEGORIES}
PAYMENT_MODES = ("cash", "debit_card", "credit_card", "e_payment", "bank_transfer", "other")
TOTAL = "total"  # the budget covering all spending
KIND_KEY = {"expense": "spend", "income": "income"}
# The one spelling of a month and a category slug: the API document's patterns (schemas) and these checks.
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,39}$"
_MONTH = re.compile(MONTH_PATTERN)
_SLUG = re.compile(SLUG_PATTERN)


def check_month(value: str, field: str = "month") -> str:
    """A month written YYYY-MM, else a 400 naming `field`."""
    if not _MONTH.fullmatch(value):
        raise InvalidInput("month must be YYYY-MM", field=field)
    return value


def check_budget_category(value: str) -> str:
    """What a budget may cover: `total`, or a category slug that is not an income category."""
    if value == TOTAL:
        return value
    if not _SLUG.fullmatch(value):
        raise InvalidInput("not a category", field="category")
    if DEFAULT_CATEGORIES.get(value) == "income":
        raise InvalidInput("budgets are for spending categories", field="category")
    return value


def near_a_first(now: datetime) -> bool:
    """Somewhere on Earth it is the 1st: from 14 h before the UTC 1st to 12 h after its end."""
    first = now.astimezone(timezone.utc).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return any(f - timedelta(hours=14) <= now < f + timedelta(hours=36) for f in (first, nxt))


def category_slug(name: str) -> str:
    """The slug of an own category's name: lower case, runs of other characters as `_`, 40 at most."""
    return "".join(ch if ch.isalnum() else "_" for ch in name.lower()).strip("_")[:40]


def year_key(owner: str, year: str) -> tuple[str, str]:
    return owner, f"expenses#{year}"


def all_years_key(owner: str) -> tuple[str, str]:
    return owner, "expenses#all"


def contributions(txn: dict[str, Any] | None, sign: int) -> list[tuple[tuple[str, str], str, Decimal]]:
    """What one transaction image adds (sign=1) or takes away (sign=-1) from its owner's rollups.

    The year item keeps totals per month and per month × category, the all-years item per month;
    each amount under its own currency (`@EUR`): `rules.currency.home_totals` converts when reading.
    """
    if not txn:
        return []
    owner, date, kind = txn["pk"], txn["date"], KIND_KEY[txn["kind"]]
    year, month = date[:4], date[5:7]
    amount = Decimal(txn["amount"]) * sign
    cur = f"@{txn['currency']}" if txn.get("currency") else ""
    yk = year_key(owner, year)
    return [
        (yk, f"{month}:{kind}{cur}", amount),
        (yk, f"{month}:{kind}:{txn['category']}{cur}", amount),
        (yk, f"{month}:count", Decimal(sign)),
        (all_years_key(owner), f"{year}-{month}:{kind}{cur}", amount),
    ]


def month_spent(totals: dict[str, Decimal], month: str, category: str) -> Decimal:
    """Spending in month MM of a year item, for one category or the `total` budget."""
    name = f"{month}:spend" if category == TOTAL else f"{month}:spend:{category}"
    return totals.get(name, Decimal(0))


def budget_thresholds(limit: Decimal, percents: Iterable[int]) -> list[Threshold]:
    return [Threshold(str(p), (limit * Decimal(p) / Decimal(100))) for p in percents]


def budget_crossings(before: Decimal, after: Decimal, limit: Decimal, percents: Iterable[int]) -> list[Crossing]:
    """Budget thresholds crossed upward by a change of the month's spending.

    A budget re-arms with the next month: the month is part of each firing's id.
    """
    return crossings(before, after, budget_thresholds(limit, percents), "up")


def budget_email(
    *, category: str, period: str, threshold: str, spent: Decimal, limit: Decimal, currency: str,
    top: list[dict[str, Any]], dashboard_url: str,
) -> tuple[str, str, str]:
    """Subject, text and HTML of a budget alert."""
    label = "total spending" if category == TOTAL else category
    subject = f"Budget alert: {label} reached {threshold}% of {fmt(limit, currency)} {currency} in {period}"
    lines = [
        f"Your {label} budget for {period} has reached {threshold}% of its limit.",
        f"Spent: {fmt(spent, currency)} {currency} of {fmt(limit, currency)} {currency}.",
        "",
        "Top expenses this month:" if top else "No expenses listed.",
    ]
    for t in top:
        lines.append(f"  {t['date']}  {fmt(Decimal(t['amount']), currency)} {currency}  {t['category']}  {t.get('note', '')}".rstrip())
    lines += ["", f"See your dashboard: {dashboard_url}"]
    text = "\n".join(lines)
    rows = "".join(
        f"<tr><td>{html.escape(t['date'])}</td><td>{fmt(Decimal(t['amount']), currency)} {currency}</td>"
        f"<td>{html.escape(t['category'])}</td><td>{html.escape(t.get('note', ''))}</td></tr>"
        for t in top
    )
    body = (
        f"<p>Your <strong>{html.escape(label)}</strong> budget for {period} has reached "
        f"<strong>{threshold}%</strong> of its limit.</p>"
        f"<p>Spent: {fmt(spent, currency)} {currency} of {fmt(limit, currency)} {currency}.</p>"
        + (f"<table><tr><th>Date</th><th>Amount</th><th>Category</th><th>Note</th></tr>{rows}</table>" if rows else "")
        + f"<p><a href=\"{html.escape(dashboard_url)}\">Open your dashboard</a></p>"
    )
    return subject, text, body


def top_expenses(items: Iterable[dict[str, Any]], n: int = 3) -> list[dict[str, Any]]:
    exp = [i for i in items if i["kind"] == "expense"]
    return sorted(exp, key=lambda i: (-Decimal(i["amount"]), i["date"]))[:n]


def chart_document(
    *, year: int, currency: str, year_totals: dict[str, Decimal], all_totals: dict[str, Decimal],
    budgets: list[dict[str, Any]], current_month: str, current_totals: dict[str, Decimal], generated_at: str,
) -> dict[str, Any]:
    """The chart JSON for one owner and year: monthly totals by category, yearly totals, budget progress.

    `current_totals` is the year item of the current month's year (for budget progress).
    """
    months = []
    categories: dict[str, Decimal] = {}
    for m in range(1, 13):
        mm = f"{m:02d}"
        by_cat = {}
        for name, value in year_totals.items():
            parts = name.split(":")
            if len(parts) == 3 and parts[0] == mm and parts[1] == "spend" and value:
                by_cat[parts[2]] = fmt(value, currency)
                categories[parts[2]] = categories.get(parts[2], Decimal(0)) + value
        spend = year_totals.get(f"{mm}:spend", Decimal(0))
        income = year_totals.get(f"{mm}:income", Decimal(0))
        months.append({
            "month": f"{year}-{mm}",
            "spend": fmt(spend, currency),
            "income": fmt(income, currency),
            **balance(income, spend, currency),
            "by_category": dict(sorted(by_cat.items())),
        })
    years = sorted({int(k.split(":")[0]) for k in all_totals} | {year})
    cur_mm = current_month[5:7]
    return {
        "year": year,
        "currency": currency,
        "generated_at": generated_at,
        "months": months,
        "categories": {k: fmt(v, currency) for k, v in sorted(categories.items()) if v},
        "years": [{
            "year": y,
            "spend": fmt(all_totals.get(f"{y}:spend", Decimal(0)), currency),
            "income": fmt(all_totals.get(f"{y}:income", Decimal(0)), currency),
            **balance(all_totals.get(f"{y}:income", Decimal(0)), all_totals.get(f"{y}:spend", Decimal(0)), currency),
        } for y in years],
        "budgets": [budget_progress(b, current_month, month_spent(current_totals, cur_mm, b["category"]), currency)
                    for b in budgets],
    }


def balance(income: Decimal, spend: Decimal, currency: str) -> dict[str, Any]:
    """Net (income − spending) and savings rate (net ÷ income, in %; none without income)."""
    net = income - spend
    rate = float(round(net / income * 100, 1)) if income > 0 else None
    return {"net": fmt(net, currency), "savings_rate": rate}


def effective_limit(budget: dict[str, Any], period: str) -> Decimal:
    """A budget's limit in one month: its limit plus what the month-end close carried into it."""
    return Decimal(budget["limit"]) + Decimal((budget.get("carry") or {}).get(period, 0))


def rollover_carry(mode: str, limit: Decimal, spent: Decimal) -> Decimal:
    """What a month leaves to the next: the surplus, the overspend (negative), or nothing."""
    left = limit - spent
    if (mode == "surplus" and left > 0) or (mode == "overspend" and left < 0):
        return left
    return Decimal(0)


def budget_progress(budget: dict[str, Any], month: str, spent: Decimal, currency: str) -> dict[str, Any]:
    limit = effective_limit(budget, month)
    return {
        "category": budget["category"],
        "limit": fmt(limit, currency),
        "base_limit": fmt(Decimal(budget["limit"]), currency),
        "carry": fmt(limit - Decimal(budget["limit"]), currency),
        "rollover": budget.get("rollover", "none"),
        "currency": currency,
        "thresholds": list(budget["thresholds"]),
        "spent": fmt(spent, currency),
        "month": month,
        "percent": float(round(spent / limit * 100, 1)) if limit else 0.0,
    }


CSV_COLUMNS = ("date", "kind", "amount", "currency", "category", "payment_mode", "note", "tags", "id")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A cell a spreadsheet will not run: text starting like a formula gets a leading quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_rows(items: Iterable[dict[str, Any]]) -> list[list[str]]:
    """The header and one row per transaction, oldest first, every cell formula-safe."""
    rows = [list(CSV_COLUMNS)]
    for t in sorted(items, key=lambda t: (t["date"], t["id"])):
        rows.append([csv_cell(";".join(t["tags"]) if c == "tags" else t[c]) for c in CSV_COLUMNS])
    return rows


def pace_crossing_day(spent: Decimal, limit: Decimal, day: int, days_in_month: int) -> int | None:
    """The day of the month on which spending passes `limit` if it goes on at this month's pace,
    or None when it will not (or it has already, or it is too early to tell: before the 3rd)."""
    if day < 3 or spent <= 0 or spent >= limit or limit <= 0:
        return None
    rate = spent / Decimal(day)
    if rate * days_in_month <= limit:
        return None
    return min(days_in_month, max(day + 1, int(-(-limit // rate))))


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def pace_email(*, category: str, period: str, spent: Decimal, limit: Decimal, currency: str, day: int,
               days_in_month: int, crossing_day: int, dashboard_url: str) -> tuple[str, str, str]:
    label = "total spending" if category == TOTAL else category
    projected = spent / Decimal(day) * days_in_month
    subject = f"At this pace you pass your {label} budget around the {ordinal(crossing_day)}"
    text = (f"By day {day} of {period} you have spent {fmt(spent, currency)} {currency} of your "
            f"{fmt(limit, currency)} {currency} {label} budget.\n"
            f"At this pace you pass it around the {ordinal(crossing_day)} and end the month near "
            f"{fmt(projected, currency)} {currency}.\n\nSee your dashboard: {dashboard_url}")
    body = (f"<p>By day {day} of {period} you have spent <strong>{fmt(spent, currency)} {currency}</strong> of your "
            f"{fmt(limit, currency)} {currency} {html.escape(label)} budget.</p>"
            f"<p>At this pace you pass it around the <strong>{ordinal(crossing_day)}</strong> and end the month near "
            f"{fmt(projected, currency)} {currency}.</p><p><a href=\"{html.escape(dashboard_url)}\">Open your "
            "dashboard</a></p>")
    return subject, text, body


def month_categories(totals: dict[str, Decimal], mm: str) -> dict[str, Decimal]:
    """Spending per category in month MM of a year item."""
    out = {}
    for name, value in totals.items():
        parts = name.split(":")
        if len(parts) == 3 and parts[0] == mm and parts[1] == "spend" and value:
            out[parts[2]] = value
    return out


def biggest_changes(now: dict[str, Decimal], before: dict[str, Decimal], n: int = 3) -> list[tuple[str, Decimal]]:
    """The categories whose spending moved most against the month before, largest move first."""
    moves = {c: now.get(c, Decimal(0)) - before.get(c, Decimal(0)) for c in set(now) | set(before)}
    return sorted(((c, d) for c, d in moves.items() if d), key=lambda cd: (-abs(cd[1]), cd[0]))[:n]


def digest_email(*, period: str, currency: str, spend: Decimal, income: Decimal, budgets_hit: list[str],
                 changes: list[tuple[str, Decimal]], dashboard_url: str) -> tuple[str, str, str]:
    """The monthly digest: totals, budgets hit, biggest changes against the month before."""
    b = balance(income, spend, currency)
    subject = f"Your {period} with Tally: spent {fmt(spend, currency)} {currency}"
    lines = [f"In {period} you spent {fmt(spend, currency)} {currency} and received {fmt(income, currency)} "
             f"{currency}: net {b['net']} {currency}"
             + (f", a savings rate of {b['savings_rate']}%." if b["savings_rate"] is not None else "."), ""]
    lines.append("Budgets reached: " + (", ".join(budgets_hit) if budgets_hit else "none") + ".")
    if changes:
        lines += ["", "Biggest changes against the month before:"]
        lines += [f"  {c}: {'+' if d > 0 else '-'}{fmt(abs(d), currency)} {currency}" for c, d in changes]
    lines += ["", f"See the details: {dashboard_url}"]
    text = "\n".join(lines)
    items = "".join(f"<li>{html.escape(c)}: {'+' if d > 0 else '-'}{fmt(abs(d), currency)} {currency}</li>"
                    for c, d in changes)
    body = (f"<p>{html.escape(lines[0])}</p><p>{html.escape(lines[2])}</p>"
            + (f"<p>Biggest changes against the month before:</p><ul>{items}</ul>" if items else "")
            + f"<p><a href=\"{html.escape(dashboard_url)}\">See the details</a></p>")
    return subject, text, body


def month_report(*, month: str, currency: str, totals: dict[str, Decimal], budgets: list[dict[str, Any]],
                 transactions: list[dict[str, Any]], rates: dict[str, Decimal], missing: list[str],
                 generated_at: str) -> dict[str, Any]:
    """The monthly report (the dashboard renders it as PDF): totals, spending by category, budgets and
    whether they held, the ten biggest expenses; all in the home currency (`totals` already are)."""
    mm = month[5:7]
    spend, income = totals.get(f"{mm}:spend", Decimal(0)), totals.get(f"{mm}:income", Decimal(0))

    def home(t: dict[str, Any]) -> Decimal | None:
        if t["currency"] == currency:
            return Decimal(t["amount"])
        rate = rates.get(t["currency"])
        return None if rate is None else Decimal(t["amount"]) * rate

    expenses = [(home(t), t) for t in transactions if t["kind"] == "expense"]
    top = sorted(((h, t) for h, t in expenses if h is not None), key=lambda ht: (-ht[0], ht[1]["date"]))[:10]
    progress = [budget_progress(b, month, month_spent(totals, mm, b["category"]), currency) for b in budgets]
    return {
        "month": month, "currency": currency, "generated_at": generated_at,
        "spend": fmt(spend, currency), "income": fmt(income, currency), **balance(income, spend, currency),
        "categories": {c: fmt(v, currency) for c, v in sorted(month_categories(totals, mm).items(),
                                                              key=lambda cv: (-cv[1], cv[0]))},
        "budgets": [{**p, "status": "over" if p["percent"] >= 100 else "near" if p["percent"] >= 80 else "ok"}
                    for p in progress],
        "top_expenses": [{"date": t["date"], "category": t["category"], "note": t.get("note", ""),
                          "amount": fmt(Decimal(t["amount"]), t["currency"]), "currency": t["currency"],
                          "home_amount": fmt(h, currency)} for h, t in top],
        "count": sum(1 for _ in transactions),
        "missing_rates": missing,
    }
