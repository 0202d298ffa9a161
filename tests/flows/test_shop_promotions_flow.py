"""Promotions through the shop stream and schedule: a cancelled or expired order gives its coupon use back
once (a replayed record gives nothing more); the storefront shows the discounted price while a promotion
runs and the edge job republishes it when the promotion starts and ends; the sale after picking is at
the price after discount, so inventory's revenue and margin are net; a promotion's chart compares its
weeks with the weeks before it."""
from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from chalicelib.core import clock
from chalicelib.core.rollups import read_rollups
from local.lambda_events import scheduled_event
from tests.flows.test_storefront import s3_json
from tests.shops import make_shop_world

NOW = datetime(2026, 12, 5, 12, tzinfo=timezone.utc)  # a Saturday


def promote(w, **change) -> dict:
    body = {"name": "Winter sale", "kind": "percent", "value": "20", "scope": "product", "target": w.product,
            "starts_at": "2026-12-01T00:00", "ends_at": "2026-12-31T00:00", **change}
    status, p = w.manager.post(f"/orgs/{w.oid}/shop/promotions", body)
    assert status == 201, p
    return p


def used(w, p) -> int:
    return w.owner.get(f"/orgs/{w.oid}/shop/promotions/{p['id']}")[1]["used"]


def edge_job(client) -> dict:
    return client.lambda_.invoke("shop_promotion_edges",
                                 scheduled_event("shop_promotion_edges", "us-east-1", clock.iso_now())).payload


def test_a_cancelled_order_gives_its_coupon_use_back_once(client, alice, bob, pump):
    clock.set_now(NOW)
    w = make_shop_world(client, alice, bob, stock=10)
    p = promote(w, code="ONE", usage_limit=1, once_per_customer=True)
    order = w.guest_order(coupon="ONE")[1]
    pump.run()
    assert used(w, p) == 1 and w.guest_order(coupon="ONE", email="x@example.com")[0] == 409
    order = w.move(w.manager, order, "cancelled")[1]
    records = pump.shop.records()
    assert pump.invoke("on_shop_stream", records) == {"batchItemFailures": []}
    assert used(w, p) == 0
    assert pump.invoke("on_shop_stream", copy.deepcopy(records)) == {"batchItemFailures": []}  # a replay
    assert used(w, p) == 0
    pump.run()
    assert w.guest_order(coupon="ONE")[0] == 201  # the same customer again: the claim went back too
    assert used(w, p) == 1


def test_an_expired_order_gives_its_coupon_use_back(client, alice, bob, pump):
    clock.set_now(NOW)
    w = make_shop_world(client, alice, bob, stock=10)
    p = promote(w, code="LATE", usage_limit=1)
    assert w.guest_order(coupon="LATE")[0] == 201
    pump.run()
    clock.set_now(NOW + timedelta(minutes=31))
    assert client.lambda_.invoke("expire_shop_orders", scheduled_event(
        "expire_shop_orders", "us-east-1", clock.iso_now())).payload["expired"] == 1
    pump.run()
    assert used(w, p) == 0 and w.guest_order(coupon="LATE", email="next@example.com")[0] == 201


def test_the_storefront_follows_a_promotion_from_its_start_to_its_end(client, alice, bob, pump):
    clock.set_now(NOW)
    w = make_shop_world(client, alice, bob)
    promote(w, starts_at="2026-12-06T00:00", ends_at="2026-12-08T00:00")
    pump.run()
    card = lambda: s3_json(f"storefront/{w.handle}/index.json")["products"][0]  # noqa: E731
    assert (card()["final_price"], card()["discount"]) == ("12.50", "0.00")
    assert edge_job(client) == {"due": 0, "moved": 0}
    clock.set_now(datetime(2026, 12, 6, 0, 0, 30, tzinfo=timezone.utc))
    assert edge_job(client) == {"due": 1, "moved": 1}
    assert edge_job(client) == {"due": 0, "moved": 0}  # twice is harmless
    pump.run()
    assert (card()["final_price"], card()["discount"], card()["discount_label"]) == ("10.00", "2.50", "Winter sale")
    page = s3_json(card()["page"])
    assert (page["price"], page["discount"], page["final_price"]) == ("12.50", "2.50", "10.00")
    clock.set_now(datetime(2026, 12, 8, 0, 1, tzinfo=timezone.utc))
    assert edge_job(client)["moved"] == 1
    pump.run()
    assert card()["final_price"] == "12.50"


def test_the_sale_after_discount_is_what_inventory_counts_as_revenue(client, alice, bob, pump):
    clock.set_now(NOW)
    w = make_shop_world(client, alice, bob, stock=10)
    promote(w)
    order = w.guest_order("2")[1]
    assert (order["lines"][0]["net"], order["total"]) == ("20.00", "20.00")
    for step in ("confirmed", "picked"):
        order = w.move(w.staff, order, step)[1]
    pump.run()
    year = read_rollups([(f"ORG#{w.oid}", "inventory#2026")])[(f"ORG#{w.oid}", "inventory#2026")]
    assert year["12-05:revenue"] == Decimal("20.00") and year["12-05:cogs"] == Decimal("8.00")  # margin 12.00, not 17.00


def test_a_promotions_chart_compares_its_weeks_with_the_weeks_before(client, alice, bob, pump):
    clock.set_now(datetime(2026, 11, 24, 12, tzinfo=timezone.utc))  # the week before
    w = make_shop_world(client, alice, bob, stock=30)
    assert w.guest_order("1")[0] == 201
    clock.set_now(NOW)
    p = promote(w, starts_at="2026-11-30T00:00", ends_at="2026-12-14T00:00")
    assert w.guest_order("3")[0] == 201
    cancelled = w.guest_order("5")[1]
    w.move(w.manager, cancelled, "cancelled")
    pump.run()
    clock.set_now(NOW + timedelta(minutes=1))
    assert w.guest_order("2")[0] == 201
    recs = pump.shop.records()
    for batch in (recs, copy.deepcopy(recs)):  # the second delivery is a replay: counted once
        assert pump.invoke("on_shop_stream", batch) == {"batchItemFailures": []}
    status, doc = w.staff.get(f"/orgs/{w.oid}/shop/promotions/{p['id']}/chart")
    assert status == 200 and doc == s3_json(f"charts/org/{w.oid}/promotion-{p['id']}.json")
    weeks = {x["week"]: (x["phase"], x["units"], x["revenue"]) for x in doc["weeks"]}
    assert weeks["2026-11-23"] == ("before", "1", "12.50")
    assert weeks["2026-11-30"] == ("during", "5", "50.00")  # net of the 20 % and without the cancelled order
    assert weeks["2026-12-07"] == ("during", "0", "0.00") and len(doc["weeks"]) == 6
    assert doc["lift_percent"]["units"] == "900.0"
