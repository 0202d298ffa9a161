"""Forecast accuracy on held-out weeks: the engine Tally ships (chalicelib/inventory/rules/forecast.py)
against the seasonal naive forecast (same weekday last week), by MASE.

Run from the repo root: `.venv/bin/python bench/forecast.py` (or `make bench-forecast`). It prints
one table and exits 0: it measures, it does not gate.

* Real series: bench/data/store_item_demand.csv, four store × item daily sales series, 2013–2017,
  from Kaggle's "Store Item Demand Forecasting Challenge" (see bench/README.md for the source).
* Sparse series: synthetic intermittent demand (seeded; about 70 % zero days), where the seasonal
  naive forecast is a poor yardstick; the mean of the history is shown too.

Rolling origin: for each of the last `WEEKS` weeks, fit on everything before it (the engine uses its
last 26 weeks) and forecast the 7 days; MASE = MAE over the in-sample MAE of the seasonal naive
one-step forecast (Hyndman & Koehler 2006). Below 1 beats that naive forecast in-sample; the
out-of-sample naive's own MASE is shown beside it.
"""
from __future__ import annotations

import csv
import pathlib
import random
import statistics
import sys
import time
from collections import defaultdict

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from chalicelib.inventory.rules import forecast as fc  # noqa: E402

DATA = ROOT / "bench" / "data" / "store_item_demand.csv"
WEEKS = 8
HORIZON = 7


def real_series(path: pathlib.Path = DATA) -> dict[str, list[float]]:
    out: dict[str, list[float]] = defaultdict(list)
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            out[f"store {row['store']} item {row['item']}"].append(float(row["sales"]))
    return dict(out)


def sparse_series(n: int = 400, seed: int = 7, zero_share: float = 0.7) -> list[float]:
    rng = random.Random(seed)
    return [0.0 if rng.random() < zero_share else float(rng.choice([1, 1, 2, 3, 5])) for _ in range(n)]


def evaluate(y: list[float], weeks: int = WEEKS, horizon: int = HORIZON) -> dict:
    """Rolling-origin MASE of the engine, the seasonal naive and the history's mean."""
    errs = {"model": [], "naive": [], "mean": []}
    methods, fit_ms = [], []
    for w in range(weeks, 0, -1):
        cut = len(y) - w * horizon
        history, actual = y[:cut], y[cut:cut + horizon]
        t0 = time.perf_counter()
        result = fc.forecast(history, horizon)
        fit_ms.append((time.perf_counter() - t0) * 1000)
        methods.append(result.method)
        naive = [history[-7 + (h % 7)] for h in range(horizon)]
        window = history[-fc.FIT_WINDOW:]
        mean = [sum(window) / len(window)] * horizon
        for name, pred in (("model", result.daily), ("naive", naive), ("mean", mean)):
            errs[name].append(fc.mase(actual, pred, history[-fc.FIT_WINDOW:]))
    return {"method": max(set(methods), key=methods.count), "mase": {k: statistics.mean(v) for k, v in errs.items()},
            "fit_ms": statistics.median(fit_ms)}


def rows(weeks: int = WEEKS) -> list[tuple[str, dict]]:
    out = [(name, evaluate(y, weeks)) for name, y in real_series().items()]
    for seed in (7, 8):
        out.append((f"sparse synthetic #{seed}", evaluate(sparse_series(seed=seed), weeks)))
    return out


def render(results: list[tuple[str, dict]]) -> str:
    head = f"{'series':<24} | {'method':<9} | {'MASE model':>10} | {'MASE seasonal naive':>19} | " \
           f"{'MASE mean':>9} | {'fit ms':>6}"
    lines = [head, "-" * len(head)]
    for name, r in results:
        m = r["mase"]
        lines.append(f"{name:<24} | {r['method']:<9} | {m['model']:>10.3f} | {m['naive']:>19.3f} | "
                     f"{m['mean']:>9.3f} | {r['fit_ms']:>6.1f}")
    lines.append("-" * len(head))
    real = [r for name, r in results if not name.startswith("sparse")]
    better = sum(r["mase"]["model"] < r["mase"]["naive"] for r in real)
    lines.append(f"real series: the engine beats the seasonal naive forecast on {better} of {len(real)}, "
                 f"mean MASE {statistics.mean(r['mase']['model'] for r in real):.3f} vs "
                 f"{statistics.mean(r['mase']['naive'] for r in real):.3f}; last {WEEKS} weeks, 7 days ahead")
    return "\n".join(lines)


def main() -> int:
    print(render(rows()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
