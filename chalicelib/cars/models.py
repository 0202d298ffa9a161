"""The cars table: everything of one dealer (organisation) under pk ORG#<org_id>.

| item | sk | what |
|---|---|---|
| Car | `CAR#<id>` | a vehicle in the dealer's stock, its attributes, status, sale |
| VinClaim | `VIN#<VIN>` | exists while a car of the dealer holds that VIN (written with the car) |
| Sale | `SALE#<client id>` | a recorded sale: written once per client id, with the car's move to sold |
| PhotoSlot | `PHOTO#<id>` | a photo upload granted (presigned POST), until the car takes it |
| BookingLocation | `BOOKLOC#<id>` | where bookings are taken: hours, closed dates, slot length |
| SlotClaim | `SLOT#<location>#<start>#<kind>` | a slot taken by a confirmed booking |
| Booking | `BOOKING#<id>` | a test drive or service appointment (sparse `by_reminder` while its reminder is due) |
| Enquiry | `ENQUIRY#<id>` | a question from a car's page |
| DealerModel | `DEALER_MODEL` | the sales count and the dealer's trained model (sparse `by_training`) |

The dealer's cars are one Query on the `CAR#` prefix; a car, its VIN claim and its sale are single
GetItems. A location's slots of a day are one Query between two `SLOT#` keys (docs/cars.md).
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
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


class ReminderIndex(GlobalSecondaryIndex):
    """Sparse: a confirmed booking whose reminder is still to send, REMIND#<shard> / <due>#<org>#<id>."""

    class Meta:
        index_name = "by_reminder"
        projection = AllProjection()

    remind_pk = UnicodeAttribute(hash_key=True)
    remind_sk = UnicodeAttribute(range_key=True)


class TrainingIndex(GlobalSecondaryIndex):
    """Sparse: one entry per dealer with sales, TRAIN#<shard> / <org>: the training job's work list."""

    class Meta:
        index_name = "by_training"
        projection = AllProjection()

    train_pk = UnicodeAttribute(hash_key=True)
    train_sk = UnicodeAttribute(range_key=True)


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
    # bookings and the dealer models (issue 12, items 5 and 3)
    remind_pk = UnicodeAttribute(null=True)
    remind_sk = UnicodeAttribute(null=True)
    by_reminder = ReminderIndex()
    train_pk = UnicodeAttribute(null=True)
    train_sk = UnicodeAttribute(null=True)
    by_training = TrainingIndex()
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


# ----------------------------------------------------------------- bookings (issue 12, item 5)
def location_key(org_id: str, location_id: str) -> tuple[str, str]:
    return org_pk(org_id), f"BOOKLOC#{location_id}"


def slot_key(org_id: str, location_id: str, start: str, kind: str) -> tuple[str, str]:
    """A slot's claim: the local day's slots of a location are one Query between two starts."""
    return org_pk(org_id), f"SLOT#{location_id}#{start}#{kind}"


def slot_prefix(location_id: str, start: str) -> str:
    return f"SLOT#{location_id}#{start}"


def booking_key(org_id: str, booking_id: str) -> tuple[str, str]:
    return org_pk(org_id), f"BOOKING#{booking_id}"


def enquiry_key(org_id: str, enquiry_id: str) -> tuple[str, str]:
    return org_pk(org_id), f"ENQUIRY#{enquiry_id}"


def reminder_keys(shard: int, due: str, org_id: str, booking_id: str) -> tuple[str, str]:
    return f"REMIND#{shard}", f"{due}#{org_id}#{booking_id}"


