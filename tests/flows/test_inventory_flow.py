"""The inventory stream and jobs: low-stock emails once per crossing, the reorder job's one purchase order,
the supplier's email on approval, a backordered customer's email when the order arrives, charts."""
from __future__ import annotations

import copy
import uuid
from datetime import datetime, timezone

from chalicelib.core import clock
from local.lambda_events import scheduled_event
from tests.api.test_inventory_api import make_shop, receive, sale
from tests.mocked import sent_emails

DAY = datetime(2026, 11, 20, 10, tzinfo=timezone.utc)


def mails(kind: str) -> list[dict]:
    return [m for m in sent_emails() if m["alert_type"] == kind]


def reorder_job(client) -> dict:
    return client.lambda_.invoke("reorder", scheduled_event("reorder", "us-east-1", clock.iso_now())).payload


def test_low_stock_emails_owners_and_managers_once_per_crossing(client, alice, bob, pump):
    clock.set_now(DAY)
    shop = make_shop(client, alice, bob)
    shop.manager.put(f"/orgs/{shop.oid}/stock/{shop.product}/{shop.store}/settings", {"reorder_point": "5"})
    receive(shop, 10, "2.00", lot="A")
    receive(shop, 10, "3.00", lot="B")
    assert shop.move(shop.staff, {"kind": "transfer", "product_id": shop.product, "location_id": shop.store,
                                  "to_location_id": shop.second, "quantity": "4"})[0] == 201
    pump.run()
    assert mails("stock") == []
    for qty in ("8", "3"):  # 16 → 8 → 5: not below 5 yet
        assert sale(shop, qty)[0] == 201
        pump.run()
    assert mails("stock") == []
    assert sale(shop, "1")[0] == 201  # 4 < 5: low
    batch = pump.inventory.records()
    assert pump.invoke("on_inventory_stream", batch) == {"batchItemFailures": []}
    pump.run()
    low = mails("stock")
    assert sorted(m["recipient"] for m in low) == sorted([shop.owner.email, shop.manager.email])
    assert all("is low" in m["subject"] and "High Street" in m["subject"] for m in low)
    # a replay of the same batch, a further sale while low: nothing new
    pump.invoke("on_inventory_stream", copy.deepcopy(batch))
    assert sale(shop, "1")[0] == 201
    pump.run()
    assert len(mails("stock")) == 2
    # re-armed once stock is back above the point, then a new crossing
    receive(shop, 10, "3.00")
    pump.run()
    assert sale(shop, "9")[0] == 201
    pump.run()
    assert len(mails("stock")) == 4
    # the charts have the sales
    charts = shop.staff.get(f"/orgs/{shop.oid}/insights/inventory")[1]
    assert charts["sales"][-1] == "22" and "costs" not in charts
    assert shop.owner.get(f"/orgs/{shop.oid}/insights/inventory")[1]["costs"]["cogs"][-1] != "0.00"


def test_reorder_job_drafts_one_order_approval_emails_the_supplier(client, alice, bob, pump):
    clock.set_now(DAY)
    shop = make_shop(client, alice, bob)
    shop.manager.put(f"/orgs/{shop.oid}/stock/{shop.product}/{shop.store}/settings",
                     {"reorder_point": "5", "reorder_quantity": "20"})
    receive(shop, 6, "2.00")
    assert sale(shop, "3")[0] == 201
    pump.run()
    assert reorder_job(client)["drafted"] == 1
    assert reorder_job(client)["drafted"] == 0  # the same day or later: still one open order
    [po] = shop.staff.get(f"/orgs/{shop.oid}/purchase-orders")[1]["items"]
    assert (po["supplier_id"], po["location_id"], po["status"]) == (shop.supplier, shop.store, "draft")
    assert po["lines"][0]["quantity"] == "20" and "unit_cost" not in po["lines"][0]
    assert shop.staff.post(f"/orgs/{shop.oid}/purchase-orders/{po['id']}/approve",
                           {"version": po["version"]})[0] == 403
    status, approved = shop.manager.post(f"/orgs/{shop.oid}/purchase-orders/{po['id']}/approve",
                                         {"version": po["version"]})
    assert status == 200 and approved["status"] == "approved"
    pump.run()
    [mail] = mails("purchase_order")
    assert mail["recipient"] == "orders@beans.example" and "COF-1" in mail["text"]


def test_a_backordered_customer_is_emailed_when_the_order_arrives(client, alice, bob, pump):
    clock.set_now(DAY)
    shop = make_shop(client, alice, bob, allow_backorder=True)
    cust = shop.staff.post(f"/orgs/{shop.oid}/customers", {"name": "Dana", "email": "dana@example.com"})[1]["id"]
    receive(shop, 1, "2.00")
    status, out = sale(shop, 4, customer_id=cust)
    assert status == 201 and out["movement"]["backordered"] == "3"
    status, po = shop.manager.post(f"/orgs/{shop.oid}/purchase-orders", {
        "supplier_id": shop.supplier, "location_id": shop.store, "lines": [{"product_id": shop.product,
                                                                            "quantity": "10"}]})
    assert status == 201
    shop.owner.post(f"/orgs/{shop.oid}/purchase-orders/{po['id']}/approve", {"version": po["version"]})
    receipt = {"receipt_id": str(uuid.uuid4()), "lines": [{"product_id": shop.product, "quantity": "10"}]}
    status, received = shop.staff.post(f"/orgs/{shop.oid}/purchase-orders/{po['id']}/receive", receipt)
    assert status == 200 and received["status"] == "received"
    assert shop.staff.post(f"/orgs/{shop.oid}/purchase-orders/{po['id']}/receive", receipt)[0] == 200
    assert shop.stock()["on_hand"] == "7" and shop.stock()["backordered"] == "0"
    pump.run()
    pump.run()
    [mail] = mails("backorder")
    assert mail["recipient"] == "dana@example.com" and "Coffee 1kg" in mail["subject"]
