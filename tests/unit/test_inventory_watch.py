"""The inventory stream's pure rules: movement rollups, stock crossings, reorder maths, charts."""
from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.inventory.rules import purchasing as pr
from chalicelib.inventory.rules import watch


def pos(on_hand, rp=None, mx=None, version=1):
    return {"pk": "ORG#o", "sk": "POS#p#l", "org_id": "o", "product_id": "p", "location_id": "l",
            "on_hand": D(on_hand), "reorder_point": None if rp is None else D(rp),
            "max_quantity": None if mx is None else D(mx), "version": version}


def states(old, new):
    return [f.state for f in watch.stock_firings(old, new)]


def test_low_fires_when_stock_falls_below_the_reorder_point_not_on_it():
    assert states(pos(6, 5), pos(5, 5)) == []
    assert states(pos(5, 5), pos(4, 5)) == ["low"]
    assert states(pos(4, 5), pos(3, 5)) == []  # still low: not armed


def test_low_rearms_only_after_stock_rises_back():
    seq = [pos(6, 5, version=1), pos(4, 5, version=2), pos(3, 5, version=3), pos(8, 5, version=4),
           pos(2, 5, version=5)]
    fired = [f for a, b in zip(seq, seq[1:]) for f in watch.stock_firings(a, b)]
    assert [(f.state, f.version) for f in fired] == [("low", 2), ("low", 5)]


def test_out_and_over():
    assert states(pos(3, 5), pos(0, 5)) == ["out"]
    assert states(pos(6, 5), pos(0, 5)) == ["low", "out"]
    assert states(pos(9, 5, 10), pos(12, 5, 10)) == ["over"]
    assert states(pos(12, 5, 10), pos(14, 5, 10)) == []


def test_a_new_position_or_a_raised_reorder_point():
    assert watch.stock_firings(None, pos(0, 5)) == []
    assert states(pos(4), pos(4, 5)) == ["low"]  # setting a reorder point above the stock is a crossing


def movement(kind, qty, direction, cost, **kw):
    return {"pk": "ORG#o", "sk": "MOVE#m", "org_id": "o", "kind": kind, "product_id": "p", "location_id": "l",
            "quantity": D(qty), "direction": direction, "cost": D(cost), "occurred_on": "2026-11-20", **kw}


def totals(m):
    out = {}
    for key, name, v in watch.movement_contributions(m):
        out[(key[1], name)] = out.get((key[1], name), D(0)) + v
    return out


def test_a_sale_counts_sales_revenue_cogs_value_and_demand():
    t = totals(movement("sale", 15, -1, "35.00", price=D("5.00"), backordered=D(2)))
    assert t[("inventory#2026", "11-20:sales")] == 15
    assert t[("inventory#2026", "11-20:revenue")] == D("75.00")
    assert t[("inventory#2026", "11-20:cogs")] == D("35.00")
    assert t[("inventory#2026", "11-20:value")] == D("-35.00")
    assert t[("inventory#all", "value")] == D("-35.00")
    assert t[("inventory#2026-11", "sold:p")] == 15
    assert t[("demand#2026", "11-20")] == 17  # what was asked for, backordered part included


def test_a_filled_backorder_is_not_demand_twice_and_a_transfer_keeps_value():
    t = totals(movement("sale", 2, -1, "6", backorder_id="b"))
    assert ("demand#2026", "11-20") not in t
    t = totals(movement("transfer", 4, -1, "8", to_location_id="l2"))
    assert ("inventory#all", "value") not in t


def test_a_reversal_undoes_its_movement():
    sale = totals(movement("sale", 3, -1, "6", price=D("4")))
    rev = totals(movement("sale", 3, 1, "6", price=D("4"), reverses="m0"))
    for k in sale:
        assert sale[k] + rev.get(k, D(0)) == 0, k


def test_scrap_counts_waste_by_reason():
    t = totals(movement("scrap", 2, -1, "5", reason="damaged"))
    assert t[("inventory#2026", "11:waste:damaged")] == 2
    assert t[("inventory#2026", "11:waste_cost:damaged")] == 5


def test_order_quantity_covers_lead_time_demand_and_backorders():
    q = pr.order_quantity(on_hand=D(3), backordered=D(0), reorder_point=D(5), reorder_quantity=D(10),
                          max_quantity=None, lead_time_days=7, daily_demand=D(0))
    assert q == 10  # the reorder quantity is the least one orders
    q = pr.order_quantity(on_hand=D(3), backordered=D(4), reorder_point=D(5), reorder_quantity=D(10),
                          max_quantity=None, lead_time_days=7, daily_demand=D(2))
    assert q == 5 + 14 + 4 - 3  # 20: above the reorder quantity
    q = pr.order_quantity(on_hand=D(3), backordered=D(0), reorder_point=D(5), reorder_quantity=D(10),
                          max_quantity=D(8), lead_time_days=7, daily_demand=D(0))
    assert q == 5  # capped by the maximum


@given(st.integers(0, 50), st.integers(0, 20), st.integers(1, 30), st.integers(0, 40), st.integers(0, 30))
def test_order_quantity_is_a_whole_non_negative_number(on_hand, back, rp, rq, lead):
    q = pr.order_quantity(on_hand=D(on_hand), backordered=D(back), reorder_point=D(rp), reorder_quantity=D(rq),
                          max_quantity=None, lead_time_days=lead, daily_demand=D("1.3"))
    assert q >= 0 and q == q.to_integral_value()
    if on_hand < rp:
        assert on_hand + q >= rp + back  # the order lifts stock back over the reorder point


def test_chart_document_builds_stock_value_backwards_from_today():
    years = {"2026": {"11-20:value": D(30), "11-21:value": D(-10), "11-21:sales": D(2), "11-21:revenue": D(8),
                      "11:waste:expired": D(1), "11:waste_cost:expired": D(3)}}
    doc = watch.chart_document(today=date(2026, 11, 22), years=years, all_totals={"value": D(20)},
                               months={"2026-11": {"sold:p": D(2), "revenue:p": D(8)}},
                               products={"p": {"name": "Tea", "sku": "T1"}}, currency="EUR", generated_at="x", days=4)
    assert doc["days"] == ["2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22"]
    assert doc["costs"]["stock_value"] == ["0.00", "30.00", "20.00", "20.00"]
    assert doc["sales"] == ["0", "0", "2", "0"]
    assert doc["top_sellers"] == [{"product_id": "p", "name": "Tea", "sku": "T1", "quantity": "2", "revenue": "8.00"}]
    assert doc["waste"] == {"expired": "1"} and doc["costs"]["waste_cost"] == {"expired": "3.00"}
