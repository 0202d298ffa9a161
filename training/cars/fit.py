"""Fit a valuation model with LightGBM and export it as the JSON document that
`chalicelib.cars.rules.valuation` evaluates (format `tally-trees-1`).

The training matrix is built by the evaluator's own `model_inputs` and `encode`, with the vocabulary
of each categorical feature fixed here and written into the document: the codes the trees split on
are the codes an estimate looks up, so no categorical input is ever dropped at prediction time.

The target is the log of the price (errors in proportion to the price, as dealers read them). The
P10-P90 band is the 10th and 90th percentile of out-of-fold log errors (5-fold inside the training
rows), so it is as wide as the model's mistakes on cars it had not seen.
"""
from __future__ import annotations

import random
from collections import Counter
from datetime import date
from typing import Any, Iterable, Sequence

import lightgbm as lgb
import numpy as np

from chalicelib.cars.rules.valuation import FORMAT, Feature, encode, model_inputs

Sale = tuple[dict[str, Any], float, date]
"""A sold (or priced) car: its attributes, its price, the day of the price."""

PARAMS: dict[str, Any] = {
    "objective": "regression", "learning_rate": 0.1, "num_leaves": 8, "min_data_in_leaf": 5,
    "min_data_per_group": 5, "cat_smooth": 1.0, "cat_l2": 1.0, "max_cat_to_onehot": 8, "lambda_l2": 1.0,
    "verbose": -1, "seed": 7, "deterministic": True, "force_row_wise": True, "num_threads": 1,
}
ROUNDS = 200
BAND = (0.10, 0.90)


def vocabulary(spec: Sequence[dict[str, Any]], inputs: Sequence[dict[str, Any]]) -> tuple[Feature, ...]:
    """The features of `spec`: each categorical one with its values in the rows, most frequent first; each
    number that every row has with its median, which an estimate uses when that number is unknown."""
    features = []
    for f in spec:
        values: tuple[str, ...] = ()
        fill = None
        if f["kind"] == "category":
            counts = Counter(str(row[f["name"]]) for row in inputs if row.get(f["name"]) is not None)
            values = tuple(v for v, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        elif f["kind"] == "number":
            seen = [row.get(f["name"]) for row in inputs]
            if all(v is not None for v in seen):
                fill = _round(float(np.median(np.array(seen, dtype=float))))
        features.append(Feature(f["name"], f["kind"], values, fill))
    return tuple(features)


def matrix(features: Sequence[Feature], inputs: Iterable[dict[str, Any]]) -> np.ndarray:
    return np.array([encode(features, row) for row in inputs], dtype=float)


def fit(features: Sequence[Feature], x: np.ndarray, y_log: np.ndarray, rounds: int = ROUNDS,
        params: dict[str, Any] | None = None) -> lgb.Booster:
    categorical = [i for i, f in enumerate(features) if f.kind == "category"]
    data = lgb.Dataset(x, label=y_log, feature_name=[f"f{i}" for i in range(len(features))],
                       categorical_feature=categorical, free_raw_data=False)
    return lgb.train(params or PARAMS, data, num_boost_round=rounds)


def folds(n: int, k: int = 5, seed: int = 0) -> list[np.ndarray]:
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return [np.array(sorted(order[i::k])) for i in range(k)]


def band(features: Sequence[Feature], x: np.ndarray, y_log: np.ndarray, rounds: int = ROUNDS,
         params: dict[str, Any] | None = None) -> tuple[float, float]:
    """The 10th and 90th percentile of the model's out-of-fold log errors."""
    errors = np.empty(len(y_log))
    for test in folds(len(y_log)):
        train = np.setdiff1d(np.arange(len(y_log)), test)
        booster = fit(features, x[train], y_log[train], rounds, params)
        errors[test] = y_log[test] - booster.predict(x[test])
    low, high = np.quantile(errors, BAND)
    return float(low), float(high)


def _round(v: float, digits: int = 7) -> float:
    return float(f"{v:.{digits}g}")


def _flatten(root: dict[str, Any]) -> dict[str, list[Any]]:
    """LightGBM's nested tree as [feature, threshold, flags, left, right, value] rows (split 0 the root;
    a child < 0 is the leaf ~child) and the leaves' values."""
    splits: list[list[Any]] = []
    leaves: list[float] = []

    def visit(node: dict[str, Any]) -> int:
        if "split_feature" not in node:
            leaves.append(_round(node["leaf_value"]))
            return ~(len(leaves) - 1)
        # a node's mean only apportions the contributions, which telescope to the leaf exactly: 5 digits
        row: list[Any] = [node["split_feature"], None, 0, 0, 0, _round(node["internal_value"], 5)]
        index = len(splits)
        splits.append(row)
        if node["decision_type"] == "==":
            row[1] = sorted(int(c) for c in str(node["threshold"]).split("||"))
        else:
            # 10 digits: LightGBM's thresholds lie between two training values (7.000000000000001 → 7.0; a
            # value between the two would be within 1e-10 of the threshold)
            row[1] = _round(float(node["threshold"]), 10)
        missing = {"None": 0, "Zero": 1, "NaN": 2}[node.get("missing_type", "None")]
        row[2] = int(bool(node.get("default_left"))) | missing << 1
        row[3] = visit(node["left_child"])
        row[4] = visit(node["right_child"])
        return index

    visit(root)
    return {"splits": splits, "leaves": leaves}


def export(booster: lgb.Booster, features: Sequence[Feature], low: float, high: float, *, version: str,
           trained_at: str, rows: int, currency: str, source: str) -> dict[str, Any]:
    dump = booster.dump_model()
    return {
        "format": FORMAT, "version": version, "trained_at": trained_at, "rows": rows, "currency": currency,
        "source": source, "target": "log price",
        "features": [{"name": f.name, "kind": f.kind, **({"values": list(f.values)} if f.values else {}),
                      **({"fill": f.fill} if f.fill is not None else {})} for f in features],
        "band": {"low": _round(low), "high": _round(high), "coverage": round(BAND[1] - BAND[0], 2)},
        "trees": [_flatten(t["tree_structure"]) for t in dump["tree_info"]],
    }


def train(sales: Sequence[Sale], spec: Sequence[dict[str, Any]], *, version: str, trained_at: str, currency: str,
          source: str, rounds: int = ROUNDS, params: dict[str, Any] | None = None) -> dict[str, Any]:
    """The model document of `sales` over the features of `spec`."""
    inputs = [model_inputs(car, on) for car, _, on in sales]
    features = vocabulary(spec, inputs)
    x = matrix(features, inputs)
    y_log = np.log(np.array([price for _, price, _ in sales], dtype=float))
    if not np.all(np.isfinite(y_log)):
        raise ValueError("every price must be positive")
    low, high = band(features, x, y_log, rounds, params)
    booster = fit(features, x, y_log, rounds, params)
    return export(booster, features, low, high, version=version, trained_at=trained_at, rows=len(sales),
                  currency=currency, source=source)

