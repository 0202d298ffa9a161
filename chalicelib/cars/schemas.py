"""Cars' request bodies and response models (the OpenAPI document is built from them).

Every vocabulary (body types, fuels, options…) is the pure rules' own list, written into the
document as a pattern, so what the document allows and what the API takes are the same. Money is a
string ("12500.00"); mileage, power and counts are integers; engine size is a string in litres ("1.6").
"""
from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator

from ..core.schemas import (
    UNIQUE,
    UUID_PATTERN,
    CurrencyCode,
    EmailStr,
    Items,
    Out,
    Query,
    Strict,
    check_time_zone,
    each_once,
    list_time_zones,
)
from .rules.bookings import BOOKING_KINDS, HOUR_PATTERN, WEEKDAYS
from .rules.vehicles import (
    BODY_TYPES,
    CONDITIONS,
    DAMAGE,
    DRIVES,
    FUELS,
    GEARBOXES,
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    MILEAGE_UNITS,
    OPTIONS,
    PHOTO_TYPES,
    VIN_PATTERN,
    InvalidVin,
    check_vin,
)


def _one_of(values: tuple[str, ...]) -> str:
    return "^(" + "|".join(values) + ")$"


MONEY_PATTERN = r"^(?:[1-9]\d{0,8}(?:\.\d{1,2})?|0\.(?:[1-9]\d?|0[1-9]))$"  # more than 0, below 10**9
LITRES_PATTERN = r"^(?:0\.[1-9]|[1-9](?:\.\d)?|1\d(?:\.\d)?)$"  # 0.1 to 19.9
MONTH_PATTERN = r"^(?:19\d\d|20\d\d)-(?:0[1-9]|1[0-2])$"
DAY_PATTERN = r"^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$"

Money = Annotated[str, Field(pattern=MONEY_PATTERN, description="an amount such as \"12500.00\"")]
Text = Annotated[str, Field(min_length=1, max_length=60)]
BodyType = Annotated[str, Field(pattern=_one_of(BODY_TYPES))]
Fuel = Annotated[str, Field(pattern=_one_of(FUELS))]
Gearbox = Annotated[str, Field(pattern=_one_of(GEARBOXES))]
Drive = Annotated[str, Field(pattern=_one_of(DRIVES))]
Condition = Annotated[str, Field(pattern=_one_of(CONDITIONS), description="condition grade")]
Damage = Annotated[str, Field(pattern=_one_of(DAMAGE), description="accident damage: none, repaired, unrepaired")]
MileageUnit = Annotated[str, Field(pattern=_one_of(MILEAGE_UNITS))]
Option = Annotated[str, Field(pattern=_one_of(OPTIONS))]
Month = Annotated[str, Field(pattern=MONTH_PATTERN, description="year and month of first registration, YYYY-MM; "
                                                                "not in the future")]
Mileage = Annotated[int, Field(ge=0, le=2_000_000)]


class VehicleIn(Strict):
    """The attributes of a vehicle that a valuation reads; every one may be left out but make, model,
    first registration and mileage (the model reads a missing one as unknown)."""

    make: Text
    model: Text
    trim: Annotated[str, Field(max_length=60)] = ""
    body_type: BodyType | None = None
    first_registration: Month
    mileage: Mileage
    mileage_unit: MileageUnit = "km"
    fuel: Fuel | None = None
    gearbox: Gearbox | None = None
    drive: Drive | None = None
    engine_litres: Annotated[str, Field(pattern=LITRES_PATTERN)] | None = None
    cylinders: Annotated[int, Field(ge=1, le=16)] | None = None
    power_kw: Annotated[int, Field(ge=1, le=1500, description="engine power in kW (1 kW = 1.341 hp)")] | None = None
    doors: Annotated[int, Field(ge=1, le=7)] | None = None
    seats: Annotated[int, Field(ge=1, le=9)] | None = None
    colour: Annotated[str, Field(max_length=30)] = ""
    previous_owners: Annotated[int, Field(ge=0, le=20)] | None = None
    damage: Damage | None = None
    options: list[Option] = Field(default_factory=list, max_length=len(OPTIONS),
                                  description="from the fixed vocabulary; a repeated option counts once")
    condition: Condition | None = None


class CarValuationIn(VehicleIn):
    """A car to value (it need not be in stock)."""


