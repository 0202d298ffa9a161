"""Promotion routes and discounts at the checkout: who may run promotions, bad input refused naming the
field with nothing written, the best discount on each order line (price, discount, net), coupons
(unknown, expired, used up, once per customer) and the order body's `coupon`."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.core import clock
from tests.mocked import Caller
from tests.shops import ShopWorld, make_shop_world

NOW = datetime(2026, 12, 5, 12, tzinfo=timezone.utc)


@pytest.fixture
def world(client, alice, bob) -> ShopWorld:
    clock.set_now(NOW)
    return make_shop_world(client, alice, bob, stock=20)


def promo_body(**change) -> dict:
    body = {"name": "Winter sale", "kind": "percent", "value": "20", "scope": "shop",
            "starts_at": "2026-12-01T00:00", "ends_at": "2026-12-31T00:00", "stackable": False}
    return {k: v for k, v in {**body, **change}.items() if v is not None}


def create(w: ShopWorld, who: Caller | None = None, **change) -> tuple[int, dict]:
    return (who or w.manager).post(f"/orgs/{w.oid}/shop/promotions", promo_body(**change))


def promotions(w: ShopWorld) -> list[dict]:
    return w.owner.get(f"/orgs/{w.oid}/shop/promotions")[1]["items"]


# ---------------------------------------------------------------- the routes
def test_managers_run_promotions_and_members_read_them(world):
    status, p = create(world)
    assert status == 201, p
    assert (p["kind"], p["value"], p["scope"], p["target"], p["phase"], p["used"], p["version"]) == (
        "percent", "20", "shop", None, "active", 0, 1)
    assert (p["starts_at"], p["ends_at"], p["time_zone"]) == ("2026-12-01T00:00:00Z", "2026-12-31T00:00:00Z", "UTC")
    assert [x["id"] for x in world.staff.get(f"/orgs/{world.oid}/shop/promotions")[1]["items"]] == [p["id"]]
    assert world.staff.get(f"/orgs/{world.oid}/shop/promotions/{p['id']}")[1]["name"] == "Winter sale"
    status, err = create(world, world.staff)
    assert status == 403 and err["error"]["field"] == "role"
    status, err = world.outsider.get(f"/orgs/{world.oid}/shop/promotions")
    assert status == 404 and err["error"]["field"] == "org_id"
    assert world.anon.get(f"/orgs/{world.oid}/shop/promotions")[0] == 401
    path = f"/orgs/{world.oid}/shop/promotions/{p['id']}"
    status, changed = world.owner.put(path, promo_body(value="25", version=1))
    assert status == 200 and (changed["value"], changed["version"]) == ("25", 2)
    status, err = world.owner.put(path, promo_body(value="30", version=1))
    assert status == 409 and err["error"]["field"] == "version"
    assert world.staff.delete(path)[0] == 403
    assert world.manager.delete(path)[0] == 204
    assert world.owner.get(path)[1]["error"]["field"] == "promotion_id" and promotions(world) == []


def test_a_shop_time_zone_places_the_window(world):
    shop = world.owner.get(f"/orgs/{world.oid}/shop")[1]
    assert world.owner.put(f"/orgs/{world.oid}/shop", {
        "handle": world.handle, "name": shop["name"], "categories": [{"slug": "kitchen", "name": "Kitchen"}],
        "pickup_location_ids": [world.store], "delivery_location_id": world.warehouse, "time_zone": "Europe/Berlin",
        "version": shop["version"]})[0] == 200
    p = create(world, starts_at="2026-12-24", ends_at="2026-12-27T00:00:00+00:00")[1]
    assert (p["starts_at"], p["ends_at"], p["time_zone"], p["phase"]) == (
        "2026-12-23T23:00:00Z", "2026-12-27T00:00:00Z", "Europe/Berlin", "scheduled")


@pytest.mark.parametrize("change,status,field", [
    ({"value": "101"}, 400, "value"),
    ({"kind": "amount", "value": "0"}, 400, "value"),
    ({"ends_at": "2026-11-30T00:00"}, 400, "ends_at"),
    ({"starts_at": "2026-02-30"}, 400, "starts_at"),
    ({"ends_at": "2026-12-02T00:00", "starts_at": "2026-11-01"}, 400, "ends_at"),  # over already
    ({"scope": "category", "target": "garden"}, 404, "target"),
    ({"scope": "product", "target": "nope"}, 404, "target"),
    ({"scope": "product"}, 400, "target"),
    ({"target": "kitchen"}, 400, "target"),
    ({"usage_limit": 5}, 400, "usage_limit"),
    ({"once_per_customer": True}, 400, "once_per_customer"),
    ({"code": "x!"}, 400, "code"),
    ({"kind": "half"}, 400, "kind"),
])
def test_bad_promotions_are_refused_naming_the_field_and_write_nothing(world, change, status, field):
    got, err = create(world, **change)
    assert (got, err["error"]["field"]) == (status, field), err
    assert promotions(world) == []


def test_a_coupon_code_is_unique_and_cannot_change(world):
    p = create(world, code="winter10", usage_limit=3)[1]
    assert (p["code"], p["usage_limit"]) == ("WINTER10", 3)
    status, err = create(world, code="Winter10")
    assert status == 409 and err["error"]["field"] == "code" and len(promotions(world)) == 1
    status, err = world.owner.put(f"/orgs/{world.oid}/shop/promotions/{p['id']}", promo_body(code="OTHER", version=1))
    assert status == 409 and err["error"]["field"] == "code"


# ---------------------------------------------------------------- discounts at the checkout
def test_an_order_line_records_price_discount_and_net_with_the_best_promotion(world):
    create(world, name="Kitchen week", scope="category", target="Kitchen", value="10")
    best = create(world, name="Mug deal", kind="amount", value="3", scope="product", target=world.product)[1]
    status, order = world.guest_order("2")
    assert status == 201, order
    [line] = order["lines"]
    assert (line["list_price"], line["discount"], line["unit_price"], line["net"], line["promotions"]) == (
        "12.50", "3.00", "9.50", "19.00", [best["id"]])
    assert order["total"] == "19.00" and order["coupon"] is None


def test_stackable_promotions_combine_only_when_both_say_so(world):
    a = create(world, name="A", value="10", stackable=True)[1]
    b = create(world, name="B", kind="amount", value="1", scope="product", target=world.product, stackable=True)[1]
    line = world.guest_order()[1]["lines"][0]
    assert (line["discount"], line["unit_price"], sorted(line["promotions"])) == ("2.25", "10.25", sorted([a["id"], b["id"]]))


def test_a_promotion_outside_its_window_does_not_apply(world):
    create(world, starts_at="2026-12-10", ends_at="2026-12-20")
    line = world.guest_order()[1]["lines"][0]
    assert (line["unit_price"], line["discount"], line["promotions"]) == ("12.50", "0.00", [])
    clock.set_now(NOW + timedelta(days=6))
    assert world.guest_order()[1]["lines"][0]["unit_price"] == "10.00"


def test_coupons_unknown_expired_and_out_of_scope_are_refused_and_write_nothing(world):
    create(world, code="XMAS", scope="product", target=world.product, ends_at="2026-12-06T00:00")
    body = world.order_body(coupon="NOPE")
    status, err = world.anon.post(f"/shops/{world.handle}/orders", body)
    assert status == 404 and err["error"]["field"] == "coupon"
    assert world.owner.get(f"/orgs/{world.oid}/shop/orders/{body['order_id']}")[0] == 404
    assert world.stock()["reserved"] == "0"
    assert world.anon.post(f"/shops/{world.handle}/orders", world.order_body(coupon="bad code!"))[1][
        "error"]["field"] == "coupon"
    clock.set_now(NOW + timedelta(days=2))
    status, err = world.guest_order(coupon="xmas")
    assert status == 409 and err["error"]["field"] == "coupon" and "expired" in err["error"]["message"]
    assert world.stock()["reserved"] == "0"


def test_a_coupon_applies_only_with_its_code_and_counts_its_uses_up_to_the_limit(world):
    p = create(world, code="TEN", kind="amount", value="10", usage_limit=2)[1]
    assert world.guest_order()[1]["lines"][0]["unit_price"] == "12.50"  # no code, no coupon discount
    for i in range(2):
        status, order = world.guest_order(coupon="ten", email=f"c{i}@example.com")
        assert status == 201 and order["coupon"] == "TEN" and order["lines"][0]["unit_price"] == "2.50"
    status, err = world.guest_order(coupon="TEN", email="late@example.com")
    assert status == 409 and err["error"]["field"] == "coupon" and "used up" in err["error"]["message"]
    assert world.owner.get(f"/orgs/{world.oid}/shop/promotions/{p['id']}")[1]["used"] == 2
    assert world.stock()["reserved"] == "3"  # the refused order reserved nothing


def test_once_per_customer_refuses_the_second_use(world):
    create(world, code="HELLO", value="15", once_per_customer=True)
    assert world.guest_order(coupon="HELLO", email="ann@example.com")[0] == 201
    status, err = world.guest_order(coupon="HELLO", email="ANN@example.com")
    assert status == 409 and err["error"]["field"] == "coupon" and "already" in err["error"]["message"]
    assert world.guest_order(coupon="HELLO", email="ben@example.com")[0] == 201


def test_a_better_automatic_discount_leaves_the_coupon_unspent(world):
    p = create(world, code="SMALL", kind="amount", value="1", usage_limit=1)[1]
    create(world, name="Big", value="50")
    order = world.guest_order(coupon="SMALL")[1]
    assert order["lines"][0]["unit_price"] == "6.25" and order["coupon"] is None
    assert world.owner.get(f"/orgs/{world.oid}/shop/promotions/{p['id']}")[1]["used"] == 0


def test_the_same_order_id_and_coupon_again_is_a_replay_not_a_second_use(world):
    p = create(world, code="ONCE", value="10", usage_limit=5)[1]
    body = world.order_body(coupon="ONCE")
    assert world.anon.post(f"/shops/{world.handle}/orders", body)[0] == 201
    status, again = world.anon.post(f"/shops/{world.handle}/orders", body)
    assert status == 200 and again["coupon"] == "ONCE"
    assert world.owner.get(f"/orgs/{world.oid}/shop/promotions/{p['id']}")[1]["used"] == 1


def test_a_signed_in_customer_uses_a_once_per_customer_code_once_under_their_account(client, world):
    from tests.mocked import sign_up

    create(world, code="MEMBER", value="10", once_per_customer=True)
    shopper = sign_up(client, "shopper")
    path = f"/shops/{world.handle}/customer/orders"
    body = world.order_body(coupon="member")
    body.pop("email")
    status, order = shopper.post(path, body)
    assert status == 201 and order["coupon"] == "MEMBER", order
    status, err = shopper.post(path, {**body, "order_id": world.order_body()["order_id"]})
    assert status == 409 and err["error"]["field"] == "coupon"


def test_a_lower_limit_stops_the_uses_still_to_come(world):
    p = create(world, code="LIMIT", value="10", usage_limit=5)[1]
    assert world.guest_order(coupon="LIMIT")[0] == 201
    path = f"/orgs/{world.oid}/shop/promotions/{p['id']}"
    status, changed = world.manager.put(path, promo_body(value="10", code="LIMIT", usage_limit=1, version=1))
    assert status == 200 and (changed["usage_limit"], changed["used"]) == (1, 1)
    assert world.guest_order(coupon="LIMIT", email="z@example.com")[1]["error"]["field"] == "coupon"
    assert world.manager.delete(path)[0] == 204
    status, err = world.guest_order(coupon="LIMIT", email="y@example.com")
    assert status == 404 and err["error"]["field"] == "coupon"  # a deleted promotion's code is gone


def test_a_promotions_chart_before_any_sale_and_who_may_read_it(world):
    p = create(world, starts_at="2026-12-01", ends_at="2026-12-15")[1]
    status, doc = world.staff.get(f"/orgs/{world.oid}/shop/promotions/{p['id']}/chart")
    assert status == 200 and [w["phase"] for w in doc["weeks"]] == ["before"] * 4 + ["during"] * 3
    assert {w["units"] for w in doc["weeks"]} == {"0"} and doc["lift_percent"] == {"units": None, "revenue": None}
    assert world.outsider.get(f"/orgs/{world.oid}/shop/promotions/{p['id']}/chart")[1]["error"]["field"] == "org_id"
    assert world.owner.get(f"/orgs/{world.oid}/shop/promotions/not-a-uuid/chart")[1]["error"]["field"] == "promotion_id"
