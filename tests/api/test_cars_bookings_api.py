"""Cars bookings and enquiries over the API: locations with opening hours, free slots, booking a slot
once (anonymous or signed in), the confirmation with its calendar invite, cancelling by the emailed link
or by staff (the slot is free again), the reminder job, enquiries to the help desk or the dealer; who may
do what; bad input refused naming the field with nothing written."""
from __future__ import annotations

import email
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlparse

import pytest

from tests.mocked import Caller, sign_up

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)  # a Tuesday
DAY = "2026-12-03"  # Thursday; Berlin is UTC+1 in December: 09:00 local is 08:00Z
FIRST = "2026-12-03T08:00:00Z"
HOURS = {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]], "wed": [["09:00", "17:00"]],
         "thu": [["09:00", "12:00"], ["13:00", "17:00"]], "fri": [["09:00", "17:00"]], "sat": [["10:00", "14:00"]]}
LOCATION = {"name": "Main lot", "address": "Hauptstr. 1, Berlin", "time_zone": "Europe/Berlin", "slot_minutes": 60,
            "kinds": ["test_drive", "service"], "hours": HOURS, "closed": ["2026-12-24"]}
CAR = {"vin": "1M8GDM9AXKP042788", "make": "Chevrolet", "model": "Malibu", "body_type": "sedan",
       "first_registration": "2019-04", "mileage": 42000, "fuel": "petrol", "gearbox": "automatic",
       "asking_price": "14500.00"}


@dataclass
class Lot:
    oid: str
    owner: Caller
    manager: Caller
    staff: Caller
    outsider: Caller
    anon: Caller
    car_id: str

    def book(self, who: Caller | None = None, path: str = "", **fields):
        body = {"kind": "test_drive", "location_id": "main", "start": FIRST, "car_id": self.car_id,
                "name": "Carla Buyer", "email": "carla@example.com", **fields}
        return (who or self.anon).post(f"/dealers/{self.oid}/bookings{path}", body)

    def slots(self, day: str = DAY, kind: str = "test_drive", location: str = "main"):
        return self.anon.get(f"/dealers/{self.oid}/booking-locations/{location}/slots?day={day}&kind={kind}")


@pytest.fixture
def lot(client, alice, bob) -> Lot:
    from chalicelib.core import clock

    clock.set_now(NOW)
    oid = alice.post("/orgs", {"name": "Corner Cars"})[1]["org_id"]
    manager, staff = sign_up(client, "mgr"), sign_up(client, "staff")
    assert alice.put(f"/orgs/{oid}/members/{manager.sub}", {"role": "manager"})[0] == 200
    assert alice.put(f"/orgs/{oid}/members/{staff.sub}", {"role": "staff"})[0] == 200
    bob.post("/orgs", {"name": "Other Cars"})
    status, loc = manager.put(f"/orgs/{oid}/booking-locations/main", LOCATION)
    assert status == 201, loc
    status, car = manager.post(f"/orgs/{oid}/cars", CAR)
    assert status == 201, car
    return Lot(oid, alice, manager, staff, bob, Caller(client, None, ""), car["id"])


def outbox(rule: str | None = None) -> list:
    from chalicelib.core.models import OutboxMessage

    msgs = [m for status in ("pending", "sending", "sent") for m in OutboxMessage.by_status.query(status)]
    return [m for m in msgs if rule is None or m.rule == rule]


def _token(msg) -> str:
    url = re.search(r"https?://\S+/cancel\?token=\S+", msg.text).group(0)
    return parse_qs(urlparse(url).query)["token"][0]


# ----------------------------------------------------------------- locations
def test_a_manager_sets_hours_and_changes_them_at_the_version_read(lot):
    path = f"/orgs/{lot.oid}/booking-locations/main"
    status, loc = lot.manager.put(path, {**LOCATION, "slot_minutes": 30, "version": 1})
    assert status == 200 and loc["version"] == 2 and loc["slot_minutes"] == 30
    assert lot.manager.put(path, {**LOCATION, "version": 1})[0] == 409
    assert lot.manager.put(f"/orgs/{lot.oid}/booking-locations/new-site", {**LOCATION, "version": 3})[0] == 404
    status, listed = lot.staff.get(f"/orgs/{lot.oid}/booking-locations")
    assert status == 200 and [x["id"] for x in listed["items"]] == ["main"]
    assert lot.anon.get(f"/dealers/{lot.oid}/booking-locations")[1]["items"][0]["time_zone"] == "Europe/Berlin"


def test_staff_cannot_set_hours_and_outsiders_see_nothing(lot):
    path = f"/orgs/{lot.oid}/booking-locations/main"
    assert lot.staff.put(path, {**LOCATION, "version": 1})[0] == 403
    assert lot.outsider.put(path, {**LOCATION, "version": 1})[0] == 404
    assert lot.outsider.get(f"/orgs/{lot.oid}/booking-locations")[0] == 404
    assert lot.outsider.get(f"/orgs/{lot.oid}/bookings?location_id=main&day={DAY}")[0] == 404
    assert lot.anon.get(f"/orgs/{lot.oid}/booking-locations")[0] == 401