class CarIn(VehicleIn):
    """A car in the dealer's stock: a valuation's attributes and its VIN, body, fuel, gearbox, damage,
    condition and asking price."""

    vin: str = Field(pattern=VIN_PATTERN.replace("A-HJ-NPR-Z", "A-HJ-NPR-Za-hj-npr-z"),
                     description="17 characters, no I, O or Q; a North American VIN's check digit must be right")
    body_type: BodyType
    fuel: Fuel
    gearbox: Gearbox
    damage: Damage = "none"
    condition: Condition = "good"
    asking_price: Money
    currency: CurrencyCode = "USD"
    location: Annotated[str, Field(max_length=60)] = ""
    public: bool = Field(default=False, description="shown in the public listing while in stock or reserved")
    version: int | None = Field(default=None, ge=1, description="the version read (required to update)")

    @field_validator("vin")
    @classmethod
    def _vin(cls, value: str) -> str:
        try:
            return check_vin(value)
        except InvalidVin as exc:
            raise ValueError(str(exc)) from None


class CarStatusIn(Strict):
    """Move a car: reserve it, release it back to stock, or deliver it once sold (a sale is recorded
    with PUT /orgs/{org_id}/sales/{sale_id})."""

    status: str = Field(pattern="^(in_stock|reserved|delivered)$")
    version: int = Field(ge=1, description="the version read")


class CarSaleIn(Strict):
    car_id: str = Field(pattern=UUID_PATTERN)
    price: Money
    sold_on: str | None = Field(default=None, pattern=DAY_PATTERN, description="YYYY-MM-DD, today by default; "
                                                                                "not in the future")


class CarPhotoIn(Strict):
    content_type: str = Field(pattern="^(" + "|".join(t.replace("/", "/") for t in PHOTO_TYPES) + ")$")


class CarPhotoOrderIn(Strict):
    """A car's photos in a new order (each of its photo ids once); the first is the cover."""

    photo_ids: Annotated[list[Annotated[str, Field(pattern=UUID_PATTERN)]], each_once("photo")] = Field(
        max_length=MAX_PHOTOS, json_schema_extra=UNIQUE)
    version: int = Field(ge=1, description="the version read")


# ----------------------------------------------------------------- responses
class CarPhotoOut(Out):
    id: str
    url: str = Field(description="a presigned GET URL, valid for `expires_in` seconds of the answer")


class CarPhotoUploadOut(Out):
    """Where to upload: POST the file as multipart/form-data to `url` with `fields` (and the file last);
    then PUT /orgs/{org_id}/cars/{car_id}/photos/{photo_id} to add it to the car."""

    photo_id: str
    url: str
    fields: dict[str, str]
    max_bytes: int = MAX_PHOTO_BYTES
    expires_in: int


class CarOut(Out):
    id: str
    vin: str
    make: str
    model: str
    trim: str
    body_type: str
    first_registration: str
    mileage: int
    mileage_unit: str
    fuel: str
    gearbox: str
    drive: str | None
    engine_litres: str | None
    cylinders: int | None
    power_kw: int | None
    doors: int | None
    seats: int | None
    colour: str
    previous_owners: int | None
    damage: str
    options: list[str]
    condition: str
    asking_price: str
    currency: str
    location: str
    photos: list[CarPhotoOut]
    status: str
    public: bool = False
    sale_id: str | None
    sold_price: str | None
    sold_on: str | None
    delivered_on: str | None
    version: int
    created_at: str
    updated_at: str


class CarsOut(Items[CarOut]):
    pass


class CarSaleOut(Out):
    id: str
    car_id: str
    price: str
    currency: str
    sold_on: str
    recorded_at: str
    car: CarOut


class CarValuationFactorOut(Out):
    feature: str = Field(description="the attribute (an option as option:<name>)")
    value: str | None = Field(description="the value the model read")
    effect: str = Field(description="its share of P50 − base, in the estimate's currency; the effects add up")
    change: str = Field(description="the relative change it alone makes, e.g. \"-0.063\" for -6.3 %")


class CarValuationModelOut(Out):
    name: str = Field(description="starter (the public data set) or dealer (the dealer's own sales)")
    version: str
    trained_at: str
    rows: int = Field(description="cars it was trained on")
    own_sales: int = Field(description="how many of those are the dealer's own sales")
    source: str
    reads: list[str] = Field(description="the attributes this model reads")


class CarValuationOut(Out):
    p10: str
    p50: str
    p90: str
    base: str = Field(description="the model's price before any factor")
    currency: str
    factors: list[CarValuationFactorOut]
    unused: list[str] = Field(description="attributes given that this model does not read")
    model: CarValuationModelOut


