"""Twenty people booking one test-drive slot at the same moment, against the running local stack over
real HTTP: exactly one booking wins, every other answer is a 409 naming `start`, the slot is gone from the
free list, and only the winner gets the confirmation email (sent through SES, with its calendar invite)."""
from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

from tests.e2e.http import call
from tests.e2e.test_local_stack import mails_to, sign_in, wait_for

EVERY_DAY = {d: [["08:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def _dealer(api: str) -> tuple[str, str, str]:
    email, password = f"dealer-{uuid.uuid4().hex[:8]}@example.com", "Passw0rd!long"
    assert call("POST", f"{api}/auth/sign-up", {"email": email, "password": password, "name": "Dee"})[0] == 201
    token = sign_in(api, email, password)
    oid = call("POST", f"{api}/orgs", {"name": "Rush Motors"}, token)[1]["org_id"]
    status, loc, _ = call("PUT", f"{api}/orgs/{oid}/booking-locations/main", {
        "name": "Main lot", "time_zone": "UTC", "slot_minutes": 60, "kinds": ["test_drive"], "hours": EVERY_DAY},
        token)
    assert status == 201, loc
    status, car, _ = call("POST", f"{api}/orgs/{oid}/cars", {
        "vin": "WVWZZZ1JZ3W386752", "make": "Volkswagen", "model": "Golf", "body_type": "hatchback",
        "first_registration": "2020-03", "mileage": 30000, "fuel": "petrol", "gearbox": "manual",
        "asking_price": "17900.00", "currency": "EUR"}, token)
    assert status == 201, car
    return token, oid, car["id"]


def test_twenty_simultaneous_bookings_of_one_slot(local_stack):
    api = local_stack["api_url"]
    _token, oid, car_id = _dealer(api)
    day = (datetime.now(timezone.utc) + timedelta(days=7)).date().isoformat()
    start = f"{day}T10:00:00Z"
    slots = call("GET", f"{api}/dealers/{oid}/booking-locations/main/slots?day={day}&kind=test_drive")[1]
    assert start in [s["start"] for s in slots["free"]]
    people = [f"buyer-{i}-{uuid.uuid4().hex[:6]}@example.com" for i in range(20)]

    def book(email: str) -> tuple[int, dict]:
        status, out, _h = call("POST", f"{api}/dealers/{oid}/bookings", {
            "kind": "test_drive", "location_id": "main", "start": start, "car_id": car_id, "name": "Buyer",
            "email": email})
        return status, out

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(book, people))
    statuses = sorted(s for s, _ in results)
    assert statuses.count(201) == 1 and statuses.count(409) == 19, statuses
    assert all(out["error"]["field"] == "start" for s, out in results if s == 409)
    (winner,) = [email for email, (s, _) in zip(people, results) if s == 201]
    slots = call("GET", f"{api}/dealers/{oid}/booking-locations/main/slots?day={day}&kind=test_drive")[1]
    assert start not in [s["start"] for s in slots["free"]]

    sent = wait_for(lambda: [m for m in mails_to(local_stack, winner) if m["status"] == "sent"], timeout=60)
    assert len(sent) == 1 and sent[0]["attachments"] == ["booking.ics"] and sent[0]["ses_message_id"]
    assert all(mails_to(local_stack, email) == [] for email in people if email != winner)
