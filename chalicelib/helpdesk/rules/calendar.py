"""Business-time arithmetic of a desk's calendar: its time zone, weekly hours and public holidays.

Pure: instants come in as aware datetimes, holidays as a set of local dates (the service asks the
`holidays` library for them). Two functions, each the inverse of the other:

* `elapsed_seconds(cal, start, end)`: business seconds between two instants;
* `after_seconds(cal, start, seconds)`: the instant when that many business seconds have passed.

Weekly hours are wall-clock intervals of the desk's zone, per weekday; an interval whose end is not
after its start runs overnight into the next day ("22:00"–"06:00"), and "24:00" ends a day. A holiday
takes away the intervals that *start* on it. Across a daylight-saving change an interval is as long as
the wall clock says it is in real time (09:00–17:00 is 8 hours; 00:00–24:00 is 23 or 25 hours).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from ...core.errors import InvalidInput

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_WEEK = 7 * 24 * 60
# How far `after_seconds` looks before it gives up: a calendar whose holidays cover ten years of its
# hours has no business time to give.
MAX_DAYS = 3700
_HHMM = re.compile(r"^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$")


@dataclass(frozen=True)
class Interval:
    """Business hours of one weekday: from `start` to `end` minutes after that day's local midnight
    (`end` may pass 1440: the interval runs into the next day)."""

    weekday: int  # 0 = Monday
    start: int
    end: int


@dataclass(frozen=True)
class Calendar:
    zone: str
    intervals: tuple[Interval, ...]
    holidays: frozenset[date] = field(default_factory=frozenset)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)


ALWAYS = Calendar("UTC", tuple(Interval(d, 0, 1440) for d in range(7)))


def minutes_of(hhmm: str, field_name: str) -> int:
    """"09:30" → 570; "24:00" → 1440; anything else is 400 naming the field."""
    m = _HHMM.match(hhmm)
    if not m:
        raise InvalidInput("a time of day is HH:MM (00:00 to 24:00)", field=field_name)
    return 1440 if hhmm == "24:00" else int(m.group(1)) * 60 + int(m.group(2))


def interval(weekday: int, start: str, end: str, field_name: str = "hours") -> Interval:
    """An interval from wall-clock times; an end not after the start runs overnight."""
    s, e = minutes_of(start, field_name), minutes_of(end, field_name)
    if s == 1440:
        raise InvalidInput("an interval starts before 24:00", field=field_name)
    if e <= s:
        e += 1440
    return Interval(weekday, s, e)


def check_intervals(intervals: Iterable[Interval], field_name: str = "hours") -> tuple[Interval, ...]:
    """Intervals sorted, refusing overlaps within the week (an overnight interval included) and an
    empty week (400 naming the field)."""
    out = tuple(sorted(intervals, key=lambda i: (i.weekday, i.start)))
    if not out:
        raise InvalidInput("a calendar needs some business hours", field=field_name)
    spans = sorted(((i.weekday * 1440 + i.start), (i.weekday * 1440 + i.end)) for i in out)
    # wrap the week: an interval running past Sunday midnight continues on Monday
    wrapped = spans + [(s + MINUTES_PER_WEEK, e + MINUTES_PER_WEEK) for s, e in spans]
    for (s1, e1), (s2, _) in zip(wrapped, wrapped[1:]):
        if s2 < e1:
            raise InvalidInput("business hours overlap", field=field_name)
    return out


def _utc(t: datetime) -> datetime:
    if t.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    return t.astimezone(timezone.utc)


def _local_instant(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time `minutes` after the local midnight of `day`. A time that a
    DST change skips is read with the offset before the change (moved later by the gap, as java.time
    does); a repeated one is its first occurrence (fold 0)."""
    d = day + timedelta(days=minutes // 1440)
    m = minutes % 1440
    return datetime.combine(d, time(m // 60, m % 60), tzinfo=tz).astimezone(timezone.utc)


def _spans(cal: Calendar, first: date) -> Iterator[tuple[datetime, datetime]]:
    """Business spans in UTC, in order, of the intervals starting on `first` and later."""
    tz = cal.tz
    by_day: dict[int, list[Interval]] = {}
    for i in cal.intervals:
        by_day.setdefault(i.weekday, []).append(i)
    for n in range(MAX_DAYS):
        day = first + timedelta(days=n)
        if day in cal.holidays:
            continue
        for i in by_day.get(day.weekday(), ()):
            s, e = _local_instant(day, i.start, tz), _local_instant(day, i.end, tz)
            if e > s:
                yield s, e


def _first_day(cal: Calendar, t: datetime) -> date:
    # an overnight interval of the day before may still run at t
    return t.astimezone(cal.tz).date() - timedelta(days=1)


def elapsed_seconds(cal: Calendar, start: datetime, end: datetime) -> int:
    """Whole business seconds in [start, end) (0 when end is not after start)."""
    a, b = _utc(start), _utc(end)
    if b <= a:
        return 0
    total = timedelta()
    for s, e in _spans(cal, _first_day(cal, a)):
        if s >= b:
            break
        lo, hi = max(s, a), min(e, b)
        if hi > lo:
            total += hi - lo
    return int(total.total_seconds())


def after_seconds(cal: Calendar, start: datetime, seconds: int) -> datetime:
    """The first instant at which `seconds` business seconds have passed since `start` (start itself
    for 0). Raises ValueError when the calendar has no such time within MAX_DAYS."""
    a = _utc(start)
    left = timedelta(seconds=max(0, seconds))
    if not left:
        return a
    for s, e in _spans(cal, _first_day(cal, a)):
        if e <= a:
            continue
        lo = max(s, a)
        if e - lo >= left:
            return lo + left
        left -= e - lo
    raise ValueError("the calendar has no business time left")
