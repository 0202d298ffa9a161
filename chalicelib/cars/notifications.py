"""The cars module's emails, as outbox messages (core.alerts): a booking's confirmation with its calendar
invite, its reminder the day before, its cancellation (with the invite withdrawn), and an enquiry to the
dealer where it has no help desk. Each has a deterministic id (`firing_id`), so it is written once,
whatever the retries; the outbox stream sends it (core.mailer)."""
from __future__ import annotations

import html
from datetime import timedelta
from urllib.parse import quote

from pynamodb.attributes import MapAttribute

from ..core import clock
from ..core.alert_rules import firing_id
from ..core.alerts import outbox_message
from ..core.keys import org_pk
from ..core.models import OutboxMessage
from ..core.settings import get_settings
from .models import Booking, BookingLocation
from .rules.bookings import (
    KIND_NAMES,
    BookingText,
    Hours,
    cancellation_text,
    confirmation_text,
    parse_iso,
    reminder_text,
    when_local,
)
from .rules.invite import FILENAME, InviteEvent, content_type, invite

ALERT_TYPE = "booking"


def hours_of(loc: BookingLocation) -> Hours:
    raw = loc.hours.as_dict() if isinstance(loc.hours, MapAttribute) else dict(loc.hours or {})
    return Hours(time_zone=loc.time_zone, slot_minutes=int(loc.slot_minutes),
                 weekly={str(d): [[str(a), str(b)] for a, b in p] for d, p in raw.items()},
                 closed=frozenset(str(c) for c in loc.closed or []))


def cancel_url(b: Booking) -> str:
    """The emailed link that cancels the booking: its random token proves it is the customer's."""
    return (f"{get_settings().api_url}/dealers/{quote(b.org_id)}/bookings/{quote(b.id)}/cancel?"
            f"token={quote(b.cancel_token)}")


def _text(b: Booking, loc: BookingLocation, dealer: str) -> BookingText:
    car = f"{b.make} {b.model}" if b.make and b.model else ""
    place = f"{loc.name}, {loc.address}" if loc.address else loc.name
    return BookingText(kind=b.booking_kind, dealer=dealer, location=place,
                       start_local=when_local(parse_iso(b.start), hours_of(loc)), car=car,
                       customer_name=b.customer_name)


def _invite(b: Booking, t: BookingText, cancelled: bool) -> dict[str, str]:
    event = InviteEvent(uid=f"{b.id}@tally", start=parse_iso(b.start), end=parse_iso(b.end),
                        summary=f"{KIND_NAMES[b.booking_kind].capitalize()} at {t.dealer}"
                                + (f": {t.car}" if t.car else ""),
                        location=t.location, description=f"Cancel: {cancel_url(b)}" if not cancelled else "",
                        stamp=clock.now().replace(microsecond=0))
    return {"filename": FILENAME, "content_type": content_type(cancelled), "content": invite(event, cancelled)}


def _html(text: str) -> str:
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in text.strip().split("\n\n"))


def _message(b: Booking, what: str, subject: str, text: str, attachment: dict[str, str] | None) -> OutboxMessage:
    return outbox_message(
        id=firing_id("booking", b.org_id, b.id, what), scope=org_pk(b.org_id), recipient=b.customer_email,
        alert_type=ALERT_TYPE, rule=f"booking:{what}", threshold=b.booking_kind, period=b.start[:10], value=None,
        subject=subject, text=text, html=_html(text),
        details={"org_id": b.org_id, "booking_id": b.id, "location_id": b.location_id, "start": b.start},
        attachments=[attachment] if attachment else None)


def confirmation(b: Booking, loc: BookingLocation, dealer: str) -> OutboxMessage:
    t = _text(b, loc, dealer)
    subject, text = confirmation_text(t, cancel_url(b))
    return _message(b, "confirmed", subject, text, _invite(b, t, cancelled=False))


def reminder(b: Booking, loc: BookingLocation, dealer: str) -> OutboxMessage:
    t = _text(b, loc, dealer)
    subject, text = reminder_text(t, cancel_url(b))
    return _message(b, "reminder", subject, text, None)


def cancellation(b: Booking, loc: BookingLocation, dealer: str, by_customer: bool) -> OutboxMessage:
    t = _text(b, loc, dealer)
    subject, text = cancellation_text(t, by_customer)
    return _message(b, "cancelled", subject, text, _invite(b, t, cancelled=True))


def enquiry_email(org_id: str, enquiry_id: str, recipient: str, car: str, name: str, email: str,
                  message: str) -> OutboxMessage:
    """An enquiry from a car's page to one of the dealer's managers; a reply goes to the customer."""
    subject = f"Enquiry about the {car} from {name}"
    text = f"{name} <{email}> asks about the {car}:\n\n{message}\n\nReply to this email to answer them.\n"
    return outbox_message(
        id=firing_id("enquiry", org_id, enquiry_id, recipient), scope=org_pk(org_id), recipient=recipient,
        alert_type="enquiry", rule="car:enquiry", threshold="", period=clock.now().date().isoformat(), value=None,
        subject=subject, text=text, html=_html(text), details={"org_id": org_id, "enquiry_id": enquiry_id},
        reply_to=email)


def slot_end(start: str, minutes: int) -> str:
    return (parse_iso(start) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
