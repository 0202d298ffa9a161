"""Exactly-once, coalesced rollups from stream records.

Each stream record contributes deltas to one or more rollup items. A rollup item remembers, in
`applied`, the eventIDs of the records it has absorbed in the last day (a stream keeps records
24 h, and the event sources give up on a record after an hour), so a replayed or retried record
changes no total. Per batch: one BatchGet of the rollup items the records touch; each item's new
records are summed (coalesced) into one new version; then one transaction writes, per group of
scopes, every changed item once (guarded by its version) together with the outbox messages of any
threshold crossing (conditional on not existing). The before/after values a rule sees are exact
even with concurrent batches, and a firing happens once.

An item's `applied` map holds one entry per record of the last day that touched it: a scope whose
records per day would make the item large (a hot product) shards its rollup keys.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Callable, Iterable

from pynamodb.exceptions import TransactWriteError

from . import clock
from .db import failed_actions, transaction
from .models import OutboxMessage, Rollup
from .observability import logger

RollupKey = tuple[str, str]
APPLIED_FOR = timedelta(hours=26)
MAX_TRANSACTION_ITEMS = 100  # DynamoDB's limit: rollup items and firings of the scopes in one group
MAX_ATTEMPTS = 6
SCOPES_PER_TRANSACTION = 10


@dataclass
class Contribution:
    """What one stream record adds to rollup items."""

    event_id: str
    sequence: str
    deltas: dict[RollupKey, dict[str, Decimal]] = field(default_factory=dict)

    def add(self, key: RollupKey, name: str, amount: Decimal) -> None:
        bucket = self.deltas.setdefault(key, {})
        bucket[name] = bucket.get(name, Decimal(0)) + amount

    def prune(self) -> "Contribution":
        for key in list(self.deltas):
            self.deltas[key] = {k: v for k, v in self.deltas[key].items() if v != 0}
            if not self.deltas[key]:
                del self.deltas[key]
        return self


@dataclass(frozen=True)
class RollupChange:
    key: RollupKey
    before: dict[str, Decimal]
    after: dict[str, Decimal]


# A reaction sees the changed rollup items of a group and returns the outbox messages to write.
Reaction = Callable[[list[RollupChange]], list[OutboxMessage]]


@dataclass
class ApplyResult:
    failed_sequences: set[str] = field(default_factory=set)
    rollups: dict[RollupKey, dict[str, Decimal]] = field(default_factory=dict)
    writes: int = 0  # rollup item writes
    transactions: int = 0
    fired: list[str] = field(default_factory=list)


def apply_contributions(contributions: Iterable[Contribution], react: Reaction | None = None) -> ApplyResult:
    """Apply each record's deltas once. Records of a scope (the rollup key's pk) commit together;
    a group that keeps failing fails only its own records."""
    result = ApplyResult()
    by_scope: dict[str, list[Contribution]] = defaultdict(list)
    for c in contributions:
        c.prune()
        for scope in {key[0] for key in c.deltas}:
            by_scope[scope].append(c)
    scopes = sorted(by_scope)
    for start in range(0, len(scopes), SCOPES_PER_TRANSACTION):
        group = {s: by_scope[s] for s in scopes[start:start + SCOPES_PER_TRANSACTION]}
        try:
            _apply_group(group, react, result)
        except Exception:  # these scopes' records fail; the rest of the batch goes on
            logger.exception("rollup group failed", extra={"scopes": list(group)})
            result.failed_sequences.update(c.sequence for cs in group.values() for c in cs)
    return result


def _apply_group(group: dict[str, list[Contribution]], react: Reaction | None, result: ApplyResult) -> None:
    keys = sorted({key for scope, cs in group.items() for c in cs for key in c.deltas if key[0] == scope})
    skip_firings: set[str] = set()
    for attempt in range(MAX_ATTEMPTS):
        current = {(r.pk, r.sk): r for r in Rollup.batch_get(keys)}
        now = clock.now()
        horizon = (now - APPLIED_FOR).isoformat()
        stamp = now.isoformat()
        items, changes = [], []
        for key in keys:
            item = current.get(key) or Rollup(key[0], key[1])
            applied = dict(item.applied or {})
            new = [c for scope_cs in (group[key[0]],) for c in scope_cs
                   if key in c.deltas and c.event_id not in applied]
            if not new:
                continue
            before = dict(item.totals or {})
            after = dict(before)
            for c in new:
                for name, amount in c.deltas[key].items():
                    after[name] = after.get(name, Decimal(0)) + amount
                    if after[name] == 0:
                        del after[name]
            item.totals = after
            item.applied = {e: t for e, t in applied.items() if t >= horizon} | {c.event_id: stamp for c in new}
            item.updated_at = clock.iso_now()
            items.append(item)
            changes.append(RollupChange(key, before, after))
        if not items:
            return  # every record here was applied before: a replay
        firings = [m for m in (react(changes) if react else []) if m.id not in skip_firings]
        if len(items) + len(firings) > MAX_TRANSACTION_ITEMS:
            raise RuntimeError("too many rollup items and firings for one transaction: use fewer scopes per group")
        try:
            with transaction() as tx:
                for item in items:
                    tx.save(item)  # VersionAttribute adds the optimistic-lock condition
                for msg in firings:
                    tx.save(msg, condition=OutboxMessage.id.does_not_exist())
        except TransactWriteError as exc:
            reasons = exc.cancellation_reasons or []
            dup = {firings[i - len(items)].id for i in failed_actions(exc) if i >= len(items)}
            skip_firings |= dup  # fired before (an edit back and forth): never again
            logger.info("rollup transaction retried", extra={
                "attempt": attempt, "reasons": [getattr(r, "code", None) for r in reasons]})
            continue
        result.writes += len(items)
        result.transactions += 1
        result.fired.extend(m.id for m in firings)
        for item in items:
            result.rollups[(item.pk, item.sk)] = dict(item.totals)
        return
    raise RuntimeError("rollup transaction kept conflicting")


def read_rollups(keys: list[RollupKey]) -> dict[RollupKey, dict[str, Decimal]]:
    return {(r.pk, r.sk): dict(r.totals or {}) for r in Rollup.batch_get(keys)} if keys else {}
