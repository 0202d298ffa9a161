"""When recurring transactions fall: month-end clamping, weekly, yearly, catch-up ranges."""
from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.expenses.rules.recurring import occurrence_id, occurrences

D = date


def test_monthly_on_the_31st_clamps_to_each_months_end():
    got = list(occurrences("monthly", D(2026, 1, 31), 31, D(2026, 1, 1), D(2026, 5, 31)))
    assert got == [D(2026, 1, 31), D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30), D(2026, 5, 31)]


def test_monthly_in_a_leap_year():
    assert list(occurrences("monthly", D(2028, 1, 30), 30, D(2028, 2, 1), D(2028, 2, 29))) == [D(2028, 2, 29)]


def test_weekly_on_a_weekday():
    got = list(occurrences("weekly", D(2026, 11, 2), 0, D(2026, 11, 1), D(2026, 11, 30)))
    assert got == [D(2026, 11, 2), D(2026, 11, 9), D(2026, 11, 16), D(2026, 11, 23), D(2026, 11, 30)]
    assert all(d.weekday() == 0 for d in got)


def test_yearly_from_feb_29():
    got = list(occurrences("yearly", D(2028, 2, 29), 29, D(2028, 1, 1), D(2030, 12, 31)))
    assert got == [D(2028, 2, 29), D(2029, 2, 28), D(2030, 2, 28)]


def test_catch_up_after_days_down_across_a_month_end_yields_each_occurrence_once():
    # the job last ran on Oct 25; it runs again on Nov 4 after ten days down
    missed = list(occurrences("monthly", D(2026, 1, 1), 1, D(2026, 10, 26), D(2026, 11, 4)))
    assert missed == [D(2026, 11, 1)]


def test_an_end_date_stops_the_rule():
    assert list(occurrences("monthly", D(2026, 1, 1), 1, D(2026, 1, 1), D(2026, 12, 31), end=D(2026, 3, 15))) == [
        D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 1, 1)), st.integers(1, 31), st.integers(1, 400))
def test_monthly_has_exactly_one_occurrence_in_every_month(start, day, days):
    from datetime import timedelta

    until = start + timedelta(days=days)
    got = list(occurrences("monthly", start, day, start, until))
    months = [(d.year, d.month) for d in got]
    assert len(months) == len(set(months))
    assert all(start <= d <= until for d in got)


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 1, 1)), st.integers(1, 31), st.integers(1, 200),
       st.integers(1, 200))
def test_splitting_a_range_never_adds_or_loses_an_occurrence(start, day, a, b):
    from datetime import timedelta

    mid, end = start + timedelta(days=a), start + timedelta(days=a + b)
    whole = list(occurrences("monthly", start, day, start, end))
    parts = list(occurrences("monthly", start, day, start, mid)) + list(
        occurrences("monthly", start, day, mid + timedelta(days=1), end))
    assert whole == parts


def test_occurrence_ids_are_deterministic():
    assert occurrence_id("r1", D(2026, 11, 1)) == occurrence_id("r1", D(2026, 11, 1))
    assert occurrence_id("r1", D(2026, 11, 1)) != occurrence_id("r1", D(2026, 12, 1))
