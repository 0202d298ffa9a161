"""New-product news (issue 13 item 6): follows with double opt-in, launches announced once a day per
customer, and "notify me" when an out-of-stock product is back.

* **Follow** (`follow`): a contact (an email, or an E.164 number for texts) follows the shop, a
  category or a brand. The follow is written `pending` and a confirmation email goes to the address
  with a link signed by the follow's own random key (HMAC-SHA256); only `confirm` puts it on the
  followers index. Following again is the same follow (its id is derived from shop, target and contact).
  A text follower's consent is recorded in core.sms when they confirm.
* **Launch** (`set_launch`): a product's launch day puts it on the sparse `by_due` list; the daily job
  (`announce_due`) takes every launch due, finds the followers of the shop, the product's category and
  its brand, and sends each contact **one** message that day listing all their new products (a digest
  when several). The day's message, the contact's per-product markers and the outbox message are one
  transaction, each put only if new: a rerun sends nothing twice, and a contact who already had
  today's message keeps the rest for tomorrow (the launch stays on the list until everyone had it).
* **Back in stock** (`watch_restock`, `restock_due`): a request per contact and product, on a sparse
  list while waiting; a sweep reads each watched product's availability through inventory's public
  service and, when a location has it, sends each watcher one message (put once) and takes them off.
"""
from __future__ import annotations

import secrets
import uuid
from collections import defaultdict
from collections.abc import Iterable

from pynamodb.exceptions import TransactWriteError

from ..core import clock
from ..core.alert_rules import firing_id
from ..core.alerts import outbox_message, put_once
from ..core.db import find, put_if_new, transaction, update_if
from ..core.errors import InvalidInput, NotFound
from ..core.keys import org_pk
from ..core.models import OutboxMessage
from ..core.money import fmt_unit_price
from ..core.phones import e164, masked
from ..core.settings import get_settings
from ..core.sms import record_opt_in, sms_message
from ..inventory import availability, catalogue
from .listings import listings_by_product
from .models import Listing, Shop
from .news_models import (
    Follow,
    Launch,
    NewsMarker,
    NewsSent,
    RestockWatch,
    follow_key,
    followers_index,
    follows_index,
    launch_due_keys,
    launch_key,
    marker_key,
    news_key,
    watch_due_keys,
    watch_key,
)
from .schemas import (
    FollowerOut,
    FollowersOut,
    FollowIn,
    FollowOut,
    LaunchOut,
    NewsSentListOut,
    NewsSentOut,
    NotifyIn,
    NotifyOut,
)
from .rules import news as rules
from .shops import get_shop, storefront_link

NEWS_NAMESPACE = uuid.UUID("5b0c7f2e-8a51-4c36-9d0e-3f7a2b6c1d84")


def _link(shop: Shop, action: str, f: Follow) -> str:
    sig = rules.link_signature(f.link_key, action, shop.org_id, f.id)
    return f"{get_settings().api_url}/shops/{shop.handle}/follows/{action}?c={f.contact_hash}&f={f.id}&s={sig}"


def _contact(channel: str, email: str | None, phone: str | None) -> tuple[str, str | None]:
    """(contact key, E.164 number or None): 400 naming `phone` or `email` when the channel lacks it."""
    if channel == "sms":
        if not phone:
            raise InvalidInput("texts need a phone number", field="phone")
        number = e164(phone)
        return rules.contact_of("sms", email or "", number), number
    if not email:
        raise InvalidInput("emails need an address", field="email")
    return rules.contact_of("email", email, None), None


