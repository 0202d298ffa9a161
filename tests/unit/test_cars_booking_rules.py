"""The pure booking rules: slots from opening hours in a time zone (clock changes included), which starts
are bookable, when the reminder is due, and the calendar invite."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from chalicelib.cars.rules.bookings import (
    Hours,
    check_hours,
    check_start,
    day_bounds,
    day_slots,
    iso,
    reminder_due,
)
from chalicelib.cars.rules.invite import InviteEvent, invite
from chalicelib.core.errors import InvalidInput

BERLIN = Hours("Europe/Berlin", 60, {"sun": [["01:00", "05:00"]], "mon": [["09:00", "12:00"], ["13:00", "15:00"]]},
               frozenset({"2027-03-29"}))


def test_slots_fill_each_period_and_skip_the_break():
    slots = day_slots(BERLIN, date(2026, 11, 30))  # a Monday, UTC+1
    assert [iso(s) for s in slots] == ["2026-11-30T08:00:00Z", "2026-11-30T09:00:00Z", "2026-11-30T10:00:00Z",
                                       "2026-11-30T12:00:00Z", "2026-11-30T13:00:00Z"]


def test_a_closed_date_and_a_day_without_hours_have_no_slots():
    assert day_slots(BERLIN, date(2027, 3, 29)) == []  # a Monday, but closed
    assert day_slots(BERLIN, date(2026, 12, 1)) == []  # Tuesday: no hours


def test_the_hour_skipped_when_clocks_go_forward_is_no_slot():
    # 2027-03-28, Berlin: 02:00 local does not exist (01:59 CET → 03:00 CEST)
    local = [s.astimezone(BERLIN.zone).strftime("%H:%M") for s in day_slots(BERLIN, date(2027, 3, 28))]
    assert local == ["01:00", "03:00", "04:00"]


def test_a_day_is_its_local_midnight_to_midnight():
    begin, end = day_bounds(BERLIN, date(2027, 3, 28))
    assert (iso(begin), iso(end), end - begin) == ("2027-03-27T23:00:00Z", "2027-03-28T22:00:00Z", timedelta(hours=23))


NOW = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("start", [
    datetime(2026, 11, 30, 8, 30, tzinfo=timezone.utc),  # off the grid
    datetime(2026, 11, 30, 11, 0, tzinfo=timezone.utc),  # the break
    datetime(2026, 11, 30, 14, 0, tzinfo=timezone.utc),  # would end after closing
    datetime(2026, 11, 28, 8, 0, tzinfo=timezone.utc),  # past
    datetime(2027, 6, 7, 8, 0, tzinfo=timezone.utc),  # too far ahead
    datetime(2026, 11, 30, 8, 0),  # no offset
])
def test_starts_outside_the_slots_are_refused_naming_start(start):
    with pytest.raises(InvalidInput) as err:
        check_start(start, BERLIN, NOW)
    assert err.value.field == "start"


def test_a_slot_start_given_in_any_offset_is_taken_as_the_instant():
    start = datetime(2026, 11, 30, 9, 0, tzinfo=timezone(timedelta(hours=1)))
    assert check_start(start, BERLIN, NOW) == datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("hours, field", [
    ({"mon": [["12:00", "09:00"]]}, "hours.mon"),
    ({"mon": [["09:00", "09:30"]]}, "hours.mon"),  # shorter than a slot
    ({"fri": [["09:00", "12:00"], ["11:59", "13:00"]]}, "hours.fri"),
    ({"funday": [["09:00", "12:00"]]}, "hours.funday"),
])
def test_bad_hours_name_their_day(hours, field):
    with pytest.raises(InvalidInput) as err:
        check_hours(hours, 60)
    assert err.value.field == field


HH = st.integers(0, 23 * 60 + 45).map(lambda m: f"{m // 60:02d}:{m % 60:02d}")


@settings(max_examples=200, deadline=None)
@given(a=HH, b=HH, step=st.sampled_from([15, 30, 45, 60, 90, 120]), day=st.dates(date(2026, 1, 1), date(2028, 12, 31)),
       zone=st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"]))
def test_every_slot_lies_inside_its_period_on_its_local_day_in_order(a, b, step, day, zone):
    weekday = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[day.weekday()]
    hours = Hours(zone, step, {weekday: [[a, b]]}, frozenset())
    slots = day_slots(hours, day)
    assert slots == sorted(set(slots))
    now = datetime.combine(day - timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    for s in slots:
        local = s.astimezone(hours.zone)
        minutes = local.hour * 60 + local.minute
        assert local.date() == day
        assert _minutes(a) <= minutes and minutes + step <= _minutes(b)
        assert check_start(s, hours, now) == s


def _minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:])


def test_the_reminder_is_a_day_before_unless_booked_within_a_day():
    start = datetime(2026, 12, 3, 8, 0, tzinfo=timezone.utc)
    assert reminder_due(start, NOW) == datetime(2026, 12, 2, 8, 0, tzinfo=timezone.utc)
    assert reminder_due(start, datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)) is None


def test_the_invite_publishes_and_withdraws_one_event():
    e = InviteEvent(uid="b1@tally", start=datetime(2026, 12, 3, 8, 0, tzinfo=timezone.utc),
                    end=datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc), summary="Test drive at Corner Cars",
                    location="Main lot, Hauptstr. 1", description="Cancel: https://x/cancel?token=t",
                    stamp=datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc))
    published, withdrawn = Calendar.from_ical(invite(e)), Calendar.from_ical(invite(e, cancelled=True))
    assert str(published["METHOD"]) == "PUBLISH" and str(withdrawn["METHOD"]) == "CANCEL"
    (ev,) = published.walk("VEVENT")
    (gone,) = withdrawn.walk("VEVENT")
    assert ev["UID"] == gone["UID"] == "b1@tally"
    assert ev.decoded("DTSTART") == e.start and ev.decoded("DTEND") == e.end
    assert (int(ev["SEQUENCE"]), str(ev["STATUS"])) == (0, "CONFIRMED")
    assert (int(gone["SEQUENCE"]), str(gone["STATUS"])) == (1, "CANCELLED")
    assert str(ev["LOCATION"]) == "Main lot, Hauptstr. 1"
