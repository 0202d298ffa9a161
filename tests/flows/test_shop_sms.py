"""Texts (issue 13 item 7): an order's status texts to a customer who opted in, through the outbox's sms
channel and SNS (moto keeps each text); STOP opts out; a daily cap per number; texted inquiries become
help desk tickets or the shop's inquiries."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.core import clock
from chalicelib.core.sms import inbound_event
from tests.shops import make_shop_world

DAY = datetime(2026, 11, 20, 10, tzinfo=timezone.utc)
PHONE = "+447911123456"


def sns_backend():
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    return sns_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]


@pytest.fixture(autouse=True)
def no_texts_yet(aws):
    """moto's SNS backend outlives a test: each test starts with no texts sent."""
    sns_backend().sms_messages.clear()
    sns_backend().sms_message_objects.clear()


def sns_texts(phone: str | None = None) -> list[tuple[str, str]]:
    """What SNS (moto) was asked to text, in order: (number, message)."""
    sent = list(sns_backend().sms_messages.values())
    return [t for t in sent if phone is None or t[0] == phone]


def outbox(channel: str | None = None) -> list[dict]:
    from chalicelib.core.models import OutboxMessage

    out = [m.attribute_values for s in ("sent", "skipped", "pending", "failed", "sending")
           for m in OutboxMessage.by_status.query(s)]
    return [m for m in out if channel is None or m.get("channel", "email") == channel]


def texted(client, sender: str, text: str, message_id: str | None = None) -> dict:
    ev = inbound_event(sender, text, "+12025550100", message_id or str(uuid.uuid4()), clock.iso_now())
    return client.lambda_.invoke("on_inbound_sms", ev).payload


def test_an_opted_in_order_gets_a_text_per_status_beside_each_email(client, alice, bob, pump):
    clock.set_now(DAY)
    world = make_shop_world(client, alice, bob)
    status, order = world.guest_order("1", phone="+44 7911 123456".replace(" ", ""), sms_opt_in=True)
    assert status == 201 and order["phone"] == PHONE
    pump.run()
    order = world.move(world.staff, order, "confirmed")[1]
    pump.run()
    texts = sns_texts(PHONE)
    assert len(texts) == 2 and "keeping its items" in texts[0][1] and "confirmed" in texts[1][1].lower()
    assert all("Reply STOP" in t for _, t in texts)
    sms = outbox("sms")
    assert {m["status"] for m in sms} == {"sent"} and all(m["sms_message_id"] for m in sms)
    assert len([m for m in outbox("email") if m["alert_type"] == "shop"]) == 2  # the emails are unchanged
    from chalicelib.core.sms import consent

    c = consent(PHONE)
    assert (c.status, c.opted_in_source) == ("in", f"shop-checkout:{world.oid}") and c.opted_in_at


def test_no_text_without_opt_in_and_a_replayed_batch_texts_nothing_again(client, alice, bob, pump):
    clock.set_now(DAY)
    world = make_shop_world(client, alice, bob)
    world.guest_order("1", phone=PHONE)  # a number but no opt-in
    pump.run()
    assert sns_texts() == [] and outbox("sms") == []
    world.guest_order("1", phone=PHONE, sms_opt_in=True)
    batch = pump.shop.records()
    assert pump.invoke("on_shop_stream", batch) == {"batchItemFailures": []}
    assert pump.invoke("on_shop_stream", batch) == {"batchItemFailures": []}
    pump.run()
    assert len(sns_texts(PHONE)) == 1


@pytest.mark.parametrize("phone", ["+4479111234", "+999123456789", "+44 79 nope"])
def test_a_number_that_is_not_one_is_refused_naming_phone_and_nothing_is_written(client, alice, bob, phone):
    clock.set_now(DAY)
    world = make_shop_world(client, alice, bob)
    before = world.stock()["reserved"]
    status, err = world.guest_order("1", phone=phone, sms_opt_in=True)
    assert status == 400 and err["error"]["field"] == "phone"
    assert world.stock()["reserved"] == before
    assert world.owner.get(f"/orgs/{world.oid}/shop/orders")[1]["items"] == []


def test_stop_opts_out_and_later_texts_are_skipped_not_sent(client, alice, bob, pump):
    clock.set_now(DAY)
    world = make_shop_world(client, alice, bob)
    order = world.guest_order("1", phone=PHONE, sms_opt_in=True)[1]
    pump.run()
    assert len(sns_texts(PHONE)) == 1
    clock.set_now(DAY + timedelta(minutes=5))
    out = texted(client, PHONE, "Stop")
    assert out["outcomes"][0]["outcome"] == "opted_out"
    world.move(world.staff, order, "confirmed")
    pump.run()
    assert len(sns_texts(PHONE)) == 1
    skipped = [m for m in outbox("sms") if m["status"] == "skipped"]
    assert len(skipped) == 1 and skipped[0]["last_error"] == "opted out"
    from chalicelib.core.sms import consent, record_opt_in

    # a replay of the old checkout opt-in never undoes the later STOP
    assert record_opt_in(PHONE, "shop-checkout:x", "2026-11-20T10:01:00.000000Z") is False
    assert consent(PHONE).status == "out"
    clock.set_now(DAY + timedelta(minutes=6))
    assert texted(client, PHONE, "START")["outcomes"][0]["outcome"] == "opted_in"
    assert consent(PHONE).status == "in"


