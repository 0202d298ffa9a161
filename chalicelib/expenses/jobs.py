"""Every scheduled expense job (app.py schedules these): recurring entries, the daily pace warning,
the monthly digest and the month-end close. Each is safe to run twice: occurrences and emails have
deterministic ids and are written only if they do not exist; a carry is written once per month."""
from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from ..core import clock
from ..core.alerts import firing_id, outbox_message, put_once, unsubscribe_url
from ..core.models import OutboxMessage, Profile
from ..core.observability import logger
from ..core.profiles import alerts_enabled, all_profiles, get_profile
from ..core.rollups import read_rollups
from ..core.settings import get_settings
from . import recurring, rules
from .budgets import all_budgets, carry_once, owner_budgets
from .models import Budget, owner_sub
from .rates import home_view


def materialize_due() -> dict[str, int]:
    """Every recurring rule whose next occurrence is due in its owner's time zone: each due
    occurrence recorded once, the rule moved on."""
    horizon = (clock.now() + timedelta(days=1)).date().isoformat()  # time zones run up to 14 h ahead
    today: dict[str, date] = {}
    rules_seen = created = 0
    for rule in recurring.due_rules(horizon):
        rules_seen += 1
        try:
            created += recurring.materialize(rule, recurring.owner_today(rule.pk, today))
        except Exception:  # one broken rule must not stop the others; it is retried next run
            logger.exception("recurring rule failed", extra={"rule": rule.id})
    return {"rules": rules_seen, "created": created}


def _message(profile: Profile, kind: str, firing: str, rule: str, threshold: str, period: str, value: Decimal,
             email: tuple[str, str, str], details: dict[str, Any]) -> OutboxMessage:
    subject, text, html = email
    link = (unsubscribe_url(get_settings().api_url, profile.sub, profile.unsubscribe_token, kind)
            if profile.unsubscribe_token else None)
    return outbox_message(id=firing, scope=profile.pk, recipient=profile.email, alert_type=kind, rule=rule,
                          threshold=threshold, period=period, value=value, subject=subject, text=text, html=html,
                          details=details, unsubscribe_url=link)


def pace_warnings() -> dict[str, int]:
    """Once per budget and month, a warning when this month's pace passes the budget before its end."""
    now = clock.now()
    budgets: dict[str, list[Budget]] = defaultdict(list)
    for b in all_budgets():
        budgets[b.pk].append(b)
    sent = 0
    for owner, items in budgets.items():
        profile = get_profile(owner_sub(owner))
        if profile is None or not profile.email or not alerts_enabled(profile, "pace"):
            continue
        local = now.astimezone(ZoneInfo(profile.time_zone))
        period, mm = local.strftime("%Y-%m"), local.strftime("%m")
        days = calendar.monthrange(local.year, local.month)[1]
        raw = read_rollups([rules.year_key(owner, str(local.year))]).get(rules.year_key(owner, str(local.year)), {})
        totals = home_view(owner, raw, profile.currency, str(local.year)).totals
        for b in items:
            spent = rules.month_spent(totals, mm, b.category)
            limit = rules.effective_limit({"limit": b.limit, "carry": b.carry or {}}, period)
            day = rules.pace_crossing_day(spent, limit, local.day, days)
            if day is None:
                continue
            email = rules.pace_email(category=b.category, period=period, spent=spent, limit=limit,
                                     currency=b.currency, day=local.day, days_in_month=days, crossing_day=day,
                                     dashboard_url=get_settings().dashboard_url)
            msg = _message(profile, "pace", firing_id("pace", owner, b.category, period), f"pace:{b.category}",
                           str(day), period, spent, email, {"category": b.category, "limit": str(limit)})
            sent += put_once(msg)
    return {"owners": len(budgets), "warnings": sent}


def _near_a_first(now: datetime) -> bool:
    """Somewhere on Earth it is the 1st: from 14 h before the UTC 1st to 12 h after its end."""
    first = now.astimezone(timezone.utc).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return any(f - timedelta(hours=14) <= now < f + timedelta(hours=36) for f in (first, nxt))


def monthly_digests() -> dict[str, Any]:
    """On the 1st (from 07:00) in each person's time zone, the digest of the month that ended."""
    now = clock.now()
    if not _near_a_first(now):
        return {"skipped": "nobody is on the 1st"}
    sent = 0
    for profile in all_profiles():
        try:
            sent += _digest(profile, now)
        except Exception:  # one person's digest must not stop the others'; retried next hour
            logger.exception("digest failed", extra={"sub": profile.sub})
    return {"digests": sent}


def _digest(profile: Profile, now: datetime) -> bool:
    local = now.astimezone(ZoneInfo(profile.time_zone))
    if local.day != 1 or local.hour < 7 or not profile.email or not alerts_enabled(profile, "digest"):
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
    msg = _message(profile, "digest", firing_id("digest", owner, period), "digest", "month", period, spend, email,
                   {"income": str(income), "budgets_hit": hit})
    return put_once(msg)


def close_months() -> dict[str, Any]:
    """On each owner's 1st, carry what a rollover budget left of the month that ended into the new one.

    The carry is written once per budget and month (conditional on the month not being there yet), so a
    late or repeated run changes nothing; a missed month is closed when its owner's 1st is seen."""
    now = clock.now()
    if not _near_a_first(now):
        return {"skipped": "nobody is on the 1st"}
    closed = 0
    owners: dict[str, list[Budget]] = defaultdict(list)
    for b in all_budgets():
        if (b.rollover or "none") != "none":
            owners[b.pk].append(b)
    for owner, items in owners.items():
        profile = get_profile(owner_sub(owner))
        local = now.astimezone(ZoneInfo(profile.time_zone if profile else "UTC"))
        if local.day != 1:
            continue
        this = local.strftime("%Y-%m")
        last = (local.replace(day=1) - timedelta(days=1)).date()
        period = last.strftime("%Y-%m")
        raw = read_rollups([rules.year_key(owner, str(last.year))]).get(rules.year_key(owner, str(last.year)), {})
        totals = home_view(owner, raw, items[0].currency, str(last.year)).totals
        for b in items:
            if this in (b.carry or {}):
                continue
            budget = {"limit": b.limit, "carry": b.carry or {}}
            spent = rules.month_spent(totals, f"{last.month:02d}", b.category)
            carry = rules.rollover_carry(b.rollover, rules.effective_limit(budget, period), spent)
            closed += carry_once(b, this, carry)
    return {"closed": closed}
