"""The emails expenses send: budget alerts (from the stream), pace warnings and monthly digests
(from the jobs). Each is an outbox message with a deterministic id, written only if it does not
exist, so a replayed record or a repeated run sends nothing twice."""
from __future__ import annotations

import calendar
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from ..core.alert_rules import firing_id, unsubscribe_url
from ..core.alerts import outbox_message, put_once
from ..core.models import OutboxMessage, Profile
from ..core.profiles import alerts_enabled
from ..core.rollups import read_rollups
from ..core.settings import get_settings
from . import rules
from .budgets import owner_budgets
from .models import Budget
from .rates import home_view


def wants(profile: Profile | None, kind: str) -> bool:
    """Whether this person gets emails of `kind` (a profile with an email and that kind on)."""
    return profile is not None and bool(profile.email) and alerts_enabled(profile, kind)


def alert_message(profile: Profile, kind: str, firing: str, rule: str, threshold: str, period: str,
                  value: Decimal, email: tuple[str, str, str], details: dict[str, Any]) -> OutboxMessage:
    """The outbox message of one firing to `profile`, with its unsubscribe link for `kind`."""
    subject, text, html = email
    link = (unsubscribe_url(get_settings().api_url, profile.sub, profile.unsubscribe_token, kind)
            if profile.unsubscribe_token else None)
    return outbox_message(id=firing, scope=profile.pk, recipient=profile.email, alert_type=kind, rule=rule,
                          threshold=threshold, period=period, value=value, subject=subject, text=text, html=html,
                          details=details, unsubscribe_url=link)


def budget_alert(profile: Profile, period: str, budget: dict[str, Any], threshold: str, spent: Decimal,
                 top: list[dict[str, Any]]) -> OutboxMessage:
    """A budget threshold crossed in `period` (the month's top expenses listed in the email)."""
    limit = rules.effective_limit(budget, period)
    email = rules.budget_email(category=budget["category"], period=period, threshold=threshold, spent=spent,
                               limit=limit, currency=budget["currency"], top=top,
                               dashboard_url=get_settings().dashboard_url)
    return alert_message(profile, "budget", firing_id("budget", profile.pk, budget["category"], period, threshold),
                         f"budget:{budget['category']}", threshold, period, spent, email,
                         {"category": budget["category"], "limit": str(limit), "spent": str(spent),
                          "currency": budget["currency"]})


def send_pace_warnings(profile: Profile, budgets: list[Budget], now: datetime) -> int:
    """Once per budget and month, a warning when this month's pace passes the budget before its end.
    Returns how many were sent."""
    owner = profile.pk
    local = now.astimezone(ZoneInfo(profile.time_zone))
    period, mm = local.strftime("%Y-%m"), local.strftime("%m")
    days = calendar.monthrange(local.year, local.month)[1]
    key = rules.year_key(owner, str(local.year))
    totals = home_view(owner, read_rollups([key]).get(key, {}), profile.currency, str(local.year)).totals
    sent = 0
    for b in budgets:
        spent = rules.month_spent(totals, mm, b.category)
        limit = rules.effective_limit({"limit": b.limit, "carry": b.carry or {}}, period)
        day = rules.pace_crossing_day(spent, limit, local.day, days)
        if day is None:
            continue
        email = rules.pace_email(category=b.category, period=period, spent=spent, limit=limit,
                                 currency=b.currency, day=local.day, days_in_month=days, crossing_day=day,
                                 dashboard_url=get_settings().dashboard_url)
        msg = alert_message(profile, "pace", firing_id("pace", owner, b.category, period), f"pace:{b.category}",
                            str(day), period, spent, email, {"category": b.category, "limit": str(limit)})
        sent += put_once(msg)
    return sent


def send_digest(profile: Profile, now: datetime) -> bool:
    """On the 1st (from 07:00) in the person's time zone, the digest of the month that ended: totals,
    budgets reached, biggest changes against the month before. True when it was sent now."""
    local = now.astimezone(ZoneInfo(profile.time_zone))
    if local.day != 1 or local.hour < 7 or not wants(profile, "digest"):
        return False
    last = (local.replace(day=1) - timedelta(days=1)).date()
    before = last.replace(day=1) - timedelta(days=1)
    period, owner = last.strftime("%Y-%m"), profile.pk
    keys = sorted({rules.year_key(owner, str(last.year)), rules.year_key(owner, str(before.year))})
    rollups = read_rollups(keys)
    now_totals = home_view(owner, rollups.get(rules.year_key(owner, str(last.year)), {}), profile.currency,
                           str(last.year)).totals
    before_totals = home_view(owner, rollups.get(rules.year_key(owner, str(before.year)), {}), profile.currency,
                              str(before.year)).totals
    mm, bmm = f"{last.month:02d}", f"{before.month:02d}"
    spend = now_totals.get(f"{mm}:spend", Decimal(0))
    income = now_totals.get(f"{mm}:income", Decimal(0))
    if not spend and not income:
        return False  # nothing recorded: nothing to say
    hit = [b["category"] for b in owner_budgets(owner)
           if rules.month_spent(now_totals, mm, b["category"]) >= rules.effective_limit(b, period)]
    changes = rules.biggest_changes(rules.month_categories(now_totals, mm), rules.month_categories(before_totals, bmm))
    email = rules.digest_email(period=period, currency=profile.currency, spend=spend, income=income,
                               budgets_hit=hit, changes=changes, dashboard_url=get_settings().dashboard_url)
    msg = alert_message(profile, "digest", firing_id("digest", owner, period), "digest", "month", period, spend,
                        email, {"income": str(income), "budgets_hit": hit})
    return put_once(msg)
