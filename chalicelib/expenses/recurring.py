"""Recurring expenses and income: create, list, get and delete rules; record a rule's due
occurrences, each exactly once (the scheduled entry point is `jobs.materialize_due`)."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from ..core import clock
from ..core.auth import Principal
from ..core.db import get_or, put_if_new, save_if
from ..core.errors import InvalidInput, NotFound
from ..core.money import fmt, parse_amount
from ..core.observability import logger
from ..core.profiles import get_profile
from ..core.shards import JOB_SHARDS, shard_of
from .categories import check_category
from .models import RECUR, Recurring, due_job_partition, owner_sub, recurring_key
from .rules.recurring import occurrence_id, occurrence_on_or_after, occurrences
from .schemas import RecurringIn, RecurringListOut, RecurringOut, TransactionIn
from .transactions import build_transaction, home_currency


def _schedule(rule: Recurring, next_date: date | None) -> None:
    """Set the next occurrence; a rule with none left leaves the due index."""
    if next_date is not None and rule.end_date and next_date > date.fromisoformat(rule.end_date):
        next_date = None
    rule.next_date = next_date.isoformat() if next_date else None
    if next_date is None:
        rule.gsi3pk = rule.gsi3sk = None
    else:
        rule.gsi3pk = due_job_partition(shard_of(rule.pk))
        rule.gsi3sk = f"{rule.next_date}#{rule.pk}#{rule.id}"


def rule_out(r: Recurring) -> RecurringOut:
    """A stored rule as the API gives it."""
    return RecurringOut(
        id=r.id, kind=r.kind, amount=fmt(r.amount, r.currency), currency=r.currency,
        category=r.category, payment_mode=r.payment_mode, note=r.note or "", tags=[str(tag) for tag in r.tags or []],
        frequency=r.frequency, day=int(r.day), start_date=r.start_date, end_date=r.end_date,
        next_date=r.next_date, version=int(r.version),
    )


def create_rule(user: Principal, data: RecurringIn) -> Recurring:
    """Start a recurring expense or income, its first occurrence scheduled."""
    check_category(user, data.category)
    currency = data.currency or home_currency(user)  # rent abroad stays in its own currency
    amount = parse_amount(data.amount, currency)
    start = date.fromisoformat(data.start_date)
    end = date.fromisoformat(data.end_date) if data.end_date else None
    if end and end < start:
        raise InvalidInput("end_date is before start_date", field="end_date")
    if data.day is None:
        day = start.weekday() if data.frequency == "weekly" else start.day
    else:
        day = data.day
        if data.frequency == "weekly" and day > 6:
            raise InvalidInput("a weekly rule's day is a weekday, 0 (Monday) to 6", field="day")
        if data.frequency != "weekly" and day < 1:
            raise InvalidInput("a monthly or yearly rule's day is 1 to 31", field="day")
    now = clock.iso_now()
    rid = str(uuid.uuid4())
    rule = Recurring(
        *recurring_key(user.owner_key, rid), id=rid, owner=user.sub, kind=data.kind, amount=amount, currency=currency,
        category=data.category, payment_mode=data.payment_mode, note=data.note, tags=data.tags,
        frequency=data.frequency, day=day, start_date=data.start_date, end_date=data.end_date,
        created_at=now, updated_at=now,
    )
    _schedule(rule, occurrence_on_or_after(data.frequency, start, day, start))
    rule.save()
    return rule


def list_rules(user: Principal) -> RecurringListOut:
    """The caller's recurring rules with their next dates."""
    return RecurringListOut(items=[rule_out(r) for r in Recurring.query(user.owner_key,
                                                                        Recurring.sk.startswith(RECUR))])


def get_rule(user: Principal, rule_id: str) -> Recurring:
    return get_or(Recurring, *recurring_key(user.owner_key, rule_id),
                  missing=lambda: NotFound("no such recurring rule", field="id"))


def delete_rule(user: Principal, rule_id: str) -> None:
    """Stop a rule (deleting twice is fine); what it already recorded stays."""
    Recurring(*recurring_key(user.owner_key, rule_id)).delete(add_version_condition=False)


def due_rules(horizon: str) -> Iterator[Recurring]:
    """Every rule whose next occurrence is on or before `horizon` (YYYY-MM-DD), shard by shard."""
    for shard in range(JOB_SHARDS):
        yield from Recurring.by_job.query(due_job_partition(shard), Recurring.gsi3sk <= f"{horizon}~")


def owner_today(owner: str, cache: dict[str, date]) -> date:
    """Today in the owner's time zone (UTC without a profile), read once per owner through `cache`."""
    if owner not in cache:
        profile = get_profile(owner_sub(owner))
        tz = profile.time_zone if profile is not None else "UTC"
        cache[owner] = clock.now().astimezone(ZoneInfo(tz)).date()
    return cache[owner]


def materialize(rule: Recurring, today: date) -> int:
    """Record every occurrence of `rule` up to `today` that is not recorded yet; move it on.

    Each occurrence is a transaction whose id comes from the rule and the day, written only if it
    does not exist: running twice, late, or after days down records each occurrence once."""
    if rule.next_date is None or date.fromisoformat(rule.next_date) > today:
        return 0
    start = date.fromisoformat(rule.start_date)
    end = date.fromisoformat(rule.end_date) if rule.end_date else None
    now = clock.iso_now()
    created = 0
    for day in occurrences(rule.frequency, start, int(rule.day), date.fromisoformat(rule.next_date), today, end):
        entry = TransactionIn.model_validate({
            "kind": rule.kind, "amount": str(rule.amount), "currency": rule.currency, "date": day.isoformat(),
            "category": rule.category, "payment_mode": rule.payment_mode, "note": rule.note or "",
            "tags": [str(tag) for tag in rule.tags or []]})
        txn = build_transaction(rule.owner, occurrence_id(rule.id, day), entry, rule.currency, 1, now, now)
        created += put_if_new(txn)
    _schedule(rule, occurrence_on_or_after(rule.frequency, start, int(rule.day), today + timedelta(days=1)))
    rule.updated_at = now
    # versioned: a concurrent run that moved it on first wins, and wrote the same ids
    if not save_if(rule, None):
        logger.info("recurring rule moved on by another run", extra={"rule": rule.id})
    return created