def test_the_daily_cap_holds_per_number(client, alice, bob, pump):
    from chalicelib.core import sms

    clock.set_now(DAY)
    world = make_shop_world(client, alice, bob, stock=30)
    for _ in range(sms.DAILY_CAP + 2):
        world.guest_order("1", phone=PHONE, sms_opt_in=True)
    pump.run()
    assert len(sns_texts(PHONE)) == sms.DAILY_CAP
    capped = [m for m in outbox("sms") if m["status"] == "skipped"]
    assert len(capped) == 2 and "daily cap" in capped[0]["last_error"]
    assert sms.sent_today(PHONE) == sms.DAILY_CAP
    clock.set_now(DAY + timedelta(days=1))
    world.guest_order("1", phone=PHONE, sms_opt_in=True)
    pump.run()
    assert len(sns_texts(PHONE)) == sms.DAILY_CAP + 1


def test_a_texted_inquiry_is_stored_for_the_shop_without_a_desk_and_answered_by_text(client, alice, bob, pump):
    clock.set_now(DAY)
    world = make_shop_world(client, alice, bob)
    mid = str(uuid.uuid4())
    out = texted(client, PHONE, f"{world.handle} do you have the red mug?", mid)
    assert out["outcomes"][0]["outcome"] == "inquiry"
    assert texted(client, PHONE, f"{world.handle} do you have the red mug?", mid)["outcomes"][0]["outcome"] == "inquiry"
    items = world.staff.get(f"/orgs/{world.oid}/shop/inquiries")[1]["items"]
    assert len(items) == 1 and items[0]["text"] == "do you have the red mug?" and items[0]["status"] == "open"
    assert world.outsider.get(f"/orgs/{world.oid}/shop/inquiries")[0] == 404
    iid = items[0]["id"]
    status, got = world.staff.post(f"/orgs/{world.oid}/shop/inquiries/{iid}/answer", {"text": "Yes, in red."})
    assert status == 200 and got["status"] == "answered"
    assert world.staff.post(f"/orgs/{world.oid}/shop/inquiries/{iid}/answer", {"text": "again"})[0] == 409
    pump.run()
    assert sns_texts(PHONE)[-1][1] == "Corner Shop: Yes, in red."


def test_a_text_with_no_shop_to_route_to_is_dropped(client):
    clock.set_now(DAY)
    assert texted(client, "+12025550123", "hello who is this")["outcomes"][0]["outcome"] == "dropped"
    ev = inbound_event("not-a-number", "hi", "+1", "m1", clock.iso_now())
    assert client.lambda_.invoke("on_inbound_sms", ev).payload["outcomes"][0]["outcome"] == "dropped"


def test_a_texted_inquiry_becomes_a_help_desk_ticket_where_the_organisation_has_a_desk(client, alice, bob, pump):
    clock.set_now(DAY)
    world = make_shop_world(client, alice, bob)
    team = str(uuid.uuid4())
    assert alice.put(f"/orgs/{world.oid}/teams/{team}", {"name": "Front", "agents": [world.staff.sub]})[0] == 201
    assert alice.put(f"/orgs/{world.oid}/desk", {"handle": f"desk-{world.handle}", "name": "Corner Help", "categories": [
        {"slug": "general", "name": "General", "team_id": team}]})[0] == 201
    # the shop texted this number last (an order's text), so a plain reply is for this shop
    world.guest_order("1", phone=PHONE, sms_opt_in=True)
    pump.run()
    mid = str(uuid.uuid4())
    assert texted(client, PHONE, "Can I collect it tomorrow?", mid)["outcomes"][0]["outcome"] == "ticket"
    assert texted(client, PHONE, "Can I collect it tomorrow?", mid)["outcomes"][0]["outcome"] == "ticket"  # once
    tickets = world.staff.get(f"/orgs/{world.oid}/tickets")[1]["items"]
    assert len(tickets) == 1 and "Can I collect it tomorrow?" in tickets[0]["subject"]
    assert tickets[0]["assignee"] == world.staff.sub
    assert world.staff.get(f"/orgs/{world.oid}/shop/inquiries")[1]["items"] == []
