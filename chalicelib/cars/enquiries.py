"""Enquiries from a car's page: a question about a car in stock.

Where the dealer has a help desk and the customer is signed in, the enquiry is a help desk ticket linked
to the car (`link.kind = car`), filed through the help desk's own service (`helpdesk.tickets.file_ticket`,
the public operation its routes call: routing to a team, assignment, the emails); the cars module never
touches the help desk's tables. Otherwise (no desk, or an anonymous customer, whom a ticket cannot
belong to) the dealer's managers get an email whose Reply-To is the customer. Either way an Enquiry
item (`kind` enquiry, with the car's make and model) is written for the trends rollups.

The enquiry's id is chosen by the client (a UUID), so a retried enquiry sends nothing twice: the ticket is
filed under that id (the help desk's own replay rule), each manager's email has a deterministic outbox id
from it (put once), and the Enquiry item is put if not exists. The same id again with the same car, person
and message answers what was recorded (`replayed`); with another body it is 409 naming `enquiry_id`.
"""
from __future__ import annotations

import re

from ..core import clock, orgs
from ..core.alerts import put_once
from ..core.auth import Principal
from ..core.db import find, put_if_new
from ..core.errors import Conflict
from ..helpdesk import desks as helpdesk_desks
from ..helpdesk import tickets as helpdesk_tickets
from ..helpdesk.schemas import LinkIn, TicketIn
from .models import Car, Enquiry, enquiry_key
from .notifications import enquiry_email
from .schemas import CarEnquiryOut
from .vehicles import get_car

ENQUIRABLE = ("in_stock", "reserved")
# A desk category an enquiry goes to, in this order of preference; else the desk's first category.
CATEGORY_PREFERENCE = ("sales", "cars", "vehicles", "enquiries", "general")


def _car_name(car: Car) -> str:
    return re.sub(r"[<>\x00-\x1f\x7f]", "", f"{car.first_registration[:4]} {car.make} {car.model}")


def _desk_category(org_id: str) -> tuple[str, str] | None:
    """(handle, category) of the dealer's help desk, or None when it has none (or no category)."""
    return helpdesk_desks.intake(org_id, CATEGORY_PREFERENCE)


def _replay(e: Enquiry, car_id: str, message: str, email: str, user: Principal | None) -> Enquiry:
    """An enquiry recorded before under this id: itself when the retry says the same, else 409."""
    same = (e.car_id, e.message, e.customer_email, e.customer_sub) == (car_id, message, email,
                                                                       user.sub if user else None)
    if not same:
        raise Conflict("another enquiry was sent with this id", field="enquiry_id")
    return e


def enquire(org_id: str, car_id: str, enquiry_id: str, message: str, name: str, email: str,
            user: Principal | None) -> tuple[Enquiry, bool]:
    """Send an enquiry about a car (a ticket or an email, as above) under the client's id and record it;
    (the enquiry, whether it was new). A retry of a recorded one sends nothing again."""
    recorded = find(Enquiry, *enquiry_key(org_id, enquiry_id))
    if recorded is not None:
        return _replay(recorded, car_id, message, email, user), False
    car = get_car(org_id, car_id)
    if car.status not in ENQUIRABLE:
        raise Conflict(f"the car is {car.status.replace('_', ' ')}", field="car_id")
    car_name = _car_name(car)
    desk = _desk_category(org_id) if user is not None else None
    ticket_id = None
    if desk is not None and user is not None:
        handle, category = desk
        ticket, _ = helpdesk_tickets.file_ticket(user, handle, enquiry_id, TicketIn(
            category=category, subject=f"Enquiry: {car_name}"[:200], description=message,
            link=LinkIn(kind="car", id=car.id)))
        ticket_id = ticket.id
    else:
        recipients = orgs.alert_recipients(org_id, "enquiry")
        for r in recipients:
            put_once(enquiry_email(org_id, enquiry_id, r.email, car_name, name, email, message))
    e = Enquiry(*enquiry_key(org_id, enquiry_id), id=enquiry_id, org_id=org_id, car_id=car.id, make=car.make,
                model=car.model, customer_name=name, customer_email=email, customer_sub=user.sub if user else None,
                message=message, routed="helpdesk" if ticket_id else "email", ticket_id=ticket_id,
                created_at=clock.iso_now())
    if put_if_new(e, hash_attr=Enquiry.sk):
        return e, True
    # the same enquiry arrived twice at once: the ticket and the emails were each written once above
    again = find(Enquiry, *enquiry_key(org_id, enquiry_id))
    assert again is not None
    return _replay(again, car_id, message, email, user), False


def enquiry_out(e: Enquiry) -> CarEnquiryOut:
    return CarEnquiryOut(id=e.id, car_id=e.car_id, routed=e.routed, ticket_id=e.ticket_id, created_at=e.created_at)
