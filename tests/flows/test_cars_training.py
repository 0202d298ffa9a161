"""The dealer-model training job (training/cars/job.py) with the real LightGBM trainer on a handful of
synthetic sales: no model below MIN_SALES, a model once the dealer has enough, stored privately in S3
and named by the valuations; nothing retrained without new sales."""
from __future__ import annotations

import json
import random
import uuid
from datetime import datetime, timezone

import pytest

from tests.mocked import sign_up

MAKES = {"volkswagen": ("golf", 21000), "toyota": ("corolla", 19000), "bmw": ("320i", 29000)}


def _car(i: int, rng: random.Random) -> tuple[dict, str]:
    make = list(MAKES)[i % 3]
    model, base = MAKES[make]
    year, mileage = rng.randint(2014, 2023), rng.randint(5, 180) * 1000
    price = base * (0.93 ** (2025 - year)) - mileage * 0.04 + (1500 if i % 2 else 0)
    car = {"vin": f"WVWZZZ1JZ3W{i:06d}", "make": make, "model": model, "body_type": "hatchback",
           "first_registration": f"{year}-06", "mileage": mileage, "fuel": "petrol", "gearbox": "manual",
           "asking_price": f"{price * 1.1:.2f}", "currency": "EUR", "options": ["navigation"] if i % 2 else []}
    return car, f"{price:.2f}"


@pytest.fixture
def dealer(client, alice):
    from chalicelib.core import clock

    clock.set_now(datetime(2026, 11, 30, 3, 0, tzinfo=timezone.utc))
    oid = alice.post("/orgs", {"name": "Autohaus"})[1]["org_id"]
    staff = sign_up(client, "staff")
    assert alice.put(f"/orgs/{oid}/members/{staff.sub}", {"role": "staff"})[0] == 200
    return oid, alice, staff


def _sell(oid, who, n: int, start: int = 0) -> None:
    rng = random.Random(start)
    for i in range(start, start + n):
        car, price = _car(i, rng)
        status, out = who.post(f"/orgs/{oid}/cars", car)
        assert status == 201, out
        status, out = who.put(f"/orgs/{oid}/sales/{uuid.uuid4()}", {"car_id": out["id"], "price": price})
        assert status == 201, out


QUERY = {"make": "volkswagen", "model": "golf", "first_registration": "2019-06", "mileage": 60000,
         "body_type": "hatchback", "fuel": "petrol", "gearbox": "manual"}


def test_a_dealer_with_enough_sales_gets_its_own_model_and_valuations_name_it(dealer, aws):
    from chalicelib.cars.dealer_models import MIN_SALES
    from chalicelib.core.aws import client as aws_client
    from chalicelib.core.settings import get_settings
    from training.cars.job import run

    oid, owner, staff = dealer
    _sell(oid, owner, MIN_SALES - 1)
    assert run()["trained"] == []  # one sale short
    assert staff.post(f"/orgs/{oid}/valuations", QUERY)[1]["model"]["name"] == "starter"

    _sell(oid, owner, 1, start=MIN_SALES - 1)
    result = run()
    assert result["trained"] == [oid] and result["failed"] == []
    status, v = staff.post(f"/orgs/{oid}/valuations", QUERY)
    assert status == 200, v
    model = v["model"]
    assert model["name"] == "dealer" and model["own_sales"] == MIN_SALES and model["rows"] == MIN_SALES
    assert model["version"].startswith(f"dealer-{MIN_SALES}-") and model["trained_at"] == "2026-11-30T03:00:00Z"
    assert v["currency"] == "EUR" and "model" in model["reads"] and "mileage" in model["reads"]
    assert float(v["p10"]) < float(v["p50"]) < float(v["p90"])
    # it learnt this dealer's prices: a 2019 Golf with 60,000 km sold for about 21000·0.93⁶ − 2400 ≈ 11,100
    assert 7000 < float(v["p50"]) < 16000

    s3 = aws_client("s3")
    key = f"models/cars/{oid}/{model['version']}.json"
    document = json.loads(s3.get_object(Bucket=get_settings().bucket, Key=key)["Body"].read())
    assert document["format"] == "tally-trees-1" and document["rows"] == MIN_SALES

    assert run()["trained"] == []  # no new sale: nothing to retrain
    _sell(oid, owner, 1, start=MIN_SALES)
    assert run()["trained"] == [oid]
    assert staff.post(f"/orgs/{oid}/valuations", QUERY)[1]["model"]["own_sales"] == MIN_SALES + 1


def test_an_older_model_never_replaces_a_newer_one(dealer, aws):
    from chalicelib.cars import dealer_models
    from chalicelib.cars.models import DealerModel, dealer_model_key

    oid, _, _ = dealer
    doc = {"version": "dealer-40-x", "trained_at": "2026-11-30T03:00:00Z", "rows": 40, "currency": "EUR"}
    assert dealer_models.record_model(oid, doc, 40) is True
    assert dealer_models.record_model(oid, {**doc, "version": "dealer-35-x", "rows": 35}, 35) is False
    assert DealerModel.get(*dealer_model_key(oid)).version == "dealer-40-x"
