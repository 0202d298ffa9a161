"""Resale value from an exported gradient-boosted tree model, in pure Python (no numpy in the Lambda).

A model is a JSON document written by the training job (`training/cars/export.py`): the features it
reads, in order (`number`, `category` with its vocabulary, `flag`), its trees (LightGBM's, flattened),
the prediction's offset and the spread of its held-out errors. It predicts the natural log of the price:

* **P50** = exp(sum of the trees' leaves reached);
* **P10 / P90** = P50 × exp(the 10th / 90th percentile of the model's out-of-fold log errors), so the
  band is as wide as the model's own mistakes on cars it had not seen;
* **factors** (Saabas path contributions): along the path a car takes through each tree, every split
  moves the running value from a node's mean to its child's; that move is credited to the split's
  feature. The moves of a tree add up to its leaf, so base + Σ contributions = the prediction exactly.
  A factor's money effect splits P50 − base price in proportion to its log contribution, weighted by
  the logarithmic mean of the two prices, so the effects add up to P50 − base exactly.

Categoricals are looked up in the model's own vocabulary (the one it was trained with: the same
function, `encode`, builds the training matrix), so a make or a body type is never silently dropped
at prediction time; a value the model never saw is "missing", which the trees route as LightGBM does.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Mapping, Sequence

from .vehicles import DAMAGE

KM_PER_MILE = 1.609344
FORMAT = "tally-trees-1"

Inputs = dict[str, float | str | None]
"""A car's model inputs by feature name: numbers, category names (lower case), None when unknown."""


class ModelError(ValueError):
    """A model document that cannot be read."""


