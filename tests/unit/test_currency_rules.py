"""Home-currency totals from rollups that keep each currency apart."""
from __future__ import annotations

from decimal import Decimal as D

from chalicelib.expenses.rules import currency as cr

YEAR = {"11:spend@USD": D("100.00"), "11:spend:food@USD": D("60.00"), "11:spend@EUR": D("50.00"),
        "11:spend:food@EUR": D("50.00"), "10:spend@JPY": D("1000"), "11:count": D(3), "11:income@USD": D("10.00")}


def test_home_amounts_count_as_they_are_and_others_at_the_months_rate():
    view = cr.home_totals(YEAR, "USD", {"2026-11": {"EUR": D("1.1")}, "2026-10": {"JPY": D("0.0067")}}, "2026")
    assert view.totals["11:spend"] == D("155.00") and view.totals["11:spend:food"] == D("115.00")
    assert view.totals["10:spend"] == D("6.70") and view.totals["spend"] == D("161.70")
    assert view.totals["income"] == D("10.00") and view.totals["11:count"] == 3
    assert view.missing == {}


def test_a_currency_without_a_rate_is_left_out_and_reported():
    view = cr.home_totals(YEAR, "USD", {}, "2026")
    assert view.totals["11:spend"] == D("100.00") and "10:spend" not in view.totals
    assert view.missing == {"2026-10": ["JPY"], "2026-11": ["EUR"]}
    assert cr.foreign_months(YEAR, "USD", "2026") == {"2026-10", "2026-11"}
    assert cr.foreign_months({"11:spend@USD": D(5)}, "USD", "2026") == set()


def test_rounding_to_the_home_minor_units_half_even():
    assert cr.convert(D("0.125"), D(1), "USD") == D("0.12")
    assert cr.convert(D("0.135"), D(1), "USD") == D("0.14")
    assert cr.convert(D("10.00"), D("151.237"), "JPY") == D("1512")
    assert cr.convert(D("1.000"), D("0.3765"), "BHD") == D("0.376")


def test_the_all_years_item_sums_months_into_years():
    all_years = {"2025-12:spend@EUR": D(10), "2026-01:spend@EUR": D(10), "2026-01:spend@USD": D(1), "2024:spend": D(7)}
    view = cr.home_totals(all_years, "USD", {"2025-12": {"EUR": D(2)}, "2026-01": {"EUR": D(3)}}, None)
    assert view.totals == {"2025:spend": D(20), "2026:spend": D(31), "2024:spend": D(7)}


def test_a_changed_home_currency_converts_the_old_one_too():
    view = cr.home_totals({"11:spend@USD": D(10)}, "EUR", {"2026-11": {"USD": D("0.9")}}, "2026")
    assert view.totals["11:spend"] == D("9.00")
