"""Many people selling the last units at once, against the running local stack over HTTP: nothing is
oversold, every refusal is a 409, and the ledger sums to the position."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from tests.e2e.http import call
from tests.e2e.test_local_stack import sign_in


def _shop(api: str, allow_backorder: bool) -> tuple[str, str, str, str, str | None]:
    email, password = f"shop-{uuid.uuid4().hex[:8]}@example.com", "Passw0rd!long"
    assert call("POST", f"{api}/auth/sign-up", {"email": email, "password": password, "name": "Ro"})[0] == 201
    token = sign_in(api, email, password)
    oid = call("POST", f"{api}/orgs", {"name": "Rush"}, token)[1]["org_id"]
    loc = call("POST", f"{api}/orgs/{oid}/locations", {"name": "Store"}, token)[1]["id"]
    status, product, _ = call("POST", f"{api}/orgs/{oid}/products", {
        "sku": "HOT-1", "name": "Hot item", "price": "5.00", "cost": "1.00", "allow_backorder": allow_backorder},
        token)
    assert status == 201, product
    cust = None
    if allow_backorder:
        cust = call("POST", f"{api}/orgs/{oid}/customers", {"name": "Q", "email": "q@example.com"}, token)[1]["id"]
    status, _, _ = call("PUT", f"{api}/orgs/{oid}/movements/{uuid.uuid4()}", {
        "kind": "receive", "product_id": product["id"], "location_id": loc, "quantity": "10", "unit_cost": "1.00"},
        token)
    assert status == 201
    return token, oid, product["id"], loc, cust


def _rush(api: str, token: str, oid: str, pid: str, loc: str, cust: str | None) -> list[tuple[int, dict]]:
    body = {"kind": "sale", "product_id": pid, "location_id": loc, "quantity": "1"}
    if cust:
        body["customer_id"] = cust

    def sell(_):
        status, out, _h = call("PUT", f"{api}/orgs/{oid}/movements/{uuid.uuid4()}", body, token)
        return status, out

    with ThreadPoolExecutor(max_workers=50) as pool:
        return list(pool.map(sell, range(50)))


def _ledger_sum(api: str, token: str, oid: str) -> Decimal:
    items = call("GET", f"{api}/orgs/{oid}/movements?limit=500", None, token)[1]["items"]
    return sum((Decimal(m["quantity"]) * m["direction"] for m in items), Decimal(0))


def test_fifty_simultaneous_sales_of_ten_in_stock(local_stack):
    api = local_stack["api_url"]
    token, oid, pid, loc, _ = _shop(api, allow_backorder=False)
    results = _rush(api, token, oid, pid, loc, None)
    statuses = sorted(s for s, _ in results)
    assert statuses.count(201) == 10 and statuses.count(409) == 40, statuses
    assert all(out["error"]["field"] == "quantity" for s, out in results if s == 409)
    pos = call("GET", f"{api}/orgs/{oid}/stock/{pid}/{loc}", None, token)[1]
    assert pos["on_hand"] == "0"
    assert _ledger_sum(api, token, oid) == Decimal(pos["on_hand"])


def test_fifty_simultaneous_sales_backorder_what_is_not_there(local_stack):
    api = local_stack["api_url"]
    token, oid, pid, loc, cust = _shop(api, allow_backorder=True)
    results = _rush(api, token, oid, pid, loc, cust)
    assert [s for s, _ in results].count(201) == 50, sorted(s for s, _ in results)
    filled = sum(Decimal(out["movement"]["quantity"]) for _, out in results)
    backordered = sum(Decimal(out["movement"]["backordered"]) for _, out in results)
    assert (filled, backordered) == (10, 40)
    pos = call("GET", f"{api}/orgs/{oid}/stock/{pid}/{loc}", None, token)[1]
    assert (pos["on_hand"], pos["backordered"]) == ("0", "40")
    assert len(call("GET", f"{api}/orgs/{oid}/backorders?status=open", None, token)[1]["items"]) == 40
    assert _ledger_sum(api, token, oid) == Decimal(pos["on_hand"])
