"""Recurring expenses and income: rules, and the job that records each occurrence exactly once."""
from __future__ import annotations

import uuid
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from pynamodb.exceptions import PutError

from ..core import clock
from ..core.auth import Principal
from ..core.errors import InvalidInput, NotFound
from ..core.models import Profile
from ..core.money import fmt, parse_amount
from ..core.observability import logger
from ..core.profiles import profile_key
from ..core.shards import JOB_SHARDS, shard_of
from .api import _build, _check_category, _home_currency
from .models import Recurring, Transaction
from .recurring_rules import occurrence_id, occurrence_on_or_after, occurrences
from .schemas import RecurringIn, TransactionIn

def _schedule(rule: Recurring, next_date: date | None) -> None:
    """Set the next occurrence; a rule with none left leaves the due index."""
    if next_date is not None and rule.end_date and next_date > date.fromisoformat(rule.end_date):
        next_date = None
    rule.next_date = next_date.isoformat() if next_date else None
    if next_date is None:
        rule.gsi3pk = rule.gsi3sk = None
    else:
        rule.gsi3pk = f"DUE#{shard_of(rule.pk)}"
        rule.gsi3sk = f"{rule.next_date}#{rule.pk}#{rule.id}"


def rule_out(r: Recurring) -> dict:
    return {
        "id": r.id, "kind": r.kind, "amount": fmt(r.amount, r.currency), "currency": r.currency,
        "category": r.category, "payment_mode": r.payment_mode, "note": r.note or "", "tags": list(r.tags or []),
        "frequency": r.frequency, "day": int(r.day), "start_date": r.start_date, "end_date": r.end_date,
        "next_date": r.next_date, "version": int(r.version),
    }


def create_rule(user: Principal, data: RecurringIn) -> Recurring:
    _check_category(user, data.category, data.kind)
    currency = data.currency or _home_currency(user)  # rent abroad stays in its own currency
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
        user.owner_key, f"RECUR#{rid}", id=rid, owner=user.sub, kind=data.kind, amount=amount, currency=currency,
        category=data.category, payment_mode=data.payment_mode, note=data.note, tags=data.tags,
        frequency=data.frequency, day=day, start_date=data.start_date, end_date=data.end_date,
        created_at=now, updated_at=now,
    )
    _schedule(rule, occurrence_on_or_after(data.frequency, start, day, start))
    rule.save()
    return rule


def list_rules(user: Principal) -> list[Recurring]:
    return list(Recurring.query(user.owner_key, Recurring.sk.startswith("RECUR#")))


def get_rule(user: Principal, rule_id: str) -> Recurring:
    try:
        return Recurring.get(user.owner_key, f"RECUR#{rule_id}")
    except Recurring.DoesNotExist:
        raise NotFound("no such recurring rule", field="id") from None


def delete_rule(user: Principal, rule_id: str) -> None:
    Recurring(user.owner_key, f"RECUR#{rule_id}").delete(add_version_condition=False)


def _local_today(owner_key: str, cache: dict[str, date]) -> date:
    if owner_key not in cache:
        try:
            tz = Profile.get(*profile_key(owner_key.split("#", 1)[1])).time_zone
        except Profile.DoesNotExist:
            tz = "UTC"
        cache[owner_key] = clock.now().astimezone(ZoneInfo(tz)).date()
    return cache[owner_key]


def materialize(rule: Recurring, today: date) -> int:
    """Record every occurrence of `rule` up to `today` that is not recorded yet; move it on.

    Each occurrence is a transaction whose id comes from the rule and the day, written only if it
    does not exist: running twice, late, or after days down records each occurrence once."""
    if rule.next_date is None or date.fromisoformat(rule.next_date) > today:
        return 0
    start = date.fromisoformat(rule.start_date)
    end = date.fromisoformat(rule.end_date) if rule.end_date else None
    user = Principal(sub=rule.owner, email="")
    now = clock.iso_now()
    created = 0
    for day in occurrences(rule.frequency, start, int(rule.day), date.fromisoformat(rule.next_date), today, end):
        entry = TransactionIn(kind=rule.kind, amount=str(rule.amount), currency=rule.currency,
                              date=day.isoformat(), category=rule.category, payment_mode=rule.payment_mode,
                              note=rule.note or "", tags=list(rule.tags or []))
        txn = _build(user, occurrence_id(rule.id, day), entry, rule.currency, 1, now, now)
        try:
            txn.save(condition=Transaction.pk.does_not_exist())
            created += 1
        except PutError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
    _schedule(rule, occurrence_on_or_after(rule.frequency, start, int(rule.day), today + timedelta(days=1)))
    rule.updated_at = now
    try:
        rule.save()  # versioned: a concurrent run that moved it on first wins, and wrote the same ids
    except PutError:
        logger.info("recurring rule moved on by another run", extra={"rule": rule.id})
    return created


def materialize_due() -> dict:
    """The scheduled job: every rule whose next occurrence is due in its owner's time zone."""
    horizon = (clock.now() + timedelta(days=1)).date().isoformat()  # time zones run up to 14 h ahead
    today: dict[str, date] = {}
    rules = created = 0
    for shard in range(JOB_SHARDS):
        for rule in Recurring.by_job.query(f"DUE#{shard}", Recurring.gsi3sk <= f"{horizon}~"):
            rules += 1
            try:
                created += materialize(rule, _local_today(rule.pk, today))
            except Exception:  # one broken rule must not stop the others; it is retried next run
                logger.exception("recurring rule failed", extra={"rule": rule.id})
    return {"rules": rules, "created": created}
