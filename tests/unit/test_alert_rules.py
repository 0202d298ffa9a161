"""The one alert mechanism: pure crossings, deterministic firing ids."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core.alert_rules import Threshold, crossings, firing_id
from chalicelib.expenses.rules import budget_crossings

D = Decimal
money = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False, allow_infinity=False)


def test_reaching_a_budget_threshold_exactly_counts():
    assert [c.threshold.name for c in budget_crossings(D("79.99"), D("80.00"), D("100"), [80, 100])] == ["80"]


def test_one_change_can_cross_two_thresholds():
    assert [c.threshold.name for c in budget_crossings(D("0"), D("110"), D("100"), [80, 100])] == ["80", "100"]


def test_staying_above_or_going_down_crosses_nothing():
    assert budget_crossings(D("90"), D("95"), D("100"), [80, 100]) == []
    assert budget_crossings(D("110"), D("50"), D("100"), [80, 100]) == []


def test_downward_crossing_needs_to_fall_below_the_level():
    t = [Threshold("reorder_point", D(5))]
    assert crossings(D(6), D(5), t, "down") == []
    assert [c.threshold.name for c in crossings(D(5), D(4), t, "down")] == ["reorder_point"]


def test_a_disarmed_rule_does_not_fire():
    t = [Threshold("reorder_point", D(5))]
    assert crossings(D(9), D(1), t, "down", armed=lambda _: False) == []


@given(money, money, money)
def test_a_change_and_its_reverse_never_both_cross_upward(a, b, limit):
    limit = limit + D("0.01")
    up = budget_crossings(a, b, limit, [80, 100])
    back = budget_crossings(b, a, limit, [80, 100])
    assert not (up and back)


@given(st.lists(money, min_size=2, max_size=12), money)
def test_crossings_along_a_path_equal_crossings_of_its_ends_when_monotonic(values, limit):
    limit = limit + D("0.01")
    values = sorted(values)
    stepwise = [c.threshold.name for a, b in zip(values, values[1:]) for c in budget_crossings(a, b, limit, [80, 100])]
    direct = [c.threshold.name for c in budget_crossings(values[0], values[-1], limit, [80, 100])]
    assert stepwise == direct


def test_firing_id_is_deterministic_and_distinguishes_parts():
    a = firing_id("budget", "USER#1", "food", "2026-11", "80")
    assert a == firing_id("budget", "USER#1", "food", "2026-11", "80")
    assert a != firing_id("budget", "USER#1", "food", "2026-12", "80")
    assert a != firing_id("budget", "USER#1", "food", "2026-11", "100")
