"""Shoppers against the running local stack over HTTP: the storefront's documents served by the site from
the data bucket (no API call), twenty guests ordering the last five units at once (five orders, no
oversell), and an order's emails through the stack's own stream workers."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.e2e.http import call
from tests.e2e.test_local_stack import mails_to, sign_in, wait_for


def _open_shop(api: str, stock: int) -> tuple[str, str, str, str, str, str]:
    email, password = f"owner-{uuid.uuid4().hex[:8]}@example.com", "Passw0rd!long"
    assert call("POST", f"{api}/auth/sign-up", {"email": email, "password": password, "name": "Ola"})[0] == 201
    token = sign_in(api, email, password)
    oid = call("POST", f"{api}/orgs", {"name": "Flash"}, token)[1]["org_id"]
    loc = call("POST", f"{api}/orgs/{oid}/locations", {"name": "Store"}, token)[1]["id"]
    status, product, _ = call("POST", f"{api}/orgs/{oid}/products", {
        "sku": "HOT-1", "name": "Hot item", "price": "5.00", "cost": "1.00", "currency": "EUR"}, token)
    assert status == 201, product
    assert call("PUT", f"{api}/orgs/{oid}/movements/{uuid.uuid4()}", {
        "kind": "receive", "product_id": product["id"], "location_id": loc, "quantity": str(stock),
        "unit_cost": "1.00"}, token)[0] == 201
    handle = f"flash-{uuid.uuid4().hex[:8]}"
    status, shop, _ = call("PUT", f"{api}/orgs/{oid}/shop", {
        "handle": handle, "name": "Flash Shop", "currency": "EUR", "pickup_location_ids": [loc]}, token)
    assert status == 200, shop
    status, listing, _ = call("PUT", f"{api}/orgs/{oid}/shop/listings/{product['id']}", {
        "discount": {"kind": "percent", "value": "10", "label": "Flash sale"}}, token)
    assert status == 200, listing
    return token, oid, product["id"], loc, handle, shop["payment_secret"]


def _order(api: str, handle: str, pid: str, loc: str, email: str) -> tuple[int, dict]:
    status, body, _ = call("POST", f"{api}/shops/{handle}/orders", {
        "order_id": str(uuid.uuid4()), "fulfilment": "pickup", "location_id": loc, "email": email,
        "lines": [{"product_id": pid, "quantity": "1"}]})
    return status, body


def test_twenty_simultaneous_orders_for_five_units(local_stack):
    api = local_stack["api_url"]
    token, oid, pid, loc, handle, _ = _open_shop(api, stock=5)
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda i: _order(api, handle, pid, loc, f"rush{i}@example.com"), range(20)))
    statuses = sorted(s for s, _ in results)
    assert statuses.count(201) == 5 and statuses.count(409) == 15, statuses
    assert all(out["error"]["field"] == "lines.0.quantity" for s, out in results if s == 409)
    pos = call("GET", f"{api}/orgs/{oid}/stock/{pid}/{loc}", None, token)[1]
    assert (pos["on_hand"], pos["reserved"], pos["available"]) == ("5", "5", "0")
    listed = call("GET", f"{api}/orgs/{oid}/shop/orders?status=placed", None, token)[1]["items"]
    assert len(listed) == 5
    # the till cannot sell what the shop's orders hold
    status, err, _ = call("PUT", f"{api}/orgs/{oid}/movements/{uuid.uuid4()}", {
        "kind": "sale", "product_id": pid, "location_id": loc, "quantity": "1"}, token)
    assert status == 409 and err["available"] == "0"


def test_an_order_paid_and_collected_emails_its_customer_through_the_stack(local_stack):
    api = local_stack["api_url"]
    token, oid, pid, loc, handle, secret = _open_shop(api, stock=3)
    guest = f"guest-{uuid.uuid4().hex[:8]}@example.com"
    status, order = _order(api, handle, pid, loc, guest)
    assert status == 201, order
    assert order["total"] == "4.50"  # 10% off 5.00
    raw = json.dumps({"order_id": order["id"], "payment_id": "pay_9", "amount": "4.50", "currency": "EUR",
                      "status": "paid"}).encode()
    ts = str(int(time.time()))
    sig = "v1=" + hmac.new(secret.encode(), ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
    req = urllib.request.Request(f"{api}/shops/{handle}/payments", data=raw, method="POST", headers={
        "Content-Type": "application/json", "X-Tally-Timestamp": ts, "X-Tally-Signature": sig})
    with urllib.request.urlopen(req, timeout=60) as r:
        assert r.status == 200 and json.loads(r.read())["status"] == "confirmed"
    current = call("GET", f"{api}/orgs/{oid}/shop/orders/{order['id']}", None, token)[1]
    for step in ("picked", "ready", "collected"):
        status, current, _ = call("POST", f"{api}/orgs/{oid}/shop/orders/{order['id']}/status",
                                  {"status": step, "version": current["version"]}, token)
        assert status == 200, current
    mails = wait_for(lambda: len(mails_to(local_stack, guest)) >= 5 and mails_to(local_stack, guest), timeout=90)
    assert mails, mails_to(local_stack, guest)
    subjects = sorted(m["subject"] for m in mails)
    assert len(subjects) == 5 and all("Flash Shop: order" in s for s in subjects), mails
    assert {s.rsplit(" ", 1)[1] for s in subjects} == {"placed", "confirmed", "picked", "ready", "collected"}
    pos = call("GET", f"{api}/orgs/{oid}/stock/{pid}/{loc}", None, token)[1]
    assert (pos["on_hand"], pos["reserved"]) == ("2", "0")


def _document(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError:
        return None


def test_the_storefront_is_served_from_the_bucket_and_follows_the_stock(local_stack):
    api, site = local_stack["api_url"], local_stack["dashboard_url"].rstrip("/")
    token, oid, pid, loc, handle, _ = _open_shop(api, stock=2)
    index = wait_for(lambda: (_document(f"{site}/storefront/{handle}/index.json") or {}).get("products") and
                     _document(f"{site}/storefront/{handle}/index.json"), timeout=90)
    assert index and index["products"][0]["final_price"] == "4.50" and index["products"][0]["discount"] == "0.50"
    page = _document(f"{site}/{index['products'][0]['page']}")
    assert page["pickup"][0]["location_id"] == loc and page["pickup"][0]["date"] is not None
    stock_url = f"{site}/{page['availability']}"
    assert wait_for(lambda: (_document(stock_url) or {}).get("locations", [{}])[0].get("available") == "2", timeout=90)
    for _ in range(2):
        assert _order(api, handle, pid, loc, "buyer@example.com")[0] == 201
    assert wait_for(lambda: (_document(stock_url) or {}).get("locations", [{}])[0].get("available") == "0",
                    timeout=90), _document(stock_url)
    assert _document(f"{site}/storefront/{handle}/nothing.json") is None
