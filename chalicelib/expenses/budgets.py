"""Budgets: set (keeping what month-end closes carried), remove, progress in a month, and the
month-end carry of a rollover budget."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from ..core import clock
from ..core.auth import Principal
from ..core.db import find, update_if
from ..core.models import Rollup
from ..core.rollups import read_rollups
from ..core.money import fmt, parse_amount
from ..core.profiles import ensure_profile
from ..core.shards import JOB_SHARDS, shard_of
from . import rules
from .categories import check_category
from .models import BUDGET, Budget, budget_job_partition, budget_key
from .rates import home_view
from .schemas import BudgetIn, BudgetOut, BudgetSet, BudgetsOut
from .transactions import home_currency


def local_month(tz: str) -> str:
    """This month (YYYY-MM) in time zone `tz`."""
    return clock.now().astimezone(ZoneInfo(tz)).strftime("%Y-%m")


def budget_record(b: Budget) -> dict[str, Any]:
    """A budget as the rules take it (limit, thresholds, currency, rollover, carry)."""
    return {"category": b.category, "limit": b.limit, "thresholds": [int(p) for p in cast(list[Decimal], b.thresholds)],
            "currency": b.currency, "rollover": b.rollover or "none", "carry": dict(b.carry or {})}


def owner_budgets(owner: str) -> list[dict[str, Any]]:
    """Every budget of one owner's partition, as the rules take them."""
    return [budget_record(b) for b in Budget.query(owner, Budget.sk.startswith(BUDGET))]


def all_budgets() -> Iterator[Budget]:
    """Every budget, shard by shard (the jobs' work list)."""
    for shard in range(JOB_SHARDS):
        yield from Budget.by_job.query(budget_job_partition(shard))


def set_budget(user: Principal, category: str, data: BudgetIn) -> BudgetSet:
    """Set a monthly budget for a category, or `total` for all spending, in the home currency."""
    rules.check_budget_category(category)
    if category != rules.TOTAL:
        check_category(user, category)
    currency = home_currency(user)
    limit = parse_amount(data.limit, currency, field="limit")
    now = clock.iso_now()
    owner = user.owner_key
    B = Budget
    # An upsert that keeps what month-end closes carried: setting the same budget twice is the same budget.
    Budget(*budget_key(owner, category)).update(actions=[
        B.category.set(category), B.limit.set(limit), B.currency.set(currency), B.thresholds.set(cast(Any, data.thresholds)),
        B.rollover.set(data.rollover), B.carry.set(B.carry | {}), B.created_at.set(B.created_at | now),
        B.updated_at.set(now), B.gsi3pk.set(budget_job_partition(shard_of(owner))),
        B.gsi3sk.set(f"{owner}#{category}"),
    ])
    return BudgetSet(category=category, limit=fmt(limit, currency), currency=currency,
                     thresholds=data.thresholds, rollover=data.rollover)


def delete_budget(user: Principal, category: str) -> None:
    """Remove a budget; removing twice is fine."""
    Budget(*budget_key(user.owner_key, category)).delete()


def budget_progress(user: Principal, month: str | None) -> BudgetsOut:
    """Each budget with what is spent in `month` (default: the owner's current month in their time
    zone), in the home currency the budgets are set in, and the month's currencies without a rate."""
    if not month:
        month = local_month(ensure_profile(user.sub, user.email).time_zone)
    budgets = owner_budgets(user.owner_key)
    if not budgets:
        return BudgetsOut(items=[], missing_rates=[])
    year = find(Rollup, *rules.year_key(user.owner_key, month[:4]))
    raw = (year.totals if year is not None else None) or {}
    home = budgets[0]["currency"]
    view = home_view(user.owner_key, raw, home, month[:4])
    items = [BudgetOut(**rules.budget_progress(b, month, rules.month_spent(view.totals, month[5:7], b["category"]),
                                               b["currency"]))
             for b in budgets]
    return BudgetsOut(items=items, missing_rates=view.missing.get(month, []))


def carry_once(budget: Budget, month: str, amount: Decimal) -> bool:
    """Write what the close carries into `month`, unless the budget changed since it was read
    (another run, or its owner): then False, and the next run looks again."""
    return update_if(budget, [Budget.carry.set({**(budget.carry or {}), month: amount})],
                     Budget.updated_at == budget.updated_at)


def close_month(owner: str, budgets: list[Budget], time_zone: str, now: datetime) -> int:
    """On the owner's 1st, carry what each rollover budget left of the month that ended into the new
    one, once per budget and month. Returns how many carries were written."""
    local = now.astimezone(ZoneInfo(time_zone))
    if local.day != 1 or not budgets:
        return 0
    this = local.strftime("%Y-%m")
    last = (local.replace(day=1) - timedelta(days=1)).date()
    period = last.strftime("%Y-%m")
    key = rules.year_key(owner, str(last.year))
    totals = home_view(owner, read_rollups([key]).get(key, {}), budgets[0].currency, str(last.year)).totals
    closed = 0
    for b in budgets:
        if this in (b.carry or {}):
            continue
        budget = {"limit": b.limit, "carry": b.carry or {}}
        spent = rules.month_spent(totals, f"{last.month:02d}", b.category)
        carry = rules.rollover_carry(b.rollover, rules.effective_limit(budget, period), spent)
        closed += carry_once(b, this, carry)
    return closed
