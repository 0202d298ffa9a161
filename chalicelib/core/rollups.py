"""Exactly-once, coalesced rollups from stream records.

Each stream record contributes deltas to one or more rollup items. Per chunk of records:
one BatchGet of the records' markers (already applied ones are dropped), one BatchGet of the
rollup items they touch, then ONE transaction that writes, together: a marker per record
(conditional on not existing), each rollup item once with all its deltas summed (guarded by its
version), and the outbox messages of any threshold crossing (conditional on not existing).
A replayed or retried record therefore changes no total and fires nothing twice, and the
before/after values a rule sees are exact even with concurrent batches.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Callable, Iterable

from pynamodb.exceptions import TransactWriteError
from .db import transaction

from . import clock
from .models import AppliedEvent, OutboxMessage, Rollup
from .observability import logger

RollupKey = tuple[str, str]
MARKER_TTL = timedelta(days=2)
CHUNK_EVENTS = 40  # 40 markers + rollups + firings stay under DynamoDB's 100 items per transaction
MAX_ATTEMPTS = 6


@dataclass
class Contribution:
    """What one stream record adds to rollup items."""

    event_id: str
    sequence: str
    deltas: dict[RollupKey, dict[str, Decimal]] = field(default_factory=dict)

    def add(self, key: RollupKey, name: str, amount: Decimal) -> None:
        bucket = self.deltas.setdefault(key, {})
        bucket[name] = bucket.get(name, Decimal(0)) + amount

    def prune(self) -> None:
        for key in list(self.deltas):
            self.deltas[key] = {k: v for k, v in self.deltas[key].items() if v != 0}
            if not self.deltas[key]:
                del self.deltas[key]


@dataclass(frozen=True)
class RollupChange:
    key: RollupKey
    before: dict[str, Decimal]
    after: dict[str, Decimal]


# A reaction sees every changed rollup item of a chunk and returns the outbox messages to write.
Reaction = Callable[[list[RollupChange]], list[OutboxMessage]]


@dataclass
class ApplyResult:
    failed_sequences: set[str] = field(default_factory=set)
    rollups: dict[RollupKey, dict[str, Decimal]] = field(default_factory=dict)
    writes: int = 0  # rollup item writes
    markers: int = 0
    fired: list[str] = field(default_factory=list)


def apply_contributions(contributions: Iterable[Contribution], react: Reaction | None = None) -> ApplyResult:
    result = ApplyResult()
    todo = [c for c in contributions if (c.prune() or True) and c.deltas]
    for start in range(0, len(todo), CHUNK_EVENTS):
        chunk = todo[start:start + CHUNK_EVENTS]
        try:
            _apply_chunk(chunk, react, result)
        except Exception:  # the chunk's records fail; the rest of the batch goes on
            logger.exception("rollup chunk failed", extra={"events": [c.event_id for c in chunk]})
            result.failed_sequences.update(c.sequence for c in chunk)
    return result


def _marker_key(event_id: str) -> tuple[str, str]:
    return f"EVENT#{event_id}", "APPLIED"


def _apply_chunk(chunk: list[Contribution], react: Reaction | None, result: ApplyResult) -> None:
    skip_firings: set[str] = set()
    for attempt in range(MAX_ATTEMPTS):
        applied = {m.pk for m in AppliedEvent.batch_get([_marker_key(c.event_id) for c in chunk])}
        pending = [c for c in chunk if _marker_key(c.event_id)[0] not in applied]
        if not pending:
            return
        sums: dict[RollupKey, dict[str, Decimal]] = defaultdict(dict)
        for c in pending:
            for key, deltas in c.deltas.items():
                for name, amount in deltas.items():
                    sums[key][name] = sums[key].get(name, Decimal(0)) + amount
        current = {(r.pk, r.sk): r for r in Rollup.batch_get(list(sums))}
        changes, items = [], []
        for key, deltas in sums.items():
            item = current.get(key) or Rollup(key[0], key[1])
            before = dict(item.totals or {})
            after = dict(before)
            for name, amount in deltas.items():
                after[name] = after.get(name, Decimal(0)) + amount
                if after[name] == 0:
                    del after[name]
            item.totals = after
            item.updated_at = clock.iso_now()
            items.append(item)
            changes.append(RollupChange(key, before, after))
        firings = [m for m in (react(changes) if react else []) if m.id not in skip_firings]
        expires = clock.now() + MARKER_TTL
        try:
            with transaction() as tx:
                for c in pending:
                    pk, sk = _marker_key(c.event_id)
                    tx.save(AppliedEvent(pk, sk, expires_at=expires), condition=AppliedEvent.pk.does_not_exist())
                for item in items:
                    tx.save(item)  # VersionAttribute adds the optimistic-lock condition
                for msg in firings:
                    tx.save(msg, condition=OutboxMessage.id.does_not_exist())
        except TransactWriteError as exc:
            reasons = exc.cancellation_reasons or []
            offset = len(pending) + len(items)
            dup = {firings[i - offset].id for i, r in enumerate(reasons)
                   if r is not None and r.code == "ConditionalCheckFailed" and i >= offset}
            if dup:
                skip_firings |= dup  # fired before (an edit back and forth): never again
            logger.info("rollup transaction retried", extra={"attempt": attempt, "reasons": [
                getattr(r, "code", None) for r in reasons]})
            continue
        result.writes += len(items)
        result.markers += len(pending)
        result.fired.extend(m.id for m in firings)
        for item in items:
            result.rollups[(item.pk, item.sk)] = dict(item.totals)
        return
    raise RuntimeError("rollup transaction kept conflicting")


def read_rollups(keys: list[RollupKey]) -> dict[RollupKey, dict[str, Decimal]]:
    return {(r.pk, r.sk): dict(r.totals or {}) for r in Rollup.batch_get(keys)} if keys else {}