# ----------------------------------------------------------------- bookings (issue 12, item 5)
BOOKING_LOCATION_ID_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$"
INSTANT_PATTERN = r"^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:00Z$"
BookingKind = Annotated[str, Field(pattern=_one_of(BOOKING_KINDS), description="test_drive or service")]
Hour = Annotated[str, Field(pattern=HOUR_PATTERN, description="HH:MM, local time")]
Period = Annotated[list[Hour], Field(min_length=2, max_length=2, description="[opens, closes]")]
Day = Annotated[str, Field(pattern=DAY_PATTERN)]
PersonName = Annotated[str, Field(min_length=1, max_length=120)]
Phone = Annotated[str, Field(pattern=r"^(?:\+?[0-9][0-9 ()-]{4,19})?$", description="optional")]


class CarBookingLocationIn(Strict):
    """A place where test drives and service appointments are booked: its weekly opening hours in its
    own time zone, its closed dates and the length of a slot."""

    name: Annotated[str, Field(min_length=1, max_length=80)]
    address: Annotated[str, Field(max_length=200)] = ""
    time_zone: str = Field(json_schema_extra=list_time_zones, description="IANA time zone of the hours")
    slot_minutes: int = Field(ge=15, le=240, multiple_of=15)
    kinds: list[BookingKind] = Field(min_length=1, max_length=2, description="what can be booked here")
    hours: dict[Annotated[str, Field(pattern=_one_of(WEEKDAYS))], Annotated[list[Period], Field(max_length=4)]] = Field(
        description="weekday (mon … sun) → periods open; a day left out is closed")
    closed: list[Day] = Field(default_factory=list, max_length=366, description="local dates closed")
    version: int | None = Field(default=None, ge=1, description="the version read (to replace it)")

    _tz = field_validator("time_zone")(lambda cls, v: check_time_zone(v))


class CarBookingLocationOut(Out):
    id: str
    name: str
    address: str
    time_zone: str
    slot_minutes: int
    kinds: list[str]
    hours: dict[str, list[list[str]]]
    closed: list[str]
    version: int


class CarBookingLocationsOut(Items[CarBookingLocationOut]):
    pass


class CarSlotsQuery(Query):
    day: str = Field(pattern=DAY_PATTERN, description="the location's local date, YYYY-MM-DD")
    kind: BookingKind = "test_drive"


class CarSlotOut(Out):
    start: str = Field(description="UTC, as a booking names it")
    end: str
    local: str = Field(description="HH:MM at the location")


class CarSlotsOut(Out):
    location_id: str
    day: str
    time_zone: str
    kind: str
    free: list[CarSlotOut]


class CarBookingIn(Strict):
    """A booking by anyone (no account): the confirmation goes to `email`."""

    kind: BookingKind
    location_id: str = Field(pattern=BOOKING_LOCATION_ID_PATTERN)
    start: str = Field(pattern=INSTANT_PATTERN, description="a free slot's start (UTC), from the slots list")
    car_id: str | None = Field(default=None, pattern=UUID_PATTERN, description="the car to test-drive (required "
                                                                                "for a test drive)")
    name: PersonName
    email: EmailStr
    phone: Phone = ""
    note: Annotated[str, Field(max_length=1000)] = ""


class CarMyBookingIn(Strict):
    """A booking by a signed-in customer: their account's email and name are used."""

    kind: BookingKind
    location_id: str = Field(pattern=BOOKING_LOCATION_ID_PATTERN)
    start: str = Field(pattern=INSTANT_PATTERN)
    car_id: str | None = Field(default=None, pattern=UUID_PATTERN)
    name: PersonName | None = None
    phone: Phone = ""
    note: Annotated[str, Field(max_length=1000)] = ""


class CarBookingCancelIn(Strict):
    token: str = Field(pattern=r"^[A-Za-z0-9_-]{20,64}$", description="the token of the emailed cancel link")


class CarBookingTokenQuery(Query):
    token: str = Field(pattern=r"^[A-Za-z0-9_-]{20,64}$")


class CarBookingsQuery(Query):
    location_id: str = Field(pattern=BOOKING_LOCATION_ID_PATTERN)
    day: str = Field(pattern=DAY_PATTERN)


