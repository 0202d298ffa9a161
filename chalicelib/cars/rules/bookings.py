"""Bookings, pure: a location's opening hours and closed dates → the slots of a day; whether a start is
one of them; when the reminder is due; the emails' text. No clock: `now` is always passed in.

Hours are wall-clock times in the location's time zone, per weekday (`mon` … `sun`), each a list of
[open, close] periods ("HH:MM", close after open, periods not overlapping). A slot fits wholly inside a
period; slots start at the period's opening and follow each other every `slot_minutes`. A wall-clock
time that does not exist on a day (the hour skipped when clocks go forward) is no slot.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from ...core.errors import InvalidInput

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BOOKING_KINDS = ("test_drive", "service")
STATUSES = ("confirmed", "cancelled")
REMIND_BEFORE = timedelta(hours=24)
MAX_DAYS_AHEAD = 120  # how far ahead a customer can book
HOUR_PATTERN = r"^(?:[01]\d|2[0-3]):[0-5]\d$"


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def check_hours(hours: dict[str, list[list[str]]], slot_minutes: int) -> None:
    """Each weekday's periods open before they close, do not overlap and hold at least one slot;
    else a 400 naming `hours.<day>`."""
    for day, periods in hours.items():
        if day not in WEEKDAYS:
            raise InvalidInput(f"unknown weekday (one of {', '.join(WEEKDAYS)})", field=f"hours.{day}")
        spans = sorted((_minutes(a), _minutes(b)) for a, b in periods)
        for i, (a, b) in enumerate(spans):
            if b - a < slot_minutes:
                raise InvalidInput("a period must close after it opens and hold at least one slot",
                                   field=f"hours.{day}")
            if i and a < spans[i - 1][1]:
                raise InvalidInput("periods overlap", field=f"hours.{day}")


@dataclass(frozen=True)
class Hours:
    """A location's booking calendar."""

    time_zone: str
    slot_minutes: int
    weekly: dict[str, list[list[str]]]
    closed: frozenset[str]  # YYYY-MM-DD, local dates

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


def _local(day: date, hhmm: str, zone: ZoneInfo) -> datetime | None:
    """The aware local time, or None when that wall-clock time does not exist on that day."""
    hour, minute = (int(p) for p in hhmm.split(":"))
    naive = datetime.combine(day, time(hour, minute))
    aware = naive.replace(tzinfo=zone)
    if aware.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) != naive:
        return None
    return aware


def day_slots(hours: Hours, day: date) -> list[datetime]:
    """The UTC starts of the slots of a local day, in order (none on a closed date)."""
    if day.isoformat() in hours.closed:
        return []
    zone, step = hours.zone, hours.slot_minutes
    starts: list[datetime] = []
    for a, b in sorted(hours.weekly.get(WEEKDAYS[day.weekday()], [])):
        m = _minutes(a)
        while m + step <= _minutes(b):
            local = _local(day, f"{m // 60:02d}:{m % 60:02d}", zone)
            if local is not None:
                starts.append(local.astimezone(timezone.utc))
            m += step
    return starts


def local_day(start: datetime, hours: Hours) -> date:
    return start.astimezone(hours.zone).date()


def day_bounds(hours: Hours, day: date) -> tuple[datetime, datetime]:
    """The UTC instants where a local day begins and ends."""
    begin = datetime.combine(day, time(0), tzinfo=hours.zone)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=hours.zone)
    return begin.astimezone(timezone.utc), end.astimezone(timezone.utc)


def check_start(start: datetime, hours: Hours, now: datetime) -> datetime:
    """A bookable start: one of its local day's slots, in the future and at most MAX_DAYS_AHEAD away;
    else a 400 naming `start`."""
    if start.tzinfo is None:
        raise InvalidInput("give the time with its offset, e.g. 2026-12-03T09:00:00Z", field="start")
    start = start.astimezone(timezone.utc)
    if start <= now:
        raise InvalidInput("this time has passed", field="start")
    if start - now > timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput(f"bookings open {MAX_DAYS_AHEAD} days ahead", field="start")
    if start not in day_slots(hours, local_day(start, hours)):
        raise InvalidInput("not a slot of this location (closed, or not on the slot grid)", field="start")
    return start


def reminder_due(start: datetime, booked_at: datetime) -> datetime | None:
    """When the reminder is sent: a day before the start; none for a booking made less than a day ahead
    (its confirmation is the reminder)."""
    due = start - REMIND_BEFORE
    return due if due > booked_at else None


def iso(dt: datetime) -> str:
    """A UTC instant as the keys and the API write it: 2026-12-03T09:00:00Z."""
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# ----------------------------------------------------------------- emails
KIND_NAMES = {"test_drive": "test drive", "service": "service appointment"}


@dataclass(frozen=True)
class BookingText:
    """What a booking email says about it."""

    kind: str
    dealer: str
    location: str
    start_local: str  # "Thursday 3 December 2026, 10:00 (Europe/Berlin)"
    car: str  # "2019 Volkswagen Golf", or "" for a service without a car of the dealer
    customer_name: str


def when_local(start: datetime, hours: Hours) -> str:
    local = start.astimezone(hours.zone)
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M} ({hours.time_zone})"


def confirmation_text(b: BookingText, cancel_url: str) -> tuple[str, str]:
    what = KIND_NAMES[b.kind] + (f" of the {b.car}" if b.car else "")
    subject = f"Your {KIND_NAMES[b.kind]} at {b.dealer}: {b.start_local}"
    text = (f"Hello {b.customer_name},\n\nyour {what} is booked for {b.start_local} at {b.location}.\n"
            f"The calendar invite is attached.\n\nCannot come? Cancel here, and the slot goes to someone else:\n"
            f"{cancel_url}\n\n{b.dealer}\n")
    return subject, text


def reminder_text(b: BookingText, cancel_url: str) -> tuple[str, str]:
    what = KIND_NAMES[b.kind] + (f" of the {b.car}" if b.car else "")
    subject = f"Tomorrow: your {KIND_NAMES[b.kind]} at {b.dealer}"
    text = (f"Hello {b.customer_name},\n\na reminder: your {what} is on {b.start_local} at {b.location}.\n\n"
            f"Cannot come? Cancel here:\n{cancel_url}\n\n{b.dealer}\n")
    return subject, text


def cancellation_text(b: BookingText, by_customer: bool) -> tuple[str, str]:
    subject = f"Cancelled: your {KIND_NAMES[b.kind]} at {b.dealer}, {b.start_local}"
    who = "As you asked, your" if by_customer else "We are sorry: your"
    text = (f"Hello {b.customer_name},\n\n{who} {KIND_NAMES[b.kind]} on {b.start_local} at {b.location} "
            f"is cancelled.\n\n{b.dealer}\n")
    return subject, text
