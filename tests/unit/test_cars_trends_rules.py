"""Value and demand over time, pure: rollup deltas of cars, views, enquiries and bookings; the chart;
the aging-stock rule; saved-search events."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from chalicelib.cars.rules import trends as T

from tests.unit.test_cars_listing_rules import ORG, car


def est(p50: str, cur: str = "USD"):
    return lambda image, day: (Decimal(p50), cur)


def totals(deltas) -> dict:
    out: dict = {}
    for key, name, amount in deltas:
        out.setdefault(key, {})
        out[key][name] = out[key].get(name, Decimal(0)) + amount
    return {k: {n: v for n, v in d.items() if v} for k, d in out.items() if any(d.values())}


def test_a_new_car_enters_the_stock_and_the_months_listings():
    new = car(1, created_at="2026-03-05T09:00:00+00:00")
    t = totals(T.car_deltas(None, new, est("13000")))
    assert t[T.stock_key(ORG)] == {"n:chevrolet/malibu": 1, "day_sum:chevrolet/malibu": date(2026, 3, 5).toordinal(),
                                    "car:c1": date(2026, 3, 5).toordinal()}
    assert t[T.year_key(ORG, 2026)] == {"03:listed:chevrolet/malibu": 1, "03:ask_sum:chevrolet/malibu@USD": 14500,
                                        "03:est_sum:chevrolet/malibu@USD": 13000, "03:est_n:chevrolet/malibu": 1}


def test_an_edit_that_keeps_make_and_model_changes_no_total():
    old = car(1)
    assert totals(T.car_deltas(old, {**old, "colour": "red", "asking_price": Decimal(9000)}, est("1"))) == {}


def test_a_sale_leaves_the_stock_and_counts_price_ratio_and_days_on_lot():
    old = car(1, created_at="2026-03-05T09:00:00+00:00", status="reserved")
    new = {**old, "status": "sold", "sold_price": Decimal(14000), "sold_on": "2026-04-04"}
    t = totals(T.car_deltas(old, new, est("12500")))
    assert T.stock_key(ORG) not in t or all(v < 0 for v in t[T.stock_key(ORG)].values())
    assert t[T.year_key(ORG, 2026)] == {"04:sold:chevrolet/malibu": 1, "04:sold_sum:chevrolet/malibu@USD": 14000,
                                        "04:dol_sum:chevrolet/malibu": 30, "04:ratio_sum:chevrolet/malibu": Decimal("1.12"),
                                        "04:ratio_n:chevrolet/malibu": 1}


def test_an_estimate_in_another_currency_is_left_out_of_the_index():
    old = car(1, currency="EUR")
    new = {**old, "status": "sold", "sold_price": Decimal(14000), "sold_on": "2026-04-04"}
    names = set(totals(T.car_deltas(old, new, est("12500", "USD")))[T.year_key(ORG, 2026)])
    assert "04:ratio_n:chevrolet/malibu" not in names and "04:sold_sum:chevrolet/malibu@EUR" in names


def test_a_view_counts_once_in_its_iso_week_and_its_ttl_delete_counts_nothing():
    view = {"sk": "DEMAND#view#v1", "id": "v1", "kind": "view", "org_id": ORG, "make": "Chevrolet", "model": "Malibu",
            "at": "2026-01-01T10:00:00+00:00"}  # ISO week 1 of 2026
    [(key, name, amount)] = T.demand_deltas(None, view)
    assert key == T.demand_key(ORG, T.demand_shard("v1"), 2026) and name == "W01:views:chevrolet/malibu" and amount == 1
    assert T.demand_deltas(view, None) == []
    [(_, name, _)] = T.demand_deltas(None, {**view, "id": "e1", "kind": "enquiry"})
    assert name == "W01:enquiries:chevrolet/malibu"


def test_bookings_count_while_they_stand_and_uncount_when_cancelled():
    b = {"sk": "BOOKING#b1", "id": "b1", "org_id": ORG, "make": "Chevrolet", "model": "Malibu", "status": "confirmed",
         "created_at": "2026-11-30T08:00:00+00:00", "kind": "test_drive"}
    assert totals(T.booking_deltas(None, b, "e1")) == {T.demand_key(ORG, T.demand_shard("b1"), 2026):
                                                       {"W49:bookings:chevrolet/malibu": 1}}
    assert totals(T.booking_deltas(b, {**b, "slot_note": "x"}, "e2")) == {}
    assert totals(T.booking_deltas(b, {**b, "status": "cancelled"}, "e3")) == {
        T.demand_key(ORG, T.demand_shard("b1"), 2026): {"W49:bookings:chevrolet/malibu": -1}}
    assert T.booking_deltas(None, {**b, "make": None}, "e4") == []  # without its car's model: nothing to count


def test_the_chart_averages_per_model_and_month_and_ages_the_stock():
    years = {2026: {"04:sold:chevrolet/malibu": Decimal(2), "04:sold_sum:chevrolet/malibu@USD": Decimal(30000),
                    "04:ratio_sum:chevrolet/malibu": Decimal("2.1"), "04:ratio_n:chevrolet/malibu": Decimal(2),
                    "04:dol_sum:chevrolet/malibu": Decimal(45)}}
    today = date(2026, 5, 1)
    stock = {"n:chevrolet/malibu": Decimal(2), "day_sum:chevrolet/malibu": Decimal(2 * today.toordinal() - 30),
             "car:a": Decimal(today.toordinal() - 10), "car:b": Decimal(today.toordinal() - 20)}
    demand = {2026: [{"W17:views:chevrolet/malibu": Decimal(5)}, {"W17:views:chevrolet/malibu": Decimal(2),
                                                                  "W17:bookings:chevrolet/malibu": Decimal(1)}]}
    doc = T.chart_document(today=today, years=years, stock=stock, demand=demand, generated_at="t")
    [row] = doc["price_index"]["chevrolet/malibu"]
    assert row["avg_sold_price"] == "15000.00" and row["index"] == "105.0" and row["avg_days_on_lot"] == "22.5"
    assert doc["stock"]["models"]["chevrolet/malibu"] == {"in_stock": 2, "avg_days_on_lot": "15.0"}
    assert doc["stock"]["cars"] == [{"car_id": "b", "days_on_lot": 20}, {"car_id": "a", "days_on_lot": 10}]
    assert doc["demand"]["chevrolet/malibu"] == [{"week": "2026-W17", "views": 7, "enquiries": 0, "bookings": 1}]


def test_aging_emails_once_per_car_with_every_reason_that_holds_and_schedules_the_next_look():
    listed = date(2026, 1, 1)
    c = T.aging_check(listed=listed, today=date(2026, 2, 15), aging_days=60, asking=Decimal(100),
                      estimate=Decimal(95), gap=Decimal("0.10"), fired=())
    assert c.fire == () and c.next_due == date(2026, 3, 1)  # the first of next month (day 60 is 2 March)
    c = T.aging_check(listed=listed, today=date(2026, 3, 1), aging_days=60, asking=Decimal(100),
                      estimate=Decimal(95), gap=Decimal("0.10"), fired=())
    assert c.fire == () and c.next_due == date(2026, 3, 2)
    c = T.aging_check(listed=listed, today=date(2026, 3, 2), aging_days=60, asking=Decimal(100),
                      estimate=Decimal(90), gap=Decimal("0.10"), fired=())
    assert c.fire == ("days", "estimate") and c.next_due is None
    c = T.aging_check(listed=listed, today=date(2026, 1, 2), aging_days=60, asking=Decimal(100),
                      estimate=Decimal("89.99"), gap=Decimal("0.10"), fired=())
    assert c.fire == ("estimate",) and c.next_due is None
    c = T.aging_check(listed=listed, today=date(2026, 3, 5), aging_days=60, asking=Decimal(100),
                      estimate=Decimal(80), gap=Decimal("0.10"), fired=("estimate",))
    assert c.fire == () and c.next_due is None  # told once: never again


def test_saved_search_events_are_arrivals_and_price_drops_of_listed_cars():
    listed = car(1)
    assert T.search_event(None, listed) == "arrived"
    assert T.search_event(car(1, public=False), listed) == "arrived"
    assert T.search_event(listed, {**listed, "asking_price": Decimal(14000)}) == "price_drop"
    assert T.search_event(listed, {**listed, "asking_price": Decimal(15000)}) is None
    assert T.search_event(listed, {**listed, "status": "sold"}) is None
    assert T.search_partitions("Chevrolet", "Malibu") == ("SEARCH#chevrolet#malibu", "SEARCH#chevrolet#*")
