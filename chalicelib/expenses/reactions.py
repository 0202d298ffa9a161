"""What a batch of expenses-table stream records causes: rollups, budget alerts, chart JSON.

Per record (pure, a bad record fails only itself): the transaction images become deltas.
Per batch: deltas are coalesced and applied exactly once with the budget firings (core.rollups);
then each owner in the batch gets their chart JSON republished.
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit

from ..core import charts, clock
from ..core.alerts import put_once
from ..core.db import find
from ..core.models import OutboxMessage, Profile
from ..core.observability import logger, metrics
from ..core.profiles import profile_key
from ..core.rollups import Contribution, RollupChange, apply_contributions, read_rollups
from ..core.streams import process_batch, raw_images
from . import notifications, rules
from .budgets import local_month, owner_budgets
from .models import BUDGET, RATE, TXN, Transaction, month_partition, owner_sub
from .rates import home_view, rates_for
from .reports import chart_name
from .rules.currency import foreign_months, home_totals

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord


def _is_txn(img: dict[str, Any] | None) -> bool:
    return img is not None and str(img.get("sk", "")).startswith(TXN)


def _sequence(record: DynamoDBRecord) -> str:
    """The record's stream sequence number (what a partial batch response names)."""
    if record.dynamodb is None or record.dynamodb.sequence_number is None:
        raise ValueError("a stream record without a sequence number")
    return str(record.dynamodb.sequence_number)


class OwnerContext:
    """An owner's profile and budgets, read at most once per batch."""

    def __init__(self) -> None:
        self._profiles: dict[str, Profile | None] = {}
        self._budgets: dict[str, list[dict[str, Any]]] = {}
        self._months: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def profile(self, owner: str) -> Profile | None:
        if owner not in self._profiles:
            self._profiles[owner] = find(Profile, *profile_key(owner_sub(owner)))
        return self._profiles[owner]

    def budgets(self, owner: str) -> list[dict[str, Any]]:
        if owner not in self._budgets:
            self._budgets[owner] = owner_budgets(owner)
        return self._budgets[owner]

    def month(self, owner: str, period: str) -> list[dict[str, Any]]:
        """The month's transactions (one Query, only when an alert needs its top expenses)."""
        if (owner, period) not in self._months:
            self._months[(owner, period)] = [
                {"kind": t.kind, "amount": t.amount, "date": t.date, "category": t.category, "note": t.note or ""}
                for t in Transaction.by_month.query(month_partition(owner, period), limit=500)]
        return self._months[(owner, period)]


def budget_firings(changes: list[RollupChange], ctx: OwnerContext) -> list[OutboxMessage]:
    """Outbox messages for every budget threshold a change of month spending crossed upward
    (spending in the home currency, at the month's rates)."""
    out = []
    for ch in changes:
        owner, sk = ch.key
        year = sk.split("#", 1)[1]
        budgets = ctx.budgets(owner)
        if year == "all" or not budgets:
            continue
        home = budgets[0]["currency"]
        months = foreign_months(ch.before, home, year) | foreign_months(ch.after, home, year)
        rates = rates_for(owner, months, home)
        before = home_totals(ch.before, home, rates, year).totals
        after = home_totals(ch.after, home, rates, year).totals
        out.extend(month_firings(owner, year, before, after, ctx))
    return out


def month_firings(owner: str, year: str, before: dict[str, Decimal], after: dict[str, Decimal],
                  ctx: OwnerContext) -> list[OutboxMessage]:
    """Crossings of each budget in each month whose home-currency totals moved from before to after."""
    out = []
    months = {name[:2] for name in set(before) | set(after) if name[:2].isdigit() and before.get(name) != after.get(name)}
    for mm in sorted(months):
        for b in ctx.budgets(owner):
            spent_before = rules.month_spent(before, mm, b["category"])
            spent_after = rules.month_spent(after, mm, b["category"])
            limit = rules.effective_limit(b, f"{year}-{mm}")
            for crossing in rules.budget_crossings(spent_before, spent_after, limit, b["thresholds"]):
                msg = _budget_message(owner, f"{year}-{mm}", b, crossing.threshold.name, spent_after, ctx)
                if msg is not None:
                    out.append(msg)
    return out


def rate_firings(owner: str, month: str, old: dict[str, Any] | None, new: dict[str, Any] | None,
                 totals: dict[str, Decimal], ctx: OwnerContext) -> list[OutboxMessage]:
    """A month's rates changed: the crossings of its budgets between the totals at the old rates and
    at the new ones (the rollups themselves do not change)."""
    budgets = ctx.budgets(owner)
    if not budgets:
        return []
    home = budgets[0]["currency"]

    def rates_of(img: dict[str, Any] | None) -> dict[str, dict[str, Decimal]]:
        if not img or img.get("base") != home:
            return {}
        return {month: {k: Decimal(str(v)) for k, v in (img.get("rates") or {}).items()}}

    year = month[:4]
    mm = month[5:7]
    only = {k: v for k, v in totals.items() if k.startswith(f"{mm}:")}
    before = home_totals(only, home, rates_of(old), year).totals
    after = home_totals(only, home, rates_of(new), year).totals
    return month_firings(owner, year, before, after, ctx)


