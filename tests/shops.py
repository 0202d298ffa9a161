"""A shop world for the shop's tests: an organisation with a manager, staff, an outsider, two stores,
a warehouse, a product in stock, and its shop with a handle."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass

from tests.mocked import Caller, sign_up


@dataclass
class ShopWorld:
    oid: str
    handle: str
    owner: Caller
    manager: Caller
    staff: Caller
    outsider: Caller
    anon: Caller
    store: str
    warehouse: str
    product: str
    secret: str

    def stock(self, loc: str | None = None) -> dict:
        return self.owner.get(f"/orgs/{self.oid}/stock/{self.product}/{loc or self.store}")[1]

    def order_body(self, qty="1", fulfilment="pickup", **extra) -> dict:
        body = {"order_id": str(uuid.uuid4()), "fulfilment": fulfilment,
                "lines": [{"product_id": self.product, "quantity": qty}], "email": "guest@example.com",
                "name": "Gus"}
        if fulfilment == "pickup":
            body["location_id"] = self.store
        else:
            body["address"] = "1 Main Street, Springfield"
        return {**body, **extra}

    def guest_order(self, qty="1", **extra):
        return self.anon.post(f"/shops/{self.handle}/orders", self.order_body(qty, **extra))

    def move(self, who: Caller, order: dict, status: str):
        return who.post(f"/orgs/{self.oid}/shop/orders/{order['id']}/status",
                        {"status": status, "version": order["version"]})

    def pay(self, order_id: str, amount: str, payment_id: str = "pay_1", secret: str | None = None,
            at: int | None = None, currency: str = "EUR"):
        raw = json.dumps({"order_id": order_id, "payment_id": payment_id, "amount": amount, "currency": currency,
                          "status": "paid"}).encode()
        ts = str(at if at is not None else int(time.time()))
        sig = "v1=" + hmac.new((secret or self.secret).encode(), ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
        return self.anon.call("POST", f"/shops/{self.handle}/payments", raw=raw,
                              headers={"X-Tally-Timestamp": ts, "X-Tally-Signature": sig})


def make_shop_world(client, alice: Caller, bob: Caller, stock: int = 5, handle: str | None = None) -> ShopWorld:
    oid = alice.post("/orgs", {"name": "Corner Shop"})[1]["org_id"]
    manager, staff = sign_up(client, "mgr"), sign_up(client, "staff")
    assert alice.put(f"/orgs/{oid}/members/{manager.sub}", {"role": "manager"})[0] == 200
    assert alice.put(f"/orgs/{oid}/members/{staff.sub}", {"role": "staff"})[0] == 200
    bob.post("/orgs", {"name": "Other Shop"})
    store = alice.post(f"/orgs/{oid}/locations", {"name": "High Street", "kind": "store"})[1]["id"]
    warehouse = alice.post(f"/orgs/{oid}/locations", {"name": "Depot", "kind": "warehouse"})[1]["id"]
    status, product = alice.post(f"/orgs/{oid}/products", {
        "sku": "MUG-1", "name": "Blue mug", "price": "12.50", "cost": "4.00", "currency": "EUR"})
    assert status == 201, product
    for loc in (store, warehouse):
        status, out = alice.put(f"/orgs/{oid}/movements/{uuid.uuid4()}", {
            "kind": "receive", "product_id": product["id"], "location_id": loc, "quantity": str(stock),
            "unit_cost": "4.00"})
        assert status == 201, out
    handle = handle or f"corner-{uuid.uuid4().hex[:8]}"
    status, shop = alice.put(f"/orgs/{oid}/shop", {
        "handle": handle, "name": "Corner Shop", "currency": "EUR",
        "categories": [{"slug": "kitchen", "name": "Kitchen"}], "pickup_location_ids": [store],
        "delivery_location_id": warehouse, "reservation_minutes": 30})
    assert status == 200, shop
    status, listing = alice.put(f"/orgs/{oid}/shop/listings/{product['id']}", {"category": "kitchen",
                                                                              "description": "A sturdy mug."})
    assert status == 200, listing
    return ShopWorld(oid, handle, alice, manager, staff, bob, Caller(client, None, "anon@example.com"), store,
                     warehouse, product["id"], shop["payment_secret"])