# ------------------------------------------------------------------ follows
def follow(shop: Shop, data: FollowIn) -> Follow:
    """A pending follow and its confirmation email (both once); an existing follow as it is (a
    confirmed one stays confirmed; an unsubscribed one is asked to confirm again)."""
    target = rules.target_of(data.kind, data.category, data.brand, [c.slug for c in shop.categories])
    contact, number = _contact(data.channel, data.email, data.phone)
    chash = rules.contact_hash(contact)
    fid = str(uuid.uuid5(NEWS_NAMESPACE, f"follow|{shop.org_id}|{target}|{contact}"))
    now = clock.iso_now()
    f = Follow(*follow_key(shop.org_id, chash, fid), id=fid, org_id=shop.org_id, target=target,
               channel=data.channel, email=data.email.lower(), phone=number, contact=contact, contact_hash=chash,
               status="pending", link_key=secrets.token_hex(32), created_at=now,
               gsi2pk=follows_index(shop.org_id), gsi2sk=f"{now}#{fid}")
    round_ = ""  # a follow restarted after an unsubscribe asks again, under a new confirmation email
    if not put_if_new(f, hash_attr=Follow.sk):
        existing = Follow.get(*follow_key(shop.org_id, chash, fid))
        if existing.status != "unsubscribed":
            return existing
        round_ = str(existing.unsubscribed_at)
        update_if(existing, [Follow.status.set("pending"), Follow.unsubscribed_at.remove()],
                  Follow.status == "unsubscribed")
        f = existing
    what = {"shop": shop.name}.get(target) or target.split(":", 1)[1]
    subject, text, html = rules.confirm_message(shop.name, what, _link(shop, "confirm", f))
    put_once(outbox_message(
        id=firing_id("shop-follow", shop.org_id, f.id, "confirm", f.created_at, round_),
        scope=org_pk(shop.org_id), recipient=f.email, alert_type="shop-news", rule="follow:confirm",
        threshold=target, period=now[:10], value=None, subject=subject, text=text, html=html,
        details={"org_id": shop.org_id, "follow_id": f.id, "channel": "email"}))
    return f


def target_name(target: str) -> str:
    """A follow's target as a person reads it."""
    if target == "shop":
        return "the whole shop"
    kind, _, value = target.partition(":")
    return f"the {kind} {value}"


def signed_follow(shop: Shop, action: str, contact_hash: str, follow_id: str, signature: str) -> Follow:
    """The follow a signed link names, or 404 `s` (the signature is checked against its own key)."""
    f = find(Follow, *follow_key(shop.org_id, contact_hash, follow_id))
    if f is None or not rules.link_ok(f.link_key, action, shop.org_id, f.id, signature):
        raise NotFound("this link is not valid", field="s")
    return f


def confirm(shop: Shop, contact_hash: str, follow_id: str, signature: str) -> Follow:
    """The double opt-in's second step: the follow joins its target's followers (once); a text
    follower's consent is recorded (source `shop-follow:<org>`)."""
    f = signed_follow(shop, "confirm", contact_hash, follow_id, signature)
    if f.status == "confirmed":
        return f
    if f.status == "unsubscribed":
        raise InvalidInput("this follow was ended: follow again to restart it", field="f")
    now = clock.iso_now()
    if f.channel == "sms" and f.phone:
        record_opt_in(f.phone, f"shop-follow:{shop.org_id}", now)
    update_if(f, [Follow.status.set("confirmed"), Follow.confirmed_at.set(now),
                  Follow.gsi1pk.set(followers_index(shop.org_id, f.target)),
                  Follow.gsi1sk.set(f"{f.contact_hash}#{f.id}")], Follow.status == "pending")
    return f


def unsubscribe(shop: Shop, contact_hash: str, follow_id: str, signature: str) -> int:
    """End every follow of this contact at this shop (the link of any of them proves the contact)."""
    signed_follow(shop, "unsubscribe", contact_hash, follow_id, signature)
    now, ended = clock.iso_now(), 0
    pk = follow_key(shop.org_id, contact_hash, follow_id)[0]
    for f in Follow.query(pk, Follow.sk.startswith("FOLLOW#")):
        if f.status != "unsubscribed":
            ended += update_if(f, [Follow.status.set("unsubscribed"), Follow.unsubscribed_at.set(now),
                                   Follow.gsi1pk.remove(), Follow.gsi1sk.remove()], Follow.status == f.status)
    return ended


def follow_out(f: Follow) -> FollowOut:
    return FollowOut(follow_id=f.id, target=f.target, channel=f.channel, status=f.status)


