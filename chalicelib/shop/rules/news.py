"""Pure rules of the shop's texts and new-product news: what an order's text says, who follows what,
the signed links of a follow, and what one customer's launch digest says. No AWS, no clock."""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass

from ...core.errors import InvalidInput
from .orders import REASONS, SAYS, OrderView

FOLLOW_KINDS = ("shop", "category", "brand")
CHANNELS = ("email", "sms")
STOP_LINE = "Reply STOP to opt out."


def order_text(o: OrderView) -> str:
    """An order's status as one text (well under one 160-character segment for most shops)."""
    ref = o.id[:8].upper()
    line = SAYS[o.status].format(ref=ref)
    if o.status == "cancelled" and o.cancel_reason in REASONS:
        line += " " + REASONS[o.cancel_reason]
    return f"{o.shop_name}: {line} {STOP_LINE}"


def brand_key(brand: str) -> str:
    """A brand as followers name it: case and surrounding spaces do not matter."""
    return " ".join(brand.split()).lower()


def target_of(kind: str, category: str | None, brand: str | None, categories: Iterable[str]) -> str:
    """What a follow follows, as a key: `shop`, `category:<slug>` or `brand:<brand>`; 400 naming the
    field that is missing, unknown (a category the shop does not have) or not wanted."""
    if kind == "shop":
        if category or brand:
            raise InvalidInput("following the whole shop takes no category or brand",
                               field="category" if category else "brand")
        return "shop"
    if kind == "category":
        if not category:
            raise InvalidInput("name the category to follow", field="category")
        if category not in set(categories):
            raise InvalidInput(f"the shop has no category {category!r}", field="category")
        return f"category:{category}"
    if kind == "brand":
        if not brand or not brand_key(brand):
            raise InvalidInput("name the brand to follow", field="brand")
        return f"brand:{brand_key(brand)}"
    raise InvalidInput(f"follow one of {', '.join(FOLLOW_KINDS)}", field="kind")


def targets_of_product(category: str | None, brand: str | None) -> list[str]:
    """The follow targets a product's launch reaches: the shop, its category, its brand."""
    out = ["shop"]
    if category:
        out.append(f"category:{category}")
    if brand and brand_key(brand):
        out.append(f"brand:{brand_key(brand)}")
    return out


def contact_of(channel: str, email: str, phone: str | None) -> str:
    """Who a message goes to, as one key: `email:<address>` or `sms:<e164>` (one message a day each)."""
    return f"sms:{phone}" if channel == "sms" and phone else f"email:{email.lower()}"


def contact_hash(contact: str) -> str:
    return hashlib.sha256(contact.encode()).hexdigest()[:24]


def link_signature(key: str, action: str, org_id: str, follow_id: str) -> str:
    """HMAC-SHA256 of what a follow's link does (`confirm`, `unsubscribe`) under the follow's own key."""
    return hmac.new(bytes.fromhex(key), f"{action}|{org_id}|{follow_id}".encode(), hashlib.sha256).hexdigest()


def link_ok(key: str, action: str, org_id: str, follow_id: str, signature: str) -> bool:
    return hmac.compare_digest(link_signature(key, action, org_id, follow_id), signature or "")


@dataclass(frozen=True)
class LaunchView:
    product_id: str
    name: str
    price: str  # formatted, with currency


def digest(shop_name: str, launches: list[LaunchView], channel: str, storefront_url: str,
           unsubscribe_url: str | None) -> tuple[str, str, str]:
    """(subject, text, html) of one customer's news of the day: one launch, or several as one digest."""
    from html import escape

    if len(launches) == 1:
        subject = f"{shop_name}: new, {launches[0].name}"
    else:
        subject = f"{shop_name}: {len(launches)} new products"
    if channel == "sms":
        names = ", ".join(f"{x.name} {x.price}" for x in launches)
        return subject, f"{shop_name} new: {names}. {storefront_url} {STOP_LINE}", ""
    rows = "\n".join(f"  {x.name}: {x.price}  {storefront_url}/p/{x.product_id}" for x in launches)
    text = f"Hello,\n\nNew at {shop_name}:\n\n{rows}\n\nYou follow {shop_name}'s news.\n"
    html = (f"<p>New at {escape(shop_name)}:</p><ul>"
            + "".join(f'<li><a href="{escape(storefront_url)}/p/{escape(x.product_id)}">{escape(x.name)}</a>'
                      f" {escape(x.price)}</li>" for x in launches) + "</ul>")
    if unsubscribe_url:
        text += f"Unsubscribe: {unsubscribe_url}\n"
        html += f'<p style="font-size:small"><a href="{escape(unsubscribe_url)}">Unsubscribe</a></p>'
    return subject, text, html


def restock_message(shop_name: str, name: str, channel: str, url: str) -> tuple[str, str, str]:
    from html import escape

    subject = f"{shop_name}: {name} is back in stock"
    if channel == "sms":
        return subject, f"{shop_name}: {name} is back in stock. {url} {STOP_LINE}", ""
    return (subject, f"Hello,\n\n{name} is back in stock at {shop_name}:\n{url}\n\nYou asked to be told once.\n",
            f'<p>{escape(name)} is back in stock at {escape(shop_name)}: <a href="{escape(url)}">see it</a>.</p>'
            "<p>You asked to be told once.</p>")


def confirm_message(shop_name: str, what: str, confirm_url: str) -> tuple[str, str, str]:
    from html import escape

    subject = f"{shop_name}: confirm you want news of {what}"
    text = (f"Hello,\n\nSomeone (we hope you) asked for news of {what} from {shop_name}.\n"
            f"Confirm: {confirm_url}\n\nIf it was not you, ignore this email: nothing will be sent.\n")
    html = (f"<p>Someone (we hope you) asked for news of {escape(what)} from {escape(shop_name)}.</p>"
            f'<p><a href="{escape(confirm_url)}">Confirm</a></p><p>If it was not you, ignore this email.</p>')
    return subject, text, html
