"""The shop load bench's pure parts (bench/shop_load.py): how a response is classed, the nearest-rank
percentile and the per-operation table."""
from __future__ import annotations

from decimal import Decimal

from bench.shop_load import Outcome, Sample, Shop, classify, pct, table


def _error(field):
    return {"error": {"code": "conflict", "message": "...", "field": field}}


def test_a_refused_order_is_sold_out_only_when_it_names_a_line_quantity():
    assert classify("place order", 201, {}) == "ok"
    assert classify("place order", 409, _error("lines.0.quantity")) == "sold_out"
    assert classify("place order", 409, _error("lines.12.quantity")) == "sold_out"
    assert classify("place order", 409, _error("lines")) == "busy"
    assert classify("place order", 409, _error("order_id")) == "409"
    assert classify("place order", 409, b"not json") == "409"
    assert classify("staff pick", 409, _error("version")) == "4xx"
    assert classify("payment", 401, _error("X-Tally-Signature")) == "4xx"
    assert classify("availability", 503, None) == "5xx"
    assert classify("availability", 0, None) == "net"


def test_nearest_rank_percentiles():
    values = [float(v) for v in range(1, 101)]
    assert (pct(values, 50), pct(values, 99), pct(values, 100)) == (50.0, 99.0, 100.0)
    assert pct([7.0], 99) == 7.0
    assert pct([3.0, 1.0, 2.0], 50) == 2.0


def test_the_table_has_a_row_per_operation_with_errors_by_class_and_a_total():
    shop = Shop("http://api", "http://site", "t", "o", "h", "l", "hot", ["p"], {"hot": Decimal(1), "p": Decimal(9)},
                "s", "listing discount")
    samples = [Sample("place order", 201, 0.100, "ok", 800), Sample("place order", 409, 0.300, "sold_out", 200),
               Sample("place order", 500, 0.200, "5xx", 100), Sample("availability", 200, 0.010, "ok", 400)]
    text = table(Outcome(shop, samples, seconds=2.0))
    rows = text.splitlines()
    assert rows[0].startswith("| operation | requests | req/s | p50 ms | p99 ms | ok | 409 sold out | 409 busy |")
    assert rows[2] == "| availability | 1 | 0.5 | 10 | 10 | 1 | 0 | 0 | 0 | 0 | 0 | 400 |"
    assert rows[3] == "| place order | 3 | 1.5 | 200 | 300 | 1 | 1 | 0 | 0 | 1 | 0 | 366 |"
    assert rows[4] == "| **all** | 4 | 2.0 | 100 | 300 | 2 | 1 | 0 | 0 | 1 | 0 | 375 |"
