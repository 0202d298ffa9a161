"""The shop's pure rules: the order workflow, what each move does to stock, expiry, totals, the
customer's email, and the payment webhook's signature."""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core.errors import Conflict, Unauthorized
from chalicelib.shop.rules import orders, payments

NOW = 1_796_000_000


@pytest.mark.parametrize("fulfilment,path", [
    ("pickup", ["placed", "confirmed", "picked", "ready", "collected"]),
    ("delivery", ["placed", "confirmed", "picked", "shipped", "delivered"]),
])
def test_each_workflow_runs_its_course(fulfilment, path):
    for current, wanted in zip(path, path[1:]):
        orders.check_transition(fulfilment, current, wanted)
    assert orders.allowed(fulfilment, path[-1]) == frozenset()


@pytest.mark.parametrize("fulfilment,current,wanted", [
    ("pickup", "placed", "picked"),  # not before it is confirmed
    ("pickup", "picked", "shipped"),  # a pickup is never shipped
    ("delivery", "picked", "ready"),
    ("pickup", "picked", "cancelled"),  # its units are sold once picked
    ("delivery", "shipped", "cancelled"),
    ("pickup", "cancelled", "confirmed"),
    ("delivery", "delivered", "shipped"),
])
def test_moves_outside_the_workflow_are_refused_naming_status(fulfilment, current, wanted):
    with pytest.raises(Conflict) as err:
        orders.check_transition(fulfilment, current, wanted)
    assert err.value.field == "status"


@given(st.sampled_from(orders.FULFILMENTS), st.sampled_from(orders.STATUSES), st.sampled_from(orders.STATUSES))
def test_stock_is_sold_only_when_picked_and_released_only_before(fulfilment, current, wanted):
    if wanted not in orders.allowed(fulfilment, current):
        return
    step = orders.stock_step(current, wanted).action
    if wanted == "picked":
        assert step == "fulfil"
    elif wanted == "cancelled":
        assert step == "release" and current in ("placed", "confirmed")
    else:
        assert step == "none"
    assert current not in orders.FINAL


def test_expiry_is_after_the_shop_minutes_and_only_for_placed_orders():
    at = orders.expires_at(datetime(2026, 11, 20, 10, tzinfo=timezone.utc), 30)
    assert at == "2026-11-20T10:30:00.000000Z"
    assert orders.is_expired("placed", at, "2026-11-20T10:30:00.000000Z")
    assert not orders.is_expired("placed", at, "2026-11-20T10:29:59.999999Z")
    assert not orders.is_expired("confirmed", at, "2026-11-21T00:00:00.000000Z")


@given(st.lists(st.tuples(st.sampled_from("abc"), st.integers(1, 50).map(Decimal)), min_size=1, max_size=20))
def test_merged_lines_keep_every_unit_and_the_first_order(lines):
    merged = orders.merge_quantities(lines)
    assert [p for p, _ in merged] == list(dict.fromkeys(p for p, _ in lines))
    assert sum(q for _, q in merged) == sum(q for _, q in lines)


def test_total_is_quantity_times_price():
    assert orders.order_total([(Decimal("2"), Decimal("12.50")), (Decimal("1.5"), Decimal("2"))]) == Decimal("28.00")


def test_the_email_names_the_status_the_items_and_why_it_was_cancelled():
    view = orders.OrderView(id="abcdef12-0000", shop_name="Corner <Shop>", customer_name="Gus", status="cancelled",
                            fulfilment="pickup", total=Decimal("25"), currency="EUR",
                            lines=(("Blue mug", Decimal("2")),), cancel_reason="expired")
    subject, text, html = orders.status_email(view)
    assert subject == "Corner <Shop>: order ABCDEF12 cancelled"
    assert "not paid in time" in text and "2 × Blue mug" in text and "25.00 EUR" in text
    assert "&lt;Shop&gt;" in html and "<Shop>" not in html


# ---------------------------------------------------------------- payments
def test_a_signature_over_the_raw_body_verifies():
    body = b'{"order_id": "x"}'
    sig = payments.signature("s3cret", str(NOW), body)
    payments.verify("s3cret", str(NOW), sig, body, NOW + 10)
    payments.verify("s3cret", str(NOW), f"v1=00, {sig}", body, NOW)  # during a secret's rotation


@pytest.mark.parametrize("timestamp,header,body,now,field", [
    (None, "v1=00", b"{}", NOW, "X-Tally-Timestamp"),
    ("yesterday", "v1=00", b"{}", NOW, "X-Tally-Timestamp"),
    (str(NOW - 301), "sig", b"{}", NOW, "X-Tally-Timestamp"),  # a replay of an old confirmation
    (str(NOW + 301), "sig", b"{}", NOW, "X-Tally-Timestamp"),
    (str(NOW), None, b"{}", NOW, "X-Tally-Signature"),
    (str(NOW), "forged", b"{}", NOW, "X-Tally-Signature"),
    (str(NOW), "sig", b'{"amount": "0.01"}', NOW, "X-Tally-Signature"),  # the body changed after signing
])
def test_bad_signatures_are_refused_naming_the_header(timestamp, header, body, now, field):
    if header == "sig":
        header = payments.signature("s3cret", timestamp or "0", b"{}")
    with pytest.raises(Unauthorized) as err:
        payments.verify("s3cret", timestamp, header, body, now)
    assert err.value.field == field


def test_another_secret_does_not_verify():
    sig = payments.signature("other", str(NOW), b"{}")
    with pytest.raises(Unauthorized):
        payments.verify("s3cret", str(NOW), sig, b"{}", NOW)
