"""Shop routes: the shop and its handle, orders by guests and customers with their stock reserved in
the ledger, statuses moved by staff, the signed payment webhook, and who may do what."""
from __future__ import annotations

import time
import uuid

import pytest

from tests.mocked import Caller, sign_up
from tests.shops import ShopWorld, make_shop_world


@pytest.fixture
def world(client, alice, bob) -> ShopWorld:
    return make_shop_world(client, alice, bob)


# ---------------------------------------------------------------- the shop
def test_a_shop_has_a_unique_public_handle(client, world, bob):
    status, public = world.anon.get(f"/shops/{world.handle}")
    assert status == 200 and public["name"] == "Corner Shop" and public["delivers"] is True
    assert "payment_secret" not in public
    other_org = bob.get("/orgs")[1]["items"][0]["org_id"]
    status, err = bob.put(f"/orgs/{other_org}/shop", {"handle": world.handle, "name": "Copycat"})
    assert status == 409 and err["error"]["field"] == "handle"
    assert world.anon.get("/shops/no-such-shop")[1]["error"]["field"] == "handle"
    assert world.anon.get("/shops/Bad_Handle")[0] == 400
    assert "payment_secret" not in world.staff.get(f"/orgs/{world.oid}/shop")[1]
    assert world.manager.get(f"/orgs/{world.oid}/shop")[1]["payment_secret"] == world.secret


def test_changing_the_shop_moves_its_handle_at_the_version_read(world):
    shop = world.owner.get(f"/orgs/{world.oid}/shop")[1]
    body = {"handle": f"{world.handle}-new", "name": "Corner", "pickup_location_ids": [world.store]}
    assert world.owner.put(f"/orgs/{world.oid}/shop", body)[1]["error"]["field"] == "version"
    status, err = world.owner.put(f"/orgs/{world.oid}/shop", {**body, "version": shop["version"] + 1})
    assert status == 409 and err["error"]["field"] == "version"
    status, changed = world.owner.put(f"/orgs/{world.oid}/shop", {**body, "version": shop["version"]})
    assert status == 200 and changed["payment_secret"] == world.secret
    assert world.anon.get(f"/shops/{world.handle}")[0] == 404
    assert world.anon.get(f"/shops/{world.handle}-new")[1]["delivers"] is False
    status, err = world.owner.put(f"/orgs/{world.oid}/shop", {**body, "pickup_location_ids": ["nowhere"],
                                                              "version": changed["version"]})
    assert status == 404 and err["error"]["field"] == "pickup_location_ids.0"


# ---------------------------------------------------------------- placing orders
def test_a_guest_order_reserves_its_stock_once(world):
    body = world.order_body("2")
    status, order = world.anon.post(f"/shops/{world.handle}/orders", body)
    assert status == 201, order
    assert (order["status"], order["total"], order["guest"], order["expires_at"] is not None) == (
        "placed", "25.00", True, True)
    assert (world.stock()["on_hand"], world.stock()["reserved"], world.stock()["available"]) == ("5", "2", "3")
    status, again = world.anon.post(f"/shops/{world.handle}/orders", body)
    assert status == 200 and again["id"] == order["id"]
    status, err = world.anon.post(f"/shops/{world.handle}/orders", {**body, "lines": [
        {"product_id": world.product, "quantity": "3"}]})
    assert status == 409 and err["error"]["field"] == "order_id"
    assert world.stock()["reserved"] == "2"


def test_an_order_beyond_what_is_available_writes_nothing(world):
    body = world.order_body("6")
    status, err = world.anon.post(f"/shops/{world.handle}/orders", body)
    assert status == 409 and err["error"]["field"] == "lines.0.quantity" and err["available"] == "5"
    assert world.owner.get(f"/orgs/{world.oid}/shop/orders/{body['order_id']}")[0] == 404
    assert world.stock()["reserved"] == "0"
    # the till's sale and the shop's order share one stock: what the till sells, the shop cannot
    assert world.owner.put(f"/orgs/{world.oid}/movements/{uuid.uuid4()}", {
        "kind": "sale", "product_id": world.product, "location_id": world.store, "quantity": "4"})[0] == 201
    assert world.guest_order("2")[1]["error"]["field"] == "lines.0.quantity"
    assert world.guest_order("1")[0] == 201
    assert world.stock()["available"] == "0"


