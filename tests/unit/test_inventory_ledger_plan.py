"""The ledger's planning step is pure: given what was read (a Snapshot), it decides what to write
without a single AWS call, open backorders included (they are read before planning)."""
from __future__ import annotations

from decimal import Decimal as D

import botocore.client
import pytest

from chalicelib.core.errors import Conflict
from chalicelib.inventory.ledger.plan import Request, Snapshot, backorder_id, new_position, plan_movement
from chalicelib.inventory.models import Backorder, Customer, Lot, Product, item_key
from chalicelib.inventory.schemas import MovementIn

NOW = "2026-11-20T10:00:00.000000Z"


@pytest.fixture(autouse=True)
def no_aws(monkeypatch):
    def refuse(self, operation, params):
        raise AssertionError(f"planning called AWS: {operation}")

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", refuse)


def _snapshot(on_hand: str, backordered: str = "0", allow_backorder: bool = False) -> Snapshot:
    product = Product(*item_key("o", "PRODUCT", "p"), id="p", org_id="o", sku="P1", name="Tea", price=D("5.00"),
                      cost=D("2.00"), currency="EUR", allow_backorder=allow_backorder, created_at=NOW, updated_at=NOW)
    pos = new_position("o", "p", "l", NOW)
    pos.version, pos.on_hand, pos.backordered = 3, D(on_hand), D(backordered)
    if D(on_hand) > 0:
        pos.lots = [Lot(lot="A", quantity=D(on_hand), unit_cost=D("2.00"), received_at="2026-11-01T00:00:00Z",
                        expiry=None, movement_id="m0")]
    customer = Customer(*item_key("o", "CUSTOMER", "c"), id="c", org_id="o", name="Dana", email="dana@example.com",
                        created_at=NOW, updated_at=NOW)
    return Snapshot("o", {product.sk: product, pos.sk: pos, customer.sk: customer})


def _request(body: dict, movement_id: str = "m1") -> Request:
    return Request("o", "someone", movement_id, MovementIn.model_validate(body), NOW, NOW[:10])


def test_a_receive_fills_the_open_backorders_read_before_planning():
    snap = _snapshot("0", backordered="3")
    bo = Backorder(*item_key("o", "BACKORDER", "b1"), id="b1", org_id="o", product_id="p", location_id="l",
                   customer_id="c", customer_email="dana@example.com", sale_id="s1", price=D("5.00"),
                   quantity=D(3), filled=D(0), status="open", created_at=NOW)
    snap.open_backorders["POS#p#l"] = [bo]
    plan = plan_movement(_request({"kind": "receive", "product_id": "p", "location_id": "l", "quantity": "10",
                                   "unit_cost": "3.00"}), snap)
    [pos] = plan.positions
    assert pos.on_hand == D(7) and pos.backordered == D(0) and plan.versions == {"POS#p#l": 3}
    [(filled, read)] = plan.backorders
    assert filled.status == "filled" and read == D(0)
    [fill] = plan.fills
    assert (fill.kind, fill.quantity, fill.cost, fill.backorder_id, fill.currency) == ("sale", D(3), D("9.00"), "b1",
                                                                                      "EUR")
    assert plan.movement.cost == D("30.00") and plan.movement.currency == "EUR"


def test_a_short_sale_opens_a_backorder_for_the_named_customer():
    snap = _snapshot("2", allow_backorder=True)
    plan = plan_movement(_request({"kind": "sale", "product_id": "p", "location_id": "l", "quantity": "5",
                                   "customer_id": "c"}, "sale-1"), snap)
    [(bo, read)] = plan.backorders
    assert read is None and bo.id == backorder_id("sale-1") and bo.quantity == D(3)
    assert plan.movement.quantity == D(2) and plan.movement.backordered == D(3)
    assert plan.positions[0].backordered == D(3) and plan.positions[0].on_hand == D(0)


def test_a_sale_beyond_stock_is_refused_without_writing_anything():
    with pytest.raises(Conflict) as refused:
        plan_movement(_request({"kind": "sale", "product_id": "p", "location_id": "l", "quantity": "5"}),
                      _snapshot("2"))
    assert refused.value.field == "quantity" and refused.value.extra == {"available": "2"}
