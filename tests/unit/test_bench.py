"""bench/run.py's pure parts: call summaries, capacity estimates, the table."""
from __future__ import annotations

import importlib.util
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


def test_the_forecast_bench_runs_on_a_slice_of_its_real_series():
    spec = importlib.util.spec_from_file_location("bench_forecast", _path.parent / "forecast.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    series = mod.real_series()
    assert len(series) == 4 and all(len(y) == 1826 for y in series.values())
    result = mod.evaluate(series["store 1 item 1"][:400], weeks=2)
    assert result["method"].startswith("ets:") and 0 < result["mase"]["model"] < 2
    sparse = mod.evaluate(mod.sparse_series(n=120), weeks=1)
    assert sparse["method"] == "tsb"
    assert "beats the seasonal naive" in mod.render([("store 1 item 1", result), ("sparse synthetic #7", sparse)])
