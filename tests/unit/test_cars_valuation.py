"""The valuation engine (chalicelib/cars/rules/valuation.py) and its training job (training/cars): the
exported trees evaluated in pure Python give LightGBM's own predictions, every attribute a model reads
can change its estimate (categoricals included), the factors add up, and an estimate is fast."""
from __future__ import annotations

import json
import math
import pathlib
import random
import time
from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from chalicelib.cars.rules import valuation as v
from chalicelib.cars.rules.vehicles import BODY_TYPES, CONDITIONS, DRIVES, FUELS, GEARBOXES, OPTIONS
from training.cars import dealer, fit

STARTER = pathlib.Path(__file__).resolve().parents[2] / "chalicelib" / "cars" / "starter_model.json"
ON = date(2026, 6, 1)
MAKES = {"skoda": 1.0, "volkswagen": 1.15, "bmw": 1.45, "dacia": 0.75}
MODELS = {"compact": 0.9, "family": 1.0, "executive": 1.3}
TRIMS = {"base": 0.95, "sport": 1.1}
COLOURS = {"white": 1.0, "black": 1.04, "green": 0.9}


def synthetic_sales(n: int, seed: int = 3) -> list[fit.Sale]:
    """Cars whose price depends on every attribute a dealer model reads, multiplicatively."""
    rnd = random.Random(seed)
    sales = []
    for _ in range(n):
        car = {"make": rnd.choice(list(MAKES)), "model": rnd.choice(list(MODELS)), "trim": rnd.choice(list(TRIMS)),
               "body_type": rnd.choice(BODY_TYPES[:4]), "fuel": rnd.choice(FUELS[:3]),
               "gearbox": rnd.choice(GEARBOXES), "drive": rnd.choice(DRIVES[:3]), "colour": rnd.choice(list(COLOURS)),
               "condition": rnd.choice(CONDITIONS), "first_registration": f"{rnd.randint(2012, 2025)}-{rnd.randint(1, 12):02d}",
               "mileage": rnd.randint(1_000, 200_000), "mileage_unit": "km", "engine_litres": rnd.choice([1.0, 1.6, 2.0, 3.0]),
               "cylinders": rnd.choice([3, 4, 6]), "power_kw": rnd.randint(50, 250), "doors": rnd.choice([3, 5]),
               "seats": rnd.choice([4, 5, 7]), "previous_owners": rnd.randint(0, 4),
               "damage": rnd.choice(["none", "none", "repaired", "unrepaired"]),
               "options": sorted(o for o in OPTIONS if rnd.random() < 0.4)}
        i = v.model_inputs(car, ON)
        price = (30_000 * MAKES[car["make"]] * MODELS[car["model"]] * TRIMS[car["trim"]] * COLOURS[car["colour"]]
                 * (1 + 0.06 * BODY_TYPES.index(car["body_type"])) * (1 + 0.08 * FUELS.index(car["fuel"]))
                 * (1.07 if car["gearbox"] == "automatic" else 1.0) * (1 + 0.05 * DRIVES.index(car["drive"]))
                 * (1 - 0.08 * CONDITIONS.index(car["condition"])) * math.exp(-0.008 * i["age_months"])
                 * math.exp(-0.000003 * i["mileage_km"]) * (1 + 0.1 * car["engine_litres"]) * (1 + 0.03 * car["cylinders"])
                 * (1 + 0.002 * car["power_kw"]) * (1.04 if car["doors"] == 5 else 1.0) * (1 + 0.03 * (car["seats"] - 4))
                 * (1 - 0.04 * car["previous_owners"]) * (1 - 0.15 * i["damage"])
                 * math.prod(1.03 + 0.005 * k for k, o in enumerate(OPTIONS) if o in car["options"]))
        sales.append((car, price * math.exp(rnd.gauss(0, 0.02)), ON))
    return sales


@pytest.fixture(scope="module")
def dealer_model() -> tuple[dict, list[fit.Sale]]:
    sales = synthetic_sales(1500)
    document = fit.train(sales, dealer.FEATURES, version="dealer-test", trained_at="2026-06-01", currency="EUR",
                         source="synthetic", rounds=300)
    return json.loads(json.dumps(document)), sales


