"""Enquiries from a car's page: a question about a car in stock.

Where the dealer has a help desk and the customer is signed in, the enquiry is a help desk ticket linked
to the car (`link.kind = car`), filed through the help desk's own service (`helpdesk.tickets.file_ticket`,
the public operation its routes call: routing to a team, assignment, the emails); the cars module never
touches the help desk's tables. Otherwise (no desk, or an anonymous customer, whom a ticket cannot
belong to) the dealer's managers get an email whose Reply-To is the customer. Either way an Enquiry
item (`kind` enquiry, with the car's make and model) is written for the trends rollups.
"""
from __future__ import annotations

import re
import uuid

from ..core import clock, orgs
from ..core.alerts import put_once
from ..core.auth import Principal
from ..core.db import put_if_new
from ..core.errors import Conflict, NotFound
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
    try:
        desk = helpdesk_desks.get_desk(org_id)
    except NotFound:
        return None
    slugs = [c.slug for c in desk.categories]
    if not slugs:
        return None
    return desk.handle, next((s for s in CATEGORY_PREFERENCE if s in slugs), slugs[0])


def enquire(org_id: str, car_id: str, message: str, name: str, email: str, user: Principal | None) -> Enquiry:
    """Send an enquiry about a car (a ticket or an email, as above) and record it."""
    car = get_car(org_id, car_id)
    if car.status not in ENQUIRABLE:
        raise Conflict(f"the car is {car.status.replace('_', ' ')}", field="car_id")
    enquiry_id, car_name = str(uuid.uuid4()), _car_name(car)
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
    put_if_new(e, hash_attr=Enquiry.sk)
    return e


def enquiry_out(e: Enquiry) -> CarEnquiryOut:
    return CarEnquiryOut(id=e.id, car_id=e.car_id, routed=e.routed, ticket_id=e.ticket_id, created_at=e.created_at)
