"""Planning reservations is pure: reserve, release and fulfil decide what to write from what was read,
without an AWS call; every sale, issue and transfer takes at most on hand - reserved."""
from __future__ import annotations

from decimal import Decimal as D

import botocore.client
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core.errors import Conflict
from chalicelib.inventory.ledger.plan import Request, Snapshot, available_of, new_position, plan_movement
from chalicelib.inventory.ledger.reserving import (
    fulfilment_sale_id,
    plan_fulfilment,
    plan_release,
    plan_reservation,
)
from chalicelib.inventory.models import Location, Lot, Product, item_key
from chalicelib.inventory.schemas import MovementIn, ReservationIn

NOW = "2026-11-20T10:00:00.000000Z"


@pytest.fixture(autouse=True)
def no_aws(monkeypatch):
    def refuse(self, operation, params):
        raise AssertionError(f"planning called AWS: {operation}")

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", refuse)


def _snapshot(on_hand: int, reserved: int = 0) -> Snapshot:
    product = Product(*item_key("o", "PRODUCT", "p"), id="p", org_id="o", sku="P1", name="Tea", price=D("5.00"),
                      cost=D("2.00"), currency="EUR", created_at=NOW, updated_at=NOW)
    loc = Location(*item_key("o", "LOCATION", "l"), id="l", org_id="o", name="Store", kind="store", created_at=NOW,
                   updated_at=NOW)
    pos = new_position("o", "p", "l", NOW)
    pos.version, pos.on_hand, pos.reserved = 4, D(on_hand), D(reserved)
    pos.lots = [Lot(lot="A", quantity=D(on_hand), unit_cost=D("2.00"), received_at="2026-11-01T00:00:00Z",
                    expiry=None, movement_id="m0")] if on_hand else []
    return Snapshot("o", {product.sk: product, loc.sk: loc, pos.sk: pos})


def _hold(*quantities: str) -> ReservationIn:
    return ReservationIn.model_validate({"lines": [{"product_id": "p", "location_id": "l", "quantity": q}
                                                   for q in quantities], "reference": "order 1"})


def test_a_reservation_keeps_units_without_moving_them():
    plan = plan_reservation("o", "r1", _hold("2", "1"), "me", NOW, _snapshot(5))
    [pos] = plan.positions
    assert (pos.on_hand, pos.reserved, available_of(pos)) == (D(5), D(3), D(2))
    assert plan.versions == {"POS#p#l": 4} and plan.reservation_version is None
    [line] = plan.reservation.lines
    assert (line.quantity, line.price, line.currency) == (D(3), D("5.00"), "EUR")


def test_a_reservation_beyond_what_is_available_is_refused_naming_its_line():
    with pytest.raises(Conflict) as err:
        plan_reservation("o", "r1", _hold("3"), "me", NOW, _snapshot(5, reserved=3))
    assert err.value.field == "lines.0.quantity" and err.value.extra["available"] == "2"


@given(st.integers(0, 20), st.integers(0, 20), st.integers(1, 20))
def test_a_sale_never_takes_reserved_units(on_hand, reserved, quantity):
    snap = _snapshot(on_hand, reserved=min(reserved, on_hand))
    req = Request("o", "me", "m1", MovementIn.model_validate({"kind": "sale", "product_id": "p", "location_id": "l",
                                                              "quantity": str(quantity)}), NOW, NOW[:10])
    free = on_hand - min(reserved, on_hand)
    if quantity > free:
        with pytest.raises(Conflict) as err:
            plan_movement(req, snap)
        assert err.value.extra["available"] == str(free)
        return
    [pos] = plan_movement(req, snap).positions
    assert pos.on_hand == on_hand - quantity and pos.reserved == min(reserved, on_hand)


def test_release_gives_the_units_back():
    snap = _snapshot(5, reserved=3)
    res = plan_reservation("o", "r1", _hold("3"), "me", NOW, _snapshot(5)).reservation
    plan = plan_release(res, "expired", NOW, snap)
    assert plan.positions[0].reserved == D(0) and plan.reservation.status == "released"
    assert plan.reservation_version == 1 and plan.reservation.version == 2 and plan.reservation.reason == "expired"


def test_fulfilment_sells_the_reserved_units_at_fifo_cost():
    snap = _snapshot(5, reserved=3)
    res = plan_reservation("o", "r1", _hold("3"), "me", NOW, _snapshot(5)).reservation
    plan = plan_fulfilment(res, "me", NOW, snap)
    [pos] = plan.positions
    assert (pos.on_hand, pos.reserved) == (D(2), D(0))
    [sale] = plan.sales
    assert (sale.id, sale.kind, sale.quantity, sale.cost, sale.price, sale.reservation_id) == (
        fulfilment_sale_id("r1", "p", "l"), "sale", D(3), D("6.00"), D("5.00"), "r1")
    assert plan.reservation.sale_ids == [sale.id] and plan.reservation.status == "fulfilled"


def test_fulfilment_of_stock_scrapped_meanwhile_is_refused():
    res = plan_reservation("o", "r1", _hold("3"), "me", NOW, _snapshot(5)).reservation
    with pytest.raises(Conflict) as err:
        plan_fulfilment(res, "me", NOW, _snapshot(2, reserved=3))
    assert err.value.field == "lines.0.quantity" and err.value.extra["available"] == "2"
