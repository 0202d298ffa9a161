"""The pure half of the one alert mechanism: thresholds, crossings, firing ids, unsubscribe links.

A rule watches a value of a subject against thresholds. `crossings` is pure: from the value
before and after a change, the thresholds and the rule's armed state it yields the crossings.
Each kind of rule says when it re-arms: a budget with its next period (the period is part of the
firing id), a stock level when it leaves the state (the position's version at the transition is
part of the firing id). A firing's id is deterministic, so a conditional put of its outbox message
(core.alerts) makes it exactly-once. Module rules import this, never core.alerts (which writes).
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal
from urllib.parse import urlencode

Direction = Literal["up", "down"]
ALERT_TYPES = ("budget", "pace", "digest", "stock")  # the kinds of email a person can turn off


@dataclass(frozen=True)
class Threshold:
    name: str  # stable label, e.g. "80" (% of a budget) or "reorder_point"
    level: Decimal  # the absolute value it sits at


@dataclass(frozen=True)
class Crossing:
    threshold: Threshold
    before: Decimal
    after: Decimal
    direction: Direction


def crossings(
    before: Decimal,
    after: Decimal,
    thresholds: Iterable[Threshold],
    direction: Direction = "up",
    armed: Callable[[Threshold], bool] = lambda t: True,
) -> list[Crossing]:
    """Thresholds the value crossed, in the given direction, among those armed.

    Up: before < level <= after (reaching a budget counts). Down: before >= level > after
    (falling below a reorder point counts; landing on it does not).
    """
    out = []
    for t in thresholds:
        if direction == "up":
            hit = before < t.level <= after
        else:
            hit = before >= t.level > after
        if hit and armed(t):
            out.append(Crossing(t, before, after, direction))
    return sorted(out, key=lambda c: c.threshold.level, reverse=(direction == "down"))


def firing_id(*parts: str) -> str:
    """Deterministic id of one firing: the same rule, subject, period and threshold → the same id."""
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


def unsubscribe_url(api_url: str, sub: str, token: str, alert_type: str) -> str:
    """The link that turns one kind of email off for one person (their profile's token proves it)."""
    return f"{api_url}/unsubscribe?" + urlencode({"u": sub, "t": token, "type": alert_type})
