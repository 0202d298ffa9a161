"""The shop's customer emails, built from stream images: one on every status an order reaches
(placed included), each under a deterministic outbox id, so a replayed record sends nothing twice.

Texts (SMS) to customers who opted in (`sms_opt_in`, with when and where) are shop.texts', on the
outbox's sms channel.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..core.alert_rules import firing_id
from ..core.alerts import outbox_message
from ..core.keys import org_pk
from ..core.models import OutboxMessage
from .rules.orders import OrderView, status_email

Image = dict[str, Any]


def is_order(image: Image | None) -> bool:
    return bool(image) and image.get("sk") == "ORDER"  # type: ignore[union-attr]


def _view(o: Image) -> OrderView:
    lines = tuple((str(ln.get("name") or ln.get("sku") or ln.get("product_id")), Decimal(str(ln["quantity"])))
                  for ln in o.get("lines") or [])
    return OrderView(id=str(o["id"]), shop_name=str(o.get("shop_name") or "Shop"),
                     customer_name=str(o.get("customer_name") or "there"), status=str(o["status"]),
                     fulfilment=str(o["fulfilment"]), total=Decimal(str(o["total"])), currency=str(o["currency"]),
                     lines=lines, cancel_reason=o.get("cancel_reason"))


def order_emails(old: Image | None, new: Image | None) -> list[OutboxMessage]:
    """The customer's email when an order is placed or its status changes (nothing for other edits)."""
    if new is None or (old is not None and old.get("status") == new.get("status")):
        return []
    view = _view(new)
    subject, text, html = status_email(view)
    org_id = str(new["org_id"])
    return [outbox_message(
        id=firing_id("shop", org_id, view.id, "status", view.status), scope=org_pk(org_id),
        recipient=str(new["customer_email"]), alert_type="shop", rule=f"order:{view.status}",
        threshold=view.status, period=str(new.get("updated_at") or "")[:10], value=view.total,
        subject=subject, text=text, html=html,
        details={"org_id": org_id, "order_id": view.id, "status": view.status, "channel": "email"})]
