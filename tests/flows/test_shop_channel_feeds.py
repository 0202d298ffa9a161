"""Each channel's available-to-sell (on hand − reserved − its buffer) published from the streams: a JSON
and a CSV feed on the data bucket (the CDN's storefront/ path) and a signed webhook to the channel's URL,
once per batch, idempotent (a replayed batch sends no second webhook for the same value), a failed
webhook left pending for the next refresh."""
from __future__ import annotations

import copy
import csv
import hashlib
import hmac
import io
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from local.lambda_events import scheduled_event
from tests.flows.test_storefront import s3_json
from tests.shops import make_shop_world


class Receiver:
    """A real HTTP endpoint on loopback that records what the stock webhook posts."""

    def __init__(self) -> None:
        self.calls: list[tuple[dict, bytes]] = []
        self.status = 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                outer.calls.append(({k.lower(): v for k, v in self.headers.items()}, raw))
                self.send_response(outer.status)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/stock"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bodies(self) -> list[dict]:
        return [json.loads(raw) for _, raw in self.calls]


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.server.shutdown()


def s3_text(key: str) -> str:
    from chalicelib.core.aws import client
    from chalicelib.core.settings import get_settings

    return client("s3").get_object(Bucket=get_settings().bucket, Key=key)["Body"].read().decode()


def drain(pump) -> None:
    """Both streams to their main handlers and to the channels' handler, as the two readers of each."""
    while True:
        inv, shop = pump.inventory.records(), pump.shop.records()
        if not inv and not shop:
            return
        if inv:
            assert pump.invoke("on_inventory_stream", copy.deepcopy(inv)) == {"batchItemFailures": []}
            assert pump.invoke("on_channel_stock", inv) == {"batchItemFailures": []}
        if shop:
            assert pump.invoke("on_shop_stream", copy.deepcopy(shop)) == {"batchItemFailures": []}
            assert pump.invoke("on_channel_settings", shop) == {"batchItemFailures": []}


def open_channel(w, receiver: Receiver, buffer: str = "1") -> dict:
    cid = str(uuid.uuid4())
    status, ch = w.manager.put(f"/orgs/{w.oid}/shop/channels/{cid}", {
        "kind": "marketplace", "name": "Bazaar", "location_id": w.warehouse, "buffer": buffer,
        "webhook_url": "https://hooks.example.com/stock"})
    assert status == 201, ch
    point_at(w, cid, receiver)
    return w.owner.get(f"/orgs/{w.oid}/shop/channels/{cid}")[1]


def point_at(w, cid: str, receiver: Receiver) -> None:
    """The API takes https on public hosts only; the test's receiver is on loopback."""
    from chalicelib.shop.models import Channel, channel_key

    Channel.get(*channel_key(w.oid, cid)).update(actions=[Channel.webhook_url.set(receiver.url)])


def test_the_feed_and_webhook_follow_stock_once_per_batch(client, alice, bob, pump, receiver):
    w = make_shop_world(client, alice, bob, stock=5)
    ch = open_channel(w, receiver)
    drain(pump)
    feed = s3_json(f"storefront/feeds/{ch['id']}/stock.json")
    assert [(i["sku"], i["available"], i["on_hand"], i["reserved"], i["buffer"]) for i in feed["items"]] == [
        ("MUG-1", "4", "5", "0", "1")]
    rows = list(csv.DictReader(io.StringIO(s3_text(f"storefront/feeds/{ch['id']}/stock.csv"))))
    assert [(r["sku"], r["available"]) for r in rows] == [("MUG-1", "4")]
    from tests.support import object_headers

    assert object_headers(f"storefront/feeds/{ch['id']}/stock.json") == ("application/json", "max-age=5", "AES256")
    assert object_headers(f"storefront/feeds/{ch['id']}/stock.csv") == ("text/csv; charset=utf-8", "max-age=5", "AES256")
    assert [b["items"] for b in receiver.bodies()] == [[{"sku": "MUG-1", "product_id": w.product, "available": "4"}]]
    headers, raw = receiver.calls[0]
    expected = "v1=" + hmac.new(ch["secret"].encode(), headers["x-tally-timestamp"].encode() + b"." + raw,
                                hashlib.sha256).hexdigest()
    assert headers["x-tally-signature"] == expected and headers["x-tally-push-id"] == receiver.bodies()[0]["push_id"]

    # two orders from the depot in one batch: one refresh, one webhook with the value after both
    for _ in range(2):
        assert w.guest_order("1", fulfilment="delivery")[0] == 201
    inv = pump.inventory.records()
    assert pump.invoke("on_channel_stock", copy.deepcopy(inv)) == {"batchItemFailures": []}
    assert [b["items"][0]["available"] for b in receiver.bodies()] == ["4", "2"]
    assert s3_json(f"storefront/feeds/{ch['id']}/stock.json")["items"][0]["reserved"] == "2"
    # the batch again (Lambda's retry): the same value, no second webhook
    assert pump.invoke("on_channel_stock", inv) == {"batchItemFailures": []}
    assert len(receiver.calls) == 2
    drain(pump)
    assert len(receiver.calls) == 2  # the shop stream's orders move no stock of their own

    # a store sale does not touch the depot's channel
    assert w.owner.put(f"/orgs/{w.oid}/movements/{uuid.uuid4()}", {
        "kind": "sale", "product_id": w.product, "location_id": w.store, "quantity": "1"})[0] == 201
    drain(pump)
    assert len(receiver.calls) == 2

    # the buffer raised: every product of the channel again, from the shop stream
    assert w.manager.put(f"/orgs/{w.oid}/shop/channels/{ch['id']}", {
        "kind": "marketplace", "name": "Bazaar", "location_id": w.warehouse, "buffer": "3",
        "webhook_url": "https://hooks.example.com/stock", "version": ch["version"]})[0] == 200
    point_at(w, ch["id"], receiver)
    drain(pump)
    assert [b["items"][0]["available"] for b in receiver.bodies()] == ["4", "2", "0"]
    assert s3_json(f"storefront/feeds/{ch['id']}/stock.json")["buffer"] == "3"


