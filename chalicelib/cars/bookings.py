"""Bookings: test drives and service appointments in slots per location, never two in one slot.

A booking is one transaction: Put the SlotClaim (`SLOT#<location>#<start>#<kind>`) if it does not exist
+ Put the Booking + Put its confirmation email (outbox, with the calendar invite) if it does not exist.
Two requests for one slot, however close together, cannot both pass the claim's condition: the second is
409 `start`. Cancelling (by the customer's emailed link, or by staff) is one transaction too: the booking
becomes cancelled at the version read, the claim is deleted (the slot is free again) and the cancellation
email is written. The reminder is due a day before the start (sparse `by_reminder`, sharded); the job
writes it once (`put_once`, deterministic id) and then takes the booking off the index.
"""
from __future__ import annotations

import hmac
import secrets
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError

from ..core import clock, orgs
from ..core.alerts import put_once
from ..core.auth import Principal
from ..core.db import find, get_or, put_if_new, save_if, transact, update_if
from ..core.errors import Conflict, InvalidInput, NotFound, TallyError
from ..core.keys import org_pk
from ..core.models import OutboxMessage
from ..core.profiles import get_profile
from ..core.shards import JOB_SHARDS, shard_of
from .models import Booking, BookingLocation, SlotClaim, booking_key, location_key, reminder_keys, slot_key, slot_prefix
from .notifications import cancellation, confirmation, hours_of, reminder, slot_end
from .rules.bookings import (
    MAX_DAYS_AHEAD,
    check_hours,
    check_start,
    day_bounds,
    day_slots,
    iso,
    parse_iso,
    reminder_due,
)
from .schemas import (
    CarBookingIn,
    CarBookingLocationIn,
    CarBookingLocationOut,
    CarBookingLocationsOut,
    CarBookingOut,
    CarBookingsOut,
    CarMyBookingIn,
    CarSlotOut,
    CarSlotsOut,
)
from .vehicles import get_car

BOOKABLE_CAR = ("in_stock", "reserved")
ATTEMPTS = 5  # transactions cancelled by a concurrent one (not by a condition) are tried again


# ----------------------------------------------------------------- locations
def location_out(loc: BookingLocation) -> CarBookingLocationOut:
    h = hours_of(loc)
    return CarBookingLocationOut(id=loc.id, name=loc.name, address=loc.address, time_zone=loc.time_zone,
                                 slot_minutes=int(loc.slot_minutes), kinds=[str(k) for k in loc.kinds],
                                 hours=h.weekly, closed=sorted(h.closed), version=int(loc.version))


def get_location(org_id: str, location_id: str) -> BookingLocation:
    return get_or(BookingLocation, *location_key(org_id, location_id),
                  missing=lambda: NotFound("no such booking location", field="location_id"))


def locations(org_id: str) -> CarBookingLocationsOut:
    """The dealer's booking locations (one Query on the BOOKLOC# prefix)."""
    rows = BookingLocation.query(org_pk(org_id), BookingLocation.sk.startswith("BOOKLOC#"))
    return CarBookingLocationsOut(items=[location_out(loc) for loc in rows])


