"""Cars routes under /orgs/{org_id}/...: the dealer's stock, status moves, sales and valuations.
Routes only: parse, authorize, call one service, return its response model.

Every route checks the caller's membership of the organisation (a non-member gets 404). Owners and
managers add, edit, move and sell cars; staff read the stock and ask for valuations.
"""
from __future__ import annotations

import html
import re
import uuid
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from chalice import Blueprint, Response

from ..core.deferred import deferred
from ..core.errors import InvalidInput
from ..core.roles import MANAGERS
from ..core.schemas import UUID_PATTERN
from ..core.web import NO_CONTENT, Media, Reply, Req, route
from .schemas import (
    CarPhotoOrderIn,
    CarBookingCancelIn,
    CarBookingIn,
    CarBookingLocationIn,
    CarBookingLocationOut,
    CarBookingLocationsOut,
    CarBookingOut,
    CarBookingsOut,
    CarBookingsQuery,
    CarBookingTokenQuery,
    CarEnquiryIn,
    CarEnquiryOut,
    CarMyBookingIn,
    CarMyEnquiryIn,
    CarSlotsOut,
    CarSlotsQuery,
    CarDemandOut,
    CarIn,
    CarOut,
    CarPhotoIn,
    CarPhotoUploadOut,
    CarSaleIn,
    CarSaleOut,
    CarSearchesOut,
    CarSearchIn,
    CarSearchOut,
    CarSearchUnsubscribeQuery,
    CarSettingsIn,
    CarSettingsOut,
    CarsInsightsOut,
    CarsOut,
    CarStatusIn,
    CarValuationIn,
    CarValuationOut,
    CarViewIn,
)

if TYPE_CHECKING:
    from ..core import orgs
    from . import aging, bookings, demand, enquiries, photos, sales, searches, trends, valuations, vehicles
else:  # imported by the first request that calls them (core.deferred)
    (orgs,) = deferred("chalicelib.core", "orgs")
    photos, sales, valuations, vehicles = deferred(__package__, "photos", "sales", "valuations", "vehicles")
    bookings, enquiries = deferred(__package__, "bookings", "enquiries")
    aging, demand, searches, trends = deferred(__package__, "aging", "demand", "searches", "trends")

cars = Blueprint(__name__)
CAR_ID = {"car_id": UUID_PATTERN}
SALE_ID = {"sale_id": UUID_PATTERN}
PHOTO_ID = {"car_id": UUID_PATTERN, "photo_id": UUID_PATTERN}


def _uuid(value: str, field: str) -> str:
    """A path id: a UUID in its canonical form (what the document's pattern says), else a 400 naming `field`."""
    if not re.fullmatch(UUID_PATTERN, value):
        raise InvalidInput("must be a UUID such as 0b9e1c2a-5d4f-4e8a-9c3b-2a1d0e9f8c7b", field=field)
    return str(uuid.UUID(value))


# ----------------------------------------------------------------- stock
@route(cars, "/orgs/{org_id}/cars", ("GET",), response=CarsOut)
def list_cars(req: Req, org_id: str) -> CarsOut:
    """The dealer's cars, newest first."""
    orgs.require_role(req.principal, org_id)
    return vehicles.cars(org_id)


@route(cars, "/orgs/{org_id}/cars", ("POST",), body=CarIn, response=CarOut, status=201)
def create_car(req: Req, org_id: str) -> CarOut:
    """Add a car to the stock (owners and managers); its VIN is unique in the dealer's stock."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    data = req.body(CarIn)
    if data.version is not None:
        raise InvalidInput("a new car has no version", field="version")
    return vehicles.car_out(vehicles.create_car(org_id, data))


@route(cars, "/orgs/{org_id}/cars/{car_id}", ("GET",), path_patterns=CAR_ID, response=CarOut)
def get_car(req: Req, org_id: str, car_id: str) -> CarOut:
    orgs.require_role(req.principal, org_id)
    return vehicles.car_out(vehicles.get_car(org_id, _uuid(car_id, "car_id")))


@route(cars, "/orgs/{org_id}/cars/{car_id}", ("PUT",), path_patterns=CAR_ID, body=CarIn, response=CarOut)
def update_car(req: Req, org_id: str, car_id: str) -> CarOut:
    """Replace a car's attributes (owners and managers), sending the version read."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    car_id = _uuid(car_id, "car_id")
    return vehicles.car_out(vehicles.update_car(org_id, car_id, req.body(CarIn)))


