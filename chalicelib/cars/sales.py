"""Sales: a car sold once, recorded once per client-chosen sale id.

The Sale item (`attribute_not_exists`) and the car's move to sold (at the version read, from in
stock or reserved) are one transaction: a retried request finds its sale and changes nothing (200
with the same answer), a different body under the same id is 409 `sale_id`, and a car already sold
under another id is 409 `car_id`.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date

from pynamodb.exceptions import TransactWriteError

from ..core import clock
from ..core.db import find, transact
from ..core.errors import Conflict, InvalidInput, TallyError
from ..core.money import fmt, parse_amount
from .dealer_models import sale_tally
from .models import Car, Sale, sale_key
from .schemas import CarSaleIn, CarSaleOut
from .vehicles import car_out, get_car, today

SELLABLE = ("in_stock", "reserved")


def _hash(data: CarSaleIn) -> str:
    return hashlib.sha256(json.dumps(data.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


def _sold_on(data: CarSaleIn) -> str:
    if data.sold_on is None:
        return today().isoformat()
    try:
        day = date.fromisoformat(data.sold_on)
    except ValueError:
        raise InvalidInput("not a calendar date", field="sold_on") from None
    if day > today():
        raise InvalidInput("a sale date cannot be in the future", field="sold_on")
    return day.isoformat()


def _replay(org_id: str, sale: Sale, request_hash: str) -> tuple[Sale, Car]:
    if sale.request_hash != request_hash:
        raise Conflict("this sale id was used for another sale", field="sale_id")
    return sale, get_car(org_id, sale.car_id)


def record_sale(org_id: str, sale_id: str, data: CarSaleIn, recorded_by: str) -> tuple[Sale, Car, bool]:
    """(sale, car, whether it was recorded now): False for a replay of the same request."""
    request_hash = _hash(data)
    existing = find(Sale, *sale_key(org_id, sale_id))
    if existing is not None:
        return (*_replay(org_id, existing, request_hash), False)
    car = get_car(org_id, data.car_id)
    if car.status not in SELLABLE:
        raise Conflict(f"the car is {car.status.replace('_', ' ')}", field="car_id")
    price = parse_amount(data.price, car.currency, "price")
    sold_on, now = _sold_on(data), clock.iso_now()
    sale = Sale(*sale_key(org_id, sale_id), id=sale_id, car_id=car.id, price=price, currency=car.currency,
                sold_on=sold_on, request_hash=request_hash, recorded_by=recorded_by, recorded_at=now)
    version = car.version
    car.status, car.sale_id, car.sold_price, car.sold_on = "sold", sale_id, price, sold_on
    car.version, car.updated_at = version + 1, now

    def refused(failed: list[int]) -> TallyError | None:
        if 0 in failed:
            return None  # the same id recorded meanwhile: answered as a replay below
        return Conflict("the car changed since it was read; it may be sold", field="car_id")

    try:
        with transact(otherwise=refused) as tx:
            tx.save(sale, condition=Sale.pk.does_not_exist())
            tx.save(car, condition=(Car.version == version) & Car.status.is_in(*SELLABLE))
            tally, actions = sale_tally(org_id)  # the dealer's sales count, for its own valuation model
            tx.update(tally, actions=actions)
    except TransactWriteError:
        concurrent = find(Sale, *sale_key(org_id, sale_id))
        if concurrent is None:  # collided with another transaction on the car
            raise Conflict("the car changed since it was read; it may be sold", field="car_id") from None
        return (*_replay(org_id, concurrent, request_hash), False)
    return sale, car, True


def sale_out(sale: Sale, car: Car) -> CarSaleOut:
    return CarSaleOut(id=sale.id, car_id=sale.car_id, price=fmt(sale.price, sale.currency), currency=sale.currency,
                      sold_on=sale.sold_on, recorded_at=sale.recorded_at, car=car_out(car))
