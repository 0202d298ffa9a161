"""The cars table: everything of one dealer (organisation) under pk ORG#<org_id>.

| item | sk | what |
|---|---|---|
| Car | `CAR#<id>` | a vehicle in the dealer's stock, its attributes, status, sale |
| VinClaim | `VIN#<VIN>` | exists while a car of the dealer holds that VIN (written with the car) |
| Sale | `SALE#<client id>` | a recorded sale: written once per client id, with the car's move to sold |
| PhotoSlot | `PHOTO#<id>` | a photo upload granted (presigned POST), until the car takes it |

The dealer's cars are one Query on the `CAR#` prefix; a car, its VIN claim and its sale are single
GetItems. No index yet: the public listing (issue 12, item 2) will add its own.
"""
from __future__ import annotations

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.models import Model

from ..core.attributes import DecimalAttribute
from ..core.keys import org_pk
from ..core.models import BaseMeta
from ..core.settings import get_settings

_s = get_settings()


def car_key(org_id: str, car_id: str) -> tuple[str, str]:
    return org_pk(org_id), f"CAR#{car_id}"


def vin_key(org_id: str, vin: str) -> tuple[str, str]:
    return org_pk(org_id), f"VIN#{vin.upper()}"


def sale_key(org_id: str, sale_id: str) -> tuple[str, str]:
    return org_pk(org_id), f"SALE#{sale_id}"


class CarsTable(Model):
    class Meta(BaseMeta):
        table_name = _s.cars_table

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class Car(CarsTable):
    """pk ORG#o, sk CAR#<id>. Every change is conditional on `version` (the one the editor read)."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    vin = UnicodeAttribute()
    make = UnicodeAttribute()
    model = UnicodeAttribute()
    trim = UnicodeAttribute(default="")
    body_type = UnicodeAttribute()
    first_registration = UnicodeAttribute()  # YYYY-MM
    mileage = NumberAttribute()
    mileage_unit = UnicodeAttribute()
    fuel = UnicodeAttribute()
    gearbox = UnicodeAttribute()
    drive = UnicodeAttribute(null=True)
    engine_litres = DecimalAttribute(null=True)
    cylinders = NumberAttribute(null=True)
    power_kw = NumberAttribute(null=True)
    doors = NumberAttribute(null=True)
    seats = NumberAttribute(null=True)
    colour = UnicodeAttribute(default="")
    previous_owners = NumberAttribute(null=True)
    damage = UnicodeAttribute()
    options = ListAttribute(of=UnicodeAttribute, default=list)
    condition = UnicodeAttribute()
    asking_price = DecimalAttribute()
    currency = UnicodeAttribute()
    location = UnicodeAttribute(default="")
    photos = ListAttribute(of=UnicodeAttribute, default=list)  # uploaded photos' names, `<id>.<ext>`, in order
    status = UnicodeAttribute(default="in_stock")
    sale_id = UnicodeAttribute(null=True)
    sold_price = DecimalAttribute(null=True)
    sold_on = UnicodeAttribute(null=True)
    delivered_on = UnicodeAttribute(null=True)
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class VinClaim(CarsTable):
    """pk ORG#o, sk VIN#<VIN>: one car per VIN in a dealer's stock."""

    car_id = UnicodeAttribute()


class Sale(CarsTable):
    """pk ORG#o, sk SALE#<client id>: a sale, recorded once; a replay finds it and changes nothing."""

    id = UnicodeAttribute()
    car_id = UnicodeAttribute()
    price = DecimalAttribute()
    currency = UnicodeAttribute()
    sold_on = UnicodeAttribute()
    request_hash = UnicodeAttribute()
    recorded_by = UnicodeAttribute()
    recorded_at = UnicodeAttribute()


class PhotoSlot(CarsTable):
    """pk ORG#o, sk PHOTO#<id>: an upload the API granted for a car (type fixed), confirmed by the car taking it."""

    id = UnicodeAttribute()
    car_id = UnicodeAttribute()
    name = UnicodeAttribute()  # <id>.<ext>
    content_type = UnicodeAttribute()
    created_at = UnicodeAttribute()


def photo_key(org_id: str, photo_id: str) -> tuple[str, str]:
    return org_pk(org_id), f"PHOTO#{photo_id}"


def photo_object(org_id: str, car_id: str, name: str) -> str:
    """The S3 key of a car's photo in the (private) data bucket."""
    return f"photos/cars/{org_id}/{car_id}/{name}"
