"""The storefront's documents on S3, precomputed by the streams: the shop stream writes the index and
product pages (coalesced per batch, the same on replay), the inventory stream each touched product's
availability per location, with a delivery date from stock or the supplier's lead time and open orders."""
from __future__ import annotations

import copy
import json
import uuid
from datetime import datetime, timezone

from chalicelib.core import clock
from tests.shops import make_shop_world

DAY = datetime(2026, 11, 20, 10, tzinfo=timezone.utc)


def s3_json(key: str) -> dict | None:
    from botocore.exceptions import ClientError

    from chalicelib.core.aws import client
    from chalicelib.core.settings import get_settings

    try:
        return json.loads(client("s3").get_object(Bucket=get_settings().bucket, Key=key)["Body"].read())
    except ClientError:
        return None


def test_the_shop_and_its_pages_are_published_with_prices_and_dates(client, alice, bob, pump):
    clock.set_now(DAY)
    w = make_shop_world(client, alice, bob, stock=5)
    assert w.owner.put(f"/orgs/{w.oid}/shop/listings/{w.product}", {
        "category": "kitchen", "description": "A sturdy mug.",
        "discount": {"kind": "amount", "value": "2.5", "label": "Launch"}, "version": 1})[0] == 200
    from chalicelib.core.aws import client as aws_client

    puts: list[str] = []
    record = lambda params, **_: puts.append(params["Key"])  # noqa: E731
    aws_client("s3").meta.events.register("provide-client-params.s3.PutObject", record)
    try:
        pump.run()
    finally:
        aws_client("s3").meta.events.unregister("provide-client-params.s3.PutObject", record)
    page_key, index_key = f"storefront/{w.handle}/products/{w.product}.json", f"storefront/{w.handle}/index.json"
    # the index after its page, each time (core.publish): the CDN never caches a linked page's 404
    assert page_key in puts and all(puts.index(page_key) < i for i, k in enumerate(puts) if k == index_key), puts
    index = s3_json(f"storefront/{w.handle}/index.json")
    assert index["name"] == "Corner Shop" and index["categories"] == [{"slug": "kitchen", "name": "Kitchen"}]
    [card] = index["products"]
    assert (card["price"], card["discount"], card["final_price"], card["discount_label"]) == (
        "12.50", "2.50", "10.00", "Launch")
    page = s3_json(card["page"])
    assert (page["name"], page["final_price"], page["description"]) == ("Blue mug", "10.00", "A sturdy mug.")
    assert page["pickup"] == [{"location_id": w.store, "name": "High Street", "available": "5", "restock_on": None,
                               "days": 0, "date": "2026-11-20"}]
    assert page["delivery"]["date"] == "2026-11-22" and page["delivery"]["location_id"] == w.warehouse
    stock = s3_json(page["availability"])
    assert {row["location_id"]: row["available"] for row in stock["locations"]} == {w.store: "5", w.warehouse: "5"}
    from tests.support import object_headers

    assert object_headers(f"storefront/{w.handle}/index.json") == ("application/json", "max-age=30", "AES256")
    assert object_headers(card["page"]) == ("application/json", "max-age=30", "AES256")
    assert object_headers(page["availability"]) == ("application/json", "max-age=5", "AES256")


def test_a_product_with_no_stock_anywhere_names_its_places(client, alice, bob, pump):
    """A listed product never received (a launch, "notify me"): its page names the pickup store and the
    delivery depot as the catalogue does, out of stock with no date, never a location id."""
    clock.set_now(DAY)
    w = make_shop_world(client, alice, bob, stock=5)
    status, soon = w.owner.post(f"/orgs/{w.oid}/products", {
        "sku": "MUG-SOON", "name": "Green mug", "price": "9.00", "cost": "3.00", "currency": "EUR"})
    assert status == 201, soon
    assert w.owner.put(f"/orgs/{w.oid}/shop/listings/{soon['id']}", {"category": "kitchen"})[0] == 200
    pump.run()
    page = s3_json(f"storefront/{w.handle}/products/{soon['id']}.json")
    assert [(p["name"], p["available"], p["date"]) for p in page["pickup"]] == [("High Street", "0", None)]
    assert (page["delivery"]["name"], page["delivery"]["available"], page["delivery"]["date"]) == ("Depot", "0", None)


