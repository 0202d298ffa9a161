"""The news and texts routes: who may call them (public shopper routes, members, managers), another
organisation's data never shown, and bad input named by field with nothing written."""
from __future__ import annotations

import uuid

from chalicelib.core import clock
from tests.shops import make_shop_world


def test_staff_routes_need_a_member_and_launches_a_manager(client, alice, bob):
    world = make_shop_world(client, alice, bob)
    o = world.oid
    for path in (f"/orgs/{o}/shop/followers", f"/orgs/{o}/shop/news", f"/orgs/{o}/shop/inquiries"):
        assert world.anon.get(path)[0] == 401
        status, err = world.outsider.get(path)
        assert (status, err["error"]["field"]) == (404, "org_id")
        assert world.staff.get(path)[0] == 200
    launch = f"/orgs/{o}/shop/launches/{world.product}"
    assert world.anon.put(launch, {"launch_on": "2026-12-24"})[0] == 401
    assert world.outsider.put(launch, {"launch_on": "2026-12-24"})[0] == 404
    status, err = world.staff.put(launch, {"launch_on": "2026-12-24"})
    assert (status, err["error"]["field"]) == (403, "role")
    status, out = world.manager.put(launch, {"launch_on": "2026-12-24"})
    assert status == 200 and out == {"product_id": world.product, "launch_on": "2026-12-24", "status": "scheduled",
                                      "announced_at": None, "recipients": 0}
    assert world.manager.put(launch, {"launch_on": "2026-12-25"})[1]["launch_on"] == "2026-12-25"  # moved
    answer = f"/orgs/{o}/shop/inquiries/{uuid.uuid4()}/answer"
    assert world.staff.post(answer, {"text": "hi"})[1]["error"]["field"] == "inquiry_id"
    assert world.staff.post(f"/orgs/{o}/shop/inquiries/not-a-uuid/answer", {"text": "hi"})[0] == 400
    assert world.staff.post(answer, {"text": "<b>x</b>"})[1]["error"]["field"] == "text"


def test_public_follow_and_notify_refuse_bad_input_by_field_and_write_nothing(client, alice, bob):
    world = make_shop_world(client, alice, bob)
    base = f"/shops/{world.handle}"
    cases = [
        (f"{base}/follows", {"kind": "shop"}, "email"),
        (f"{base}/follows", {"kind": "shop", "email": "a@example.com", "channel": "fax"}, "channel"),
        (f"{base}/follows", {"kind": "brand", "email": "a@example.com"}, "brand"),
        (f"{base}/follows", {"kind": "shop", "email": "a@example.com", "channel": "sms", "phone": "+44 20 1"}, "phone"),
        (f"{base}/follows", {"kind": "shop", "email": "a@example.com", "extra": 1}, "extra"),
        (f"{base}/products/{world.product}/notify", {"channel": "sms", "phone": "+1 000 000 0000"}, "phone"),
        (f"{base}/products/{world.product}/notify", {"channel": "email"}, "email"),
    ]
    for path, body, field in cases:
        status, err = world.anon.post(path, body)
        assert status == 400 and err["error"]["field"] == field, (body, err)
    assert world.anon.post("/shops/no-such-shop/follows", {"kind": "shop", "email": "a@example.com"})[0] == 404
    assert world.staff.get(f"/orgs/{world.oid}/shop/followers")[1] == {"items": [], "counts": {}}
    q = f"?c={'0' * 24}&f={uuid.uuid4()}&s={'0' * 64}"
    assert world.anon.get(f"{base}/follows/confirm{q}")[1]["error"]["field"] == "s"
    assert world.anon.get(f"{base}/follows/confirm?c=1&f=2&s=3")[0] == 400


def test_followers_of_one_shop_are_not_another_shops(client, alice, bob):
    clock.set_now(None)
    world = make_shop_world(client, alice, bob)
    other = make_shop_world(client, bob, alice)
    assert world.anon.post(f"/shops/{world.handle}/follows", {"kind": "shop", "email": "fan@example.com"})[0] == 202
    assert len(world.staff.get(f"/orgs/{world.oid}/shop/followers")[1]["items"]) == 1
    assert other.staff.get(f"/orgs/{other.oid}/shop/followers")[1]["items"] == []
    assert other.staff.get(f"/orgs/{world.oid}/shop/followers")[0] == 404