def followers(org_id: str, limit: int = 500) -> FollowersOut:
    """The shop's follows, newest first, with the confirmed count per target (one Query of by_time)."""
    items = list(Follow.by_time.query(follows_index(org_id), scan_index_forward=False, limit=limit))
    counts: dict[str, int] = defaultdict(int)
    for f in items:
        if f.status == "confirmed":
            counts[f.target] += 1
    return FollowersOut(items=[FollowerOut(
        id=f.id, target=f.target, channel=f.channel, email=f.email, phone=masked(f.phone) if f.phone else None,
        status=f.status, created_at=f.created_at, confirmed_at=f.confirmed_at) for f in items], counts=dict(counts))


def news_sent(org_id: str, limit: int) -> NewsSentListOut:
    """Messages of news sent, newest day first (one Query on the shop's partition)."""
    items = list(NewsSent.query(org_pk(org_id), NewsSent.sk.startswith("NEWS#"), scan_index_forward=False,
                                limit=limit))
    return NewsSentListOut(items=[NewsSentOut(
        day=n.day, kind=n.kind, channel=n.channel,
        recipient=masked(n.recipient) if n.channel == "sms" else n.recipient,
        product_ids=[str(p) for p in n.product_ids], created_at=n.created_at) for n in items])


# ------------------------------------------------------------------ launches
def set_launch(org_id: str, product_id: str, launch_on: str) -> Launch:
    """A listed product's launch day (its news goes out on the day's run, or the next if later);
    moving it while not yet announced moves it on the list. 404 `product_id` without a listing."""
    from datetime import date

    try:
        date.fromisoformat(launch_on)
    except ValueError:
        raise InvalidInput("a date such as 2026-12-01", field="launch_on") from None
    get_shop(org_id)
    if not listings_by_product(org_id, {product_id}):
        raise NotFound("list the product in the shop first", field="product_id")
    now = clock.iso_now()
    existing = find(Launch, *launch_key(org_id, product_id))
    if existing is not None and existing.status == "announced":
        raise InvalidInput("this product's launch was announced already", field="launch_on")
    pk, sk = launch_due_keys(org_id, product_id, launch_on)
    launch = Launch(*launch_key(org_id, product_id), org_id=org_id, product_id=product_id, launch_on=launch_on,
                    status="scheduled", version=(existing.version + 1) if existing else 1,
                    created_at=existing.created_at if existing else now, updated_at=now, gsi3pk=pk, gsi3sk=sk)
    cond = (Launch.version == existing.version) & (Launch.status == "scheduled") if existing else Launch.sk.does_not_exist()
    from ..core.db import save_if
    from ..core.errors import Conflict

    save_if(launch, cond, lambda: Conflict("the launch changed meanwhile: try again", field="launch_on"))
    return launch


def launch_out(launch: Launch) -> LaunchOut:
    return LaunchOut(product_id=launch.product_id, launch_on=launch.launch_on, status=launch.status,
                     announced_at=launch.announced_at, recipients=int(launch.recipients))


def launches_due(shard: int, today: str) -> list[Launch]:
    return list(Launch.by_due.query(f"LAUNCH#{shard}", Launch.gsi3sk <= f"{today}#~"))


def _followers_of(org_id: str, targets: Iterable[str]) -> list[Follow]:
    out: dict[str, Follow] = {}
    for target in targets:
        for f in Follow.by_customer.query(followers_index(org_id, target)):
            out[f.id] = f
    return list(out.values())