@pytest.mark.parametrize("change,field,status", [
    ({"email": None}, "email", 400),
    ({"email": "not-an-email"}, "email", 400),
    ({"phone": "0123"}, "phone", 400),
    ({"location_id": None}, "location_id", 400),
    ({"location_id": "elsewhere"}, "location_id", 404),
    ({"lines": []}, "lines", 400),
    ({"lines": [{"product_id": "nothing", "quantity": "1"}]}, "lines.0.product_id", 404),
    ({"lines": [{"product_id": "p", "quantity": "-1"}]}, "lines.0.quantity", 400),
    ({"order_id": "not-a-uuid"}, "order_id", 400),
    ({"fulfilment": "drone"}, "fulfilment", 400),
    ({"coupon": "X"}, "coupon", 400),
])
def test_bad_orders_name_their_field_and_write_nothing(world, change, field, status):
    body = {k: v for k, v in {**world.order_body(), **change}.items() if v is not None}
    got, err = world.anon.post(f"/shops/{world.handle}/orders", body)
    assert got == status and err["error"]["field"] == field, err
    assert world.stock()["reserved"] == "0"


def test_a_delivery_needs_an_address_and_a_shop_that_delivers(world):
    status, err = world.guest_order(fulfilment="delivery", address="")
    assert status == 400 and err["error"]["field"] == "address"
    status, order = world.guest_order(fulfilment="delivery")
    assert status == 201 and order["location_id"] == world.warehouse
    assert world.stock(world.warehouse)["reserved"] == "1" and world.stock()["reserved"] == "0"


def test_a_signed_in_customer_orders_under_their_account_and_sees_only_their_own(client, world):
    carol, dave = sign_up(client, "carol"), sign_up(client, "dave")
    body = world.order_body("1", phone="+447911123456", sms_opt_in=True)
    del body["email"]
    status, order = carol.post(f"/shops/{world.handle}/customer/orders", body)
    assert status == 201, order
    assert (order["customer_email"], order["guest"], order["sms_opt_in"], order["phone"]) == (
        carol.email, False, True, "+447911123456")
    assert [o["id"] for o in carol.get(f"/shops/{world.handle}/customer/orders")[1]["items"]] == [order["id"]]
    assert carol.get(f"/shops/{world.handle}/customer/orders/{order['id']}")[0] == 200
    assert dave.get(f"/shops/{world.handle}/customer/orders")[1]["items"] == []
    status, err = dave.get(f"/shops/{world.handle}/customer/orders/{order['id']}")
    assert status == 404 and err["error"]["field"] == "order_id"
    status, err = carol.post(f"/shops/{world.handle}/customer/orders", {**world.order_body(), "email": "x@example.com"})
    assert status == 400 and err["error"]["field"] == "email"
    assert world.anon.get(f"/shops/{world.handle}/customer/orders")[0] == 401


# ---------------------------------------------------------------- statuses
def test_a_pickup_order_runs_its_course_and_is_sold_when_picked(world):
    order = world.guest_order("2")[1]
    assert order["next_statuses"] == ["confirmed", "cancelled"]  # the workflow's next steps, for the staff page
    status, err = world.move(world.staff, order, "ready")
    assert status == 409 and err["error"]["field"] == "status"
    nexts = {"confirmed": ["picked", "cancelled"], "picked": ["ready"], "ready": ["collected"], "collected": []}
    for step in ("confirmed", "picked", "ready", "collected"):
        status, order = world.move(world.staff, order, step)
        assert status == 200 and order["status"] == step, order
        assert order["next_statuses"] == nexts[step]
        if step == "picked":
            assert (world.stock()["on_hand"], world.stock()["reserved"]) == ("3", "0")
    assert [h["status"] for h in order["history"]] == ["placed", "confirmed", "picked", "ready", "collected"]
    sales = world.owner.get(f"/orgs/{world.oid}/movements?product_id={world.product}")[1]["items"]
    sold = [m for m in sales if m["kind"] == "sale"]
    assert len(sold) == 1 and sold[0]["quantity"] == "2" and sold[0]["price"] == "12.50"
    assert sold[0]["reservation_id"] == f"shop-{order['id']}"
    assert world.move(world.manager, order, "cancelled")[1]["error"]["field"] == "status"


def test_a_delivery_order_ships_and_is_delivered(world):
    order = world.guest_order(fulfilment="delivery")[1]
    for step, then in (("confirmed", ["picked", "cancelled"]), ("picked", ["shipped"]), ("shipped", ["delivered"]),
                       ("delivered", [])):
        status, order = world.move(world.staff, order, step)
        assert status == 200 and order["next_statuses"] == then, order
    assert world.stock(world.warehouse)["on_hand"] == "4"


