"""Reservations in the ledger: stock kept for an order leaves `available` (not `on_hand`), every
channel's sale respects it, and it is released or sold exactly once."""
from __future__ import annotations

import uuid

from tests.api.test_inventory_api import Shop, make_shop, receive, sale, shop  # noqa: F401 (the fixture)
from tests.mocked import Caller


def _reserve(shop: Shop, who: Caller, lines: list[tuple[str, str]] | None = None, rid: str | None = None,
             **extra):
    body = {"lines": [{"product_id": p or shop.product, "location_id": loc or shop.store, "quantity": q}
                      for p, loc, q in (lines or [(None, None, "1")])], **extra}
    rid = rid or str(uuid.uuid4())
    status, out = who.put(f"/orgs/{shop.oid}/reservations/{rid}", body)
    return rid, status, out


def test_a_reservation_keeps_stock_from_every_other_sale(client, alice, bob):
    shop = make_shop(client, alice, bob)
    receive(shop, 5, "2.00")
    rid, status, out = _reserve(shop, shop.staff, [(None, None, "3")])
    assert status == 201, out
    assert out["reservation"]["status"] == "held"
    pos = shop.stock()
    assert (pos["on_hand"], pos["reserved"], pos["available"]) == ("5", "3", "2")
    status, err = sale(shop, 3)  # the till sees only what is not reserved
    assert status == 409 and err["error"]["field"] == "quantity" and err["available"] == "2"
    status, err = shop.move(shop.staff, {"kind": "transfer", "product_id": shop.product, "location_id": shop.store,
                                         "to_location_id": shop.second, "quantity": "3"})
    assert status == 409 and err["available"] == "2"
    _, status, err = _reserve(shop, shop.staff, [(None, None, "3")])  # another order, another channel
    assert status == 409 and err["error"]["field"] == "lines.0.quantity" and err["available"] == "2"
    assert sale(shop, 2)[0] == 201
    assert shop.stock()["available"] == "0" and shop.stock()["on_hand"] == "3"


def test_release_gives_the_stock_back_once(shop):
    receive(shop, 4, "2.00")
    rid, _, _ = _reserve(shop, shop.staff, [(None, None, "4")])
    status, out = shop.staff.post(f"/orgs/{shop.oid}/reservations/{rid}/release", {"reason": "expired"})
    assert status == 200 and out["reservation"]["status"] == "released" and out["reservation"]["reason"] == "expired"
    assert out["positions"][0]["available"] == "4"
    status, again = shop.staff.post(f"/orgs/{shop.oid}/reservations/{rid}/release", {})
    assert status == 200 and again["positions"] == []  # a replay changes nothing
    assert (shop.stock()["reserved"], shop.stock()["available"]) == ("0", "4")
    status, err = shop.staff.post(f"/orgs/{shop.oid}/reservations/{rid}/fulfil", None)
    assert status == 409 and err["error"]["field"] == "status"


def test_fulfilling_sells_the_reserved_units_once_at_fifo_cost(shop):
    receive(shop, 2, "2.00", lot="A")
    receive(shop, 2, "3.00", lot="B")
    rid, _, _ = _reserve(shop, shop.staff, [(None, None, "2"), (None, None, "1")])
    status, out = shop.manager.post(f"/orgs/{shop.oid}/reservations/{rid}/fulfil", None)
    assert status == 200, out
    res = out["reservation"]
    assert res["status"] == "fulfilled" and len(res["sale_ids"]) == 1
    assert (out["positions"][0]["on_hand"], out["positions"][0]["reserved"]) == ("1", "0")
    sold = shop.owner.get(f"/orgs/{shop.oid}/movements/{res['sale_ids'][0]}")[1]
    assert (sold["kind"], sold["quantity"], sold["cost"], sold["reservation_id"]) == ("sale", "3", "7.00", rid)
    assert shop.manager.post(f"/orgs/{shop.oid}/reservations/{rid}/fulfil", None)[1]["positions"] == []
    assert len(shop.owner.get(f"/orgs/{shop.oid}/movements?product_id={shop.product}")[1]["items"]) == 3
    status, err = shop.staff.post(f"/orgs/{shop.oid}/reservations/{rid}/release", {})
    assert status == 409 and err["error"]["field"] == "status"


def test_a_reservation_id_reserves_once(shop):
    receive(shop, 5, "2.00")
    rid, status, _ = _reserve(shop, shop.staff, [(None, None, "2")])
    _, status, again = _reserve(shop, shop.staff, [(None, None, "2")], rid=rid)
    assert status == 200 and again["positions"] == [] and again["reservation"]["id"] == rid
    _, status, err = _reserve(shop, shop.staff, [(None, None, "3")], rid=rid)
    assert status == 409 and err["error"]["field"] == "reservation_id"
    assert shop.stock()["reserved"] == "2"


def test_all_lines_or_none(shop):
    receive(shop, 5, "2.00")
    _, status, err = _reserve(shop, shop.staff, [(None, None, "2"), (None, shop.second, "1")])
    assert status == 409 and err["error"]["field"] == "lines.1.quantity"
    assert shop.stock()["reserved"] == "0"
    _, status, err = _reserve(shop, shop.staff, [(None, "nowhere", "1")])
    assert status == 404 and err["error"]["field"] == "lines.0.location_id"
    _, status, err = _reserve(shop, shop.staff, [(None, None, "0")])
    assert status == 400 and err["error"]["field"] == "lines.0.quantity"


def test_a_scrap_may_take_reserved_stock_and_then_fulfilment_is_refused(shop):
    receive(shop, 2, "2.00")
    rid, _, _ = _reserve(shop, shop.staff, [(None, None, "2")])
    status, _ = shop.move(shop.staff, {"kind": "scrap", "product_id": shop.product, "location_id": shop.store,
                                       "quantity": "1", "reason": "damaged"})
    assert status == 201
    assert shop.stock()["available"] == "0"
    status, err = shop.staff.post(f"/orgs/{shop.oid}/reservations/{rid}/fulfil", None)
    assert status == 409 and err["error"]["field"] == "lines.0.quantity" and err["available"] == "1"


def test_reservation_routes_for_outsiders(shop):
    receive(shop, 2, "2.00")
    rid, _, _ = _reserve(shop, shop.staff)
    anon = Caller(shop.owner.client, None, "anon@example.com")
    base = f"/orgs/{shop.oid}/reservations/{rid}"
    for method, path, body in (("GET", base, None), ("POST", f"{base}/release", {}), ("POST", f"{base}/fulfil", None),
                               ("PUT", f"/orgs/{shop.oid}/reservations/{uuid.uuid4()}",
                                {"lines": [{"product_id": shop.product, "location_id": shop.store, "quantity": "1"}]})):
        assert anon.call(method, path, body)[0] == 401
        status, err = shop.outsider.call(method, path, body)
        assert status == 404 and err["error"]["field"] == "org_id", (method, path)
    assert shop.staff.get(base)[1]["status"] == "held"
    status, err = shop.staff.get(f"/orgs/{shop.oid}/reservations/{uuid.uuid4()}")
    assert status == 404 and err["error"]["field"] == "reservation_id"
