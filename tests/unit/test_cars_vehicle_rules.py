"""Vehicle rules: VIN validation (17 characters, no I/O/Q, the North American check digit) and status moves."""
from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from chalicelib.cars.rules.vehicles import InvalidVin, can_move, check_vin, vin_check_digit

VIN_CHARS = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"


@pytest.mark.parametrize("vin", ["1M8GDM9AXKP042788", "1HGCM82633A004352", "wvwzzz1jz3w386752"])
def test_valid_vins_are_accepted_in_upper_case(vin: str) -> None:
    assert check_vin(vin) == vin.upper()


@pytest.mark.parametrize("vin, reason", [
    ("1M8GDM9AXKP04278", "17 characters"),
    ("1M8GDM9AXKP0427888", "17 characters"),
    ("1M8GDM9AXKP0427O8", "without I, O and Q"),
    ("1M8GDM9AXKP0427I8", "without I, O and Q"),
    ("1M8GDM9AXKQ042788", "without I, O and Q"),
    ("1M8GDM9A-KP042788", "without I, O and Q"),
    ("1M8GDM9A1KP042788", "check digit 1 should be X"),
])
def test_invalid_vins_are_refused_with_the_reason(vin: str, reason: str) -> None:
    with pytest.raises(InvalidVin, match=reason):
        check_vin(vin)


def test_the_check_digit_is_not_required_outside_north_america() -> None:
    assert check_vin("WVWZZZ1JZ3W386752") == "WVWZZZ1JZ3W386752"  # European: position 9 is free
    assert check_vin("JHMCM56557C404453")  # Japanese, checked nowhere by ISO 3779


@given(st.sampled_from("12345"), st.text(VIN_CHARS, min_size=16, max_size=16), st.sampled_from(VIN_CHARS))
def test_a_north_american_vin_passes_exactly_when_position_9_is_its_check_digit(first: str, rest: str, nine: str) -> None:
    vin = first + rest[:7] + nine + rest[8:]
    if nine == vin_check_digit(vin):
        assert check_vin(vin) == vin
    else:
        with pytest.raises(InvalidVin):
            check_vin(vin)


def test_status_moves_follow_stock_reserved_sold_delivered() -> None:
    assert can_move("in_stock", "reserved") and can_move("reserved", "sold") and can_move("sold", "delivered")
    assert can_move("in_stock", "sold") and can_move("reserved", "in_stock")
    assert not can_move("sold", "in_stock") and not can_move("delivered", "sold") and not can_move("in_stock", "delivered")