@pytest.fixture(scope="module")
def starter() -> v.TreeModel:
    return v.load_model(json.loads(STARTER.read_text()))


BASE_CAR = {"make": "volkswagen", "model": "family", "trim": "base", "body_type": "hatchback", "fuel": "diesel",
            "gearbox": "manual", "drive": "fwd", "colour": "white", "condition": "good", "first_registration": "2019-03",
            "mileage": 60_000, "mileage_unit": "km", "engine_litres": 1.6, "cylinders": 4, "power_kw": 110, "doors": 5,
            "seats": 5, "previous_owners": 1, "damage": "none", "options": ["cruise_control"]}
# another value of each attribute, far enough from the base car's for the price to move
CHANGES = {"make": "bmw", "model": "executive", "trim": "sport", "body_type": "coupe", "fuel": "hybrid",
           "gearbox": "automatic", "drive": "awd", "colour": "green", "condition": "poor", "first_registration": "2014-03",
           "mileage": 180_000, "engine_litres": 3.0, "cylinders": 6, "power_kw": 230, "doors": 3, "seats": 7,
           "previous_owners": 4, "damage": "unrepaired"}


def test_the_exported_trees_give_lightgbms_predictions_missing_and_unknown_values_included(dealer_model) -> None:
    document, sales = dealer_model
    model = v.load_model(document)
    inputs = [v.model_inputs(car, on) for car, _, on in sales[:300]]
    for row in inputs[::3]:  # unknown categories and missing numbers take LightGBM's missing-value routes
        row.update(make="lada", colour=None, power_kw=None, mileage_km=float("nan"))
    x = fit.matrix(model.features, inputs)
    booster = fit.fit(model.features, *_training_matrix(model, sales), rounds=300)
    ours = np.array([v.raw_prediction(model, row)[0] for row in x.tolist()])
    assert np.max(np.abs(ours - booster.predict(x))) < 1e-5


def _training_matrix(model: v.TreeModel, sales: list[fit.Sale]) -> tuple[np.ndarray, np.ndarray]:
    x = fit.matrix(model.features, [v.model_inputs(c, on) for c, _, on in sales])
    return x, np.log([p for _, p, _ in sales])


@pytest.mark.parametrize("attribute", [*CHANGES, *(f"option:{o}" for o in OPTIONS)])
def test_every_attribute_of_a_dealer_model_changes_the_estimate(dealer_model, attribute: str) -> None:
    model = v.load_model(dealer_model[0])
    changed = json.loads(json.dumps(BASE_CAR))
    if attribute.startswith("option:"):
        option = attribute.split(":", 1)[1]
        changed["options"] = sorted(set(changed["options"]) ^ {option})
    else:
        changed[attribute] = CHANGES[attribute]
    before = v.estimate(model, v.model_inputs(BASE_CAR, ON))
    after = v.estimate(model, v.model_inputs(changed, ON))
    assert after.p50 != before.p50


def test_a_dealer_model_reads_every_attribute_of_a_vehicle(dealer_model) -> None:
    names = {f["name"] for f in dealer_model[0]["features"]}
    assert names == {*(k for k in CHANGES if k not in ("mileage", "first_registration")), "mileage_km", "age_months",
                     *(f"option:{o}" for o in OPTIONS)}
    from chalicelib.cars.schemas import VehicleIn
    from chalicelib.cars.valuations import attribute_of

    # every attribute a valuation takes (its unit aside) is read by a dealer model
    assert {attribute_of(n) for n in names} == set(VehicleIn.model_fields) - {"mileage_unit"}
    used = {row[0] for tree in dealer_model[0]["trees"] for row in tree["splits"]}
    assert used == set(range(len(names)))  # the trees split on every one of them


STARTER_CAR = {"make": "chevrolet", "body_type": "sedan", "mileage": 20_000, "mileage_unit": "mi", "cylinders": 4,
               "doors": 4, "options": []}
STARTER_CHANGES = {"make": "cadillac", "body_type": "convertible", "mileage": 45_000, "cylinders": 8, "doors": 2,
                   "option:cruise_control": None, "option:premium_sound": None, "option:leather": None}


