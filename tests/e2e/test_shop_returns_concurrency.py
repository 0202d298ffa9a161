"""Returns against the running local stack over HTTP: ten guests' return requests for one unit each of
an order of three, all at once: three returns, seven refusals naming the line, never more returned than
bought."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from tests.e2e.http import call
from tests.e2e.test_shop_orders import _open_shop


def test_ten_simultaneous_return_requests_for_three_units(local_stack):
    api = local_stack["api_url"]
    token, oid, pid, loc, handle, _ = _open_shop(api, stock=5)
    status, body, _ = call("POST", f"{api}/shops/{handle}/orders", {
        "order_id": str(uuid.uuid4()), "fulfilment": "pickup", "location_id": loc, "email": "many@example.com",
        "lines": [{"product_id": pid, "quantity": "3"}]})
    assert status == 201, body
    order = body
    for step in ("confirmed", "picked", "ready", "collected"):
        status, order, _ = call("POST", f"{api}/orgs/{oid}/shop/orders/{order['id']}/status",
                                {"status": step, "version": order["version"]}, token)
        assert status == 200, order
    status, found, _ = call("POST", f"{api}/shops/{handle}/order-lookup", {"order_number": order["id"][:8],
                                                                          "email": "many@example.com"})
    assert status == 200, found

    def ask(_: int) -> tuple[int, dict]:
        status, out, _ = call("POST", f"{api}/shops/{handle}/returns", {
            "return_id": str(uuid.uuid4()), "order_id": order["id"], "token": found["token"], "reason": "other",
            "lines": [{"product_id": pid, "quantity": "1"}]})
        return status, out

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(ask, range(10)))
    statuses = sorted(s for s, _ in results)
    assert statuses.count(201) == 3 and statuses.count(409) == 7, statuses
    assert all(out["error"]["field"] == "lines.0.quantity" for s, out in results if s == 409)
    listed = call("GET", f"{api}/orgs/{oid}/shop/returns", None, token)[1]["items"]
    assert sum(int(r["lines"][0]["quantity"]) for r in listed) == 3
    view = call("GET", f"{api}/shops/{handle}/orders/{order['id']}?token={found['token']}")[1]
    assert view["returnable"][0]["returnable"] == "0"
