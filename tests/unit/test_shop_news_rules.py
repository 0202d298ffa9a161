"""Pure rules of texts and news (chalicelib/shop/rules/news.py) and E.164 numbers (core.phones)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from chalicelib.core.errors import InvalidInput
from chalicelib.core.phones import e164, is_e164, masked
from chalicelib.core.sms import keyword_of, parse_sns_record, inbound_event
from chalicelib.shop.rules import news
from chalicelib.shop.rules.orders import OrderView


@pytest.mark.parametrize("raw,want", [
    ("+44 7911 123456", "+447911123456"), ("+1 (202) 555-0123", "+12025550123"), ("+4930123456", "+4930123456"),
    ("+33 6 12 34 56 78", "+33612345678")])
def test_numbers_are_stored_in_e164(raw, want):
    assert e164(raw) == want and is_e164(want)


@pytest.mark.parametrize("raw", ["", "12345", "+44 12", "+999 123456789", "+1 555 0100 999", "call me", "+" + "1" * 40])
def test_what_is_not_a_number_is_refused_naming_the_field(raw):
    with pytest.raises(InvalidInput) as exc:
        e164(raw, field="phone")
    assert exc.value.field == "phone"


def test_a_national_number_needs_its_region():
    assert e164("07911 123456", region="gb") == "+447911123456"
    with pytest.raises(InvalidInput):
        e164("07911 123456")


def test_masked_keeps_country_code_and_last_digits():
    assert masked("+447911123456") == "+44•••••••456"


def test_targets_and_their_errors():
    assert news.target_of("shop", None, None, []) == "shop"
    assert news.target_of("category", "kitchen", None, ["kitchen"]) == "category:kitchen"
    assert news.target_of("brand", None, "  ACME  Tools ", []) == "brand:acme tools"
    for args, field in [(("category", "garden", None, ["kitchen"]), "category"), (("category", None, None, []), "category"),
                        (("brand", None, "  ", []), "brand"), (("shop", "kitchen", None, ["kitchen"]), "category"),
                        (("planet", None, None, []), "kind")]:
        with pytest.raises(InvalidInput) as exc:
            news.target_of(*args)
        assert exc.value.field == field
    assert news.targets_of_product("kitchen", "Acme") == ["shop", "category:kitchen", "brand:acme"]
    assert news.targets_of_product(None, "") == ["shop"]


def test_contacts_and_signed_links():
    assert news.contact_of("sms", "A@x.com", "+447911123456") == "sms:+447911123456"
    assert news.contact_of("email", "A@X.com", None) == "email:a@x.com"
    key = "ab" * 32
    sig = news.link_signature(key, "confirm", "org", "f1")
    assert news.link_ok(key, "confirm", "org", "f1", sig)
    assert not news.link_ok(key, "unsubscribe", "org", "f1", sig)  # a confirm link does not unsubscribe
    assert not news.link_ok("cd" * 32, "confirm", "org", "f1", sig)
    assert not news.link_ok(key, "confirm", "org", "f2", sig)


def test_one_launch_or_a_digest():
    one = [news.LaunchView("p1", "Teapot", "20.00 EUR")]
    two = one + [news.LaunchView("p2", "Cup", "5.00 EUR")]
    assert news.digest("Shop", one, "email", "http://s", None)[0] == "Shop: new, Teapot"
    subject, text, html = news.digest("Shop", two, "email", "http://s", "http://u")
    assert subject == "Shop: 2 new products" and "Teapot" in text and "Cup" in text and "http://u" in html
    _, sms, _ = news.digest("Shop", two, "sms", "http://s", None)
    assert "Teapot 20.00 EUR, Cup 5.00 EUR" in sms and sms.endswith(news.STOP_LINE)
    assert "<script>" not in news.digest("Shop", [news.LaunchView("p", "<script>", "1")], "email", "http://s", None)[2]


def test_order_text_says_the_status_and_how_to_stop():
    o = OrderView(id="abcdef12-0000", shop_name="Corner", customer_name="Gus", status="cancelled",
                  fulfilment="pickup", total=Decimal("1"), currency="EUR", lines=(), cancel_reason="expired")
    text = news.order_text(o)
    assert text.startswith("Corner: ") and "ABCDEF12" in text and "not paid in time" in text
    assert text.endswith("Reply STOP to opt out.") and len(text) <= 320


def test_inbound_sms_payload_round_trip():
    ev = inbound_event("+447911123456", " stop. ", "+12025550100", "m-1", "2026-12-01T10:00:00.000Z")
    sms = parse_sns_record(ev["Records"][0])
    assert (sms.sender, sms.keyword, sms.message_id) == ("+447911123456", "STOP", "m-1")
    assert keyword_of("") == "" and keyword_of("Start please") == "START"
    with pytest.raises(ValueError):
        parse_sns_record({"Sns": {"Message": "{}"}})