@route(cars, "/orgs/{org_id}/cars/{car_id}/status", ("POST",), path_patterns=CAR_ID, body=CarStatusIn,
       response=CarOut)
def move_car(req: Req, org_id: str, car_id: str) -> CarOut:
    """Reserve a car, release it to stock, or deliver it once sold (owners and managers)."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    car_id = _uuid(car_id, "car_id")
    return vehicles.car_out(vehicles.set_status(org_id, car_id, req.body(CarStatusIn)))


# ----------------------------------------------------------------- photos
@route(cars, "/orgs/{org_id}/cars/{car_id}/photos", ("POST",), path_patterns=CAR_ID, body=CarPhotoIn,
       response=CarPhotoUploadOut, status=201)
def upload_photo(req: Req, org_id: str, car_id: str) -> CarPhotoUploadOut:
    """Where to upload a photo of a car (owners and managers): a presigned POST to the bucket that takes only
    that type and at most 10 MB; then PUT .../photos/{photo_id} adds it to the car."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    return photos.grant_upload(org_id, _uuid(car_id, "car_id"), req.body(CarPhotoIn))


@route(cars, "/orgs/{org_id}/cars/{car_id}/photos/{photo_id}", ("PUT",), path_patterns=PHOTO_ID, response=CarOut)
def add_photo(req: Req, org_id: str, car_id: str, photo_id: str) -> CarOut:
    """Add an uploaded photo to its car (owners and managers); adding it twice changes nothing."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    car = photos.add_photo(org_id, _uuid(car_id, "car_id"), _uuid(photo_id, "photo_id"))
    return vehicles.car_out(car)


@route(cars, "/orgs/{org_id}/cars/{car_id}/photos/{photo_id}", ("DELETE",), path_patterns=PHOTO_ID, response=CarOut)
def remove_photo(req: Req, org_id: str, car_id: str, photo_id: str) -> CarOut:
    """Take a photo off its car (owners and managers); a listed car's public copy is withdrawn."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    return vehicles.car_out(photos.remove_photo(org_id, _uuid(car_id, "car_id"), _uuid(photo_id, "photo_id")))


@route(cars, "/orgs/{org_id}/cars/{car_id}/photo-order", ("PUT",), path_patterns=CAR_ID, body=CarPhotoOrderIn,
       response=CarOut)
def order_photos(req: Req, org_id: str, car_id: str) -> CarOut:
    """Put a car's photos in a new order at the version read (owners and managers); the first is the cover."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    return vehicles.car_out(photos.order_photos(org_id, _uuid(car_id, "car_id"), req.body(CarPhotoOrderIn)))


# ----------------------------------------------------------------- sales
@route(cars, "/orgs/{org_id}/sales/{sale_id}", ("PUT",), path_patterns=SALE_ID, body=CarSaleIn, response=CarSaleOut,
       status=201, also={200: "this sale was recorded already with this body: what was recorded"})
def put_sale(req: Req, org_id: str, sale_id: str) -> CarSaleOut | Reply[CarSaleOut]:
    """Record a car's sale under a client-chosen id (owners and managers): the car becomes sold with its
    price and date (201); the same id and body again returns it (200), a different body 409."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    sale_id = _uuid(sale_id, "sale_id")
    sale, car, recorded = sales.record_sale(org_id, sale_id, req.body(CarSaleIn), req.principal.sub)
    out = sales.sale_out(sale, car)
    return out if recorded else Reply(out, 200)


# ----------------------------------------------------------------- valuations
@route(cars, "/orgs/{org_id}/valuations", ("POST",), body=CarValuationIn, response=CarValuationOut)
def post_valuation(req: Req, org_id: str) -> CarValuationOut:
    """P10, P50 and P90 of a car's resale price, the factors behind it and the model that answered."""
    orgs.require_role(req.principal, org_id)
    return valuations.value_vehicle(org_id, req.body(CarValuationIn))


@route(cars, "/orgs/{org_id}/cars/{car_id}/valuation", ("GET",), path_patterns=CAR_ID, response=CarValuationOut)
def get_car_valuation(req: Req, org_id: str, car_id: str) -> CarValuationOut:
    """A stocked car's own estimate, from its stored attributes."""
    orgs.require_role(req.principal, org_id)
    return valuations.value_car(org_id, _uuid(car_id, "car_id"))


