"""What the expenses API takes and gives."""
from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import Field, field_validator

from ..core.schemas import Out, Query, Strict
from .rules import PAYMENT_MODES

SLUG = r"^[a-z0-9][a-z0-9_-]{0,39}$"


def decimal_string(v):
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
    payment_mode: str = Field(description=" | ".join(PAYMENT_MODES))
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
    month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")
    category: str | None = Field(default=None, pattern=SLUG)
    limit: int = Field(default=50, ge=1, le=200)
    next: str | None = Field(default=None, max_length=2048)


class BudgetIn(Strict):
    limit: str = Field(min_length=1, max_length=32)
    thresholds: list[int] = Field(default_factory=lambda: [80, 100], min_length=1, max_length=5)
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


class CategoryIn(Strict):
    name: str = Field(min_length=1, max_length=40)
    kind: Literal["expense", "income"] = "expense"


class YearQuery(Query):
    year: int = Field(ge=1970, le=2100)


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
    payment_mode: str = "bank_transfer"
    commit: bool = False
    start: int = Field(default=0, ge=0, description="with commit: the first good line to record (0-based)")
    count: int = Field(default=1000, ge=1, le=1000, description="with commit: how many good lines to record")

    _mode = field_validator("payment_mode")(check_payment_mode)
