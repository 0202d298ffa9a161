"""A booking's calendar invite (RFC 5545), made with the `icalendar` library: pure text out.

The confirmation carries `METHOD:PUBLISH` (the event goes into the customer's calendar, no RSVP
asked); a cancellation the same UID with `METHOD:CANCEL`, `STATUS:CANCELLED` and a higher SEQUENCE,
so the calendar removes the event it holds. Times are UTC (`...Z`), which every calendar converts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from icalendar import Calendar, Event

PRODID = "-//Tally//Cars bookings//EN"
FILENAME = "booking.ics"


@dataclass(frozen=True)
class InviteEvent:
    uid: str  # stable per booking: <booking id>@tally
    start: datetime  # aware
    end: datetime
    summary: str
    location: str
    description: str
    stamp: datetime  # when the invite was made (DTSTAMP)


def invite(e: InviteEvent, cancelled: bool = False) -> str:
    """The .ics text of one event, to publish it or (cancelled) to withdraw it."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else "PUBLISH")
    ev = Event()
    ev.add("uid", e.uid)
    ev.add("dtstamp", e.stamp)
    ev.add("dtstart", e.start)
    ev.add("dtend", e.end)
    ev.add("summary", e.summary)
    ev.add("location", e.location)
    ev.add("description", e.description)
    ev.add("sequence", 1 if cancelled else 0)
    ev.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    cal.add_component(ev)
    return cal.to_ical().decode()


def content_type(cancelled: bool = False) -> str:
    return f"text/calendar; method={'CANCEL' if cancelled else 'PUBLISH'}"
