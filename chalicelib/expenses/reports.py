"""Reports: the monthly report, the CSV export, and the yearly chart JSON (its object name, the
empty chart of a year with nothing recorded, reading it, a presigned URL to it)."""
from __future__ import annotations

import csv
import io
from typing import Any

from ..core import charts, clock
from ..core.auth import Principal
from ..core.db import find
from ..core.models import Rollup
from ..core.profiles import ensure_profile
from . import rules
from .budgets import local_month, owner_budgets
from .rates import get_rate, home_view, usable
from .schemas import ChartOut, ChartUrlOut, ExportQuery, MonthReportOut
from .transactions import month_transactions, transaction_out


def chart_name(year: int) -> str:
    """The name of an owner's chart object for one year (`core.charts` keys it by owner)."""
    return f"expenses-{year}"


def empty_chart(year: int, currency: str) -> dict[str, Any]:
    """The chart of a year with nothing recorded yet: twelve empty months."""
    doc = rules.chart_document(year=year, currency=currency, year_totals={}, all_totals={}, budgets=[],
                               current_month=f"{year}-01", current_totals={}, generated_at="")
    doc["missing_rates"] = {}
    return doc


def year_chart(user: Principal, year: int) -> ChartOut:
    """The precomputed chart JSON for a year (empty months before anything was recorded)."""
    doc = charts.read(user.owner_key, chart_name(year))
    return ChartOut.model_validate(doc if doc is not None else empty_chart(year, "USD"))


def year_chart_url(user: Principal, year: int) -> ChartUrlOut:
    """A short-lived presigned URL to the chart JSON for a year."""
    url, seconds = charts.presigned_url(user.owner_key, chart_name(year))
    return ChartUrlOut(url=url, expires_in=seconds)


def export_csv(user: Principal, q: ExportQuery) -> tuple[str, str]:
    """A month (or, without a month, a year; with neither, the caller's current month) of the
    caller's transactions as CSV, oldest first and safe to open in a spreadsheet: (file name
    without extension, CSV text)."""
    if q.month:
        months, name = [q.month], q.month
    elif q.year is not None:
        months, name = [f"{q.year}-{m:02d}" for m in range(1, 13)], str(q.year)
    else:
        month = local_month(ensure_profile(user.sub, user.email).time_zone)
        months, name = [month], month
    items = [transaction_out(t).model_dump() for m in months for t in month_transactions(user.owner_key, m)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rules.csv_rows(items))
    return name, out.getvalue()


def month_report(user: Principal, month: str) -> MonthReportOut:
    """The monthly report in the home currency: totals, categories, budgets and whether they held,
    the ten biggest expenses."""
    rules.check_month(month)
    owner = user.owner_key
    home = ensure_profile(user.sub, user.email).currency
    year = find(Rollup, *rules.year_key(owner, month[:4]))
    raw = (year.totals if year is not None else None) or {}
    view = home_view(owner, raw, home, month[:4])
    rate = get_rate(owner, month)
    items = [transaction_out(t).model_dump() for t in month_transactions(owner, month)]
    return MonthReportOut.model_validate(rules.month_report(
        month=month, currency=home, totals=view.totals, budgets=owner_budgets(owner), transactions=items,
        rates=usable(rate, home), missing=view.missing.get(month, []), generated_at=clock.iso_now()))
