"""Sales channels (issue 13 item 4): channels set up by managers with secrets for owners only, a
marketplace's signed orders (generic format and Shopify's orders/create webhook) reserving stock in the
same ledger path as storefront orders, replays and forgeries refused with nothing written, and every
channel's orders in one inbox with filters on an index."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import pathlib
import time
import uuid

import pytest

from tests.shops import ShopWorld, make_shop_world

SAMPLE = pathlib.Path(__file__).resolve().parents[1] / "data" / "shopify_orders_create.json"


@pytest.fixture
def world(client, alice, bob) -> ShopWorld:
    return make_shop_world(client, alice, bob)


def make_channel(w: ShopWorld, **extra) -> dict:
    cid = str(uuid.uuid4())
    body = {"kind": "marketplace", "name": "Marketplace", "location_id": w.warehouse, "buffer": "1", **extra}
    status, ch = w.manager.put(f"/orgs/{w.oid}/shop/channels/{cid}", body)
    assert status == 201, ch
    return w.owner.get(f"/orgs/{w.oid}/shop/channels/{cid}")[1]


def generic_body(w: ShopWorld, qty="1", sku="MUG-1", external_id=None, **extra) -> dict:
    return {"external_id": external_id or f"MP-{uuid.uuid4().hex[:10]}", "reference": "MP 1001",
            "email": "buyer@example.com", "name": "Mira", "currency": "EUR", "address": "1 Dock Road",
            "lines": [{"sku": sku, "quantity": qty}], **extra}


def signed_post(w: ShopWorld, ch: dict, body: dict | bytes, secret: str | None = None, at: int | None = None,
                headers: dict | None = None):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    ts = str(at if at is not None else int(time.time()))
    sig = "v1=" + hmac.new((secret or ch["secret"]).encode(), ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
    h = {"X-Tally-Timestamp": ts, "X-Tally-Signature": sig} if headers is None else headers
    return w.anon.call("POST", f"/channels/{ch['id']}/orders", raw=raw, headers=h), h


def shopify_post(w: ShopWorld, ch: dict, raw: bytes, secret: str, topic: str | None = "orders/create"):
    mac = base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()
    h = {"X-Shopify-Hmac-Sha256": mac, "X-Shopify-Shop-Domain": "corner-mugs.myshopify.com",
         "X-Shopify-Webhook-Id": str(uuid.uuid4()), "X-Shopify-API-Version": "2025-10"}
    if topic:
        h["X-Shopify-Topic"] = topic
    return w.anon.call("POST", f"/channels/{ch['id']}/orders", raw=raw, headers=h)


def inbox(w: ShopWorld, query: str = "") -> list[dict]:
    status, out = w.staff.get(f"/orgs/{w.oid}/shop/orders{query}")
    assert status == 200, out
    return out["items"]


# ---------------------------------------------------------------- channels and their secrets
def test_channels_are_set_up_by_managers_and_their_secret_is_shown_to_owners_only(world):
    w = world
    cid = str(uuid.uuid4())
    body = {"kind": "marketplace", "name": "Bazaar", "location_id": w.warehouse, "buffer": "2",
            "webhook_url": "https://hooks.example.com/stock"}
    assert w.staff.put(f"/orgs/{w.oid}/shop/channels/{cid}", body)[1]["error"]["field"] == "role"
    assert w.outsider.put(f"/orgs/{w.oid}/shop/channels/{cid}", body)[1]["error"]["field"] == "org_id"
    status, made = w.manager.put(f"/orgs/{w.oid}/shop/channels/{cid}", body)
    assert status == 201 and "secret" not in made and made["buffer"] == "2"
    assert made["orders_url"].endswith(f"/channels/{cid}/orders")
    assert made["feed"]["json_url"].endswith(f"storefront/feeds/{cid}/stock.json")
    assert made["feed"]["csv_url"].endswith(f"storefront/feeds/{cid}/stock.csv")
    assert all("secret" not in c for c in w.staff.get(f"/orgs/{w.oid}/shop/channels")[1]["items"])
    assert all("secret" not in c for c in w.manager.get(f"/orgs/{w.oid}/shop/channels")[1]["items"])
    owned = w.owner.get(f"/orgs/{w.oid}/shop/channels/{cid}")[1]
    assert len(owned["secret"]) == 64
    assert w.outsider.get(f"/orgs/{w.oid}/shop/channels/{cid}")[0] == 404
    # changing it at the version read
    status, err = w.manager.put(f"/orgs/{w.oid}/shop/channels/{cid}", {**body, "buffer": "3"})
    assert status == 400 and err["error"]["field"] == "version"
    status, err = w.manager.put(f"/orgs/{w.oid}/shop/channels/{cid}", {**body, "buffer": "3", "version": 9})
    assert status == 409 and err["error"]["field"] == "version"
    status, changed = w.manager.put(f"/orgs/{w.oid}/shop/channels/{cid}", {**body, "buffer": "3", "version": 1})
    assert status == 200 and changed["buffer"] == "3" and changed["version"] == 2


@pytest.mark.parametrize("change,field,status", [
    ({"location_id": "nowhere"}, "location_id", 404),
    ({"kind": "somewhere"}, "kind", 400),
    ({"buffer": "-1"}, "buffer", 400),
    ({"webhook_url": "ftp://hooks.example.com/x"}, "webhook_url", 400),
    ({"webhook_url": "http://hooks.example.com/x"}, "webhook_url", 400),
    ({"webhook_url": "https://127.0.0.1/x"}, "webhook_url", 400),
    ({"webhook_url": "https://[broken/x"}, "webhook_url", 400),
    ({"webhook_url": "https://hooks.example.com:port/x"}, "webhook_url", 400),
    ({"kind": "in_store", "platform": "shopify"}, "platform", 400),
    ({"name": "<b>x</b>"}, "name", 400),
])
def test_a_bad_channel_names_the_field_and_writes_nothing(world, change, field, status):
    cid = str(uuid.uuid4())
    body = {"kind": "marketplace", "name": "Bazaar", "location_id": world.warehouse, **change}
    got, err = world.manager.put(f"/orgs/{world.oid}/shop/channels/{cid}", body)
    assert (got, err["error"]["field"]) == (status, field)
    assert world.owner.get(f"/orgs/{world.oid}/shop/channels")[1]["items"] == []
    assert world.manager.put(f"/orgs/{world.oid}/shop/channels/not-a-uuid", body)[1]["error"]["field"] == "channel_id"


def test_rotating_the_secret_keeps_the_old_one_for_a_grace_period(world):
    w = world
    ch = make_channel(w)
    assert w.manager.post(f"/orgs/{w.oid}/shop/channels/{ch['id']}/secret", {"version": 1})[1]["error"]["field"] == "role"
    status, rotated = w.owner.post(f"/orgs/{w.oid}/shop/channels/{ch['id']}/secret", {"version": ch["version"]})
    assert status == 200 and rotated["secret"] != ch["secret"] and rotated["secret_rotated_at"]
    assert w.owner.post(f"/orgs/{w.oid}/shop/channels/{ch['id']}/secret",
                        {"version": ch["version"]})[1]["error"]["field"] == "version"
    (status, _), _ = signed_post(w, rotated, generic_body(w))
    assert status == 201
    (status, _), _ = signed_post(w, rotated, generic_body(w), secret=ch["secret"])  # the old one, within 24 h
    assert status == 201
    status, chosen = w.owner.post(f"/orgs/{w.oid}/shop/channels/{ch['id']}/secret",
                                  {"version": rotated["version"], "secret": "shpss_0123456789abcdef"})
    assert status == 200 and chosen["secret"] == "shpss_0123456789abcdef"
    (status, err), _ = signed_post(w, chosen, generic_body(w), secret=ch["secret"])  # two rotations ago
    assert status == 401 and err["error"]["field"] == "X-Tally-Signature"


# ---------------------------------------------------------------- a marketplace's orders
def test_a_signed_order_reserves_stock_once_per_external_id(world):
    w = world
    ch = make_channel(w)
    body = generic_body(w, "2", total="25.90")
    body["lines"][0]["unit_price"] = "11.00"
    (status, order), first = signed_post(w, ch, body)
    assert status == 201, order
    assert (order["status"], order["channel_id"], order["external_id"], order["external_reference"]) == (
        "confirmed", ch["id"], body["external_id"], "MP 1001")
    assert (order["location_id"], order["fulfilment"], order["total"]) == (w.warehouse, "delivery", "25.90")
    assert order["lines"][0]["unit_price"] == "11.00" and order["lines"][0]["sku"] == "MUG-1"
    assert (w.stock(w.warehouse)["reserved"], w.stock(w.warehouse)["available"]) == ("2", "3")
    # the platform's retry (signed again): the same order, nothing new held
    (status, again), _ = signed_post(w, ch, body, at=int(time.time()) + 1)
    assert status == 200 and again["id"] == order["id"]
    assert w.stock(w.warehouse)["reserved"] == "2"
    # the very same signed request again is a replay
    (status, err), _ = signed_post(w, ch, body, headers=first)
    assert status == 401 and err["error"]["field"] == "X-Tally-Signature"
    # another order under the same external id
    (status, err), _ = signed_post(w, ch, {**body, "lines": [{"sku": "MUG-1", "quantity": "3"}]})
    assert status == 409 and err["error"]["field"] == "external_id"
    assert w.stock(w.warehouse)["reserved"] == "2"
    staff_view = w.staff.get(f"/orgs/{w.oid}/shop/orders/{order['id']}")[1]
    assert staff_view["channel_id"] == ch["id"] and staff_view["status"] == "confirmed"


@pytest.mark.parametrize("tamper,field", [
    ("secret", "X-Tally-Signature"),
    ("stale", "X-Tally-Timestamp"),
    ("future", "X-Tally-Timestamp"),
    ("no signature", "X-Tally-Signature"),
    ("no timestamp", "X-Tally-Timestamp"),
    ("body", "X-Tally-Signature"),
])
def test_a_forged_or_stale_order_is_refused_and_writes_nothing(world, tamper, field):
    w = world
    ch = make_channel(w)
    body = generic_body(w)
    raw = json.dumps(body).encode()
    ts = int(time.time())
    if tamper == "secret":
        (status, err), _ = signed_post(w, ch, raw, secret="f" * 64)
    elif tamper in ("stale", "future"):
        (status, err), _ = signed_post(w, ch, raw, at=ts - 301 if tamper == "stale" else ts + 301)
    elif tamper == "body":
        _, h = signed_post(w, ch, raw, secret="x" * 64)
        sig = "v1=" + hmac.new(ch["secret"].encode(), f"{ts}.".encode() + raw, hashlib.sha256).hexdigest()
        status, err = w.anon.call("POST", f"/channels/{ch['id']}/orders", raw=raw.replace(b'"1"', b'"4"'),
                                  headers={"X-Tally-Timestamp": str(ts), "X-Tally-Signature": sig})
    else:
        sig = "v1=" + hmac.new(ch["secret"].encode(), f"{ts}.".encode() + raw, hashlib.sha256).hexdigest()
        headers = {"X-Tally-Timestamp": str(ts)} if tamper == "no signature" else {"X-Tally-Signature": sig}
        status, err = w.anon.call("POST", f"/channels/{ch['id']}/orders", raw=raw, headers=headers)
    assert status == 401 and err["error"]["field"] == field
    assert w.stock(w.warehouse)["reserved"] == "0"
    assert inbox(w) == []


@pytest.mark.parametrize("change,field,status", [
    ({"lines": [{"sku": "NOPE-9", "quantity": "1"}]}, "lines.0.sku", 404),
    ({"lines": [{"sku": "MUG-1", "quantity": "1"}, {"sku": "GONE", "quantity": "1"}]}, "lines.1.sku", 404),
    ({"lines": [{"sku": "MUG-1", "quantity": "0"}]}, "lines.0.quantity", 400),
    ({"lines": [{"sku": "MUG-1", "quantity": "6"}]}, "lines.0.quantity", 409),
    ({"currency": "USD"}, "currency", 409),
    ({"email": "nobody"}, "email", 400),
    ({"external_id": ""}, "external_id", 400),
])
def test_bad_order_content_names_the_field_and_writes_nothing(world, change, field, status):
    w = world
    ch = make_channel(w)
    (got, err), _ = signed_post(w, ch, {**generic_body(w), **change})
    assert (got, err["error"]["field"]) == (status, field), err
    assert w.stock(w.warehouse)["reserved"] == "0"
    assert inbox(w) == []


def test_an_unknown_or_internal_channel_takes_no_orders(world):
    w = world
    counter = make_channel(w, kind="in_store", location_id=w.store)
    (status, err), _ = signed_post(w, counter, generic_body(w))
    assert status == 409 and err["error"]["field"] == "channel_id"
    fake = {"id": str(uuid.uuid4()), "secret": "a" * 64}
    (status, err), _ = signed_post(w, fake, generic_body(w))
    assert status == 404 and err["error"]["field"] == "channel_id"
    assert w.anon.call("POST", "/channels/not-a-uuid/orders", body={})[1]["error"]["field"] == "channel_id"


def test_a_shopify_orders_create_webhook_is_mapped_by_sku(world):
    w = world
    ch = make_channel(w, platform="shopify", name="Shopify")
    app_secret = "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"
    rotated = w.owner.post(f"/orgs/{w.oid}/shop/channels/{ch['id']}/secret",
                           {"version": ch["version"], "secret": app_secret})[1]
    assert rotated["platform"] == "shopify"
    raw = SAMPLE.read_bytes()
    status, order = shopify_post(w, ch, raw, app_secret)
    assert status == 201, order
    sample = json.loads(raw)
    assert (order["external_id"], order["external_reference"], order["customer_email"], order["customer_name"]) == (
        str(sample["id"]), "#1042", "mira.jensen@example.com", "Mira Jensen")
    assert order["status"] == "confirmed" and order["total"] == "41.40" and order["currency"] == "EUR"
    assert order["address"] == "Lindenstraße 12, 2. OG, 10969, Berlin, Germany"
    assert [(ln["sku"], ln["quantity"], ln["unit_price"]) for ln in order["lines"]] == [("MUG-1", "3", "12.50")]
    assert w.stock(w.warehouse)["reserved"] == "3"
    # Shopify's retry of the same delivery (the body alone is signed): the same order, nothing new
    status, again = shopify_post(w, ch, raw, app_secret)
    assert status == 200 and again["id"] == order["id"]
    assert w.stock(w.warehouse)["reserved"] == "3"
    status, err = shopify_post(w, ch, raw, "shpss_wrong_secret_0000000000")
    assert status == 401 and err["error"]["field"] == "X-Shopify-Hmac-Sha256"
    status, err = shopify_post(w, ch, raw, app_secret, topic="orders/updated")
    assert status == 400 and err["error"]["field"] == "X-Shopify-Topic"
    other = dict(sample, id=sample["id"] + 1, line_items=[sample["line_items"][0],
                                                          {**sample["line_items"][1], "sku": "NOT-OURS"}])
    status, err = shopify_post(w, ch, json.dumps(other).encode(), app_secret)
    assert status == 404 and err["error"]["field"] == "line_items.1.sku"
    status, err = shopify_post(w, ch, json.dumps(dict(sample, id=1, line_items=[
        {**sample["line_items"][0], "quantity": 0}])).encode(), app_secret)
    assert status == 400 and err["error"]["field"] == "line_items.0.quantity"
    status, err = shopify_post(w, ch, json.dumps(dict(sample, id=2, line_items=[
        {**sample["line_items"][0], "quantity": 3}])).encode(), app_secret)  # 2 left at the depot
    assert status == 409 and err["error"]["field"] == "line_items.0.quantity" and err["available"] == "2"
    assert w.stock(w.warehouse)["reserved"] == "3" and len(inbox(w)) == 1


def test_the_last_unit_goes_to_one_channel_and_the_other_gets_409(client, alice, bob):
    w = make_shop_world(client, alice, bob, stock=1)
    ch = make_channel(w)
    status, placed = w.guest_order("1", fulfilment="delivery")  # the storefront, from the depot
    assert status == 201, placed
    (status, err), _ = signed_post(w, ch, generic_body(w))
    assert status == 409 and err["error"]["field"] == "lines.0.quantity" and err["available"] == "0"
    assert [o["id"] for o in inbox(w)] == [placed["id"]]
    assert (w.stock(w.warehouse)["on_hand"], w.stock(w.warehouse)["reserved"]) == ("1", "1")


# ---------------------------------------------------------------- one inbox
def test_every_channel_in_one_inbox_with_filters(world):
    w = world
    ch = make_channel(w)
    other = make_channel(w, name="Second market")
    shop_order = w.guest_order("1")[1]
    (status, mp), _ = signed_post(w, ch, generic_body(w))
    assert status == 201
    (status, mp2), _ = signed_post(w, other, generic_body(w, paid=False))
    assert status == 201 and mp2["status"] == "placed" and mp2["expires_at"]
    assert [o["id"] for o in inbox(w)] == [mp2["id"], mp["id"], shop_order["id"]]
    assert [o["id"] for o in inbox(w, f"?channel={ch['id']}")] == [mp["id"]]
    assert [o["id"] for o in inbox(w, "?channel=storefront")] == [shop_order["id"]]
    assert [o["id"] for o in inbox(w, "?status=confirmed")] == [mp["id"]]
    assert [o["id"] for o in inbox(w, f"?channel={other['id']}&status=placed")] == [mp2["id"]]
    today = mp["created_at"][:10]
    assert len(inbox(w, f"?start={today}&end={today}")) == 3
    assert inbox(w, "?end=2000-01-01") == [] and inbox(w, f"?channel={ch['id']}&start=2999-01-01") == []
    assert [o["id"] for o in inbox(w, "?limit=1")] == [mp2["id"]]
    for q, field in (("?channel=nope", "channel"), ("?channel=" + "-" * 36, "channel"), ("?start=2026-13-01", "start"),
                     ("?start=2026-11-02&end=2026-11-01", "end")):
        status, err = w.staff.get(f"/orgs/{w.oid}/shop/orders{q}")
        assert status == 400 and err["error"]["field"] == field, (q, err)
    assert w.outsider.get(f"/orgs/{w.oid}/shop/orders?channel={ch['id']}")[0] == 404
