"""The shop's stream and schedule: the customer gets one email per order status (a replayed batch
sends nothing again, a bad record fails only itself); an unpaid order's reservation expires once."""
from __future__ import annotations

import copy
import email
from datetime import datetime, timedelta, timezone

from chalicelib.core import clock
from local.lambda_events import scheduled_event
from tests.mocked import sent_emails, ses_messages
from tests.shops import make_shop_world

DAY = datetime(2026, 11, 20, 10, tzinfo=timezone.utc)


def shop_mails(recipient: str | None = None) -> list[dict]:
    return sorted((m for m in sent_emails() if m["alert_type"] == "shop"
                   and (recipient is None or m["recipient"] == recipient)), key=lambda m: m["created_at"])


def expire_job(client) -> dict:
    return client.lambda_.invoke("expire_shop_orders",
                                 scheduled_event("expire_shop_orders", "us-east-1", clock.iso_now())).payload


def test_one_email_per_status_change(client, alice, bob, pump):
    clock.set_now(DAY)
    world = make_shop_world(client, alice, bob)
    order = world.guest_order("2")[1]
    pump.run()
    assert [m["rule"] for m in shop_mails("guest@example.com")] == ["order:placed"]
    assert "Blue mug" in shop_mails()[0]["text"] and "25.00" in shop_mails()[0]["text"]
    for i, step in enumerate(("confirmed", "picked", "ready", "collected")):
        clock.set_now(DAY + timedelta(minutes=i + 1))
        order = world.move(world.staff, order, step)[1]
        pump.run()
    assert [m["rule"] for m in shop_mails("guest@example.com")] == [
        "order:placed", "order:confirmed", "order:picked", "order:ready", "order:collected"]
    sent = [email.message_from_string(m.raw_data) for m in ses_messages()]
    assert sum(1 for m in sent if m["To"] == "guest@example.com") == 5


def test_a_replayed_batch_sends_nothing_again_and_a_bad_record_fails_alone(client, alice, bob, pump):
    clock.set_now(DAY)
    world = make_shop_world(client, alice, bob)
    world.guest_order()
    batch = pump.shop.records()
    assert pump.invoke("on_shop_stream", batch) == {"batchItemFailures": []}
    assert pump.invoke("on_shop_stream", copy.deepcopy(batch)) == {"batchItemFailures": []}
    pump.run()
    assert len(shop_mails()) == 1
    order = world.guest_order()[1]
    broken = pump.shop.records()
    for rec in broken:
        if rec["dynamodb"]["NewImage"].get("sk", {}).get("S") == "ORDER":
            del rec["dynamodb"]["NewImage"]["total"]
    resp = pump.invoke("on_shop_stream", broken)
    assert len(resp["batchItemFailures"]) == 1
    assert order["id"]


def test_an_unpaid_order_expires_once_and_its_stock_is_released(client, alice, bob, pump):
    clock.set_now(DAY)
    world = make_shop_world(client, alice, bob)
    unpaid = world.guest_order("3")[1]
    paid = world.guest_order("1")[1]
    clock.set_now(DAY + timedelta(minutes=10))
    assert world.pay(paid["id"], "12.50", at=int(clock.now().timestamp()))[0] == 200
    clock.set_now(DAY + timedelta(minutes=29))
    assert expire_job(client) == {"due": 0, "expired": 0}
    assert world.stock()["reserved"] == "4"
    clock.set_now(DAY + timedelta(minutes=31))
    assert expire_job(client) == {"due": 1, "expired": 1}
    assert expire_job(client) == {"due": 0, "expired": 0}  # it left the index: a second run does nothing
    got = world.owner.get(f"/orgs/{world.oid}/shop/orders/{unpaid['id']}")[1]
    assert (got["status"], got["cancel_reason"]) == ("cancelled", "expired")
    assert (world.stock()["reserved"], world.stock()["available"]) == ("1", "4")
    assert world.owner.get(f"/orgs/{world.oid}/shop/orders/{paid['id']}")[1]["status"] == "confirmed"
    # a payment arriving after the expiry is refused: the provider refunds it
    status, err = world.pay(unpaid["id"], "37.50", at=int(clock.now().timestamp()))
    assert status == 409 and err["error"]["field"] == "status"
    pump.run()
    cancelled = [m for m in shop_mails() if m["rule"] == "order:cancelled"]
    assert len(cancelled) == 1 and "not paid in time" in cancelled[0]["text"]


def test_expiry_racing_a_payment_never_does_both(client, alice, bob):
    """The job read the order as placed, then the payment confirmed it: the expiry's condition fails."""
    from chalicelib.shop import orders

    clock.set_now(DAY)
    world = make_shop_world(client, alice, bob)
    order = world.guest_order("2")[1]
    clock.set_now(DAY + timedelta(minutes=31))
    assert world.pay(order["id"], "25.00", at=int(clock.now().timestamp()))[0] == 200
    assert orders.expire(world.oid, order["id"], clock.iso_now()) is False
    assert world.stock()["reserved"] == "2"
    res = world.owner.get(f"/orgs/{world.oid}/reservations/shop-{order['id']}")[1]
    assert res["status"] == "held"
