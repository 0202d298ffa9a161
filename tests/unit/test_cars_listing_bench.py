"""bench/cars_listing.py: a listing request's cost stays bounded as the stock grows; only the write side grows."""
from __future__ import annotations

import importlib.util
import pathlib
import sys

_path = pathlib.Path(__file__).resolve().parents[2] / "bench" / "cars_listing.py"
_spec = importlib.util.spec_from_file_location("bench_cars_listing", _path)
bench = sys.modules.setdefault("bench_cars_listing", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(bench)


def test_a_listing_request_costs_the_same_few_objects_and_no_reads_at_any_stock_size():
    small, large = bench.measure(300, 3), bench.measure(6000, 60)
    page_bound = 80_000  # 50 cards of at most ~1.5 kB
    for r in (small, large):
        for name, v in r["per_request"].items():
            assert v["requests"] <= 3 and v["rcu"] == 0, name
            assert v["bytes"] <= 3 * page_bound, (name, v)
    # twenty times the cars: the same request fetches at most a little more (pages fill up), never 20×
    for name in small["per_request"]:
        assert large["per_request"][name]["bytes"] <= 4 * max(small["per_request"][name]["bytes"], 20_000), name
    assert large["cost_per_1m_views"]["s3_cdn"] < large["cost_per_1m_views"]["dynamodb_api"]


def test_an_edit_in_place_puts_only_the_pages_it_is_on():
    r = bench.measure(3000, 30)
    assert r["change"]["reserved (in place)"]["s3_puts"] <= 4  # its make page, model page, a newest page, its page
    assert r["change"]["new car (arrives)"]["s3_puts"] > r["change"]["reserved (in place)"]["s3_puts"]
