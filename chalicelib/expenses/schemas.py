"""What the expenses API takes and gives: request bodies, query models and response models."""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, RootModel, field_validator

from ..core.schemas import CurrencyCode, Items, Out, Query, Strict
from .rules import MONTH_PATTERN, PAYMENT_MODES, SLUG_PATTERN

SLUG = SLUG_PATTERN
MONTH = MONTH_PATTERN


def decimal_string(v: Any) -> str:
    """Money travels as a JSON string ("12.50"): a JSON number would have gone through a float."""
    if not isinstance(v, str):
        raise ValueError("must be a string such as \"12.50\"")
    return v


def check_payment_mode(v: str) -> str:
    if v not in PAYMENT_MODES:
        raise ValueError("payment_mode must be one of " + ", ".join(PAYMENT_MODES))
    return v


def iso_date(v: str) -> str:
    """A real calendar date written YYYY-MM-DD, between 1970 and 2100."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        raise ValueError("date must be YYYY-MM-DD")
    try:
        d = dt.date.fromisoformat(v)
    except ValueError:
        raise ValueError("not a real date") from None
    if not (1970 <= d.year <= 2100):
        raise ValueError("date must be between 1970 and 2100")
    return v


class EntryIn(Strict):
    """What an expense or income says, whether it happens once or recurs."""

    kind: Literal["expense", "income"]
    amount: str = Field(min_length=1, max_length=32, description="a positive decimal as a string, e.g. \"12.50\"")
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    category: str = Field(pattern=SLUG)
    payment_mode: str = Field(json_schema_extra={"enum": list(PAYMENT_MODES)})
    note: str = Field(default="", max_length=500)
    tags: list[str] = Field(default_factory=list, max_length=20)

    _amount_is_string = field_validator("amount", mode="before")(decimal_string)
    _mode = field_validator("payment_mode")(check_payment_mode)

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        out = []
        for t in v:
            t = t.strip()
            if not t or len(t) > 30:
                raise ValueError("each tag is 1 to 30 characters")
            if t not in out:
                out.append(t)
        return out


class TransactionIn(EntryIn):
    date: str = Field(description="ISO 8601 date, YYYY-MM-DD")
    version: int | None = Field(default=None, ge=1)

    _date = field_validator("date")(iso_date)


class RecurringIn(EntryIn):
    frequency: Literal["monthly", "weekly", "yearly"]
    start_date: str = Field(description="the first day it may occur, YYYY-MM-DD")
    end_date: str | None = Field(default=None, description="the last day it may occur, YYYY-MM-DD")
    day: int | None = Field(default=None, ge=0, le=31, description=(
        "monthly: day of the month 1-31 (clamped to the month's end); weekly: weekday 0 (Monday) - 6; "
        "yearly: day of the start date's month. Default: from the start date."))

    _dates = field_validator("start_date", "end_date")(lambda v: v if v is None else iso_date(v))


class RecurringOut(Out):
    id: str
    kind: str
    amount: str
    currency: str
    category: str
    payment_mode: str
    note: str
    tags: list[str]
    frequency: str
    day: int
    start_date: str
    end_date: str | None
    next_date: str | None
    version: int


class TransactionOut(Out):
    id: str
    kind: str
    amount: str
    currency: str
    date: str
    category: str
    payment_mode: str
    note: str
    tags: list[str]
    version: int
    created_at: str
    updated_at: str


class ListQuery(Query):
    month: str = Field(pattern=MONTH, description="the month to list, YYYY-MM")
    category: str | None = Field(default=None, pattern=SLUG, description="only this category")
    limit: int = Field(default=50, ge=1, le=200)
    next: str | None = Field(default=None, max_length=2048, description="the page token of the previous answer")


class TransactionsOut(Items[TransactionOut]):
    """A page of transactions, newest first; `next` is the token of the next page."""


class BudgetIn(Strict):
    limit: str = Field(min_length=1, max_length=32)
    thresholds: list[Annotated[int, Field(ge=1, le=1000)]] = Field(
        default_factory=lambda: [80, 100], min_length=1, max_length=5, description="percentages of the limit, 1 to 1000")
    rollover: Literal["none", "surplus", "overspend"] = Field(default="none", description=(
        "at the month's end: none; carry the surplus into next month; or carry the overspend"))

    _limit_is_string = field_validator("limit", mode="before")(decimal_string)

    @field_validator("thresholds")
    @classmethod
    def _thresholds(cls, v: list[int]) -> list[int]:
        if any(p < 1 or p > 1000 for p in v):
            raise ValueError("thresholds are percentages from 1 to 1000")
        return sorted(set(v))


class BudgetSet(Out):
    category: str
    limit: str
    currency: str
    thresholds: list[int]
    rollover: str


class BudgetOut(Out):
    category: str
    limit: str
    base_limit: str
    carry: str
    rollover: str
    currency: str
    thresholds: list[int]
    spent: str
    month: str
    percent: float


class BudgetsOut(Out):
    items: list[BudgetOut]
    missing_rates: list[str] = Field(default_factory=list, description="currencies of the month without a rate")


class BudgetsQuery(Query):
    month: str | None = Field(default=None, pattern=MONTH,
                              description="YYYY-MM; default: this month in the owner's time zone")


class CategoryIn(Strict):
    name: str = Field(min_length=1, max_length=40)
    kind: Literal["expense", "income"] = "expense"


class CategoryOut(Out):
    slug: str
    name: str
    kind: str
    custom: bool


class CategoriesOut(Items[CategoryOut]):
    """The default categories, then the caller's own."""