def test_a_stale_version_is_refused(world):
    order = world.guest_order()[1]
    assert world.move(world.staff, order, "confirmed")[0] == 200
    status, err = world.move(world.staff, order, "confirmed")  # the version read is gone
    assert status == 409 and err["error"]["field"] == "version"


def test_cancelling_takes_a_manager_and_releases_the_stock(world):
    order = world.guest_order("3")[1]
    status, err = world.move(world.staff, order, "cancelled")
    assert status == 403 and err["error"]["field"] == "role"
    status, order = world.move(world.manager, order, "cancelled")
    assert status == 200 and order["cancel_reason"] == "shop"
    assert (world.stock()["reserved"], world.stock()["available"]) == ("0", "5")
    res = world.owner.get(f"/orgs/{world.oid}/reservations/shop-{order['id']}")[1]
    assert res["status"] == "released"


# ---------------------------------------------------------------- payments
def test_a_signed_payment_confirms_an_order_once(world):
    order = world.guest_order("2")[1]
    status, out = world.pay(order["id"], "25.00")
    assert status == 200 and out == {"order_id": order["id"], "status": "confirmed", "confirmed": True}
    status, out = world.pay(order["id"], "25.00")  # the provider retries
    assert status == 200 and out["confirmed"] is False
    got = world.owner.get(f"/orgs/{world.oid}/shop/orders/{order['id']}")[1]
    assert (got["status"], got["payment_id"], got["expires_at"]) == ("confirmed", "pay_1", None)
    status, err = world.pay(order["id"], "25.00", payment_id="pay_2")
    assert status == 409 and err["error"]["field"] == "status"


@pytest.mark.parametrize("kind,field,status", [
    ("forged", "X-Tally-Signature", 401),
    ("stale", "X-Tally-Timestamp", 401),
    ("amount", "amount", 409),
    ("currency", "amount", 409),
    ("unknown", "order_id", 404),
])
def test_a_bad_payment_confirmation_is_refused_and_changes_nothing(world, kind, field, status):
    order = world.guest_order("2")[1]
    args = {"forged": {"secret": "0" * 64}, "stale": {"at": int(time.time()) - 3600}, "amount": {"amount": "1.00"},
            "currency": {"currency": "USD"}, "unknown": {"order_id": str(uuid.uuid4())}}[kind]
    got, err = world.pay(args.pop("order_id", order["id"]), args.pop("amount", "25.00"), **args)
    assert got == status and err["error"]["field"] == field, err
    assert world.owner.get(f"/orgs/{world.oid}/shop/orders/{order['id']}")[1]["status"] == "placed"


def test_an_unsigned_payment_is_refused(world):
    order = world.guest_order()[1]
    status, err = world.anon.post(f"/shops/{world.handle}/payments", {
        "order_id": order["id"], "payment_id": "p", "amount": "12.50", "currency": "EUR", "status": "paid"})
    assert status == 401 and err["error"]["field"] == "X-Tally-Timestamp"


# ---------------------------------------------------------------- who may do what
def test_staff_routes_for_outsiders_and_each_role(world):
    order = world.guest_order()[1]
    o = world.oid
    routes = [
        ("GET", f"/orgs/{o}/shop", None, ("owner", "manager", "staff")),
        ("PUT", f"/orgs/{o}/shop", "shop", ("owner", "manager")),
        ("GET", f"/orgs/{o}/shop/orders", None, ("owner", "manager", "staff")),
        ("GET", f"/orgs/{o}/shop/orders/{order['id']}", None, ("owner", "manager", "staff")),
    ]
    callers = {"owner": world.owner, "manager": world.manager, "staff": world.staff}
    for method, path, body, allowed in routes:
        def send(who: Caller):
            b = body
            if b == "shop":
                cur = world.owner.get(f"/orgs/{o}/shop")[1]
                b = {"handle": cur["handle"], "name": cur["name"], "pickup_location_ids": [world.store],
                     "delivery_location_id": world.warehouse, "version": cur["version"]}
            return who.call(method, path, b)
        assert send(world.anon)[0] == 401, path
        status, err = send(world.outsider)
        assert status == 404 and err["error"]["field"] == "org_id", (method, path)
        for role, who in callers.items():
            status, out = send(who)
            if role in allowed:
                assert status == 200, (method, path, role, out)
            else:
                assert status == 403 and out["error"]["field"] == "role", (method, path, role)
    status, err = world.outsider.post(f"/orgs/{o}/shop/orders/{order['id']}/status",
                                      {"status": "confirmed", "version": 1})
    assert status == 404 and err["error"]["field"] == "org_id"
    assert world.anon.post(f"/orgs/{o}/shop/orders/{order['id']}/status", {"status": "confirmed", "version": 1})[0] == 401
    listed = world.staff.get(f"/orgs/{o}/shop/orders?status=placed")[1]["items"]
    assert [x["id"] for x in listed] == [order["id"]]
    assert world.staff.get(f"/orgs/{o}/shop/orders?status=confirmed")[1]["items"] == []


