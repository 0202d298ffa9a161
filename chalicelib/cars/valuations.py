"""Valuations: P10, P50 and P90 of a car's resale price, the factors behind it, and which model answered.

A dealer with a model trained on its own sales (the training job, training/cars/job.py; see
dealer_models) is answered by it; until then the starter model answers: LightGBM trees trained on a public data set (chalicelib/cars/starter_model.json; its
source is in the document and in docs/cars.md), evaluated in pure Python by `rules.valuation`. The
document is read once per Lambda container, on the first valuation.
"""
from __future__ import annotations

import json
import pathlib
from datetime import date
from functools import lru_cache
from typing import Any

from ..core.money import fmt
from . import dealer_models
from .rules.valuation import TreeModel, estimate, load_model, model_inputs
from .schemas import CarValuationFactorOut, CarValuationModelOut, CarValuationOut, VehicleIn
from .vehicles import check_registration, get_car, today

STARTER = pathlib.Path(__file__).with_name("starter_model.json")
# a model feature → the vehicle attribute it comes from
ATTRIBUTE_OF = {"mileage_km": "mileage", "age_months": "first_registration"}


@lru_cache(maxsize=1)
def starter_model() -> TreeModel:
    return load_model(json.loads(STARTER.read_text()))


def attribute_of(feature: str) -> str:
    if feature.startswith("option:"):
        return "options"
    return ATTRIBUTE_OF.get(feature, feature)


def _shown(value: float | str | None, feature: str) -> str | None:
    if value is None:
        return None
    if feature.startswith("option:"):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value == int(value) else f"{value:.1f}"
    return str(value)


def valuation(car: dict[str, Any], on: date, model: TreeModel | None = None, *, name: str = "starter",
              own_sales: int = 0) -> CarValuationOut:
    """The estimate of a car (its attributes as the vehicle's field names) on `on`, by `model` (the starter
    model when none is given); `name` and `own_sales` say which model it is."""
    model = model or starter_model()
    inputs = model_inputs(car, on)
    e = estimate(model, inputs)
    reads = sorted({attribute_of(f.name) for f in model.features})
    given = sorted(k for k, v in car.items() if v not in (None, "", []) and k != "mileage_unit")
    return CarValuationOut(
        p10=fmt(e.p10, e.currency), p50=fmt(e.p50, e.currency), p90=fmt(e.p90, e.currency),
        base=fmt(e.base, e.currency), currency=e.currency,
        factors=[CarValuationFactorOut(feature=f.feature, value=_shown(f.value, f.feature), effect=fmt(f.effect, e.currency),
                           change=str(f.change)) for f in e.factors],
        unused=[k for k in given if k not in reads],
        model=CarValuationModelOut(name=name, version=model.version, trained_at=model.trained_at, rows=model.rows,
                                own_sales=own_sales, source=model.source, reads=reads))


def _valued(org_id: str, car: dict[str, Any], on: date) -> CarValuationOut:
    """By the dealer's own model when it has one (trained on its sales), else by the starter model."""
    own = dealer_models.current(org_id)
    if own is None:
        return valuation(car, on)
    record, model = own
    return valuation(car, on, model, name="dealer", own_sales=int(record.n_sales or 0))


def value_vehicle(org_id: str, data: VehicleIn) -> CarValuationOut:
    on = today()
    check_registration(data.first_registration, on)
    return _valued(org_id, data.model_dump(), on)


def value_car(org_id: str, car_id: str) -> CarValuationOut:
    """A stocked car's own estimate, from its stored attributes."""
    return _valued(org_id, dealer_models.vehicle_attributes(get_car(org_id, car_id)), today())
