"""A coupon's usage limit under concurrency, over HTTP against the running local stack: twenty shoppers
use a code limited to five at the same moment; the use is counted in each order's own transaction on
condition that it stays within the limit, so exactly five orders are placed and the fifteen others are
refused naming `coupon`, with nothing reserved for them. Cancelling one of the five gives its use back
(through the stack's stream worker), once."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.e2e.http import call
from tests.e2e.test_local_stack import wait_for
from tests.e2e.test_shop_orders import _open_shop


def _order(api: str, handle: str, pid: str, loc: str, email: str, coupon: str) -> tuple[int, dict]:
    status, body, _ = call("POST", f"{api}/shops/{handle}/orders", {
        "order_id": str(uuid.uuid4()), "fulfilment": "pickup", "location_id": loc, "email": email,
        "lines": [{"product_id": pid, "quantity": "1"}], "coupon": coupon})
    return status, body


def test_twenty_simultaneous_uses_of_a_code_limited_to_five(local_stack):
    api = local_stack["api_url"]
    token, oid, pid, loc, handle, _ = _open_shop(api, stock=50)
    code = f"RUSH{uuid.uuid4().hex[:6]}".upper()
    status, promo, _ = call("POST", f"{api}/orgs/{oid}/shop/promotions", {
        "name": "Rush", "kind": "amount", "value": "2.00", "scope": "shop", "starts_at": "2020-01-01T00:00:00Z",
        "ends_at": "2099-01-01T00:00:00Z", "stackable": False, "code": code, "usage_limit": 5,
        "once_per_customer": False}, token)
    assert status == 201, promo
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda i: _order(api, handle, pid, loc, f"rush{i}@example.com", code.lower()),
                                range(20)))
    statuses = sorted(s for s, _ in results)
    assert statuses.count(201) == 5 and statuses.count(409) == 15, results
    assert all(out["error"]["field"] == "coupon" for s, out in results if s == 409)
    placed = [out for s, out in results if s == 201]
    assert all(o["coupon"] == code and o["lines"][0]["unit_price"] == "3.00" for o in placed)  # 2.00 off 5.00
    assert call("GET", f"{api}/orgs/{oid}/shop/promotions/{promo['id']}", None, token)[1]["used"] == 5
    pos = call("GET", f"{api}/orgs/{oid}/stock/{pid}/{loc}", None, token)[1]
    assert (pos["on_hand"], pos["reserved"]) == ("50", "5")  # the refused orders reserved nothing

    first = placed[0]
    status, cancelled, _ = call("POST", f"{api}/orgs/{oid}/shop/orders/{first['id']}/status",
                                {"status": "cancelled", "version": first["version"]}, token)
    assert status == 200, cancelled
    assert wait_for(lambda: call("GET", f"{api}/orgs/{oid}/shop/promotions/{promo['id']}", None, token)[1]["used"]
                    == 4, timeout=90)
    assert _order(api, handle, pid, loc, "late@example.com", code)[0] == 201
    assert _order(api, handle, pid, loc, "later@example.com", code)[1]["error"]["field"] == "coupon"
