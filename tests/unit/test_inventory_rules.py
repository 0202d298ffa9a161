"""The ledger's pure rules: FIFO consumption and value, transfers keeping lot age, backorder allocation."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.inventory import rules


def lot(name: str, qty, cost, at: str, expiry=None) -> dict:
    return {"lot": name, "quantity": D(str(qty)), "unit_cost": D(str(cost)), "received_at": at, "expiry": expiry,
            "movement_id": f"m-{name}"}


def test_the_fifo_example_of_the_issue():
    lots = rules.insert([], [lot("A", 10, "2.00", "2026-11-01T09:00:00Z")])
    lots = rules.insert(lots, [lot("B", 10, "3.00", "2026-11-02T09:00:00Z")])
    sold = rules.consume(lots, D(15))
    assert sold.cost == D("35.00")
    assert rules.value(sold.lots) == D("15.00")
    assert [(t.lot, t.quantity) for t in sold.taken] == [("A", 10), ("B", 5)]
    assert rules.on_hand(sold.lots) == 5


def test_a_sale_beyond_stock_is_a_shortfall_and_takes_nothing():
    lots = [lot("A", 3, 1, "2026-01-01")]
    with pytest.raises(rules.Shortfall) as err:
        rules.consume(lots, D(4))
    assert err.value.available == 3
    assert lots[0]["quantity"] == 3


def test_scrapping_a_named_lot_takes_it_first():
    lots = [lot("A", 5, 1, "2026-01-01"), lot("B", 5, 2, "2026-01-02", expiry="2026-01-10")]
    took = rules.consume(lots, D(6), lot="B")
    assert [(t.lot, t.quantity) for t in took.taken] == [("B", 5), ("A", 1)]
    assert took.cost == D(11)


def test_a_transferred_lot_keeps_its_age_at_the_new_place():
    here = [lot("OLD", 4, 2, "2026-01-01")]
    there = [lot("NEW", 4, 3, "2026-02-01")]
    moved = rules.consume(here, D(4))
    there = rules.insert(there, [t.as_lot() for t in moved.taken])
    assert [lt["lot"] for lt in there] == ["OLD", "NEW"]
    assert rules.consume(there, D(1)).cost == D(2)


def test_taking_back_exactly_what_was_added():
    lots = [lot("A", 5, 1, "2026-01-01"), lot("B", 5, 2, "2026-01-02")]
    back = rules.take_exact(lots, [lot("B", 5, 2, "2026-01-02")])
    assert [lt["lot"] for lt in back.lots] == ["A"] and back.cost == D(10)
    used = [lot("A", 5, 1, "2026-01-01"), lot("B", 2, 2, "2026-01-02")]
    with pytest.raises(rules.Shortfall):
        rules.take_exact(used, [lot("B", 5, 2, "2026-01-02")])


def test_stock_take_directions():
    lots = [lot("A", 5, 1, "2026-01-01")]
    assert rules.stock_take(lots, D(3)) == (-1, D(2))
    assert rules.stock_take(lots, D(8)) == (1, D(3))
    assert rules.stock_take(lots, D(5)) == (0, D(0))
    assert rules.last_unit_cost(lots, D(9)) == 1 and rules.last_unit_cost([], D(9)) == 9


def test_arriving_stock_fills_backorders_oldest_first():
    bos = [("old", D(3), D(0)), ("mid", D(4), D(1)), ("new", D(5), D(0))]
    got = rules.allocate(D(7), bos)
    assert [(a.backorder_id, a.quantity, a.closes) for a in got] == [("old", 3, True), ("mid", 3, True),
                                                                     ("new", 1, False)]
    assert rules.allocate(D(0), bos) == []


def test_expiring_lots_soonest_first():
    lots = [lot("A", 1, 1, "x", "2026-12-20"), lot("B", 1, 1, "x", "2026-11-01"), lot("C", 1, 1, "x"),
            lot("D", 1, 1, "x", "2027-06-01")]
    assert [lt["lot"] for lt in rules.expiring(lots, date(2026, 11, 22), 30)] == ["B", "A"]


quantities = st.integers(min_value=1, max_value=50).map(D)
costs = st.decimals(min_value=D("0.01"), max_value=D("100"), places=2)


@given(st.lists(st.tuples(quantities, costs), min_size=1, max_size=8), st.lists(quantities, max_size=10))
def test_fifo_conserves_units_and_value(receipts, sales):
    lots = []
    for i, (q, c) in enumerate(receipts):
        lots = rules.insert(lots, [lot(f"L{i}", q, c, f"2026-01-{i + 1:02d}")])
    start_value, start_qty = rules.value(lots), rules.on_hand(lots)
    cogs, sold = D(0), D(0)
    for q in sales:
        try:
            took = rules.consume(lots, q)
        except rules.Shortfall as s:
            assert s.available == rules.on_hand(lots) < q
            continue
        # FIFO: nothing taken from a lot while an older one still holds stock
        assert all(lt["received_at"] >= t.received_at for t in took.taken for lt in took.lots)
        lots, cogs, sold = took.lots, cogs + took.cost, sold + q
    assert rules.on_hand(lots) + sold == start_qty
    assert rules.value(lots) + cogs == start_value


@given(quantities, st.lists(st.tuples(quantities, st.integers(0, 5).map(D)), max_size=6))
def test_allocation_never_gives_more_than_arrived_or_asked(arriving, bos):
    bos = [(f"b{i}", q, min(f, q)) for i, (q, f) in enumerate(bos)]
    got = rules.allocate(arriving, bos)
    assert sum(a.quantity for a in got) <= arriving
    want = {b: q - f for b, q, f in bos}
    assert all(0 < a.quantity <= want[a.backorder_id] for a in got)
    assert all(a.closes == (a.quantity == want[a.backorder_id]) for a in got)
