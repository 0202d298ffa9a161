"""The shop load bench's core (bench/shop_load.py) with tiny numbers against the session's local stack,
so `make bench-shop-load` cannot rot: four shoppers race for a flash-sale product with two units, and
every check the bench prints (zero 5xx, zero oversell read from the ledger, each order holding its
stock, each refusal a 409 naming the field, the sale price, the availability document) holds."""
from __future__ import annotations

from decimal import Decimal

from bench.shop_load import OPS, report, run_load


def test_shop_load_core_with_four_shoppers_sells_the_hot_product_exactly_once(local_stack):
    out = run_load(local_stack["api_url"], local_stack["dashboard_url"], shoppers=4, duration=6, hot_stock=2,
                   products=2, think=0.05, log=lambda _: None)
    text = report(out)
    assert out.ok, text
    assert [name for name, _, _ in out.checks] == [
        "zero 5xx", "zero transport errors", "zero oversell", "every successful order holds its stock",
        "every refused order got a 409 naming the field", "flash-sale price on every hot order line",
        "hot availability document converges to the ledger"], text
    hot = out.ledger[out.shop.hot]
    # every shopper's first cart holds the hot product: four tries for two units sell it out, no more
    assert hot["ordered"] == hot["reserved"] + hot["sold"] == Decimal(2), text
    assert len(out.refused_fields) >= 2 and all(f.endswith(".quantity") for f in out.refused_fields), text
    ops = {s.op for s in out.samples}
    assert {"storefront index", "product page", "availability", "place order"} <= ops <= set(OPS), text
    for op in ("storefront index", "place order"):
        assert f"| {op} |" in text, text