def announce(org_id: str, launches: list[Launch], today: str) -> dict[str, int]:
    """Send the day's news of these launches (all of one organisation): one message per contact."""
    shop = find(Shop, *org_key_shop(org_id))
    if shop is None:
        return {"messages": 0, "deferred": 0}
    ids = {x.product_id for x in launches}
    listed = listings_by_product(org_id, ids)
    products = catalogue.products_by_id(org_id, ids)
    live = [x for x in launches if x.product_id in products and _published(listed.get(x.product_id))]
    per_contact: dict[str, tuple[Follow, list[str]]] = {}
    reached: dict[str, set[str]] = defaultdict(set)  # product → contacts it should reach
    target_cache: dict[str, list[Follow]] = {}
    for x in live:
        listing, product = listed[x.product_id], products[x.product_id]
        for target in rules.targets_of_product(listing.category, product.brand):
            if target not in target_cache:
                target_cache[target] = _followers_of(org_id, [target])
            for f in target_cache[target]:
                first, plist = per_contact.setdefault(f.contact_hash, (f, []))
                if x.product_id not in plist:
                    plist.append(x.product_id)
                reached[x.product_id].add(f.contact_hash)
    deferred: set[str] = set()  # products some contact still has to get
    messages = 0
    for chash, (f, plist) in per_contact.items():
        markers = {m.sk.split("#", 1)[1] for m in NewsMarker.batch_get([marker_key(org_id, chash, p) for p in plist])}
        todo = [p for p in plist if p not in markers]
        if not todo:
            continue
        sent = _send_digest(shop, f, [products[p] for p in todo], today)
        if sent is None:
            deferred.update(todo)
        else:
            messages += sent
    now = clock.iso_now()
    for x in live:
        if x.product_id in deferred:
            continue
        update_if(x, [Launch.status.set("announced"), Launch.announced_at.set(now),
                      Launch.recipients.set(len(reached.get(x.product_id, ()))), Launch.gsi3pk.remove(),
                      Launch.gsi3sk.remove()], Launch.version == x.version)
    return {"messages": messages, "deferred": len(deferred)}


def org_key_shop(org_id: str) -> tuple[str, str]:
    from .models import shop_key

    return shop_key(org_id)


def _published(listing: Listing | None) -> bool:
    return listing is not None and bool(listing.published)


def _send_digest(shop: Shop, f: Follow, products: list, today: str) -> int | None:
    """One transaction: the contact's message of the day, its outbox message and a marker per product,
    each only if new. 1 when sent, 0 when this very message exists (a rerun), None when the contact
    already had another message today (the rest waits for tomorrow)."""
    org_id = shop.org_id
    views = [rules.LaunchView(p.id, p.name, f"{fmt_unit_price(p.price, p.currency)} {p.currency}") for p in products]
    url = storefront_link(shop.handle)
    unsub = _link(shop, "unsubscribe", f) if f.channel == "email" else None
    subject, text, html = rules.digest(shop.name, views, f.channel, url, None)
    outbox_id = firing_id("shop-news", org_id, f.contact_hash, today)
    details = {"org_id": org_id, "products": ",".join(v.product_id for v in views), "channel": f.channel}
    msg: OutboxMessage
    if f.channel == "sms" and f.phone:
        msg = sms_message(id=outbox_id, scope=org_pk(org_id), phone=f.phone, alert_type="shop-news",
                          rule="launch", text=text, period=today, details={**details, "sms_type": "promotional"})
    else:
        msg = outbox_message(id=outbox_id, scope=org_pk(org_id), recipient=f.email, alert_type="shop-news",
                             rule="launch", threshold="launch", period=today, value=None, subject=subject, text=text,
                             html=html, details=details, unsubscribe_url=unsub)
    now = clock.iso_now()
    log = NewsSent(*news_key(org_id, today, "L", f.contact_hash), org_id=org_id, day=today, kind="launch",
                   channel=f.channel, recipient=msg.recipient, product_ids=[v.product_id for v in views],
                   outbox_id=outbox_id, created_at=now)
    markers = [NewsMarker(*marker_key(org_id, f.contact_hash, v.product_id), org_id=org_id, day=today) for v in views]
    try:
        with transaction() as tx:
            tx.save(log, condition=NewsSent.sk.does_not_exist())
            tx.save(msg, condition=OutboxMessage.id.does_not_exist())
            for m in markers:
                tx.save(m, condition=NewsMarker.sk.does_not_exist())
    except TransactWriteError:
        existing = find(NewsSent, *news_key(org_id, today, "L", f.contact_hash))
        if existing is not None and {str(p) for p in existing.product_ids} >= {v.product_id for v in views}:
            return 0
        if existing is not None:
            return None
        raise
    return 1


