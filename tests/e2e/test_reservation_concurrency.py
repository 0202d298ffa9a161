"""Many channels reserving and selling the last units at once, against the running local stack over
HTTP: reservations and till sales together never take more than is on hand."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from tests.e2e.http import call
from tests.e2e.test_inventory_concurrency import _shop


def test_twenty_simultaneous_reservations_of_five_units(local_stack):
    api = local_stack["api_url"]
    token, oid, pid, loc, _ = _shop(api, allow_backorder=False)
    # 10 received by _shop: sell 5 first, so 5 are left to reserve
    for _ in range(5):
        assert call("PUT", f"{api}/orgs/{oid}/movements/{uuid.uuid4()}",
                    {"kind": "sale", "product_id": pid, "location_id": loc, "quantity": "1"}, token)[0] == 201
    body = {"lines": [{"product_id": pid, "location_id": loc, "quantity": "1"}], "reference": "rush"}

    def reserve(_):
        return call("PUT", f"{api}/orgs/{oid}/reservations/{uuid.uuid4()}", body, token)[:2]

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(reserve, range(20)))
    statuses = sorted(s for s, _ in results)
    assert statuses.count(201) == 5 and statuses.count(409) == 15, statuses
    assert all(out["error"]["field"] == "lines.0.quantity" for s, out in results if s == 409)
    pos = call("GET", f"{api}/orgs/{oid}/stock/{pid}/{loc}", None, token)[1]
    assert (pos["on_hand"], pos["reserved"], pos["available"]) == ("5", "5", "0")


def test_reservations_and_till_sales_at_once_never_oversell(local_stack):
    api = local_stack["api_url"]
    token, oid, pid, loc, _ = _shop(api, allow_backorder=False)  # 10 on hand
    reserve_body = {"lines": [{"product_id": pid, "location_id": loc, "quantity": "1"}]}
    sale_body = {"kind": "sale", "product_id": pid, "location_id": loc, "quantity": "1"}

    def act(i):
        if i % 2:
            return "reserve", call("PUT", f"{api}/orgs/{oid}/reservations/{uuid.uuid4()}", reserve_body, token)[0]
        return "sale", call("PUT", f"{api}/orgs/{oid}/movements/{uuid.uuid4()}", sale_body, token)[0]

    with ThreadPoolExecutor(max_workers=30) as pool:
        results = list(pool.map(act, range(30)))
    won = [kind for kind, status in results if status == 201]
    assert len(won) == 10 and all(status in (201, 409) for _, status in results), results
    pos = call("GET", f"{api}/orgs/{oid}/stock/{pid}/{loc}", None, token)[1]
    sold, held = won.count("sale"), won.count("reserve")
    assert Decimal(pos["on_hand"]) == 10 - sold and Decimal(pos["reserved"]) == held
    assert pos["available"] == "0"