def _day(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput("not a calendar date", field=field) from None


def set_location(org_id: str, location_id: str, data: CarBookingLocationIn) -> tuple[BookingLocation, bool]:
    """Create a location (no version) or replace it at the version read; (location, created). Existing
    bookings keep their slots when the hours change."""
    check_hours(data.hours, data.slot_minutes)
    closed = sorted({_day(d, "closed").isoformat() for d in data.closed})
    now = clock.iso_now()
    current = find(BookingLocation, *location_key(org_id, location_id))
    fields: dict[str, Any] = {"name": data.name, "address": data.address, "time_zone": data.time_zone,
              "slot_minutes": data.slot_minutes, "kinds": sorted(set(data.kinds)), "hours": dict(data.hours),
              "closed": closed, "updated_at": now}
    if current is None:
        if data.version is not None:
            raise NotFound("no such booking location", field="version")
        loc = BookingLocation(*location_key(org_id, location_id), id=location_id, org_id=org_id, version=1,
                              created_at=now, **fields)
        put_if_new(loc, hash_attr=BookingLocation.sk,
                   otherwise=lambda: Conflict("the location was created meanwhile: read it", field="version"))
        return loc, True
    if data.version != current.version:
        raise Conflict("the location changed since you read it (send its version)", field="version")
    for k, v in fields.items():
        setattr(current, k, v)
    current.version = data.version + 1
    save_if(current, BookingLocation.version == data.version,
            otherwise=lambda: Conflict("the location changed since you read it", field="version"))
    return current, False


# ----------------------------------------------------------------- slots
def _taken(org_id: str, location_id: str, begin: datetime, end: datetime) -> list[SlotClaim]:
    """The claims of a location between two instants (one Query on the SLOT#<location># range)."""
    return list(SlotClaim.query(org_pk(org_id), SlotClaim.sk.between(
        slot_prefix(location_id, iso(begin)), slot_prefix(location_id, iso(end)))))


def free_slots(org_id: str, location_id: str, day_text: str, kind: str) -> CarSlotsOut:
    """The free slots of a local day for one kind of booking: the hours' slots, less those taken, past or
    beyond the booking horizon (MAX_DAYS_AHEAD)."""
    loc = get_location(org_id, location_id)
    if kind not in loc.kinds:
        raise InvalidInput(f"this location books {', '.join(str(k) for k in loc.kinds)}", field="kind")
    hours, day, now = hours_of(loc), _day(day_text, "day"), clock.now()
    taken = {c.start for c in _taken(org_id, location_id, *day_bounds(hours, day)) if c.booking_kind == kind}
    zone = hours.zone
    free = [CarSlotOut(start=iso(s), end=slot_end(iso(s), hours.slot_minutes), local=f"{s.astimezone(zone):%H:%M}")
            for s in day_slots(hours, day) if now < s <= now + timedelta(days=MAX_DAYS_AHEAD) and iso(s) not in taken]
    return CarSlotsOut(location_id=location_id, day=day.isoformat(), time_zone=hours.time_zone, kind=kind, free=free)


# ----------------------------------------------------------------- booking
def customer_name(user: Principal) -> str:
    """A signed-in customer's name: their profile's, else their email's local part."""
    p = get_profile(user.sub)
    if p is not None and p.name:
        return str(p.name)
    return user.email.split("@")[0] if user.email else "customer"


def _start(text: str) -> datetime:
    try:
        return parse_iso(text)
    except ValueError:
        raise InvalidInput("not a date and time", field="start") from None


def book(org_id: str, data: CarBookingIn | CarMyBookingIn, name: str, email: str, sub: str | None) -> Booking:
    """Book a slot for `name` <`email`> (signed in as `sub`, or anonymous): 409 `start` if it is taken."""
    loc = get_location(org_id, data.location_id)
    if data.kind not in loc.kinds:
        raise InvalidInput(f"this location books {', '.join(str(k) for k in loc.kinds)}", field="kind")
    hours, now = hours_of(loc), clock.now()
    start = check_start(_start(data.start), hours, now)
    if data.kind == "test_drive" and data.car_id is None:
        raise InvalidInput("a test drive names the car", field="car_id")
    car = get_car(org_id, data.car_id) if data.car_id else None
    if car is not None and car.status not in BOOKABLE_CAR:
        raise Conflict(f"the car is {car.status.replace('_', ' ')}", field="car_id")
    booking_id, start_s, stamp = str(uuid.uuid4()), iso(start), clock.iso_now()
    due = reminder_due(start, now)
    b = Booking(*booking_key(org_id, booking_id), id=booking_id, org_id=org_id, booking_kind=data.kind,
                location_id=loc.id, start=start_s, end=slot_end(start_s, hours.slot_minutes),
                car_id=car.id if car else None, make=car.make if car else None, model=car.model if car else None,
                customer_name=name, customer_email=email, customer_phone=data.phone, customer_sub=sub,
                note=data.note, status="confirmed", cancel_token=secrets.token_urlsafe(24),
                remind_at=iso(due) if due else None, version=1, created_at=stamp, updated_at=stamp)
    if due is not None:
        b.remind_pk, b.remind_sk = reminder_keys(shard_of(org_id), iso(due), org_id, booking_id)
    claim = SlotClaim(*slot_key(org_id, loc.id, start_s, data.kind), booking_id=booking_id, location_id=loc.id,
                      start=start_s, booking_kind=data.kind)
    msg = confirmation(b, loc, orgs.get_org(org_id).name)

    def taken(failed: list[int]) -> TallyError | None:
        return Conflict("this slot has just been booked: choose another", field="start") if 0 in failed else None

    for _ in range(ATTEMPTS):
        try:
            with transact(otherwise=taken) as tx:
                tx.save(claim, condition=SlotClaim.sk.does_not_exist())
                tx.save(b, condition=Booking.sk.does_not_exist())
                tx.save(msg, condition=OutboxMessage.id.does_not_exist())
            return b
        except TransactWriteError:  # cancelled by a concurrent transaction on the claim (no condition failed)
            if find(SlotClaim, *slot_key(org_id, loc.id, start_s, data.kind)) is not None:
                raise taken([0]) or Conflict("taken", field="start") from None
    raise Conflict("the slot is in demand: try again", field="start")


def booking_out(b: Booking) -> CarBookingOut:
    return CarBookingOut(id=b.id, kind=b.booking_kind, location_id=b.location_id, start=b.start, end=b.end,
                         car_id=b.car_id, customer_name=b.customer_name, customer_email=b.customer_email,
                         customer_phone=b.customer_phone, note=b.note, status=b.status, cancelled_by=b.cancelled_by,
                         created_at=b.created_at)


def get_booking(org_id: str, booking_id: str) -> Booking:
    return get_or(Booking, *booking_key(org_id, booking_id),
                  missing=lambda: NotFound("no such booking", field="booking_id"))


def booking_by_token(org_id: str, booking_id: str, token: str) -> Booking:
    """The booking the emailed link names, if its token is right (else 404 naming `token`: a wrong link
    says nothing about whether the booking exists)."""
    b = find(Booking, *booking_key(org_id, booking_id))
    if b is None or not hmac.compare_digest(b.cancel_token, token):
        raise NotFound("this cancel link is not valid", field="token")
    return b


def cancel(b: Booking, by: str) -> tuple[Booking, bool]:
    """Cancel a confirmed booking (by customer or staff), freeing its slot; (booking, cancelled now).
    A cancelled booking again changes nothing."""
    for _ in range(ATTEMPTS):
        if b.status == "cancelled":
            return b, False
        loc = get_location(b.org_id, b.location_id)
        version, now = int(b.version), clock.iso_now()
        b.status, b.cancelled_by, b.cancelled_at, b.updated_at, b.version = "cancelled", by, now, now, version + 1
        msg = cancellation(b, loc, orgs.get_org(b.org_id).name, by_customer=by == "customer")
        try:
            with transact() as tx:
                tx.update(b, actions=[Booking.status.set("cancelled"), Booking.cancelled_by.set(by),
                                      Booking.cancelled_at.set(now), Booking.updated_at.set(now),
                                      Booking.version.set(version + 1), Booking.remind_pk.remove(),
                                      Booking.remind_sk.remove()],
                          condition=(Booking.version == version) & (Booking.status == "confirmed"))
                tx.delete(SlotClaim(*slot_key(b.org_id, b.location_id, b.start, b.booking_kind)),
                          condition=SlotClaim.booking_id == b.id)
                tx.save(msg, condition=OutboxMessage.id.does_not_exist())
            return b, True
        except TransactWriteError:  # changed meanwhile (cancelled, or its reminder sent): read it again
            b = get_booking(b.org_id, b.id)
    raise Conflict("the booking changed meanwhile: try again", field="booking_id")


def day_bookings(org_id: str, location_id: str, day_text: str) -> CarBookingsOut:
    """The confirmed bookings of a location on a local day, in order: its claims (one Query) and their
    bookings (one BatchGetItem)."""
    loc = get_location(org_id, location_id)
    hours, day = hours_of(loc), _day(day_text, "day")
    claims = _taken(org_id, location_id, *day_bounds(hours, day))
    if not claims:
        return CarBookingsOut(items=[])
    rows = Booking.batch_get([booking_key(org_id, c.booking_id) for c in claims])
    return CarBookingsOut(items=[booking_out(b) for b in sorted(rows, key=lambda b: (b.start, b.booking_kind))])


# ----------------------------------------------------------------- reminders (the job)
def reminders_due(now: datetime) -> list[tuple[str, str]]:
    """(org, booking) of confirmed bookings whose reminder is due: one Query per shard of `by_reminder`,
    due times up to now."""
    before = iso(now + timedelta(seconds=1))
    out = []
    for shard in range(JOB_SHARDS):
        out += [(b.org_id, b.id) for b in Booking.by_reminder.query(f"REMIND#{shard}", Booking.remind_sk < before)]
    return out


def send_reminder(org_id: str, booking_id: str) -> bool:
    """Write the booking's reminder once (put_once: a second run or a crash between the two writes sends
    nothing twice), then take the booking off the work list; True if this call wrote it."""
    b = find(Booking, *booking_key(org_id, booking_id))
    if b is None or b.status != "confirmed" or b.remind_pk is None:
        return False
    loc = get_location(org_id, b.location_id)
    written = put_once(reminder(b, loc, orgs.get_org(org_id).name))
    update_if(b, [Booking.reminded_at.set(clock.iso_now()), Booking.remind_pk.remove(), Booking.remind_sk.remove()],
              Booking.status == "confirmed")
    return written