# ----------------------------------------------------------------- bookings (issue 12, item 5)
LOCATION_ID = {"location_id": r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$"}
BOOKING_ID = {"booking_id": UUID_PATTERN}
BOOKING_PAGE = Media("text/html", "The page, in HTML (errors are JSON like every other route's)")


def _location_id(value: str) -> str:
    if not re.fullmatch(LOCATION_ID["location_id"], value):
        raise InvalidInput("lower-case letters, digits and hyphens, at most 40", field="location_id")
    return value


@route(cars, "/orgs/{org_id}/booking-locations/{location_id}", ("PUT",), path_patterns=LOCATION_ID,
       body=CarBookingLocationIn, response=CarBookingLocationOut, status=200,
       also={201: "the location was created"})
def put_booking_location(req: Req, org_id: str, location_id: str) -> CarBookingLocationOut | Reply[CarBookingLocationOut]:
    """Create a booking location with its opening hours (201), or replace it at the version read (owners and
    managers)."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    loc, created = bookings.set_location(org_id, _location_id(location_id), req.body(CarBookingLocationIn))
    out = bookings.location_out(loc)
    return Reply(out, 201) if created else out


@route(cars, "/orgs/{org_id}/booking-locations", ("GET",), response=CarBookingLocationsOut)
def list_booking_locations(req: Req, org_id: str) -> CarBookingLocationsOut:
    """The dealer's booking locations and their hours."""
    orgs.require_role(req.principal, org_id)
    return bookings.locations(org_id)


@route(cars, "/orgs/{org_id}/bookings", ("GET",), query=CarBookingsQuery, response=CarBookingsOut)
def list_bookings(req: Req, org_id: str) -> CarBookingsOut:
    """The confirmed bookings of a location on a local day (members: the bookings calendar)."""
    orgs.require_role(req.principal, org_id)
    q = req.query_model(CarBookingsQuery)
    return bookings.day_bookings(org_id, q.location_id, q.day)


@route(cars, "/orgs/{org_id}/bookings/{booking_id}/cancel", ("POST",), path_patterns=BOOKING_ID,
       response=CarBookingOut)
def staff_cancel_booking(req: Req, org_id: str, booking_id: str) -> CarBookingOut:
    """Cancel a booking (any member): the slot is free again and the customer is told."""
    orgs.require_role(req.principal, org_id)
    b = bookings.get_booking(org_id, _uuid(booking_id, "booking_id"))
    return bookings.booking_out(bookings.cancel(b, "staff")[0])


@route(cars, "/dealers/{org_id}/booking-locations", ("GET",), public=True, response=CarBookingLocationsOut)
def public_booking_locations(req: Req, org_id: str) -> CarBookingLocationsOut:
    """Where a dealer takes bookings, and when (anyone)."""
    return bookings.locations(org_id)


@route(cars, "/dealers/{org_id}/booking-locations/{location_id}/slots", ("GET",), public=True,
       path_patterns=LOCATION_ID, query=CarSlotsQuery, response=CarSlotsOut)
def public_slots(req: Req, org_id: str, location_id: str) -> CarSlotsOut:
    """The free slots of a local day at a location, for a test drive or a service (anyone)."""
    q = req.query_model(CarSlotsQuery)
    return bookings.free_slots(org_id, _location_id(location_id), q.day, q.kind)


@route(cars, "/dealers/{org_id}/bookings", ("POST",), public=True, body=CarBookingIn, response=CarBookingOut,
       status=201)
def public_book(req: Req, org_id: str) -> CarBookingOut:
    """Book a free slot without an account (201): the confirmation, with a calendar invite and a cancel link,
    goes to `email`. A slot already taken, also by a request at the same moment, is 409 `start`."""
    data = req.body(CarBookingIn)
    return bookings.booking_out(bookings.book(org_id, data, data.name, data.email, None))


@route(cars, "/dealers/{org_id}/bookings/mine", ("POST",), body=CarMyBookingIn, response=CarBookingOut, status=201)
def my_book(req: Req, org_id: str) -> CarBookingOut:
    """Book a free slot as the signed-in customer (201): the confirmation goes to the account's email."""
    data, user = req.body(CarMyBookingIn), req.principal
    name = data.name or bookings.customer_name(user)
    return bookings.booking_out(bookings.book(org_id, data, name, user.email, user.sub))


# ----------------------------------------------------------------- public listing: views and enquiries
# The listing itself is static JSON on S3 behind the CDN (written by the cars stream): no route reads it.
LISTED_CAR = {"org_id": UUID_PATTERN, "car_id": UUID_PATTERN}


@route(cars, "/listing/{org_id}/cars/{car_id}/views", ("POST",), public=True, path_patterns=LISTED_CAR,
       body=CarViewIn, response=CarDemandOut)
def post_car_view(req: Req, org_id: str, car_id: str) -> CarDemandOut:
    """A visitor opened a listed car's page (anonymous; the same view_id counts once)."""
    data = req.body(CarViewIn)
    return demand.record_view(_uuid(org_id, "org_id"), _uuid(car_id, "car_id"), data)


# ----------------------------------------------------------------- value and demand over time
@route(cars, "/orgs/{org_id}/car-insights", ("GET",), response=CarsInsightsOut)
def get_cars_insights(req: Req, org_id: str) -> CarsInsightsOut:
    """Price index, days on lot and demand per make/model, as the cars stream last published them."""
    orgs.require_role(req.principal, org_id)
    return trends.chart_for(org_id)


@route(cars, "/orgs/{org_id}/car-settings", ("GET",), response=CarSettingsOut)
def get_car_settings(req: Req, org_id: str) -> CarSettingsOut:
    """When the dealer is emailed about aging stock (the defaults until saved)."""
    orgs.require_role(req.principal, org_id)
    return aging.settings_out(org_id)


@route(cars, "/orgs/{org_id}/car-settings", ("PUT",), body=CarSettingsIn, response=CarSettingsOut)
def put_car_settings(req: Req, org_id: str) -> CarSettingsOut:
    """Set the aging-stock rules (owners and managers), at the version read."""
    orgs.require_role(req.principal, org_id, MANAGERS)
    return aging.put_settings(org_id, req.body(CarSettingsIn))


# ----------------------------------------------------------------- saved searches (signed-in customers)
SEARCH_ID = {"search_id": UUID_PATTERN}


@route(cars, "/me/car-searches", ("GET",), response=CarSearchesOut)
def list_car_searches(req: Req) -> CarSearchesOut:
    """The caller's saved searches."""
    return searches.my_searches(req.principal)


@route(cars, "/me/car-searches/{search_id}", ("PUT",), path_patterns=SEARCH_ID, body=CarSearchIn,
       response=CarSearchOut, status=201, also={200: "a search saved before under this id, replaced"})
def put_car_search(req: Req, search_id: str) -> CarSearchOut | Reply[CarSearchOut]:
    """Save a search under a client-chosen id: one email when a matching car arrives or drops in price."""
    search_id = _uuid(search_id, "search_id")
    out, created = searches.put_search(req.principal, search_id, req.body(CarSearchIn))
    return out if created else Reply(out, 200)


@route(cars, "/me/car-searches/{search_id}", ("DELETE",), path_patterns=SEARCH_ID, response=NO_CONTENT, status=204)
def delete_car_search(req: Req, search_id: str) -> None:
    """Forget a saved search."""
    searches.delete_search(req.principal, _uuid(search_id, "search_id"))


SEARCH_PAGE = Media("text/html", "The page, in HTML (errors are JSON like every other route's)")


@route(cars, "/car-searches/unsubscribe", ("GET",), public=True, query=CarSearchUnsubscribeQuery,
       response=SEARCH_PAGE)
def car_search_unsubscribe_page(req: Req) -> Response:
    """The page a saved-search email's unsubscribe link opens: a button, so a link scanner changes nothing."""
    q = req.query_model(CarSearchUnsubscribeQuery)
    s = searches.unsubscribe_target(q.u, _uuid(q.s, "s"), q.t)
    query = html.escape(urlencode({"u": q.u, "s": s.id, "t": q.t}))
    return _page("Stop emails for this saved search?",
                 f'<form method="post" action="unsubscribe?{query}"><button type="submit">Stop these emails'
                 "</button></form>")


@route(cars, "/car-searches/unsubscribe", ("POST",), public=True, query=CarSearchUnsubscribeQuery,
       response=SEARCH_PAGE,
       content_types=("application/x-www-form-urlencoded", "application/json", "multipart/form-data", "text/plain"))
def car_search_unsubscribe(req: Req) -> Response:
    """Delete the saved search (the page's button, or a mail client's one-click List-Unsubscribe-Post)."""
    q = req.query_model(CarSearchUnsubscribeQuery)
    s = searches.unsubscribe_target(q.u, _uuid(q.s, "s"), q.t)
    searches.delete_search_item(s)
    return _page("Unsubscribed", "<p>This saved search is deleted: no more emails from it.</p>")


def _page(title: str, body: str) -> Response:
    page = ("<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport content='width=device-width'>"
            f"<title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>{body}</html>")
    return Response(body=page, status_code=200, headers={
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": "default-src 'none'; form-action 'self'; frame-ancestors 'none'"})


@route(cars, "/dealers/{org_id}/bookings/{booking_id}/cancel", ("GET",), public=True, path_patterns=BOOKING_ID,
       query=CarBookingTokenQuery, response=BOOKING_PAGE)
def cancel_page(req: Req, org_id: str, booking_id: str) -> Response:
    """The page the emailed cancel link opens: the booking and a button (a link scanner cancels nothing)."""
    token = req.query_model(CarBookingTokenQuery).token
    b = bookings.booking_by_token(org_id, _uuid(booking_id, "booking_id"), token)
    if b.status == "cancelled":
        return _page("Booking cancelled", "<p>This booking is cancelled.</p>")
    action = html.escape(f"cancel?{urlencode({'token': token})}")
    return _page("Cancel this booking?", (
        f"<p>{html.escape(b.booking_kind.replace('_', ' '))} on {html.escape(b.start)} (UTC)</p>"
        f'<form method="post" action="{action}"><button type="submit">Cancel the booking</button></form>'))


@route(cars, "/dealers/{org_id}/bookings/{booking_id}/cancel", ("POST",), public=True, path_patterns=BOOKING_ID,
       query=CarBookingTokenQuery, response=BOOKING_PAGE,
       content_types=("application/x-www-form-urlencoded", "application/json", "multipart/form-data", "text/plain"))
def customer_cancel(req: Req, org_id: str, booking_id: str) -> Response:
    """Cancel a booking through its emailed link (its token proves it): the slot is free again."""
    b = bookings.booking_by_token(org_id, _uuid(booking_id, "booking_id"),
                                  req.query_model(CarBookingTokenQuery).token)
    bookings.cancel(b, "customer")
    return _page("Booking cancelled", "<p>Your booking is cancelled and the slot is free again.</p>")


# ----------------------------------------------------------------- enquiries
ENQUIRY_REPLAY = {200: "this enquiry was sent already under this enquiry_id: what was recorded (nothing sent again)"}


@route(cars, "/dealers/{org_id}/cars/{car_id}/enquiries", ("POST",), public=True, path_patterns=CAR_ID,
       body=CarEnquiryIn, response=CarEnquiryOut, status=201, also=ENQUIRY_REPLAY)
def public_enquiry(req: Req, org_id: str, car_id: str) -> CarEnquiryOut | Reply[CarEnquiryOut]:
    """Ask the dealer about a car without an account (201): its managers get an email to reply to. The same
    enquiry_id again is a retry (200, nothing sent twice); with another body 409 `enquiry_id`."""
    data = req.body(CarEnquiryIn)
    e, new = enquiries.enquire(org_id, _uuid(car_id, "car_id"), data.enquiry_id, data.message, data.name,
                               data.email, None)
    out = enquiries.enquiry_out(e)
    return out if new else Reply(out, 200)


@route(cars, "/dealers/{org_id}/cars/{car_id}/enquiries/mine", ("POST",), path_patterns=CAR_ID,
       body=CarMyEnquiryIn, response=CarEnquiryOut, status=201, also=ENQUIRY_REPLAY)
def my_enquiry(req: Req, org_id: str, car_id: str) -> CarEnquiryOut | Reply[CarEnquiryOut]:
    """Ask about a car as the signed-in customer (201): a help desk ticket linked to the car where the
    dealer has a desk, else an email to its managers. The same enquiry_id again is a retry (200)."""
    user, data = req.principal, req.body(CarMyEnquiryIn)
    e, new = enquiries.enquire(org_id, _uuid(car_id, "car_id"), data.enquiry_id, data.message,
                               bookings.customer_name(user), user.email, user)
    out = enquiries.enquiry_out(e)
    return out if new else Reply(out, 200)
