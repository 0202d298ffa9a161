"""Returns and the guest's way back to an order: the order lookup (number + email, one answer for any
mismatch), the signed order link, return requests within the window and never beyond what was bought,
staff receiving, restocking (a return movement in the ledger) or scrapping, the refund, and who may
do what. Bad input is a 4xx naming the field and writes nothing."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.core import clock
from tests.mocked import Caller, sign_up
from tests.shops import ShopWorld, make_shop_world

DAY = datetime(2026, 11, 20, 10, tzinfo=timezone.utc)


@pytest.fixture
def world(client, alice, bob) -> ShopWorld:
    clock.set_now(DAY)
    return make_shop_world(client, alice, bob)


def collected(world: ShopWorld, qty: str = "3", caller: Caller | None = None) -> dict:
    """A pickup order of `qty` mugs, taken through to collected."""
    if caller is None:
        status, order = world.guest_order(qty)
    else:
        body = world.order_body(qty)
        body.pop("email")
        status, order = caller.post(f"/shops/{world.handle}/customer/orders", body)
    assert status == 201, order
    for step in ("confirmed", "picked", "ready", "collected"):
        status, order = world.move(world.staff, order, step)
        assert status == 200, order
    return order


def lookup(world: ShopWorld, order: dict, email: str = "guest@example.com"):
    return world.anon.post(f"/shops/{world.handle}/order-lookup", {"order_number": order["id"][:8].upper(),
                                                                   "email": email})


def ask(world: ShopWorld, order: dict, token: str | None, qty: str = "1", **extra):
    body = {"return_id": str(uuid.uuid4()), "order_id": order["id"], "reason": "defective",
            "lines": [{"product_id": world.product, "quantity": qty}], "token": token, **extra}
    if token is None:
        body.pop("token")
    return world.anon.post(f"/shops/{world.handle}/returns", body)


# ---------------------------------------------------------------- finding the order
def test_a_guest_finds_an_order_by_number_and_email_and_nothing_else(world):
    order = collected(world)
    status, view = lookup(world, order)
    assert status == 200, view
    assert view["order"]["id"] == order["id"] and view["order_number"] == order["id"][:8].upper()
    assert view["returnable"] == [{"product_id": world.product, "name": "Blue mug", "bought": "3", "returnable": "3"}]
    assert view["return_by"].startswith((DAY + timedelta(days=30)).date().isoformat())
    # a wrong email, a wrong number and an unknown email all answer the same 404
    answers = [lookup(world, order, "other@example.com"),
               world.anon.post(f"/shops/{world.handle}/order-lookup", {"order_number": "ABCDEF12",
                                                                      "email": "guest@example.com"})]
    for status, err in answers:
        assert status == 404 and set(err["error"]) == {"code", "field", "message"} and err["error"]["field"] == "order_number"
    assert answers[0][1] == answers[1][1]
    status, err = world.anon.post(f"/shops/{world.handle}/order-lookup", {"order_number": "12", "email": "x@example.com"})
    assert status == 400 and err["error"]["field"] == "order_number"


def test_the_signed_link_opens_one_order_only(world):
    order, other = collected(world), collected(world, "1")
    token = lookup(world, order)[1]["token"]
    status, view = world.anon.get(f"/shops/{world.handle}/orders/{order['id']}?token={token}")
    assert status == 200 and view["order"]["status"] == "collected"
    status, err = world.anon.get(f"/shops/{world.handle}/orders/{other['id']}?token={token}")
    assert status == 404 and err["error"]["field"] == "order_id"
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert world.anon.get(f"/shops/{world.handle}/orders/{order['id']}?token={forged}")[0] == 404
    assert world.anon.get(f"/shops/{world.handle}/orders/{order['id']}?token=nonsense")[1]["error"]["field"] == "token"
    clock.set_now(DAY + timedelta(days=200))  # links expire
    assert world.anon.get(f"/shops/{world.handle}/orders/{order['id']}?token={token}")[0] == 404


# ---------------------------------------------------------------- asking for a return
def test_a_guest_returns_part_of_an_order_once_and_never_more_than_bought(world):
    order = collected(world)
    token = lookup(world, order)[1]["token"]
    status, ret = ask(world, order, token, "2", note="Handle came off")
    assert status == 201, ret
    assert (ret["status"], ret["guest"], ret["max_refund"], ret["lines"][0]["quantity"]) == ("requested", True, "25.00", "2")
    body = {"return_id": ret["id"], "order_id": order["id"], "reason": "defective", "note": "Handle came off",
            "lines": [{"product_id": world.product, "quantity": "2"}], "token": token}
    status, again = world.anon.post(f"/shops/{world.handle}/returns", body)
    assert status == 200 and again["id"] == ret["id"]
    status, err = world.anon.post(f"/shops/{world.handle}/returns", {**body, "reason": "other"})
    assert status == 409 and err["error"]["field"] == "return_id"
    status, err = ask(world, order, token, "2")
    assert status == 409 and err["error"]["field"] == "lines.0.quantity" and err["returnable"] == "1"
    assert ask(world, order, token, "1")[0] == 201
    view = world.anon.get(f"/shops/{world.handle}/orders/{order['id']}?token={token}")[1]
    assert view["returnable"][0]["returnable"] == "0" and len(view["returns"]) == 2


def test_returns_need_a_handed_over_order_within_the_window(world):
    status, placed = world.guest_order("1")
    token = lookup(world, placed)[1]["token"]
    status, err = ask(world, placed, token)
    assert status == 409 and err["error"]["field"] == "order_id"
    order = collected(world)
    clock.set_now(DAY + timedelta(days=31))
    status, err = ask(world, order, lookup(world, order)[1]["token"])
    assert status == 409 and err["error"]["field"] == "order_id" and "window" in err["error"]["message"]
    assert world.owner.get(f"/orgs/{world.oid}/shop/returns")[1]["items"] == []


def test_bad_return_requests_name_the_field_and_write_nothing(world):
    order = collected(world)
    token = lookup(world, order)[1]["token"]
    assert ask(world, order, None)[1]["error"]["field"] == "token"  # a guest needs the token
    cases = [
        ({"lines": [{"product_id": "nope", "quantity": "1"}]}, 404, "lines.0.product_id"),
        ({"lines": [{"product_id": world.product, "quantity": "0"}]}, 400, "lines.0.quantity"),
        ({"lines": [{"product_id": world.product, "quantity": "4"}]}, 409, "lines.0.quantity"),
        ({"lines": [{"product_id": world.product, "quantity": "1"}, {"product_id": world.product, "quantity": "1"}]},
         400, "lines.1.product_id"),
        ({"reason": "bored"}, 400, "reason"),
        ({"note": "<script>"}, 400, "note"),
        ({"return_id": "not-a-uuid"}, 400, "return_id"),
    ]
    for extra, code, field in cases:
        body = {"return_id": str(uuid.uuid4()), "order_id": order["id"], "reason": "defective",
                "lines": [{"product_id": world.product, "quantity": "1"}], "token": token, **extra}
        status, err = world.anon.post(f"/shops/{world.handle}/returns", body)
        assert (status, err["error"]["field"]) == (code, field), (extra, err)
    assert world.owner.get(f"/orgs/{world.oid}/shop/returns")[1]["items"] == []
    assert lookup(world, order)[1]["returnable"][0]["returnable"] == "3"


def test_a_signed_in_customer_returns_their_own_order_only(client, world, alice):
    carol = sign_up(client, "carol")
    order = collected(world, "2", carol)
    body = {"return_id": str(uuid.uuid4()), "order_id": order["id"], "reason": "wrong_item",
            "lines": [{"product_id": world.product, "quantity": "1"}]}
    dave = sign_up(client, "dave")
    status, err = dave.post(f"/shops/{world.handle}/customer/returns", body)
    assert status == 404 and err["error"]["field"] == "order_id"
    assert dave.get(f"/shops/{world.handle}/customer/orders/{order['id']}/returns")[0] == 404
    assert world.anon.post(f"/shops/{world.handle}/customer/returns", body)[0] == 401
    status, ret = carol.post(f"/shops/{world.handle}/customer/returns", body)
    assert status == 201 and ret["guest"] is False
    view = carol.get(f"/shops/{world.handle}/customer/orders/{order['id']}/returns")[1]
    assert [r["id"] for r in view["returns"]] == [ret["id"]] and view["returnable"][0]["returnable"] == "1"
    # an account's order is not found by the guest lookup
    assert lookup(world, order, carol.email)[0] == 404


# ---------------------------------------------------------------- staff
def test_restocking_puts_units_back_in_the_ledger_and_scrapping_does_not(world):
    order = collected(world)
    assert world.stock()["on_hand"] == "2"
    token = lookup(world, order)[1]["token"]
    ret = ask(world, order, token, "2")[1]
    path = f"/orgs/{world.oid}/shop/returns/{ret['id']}"
    status, err = world.manager.post(f"{path}/resolve", {"version": ret["version"], "refund": "25.00",
                                                         "lines": [{"product_id": world.product, "outcome": "restock"}]})
    assert status == 409 and err["error"]["field"] == "status"  # not received yet
    status, got = world.staff.post(f"{path}/receive", {"version": ret["version"]})
    assert status == 200 and got["status"] == "received"
    assert world.staff.post(f"{path}/receive", {"version": ret["version"]})[1]["error"]["field"] == "version"
    resolve = {"version": got["version"], "refund": "25.00", "lines": [{"product_id": world.product, "outcome": "restock"}]}
    assert world.staff.post(f"{path}/resolve", resolve)[1]["error"]["field"] == "role"
    for bad, code, field in [({"refund": "25.01"}, 409, "refund"), ({"refund": "1.001"}, 400, "refund"),
                             ({"lines": [{"product_id": world.product, "outcome": "scrap"}]}, 400, "lines.0.reason"),
                             ({"lines": [{"product_id": "other", "outcome": "restock"}]}, 404, "lines.0.product_id")]:
        status, err = world.manager.post(f"{path}/resolve", {**resolve, **bad})
        assert (status, err["error"]["field"]) == (code, field), err
    assert world.stock()["on_hand"] == "2"  # nothing written by the refused ones
    status, done = world.manager.post(f"{path}/resolve", resolve)
    assert status == 200, done
    assert (done["status"], done["refund"], done["lines"][0]["outcome"]) == ("refunded", "25.00", "restock")
    assert world.stock()["on_hand"] == "4"
    move = world.owner.get(f"/orgs/{world.oid}/movements/{done['lines'][0]['movement_id']}")[1]
    assert (move["kind"], move["quantity"], move["unit_cost"]) == ("return", "2", "4.00")
    # the last mug: scrapped, no stock back
    clock.set_now(DAY + timedelta(hours=1))
    second = ask(world, order, token, "1")[1]
    path2 = f"/orgs/{world.oid}/shop/returns/{second['id']}"
    got = world.staff.post(f"{path2}/receive", {"version": second["version"]})[1]
    status, done2 = world.manager.post(f"{path2}/resolve", {"version": got["version"], "refund": "12.50", "lines": [
        {"product_id": world.product, "outcome": "scrap", "reason": "damaged"}]})
    assert status == 200 and done2["lines"][0]["movement_id"] is None
    assert world.stock()["on_hand"] == "4"
    assert [r["id"] for r in world.staff.get(f"/orgs/{world.oid}/shop/returns?status=refunded")[1]["items"]] == [
        second["id"], ret["id"]]


def test_a_rejected_return_frees_its_units_to_be_asked_again(world):
    order = collected(world, "1")
    token = lookup(world, order)[1]["token"]
    ret = ask(world, order, token)[1]
    path = f"/orgs/{world.oid}/shop/returns/{ret['id']}"
    assert world.staff.post(f"{path}/reject", {"version": ret["version"]})[1]["error"]["field"] == "role"
    status, rej = world.manager.post(f"{path}/reject", {"version": ret["version"], "note": "Used beyond repair."})
    assert status == 200 and rej["status"] == "rejected"
    assert ask(world, order, token)[0] == 201


def test_returns_of_another_organisation_are_not_found(world, bob):
    order = collected(world, "1")
    ret = ask(world, order, lookup(world, order)[1]["token"])[1]
    for caller in (world.outsider,):
        status, err = caller.get(f"/orgs/{world.oid}/shop/returns/{ret['id']}")
        assert status == 404 and err["error"]["field"] == "org_id"
        assert caller.get(f"/orgs/{world.oid}/shop/insights")[0] == 404
    assert world.anon.get(f"/orgs/{world.oid}/shop/returns")[0] == 401
    status, err = world.owner.get(f"/orgs/{world.oid}/shop/returns/{uuid.uuid4()}")
    assert status == 404 and err["error"]["field"] == "return_id"


def test_the_return_window_is_a_shop_setting(world):
    shop = world.owner.get(f"/orgs/{world.oid}/shop")[1]
    assert shop["return_days"] == 30
    body = {k: shop[k] for k in ("handle", "name", "currency", "categories", "pickup_location_ids",
                                 "delivery_location_id", "reservation_minutes", "delivery_days", "version")}
    assert world.owner.put(f"/orgs/{world.oid}/shop", {**body, "return_days": 400})[1]["error"]["field"] == "return_days"
    status, changed = world.owner.put(f"/orgs/{world.oid}/shop", {**body, "return_days": 0})
    assert status == 200 and changed["return_days"] == 0
    order = collected(world, "1")
    status, err = ask(world, order, lookup(world, order)[1]["token"])
    assert status == 409 and err["error"]["field"] == "order_id"
