"""Business-time arithmetic, SLA clocks and Erlang C (pure rules, property-tested)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.core.errors import InvalidInput
from chalicelib.helpdesk.rules import calendar as c
from chalicelib.helpdesk.rules import sla, staffing

UTC = timezone.utc
WEEKDAYS_9_17 = tuple(c.interval(d, "09:00", "17:00") for d in range(5))
BERLIN = c.Calendar("Europe/Berlin", WEEKDAYS_9_17)
NEW_YORK_NIGHTS = c.Calendar("America/New_York", tuple(c.interval(d, "22:00", "06:00") for d in range(5)))
ALWAYS_BERLIN = c.Calendar("Europe/Berlin", tuple(c.interval(d, "00:00", "24:00") for d in range(7)))
EASTER = c.Calendar("Europe/Berlin", WEEKDAYS_9_17, frozenset({date(2026, 4, 3), date(2026, 4, 6)}))
CALENDARS = [BERLIN, NEW_YORK_NIGHTS, ALWAYS_BERLIN, EASTER, c.ALWAYS,
             c.Calendar("Australia/Lord_Howe", (c.interval(0, "01:00", "03:00"), c.interval(6, "01:30", "02:30")))]

instants = st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2027, 2, 1)).map(
    lambda d: d.replace(tzinfo=UTC, microsecond=0))
calendars = st.sampled_from(CALENDARS)


def h(seconds: int) -> float:
    return seconds / 3600


# ------------------------------------------------------------------ examples
def test_a_weekend_counts_nothing():
    fri_5pm = datetime(2026, 3, 6, 16, tzinfo=UTC)  # 17:00 in Berlin (CET)
    mon_9am = datetime(2026, 3, 9, 8, tzinfo=UTC)
    assert c.elapsed_seconds(BERLIN, fri_5pm, mon_9am) == 0
    assert c.after_seconds(BERLIN, fri_5pm, 1) == mon_9am + timedelta(seconds=1)


def test_business_hours_follow_the_wall_clock_across_the_spring_change():
    # DST starts on Sunday 29 March 2026 in Berlin: Monday 9-17 is then 07:00-15:00 UTC
    fri = datetime(2026, 3, 27, 8, tzinfo=UTC)  # 09:00 CET
    assert c.after_seconds(BERLIN, fri, 8 * 3600 + 60) == datetime(2026, 3, 30, 7, 1, tzinfo=UTC)
    assert h(c.elapsed_seconds(BERLIN, fri, datetime(2026, 3, 31, 0, tzinfo=UTC))) == 16


def test_a_day_of_the_clock_change_is_23_or_25_hours_of_a_round_the_clock_desk():
    spring, autumn = date(2026, 3, 29), date(2026, 10, 25)
    for day, hours in ((spring, 23), (autumn, 25)):
        start = datetime.combine(day, datetime.min.time()).replace(tzinfo=ALWAYS_BERLIN.tz).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), datetime.min.time()).replace(
            tzinfo=ALWAYS_BERLIN.tz).astimezone(UTC)
        assert h(c.elapsed_seconds(ALWAYS_BERLIN, start, end)) == hours


def test_public_holidays_take_their_hours_away():
    thu = datetime(2026, 4, 2, 14, tzinfo=UTC)  # 16:00 CEST, before Good Friday
    # 1 h left on Thursday, Friday and Monday are holidays, so 2 h more end on Tuesday 11:00 CEST
    assert c.after_seconds(EASTER, thu, 3 * 3600) == datetime(2026, 4, 7, 9, tzinfo=UTC)
    assert c.after_seconds(BERLIN, thu, 3 * 3600) == datetime(2026, 4, 3, 9, tzinfo=UTC)


def test_an_overnight_shift_runs_into_the_next_day_and_stops_for_the_weekend():
    # Friday 22:00 to Saturday 06:00 New York (EST, UTC-5) is the week's last shift
    fri_night = datetime(2026, 1, 10, 3, tzinfo=UTC)  # Friday 22:00 EST
    assert h(c.elapsed_seconds(NEW_YORK_NIGHTS, fri_night, fri_night + timedelta(days=3))) == 8
    sat_6am = datetime(2026, 1, 10, 11, tzinfo=UTC)
    mon_10pm = datetime(2026, 1, 13, 3, tzinfo=UTC)
    assert c.after_seconds(NEW_YORK_NIGHTS, sat_6am, 60) == mon_10pm + timedelta(minutes=1)


def test_bad_hours_are_refused_naming_the_field():
    with pytest.raises(InvalidInput) as e:
        c.check_intervals([c.interval(0, "09:00", "17:00"), c.interval(0, "16:00", "18:00")])
    assert e.value.field == "hours"
    with pytest.raises(InvalidInput):  # Sunday night runs into Monday morning
        c.check_intervals([c.interval(6, "22:00", "08:00"), c.interval(0, "07:00", "09:00")])
    with pytest.raises(InvalidInput):
        c.interval(0, "9:00", "17:00")
    with pytest.raises(InvalidInput):
        c.check_intervals([])
    assert c.check_intervals([c.interval(6, "22:00", "07:00"), c.interval(0, "07:00", "09:00")])


# ------------------------------------------------------------------ properties
@settings(max_examples=150, deadline=None)
@given(calendars, instants, instants, instants)
def test_elapsed_time_adds_up_over_consecutive_spans(cal, a, b, d):
    x, y, z = sorted((a, b, d))
    assert c.elapsed_seconds(cal, x, y) + c.elapsed_seconds(cal, y, z) == c.elapsed_seconds(cal, x, z)


@settings(max_examples=150, deadline=None)
@given(calendars, instants, st.integers(min_value=0, max_value=40 * 3600))
def test_after_is_the_inverse_of_elapsed(cal, a, seconds):
    due = c.after_seconds(cal, a, seconds)
    assert due >= a
    assert c.elapsed_seconds(cal, a, due) == seconds
    if seconds:  # the first such instant: one second earlier is one business second short
        assert c.elapsed_seconds(cal, a, due - timedelta(seconds=1)) == seconds - 1


@settings(max_examples=100, deadline=None)
@given(instants, instants)
def test_a_round_the_clock_utc_desk_counts_wall_time(a, b):
    x, y = sorted((a, b))
    assert c.elapsed_seconds(c.ALWAYS, x, y) == int((y - x).total_seconds())


@settings(max_examples=100, deadline=None)
@given(instants, st.integers(min_value=1, max_value=200 * 3600))
def test_holidays_only_ever_push_the_moment_later(a, seconds):
    assert c.after_seconds(EASTER, a, seconds) >= c.after_seconds(BERLIN, a, seconds)


# ------------------------------------------------------------------ SLA clocks
T0 = datetime(2026, 3, 2, 8, tzinfo=UTC)  # Monday 09:00 Berlin
TARGETS = {"first_response": 60, "resolution": 480}


def test_warning_at_80_percent_and_breach_at_100_in_business_time():
    clock = sla.start(TARGETS, T0)
    assert sla.next_due(clock, BERLIN, T0) == T0 + timedelta(minutes=48)
    assert sla.reached(clock, BERLIN, T0 + timedelta(minutes=47)) == []
    assert sla.reached(clock, BERLIN, T0 + timedelta(minutes=48)) == [("first_response", "warning")]
    clock = sla.fire(clock, [("first_response", "warning")])
    assert sla.next_due(clock, BERLIN, T0 + timedelta(minutes=48)) == T0 + timedelta(minutes=60)
    assert sla.reached(clock, BERLIN, T0 + timedelta(hours=7)) == [("first_response", "breach"),
                                                                   ("resolution", "warning")]
    late = T0 + timedelta(hours=9)  # 18:00: the whole 8 h day is used, the evening counts nothing
    assert sla.reached(clock, BERLIN, late) == [("first_response", "breach"), ("resolution", "warning"),
                                               ("resolution", "breach")]
    assert not clock.breached and sla.fire(clock, [("first_response", "breach")]).breached


def test_pending_pauses_the_clocks_and_resuming_goes_on_from_what_was_used():
    clock = sla.start(TARGETS, T0)
    paused = sla.advance(clock, BERLIN, T0 + timedelta(minutes=30), "pending")
    assert paused.since is None and paused.used == {"first_response": 1800, "resolution": 1800}
    assert sla.next_due(paused, BERLIN, T0 + timedelta(days=3)) is None  # on no work list
    assert sla.reached(paused, BERLIN, T0 + timedelta(days=3)) == []
    back = sla.advance(paused, BERLIN, T0 + timedelta(days=1), "open")
    assert sla.next_due(back, BERLIN, T0 + timedelta(days=1)) == T0 + timedelta(days=1, minutes=18)


def test_the_first_reply_stops_the_first_response_clock_and_solving_the_resolution_clock():
    clock = sla.advance(sla.start(TARGETS, T0), BERLIN, T0 + timedelta(minutes=10), "open", first_reply=True)
    assert clock.done == {"first_response"} and clock.used["first_response"] == 600
    assert sla.next_due(clock, BERLIN, T0 + timedelta(minutes=10)) == T0 + timedelta(minutes=384)
    solved = sla.advance(clock, BERLIN, T0 + timedelta(hours=2), "solved")
    assert solved.since is None and solved.used["resolution"] == 7200
    assert sla.next_due(solved, BERLIN, T0 + timedelta(days=9)) is None
    reopened = sla.advance(solved, BERLIN, T0 + timedelta(days=1), "open")  # resumes at 2 h used
    assert reopened.used["resolution"] == 7200 and reopened.since == T0 + timedelta(days=1)


def test_a_stage_reached_just_before_a_pause_is_still_due():
    clock = sla.start(TARGETS, T0)
    paused = sla.advance(clock, BERLIN, T0 + timedelta(minutes=50), "pending")
    at = T0 + timedelta(minutes=50)
    assert sla.next_due(paused, BERLIN, at) == at
    assert sla.reached(paused, BERLIN, at + timedelta(days=2)) == [("first_response", "warning")]


def test_no_targets_no_due_moment():
    assert sla.next_due(sla.start({"first_response": None, "resolution": None}, T0), BERLIN, T0) is None


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=1, max_value=3000), st.sampled_from(["open", "pending", "new"])),
                max_size=8))
def test_clocks_only_count_running_time(steps):
    clock, t, running = sla.start(TARGETS, T0), T0, 0
    status = "new"
    for minutes, nxt in steps:
        end = t + timedelta(minutes=minutes)
        if status in sla.RUNNING_STATUSES:
            running += c.elapsed_seconds(BERLIN, t, end)
        clock, t, status = sla.advance(clock, BERLIN, end, nxt), end, nxt
    assert clock.used["resolution"] == running


# ------------------------------------------------------------------ Erlang C
def test_erlang_values_from_the_literature():
    # 10 Erlangs (100 calls in 30 min, 180 s each): B(10, 10) = 0.2146, C(11, 10) = 0.6821; answered within
    # 20 s: 39.0% with 11 agents, 64.0% with 12, 79.6% with 13, 88.8% with 14 (the textbook example)
    assert staffing.erlang_b(10, 10.0) == pytest.approx(0.21458, abs=1e-5)
    assert staffing.erlang_c(11, 10.0) == pytest.approx(0.68212, abs=1e-5)
    for agents, level in ((11, 0.3896), (12, 0.6402), (13, 0.7956), (14, 0.8884)):
        assert staffing.service_level(agents, 10.0, 20 / 60, 3.0) == pytest.approx(level, abs=1e-4)
    assert staffing.agents_needed(200, 3, 20 / 60, 0.8) == 14
    assert staffing.agents_needed(200, 3, 20 / 60, 0.79) == 13


def test_no_arrivals_need_no_agents_and_more_arrivals_never_fewer():
    assert staffing.agents_needed(0, 10, 60, 0.8) == 0
    needs = [staffing.agents_needed(rate, 10, 30, 0.8) for rate in range(1, 60)]
    assert needs == sorted(needs) and needs[0] >= 1
    assert staffing.erlang_c(3, 5.0) == 1.0  # fewer agents than traffic: everyone waits
