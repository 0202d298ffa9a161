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

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
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


class CarsJobIndex(GlobalSecondaryIndex):
    """Sparse: AGING#<shard> / <due day>#<org>#<car>: the aging-stock job's work list (cars in stock)."""

    class Meta:
        index_name = "by_aging_due"
        projection = AllProjection()

    job_pk = UnicodeAttribute(hash_key=True)
    job_sk = UnicodeAttribute(range_key=True)


class CarsSearchIndex(GlobalSecondaryIndex):
    """Sparse: SEARCH#<make>#<model or *> / <sub>#<id>: the saved searches a car of that make can match."""

    class Meta:
        index_name = "by_search_make"
        projection = AllProjection()

    search_pk = UnicodeAttribute(hash_key=True)
    search_sk = UnicodeAttribute(range_key=True)


class CarsListedIndex(GlobalSecondaryIndex):
    """Sparse: LISTED / <listed_at>#<car>: the public listing's newest cards, across dealers."""

    class Meta:
        index_name = "by_listed"
        projection = AllProjection()

    listed_pk = UnicodeAttribute(hash_key=True)
    listed_sk = UnicodeAttribute(range_key=True)


class CarsTable(Model):
    class Meta(BaseMeta):
        table_name = _s.cars_table
        stream_view_type = "NEW_AND_OLD_IMAGES"  # the listing, trends, aging watch and saved searches (reactions)

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    job_pk = UnicodeAttribute(null=True)
    job_sk = UnicodeAttribute(null=True)
    search_pk = UnicodeAttribute(null=True)
    search_sk = UnicodeAttribute(null=True)
    listed_pk = UnicodeAttribute(null=True)
    listed_sk = UnicodeAttribute(null=True)
    by_aging_due = CarsJobIndex()
    by_search_make = CarsSearchIndex()
    by_listed = CarsListedIndex()


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
    public = BooleanAttribute(default=False)  # shown in the public listing while in stock or reserved
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


# ------------------------------------------------------- listing, trends, aging, saved searches (issue 12, 2 and 4)
def listing_key(make_key: str, model_key: str, car_id: str) -> tuple[str, str]:
    return f"LISTING#{make_key}", f"{model_key}#{car_id}"


class ListingCard(CarsTable):
    """pk LISTING#<make key>, sk <model key>#<car>: a public car's card (public fields only), kept by the
    cars stream while the car is listed; by_listed: LISTED / <listed_at>#<car>. A make's cards are one Query,
    a model's a begins_with on it; the stream rebuilds that make's S3 shards from them."""

    car_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    card = UnicodeAttribute()  # the card's JSON, exactly as published
    listed_at = UnicodeAttribute()


INDEX_PK = "LISTING#INDEX"


class MakeSummary(CarsTable):
    """pk LISTING#INDEX, sk <make key>: a make's name, count and models as last published (the top index's
    rows: one Query of this partition, as many items as there are makes)."""

    summary = UnicodeAttribute()
    hashes = UnicodeAttribute(null=True)  # {path: fingerprint} of the pages published: only changed ones are put


class CarSettings(CarsTable):
    """pk ORG#o, sk CARSETTINGS: when the dealer hears about aging stock."""

    aging_days = NumberAttribute(default=60)
    estimate_gap = DecimalAttribute()  # a share, e.g. 0.10: the estimate 10 % or more below the asking price
    version = VersionAttribute()
    updated_at = UnicodeAttribute(null=True)


def settings_key(org_id: str) -> tuple[str, str]:
    return org_pk(org_id), "CARSETTINGS"


class AgingWatch(CarsTable):
    """pk ORG#o, sk AGING#<car>: exists while the car is in stock or reserved (written by the stream);
    by_aging_due: AGING#<shard> / <due day>#<org>#<car>, the next day the job looks at it."""

    car_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    listed_on = UnicodeAttribute()
    fired = ListAttribute(of=UnicodeAttribute, default=list)  # rules already emailed: days, estimate


def watch_key(org_id: str, car_id: str) -> tuple[str, str]:
    return org_pk(org_id), f"AGING#{car_id}"


class SavedSearch(CarsTable):
    """pk USER#sub, sk CARSEARCH#<id>; by_search_make: SEARCH#<make>#<model or *> / <sub>#<id>."""

    id = UnicodeAttribute()
    sub = UnicodeAttribute()
    email = UnicodeAttribute()
    name = UnicodeAttribute(default="")
    filters = UnicodeAttribute()  # the listing filters' JSON
    token = UnicodeAttribute()  # the unsubscribe link's proof (random, per search)
    created_at = UnicodeAttribute()


def search_key(sub: str, search_id: str) -> tuple[str, str]:
    return f"USER#{sub}", f"CARSEARCH#{search_id}"


class DemandEvent(CarsTable):
    """pk ORG#o, sk DEMAND#<kind>#<client id>: one view (kept 3 days, TTL) or enquiry of a listed car;
    the stream counts it into the week's demand rollup once."""

    id = UnicodeAttribute()
    kind = UnicodeAttribute()  # view, enquiry
    org_id = UnicodeAttribute()
    car_id = UnicodeAttribute()
    make = UnicodeAttribute()
    model = UnicodeAttribute()
    at = UnicodeAttribute()
    name = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    message = UnicodeAttribute(null=True)
    expires = TTLAttribute(null=True)


def demand_key(org_id: str, kind: str, event_id: str) -> tuple[str, str]:
    return org_pk(org_id), f"DEMAND#{kind}#{event_id}"