class YearQuery(Query):
    year: int = Field(ge=1970, le=2100)


class ExportQuery(Query):
    """A month, or a whole year; `month` wins when both are given, and with neither it is the
    caller's current month (in their time zone)."""

    month: str | None = Field(default=None, pattern=MONTH, description=(
        "a month, YYYY-MM (default: the current month in the caller's time zone); wins over year"))
    year: int | None = Field(default=None, ge=1970, le=2100, description="a whole year, YYYY")


class ChartMonthOut(Out):
    month: str
    spend: str
    income: str
    net: str
    savings_rate: float | None
    by_category: dict[str, str]


class ChartYearOut(Out):
    year: int
    spend: str
    income: str
    net: str
    savings_rate: float | None


class ChartOut(Out):
    """A year of one owner's spending and income in the home currency (the dashboard's charts)."""

    year: int
    currency: str
    generated_at: str
    months: list[ChartMonthOut]
    categories: dict[str, str]
    years: list[ChartYearOut]
    budgets: list[BudgetOut]
    missing_rates: dict[str, list[str]] = Field(
        default_factory=dict, description="month → currencies left out of it for want of a rate")


class ChartUrlOut(Out):
    url: str
    expires_in: int


class ReportBudgetOut(BudgetOut):
    status: Literal["ok", "near", "over"]


class ReportExpenseOut(Out):
    date: str
    category: str
    note: str
    amount: str
    currency: str
    home_amount: str


class MonthReportOut(Out):
    """The monthly report in the home currency (the dashboard renders it as PDF)."""

    month: str
    currency: str
    generated_at: str
    spend: str
    income: str
    net: str
    savings_rate: float | None
    categories: dict[str, str]
    budgets: list[ReportBudgetOut]
    top_expenses: list[ReportExpenseOut]
    count: int
    missing_rates: list[str]


class RatesIn(Strict):
    rates: dict[CurrencyCode, str] = Field(max_length=60, json_schema_extra={"additionalProperties": False},
                                           description='currency → home units per unit, e.g. {"EUR": "1.08"}')


class RatesOut(Out):
    month: str
    base: str
    rates: dict[str, str]
    version: int
    updated_at: str


class RecurringListOut(Items[RecurringOut]):
    """The caller's recurring rules."""


class ImportMapping(Strict):
    date: str = Field(min_length=1, max_length=100)
    amount: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=100)
    category: str | None = Field(default=None, max_length=100)


class ImportIn(Strict):
    csv: str = Field(min_length=1, description="the statement: UTF-8 CSV text with a header row")
    mapping: ImportMapping
    decimal_separator: Literal[".", ","] = "."
    date_format: Literal["iso", "dmy", "mdy"] = "iso"
    sign: Literal["negative_is_expense", "all_expenses", "all_income"] = "negative_is_expense"
    default_category: str = Field(default="other", pattern=SLUG)
    payment_mode: str = Field(default="bank_transfer", json_schema_extra={"enum": list(PAYMENT_MODES)})
    commit: bool = False
    start: int = Field(default=0, ge=0, description="with commit: the first good line to record (0-based)")
    count: int = Field(default=1000, ge=1, le=1000, description="with commit: how many good lines to record")

    _mode = field_validator("payment_mode")(check_payment_mode)


class ImportErrorOut(Out):
    line: int
    field: str
    message: str


class ImportLineOut(Out):
    line: int
    id: str
    kind: str
    amount: str
    date: str
    note: str
    category: str


class ImportPreviewOut(Out):
    """What a statement holds: its lines, the errors of the bad ones, the first good ones."""

    lines: int
    valid: int
    invalid: int
    errors: list[ImportErrorOut]
    currency: str
    preview: list[ImportLineOut]


class ImportCommitOut(ImportPreviewOut):
    """A preview, and what the commit of good lines `start` to `done` (excluded) recorded."""

    start: int
    done: int
    created: int
    existing: int


class ImportOut(RootModel[ImportCommitOut | ImportPreviewOut]):
    """A preview, or with `commit` the preview and what was recorded."""

    model_config = ConfigDict(defer_build=True)