@pytest.mark.parametrize("change, field", [
    ({"hours": {"mon": [["17:00", "09:00"]]}}, "hours.mon"),
    ({"hours": {"tue": [["09:00", "12:00"], ["11:00", "14:00"]]}}, "hours.tue"),
    ({"hours": {"sun": [["09:00", "9:30"]]}}, "hours.sun.0.1"),
    ({"hours": {"someday": [["09:00", "12:00"]]}}, "hours.someday"),
    ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"slot_minutes": 20}, "slot_minutes"),
    ({"closed": ["2026-02-30"]}, "closed"),
    ({"kinds": ["valet"]}, "kinds.0"),
])
def test_bad_hours_are_refused_naming_the_field_and_nothing_is_written(lot, change, field):
    status, err = lot.manager.put(f"/orgs/{lot.oid}/booking-locations/second", {**LOCATION, **change})
    assert status == 400, err
    assert err["error"]["field"] == field
    assert lot.manager.get(f"/orgs/{lot.oid}/booking-locations")[1]["items"][0]["id"] == "main"


# ----------------------------------------------------------------- slots and booking
def test_free_slots_follow_the_hours_in_the_locations_time_zone(lot):
    status, slots = lot.slots()
    assert status == 200, slots
    assert [s["local"] for s in slots["free"]] == ["09:00", "10:00", "11:00", "13:00", "14:00", "15:00", "16:00"]
    assert slots["free"][0] == {"start": FIRST, "end": "2026-12-03T09:00:00Z", "local": "09:00"}
    assert lot.slots("2026-12-24")[1]["free"] == []  # closed
    assert lot.slots("2026-12-06")[1]["free"] == []  # a Sunday: not open
    assert lot.slots("2026-12-01")[1]["free"][0]["local"] == "10:00"  # today: 09:00 local has passed
    assert lot.slots("2027-06-21")[1]["free"] == []  # a Monday beyond the 120 days bookings open ahead


def test_a_booked_slot_is_gone_and_a_second_booking_of_it_is_refused(lot):
    status, b = lot.book()
    assert status == 201, b
    assert b["status"] == "confirmed" and b["start"] == FIRST and b["end"] == "2026-12-03T09:00:00Z"
    assert FIRST not in [s["start"] for s in lot.slots()[1]["free"]]
    assert FIRST in [s["start"] for s in lot.slots(kind="service")[1]["free"]]  # another kind's slot
    status, err = lot.book(email="dave@example.com")
    assert status == 409 and err["error"]["field"] == "start"
    assert len(outbox("booking:confirmed")) == 1


def test_the_confirmation_carries_a_calendar_invite_and_a_cancel_link(lot):
    from chalicelib.core.mailer import mime

    status, b = lot.book()
    assert status == 201
    (msg,) = outbox("booking:confirmed")
    assert msg.recipient == "carla@example.com" and "Chevrolet Malibu" in msg.text
    assert "Thursday 3 December 2026, 09:00 (Europe/Berlin)" in msg.subject
    parsed = email.message_from_bytes(mime(msg))
    (ics,) = [p for p in parsed.walk() if p.get_content_type() == "text/calendar"]
    assert ics.get_filename() == "booking.ics" and ics.get_param("method") == "PUBLISH"
    text = ics.get_payload(decode=True).decode()
    assert f"UID:{b['id']}@tally" in text and "DTSTART:20261203T080000Z" in text and "DTEND:20261203T090000Z" in text
    assert "cancel?token=" in msg.text and _token(msg)


def test_a_signed_in_customer_books_with_their_account(lot, client):
    customer = sign_up(client, "cust")
    status, b = customer.post(f"/dealers/{lot.oid}/bookings/mine",
                              {"kind": "service", "location_id": "main", "start": FIRST})
    assert status == 201, b
    assert b["customer_email"] == customer.email and b["kind"] == "service" and b["car_id"] is None
    assert lot.anon.post(f"/dealers/{lot.oid}/bookings/mine", {"kind": "service", "location_id": "main",
                                                               "start": "2026-12-03T09:00:00Z"})[0] == 401


