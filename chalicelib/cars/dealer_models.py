"""Dealer models: what the training job reads and writes, and what valuations read (issue 12, item 3).

Each sale adds 1 to the dealer's `DealerModel.sales` in the sale's own transaction and puts the dealer on
the training job's work list (sparse `by_training`, 4 shards): the job finds the dealers to train with one
Query per shard, never a Scan. A dealer is trained when it has at least MIN_SALES sales and more than
its current model learnt from. The trained document (the `tally-trees-1` JSON the API evaluates in pure
Python) goes to the private data bucket under `models/cars/<org>/<version>.json`; the DealerModel item
then names it (version, trained_at, n_sales), under a condition that an older model never replaces a newer.
"""
from __future__ import annotations

import json
from collections import Counter
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from pynamodb.expressions.update import Action

from ..core.aws import client
from ..core.db import find, update_if
from ..core.keys import org_pk
from ..core.settings import get_settings
from ..core.shards import JOB_SHARDS, shard_of
from .models import Car, DealerModel, Sale, car_key, dealer_model_key, model_object, training_keys
from .rules.valuation import TreeModel, load_model
from .schemas import VehicleIn

MIN_SALES = 30
"""A dealer's own model needs at least this many sales: with fewer, 5-fold out-of-fold errors (the band)
rest on 6 cars a fold and trees of at least 5 cars a leaf can split a few times only."""

SoldCar = tuple[dict[str, Any], Decimal, date]


def sale_tally(org_id: str) -> tuple[DealerModel, list[Action]]:
    """The update a sale's transaction makes: one more sale, and the dealer on the training work list."""
    shard_pk, shard_sk = training_keys(shard_of(org_id), org_id)
    return DealerModel(*dealer_model_key(org_id)), [
        DealerModel.sales.add(1), DealerModel.org_id.set(org_id), DealerModel.train_pk.set(shard_pk),
        DealerModel.train_sk.set(shard_sk)]


def due(min_sales: int = MIN_SALES) -> list[DealerModel]:
    """Dealers with at least `min_sales` sales and more than their model learnt from (one Query per shard)."""
    out = []
    for shard in range(JOB_SHARDS):
        for m in DealerModel.by_training.query(f"TRAIN#{shard}"):
            if int(m.sales or 0) >= min_sales and int(m.sales or 0) > int(m.n_sales or 0):
                out.append(m)
    return out


def vehicle_attributes(car: Car) -> dict[str, Any]:
    """A car's attributes as a valuation reads them (the vehicle's field names)."""
    attrs = {name: getattr(car, name) for name in VehicleIn.model_fields}
    attrs["options"] = [str(o) for o in attrs["options"] or []]
    return attrs


def sold_cars(org_id: str) -> tuple[list[SoldCar], str]:
    """The dealer's sales as (attributes, price, day sold) in its main currency, and that currency: one
    Query of its sales (SALE# prefix) and BatchGetItems of their cars."""
    sales = list(Sale.query(org_pk(org_id), Sale.sk.startswith("SALE#")))
    if not sales:
        return [], ""
    currency = Counter(s.currency for s in sales).most_common(1)[0][0]
    sales = [s for s in sales if s.currency == currency]
    cars = {c.id: c for c in Car.batch_get([car_key(org_id, s.car_id) for s in sales])}
    return [(vehicle_attributes(cars[s.car_id]), s.price, date.fromisoformat(s.sold_on))
            for s in sales if s.car_id in cars], currency


def record_model(org_id: str, document: dict[str, Any], n_sales: int) -> bool:
    """Store a trained document (private S3) and make it the dealer's model, unless a model of as many
    sales or more is there already (a concurrent or repeated run); True when it became the model."""
    version = str(document["version"])
    key = model_object(org_id, version)
    client("s3").put_object(Bucket=get_settings().bucket, Key=key, ContentType="application/json",
                            Body=json.dumps(document, separators=(",", ":")).encode())
    m = DealerModel(*dealer_model_key(org_id))
    return update_if(m, [DealerModel.version.set(version), DealerModel.trained_at.set(str(document["trained_at"])),
                         DealerModel.n_sales.set(n_sales), DealerModel.rows.set(int(document["rows"])),
                         DealerModel.currency.set(str(document["currency"])), DealerModel.object_key.set(key)],
                     DealerModel.n_sales.does_not_exist() | (DealerModel.n_sales < n_sales))


@lru_cache(maxsize=32)
def _document(key: str) -> TreeModel:
    """A dealer model, read from S3 once per container and version (a new version is a new key)."""
    body = client("s3").get_object(Bucket=get_settings().bucket, Key=key)["Body"].read()
    return load_model(json.loads(body))


def current(org_id: str) -> tuple[DealerModel, TreeModel] | None:
    """The dealer's own model, if it has one (one GetItem; the document cached per container)."""
    m = find(DealerModel, *dealer_model_key(org_id))
    if m is None or not m.object_key:
        return None
    return m, _document(m.object_key)