@pytest.mark.parametrize("attribute", STARTER_CHANGES)
def test_every_attribute_of_the_starter_model_changes_the_estimate(starter, attribute: str) -> None:
    changed = {**STARTER_CAR}
    if attribute.startswith("option:"):
        changed["options"] = [attribute.split(":", 1)[1]]
    else:
        changed[attribute] = STARTER_CHANGES[attribute]
    before = v.estimate(starter, v.model_inputs(STARTER_CAR, ON))
    after = v.estimate(starter, v.model_inputs(changed, ON))
    assert after.p50 != before.p50
    assert {f.name for f in starter.features} == {*STARTER_CHANGES, "mileage_km"} - {"mileage"}


def test_a_make_the_model_never_saw_is_routed_as_missing_not_as_another_make(starter) -> None:
    known = [v.estimate(starter, v.model_inputs({**STARTER_CAR, "make": m}, ON)).p50
             for m in ("buick", "cadillac", "chevrolet", "pontiac", "saab", "saturn")]
    assert len(set(known)) == 6  # each make its own price
    assert v.encode(starter.features, v.model_inputs({**STARTER_CAR, "make": "Lada"}, ON))[0] != v.encode(
        starter.features, v.model_inputs(STARTER_CAR, ON))[0]


def test_factors_add_up_to_the_estimate_and_the_band_holds_it(starter) -> None:
    car = {**STARTER_CAR, "make": "saab", "options": ["leather", "premium_sound"]}
    e = v.estimate(starter, v.model_inputs(car, ON))
    assert e.p10 < e.p50 < e.p90 and e.currency == "USD"
    assert abs(e.base + sum(f.effect for f in e.factors) - e.p50) <= len(e.factors)  # each effect rounded to 1
    assert [abs(f.log_contribution) for f in e.factors] == sorted((abs(f.log_contribution) for f in e.factors),
                                                                  reverse=True)
    x = v.encode(starter.features, v.model_inputs(car, ON))
    total, base, contributions = v.raw_prediction(starter, x)
    assert math.isclose(base + sum(contributions), total, abs_tol=1e-9)
    assert e.p50 == Decimal(round(math.exp(total)))


def test_mileage_in_miles_is_converted_to_km() -> None:
    assert v.model_inputs({"mileage": 1000, "mileage_unit": "mi"}, ON)["mileage_km"] == pytest.approx(1609.344)
    assert v.model_inputs({"mileage": 1000, "mileage_unit": "km"}, ON)["mileage_km"] == 1000.0


def test_age_is_counted_in_whole_months_from_the_first_registration() -> None:
    assert v.age_in_months("2019-03", date(2026, 6, 1)) == 87
    assert v.age_in_months("2026-07", date(2026, 6, 1)) == 0


def test_an_estimate_takes_well_under_50_ms(starter) -> None:
    cars = [{**STARTER_CAR, "mileage": 1000 * k} for k in range(1, 101)]
    t0 = time.perf_counter()
    for car in cars:
        v.estimate(starter, v.model_inputs(car, ON))
    assert (time.perf_counter() - t0) / len(cars) < 0.050


def test_a_document_of_another_format_or_with_a_dangling_child_is_refused(starter) -> None:
    document = json.loads(STARTER.read_text())
    with pytest.raises(v.ModelError):
        v.load_model({**document, "format": "other"})
    broken = json.loads(STARTER.read_text())
    broken["trees"][0]["splits"][0][3] = 999
    with pytest.raises(v.ModelError):
        v.load_model(broken)


def test_an_unknown_number_every_training_car_had_reads_as_its_median_not_as_zero(starter) -> None:
    cylinders = next(f for f in starter.features if f.name == "cylinders")
    assert cylinders.fill == 6.0  # the median of the 804 cars
    unknown = v.estimate(starter, v.model_inputs({**STARTER_CAR, "cylinders": None}, ON))
    median = v.estimate(starter, v.model_inputs({**STARTER_CAR, "cylinders": 6}, ON))
    assert unknown.p50 == median.p50