@dataclass(frozen=True)
class Feature:
    name: str
    kind: str  # number | category | flag
    values: tuple[str, ...] = ()  # a category's vocabulary, in the training job's code order
    fill: float | None = None  # a number every training car had: its median stands in for an unknown one

    def code(self, value: float | str | None) -> float:
        """This feature's value as the trees read it: NaN when unknown, or the training median of a
        number every training car had (LightGBM would read NaN there as 0: zero cylinders, zero km)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return math.nan if self.fill is None else self.fill
        if self.kind == "category":
            try:
                return float(self.values.index(str(value).strip().lower()))
            except ValueError:
                return math.nan  # never seen in training: LightGBM routes it as missing
        if self.kind == "flag":
            return 1.0 if value in (True, 1, 1.0, "1", "true") else 0.0
        return float(value)


@dataclass(frozen=True)
class Split:
    feature: int
    threshold: float
    categories: frozenset[int] | None  # a categorical split: these codes go left
    default_left: bool
    missing: int  # 0 none, 1 zero, 2 NaN (LightGBM's missing types)
    left: int  # >= 0 a split, < 0 the leaf ~left
    right: int
    value: float  # the node's mean output (for contributions)


@dataclass(frozen=True)
class Tree:
    splits: tuple[Split, ...]
    leaves: tuple[float, ...]


@dataclass(frozen=True)
class TreeModel:
    version: str
    trained_at: str
    rows: int
    currency: str
    source: str
    features: tuple[Feature, ...]
    trees: tuple[Tree, ...]
    low: float  # log-error quantiles of the band
    high: float
    coverage: float  # the band's share (e.g. 0.8 for P10-P90)


@dataclass(frozen=True)
class Factor:
    feature: str
    value: float | str | None
    log_contribution: float
    effect: Decimal  # money, in the model's currency; the factors' effects add up to p50 - base
    change: Decimal  # the relative change it alone makes, e.g. -0.063 for -6.3 %


@dataclass(frozen=True)
class Estimate:
    p10: Decimal
    p50: Decimal
    p90: Decimal
    base: Decimal  # the model's price for an average car, before any factor
    currency: str
    factors: tuple[Factor, ...]  # largest effect first


def _split(row: Sequence[Any], n_features: int) -> Split:
    feature, threshold, flags, left, right, value = row
    if not isinstance(feature, int) or not 0 <= feature < n_features:
        raise ModelError(f"split on unknown feature {feature!r}")
    categories = frozenset(int(c) for c in threshold) if isinstance(threshold, list) else None
    return Split(feature, math.inf if categories is not None else float(threshold), categories,
                 bool(flags & 1), (flags >> 1) & 3, int(left), int(right), float(value))


def load_model(document: Mapping[str, Any]) -> TreeModel:
    """A model from its JSON document; ModelError if it is not one this code can evaluate."""
    if document.get("format") != FORMAT:
        raise ModelError(f"model format {document.get('format')!r}, expected {FORMAT}")
    features = tuple(Feature(f["name"], f["kind"], tuple(f.get("values", ())), f.get("fill"))
                     for f in document["features"])
    if any(f.kind not in ("number", "category", "flag") for f in features):
        raise ModelError("unknown feature kind")
    trees = []
    for t in document["trees"]:
        splits = tuple(_split(row, len(features)) for row in t["splits"])
        leaves = tuple(float(v) for v in t["leaves"])
        for s in splits:
            for child in (s.left, s.right):
                if not (0 <= child < len(splits) or 0 <= ~child < len(leaves)):
                    raise ModelError("a split points to nothing")
        trees.append(Tree(splits, leaves))
    band = document["band"]
    return TreeModel(version=str(document["version"]), trained_at=str(document["trained_at"]),
                     rows=int(document["rows"]), currency=str(document["currency"]),
                     source=str(document.get("source", "")), features=features, trees=tuple(trees),
                     low=float(band["low"]), high=float(band["high"]), coverage=float(band["coverage"]))


def age_in_months(first_registration: str, on: date) -> int:
    """Whole months from the first registration (YYYY-MM) to `on`; never negative."""
    year, month = (int(p) for p in first_registration.split("-")[:2])
    return max(0, (on.year - year) * 12 + on.month - month)


def model_inputs(car: Mapping[str, Any], on: date) -> Inputs:
    """Every input any model may read, from a car's attributes (the vehicle's own field names): text
    lower-cased, mileage in km, age in months at `on`, damage as 0 none, 1 repaired, 2 unrepaired, and
    one `option:<name>` flag per option."""
    inputs: Inputs = {}
    for name in ("make", "model", "trim", "body_type", "fuel", "gearbox", "drive", "colour", "condition"):
        value = car.get(name)
        inputs[name] = str(value).strip().lower() if value not in (None, "") else None
    for name in ("engine_litres", "cylinders", "power_kw", "doors", "seats", "previous_owners"):
        value = car.get(name)
        inputs[name] = float(value) if value is not None else None
    mileage = car.get("mileage")
    if mileage is not None:
        inputs["mileage_km"] = float(mileage) * (KM_PER_MILE if car.get("mileage_unit") == "mi" else 1.0)
    else:
        inputs["mileage_km"] = None
    registered = car.get("first_registration")
    inputs["age_months"] = float(age_in_months(str(registered), on)) if registered else None
    damage = car.get("damage")
    inputs["damage"] = float(DAMAGE.index(damage)) if damage in DAMAGE else None
    for option in car.get("options") or ():
        inputs[f"option:{option}"] = 1.0
    return inputs


def encode(features: Sequence[Feature], inputs: Mapping[str, float | str | None]) -> list[float]:
    """The feature vector a model reads (the training job builds its matrix with this same function)."""
    return [f.code(inputs.get(f.name, 0.0 if f.kind == "flag" else None)) for f in features]


def _goes_left(split: Split, v: float) -> bool:
    # LightGBM's CategoricalDecision and NumericalDecision (include/LightGBM/tree.h)
    if split.categories is not None:
        return not math.isnan(v) and v >= 0 and int(v) in split.categories
    if math.isnan(v) and split.missing != 2:
        v = 0.0
    if (split.missing == 1 and abs(v) <= 1e-35) or (split.missing == 2 and math.isnan(v)):
        return split.default_left
    return v <= split.threshold


def raw_prediction(model: TreeModel, x: Sequence[float]) -> tuple[float, float, list[float]]:
    """(prediction, base, contribution per feature) in the model's log scale; base + Σ = prediction."""
    contributions = [0.0] * len(model.features)
    base = total = 0.0
    for tree in model.trees:
        if not tree.splits:
            base += tree.leaves[0]
            total += tree.leaves[0]
            continue
        node = tree.splits[0]
        base += node.value
        while True:
            child = node.left if _goes_left(node, x[node.feature]) else node.right
            if child < 0:
                leaf = tree.leaves[~child]
                contributions[node.feature] += leaf - node.value
                total += leaf
                break
            nxt = tree.splits[child]
            contributions[node.feature] += nxt.value - node.value
            node = nxt
    return total, base, contributions


def _money(v: float) -> Decimal:
    return Decimal(round(v))


def _log_mean(a: float, b: float) -> float:
    return a if abs(a - b) < 1e-9 * max(a, b) else (a - b) / (math.log(a) - math.log(b))


def estimate(model: TreeModel, inputs: Mapping[str, float | str | None]) -> Estimate:
    """P10, P50 and P90 of the price, with the factors behind P50 (see the module's docstring)."""
    x = encode(model.features, inputs)
    total, base, contributions = raw_prediction(model, x)
    p50, base_price = math.exp(total), math.exp(base)
    weight = _log_mean(p50, base_price)
    factors = [Factor(f.name, inputs.get(f.name, 0.0 if f.kind == "flag" else None), c, _money(c * weight),
                      Decimal(str(round(math.expm1(c), 4))))
               for f, c in zip(model.features, contributions) if c != 0.0]
    factors.sort(key=lambda f: -abs(f.log_contribution))
    return Estimate(p10=_money(math.exp(total + model.low)), p50=_money(p50),
                    p90=_money(math.exp(total + model.high)), base=_money(base_price),
                    currency=model.currency, factors=tuple(factors))
