"""Returns, pure: the window, quantities never returned twice over, the workflow, outcomes, the refund's
ceiling, signed order links, emails, rollup deltas and the storefront's search field."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.core.errors import Conflict, InvalidInput, NotFound
from chalicelib.shop.rules import returns as r
from chalicelib.shop.rules.storefront import matches, search_text

D = Decimal
KEY = r.link_key("secret")
ORDER = "0b9e1c2a-5d4f-4e8a-9c3b-2a1d0e9f8c7b"


def test_the_window_counts_from_the_last_hand_over():
    history = [("placed", "2026-11-01T10:00:00.000000Z"), ("collected", "2026-11-02T10:00:00.000000Z")]
    at = r.handed_over_at(history)
    assert r.return_by(at, 14) == "2026-11-16T10:00:00.000000Z"
    r.check_window("collected", at, 14, "2026-11-16T10:00:00.000000Z")
    with pytest.raises(Conflict) as e:
        r.check_window("collected", at, 14, "2026-11-16T10:00:00.000001Z")
    assert e.value.field == "order_id"
    with pytest.raises(Conflict):
        r.check_window("shipped", None, 14, "2026-11-03T00:00:00Z")
    with pytest.raises(Conflict, match="no returns"):
        r.check_window("delivered", at, 0, "2026-11-03T00:00:00Z")


@given(st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=12), st.integers(min_value=1, max_value=10))
def test_quantities_asked_never_exceed_what_was_bought(requests, bought):
    asked: dict[str, Decimal] = {}
    for q in requests:
        try:
            asked = r.check_lines({"p": D(bought)}, asked, [("p", D(q))])
        except Conflict as exc:
            assert exc.field == "lines.0.quantity"
        assert asked.get("p", D(0)) <= bought


def test_lines_name_products_of_the_order_once():
    with pytest.raises(NotFound) as e:
        r.check_lines({"p": D(2)}, {}, [("p", D(1)), ("q", D(1))])
    assert e.value.field == "lines.1.product_id"
    with pytest.raises(InvalidInput):
        r.check_lines({"p": D(2)}, {}, [("p", D(1)), ("p", D(1))])


def test_the_workflow_and_outcomes():
    r.check_transition("requested", "received")
    for current, wanted in (("requested", "refunded"), ("refunded", "rejected"), ("rejected", "received")):
        with pytest.raises(Conflict):
            r.check_transition(current, wanted)
    with pytest.raises(InvalidInput) as e:
        r.check_outcomes(["a", "b"], [r.Outcome("a", "restock", None)])
    assert e.value.field == "lines"
    with pytest.raises(InvalidInput) as e:
        r.check_outcomes(["a"], [r.Outcome("a", "scrap", "lost")])
    assert e.value.field == "lines.0.reason"
    assert r.check_outcomes(["a"], [r.Outcome("a", "scrap", "defective")])["a"].outcome == "scrap"


def test_the_refund_is_at_most_what_the_lines_cost():
    ceiling = r.max_refund([(D(2), D("12.50")), (D(1), D("3.33"))])
    assert ceiling == D("28.33")
    r.check_refund(ceiling, ceiling, "EUR")
    with pytest.raises(Conflict) as e:
        r.check_refund(ceiling + D("0.01"), ceiling, "EUR")
    assert e.value.field == "refund" and e.value.extra == {"max_refund": "28.33"}


def test_an_order_token_opens_one_order_until_it_expires():
    token = r.order_token(KEY, "corner", ORDER, 1_800_000_000)
    r.check_token(KEY, "corner", ORDER, token, 1_800_000_000)
    bad = [(KEY, "other", ORDER, token), (KEY, "corner", ORDER.replace("0b", "1b"), token),
           (r.link_key("another"), "corner", ORDER, token), (KEY, "corner", ORDER, token[:-1] + "x"),
           (KEY, "corner", ORDER, None)]
    for key, handle, order, tok in bad:
        with pytest.raises(NotFound):
            r.check_token(key, handle, order, tok, 1_800_000_000)
    with pytest.raises(NotFound):
        r.check_token(KEY, "corner", ORDER, token, 1_800_000_000 + r.LINK_DAYS * 86400 + 1)
    assert r.link_key("secret") != b"secret"


def test_order_numbers():
    assert r.order_number(ORDER) == "0B9E1C2A"
    assert r.matches_number(ORDER, "#0b9e1c2a") and r.matches_number(ORDER, ORDER.upper())
    assert not r.matches_number(ORDER, "0b9e1c2") and not r.matches_number(ORDER, "0b9e1c2b")


def test_the_refunded_email_says_the_amount_and_escapes_html():
    subject, text, html = r.return_email(r.ReturnView(
        id=ORDER, order_id=ORDER, shop_name="Shop <b>", customer_name="Ann", status="refunded",
        lines=(("Mug", D(2), "restock"),), refund=D("25"), currency="EUR", link="https://x/y?a=1&t=2"))
    assert subject == "Shop <b>: return 0B9E1C2A refunded"
    assert "we refund 25.00 EUR" in text and "2 × Mug (restock)" in text and "https://x/y?a=1&t=2" in text
    assert "<b>" not in html and "&amp;t=2" in html


def test_rollup_deltas_count_each_step_once():
    order = {"sk": "ORDER", "status": "ready", "lines": [{"product_id": "p", "quantity": "3"}]}
    done = {**order, "status": "collected"}
    assert r.sold_deltas(order, done) == {"p": D(3)}
    assert r.sold_deltas(done, done) == {}
    req = {"status": "requested", "lines": [{"product_id": "p", "quantity": "2"}]}
    assert r.returned_deltas(None, req) == {"p": {"requested": D(2)}}
    assert r.returned_deltas(req, {**req, "status": "received"}) == {}
    refunded = {"status": "refunded", "lines": [{"product_id": "p", "quantity": "2", "outcome": "scrap"}]}
    assert r.returned_deltas({**req, "status": "received"}, refunded) == {"p": {"returned": D(2), "scrapped": D(2)}}
    assert r.returned_deltas(req, {**req, "status": "rejected"}) == {"p": {"requested": D(-2)}}
    assert r.return_rate(D(4), D(3)) == D("0.7500") and r.return_rate(D(0), D(1)) is None


def test_the_search_field_is_compact_and_matches_word_starts():
    s = search_text("Crème Brûlée Torch", "TORCH-1", "Kitchen Pro", "kitchen", "Kitchen", "A torch for crème brûlée.")
    assert s == "creme brulee torch 1 kitchen pro a for"
    assert matches(s, "brul TOR") and matches(s, "") and not matches(s, "orch")
    assert len(search_text("word " * 500)) <= 300 and len(search_text(*(f"w{i}" for i in range(400)))) <= 300