@pytest.mark.parametrize("change, status, field", [
    ({"start": "2026-12-03T08:30:00Z"}, 400, "start"),  # not on the grid
    ({"start": "2026-12-03T11:00:00Z"}, 400, "start"),  # the lunch break (12:00 local)
    ({"start": "2026-11-30T09:00:00Z"}, 400, "start"),  # past
    ({"start": "2026-12-24T09:00:00Z"}, 400, "start"),  # closed
    ({"start": "2026-02-30T09:00:00Z"}, 400, "start"),  # no such day
    ({"start": "2026-12-03 08:00"}, 400, "start"),
    ({"car_id": None}, 400, "car_id"),  # a test drive names its car
    ({"car_id": str(uuid.uuid4())}, 404, "car_id"),
    ({"location_id": "elsewhere"}, 404, "location_id"),
    ({"kind": "valet"}, 400, "kind"),
    ({"email": "not-an-email"}, 400, "email"),
    ({"name": ""}, 400, "name"),
    ({"phone": "call me"}, 400, "phone"),
    ({"extra": 1}, 400, "extra"),
])
def test_bad_bookings_are_refused_naming_the_field_and_nothing_is_written(lot, change, status, field):
    got, err = lot.book(**change)
    assert got == status, err
    assert err["error"]["field"] == field
    assert outbox() == [] and len(lot.slots()[1]["free"]) == 7


def test_a_sold_car_cannot_be_test_driven(lot):
    assert lot.manager.put(f"/orgs/{lot.oid}/sales/{uuid.uuid4()}", {"car_id": lot.car_id, "price": "14000.00"})[0] == 201
    status, err = lot.book()
    assert status == 409 and err["error"]["field"] == "car_id"


# ----------------------------------------------------------------- cancelling
def test_the_customer_cancels_through_the_emailed_link_and_the_slot_is_free_again(lot):
    status, b = lot.book()
    (msg,) = outbox("booking:confirmed")
    token = _token(msg)
    path = f"/dealers/{lot.oid}/bookings/{b['id']}/cancel?token={token}"
    status, page = lot.anon.get(path)
    assert status == 200 and b"Cancel the booking" in page
    assert outbox("booking:cancelled") == []  # opening the link changes nothing
    status, page = lot.anon.post(path, raw=b"", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200 and b"cancelled" in page
    assert FIRST in [s["start"] for s in lot.slots()[1]["free"]]
    (cancelled,) = outbox("booking:cancelled")
    ics = cancelled.attachments[0]
    assert ics.content_type == "text/calendar; method=CANCEL" and "STATUS:CANCELLED" in ics.content
    assert lot.anon.post(path, raw=b"", headers={"Content-Type": "application/x-www-form-urlencoded"})[0] == 200
    assert len(outbox("booking:cancelled")) == 1  # a second click sends nothing
    assert lot.book(email="dave@example.com")[0] == 201  # someone else takes the slot


def test_a_wrong_cancel_link_is_404_naming_the_token(lot):
    status, b = lot.book()
    wrong = "x" * 32
    status, err = lot.anon.post(f"/dealers/{lot.oid}/bookings/{b['id']}/cancel?token={wrong}", {})
    assert status == 404 and err["error"]["field"] == "token"
    status, err = lot.anon.get(f"/dealers/{lot.oid}/bookings/{uuid.uuid4()}/cancel?token={wrong}")
    assert status == 404 and err["error"]["field"] == "token"
    assert FIRST not in [s["start"] for s in lot.slots()[1]["free"]]


def test_staff_see_the_days_bookings_and_cancel_one(lot):
    _, first = lot.book()
    _, second = lot.book(start="2026-12-03T09:00:00Z", kind="service", car_id=None)
    status, day = lot.staff.get(f"/orgs/{lot.oid}/bookings?location_id=main&day={DAY}")
    assert status == 200 and [b["id"] for b in day["items"]] == [first["id"], second["id"]]
    assert lot.outsider.post(f"/orgs/{lot.oid}/bookings/{first['id']}/cancel")[0] == 404
    status, out = lot.staff.post(f"/orgs/{lot.oid}/bookings/{first['id']}/cancel")
    assert status == 200 and out["status"] == "cancelled" and out["cancelled_by"] == "staff"
    assert [b["id"] for b in lot.staff.get(f"/orgs/{lot.oid}/bookings?location_id=main&day={DAY}")[1]["items"]] == [
        second["id"]]
    (msg,) = outbox("booking:cancelled")
    assert "We are sorry" in msg.text


# ----------------------------------------------------------------- reminders
def _run_reminders(client) -> dict:
    from chalicelib.core import clock
    from local.lambda_events import scheduled_event

    return client.lambda_.invoke("booking_reminders", scheduled_event(
        "booking_reminders", "us-east-1", clock.iso_now())).payload


def test_the_reminder_goes_once_a_day_before_and_not_for_a_cancelled_booking(lot, client):
    from chalicelib.core import clock

    _, kept = lot.book()
    _, dropped = lot.book(start="2026-12-03T09:00:00Z", email="dave@example.com")
    assert lot.staff.post(f"/orgs/{lot.oid}/bookings/{dropped['id']}/cancel")[0] == 200
    assert _run_reminders(client) == {"due": 0, "sent": 0}
    clock.set_now(datetime(2026, 12, 2, 8, 0, tzinfo=timezone.utc))  # 24 h before the kept one
    assert _run_reminders(client) == {"due": 1, "sent": 1}
    assert _run_reminders(client) == {"due": 0, "sent": 0}
    (msg,) = outbox("booking:reminder")
    assert msg.recipient == "carla@example.com" and msg.subject.startswith("Tomorrow")


def test_a_booking_made_less_than_a_day_ahead_gets_no_reminder(lot, client):
    from chalicelib.core import clock

    clock.set_now(datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc))
    assert lot.book()[0] == 201
    clock.set_now(datetime(2026, 12, 3, 7, 0, tzinfo=timezone.utc))
    assert _run_reminders(client) == {"due": 0, "sent": 0}