def test_a_failed_webhook_stays_pending_until_the_next_refresh(client, alice, bob, pump, receiver):
    from chalicelib.shop.models import Channel, channel_key

    w = make_shop_world(client, alice, bob, stock=5)
    receiver.status = 503
    ch = open_channel(w, receiver, buffer="0")
    drain(pump)
    assert {b["items"][0]["available"] for b in receiver.bodies()} == {"5"}  # tried on each refresh, still pending
    tried = len(receiver.calls)
    assert Channel.get(*channel_key(w.oid, ch["id"])).last_push_error == "HTTP 503"
    assert s3_json(f"storefront/feeds/{ch['id']}/stock.json")["items"][0]["available"] == "5"  # the feed is right
    receiver.status = 200
    assert w.guest_order("2", fulfilment="delivery")[0] == 201
    drain(pump)
    assert [b["items"][0]["available"] for b in receiver.bodies()[tried:]] == ["3"]
    assert Channel.get(*channel_key(w.oid, ch["id"])).last_push_error is None
    assert w.owner.get(f"/orgs/{w.oid}/shop/channels/{ch['id']}")[1]["last_push_error"] is None


def test_unlisting_a_product_sends_zero_and_a_replayed_settings_batch_nothing(client, alice, bob, pump, receiver):
    w = make_shop_world(client, alice, bob, stock=5)
    ch = open_channel(w, receiver, buffer="0")
    drain(pump)
    assert w.owner.put(f"/orgs/{w.oid}/shop/listings/{w.product}", {
        "category": "kitchen", "published": False, "version": 1})[0] == 200
    shop = pump.shop.records()
    assert pump.invoke("on_channel_settings", copy.deepcopy(shop)) == {"batchItemFailures": []}
    assert pump.invoke("on_channel_settings", shop) == {"batchItemFailures": []}
    assert [b["items"][0]["available"] for b in receiver.bodies()] == ["5", "0"]
    assert s3_json(f"storefront/feeds/{ch['id']}/stock.json")["items"][0]["available"] == "0"


def retry_job(client) -> dict:
    from chalicelib.core import clock

    return client.lambda_.invoke("retry_channel_webhooks",
                                 scheduled_event("retry_channel_webhooks", "us-east-1", clock.iso_now())).payload


def test_the_retry_job_sends_a_failed_webhook_again_until_it_is_delivered(client, alice, bob, pump, receiver):
    from chalicelib.shop.models import Channel, channel_key

    w = make_shop_world(client, alice, bob, stock=5)
    receiver.status = 500
    ch = open_channel(w, receiver, buffer="2")
    drain(pump)
    tried = len(receiver.calls)
    assert tried >= 1 and Channel.get(*channel_key(w.oid, ch["id"])).gsi3pk.startswith("PUSHRETRY#")
    assert retry_job(client) == {"due": 1, "delivered": 0}  # still failing: it stays on the list
    assert len(receiver.calls) == tried + 1
    receiver.status = 204
    assert retry_job(client) == {"due": 1, "delivered": 1}
    assert [b["items"][0]["available"] for b in receiver.bodies()[tried + 1:]] == ["3"]
    after = Channel.get(*channel_key(w.oid, ch["id"]))
    assert (after.gsi3pk, after.last_push_error) == (None, None)
    assert retry_job(client) == {"due": 0, "delivered": 0}  # run again: nothing owed, nothing sent
    assert len(receiver.calls) == tried + 2
    drain(pump)  # the channel's own updates (last push) move no feed
    assert len(receiver.calls) == tried + 2
