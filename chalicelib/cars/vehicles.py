"""The dealer's stock: cars with their attributes, VIN unique per dealer, status moves.

A car and its VinClaim are written in one transaction, so two cars of a dealer can never share a
VIN, even when created at the same moment. Every edit and status move is conditional on the version
the editor read (409 with the current car otherwise).
"""
from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Any

from pynamodb.exceptions import TransactWriteError

from ..core import clock
from ..core.aws import client
from ..core.db import find, get_or, transact, update_if
from ..core.errors import Conflict, InvalidInput, NotFound, TallyError
from ..core.keys import org_pk
from ..core.money import fmt, parse_amount
from .models import Car, VinClaim, car_key, photo_object, vin_key
from .rules.vehicles import OPTIONS, can_move
from ..core.settings import get_settings
from .schemas import CarIn, CarOut, CarPhotoOut, CarsOut, CarStatusIn


def today() -> date:
    return clock.now().date()


def check_registration(first_registration: str, on: date) -> None:
    """A first registration (YYYY-MM) in the future is refused, naming the field."""
    year, month = (int(p) for p in first_registration.split("-"))
    if (year, month) > (on.year, on.month):
        raise InvalidInput("first registration is in the future", field="first_registration")


def vehicle_fields(data: CarIn) -> dict[str, Any]:
    """A car's stored fields from its body: the price in its currency's decimals, options once each."""
    fields = data.model_dump(exclude={"version"})
    fields["asking_price"] = parse_amount(data.asking_price, data.currency, "asking_price")
    fields["engine_litres"] = Decimal(data.engine_litres) if data.engine_litres else None
    fields["options"] = [o for o in OPTIONS if o in set(data.options)]
    return fields


def get_car(org_id: str, car_id: str, field: str = "car_id") -> Car:
    return get_or(Car, *car_key(org_id, car_id), missing=lambda: NotFound("no such car", field=field))


def _claim(org_id: str, vin: str, car_id: str) -> VinClaim:
    return VinClaim(*vin_key(org_id, vin), car_id=car_id)


def _vin_taken(vin: str) -> Conflict:
    return Conflict(f"another car of this dealer has the VIN {vin}", field="vin")


def create_car(org_id: str, data: CarIn) -> Car:
    check_registration(data.first_registration, today())
    car_id, now = str(uuid.uuid4()), clock.iso_now()
    car = Car(*car_key(org_id, car_id), id=car_id, org_id=org_id, status="in_stock", version=1, created_at=now,
              updated_at=now, **vehicle_fields(data))
    with transact(otherwise=lambda failed: _vin_taken(data.vin) if 1 in failed else None) as tx:
        tx.save(car, condition=Car.pk.does_not_exist())
        tx.save(_claim(org_id, data.vin, car_id), condition=VinClaim.pk.does_not_exist())
    return car


def update_car(org_id: str, car_id: str, data: CarIn) -> Car:
    """Replace a car's attributes under the version read; a new VIN moves its claim in the same transaction."""
    car = get_car(org_id, car_id)
    if data.version is None:
        raise InvalidInput("send the version you read", field="version")

    def changed() -> Conflict:
        current = car_out(get_car(org_id, car_id))
        return Conflict("the car changed since you read it", field="version",
                        extra={"current": current.model_dump(mode="json")})

    if data.version != car.version:
        raise changed()
    check_registration(data.first_registration, today())
    old_vin = car.vin
    for k, v in vehicle_fields(data).items():
        setattr(car, k, v)
    car.version, car.updated_at = car.version + 1, clock.iso_now()

    def refused(failed: list[int]) -> TallyError:
        # the claim itself says whether the VIN is taken (a concurrent edit may have freed it since)
        claim = find(VinClaim, *vin_key(org_id, data.vin))
        return _vin_taken(data.vin) if claim is not None and claim.car_id != car_id else changed()

    try:
        with transact(otherwise=refused) as tx:
            tx.save(car, condition=Car.version == data.version)
            if old_vin != data.vin:
                tx.save(_claim(org_id, data.vin, car_id), condition=VinClaim.pk.does_not_exist())
                tx.delete(_claim(org_id, old_vin, car_id))
    except TransactWriteError:  # cancelled by a concurrent transaction on the car
        raise changed() from None
    return car


def set_status(org_id: str, car_id: str, data: CarStatusIn) -> Car:
    """Reserve, release or deliver a car (a sale is `sales.record_sale`), at the version read."""
    car = get_car(org_id, car_id)
    if data.version != car.version:
        raise Conflict("the car changed since you read it", field="version",
                       extra={"current": car_out(car).model_dump(mode="json")})
    if not can_move(car.status, data.status):
        raise Conflict(f"a car that is {car.status.replace('_', ' ')} cannot become "
                       f"{data.status.replace('_', ' ')}", field="status")
    actions = [Car.status.set(data.status), Car.version.set(car.version + 1), Car.updated_at.set(clock.iso_now())]
    if data.status == "delivered":
        actions.append(Car.delivered_on.set(today().isoformat()))
    update_if(car, actions, Car.version == data.version,
              otherwise=lambda: Conflict("the car changed since you read it", field="version"))
    return car


def cars(org_id: str) -> CarsOut:
    """The dealer's cars, newest first (one Query on the CAR# prefix)."""
    rows = sorted(Car.query(org_pk(org_id), Car.sk.startswith("CAR#")), key=lambda c: c.created_at, reverse=True)
    return CarsOut(items=[car_out(c) for c in rows])


def _int(v: Any) -> int | None:
    return None if v is None else int(v)


def photo_urls(org_id: str, car_id: str, names: list[str]) -> list[CarPhotoOut]:
    """Presigned GET URLs of a car's photos (signed here: no call to S3)."""
    if not names:
        return []
    s3, s = client("s3"), get_settings()
    return [CarPhotoOut(id=name.split(".", 1)[0],
                        url=s3.generate_presigned_url("get_object", ExpiresIn=s.presign_seconds, Params={
                            "Bucket": s.bucket, "Key": photo_object(org_id, car_id, name)}))
            for name in names]


def car_out(c: Car) -> CarOut:
    return CarOut(
        id=c.id, vin=c.vin, make=c.make, model=c.model, trim=c.trim, body_type=c.body_type,
        first_registration=c.first_registration, mileage=int(c.mileage), mileage_unit=c.mileage_unit, fuel=c.fuel,
        gearbox=c.gearbox, drive=c.drive, engine_litres=None if c.engine_litres is None else str(c.engine_litres),
        cylinders=_int(c.cylinders), power_kw=_int(c.power_kw), doors=_int(c.doors), seats=_int(c.seats),
        colour=c.colour, previous_owners=_int(c.previous_owners), damage=c.damage, options=[str(o) for o in c.options or []],
        condition=c.condition, asking_price=fmt(c.asking_price, c.currency), currency=c.currency, location=c.location,
        photos=photo_urls(c.org_id, c.id, [str(p) for p in c.photos or []]), status=c.status,
        public=bool(c.public), sale_id=c.sale_id,
        sold_price=None if c.sold_price is None else fmt(c.sold_price, c.currency),
        sold_on=c.sold_on, delivered_on=c.delivered_on, version=int(c.version), created_at=c.created_at,
        updated_at=c.updated_at)
