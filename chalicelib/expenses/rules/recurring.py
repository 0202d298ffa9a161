"""Pure rules of recurring transactions: when a rule's occurrences fall. No I/O."""
from __future__ import annotations

import calendar
import uuid
from datetime import date, timedelta
from typing import Iterator

NAMESPACE = uuid.UUID("0b7f3c52-9a51-4c8e-8f3e-7f4f0a3c2d11")
FREQUENCIES = ("monthly", "weekly", "yearly")


def clamp(year: int, month: int, day: int) -> date:
    """`day` of the month, or the month's last day when it has fewer days (31 → Feb 28/29)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def occurrence_on_or_after(frequency: str, anchor: date, day: int, start: date) -> date:
    """The first occurrence on or after `start`.

    monthly: on `day` (1–31, clamped to the month's end); weekly: on weekday `day` (0 = Monday);
    yearly: on `anchor`'s month and `day` (Feb 29 becomes Feb 28 in other years).
    """
    if frequency == "weekly":
        return start + timedelta(days=(day - start.weekday()) % 7)
    if frequency == "monthly":
        d = clamp(start.year, start.month, day)
        if d < start:
            y, m = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
            d = clamp(y, m, day)
        return d
    if frequency == "yearly":
        d = clamp(start.year, anchor.month, day)
        return d if d >= start else clamp(start.year + 1, anchor.month, day)
    raise ValueError(f"unknown frequency {frequency!r}")


def occurrences(frequency: str, anchor: date, day: int, start: date, until: date,
                end: date | None = None) -> Iterator[date]:
    """Every occurrence from `start` to `until` (both included), stopping at `end` if given."""
    last = min(until, end) if end else until
    d = occurrence_on_or_after(frequency, anchor, day, start)
    while d <= last:
        yield d
        d = occurrence_on_or_after(frequency, anchor, day, d + timedelta(days=1))


def occurrence_id(rule_id: str, on: date) -> str:
    """The transaction id of one occurrence: the same rule and day always give the same id."""
    return str(uuid.uuid5(NAMESPACE, f"{rule_id}:{on.isoformat()}"))
