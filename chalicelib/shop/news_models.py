"""The shop table's items for texts and new-product news (issue 13 items 6 and 7), beside models.py's
shop, listings and orders; keys and access patterns in docs/shop.md ("News and texts").

* Follow: pk ORG#o#FOLLOWER#<contact hash>, sk FOLLOW#<id>: one contact (an email, or an E.164 number
  for texts) following the shop, a category or a brand; every follow of one contact is one Query (the
  unsubscribe link ends them all). gsi1 (by_customer) ORG#o#FOLLOWERS#<target> / <contact hash>#<id>
  while confirmed (sparse: the launch job's recipients); gsi2 (by_time) ORG#o#FOLLOWS / <created_at>#<id>.
* Launch: pk ORG#o, sk LAUNCH#<product>; gsi3 (by_due) LAUNCH#<shard> / <launch_on>#<org>#<product>
  while not yet announced (the daily launch job's work list).
* NewsSent: pk ORG#o, sk NEWS#<day>#L#<contact hash> (the day's one launch message to a contact: its
  existence is the once-a-day rule) or NEWS#<day>#R#<contact hash>#<product> (a back-in-stock message).
* NewsMarker: pk ORG#o#NEWSTO#<contact hash>, sk PRODUCT#<product>: this contact had this launch.
* RestockWatch: pk ORG#o#RESTOCK#<product>, sk WATCH#<contact hash>; gsi3 RESTOCK#<shard> /
  <org>#<product>#<contact hash> while waiting.
* Inquiry: pk ORG#o, sk INQUIRY#<id>: a text from a customer the shop answers (no help desk).
"""
from __future__ import annotations

from pynamodb.attributes import ListAttribute, NumberAttribute, UnicodeAttribute

from ..core.keys import org_key, org_pk
from ..core.shards import shard_of
from .models import ShopTable


def follow_key(org_id: str, contact_hash: str, follow_id: str) -> tuple[str, str]:
    return org_key(org_id, "FOLLOWER", contact_hash), f"FOLLOW#{follow_id}"


def followers_index(org_id: str, target: str) -> str:
    return org_key(org_id, "FOLLOWERS", target)


def follows_index(org_id: str) -> str:
    return org_key(org_id, "FOLLOWS")


def launch_key(org_id: str, product_id: str) -> tuple[str, str]:
    return org_pk(org_id), f"LAUNCH#{product_id}"


def launch_due_keys(org_id: str, product_id: str, launch_on: str) -> tuple[str, str]:
    return f"LAUNCH#{shard_of(org_key(org_id, product_id))}", f"{launch_on}#{org_id}#{product_id}"


def news_key(org_id: str, day: str, kind: str, contact_hash: str, product_id: str = "") -> tuple[str, str]:
    return org_pk(org_id), f"NEWS#{day}#{kind}#{contact_hash}" + (f"#{product_id}" if product_id else "")


def marker_key(org_id: str, contact_hash: str, product_id: str) -> tuple[str, str]:
    return org_key(org_id, "NEWSTO", contact_hash), f"PRODUCT#{product_id}"


def watch_key(org_id: str, product_id: str, contact_hash: str) -> tuple[str, str]:
    return org_key(org_id, "RESTOCK", product_id), f"WATCH#{contact_hash}"


def watch_due_keys(org_id: str, product_id: str, contact_hash: str) -> tuple[str, str]:
    return f"RESTOCK#{shard_of(org_key(org_id, product_id))}", f"{org_id}#{product_id}#{contact_hash}"


def inquiry_key(org_id: str, inquiry_id: str) -> tuple[str, str]:
    return org_pk(org_id), f"INQUIRY#{inquiry_id}"


class Follow(ShopTable):
    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    target = UnicodeAttribute()  # shop | category:<slug> | brand:<brand, lower-cased>
    channel = UnicodeAttribute()  # email | sms
    email = UnicodeAttribute()  # the double opt-in goes here, whatever the channel
    phone = UnicodeAttribute(null=True)  # E.164, for channel sms
    contact = UnicodeAttribute()  # email:<address> | sms:<e164>
    contact_hash = UnicodeAttribute()
    status = UnicodeAttribute()  # pending → confirmed → unsubscribed
    link_key = UnicodeAttribute()  # hex, the HMAC key of its confirm and unsubscribe links
    source = UnicodeAttribute(default="storefront")
    created_at = UnicodeAttribute()
    confirmed_at = UnicodeAttribute(null=True)
    unsubscribed_at = UnicodeAttribute(null=True)


class Launch(ShopTable):
    org_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    launch_on = UnicodeAttribute()  # YYYY-MM-DD (UTC day)
    status = UnicodeAttribute(default="scheduled")  # scheduled | announced
    announced_at = UnicodeAttribute(null=True)
    recipients = NumberAttribute(default=0)
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class NewsSent(ShopTable):
    org_id = UnicodeAttribute()
    day = UnicodeAttribute()
    kind = UnicodeAttribute()  # launch | restock
    channel = UnicodeAttribute()
    recipient = UnicodeAttribute()
    product_ids = ListAttribute(of=UnicodeAttribute, default=list)
    outbox_id = UnicodeAttribute()
    created_at = UnicodeAttribute()


class NewsMarker(ShopTable):
    org_id = UnicodeAttribute()
    day = UnicodeAttribute()


class RestockWatch(ShopTable):
    org_id = UnicodeAttribute()
    product_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    contact = UnicodeAttribute()
    contact_hash = UnicodeAttribute()
    status = UnicodeAttribute(default="waiting")  # waiting | sent
    created_at = UnicodeAttribute()
    sent_at = UnicodeAttribute(null=True)


class Inquiry(ShopTable):
    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    phone = UnicodeAttribute()
    text = UnicodeAttribute()
    status = UnicodeAttribute(default="open")  # open | answered
    received_at = UnicodeAttribute()
    answer = UnicodeAttribute(null=True)
    answered_at = UnicodeAttribute(null=True)
    answered_by = UnicodeAttribute(null=True)