# ------------------------------------------------------------------ back in stock
def watch_restock(shop: Shop, product_id: str, data: NotifyIn) -> RestockWatch:
    """Tell this contact once when the product is back (a published listing of the shop, else 404
    `product_id`). A text request records the number's consent (source `shop-restock:<org>`)."""
    org_id = shop.org_id
    contact, number = _contact(data.channel, data.email, data.phone)
    if not _published(listings_by_product(org_id, {product_id}).get(product_id)):
        raise NotFound("this shop sells no such product", field="product_id")
    chash = rules.contact_hash(contact)
    now = clock.iso_now()
    pk, sk = watch_due_keys(org_id, product_id, chash)
    w = RestockWatch(*watch_key(org_id, product_id, chash), org_id=org_id, product_id=product_id,
                     channel=data.channel, email=(data.email or "").lower() or None, phone=number, contact=contact,
                     contact_hash=chash, status="waiting", created_at=now, gsi3pk=pk, gsi3sk=sk)
    if put_if_new(w, hash_attr=RestockWatch.sk):
        if number:
            record_opt_in(number, f"shop-restock:{org_id}", now)
        return w
    return RestockWatch.get(*watch_key(org_id, product_id, chash))


def notify_out(w: RestockWatch) -> NotifyOut:
    return NotifyOut(product_id=w.product_id, channel=w.channel, status=w.status)


def restock_waiting(shard: int) -> list[RestockWatch]:
    return list(RestockWatch.by_due.query(f"RESTOCK#{shard}"))


def restock_sweep(watches: list[RestockWatch]) -> dict[str, int]:
    """For each watched product (one availability read each), when some location has it, each waiting
    contact's one message (put once), then the watch leaves the list."""
    by_product: dict[tuple[str, str], list[RestockWatch]] = defaultdict(list)
    for w in watches:
        by_product[(w.org_id, w.product_id)].append(w)
    sent = back = 0
    for (org_id, product_id), ws in by_product.items():
        doc = availability.availability_document(org_id, product_id)
        if doc is None or not any(row.get("in_stock") for row in doc.get("locations") or []):
            continue
        back += 1
        shop = find(Shop, *org_key_shop(org_id))
        if shop is None:
            continue
        for w in ws:
            sent += _send_restock(shop, w, str(doc.get("name") or product_id))
    return {"products_back": back, "sent": sent}


def _send_restock(shop: Shop, w: RestockWatch, name: str) -> int:
    url = storefront_link(shop.handle, f"/p/{w.product_id}")
    subject, text, html = rules.restock_message(shop.name, name, w.channel, url)
    day = clock.now().date().isoformat()
    oid = firing_id("shop-restock", w.org_id, w.product_id, w.contact_hash, w.created_at)
    details = {"org_id": w.org_id, "product_id": w.product_id, "channel": w.channel}
    if w.channel == "sms" and w.phone:
        msg = sms_message(id=oid, scope=org_pk(w.org_id), phone=w.phone, alert_type="shop-news", rule="restock",
                          text=text, period=day, details=details)
    else:
        msg = outbox_message(id=oid, scope=org_pk(w.org_id), recipient=str(w.email), alert_type="shop-news",
                             rule="restock", threshold="restock", period=day, value=None, subject=subject, text=text,
                             html=html, details=details)
    fresh = put_once(msg)
    put_if_new(NewsSent(*news_key(w.org_id, day, "R", w.contact_hash, w.product_id), org_id=w.org_id, day=day,
                        kind="restock", channel=w.channel, recipient=msg.recipient, product_ids=[w.product_id],
                        outbox_id=oid, created_at=clock.iso_now()), hash_attr=NewsSent.sk)
    update_if(w, [RestockWatch.status.set("sent"), RestockWatch.sent_at.set(clock.iso_now()),
                  RestockWatch.gsi3pk.remove(), RestockWatch.gsi3sk.remove()], RestockWatch.status == "waiting")
    return int(fresh)