def test_an_order_moves_the_availability_document_once_per_batch(client, alice, bob, pump, monkeypatch):
    from chalicelib.inventory import availability

    published: list[tuple[str, str]] = []
    real = availability.publish_availability
    monkeypatch.setattr(availability, "publish_availability",
                        lambda org, product: published.append((org, product)) or real(org, product))
    clock.set_now(DAY)
    w = make_shop_world(client, alice, bob, stock=2)
    pump.run()
    key = f"storefront/stock/{w.oid}/{w.product}.json"
    assert s3_json(key)["locations"][0]["in_stock"] is True
    for _ in range(2):
        assert w.guest_order("1")[0] == 201
    inv = pump.inventory.records()
    kinds = sorted(r["dynamodb"]["NewImage"]["sk"]["S"].split("#")[0] for r in inv)
    assert kinds == ["POS", "POS", "RESERVE", "RESERVE"]  # two orders: their reservations and the position twice
    assert pump.invoke("on_inventory_stream", inv) == {"batchItemFailures": []}
    assert published[-1:] == [(w.oid, w.product)] and published.count((w.oid, w.product)) == 2  # one per batch
    store = {row["location_id"]: row for row in s3_json(key)["locations"]}[w.store]
    assert (store["available"], store["in_stock"]) == ("0", False)
    assert pump.invoke("on_inventory_stream", copy.deepcopy(inv)) == {"batchItemFailures": []}  # a replay
    assert {row["location_id"]: row for row in s3_json(key)["locations"]}[w.store]["available"] == "0"


def test_out_of_stock_dates_come_from_the_lead_time_and_open_orders(client, alice, bob, pump):
    clock.set_now(DAY)
    w = make_shop_world(client, alice, bob, stock=1)
    o = w.oid
    supplier = w.owner.post(f"/orgs/{o}/suppliers", {"name": "Mugs Ltd", "email": "s@example.com",
                                                      "lead_time_days": 6})[1]["id"]
    cur = w.owner.get(f"/orgs/{o}/products/{w.product}")[1]
    assert w.owner.put(f"/orgs/{o}/products/{w.product}", {
        **{k: cur[k] for k in ("sku", "name", "price", "currency")}, "cost": "4.00", "supplier_id": supplier,
        "version": cur["version"]})[0] == 200
    assert w.owner.put(f"/orgs/{o}/movements/{uuid.uuid4()}", {
        "kind": "sale", "product_id": w.product, "location_id": w.store, "quantity": "1"})[0] == 201
    pump.run()
    rows = {r["location_id"]: r for r in s3_json(f"storefront/stock/{o}/{w.product}.json")["locations"]}
    assert rows[w.store]["restock_on"] == "2026-11-26" and rows[w.warehouse]["restock_on"] is None
    clock.set_now(datetime(2026, 11, 21, 9, tzinfo=timezone.utc))
    po = w.owner.post(f"/orgs/{o}/purchase-orders", {"supplier_id": supplier, "location_id": w.store,
                                                     "lines": [{"product_id": w.product, "quantity": "4"}]})[1]
    assert w.owner.post(f"/orgs/{o}/purchase-orders/{po['id']}/approve", {"version": po["version"]})[0] == 200
    clock.set_now(datetime(2026, 11, 23, 9, tzinfo=timezone.utc))
    cur = w.owner.get(f"/orgs/{o}/products/{w.product}")[1]  # a product change republishes its availability
    assert w.owner.put(f"/orgs/{o}/products/{w.product}", {
        **{k: cur[k] for k in ("sku", "name", "price", "currency")}, "cost": "4.00", "supplier_id": supplier,
        "version": cur["version"]})[0] == 200
    pump.run()
    rows = {r["location_id"]: r for r in s3_json(f"storefront/stock/{o}/{w.product}.json")["locations"]}
    assert rows[w.store]["restock_on"] == "2026-11-27"  # ordered on the 21st + 6 days


def test_unpublishing_removes_the_page_and_a_new_handle_moves_the_documents(client, alice, bob, pump):
    clock.set_now(DAY)
    w = make_shop_world(client, alice, bob)
    pump.run()
    page = f"storefront/{w.handle}/products/{w.product}.json"
    assert s3_json(page) is not None
    assert w.owner.put(f"/orgs/{w.oid}/shop/listings/{w.product}", {"published": False, "version": 1})[0] == 200
    pump.run()
    assert s3_json(page)["removed"] is True and s3_json(f"storefront/{w.handle}/index.json")["products"] == []
    shop = w.owner.get(f"/orgs/{w.oid}/shop")[1]
    assert w.owner.put(f"/orgs/{w.oid}/shop", {"handle": f"{w.handle}-2", "name": "Corner",
                                               "version": shop["version"]})[0] == 200
    pump.run()
    assert s3_json(f"storefront/{w.handle}/index.json")["removed"] is True
    assert s3_json(f"storefront/{w.handle}-2/index.json")["name"] == "Corner"
