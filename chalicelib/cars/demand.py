"""Demand from the public listing: a car page's view, written once per client-chosen id as a DemandEvent
(an enquiry is the Enquiry item the enquiries service writes); the cars stream counts it into the week's demand rollup
(rules.trends), so a request never updates a shared counter."""
from __future__ import annotations

from datetime import timedelta

from ..core import clock
from ..core.db import find, put_if_new
from ..core.errors import NotFound
from .models import Car, DemandEvent, car_key, demand_key
from .rules.listing import is_listed
from .schemas import CarDemandOut, CarViewIn

VIEW_KEPT = timedelta(days=3)  # long enough for the stream (24 h) and a retry; the TTL then deletes it


def listed_car(org_id: str, car_id: str) -> Car:
    """The car if it is in the public listing; else 404 naming `car_id` (a private or sold car is not there)."""
    car = find(Car, *car_key(org_id, car_id))
    if car is None or not is_listed({"sk": car.sk, "public": car.public, "status": car.status}):
        raise NotFound("no such car in the listing", field="car_id")
    return car


def _record(car: Car, kind: str, event_id: str, **extra: object) -> CarDemandOut:
    now = clock.now()
    event = DemandEvent(*demand_key(car.org_id, kind, event_id), id=event_id, kind=kind, org_id=car.org_id,
                        car_id=car.id, make=car.make, model=car.model, at=now.isoformat(), **extra)  # type: ignore[arg-type]
    return CarDemandOut(recorded=put_if_new(event))


def record_view(org_id: str, car_id: str, data: CarViewIn) -> CarDemandOut:
    car = listed_car(org_id, car_id)
    return _record(car, "view", data.view_id, expires=clock.now() + VIEW_KEPT)
