"""The forecast job over real sales through the API: forecasts once a day per position, the chart of
forecast against actual, and the reorder job using the forecast."""
from __future__ import annotations

import math
from decimal import Decimal
from datetime import date, datetime, timedelta, timezone

from chalicelib.core import clock
from chalicelib.core.rollups import apply_contributions, Contribution
from chalicelib.inventory.rules import watch
from local.lambda_events import scheduled_event
from tests.api.test_inventory_api import make_shop, receive, sale

START = datetime(2026, 9, 1, 9, tzinfo=timezone.utc)


def run_job(client) -> dict:
    return client.lambda_.invoke("forecast_demand",
                                 scheduled_event("forecast_demand", "us-east-1", clock.iso_now())).payload


def seed_demand(org_id: str, product_id: str, location_id: str, days: int, end) -> None:
    """Past demand straight into the series rollups (weekday-shaped with some noise, 3..13 a day), as the stream would."""
    c = Contribution("seed", "0")
    for i in range(days, 0, -1):
        d = end - timedelta(days=i)
        c.add(watch.series_key(org_id, product_id, location_id, str(d.year)), f"{d:%m-%d}",
              Decimal(8 + round(3 * math.sin(2 * math.pi * d.toordinal() / 7)) + (i * 37 % 5 - 2)))
    apply_contributions([c])


def test_the_job_forecasts_each_position_once_a_day_and_charts_forecast_against_actual(client, alice, bob, pump):
    clock.set_now(START)
    shop = make_shop(client, alice, bob)
    receive(shop, 60, "2.00")
    now = START + timedelta(days=70)
    clock.set_now(now)
    seed_demand(shop.oid, shop.product, shop.store, 90, now.date())
    assert sale(shop, "3")[0] == 201  # today's sale: the position is live
    pump.run()
    first = run_job(client)
    assert first["forecast"] == 1 and first["left_for_next_run"] == 0
    assert run_job(client) == {"forecast": 0, "fresh": 1, "left_for_next_run": 0}
    doc = shop.staff.get(f"/orgs/{shop.oid}/forecasts")[1]
    [series] = doc["series"]
    assert series["product"] == "Coffee 1kg" and series["location"] == "High Street"
    assert series["method"].startswith("ets:") and len(series["forecast"]) == 28 and len(series["actual"]) == 28
    assert series["days"][0] == now.date().isoformat() and series["past_days"][-1] == (now.date() - timedelta(days=1)).isoformat()
    assert 3 <= float(series["forecast"][0]) <= 13
    # 57 on hand at about 8 a day: a week of cover, out about a week from today
    cover = float(series["days_of_cover"])
    assert 5 < cover < 10
    # the day stock may run out at the 95% service level: not after the day it runs out on average
    expected_out = now.date() + timedelta(days=math.floor(cover))
    assert now.date() < date.fromisoformat(series["stockout_date"]) <= expected_out
    assert int(series["suggested_reorder_point"]) > 3 * 8  # lead time 3 days of demand plus safety stock
    for k in range(28):  # the bands hold the forecast: 95% around 80% around the mean
        lo95, lo80, mid, hi80, hi95 = (float(series[f][k]) for f in
                                       ("lower_95", "lower_80", "forecast", "upper_80", "upper_95"))
        assert lo95 <= lo80 <= mid <= hi80 <= hi95 and lo95 >= 0
    assert float(series["upper_95"][-1]) - float(series["lower_95"][-1]) > 0
    assert float(series["backtest_mase"]) < 1.5
    # a day later it is stale again
    clock.set_now(now + timedelta(hours=21))
    assert run_job(client)["forecast"] == 1


def test_forecasts_are_for_members_only(client, alice, bob):
    shop = make_shop(client, alice, bob)
    assert shop.outsider.get(f"/orgs/{shop.oid}/forecasts")[0] == 404
    assert shop.staff.get(f"/orgs/{shop.oid}/forecasts")[1]["series"] == []


def test_a_time_budget_leaves_the_rest_for_the_next_run(client, alice, bob):
    from chalicelib.inventory.jobs import forecast_positions

    clock.set_now(START)
    shop = make_shop(client, alice, bob)
    receive(shop, 5, "2.00")
    receive(shop, 5, "2.00", loc=shop.second)
    assert forecast_positions(budget_seconds=-1) == {"forecast": 0, "fresh": 0, "left_for_next_run": 2}
    assert forecast_positions(budget_seconds=60)["forecast"] == 2
