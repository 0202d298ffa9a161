"""Returns through the shop stream: one email per return status, each with the signed link to the
order; order emails carry that link too; the return rate per product in insights, exactly once under
replays; a refunded return whose movement was never recorded is restocked by the stream, once."""
from __future__ import annotations

import copy
import re
import urllib.parse
import uuid
from datetime import datetime, timedelta, timezone

from chalicelib.core import clock
from tests.flows.test_shop_flow import shop_mails
from tests.shops import make_shop_world

DAY = datetime(2026, 11, 20, 10, tzinfo=timezone.utc)


def collected(world, qty: str) -> dict:
    order = world.guest_order(qty)[1]
    for i, step in enumerate(("confirmed", "picked", "ready", "collected")):
        clock.set_now(clock.now() + timedelta(minutes=1))
        order = world.move(world.staff, order, step)[1]
    return order


def token_of(world, order) -> str:
    return world.anon.post(f"/shops/{world.handle}/order-lookup", {"order_number": order["id"][:8],
                                                                   "email": "guest@example.com"})[1]["token"]


def ask(world, order, qty: str) -> dict:
    status, ret = world.anon.post(f"/shops/{world.handle}/returns", {
        "return_id": str(uuid.uuid4()), "order_id": order["id"], "reason": "damaged", "token": token_of(world, order),
        "lines": [{"product_id": world.product, "quantity": qty}]})
    assert status == 201, ret
    return ret


def settle(world, ret: dict, outcome: str, refund: str) -> dict:
    path = f"/orgs/{world.oid}/shop/returns/{ret['id']}"
    got = world.staff.post(f"{path}/receive", {"version": ret["version"]})[1]
    line = {"product_id": world.product, "outcome": outcome, **({"reason": "damaged"} if outcome == "scrap" else {})}
    status, done = world.manager.post(f"{path}/resolve", {"version": got["version"], "refund": refund, "lines": [line]})
    assert status == 200, done
    return done


def test_each_return_status_emails_the_customer_once_with_the_order_link(client, alice, bob, pump):
    clock.set_now(DAY)
    world = make_shop_world(client, alice, bob)
    order = collected(world, "2")
    pump.run()
    placed = [m for m in shop_mails("guest@example.com") if m["rule"] == "order:placed"][0]
    link = re.search(r"Your order: (\S+)", placed["text"]).group(1)
    assert f"storefront.html#/s/{world.handle}/order?id={order['id']}" in link
    token = urllib.parse.unquote(link.split("&t=")[1])
    assert world.anon.get(f"/shops/{world.handle}/orders/{order['id']}?token={token}")[0] == 200
    ret = ask(world, order, "1")
    settle(world, ret, "restock", "12.50")
    pump.run()
    pump.run()
    mails = [m for m in shop_mails("guest@example.com") if m["rule"].startswith("return:")]
    assert sorted(m["rule"] for m in mails) == ["return:received", "return:refunded", "return:requested"]
    refunded = [m for m in mails if m["rule"] == "return:refunded"][0]
    assert "12.50 EUR" in refunded["text"] and "Follow it here:" in refunded["text"]


def test_return_rate_per_product_once_under_replays(client, alice, bob, pump):
    clock.set_now(DAY)
    world = make_shop_world(client, alice, bob, stock=10)
    first, second = collected(world, "3"), collected(world, "1")
    batch = pump.shop.records()
    assert pump.invoke("on_shop_stream", batch) == {"batchItemFailures": []}
    assert pump.invoke("on_shop_stream", copy.deepcopy(batch)) == {"batchItemFailures": []}  # a replay
    settle(world, ask(world, first, "2"), "restock", "25.00")
    settle(world, ask(world, second, "1"), "scrap", "12.50")
    rejected = ask(world, first, "1")
    world.manager.post(f"/orgs/{world.oid}/shop/returns/{rejected['id']}/reject", {"version": rejected["version"]})
    pump.run()
    status, out = world.staff.get(f"/orgs/{world.oid}/shop/insights")
    assert status == 200, out
    mug = out["products"][0]
    assert (mug["sold"], mug["requested"], mug["returned"], mug["restocked"], mug["scrapped"], mug["return_rate"]) == (
        "4", "3", "3", "2", "1", "0.7500")
    assert (out["sold"], out["returned"], out["return_rate"], out["refunded"]) == ("4", "3", "0.7500", {"EUR": "37.50"})


def test_a_refunded_return_is_restocked_by_the_stream_once(client, alice, bob, pump, monkeypatch):
    clock.set_now(DAY)
    world = make_shop_world(client, alice, bob)
    order = collected(world, "2")
    from chalicelib.shop import returns

    monkeypatch.setattr(returns, "restock", lambda ret: 0)  # the request's own recording failed
    done = settle(world, ask(world, order, "2"), "restock", "0")
    assert world.stock()["on_hand"] == "3"
    monkeypatch.undo()
    pump.run()
    assert world.stock()["on_hand"] == "5"
    move = world.owner.get(f"/orgs/{world.oid}/movements/{done['lines'][0]['movement_id']}")[1]
    assert move["kind"] == "return" and move["quantity"] == "2"
    from chalicelib.shop.returns import find_return, restock

    assert restock(find_return(world.oid, done["id"])) == 0  # again: nothing more
    assert world.stock()["on_hand"] == "5"


def test_index_cards_carry_a_compact_search_field(client, alice, bob, pump):
    from tests.flows.test_storefront import s3_json

    clock.set_now(DAY)
    world = make_shop_world(client, alice, bob)
    pump.run()
    card = s3_json(f"storefront/{world.handle}/index.json")["products"][0]
    assert card["search"] == "blue mug 1 kitchen a sturdy"
    from chalicelib.shop.rules.storefront import matches

    assert matches(card["search"], "sturdy Mug") and not matches(card["search"], "teapot")
