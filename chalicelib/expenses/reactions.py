"""What a batch of expenses-table stream records causes: rollups, budget alerts, chart JSON.

Per record (pure, a bad record fails only itself): the transaction images become deltas.
Per batch: deltas are coalesced and applied exactly once with the budget firings (core.rollups);
then each owner in the batch gets their chart JSON republished.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from ..core import charts, clock
from ..core.alerts import firing_id, outbox_message, unsubscribe_url
from ..core.models import OutboxMessage, Profile
from ..core.observability import logger, metrics
from ..core.profiles import alerts_enabled, profile_key
from ..core.rollups import Contribution, RollupChange, apply_contributions, read_rollups
from ..core.settings import get_settings
from ..core.streams import process_batch, raw_images
from . import rules
from .api import chart_name, local_month, owner_budgets
from .models import Transaction


def _is_txn(img: dict[str, Any] | None) -> bool:
    return bool(img) and str(img.get("sk", "")).startswith("TXN#")


class OwnerContext:
    """An owner's profile and budgets, read at most once per batch."""

    def __init__(self) -> None:
        self._profiles: dict[str, Profile | None] = {}
        self._budgets: dict[str, list[dict]] = {}
        self._months: dict[tuple[str, str], list[dict]] = {}

    def profile(self, owner: str) -> Profile | None:
        if owner not in self._profiles:
            try:
                self._profiles[owner] = Profile.get(*profile_key(owner.split("#", 1)[1]))
            except Profile.DoesNotExist:
                self._profiles[owner] = None
        return self._profiles[owner]

    def budgets(self, owner: str) -> list[dict]:
        if owner not in self._budgets:
            self._budgets[owner] = owner_budgets(owner)
        return self._budgets[owner]

    def month(self, owner: str, period: str) -> list[dict]:
        """The month's transactions (one Query, only when an alert needs its top expenses)."""
        if (owner, period) not in self._months:
            self._months[(owner, period)] = [
                {"kind": t.kind, "amount": t.amount, "date": t.date, "category": t.category, "note": t.note or ""}
                for t in Transaction.by_month.query(f"{owner}#{period}", limit=500)]
        return self._months[(owner, period)]


def budget_firings(changes: list[RollupChange], ctx: OwnerContext) -> list[OutboxMessage]:
    """Outbox messages for every budget threshold a change of month spending crossed upward."""
    out = []
    for ch in changes:
        owner, sk = ch.key
        year = sk.split("#", 1)[1]
        if year == "all":
            continue
        months = {name[:2] for name in set(ch.before) | set(ch.after) if name[:2].isdigit()
                  and ch.before.get(name) != ch.after.get(name)}
        for mm in sorted(months):
            for b in ctx.budgets(owner):
                before = rules.month_spent(ch.before, mm, b["category"])
                after = rules.month_spent(ch.after, mm, b["category"])
                limit = rules.effective_limit(b, f"{year}-{mm}")
                for crossing in rules.budget_crossings(before, after, limit, b["thresholds"]):
                    msg = _budget_message(owner, f"{year}-{mm}", b, crossing.threshold.name, after, ctx)
                    if msg is not None:
                        out.append(msg)
    return out


def _budget_message(owner: str, period: str, budget: dict, threshold: str, spent: Decimal,
                    ctx: OwnerContext) -> OutboxMessage | None:
    profile = ctx.profile(owner)
    if profile is None or not profile.email or not alerts_enabled(profile, "budget"):
        return None
    top = rules.top_expenses(t for t in ctx.month(owner, period)
                             if budget["category"] == rules.TOTAL or t["category"] == budget["category"])
    subject, text, html = rules.budget_email(
        category=budget["category"], period=period, threshold=threshold, spent=spent,
        limit=rules.effective_limit(budget, period), currency=budget["currency"], top=top,
        dashboard_url=get_settings().dashboard_url,
    )
    rule = f"budget:{budget['category']}"
    return outbox_message(
        id=firing_id("budget", owner, budget["category"], period, threshold),
        scope=owner, recipient=profile.email, alert_type="budget", rule=rule, threshold=threshold,
        period=period, value=spent, subject=subject, text=text, html=html,
        details={"category": budget["category"], "limit": str(rules.effective_limit(budget, period)), "spent": str(spent),
                 "currency": budget["currency"]},
        unsubscribe_url=(unsubscribe_url(get_settings().api_url, profile.sub, profile.unsubscribe_token, "budget")
                         if profile.unsubscribe_token else None),
    )


def publish_charts(owner: str, years: set[str], ctx: OwnerContext, known: dict) -> None:
    profile = ctx.profile(owner)
    tz = profile.time_zone if profile else "UTC"
    currency = profile.currency if profile else "USD"
    month = local_month(tz)
    keys = [rules.year_key(owner, y) for y in sorted(years | {month[:4]})] + [rules.all_years_key(owner)]
    totals = {k: known[k] for k in keys if k in known}
    missing = [k for k in keys if k not in totals]
    totals.update(read_rollups(missing))
    for y in years:
        doc = rules.chart_document(
            year=int(y), currency=currency, year_totals=totals.get(rules.year_key(owner, y), {}),
            all_totals=totals.get(rules.all_years_key(owner), {}), budgets=ctx.budgets(owner),
            current_month=month, current_totals=totals.get(rules.year_key(owner, month[:4]), {}),
            generated_at=clock.iso_now(),
        )
        charts.publish(owner, chart_name(int(y)), doc)


def handle_expenses_batch(event: dict) -> dict:
    contributions: list[Contribution] = []
    touched: dict[str, set[str]] = {}  # owner → years whose charts to republish
    seqs_by_owner: dict[str, list[str]] = {}

    def on_record(record) -> None:
        old, new = raw_images(record)
        if not (_is_txn(old) or _is_txn(new)):
            if (old or new or {}).get("sk", "").startswith("BUDGET#"):
                owner = (new or old)["pk"]
                touched.setdefault(owner, set()).add(clock.now().strftime("%Y"))
                seqs_by_owner.setdefault(owner, []).append(record.dynamodb.sequence_number)
            return
        c = Contribution(record.event_id, record.dynamodb.sequence_number)
        for img, sign in ((old, -1), (new, 1)):
            if _is_txn(img):
                for key, name, amount in rules.contributions(img, sign):
                    c.add(key, name, amount)
                touched.setdefault(img["pk"], set()).add(img["date"][:4])
                seqs_by_owner.setdefault(img["pk"], []).append(c.sequence)
        contributions.append(c)

    def after_records() -> set[str]:
        ctx = OwnerContext()
        result = apply_contributions(contributions, lambda changes: budget_firings(changes, ctx))
        metrics.add_metric(name="RollupWrites", unit=MetricUnit.Count, value=result.writes)
        if result.fired:
            metrics.add_metric(name="BudgetAlertsFired", unit=MetricUnit.Count, value=len(result.fired))
        failed = set(result.failed_sequences)
        for owner, years in touched.items():
            try:
                publish_charts(owner, years, ctx, result.rollups)
            except Exception:
                logger.exception("chart publish failed", extra={"owner": owner})
                failed.update(seqs_by_owner.get(owner, []))
        return failed

    return process_batch(event, on_record, after_records)