class BookingLocation(CarsTable):
    """pk ORG#o, sk BOOKLOC#<id>: where test drives and services are booked, and when it is open."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    name = UnicodeAttribute()
    address = UnicodeAttribute(default="")
    time_zone = UnicodeAttribute()
    slot_minutes = NumberAttribute()
    kinds = ListAttribute(of=UnicodeAttribute, default=list)  # test_drive, service
    hours: MapAttribute[str, Any] = MapAttribute(default=dict)  # mon..sun → [[open, close], ...]
    closed = ListAttribute(of=UnicodeAttribute, default=list)  # YYYY-MM-DD
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class SlotClaim(CarsTable):
    """pk ORG#o, sk SLOT#<location>#<start>#<kind>: exists while a confirmed booking holds the slot.
    Written with the booking under `attribute_not_exists`: one booking per slot, whatever arrives at once."""

    booking_id = UnicodeAttribute()
    location_id = UnicodeAttribute()
    start = UnicodeAttribute()
    booking_kind = UnicodeAttribute()


class Booking(CarsTable):
    """pk ORG#o, sk BOOKING#<id>: a test drive or service appointment. `kind` is "booking" (the record
    kind the cars stream's trends roll up, with make and model copied from the car); `booking_kind` is
    test_drive or service. remind_pk/sk are set while the reminder is due (sparse `by_reminder`)."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    kind = UnicodeAttribute(default="booking")
    booking_kind = UnicodeAttribute()
    location_id = UnicodeAttribute()
    start = UnicodeAttribute()  # UTC, 2026-12-03T09:00:00Z
    end = UnicodeAttribute()
    car_id = UnicodeAttribute(null=True)
    make = UnicodeAttribute(null=True)
    model = UnicodeAttribute(null=True)
    customer_name = UnicodeAttribute()
    customer_email = UnicodeAttribute()
    customer_phone = UnicodeAttribute(default="")
    customer_sub = UnicodeAttribute(null=True)  # signed in; None for an anonymous booking
    note = UnicodeAttribute(default="")
    status = UnicodeAttribute(default="confirmed")
    cancel_token = UnicodeAttribute()  # random, in the emailed cancel link
    cancelled_by = UnicodeAttribute(null=True)  # customer | staff
    cancelled_at = UnicodeAttribute(null=True)
    remind_at = UnicodeAttribute(null=True)
    reminded_at = UnicodeAttribute(null=True)
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class Enquiry(CarsTable):
    """pk ORG#o, sk ENQUIRY#<id>: a question from a car's page; `kind` "enquiry" for the trends rollups.
    `routed` says where it went: helpdesk (ticket `ticket_id`, linked to the car) or email (the dealer)."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    kind = UnicodeAttribute(default="enquiry")
    car_id = UnicodeAttribute()
    make = UnicodeAttribute()
    model = UnicodeAttribute()
    customer_name = UnicodeAttribute()
    customer_email = UnicodeAttribute()
    customer_sub = UnicodeAttribute(null=True)
    message = UnicodeAttribute()
    routed = UnicodeAttribute()
    ticket_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()


# ----------------------------------------------------------------- dealer models (issue 12, item 3)
def dealer_model_key(org_id: str) -> tuple[str, str]:
    return org_pk(org_id), "DEALER_MODEL"


def training_keys(shard: int, org_id: str) -> tuple[str, str]:
    return f"TRAIN#{shard}", org_id


def model_object(org_id: str, version: str) -> str:
    """The S3 key of a dealer model's document in the (private) data bucket."""
    return f"models/cars/{org_id}/{version}.json"


class DealerModel(CarsTable):
    """pk ORG#o, sk DEALER_MODEL: the dealer's sales count (+1 in each sale's transaction) and, once
    trained, the model the valuations use: version, trained_at, n_sales and its S3 object. train_pk/sk put
    every dealer with sales on the training job's work list."""

    org_id = UnicodeAttribute()
    sales = NumberAttribute(default=0)
    version = UnicodeAttribute(null=True)
    trained_at = UnicodeAttribute(null=True)
    n_sales = NumberAttribute(null=True)  # the sales the current model learnt from
    rows = NumberAttribute(null=True)
    currency = UnicodeAttribute(null=True)
    object_key = UnicodeAttribute(null=True)


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
