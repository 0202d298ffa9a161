"""Every scheduled expense job (app.py schedules these): recurring entries, the daily pace warning,
the monthly digest and the month-end close. Each walks its work list and calls a service per owner
or rule; each is safe to run twice (occurrences and emails have deterministic ids and are written
only if they do not exist; a carry is written once per month)."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from ..core import clock
from ..core.observability import logger
from ..core.profiles import all_profiles, get_profile
from . import budgets, notifications, recurring, rules
from .models import Budget, owner_sub


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


def _by_owner(only_rollover: bool = False) -> dict[str, list[Budget]]:
    owners: dict[str, list[Budget]] = defaultdict(list)
    for b in budgets.all_budgets():
        if not only_rollover or (b.rollover or "none") != "none":
            owners[b.pk].append(b)
    return owners


def pace_warnings() -> dict[str, int]:
    """Daily: once per budget and month, a warning when this month's pace passes the budget before its end."""
    now = clock.now()
    owners = _by_owner()
    sent = 0
    for owner, items in owners.items():
        profile = get_profile(owner_sub(owner))
        if profile is not None and notifications.wants(profile, "pace"):
            sent += notifications.send_pace_warnings(profile, items, now)
    return {"owners": len(owners), "warnings": sent}


def monthly_digests() -> dict[str, Any]:
    """Hourly around the turn of a month: on the 1st (from 07:00) in each person's time zone, the
    digest of the month that ended."""
    now = clock.now()
    if not rules.near_a_first(now):
        return {"skipped": "nobody is on the 1st"}
    sent = 0
    for profile in all_profiles():
        try:
            sent += notifications.send_digest(profile, now)
        except Exception:  # one person's digest must not stop the others'; retried next hour
            logger.exception("digest failed", extra={"sub": profile.sub})
    return {"digests": sent}


def close_months() -> dict[str, Any]:
    """Hourly around the turn of a month: on each owner's 1st, rollover budgets carry what they left
    of the month that ended into the new one.

    The carry is written once per budget and month (conditional on the budget not having changed), so a
    late or repeated run changes nothing; a missed month is closed when its owner's 1st is seen."""
    now = clock.now()
    if not rules.near_a_first(now):
        return {"skipped": "nobody is on the 1st"}
    closed = 0
    for owner, items in _by_owner(only_rollover=True).items():
        profile = get_profile(owner_sub(owner))
        closed += budgets.close_month(owner, items, profile.time_zone if profile else "UTC", now)
    return {"closed": closed}