# ----------------------------------------------------------------- enquiries
def test_an_anonymous_enquiry_emails_the_dealers_managers_once_however_often_it_is_retried(lot):
    body = {"enquiry_id": str(uuid.uuid4()), "name": "Carla", "email": "carla@example.com",
            "message": "Is it still there?"}
    status, e = lot.anon.post(f"/dealers/{lot.oid}/cars/{lot.car_id}/enquiries", body)
    assert status == 201, e
    assert e["routed"] == "email" and e["ticket_id"] is None and e["id"] == body["enquiry_id"]
    sent = outbox("car:enquiry")
    assert sorted(m.recipient for m in sent) == sorted([lot.owner.email, lot.manager.email])
    assert all(m.reply_to == "carla@example.com" and "Is it still there?" in m.text for m in sent)
    # the same enquiry again (a retry after a lost answer): what was recorded, no email more
    assert lot.anon.post(f"/dealers/{lot.oid}/cars/{lot.car_id}/enquiries", body) == (200, e)
    assert len(outbox("car:enquiry")) == 2
    # another message under that id is refused, naming the id, and sends nothing
    status, err = lot.anon.post(f"/dealers/{lot.oid}/cars/{lot.car_id}/enquiries", {**body, "message": "Other"})
    assert status == 409 and err["error"]["field"] == "enquiry_id"
    assert len(outbox("car:enquiry")) == 2


def test_a_signed_in_enquiry_opens_a_help_desk_ticket_linked_to_the_car(client, alice, bob):
    from chalicelib.core import clock
    from tests.desks import make_desk

    clock.set_now(NOW)
    world = make_desk(client, alice, bob)
    status, car = world.manager.post(f"/orgs/{world.oid}/cars", CAR)
    assert status == 201
    body = {"enquiry_id": str(uuid.uuid4()), "message": "Can I see it on Saturday?"}
    status, e = world.customer.post(f"/dealers/{world.oid}/cars/{car['id']}/enquiries/mine", body)
    assert status == 201, e
    assert e["routed"] == "helpdesk"
    # a retry files no second ticket: the same ticket, and the customer has one request
    assert world.customer.post(f"/dealers/{world.oid}/cars/{car['id']}/enquiries/mine", body) == (200, e)
    status, mine = world.customer.get(f"/desks/{world.handle}/tickets")
    assert status == 200 and [t["id"] for t in mine["items"]] == [e["ticket_id"]], mine
    status, ticket = world.customer.get(f"/desks/{world.handle}/tickets/{e['ticket_id']}")
    assert status == 200, ticket
    assert ticket["link"] == {"kind": "car", "id": car["id"]} and ticket["subject"] == "Enquiry: 2019 Chevrolet Malibu"
    assert outbox("car:enquiry") == []


def test_a_signed_in_enquiry_without_a_desk_emails_the_dealer_and_bad_input_names_the_field(lot, client):
    customer = sign_up(client, "cust")
    path = f"/dealers/{lot.oid}/cars/{lot.car_id}/enquiries/mine"
    status, e = customer.post(path, {"enquiry_id": str(uuid.uuid4()), "message": "Price negotiable?"})
    assert status == 201 and e["routed"] == "email"
    assert all(m.reply_to == customer.email for m in outbox("car:enquiry"))
    assert customer.post(path, {"enquiry_id": str(uuid.uuid4()), "message": ""})[1]["error"]["field"] == "message"
    assert customer.post(path, {"message": "Hi"})[1]["error"]["field"] == "enquiry_id"
    assert customer.post(path, {"enquiry_id": "nope", "message": "Hi"})[1]["error"]["field"] == "enquiry_id"
    status, err = customer.post(f"/dealers/{lot.oid}/cars/{uuid.uuid4()}/enquiries/mine",
                                {"enquiry_id": str(uuid.uuid4()), "message": "Hi"})
    assert status == 404 and err["error"]["field"] == "car_id"
    assert lot.anon.post(path, {"enquiry_id": str(uuid.uuid4()), "message": "Hi"})[0] == 401