def _budget_message(owner: str, period: str, budget: dict[str, Any], threshold: str, spent: Decimal,
                    ctx: OwnerContext) -> OutboxMessage | None:
    profile = ctx.profile(owner)
    if profile is None or not notifications.wants(profile, "budget"):
        return None
    top = rules.top_expenses(t for t in ctx.month(owner, period)
                             if budget["category"] == rules.TOTAL or t["category"] == budget["category"])
    return notifications.budget_alert(profile, period, budget, threshold, spent, top)


def publish_charts(owner: str, years: set[str], ctx: OwnerContext,
                   known: dict[tuple[str, str], dict[str, Decimal]]) -> None:
    profile = ctx.profile(owner)
    tz = profile.time_zone if profile else "UTC"
    currency = profile.currency if profile else "USD"
    month = local_month(tz)
    all_key = rules.all_years_key(owner)
    keys = [rules.year_key(owner, y) for y in sorted(years | {month[:4]})] + [all_key]
    totals = {k: known[k] for k in keys if k in known}
    missing = [k for k in keys if k not in totals]
    totals.update(read_rollups(missing))
    # every month these items need a rate for, in one read; then each item in the home currency
    need = foreign_months(totals.get(all_key, {}), currency, None)
    for key in keys[:-1]:
        need |= foreign_months(totals.get(key, {}), currency, key[1].split("#", 1)[1])
    rates = rates_for(owner, need, currency)
    views = {key: home_view(owner, totals.get(key, {}), currency, None if key == all_key else key[1].split("#", 1)[1],
                            rates=rates) for key in keys}
    for y in years:
        view = views[rules.year_key(owner, y)]
        doc = rules.chart_document(
            year=int(y), currency=currency, year_totals=view.totals,
            all_totals=views[all_key].totals, budgets=ctx.budgets(owner),
            current_month=month, current_totals=views[rules.year_key(owner, month[:4])].totals,
            generated_at=clock.iso_now(),
        )
        doc["missing_rates"] = view.missing
        charts.publish(owner, chart_name(int(y)), doc)


def handle_expenses_batch(event: dict[str, Any]) -> dict[str, Any]:
    """A batch of expenses-table stream records: rollups and budget firings exactly once, rate
    changes' crossings, then each touched owner's charts (a partial batch response)."""
    contributions: list[Contribution] = []
    rate_changes: list[tuple[str, str, dict[str, Any] | None, dict[str, Any] | None, str]] = []  # owner, month, old, new, sequence
    touched: dict[str, set[str]] = {}  # owner → years whose charts to republish
    seqs_by_owner: dict[str, list[str]] = {}

    def on_record(record: DynamoDBRecord) -> None:
        old, new = raw_images(record)
        img = new or old
        if img is None:
            return
        seq = _sequence(record)
        owner, sk = str(img["pk"]), str(img.get("sk", ""))
        if sk.startswith(RATE):
            rate_changes.append((owner, str(img["month"]), old, new, seq))
            touched.setdefault(owner, set()).add(str(img["month"])[:4])
            seqs_by_owner.setdefault(owner, []).append(seq)
            return
        if not (_is_txn(old) or _is_txn(new)):
            if sk.startswith(BUDGET):
                touched.setdefault(owner, set()).add(clock.now().strftime("%Y"))
                seqs_by_owner.setdefault(owner, []).append(seq)
            return
        c = Contribution(str(record.event_id), seq)
        for image, sign in ((old, -1), (new, 1)):
            if image is not None and _is_txn(image):
                for key, name, amount in rules.contributions(image, sign):
                    c.add(key, name, amount)
                touched.setdefault(image["pk"], set()).add(image["date"][:4])
                seqs_by_owner.setdefault(image["pk"], []).append(c.sequence)
        contributions.append(c)

    def after_records() -> set[str]:
        ctx = OwnerContext()
        result = apply_contributions(contributions, lambda changes: budget_firings(changes, ctx))
        metrics.add_metric(name="RollupWrites", unit=MetricUnit.Count, value=result.writes)
        if result.fired:
            metrics.add_metric(name="BudgetAlertsFired", unit=MetricUnit.Count, value=len(result.fired))
        failed = set(result.failed_sequences)
        for owner, month, old, new, seq in rate_changes:
            try:
                key = rules.year_key(owner, month[:4])
                totals = result.rollups.get(key)
                if totals is None:
                    totals = read_rollups([key]).get(key, {})
                sent = sum(put_once(m) for m in rate_firings(owner, month, old, new, totals, ctx))
                if sent:
                    metrics.add_metric(name="BudgetAlertsFired", unit=MetricUnit.Count, value=sent)
            except Exception:
                logger.exception("rate change failed", extra={"owner": owner, "month": month})
                failed.add(seq)
        for owner, years in touched.items():
            try:
                publish_charts(owner, years, ctx, result.rollups)
            except Exception:
                logger.exception("chart publish failed", extra={"owner": owner})
                failed.update(seqs_by_owner.get(owner, []))
        return failed

    return process_batch(event, on_record, after_records)
