"""The channels' pure rules: both inbound signature schemes (with rotation and the stale window), the
Shopify adapter's mapping and its field-naming refusals, available-to-sell and the CSV feed."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import pathlib
from decimal import Decimal

import pytest

from chalicelib.core.errors import InvalidInput, Unauthorized
from chalicelib.shop.rules import channels as rules
from chalicelib.shop.rules import shopify

SAMPLE = json.loads((pathlib.Path(__file__).resolve().parents[1] / "data" / "shopify_orders_create.json").read_text())


def test_generic_signature_accepts_the_current_or_the_previous_secret_within_the_window():
    raw, ts = b'{"a":1}', "1700000000"
    sig = "v1=" + hmac.new(b"old", ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
    assert rules.verify_generic(["new", "old"], ts, sig, raw, 1700000000 + 300) == sig
    with pytest.raises(Unauthorized) as e:
        rules.verify_generic(["new"], ts, sig, raw, 1700000000)
    assert e.value.field == "X-Tally-Signature"
    with pytest.raises(Unauthorized) as e:
        rules.verify_generic(["old"], ts, sig, raw, 1700000000 + 301)
    assert e.value.field == "X-Tally-Timestamp"
    with pytest.raises(Unauthorized):
        rules.verify_generic(["old"], ts, sig, raw + b" ", 1700000000)


def test_the_previous_secret_expires_after_its_grace():
    assert rules.accepted_secrets("n", "o", 100, 99) == ["n", "o"]
    assert rules.accepted_secrets("n", "o", 100, 100) == ["n"]
    assert rules.accepted_secrets("n", None, None, 0) == ["n"]


def test_shopify_signature_is_base64_hmac_of_the_body():
    raw = json.dumps(SAMPLE).encode()
    header = base64.b64encode(hmac.new(b"shpss_x", raw, hashlib.sha256).digest()).decode()
    assert rules.shopify_signature("shpss_x", raw) == header
    assert rules.verify_shopify(["shpss_x"], header, raw) == header
    for bad in (None, "", base64.b64encode(b"x" * 32).decode()):
        with pytest.raises(Unauthorized) as e:
            rules.verify_shopify(["shpss_x"], bad, raw)
        assert e.value.field == "X-Shopify-Hmac-Sha256"


def test_the_shopify_adapter_maps_a_real_shaped_order():
    co = shopify.to_channel_order(SAMPLE)
    assert (co.external_id, co.reference, co.email, co.name, co.currency, co.total, co.paid) == (
        "5829385601078", "#1042", "mira.jensen@example.com", "Mira Jensen", "EUR", Decimal("41.40"), True)
    assert [(ln.sku, ln.quantity, ln.unit_price) for ln in co.lines] == [
        ("MUG-1", Decimal(2), Decimal("12.50")), ("mug-1", Decimal(1), Decimal("12.50"))]
    assert co.address == "Lindenstraße 12, 2. OG, 10969, Berlin, Germany"
    assert shopify.to_channel_order({**SAMPLE, "financial_status": "pending"}).paid is False


@pytest.mark.parametrize("change,field", [
    ({"id": None}, "id"),
    ({"email": "", "contact_email": None, "customer": {}}, "email"),
    ({"currency": "euro"}, "currency"),
    ({"line_items": []}, "line_items"),
    ({"line_items": [{"sku": "", "quantity": 1, "price": "1.00"}]}, "line_items.0.sku"),
    ({"line_items": [{"sku": "A", "quantity": 1.5, "price": "1.00"}]}, "line_items.0.quantity"),
    ({"line_items": [{"sku": "A", "quantity": 1, "price": "-1"}]}, "line_items.0.price"),
    ({"total_price": "abc"}, "total_price"),
])
def test_the_shopify_adapter_names_what_it_cannot_use(change, field):
    with pytest.raises(InvalidInput) as e:
        shopify.to_channel_order({**SAMPLE, **change})
    assert e.value.field == field


def test_available_to_sell_keeps_the_buffer_back_and_never_goes_below_zero():
    assert rules.available_to_sell(Decimal(10), Decimal(3), Decimal(2)) == 5
    assert rules.available_to_sell(Decimal(4), Decimal(3), Decimal(2)) == 0
    assert rules.available_to_sell(Decimal("2.5"), Decimal(0), Decimal(0)) == Decimal("2.5")


def test_the_csv_feed_is_sorted_by_sku_and_defuses_formulas():
    rows = [rules.FeedRow("B-2", "p2", "=HYPERLINK(1)", Decimal(3), Decimal(5), Decimal(1), Decimal(1), "t"),
            rules.FeedRow("A-1", "p1", "Mug, blue", Decimal("1.50"), Decimal(2), Decimal(0), Decimal("0.5"), "t")]
    text = rules.feed_csv(rows)
    assert text.splitlines() == ["sku,product_id,name,available,on_hand,reserved,buffer,updated_at",
                                 'A-1,p1,"Mug, blue",1.50,2,0,0.5,t', "B-2,p2,'=HYPERLINK(1),3,5,1,1,t"]


def test_push_ids_and_pending_values_are_deterministic():
    a = rules.push_id("c", [("p1", Decimal(2)), ("p2", Decimal(0))])
    assert a == rules.push_id("c", [("p2", Decimal("0")), ("p1", Decimal("2.0"))])
    assert a != rules.push_id("c", [("p1", Decimal(3)), ("p2", Decimal(0))])
    assert rules.changed({"p1": Decimal(2), "p2": Decimal(0)}, {"p1": Decimal(2), "p2": None}) == {"p2": Decimal(0)}
