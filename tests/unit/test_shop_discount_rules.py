"""Discount rules: which promotions apply, the best one (never two stacked unless both say so), coupon
refusals, windows in the shop's time zone, weekly sales from order images and a promotion's chart."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core.errors import InvalidInput
from chalicelib.shop.rules import discounts as r

D = Decimal
START = datetime(2026, 12, 1, tzinfo=timezone.utc)
END = datetime(2026, 12, 15, tzinfo=timezone.utc)
NOW = datetime(2026, 12, 5, 12, tzinfo=timezone.utc)


def promo(id="a", kind="percent", value="10", scope="shop", target=None, stackable=False, code=None, name=None,
          starts=START, ends=END) -> r.Promotion:
    return r.Promotion(id, name or id, kind, D(value), scope, target, starts, ends, stackable, code)


def test_the_best_single_promotion_wins_and_two_are_never_stacked_by_default():
    got = r.best_price(D("20.00"), "EUR", [promo("a", "percent", "10"), promo("b", "amount", "3")])
    assert (got.discount, got.final, got.promotions) == (D("3.00"), D("17.00"), ("b",))


def test_stackable_promotions_add_up_only_among_themselves():
    cands = [promo("a", "percent", "10", stackable=True), promo("b", "amount", "1.50", stackable=True),
             promo("c", "amount", "2.50")]
    got = r.best_price(D("20.00"), "EUR", cands)
    assert (got.discount, got.promotions) == (D("3.50"), ("a", "b"))
    # a single non-stackable one beats the stack when it is bigger
    got = r.best_price(D("20.00"), "EUR", [*cands[:2], promo("d", "amount", "4")])
    assert got.promotions == ("d",)


def test_a_discount_never_takes_the_price_below_zero_and_rounds_half_even():
    assert r.best_price(D("2.00"), "EUR", [promo("a", "amount", "5")]).final == D("0.00")
    assert r.best_price(D("0.25"), "EUR", [promo("a", "percent", "10")]).discount == D("0.02")  # 0.025 → 0.02
    assert r.best_price(D("1000"), "JPY", [promo("a", "percent", "12.5")]).discount == D("125")


@given(st.decimals(min_value=D("0.01"), max_value=D("10000"), places=2),
       st.lists(st.tuples(st.sampled_from(["percent", "amount"]), st.decimals(min_value=D("0.01"), max_value=D("100"), places=2),
                          st.booleans()), max_size=5))
def test_the_price_after_discount_is_between_zero_and_the_price(price, specs):
    cands = [promo(str(i), k, str(v), stackable=s) for i, (k, v, s) in enumerate(specs)]
    got = r.best_price(price, "EUR", cands)
    assert D(0) <= got.final <= price and got.discount + got.final == price
    singles = [r.unit_off(price, "EUR", p) for p in cands]
    assert got.discount >= max(singles, default=D(0))
    if len(got.promotions) > 1:
        assert all(p.stackable for p in cands if p.id in got.promotions)


def test_scope_window_and_code_decide_what_applies():
    promos = [promo("shop"), promo("cat", scope="category", target="kitchen"),
              promo("prod", scope="product", target="p1"), promo("other", scope="product", target="p2"),
              promo("coupon", code="SAVE10"), promo("later", starts=END, ends=datetime(2027, 1, 1, tzinfo=timezone.utc))]
    ids = lambda code=None, at=NOW: {p.id for p in r.applicable(promos, "p1", "kitchen", at, code)}  # noqa: E731
    assert ids() == {"shop", "cat", "prod"}
    assert ids("save10") == {"shop", "cat", "prod", "coupon"}
    assert ids(at=END) == {"later"}  # the end is exclusive, the start inclusive


def test_coupon_refusals_and_phases():
    p = promo(code="X")
    assert r.coupon_refusal(p, NOW) is None
    assert "expired" in r.coupon_refusal(p, END)
    assert "valid from" in r.coupon_refusal(p, datetime(2026, 11, 1, tzinfo=timezone.utc))
    assert [r.phase(p, t) for t in (datetime(2026, 11, 1, tzinfo=timezone.utc), NOW, END)] == [
        "scheduled", "active", "ended"]
    assert r.next_edge(p, datetime(2026, 11, 1, tzinfo=timezone.utc)) == START
    assert r.next_edge(p, NOW) == END and r.next_edge(p, END) is None


@pytest.mark.parametrize("change,field", [
    ({"kind": "percent", "value": "100.01"}, "value"),
    ({"kind": "percent", "value": "0"}, "value"),
    ({"kind": "amount", "value": "0"}, "value"),
    ({"scope": "category"}, "target"),
    ({"target": "p1"}, "target"),
    ({"ends": START}, "ends_at"),
])
def test_a_promotion_that_cannot_work_is_refused_naming_the_field(change, field):
    with pytest.raises(InvalidInput) as err:
        r.check_promotion(promo(**change), usage_limit=None, once_per_customer=False)
    assert err.value.field == field


def test_limits_and_once_per_customer_need_a_code():
    with pytest.raises(InvalidInput) as err:
        r.check_promotion(promo(), usage_limit=5, once_per_customer=False)
    assert err.value.field == "usage_limit"
    with pytest.raises(InvalidInput) as err:
        r.check_promotion(promo(), usage_limit=None, once_per_customer=True)
    assert err.value.field == "once_per_customer"
    r.check_promotion(promo(code="X"), usage_limit=5, once_per_customer=True)


def test_a_window_without_an_offset_is_the_shops_local_time():
    assert r.moment("2026-12-01T00:00", "Europe/Berlin", "starts_at") == datetime(2026, 11, 30, 23, tzinfo=timezone.utc)
    assert r.moment("2026-12-01", "America/New_York", "starts_at") == datetime(2026, 12, 1, 5, tzinfo=timezone.utc)
    assert r.moment("2026-12-01T10:00:00Z", "Europe/Berlin", "starts_at") == datetime(2026, 12, 1, 10, tzinfo=timezone.utc)
    with pytest.raises(InvalidInput) as err:
        r.moment("2026-13-01", "UTC", "ends_at")
    assert err.value.field == "ends_at"


def _order(status, created="2026-12-02T10:00:00.000000Z", lines=None):
    return {"status": status, "created_at": created, "lines": lines or [
        {"product_id": "p1", "category": "kitchen", "quantity": D(2), "unit_price": D("9.00"), "net": D("18.00")}]}


def test_weekly_sales_count_a_placed_order_once_and_take_a_cancelled_one_back():
    placed = list(r.sales_deltas(None, _order("placed"), "UTC"))
    assert ("shop", "2026-11-30:units", D(2)) in placed and ("cat:kitchen", "2026-11-30:revenue", D("18.00")) in placed
    assert ("product:p1", "2026-11-30:revenue", D("18.00")) in placed and len(placed) == 6
    assert list(r.sales_deltas(_order("placed"), _order("confirmed"), "UTC")) == []  # moving on adds nothing
    back = list(r.sales_deltas(_order("confirmed"), _order("cancelled"), "UTC"))
    assert ("shop", "2026-11-30:units", D(-2)) in back
    # the week is the shop's: Sunday 23:30 UTC is already Monday in Berlin
    sunday = _order("placed", created="2026-11-29T23:30:00.000000Z")
    assert {n for _, n, _ in r.sales_deltas(None, sunday, "Europe/Berlin")} == {"2026-11-30:units", "2026-11-30:revenue"}
    assert {n for _, n, _ in r.sales_deltas(None, sunday, "UTC")} == {"2026-11-23:units", "2026-11-23:revenue"}


def test_the_chart_puts_the_weeks_before_beside_the_weeks_during():
    p = promo("a", starts=START, ends=END)  # Tue 1 Dec to Tue 15 Dec: weeks of 30 Nov, 7 Dec, 14 Dec
    totals = {"2026-11-02:units": D(2), "2026-11-02:revenue": D("20"), "2026-11-23:units": D(2),
              "2026-11-23:revenue": D("20"), "2026-11-30:units": D(6), "2026-11-30:revenue": D("54")}
    doc = r.chart_document(p, "UTC", "EUR", totals, "now")
    weeks = [(w["week"], w["phase"], w["units"]) for w in doc["weeks"]]
    assert weeks[:4] == [("2026-11-02", "before", "2"), ("2026-11-09", "before", "0"), ("2026-11-16", "before", "0"),
                         ("2026-11-23", "before", "2")]
    assert weeks[4:] == [("2026-11-30", "during", "6"), ("2026-12-07", "during", "0"), ("2026-12-14", "during", "0")]
    assert doc["before"]["revenue_per_week"] == "10.00" and doc["during"]["revenue_per_week"] == "18.00"
    assert doc["lift_percent"] == {"units": "100.0", "revenue": "80.0"}