class CarBookingOut(Out):
    id: str
    kind: str
    location_id: str
    start: str
    end: str
    car_id: str | None
    customer_name: str
    customer_email: str
    customer_phone: str
    note: str
    status: str
    cancelled_by: str | None
    created_at: str


class CarBookingsOut(Items[CarBookingOut]):
    pass


ENQUIRY_ID_DOC = "a UUID chosen by the client: a retried enquiry with the same id sends nothing twice"


class CarEnquiryIn(Strict):
    enquiry_id: str = Field(pattern=UUID_PATTERN, description=ENQUIRY_ID_DOC)
    name: PersonName
    email: EmailStr
    message: Annotated[str, Field(min_length=1, max_length=5000)]


class CarMyEnquiryIn(Strict):
    enquiry_id: str = Field(pattern=UUID_PATTERN, description=ENQUIRY_ID_DOC)
    message: Annotated[str, Field(min_length=1, max_length=5000)]


class CarEnquiryOut(Out):
    id: str
    car_id: str
    routed: str = Field(description="helpdesk (a ticket linked to the car) or email (to the dealer)")
    ticket_id: str | None
    created_at: str


# ------------------------------------------------ public listing, demand, trends, aging, saved searches
YEAR = Annotated[int, Field(ge=1900, le=2100)]


class CarViewIn(Strict):
    """A visitor opened a listed car's page (sent by the page once; the same view_id counts once)."""

    view_id: str = Field(pattern=UUID_PATTERN)


class CarDemandOut(Out):
    recorded: bool = Field(description="false when this id was recorded before (a retry)")


class CarSettingsIn(Strict):
    aging_days: int = Field(ge=1, le=730, description="email the dealer once when a car has been this many days on "
                                                     "the lot")
    estimate_gap: str = Field(pattern=r"^0\.(?:0[1-9]|[1-9]\d?)$",
                              description="email once when a car's estimate is this share or more below its asking "
                                          "price, e.g. \"0.10\" for 10 %")
    version: int | None = Field(default=None, ge=1, description="the version read (none for the first settings)")


class CarSettingsOut(Out):
    aging_days: int
    estimate_gap: str
    version: int | None = Field(description="none until the dealer saves settings (these are the defaults)")


class CarSearchIn(Strict):
    """A saved search: the listing filters; make is required (searches are matched by make)."""

    name: Annotated[str, Field(max_length=60, pattern=r"^[^<>]*$")] = ""
    make: Text
    model: Text | None = None
    price_min: Money | None = None
    price_max: Money | None = None
    year_min: YEAR | None = None
    year_max: YEAR | None = None
    mileage_max: Mileage | None = None
    fuel: Fuel | None = None
    body_type: BodyType | None = None
    location: Annotated[str, Field(min_length=1, max_length=60)] | None = None


class CarSearchOut(Out):
    id: str
    name: str
    make: str
    model: str | None
    price_min: str | None
    price_max: str | None
    year_min: int | None
    year_max: int | None
    mileage_max: int | None
    fuel: str | None
    body_type: str | None
    location: str | None
    created_at: str


class CarSearchesOut(Items[CarSearchOut]):
    pass


class CarSearchUnsubscribeQuery(Query):
    """A saved-search email's unsubscribe link: whose search (`u`), which (`s`), its token (`t`)."""

    u: str = Field(min_length=1, max_length=64)
    s: str = Field(pattern=UUID_PATTERN)
    t: str = Field(min_length=1, max_length=128)


class CarPriceIndexRowOut(Out):
    month: str
    sold: int
    avg_sold_price: str | None
    index: str | None = Field(description="mean of sold price ÷ estimate (P50) at the sale, × 100")
    avg_days_on_lot: str | None
    listed: int
    avg_asking_price: str | None
    avg_estimate: str | None


class CarStockModelOut(Out):
    in_stock: int
    avg_days_on_lot: str | None


class CarStockCarOut(Out):
    car_id: str
    days_on_lot: int


class CarStockOut(Out):
    models: dict[str, CarStockModelOut]
    cars: list[CarStockCarOut]


class CarDemandWeekOut(Out):
    week: str
    views: int
    enquiries: int
    bookings: int


class CarsInsightsOut(Out):
    """Value and demand over time per make/model key (`<make>/<model>`)."""

    generated_at: str
    currencies: dict[str, str]
    price_index: dict[str, list[CarPriceIndexRowOut]]
    stock: CarStockOut
    demand: dict[str, list[CarDemandWeekOut]]