# ---------------------------------------------------------------- listings and prices
def test_a_discount_is_shown_and_charged(world):
    o, p = world.oid, world.product
    status, listing = world.manager.put(f"/orgs/{o}/shop/listings/{p}", {
        "category": "kitchen", "discount": {"kind": "percent", "value": "20", "label": "Spring sale"}, "version": 1})
    assert status == 200, listing
    assert (listing["price"], listing["discount_amount"], listing["final_price"]) == ("12.50", "2.50", "10.00")
    status, order = world.guest_order("2")
    assert status == 201 and order["total"] == "20.00"
    assert order["lines"][0] | {} == {"product_id": p, "sku": "MUG-1", "name": "Blue mug", "quantity": "2",
                                      "unit_price": "10.00", "list_price": "12.50", "discount": "2.50",
                                      "net": "20.00", "promotions": ["listing"]}  # the listing's own discount
    sold = world.owner.put(f"/orgs/{o}/shop/listings/{p}", {
        "discount": {"kind": "amount", "value": "3", "starts_on": "2020-01-01", "ends_on": "2020-01-31"},
        "version": 2})[1]
    assert sold["final_price"] == "12.50"  # outside its days: no discount


@pytest.mark.parametrize("body,field,status", [
    ({"category": "garden"}, "category", 404),
    ({"discount": {"kind": "percent", "value": "120"}}, "discount.value", 400),
    ({"discount": {"kind": "amount", "value": "0"}}, "discount.value", 400),
    ({"discount": {"kind": "percent", "value": "10", "starts_on": "2026-02-10", "ends_on": "2026-02-01"}},
     "discount.ends_on", 400),
    ({"discount": {"kind": "percent", "value": "10", "starts_on": "2026-02-30"}}, "discount.starts_on", 400),
    ({"discount": {"kind": "bogo", "value": "1"}}, "discount.kind", 400),
])
def test_bad_listings_name_their_field(world, body, field, status):
    got, err = world.owner.put(f"/orgs/{world.oid}/shop/listings/{world.product}", {**body, "version": 1})
    assert got == status and err["error"]["field"] == field, err


def test_an_unlisted_or_unpublished_product_cannot_be_ordered(world):
    o = world.oid
    other = world.owner.post(f"/orgs/{o}/products", {"sku": "PLATE", "name": "Plate", "price": "3.00",
                                                     "cost": "1.00", "currency": "EUR"})[1]["id"]
    status, err = world.guest_order(lines=[{"product_id": other, "quantity": "1"}])
    assert status == 404 and err["error"]["field"] == "lines.0.product_id"
    assert world.owner.put(f"/orgs/{o}/shop/listings/{world.product}", {"published": False, "version": 1})[0] == 200
    status, err = world.guest_order()
    assert status == 404 and err["error"]["field"] == "lines.0.product_id"
    status, err = world.owner.put(f"/orgs/{o}/shop/listings/nothing", {})
    assert status == 404 and err["error"]["field"] == "product_id"


def test_listing_routes_for_outsiders_and_each_role(world):
    path = f"/orgs/{world.oid}/shop/listings/{world.product}"
    assert world.anon.put(path, {"version": 1})[0] == 401
    assert world.outsider.put(path, {"version": 1})[1]["error"]["field"] == "org_id"
    assert world.outsider.get(f"/orgs/{world.oid}/shop/listings")[1]["error"]["field"] == "org_id"
    status, err = world.staff.put(path, {"version": 1})
    assert status == 403 and err["error"]["field"] == "role"
    items = world.staff.get(f"/orgs/{world.oid}/shop/listings")[1]["items"]
    assert [(i["product_id"], i["final_price"]) for i in items] == [(world.product, "12.50")]
    status, err = world.manager.put(path, {"version": 7})
    assert status == 409 and err["error"]["field"] == "version"
