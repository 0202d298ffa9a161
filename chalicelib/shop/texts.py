"""The shop's texts (issue 13 item 7): an SMS beside the email on every order status for a customer
who opted in at checkout, and customers' texted inquiries.

* **Order texts** (`order_texts`, from the shop stream like the emails): the order's opt-in (number,
  time, source) is recorded on the number's consent item when the order is first seen, then each
  status is one outbox message with `channel = sms` under `firing_id("shop", org, order, "sms",
  status)`, put once. core.mailer sends it through SNS, unless the number has since texted STOP or
  reached its daily cap (then it is `skipped`).
* **Inquiries** (`receive_inquiry`, called by core.sms for a received text that is not a keyword):
  the shop it is for is the one whose handle is the text's first word, else the one that last texted
  the number. Where that organisation has a help desk, the text becomes a ticket through the help
  desk's own filing service (as a car enquiry does), its customer `sms:<number>`; otherwise it is an
  Inquiry the shop's staff answer (`answer`: the answer goes back as a text).
"""
from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any

from ..core import clock
from ..core.alert_rules import firing_id
from ..core.auth import Principal
from ..core.db import find, put_if_new, update_if
from ..core.errors import InvalidInput, NotFound
from ..core.keys import org_pk
from ..core.models import OutboxMessage
from ..core.phones import masked
from ..core.sms import InboundSms, consent, record_opt_in, sms_message
from ..helpdesk import desks as helpdesk_desks
from ..helpdesk import tickets as helpdesk_tickets
from ..helpdesk.schemas import TicketIn
from ..core.alerts import put_once
from .models import Shop, ShopHandleClaim, shop_handle_key, shop_key
from .news_models import Inquiry, inquiry_key
from .schemas import InquiriesOut, InquiryOut
from .rules.news import order_text
from .rules.orders import OrderView

Image = dict[str, Any]
INQUIRY_NAMESPACE = uuid.UUID("0f6b1e7a-42c3-4d8e-b5a9-7c2e9d1f3a60")
CATEGORY_PREFERENCE = ("sms", "shop", "orders", "sales", "general")


def order_view(o: Image) -> OrderView:
    return OrderView(id=str(o["id"]), shop_name=str(o.get("shop_name") or "Shop"),
                     customer_name=str(o.get("customer_name") or "there"), status=str(o["status"]),
                     fulfilment=str(o["fulfilment"]), total=Decimal(str(o["total"])), currency=str(o["currency"]),
                     lines=(), cancel_reason=o.get("cancel_reason"))


def order_texts(old: Image | None, new: Image | None) -> list[OutboxMessage]:
    """The customer's text when an order is placed or its status changes, if they opted in at checkout
    (their consent is recorded when the order is first seen, with its own time and source)."""
    if new is None or not new.get("sms_opt_in") or not new.get("phone"):
        return []
    if old is not None and old.get("status") == new.get("status"):
        return []
    phone, org_id = str(new["phone"]), str(new["org_id"])
    if old is None:
        record_opt_in(phone, f"shop-{new.get('sms_opt_in_source') or 'checkout'}:{org_id}",
                      str(new.get("sms_opt_in_at") or new.get("created_at") or clock.iso_now()))
    view = order_view(new)
    return [sms_message(
        id=firing_id("shop", org_id, view.id, "sms", view.status), scope=org_pk(org_id), phone=phone,
        alert_type="shop", rule=f"order:{view.status}", text=order_text(view),
        period=str(new.get("updated_at") or "")[:10],
        details={"org_id": org_id, "order_id": view.id, "status": view.status})]


# ------------------------------------------------------------------ inquiries
def _shop_of(sms: InboundSms) -> tuple[Shop, str] | None:
    """(shop, text) of a received text: the handle its first word names, else the sender's last shop."""
    first, _, rest = sms.text.strip().partition(" ")
    claim = find(ShopHandleClaim, *shop_handle_key(first.lower())) if 3 <= len(first) <= 40 else None
    if claim is not None and rest.strip():
        shop = find(Shop, *shop_key(claim.org_id))
        if shop is not None:
            return shop, rest.strip()
    if sms.last_scope and sms.last_scope.startswith("ORG#"):
        shop = find(Shop, *shop_key(sms.last_scope.removeprefix("ORG#")))
        if shop is not None:
            return shop, sms.text.strip()
    return None


def _desk(org_id: str) -> tuple[str, str] | None:
    return helpdesk_desks.intake(org_id, CATEGORY_PREFERENCE)


def receive_inquiry(sms: InboundSms) -> str:
    """A customer's text: a help desk ticket, a stored inquiry, or dropped (no shop to route it to).
    Once per received text (ids from its inbound id). Texting the shop is consent to its answers."""
    found = _shop_of(sms)
    if found is None:
        return "dropped"
    shop, text = found
    if consent(sms.sender) is None:
        record_opt_in(sms.sender, f"sms-inquiry:{shop.org_id}", sms.received_at)
    item_id = str(uuid.uuid5(INQUIRY_NAMESPACE, sms.message_id))
    desk = _desk(shop.org_id)
    if desk is not None:
        handle, category = desk
        caller = Principal(sub=f"sms:{sms.sender}", email="")
        one_line = re.sub(r"[\x00-\x1f\x7f<>]+", " ", " ".join(text.split()))  # a subject is one line of plain text
        subject = f"Text from {masked(sms.sender)}: {one_line}"[:120].strip()
        helpdesk_tickets.file_ticket(caller, handle, item_id, TicketIn(
            category=category, subject=subject,
            description=f"Texted by {sms.sender} to {shop.name} at {sms.received_at}:\n\n{text}"))
        return "ticket"
    put_if_new(Inquiry(*inquiry_key(shop.org_id, item_id), id=item_id, org_id=shop.org_id, phone=sms.sender,
                       text=text, status="open", received_at=sms.received_at), hash_attr=Inquiry.sk)
    return "inquiry"


def inquiry_out(i: Inquiry) -> InquiryOut:
    return InquiryOut(id=i.id, phone=i.phone, text=i.text, status=i.status, received_at=i.received_at,
                      answer=i.answer, answered_at=i.answered_at)


def inquiries(org_id: str) -> InquiriesOut:
    items = sorted(Inquiry.query(org_pk(org_id), Inquiry.sk.startswith("INQUIRY#")),
                   key=lambda i: i.received_at, reverse=True)
    return InquiriesOut(items=[inquiry_out(i) for i in items])


def answer(org_id: str, inquiry_id: str, text: str, by: str) -> Inquiry:
    """Answer an open inquiry by text (once: a second answer is 409 `status`)."""
    from ..core.errors import Conflict

    i = find(Inquiry, *inquiry_key(org_id, inquiry_id))
    if i is None:
        raise NotFound("no such inquiry", field="inquiry_id")
    if not text.strip():
        raise InvalidInput("write an answer", field="text")
    shop = find(Shop, *shop_key(org_id))
    body = f"{shop.name if shop else 'Shop'}: {text.strip()}"
    update_if(i, [Inquiry.status.set("answered"), Inquiry.answer.set(text.strip()),
                  Inquiry.answered_at.set(clock.iso_now()), Inquiry.answered_by.set(by)],
              Inquiry.status == "open", lambda: Conflict("this inquiry was answered already", field="status"))
    put_once(sms_message(id=firing_id("shop-inquiry", org_id, i.id, "answer"), scope=org_pk(org_id), phone=i.phone,
                         alert_type="shop", rule="inquiry:answer", text=body, period=str(i.answered_at)[:10],
                         details={"org_id": org_id, "inquiry_id": i.id}))
    return i
