"""Each channel's available-to-sell, published whenever it changes: a JSON and a CSV document at a
stable path of the data bucket behind the CDN (`storefront/feeds/<channel>/stock.json|csv`, served by
the `/storefront/*` behaviour like the storefront's documents) and a signed webhook to the channel's
URL.

Run from the streams after each batch (coalesced: a channel is refreshed once per batch whatever
number of its products moved), from what is stored now: a ChannelStock item per (channel, product)
keeps the value and what the webhook last delivered (`notified`). The documents are written before
the items, so a failed write leaves the change to be found again on Lambda's retry; a value already
delivered is never sent again, so a replayed batch sends no second webhook. A webhook that fails
leaves its values pending (recorded on the channel as `last_push_error`): the channel's next refresh
sends them with whatever changed then.
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from decimal import Decimal
from typing import Any

from ..core import clock, publish
from ..core.db import find, update_if
from ..core.keys import org_pk
from ..core.observability import logger
from ..core.settings import get_settings
from ..inventory import catalogue, ledger
from .listings import all_listings
from .models import Channel, ChannelStock, channel_key, channel_stock_key, channel_stock_pk, push_retry_index, push_retry_keys
from .rules import channels as rules
from .rules.payments import signature

PREFIX = "storefront/feeds"
FEED_CACHE = "max-age=5"  # a channel's feed, as fresh as the storefront's availability (docs/shop.md)
PUSH_TIMEOUT_SECONDS = 5


def feed_keys(channel_id: str) -> tuple[str, str]:
    """The S3 keys (and CDN paths) of a channel's feed: JSON, CSV."""
    return f"{PREFIX}/{channel_id}/stock.json", f"{PREFIX}/{channel_id}/stock.csv"


def feed_url(key: str) -> str:
    """Where the CDN serves a key (the dashboard's origin: CloudFront on AWS, the local site locally)."""
    return f"{get_settings().dashboard_url.rstrip('/')}/{key}"


def org_channels(org_id: str) -> list[Channel]:
    return list(Channel.query(org_pk(org_id), Channel.sk.startswith("CHANNEL#")))


def _row(item: ChannelStock) -> rules.FeedRow:
    return rules.FeedRow(sku=str(item.sku), product_id=str(item.product_id), name=str(item.name),
                         available=Decimal(item.available), on_hand=Decimal(item.on_hand),
                         reserved=Decimal(item.reserved), buffer=Decimal(item.buffer), updated_at=str(item.updated_at))


def _write_documents(ch: Channel, items: list[ChannelStock], now: str) -> None:
    rows = sorted((_row(i) for i in items), key=lambda r: (r.sku, r.product_id))
    json_key, csv_key = feed_keys(str(ch.id))
    doc = {"channel_id": ch.id, "name": ch.name, "kind": ch.kind, "location_id": ch.location_id,
           "buffer": rules.units(Decimal(ch.buffer)),
           "items": [rules.feed_row_dict(r) for r in rows], "generated_at": now}
    bucket = get_settings().bucket
    publish.put_json(bucket, json_key, doc, cache_control=FEED_CACHE)
    publish.put_csv(bucket, csv_key, rules.feed_csv(rows), cache_control=FEED_CACHE)


def refresh_channel(ch: Channel, product_ids: set[str] | None) -> dict[str, Decimal]:
    """Recompute the channel's available-to-sell of `product_ids` (None: every product it offers: the
    shop's published listings), publish its documents when anything moved, and push what its webhook
    has not delivered yet. Returns the values that changed now. Reads: a Query of its ChannelStock
    items, a Query of the listings, a BatchGetItem of the products, the positions (a Query of the
    location when refreshing all, else a GetItem per product)."""
    org_id = str(ch.org_id)
    stored = {str(i.product_id): i for i in ChannelStock.query(channel_stock_pk(org_id, str(ch.id)))}
    listed = {str(li.product_id) for li in all_listings(org_id) if li.published} if ch.active else set()
    wanted = (set(listed) | set(stored)) if product_ids is None else set(product_ids)
    products = catalogue.products_by_id(org_id, wanted & listed)
    if product_ids is None:
        positions = {str(p.product_id): p for p in ledger.list_positions(org_id, str(ch.location_id))}
    else:
        positions = {}
        for pid in sorted(wanted & listed):
            pos = ledger.get_position(org_id, pid, str(ch.location_id))
            if pos is not None:
                positions[pid] = pos
    now = clock.iso_now()
    buffer = Decimal(ch.buffer)
    moved: list[ChannelStock] = []
    for pid in sorted(wanted):
        product = products.get(pid)
        if product is None and pid not in stored:
            continue  # neither offered nor ever published to this channel
        pos = positions.get(pid)
        on_hand = Decimal(pos.on_hand) if pos is not None and product is not None else Decimal(0)
        reserved = Decimal(pos.reserved or 0) if pos is not None and product is not None else Decimal(0)
        ats = rules.available_to_sell(on_hand, reserved, buffer)  # not offered any more: 0
        old = stored.get(pid)
        if old is not None and (Decimal(old.available), Decimal(old.on_hand), Decimal(old.reserved),
                                Decimal(old.buffer)) == (ats, on_hand, reserved, buffer) and (
                product is None or (old.sku, old.name) == (product.sku, product.name)):
            continue
        item = ChannelStock(*channel_stock_key(org_id, str(ch.id), pid), org_id=org_id, channel_id=str(ch.id),
                            product_id=pid, sku=product.sku if product else (old.sku if old else ""),
                            name=product.name if product else (old.name if old else ""), available=ats,
                            on_hand=on_hand, reserved=reserved, buffer=buffer,
                            notified=old.notified if old is not None else None,
                            notified_at=old.notified_at if old is not None else None, updated_at=now)
        moved.append(item)
        stored[pid] = item
    changed = {str(i.product_id): Decimal(i.available) for i in moved}
    if moved:
        _write_documents(ch, list(stored.values()), now)  # first: a failure here leaves the change to redo
        for item in moved:
            item.save()
    pending = rules.changed({p: Decimal(i.available) for p, i in stored.items()},
                            {p: (Decimal(i.notified) if i.notified is not None else None) for p, i in stored.items()})
    if pending and ch.webhook_url and ch.active:
        push(ch, {p: stored[p] for p in pending})
    return changed


def push(ch: Channel, items: dict[str, ChannelStock]) -> bool:
    """POST the channel's changed values to its webhook, signed like the inbound scheme
    (`X-Tally-Timestamp`, `X-Tally-Signature: v1=<hex HMAC-SHA256 of "<ts>.<body>">` under the channel's
    secret) with a deterministic `X-Tally-Push-Id`. On a 2xx each value is marked delivered (only if it
    is still the value sent); otherwise the channel records the error and the values stay pending."""
    values = {p: Decimal(i.available) for p, i in items.items()}
    push_id = rules.push_id(str(ch.id), values.items())
    body = json.dumps({"channel_id": ch.id, "push_id": push_id, "location_id": ch.location_id,
                       "items": [{"sku": i.sku, "product_id": p, "available": rules.units(Decimal(i.available))}
                                 for p, i in sorted(items.items(), key=lambda kv: str(kv[1].sku))],
                       "sent_at": clock.iso_now()}, separators=(",", ":")).encode()
    ts = str(int(time.time()))
    req = urllib.request.Request(str(ch.webhook_url), data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "Tally-Channels/1", "X-Tally-Timestamp": ts,
        "X-Tally-Signature": signature(str(ch.secret), ts, body), "X-Tally-Push-Id": push_id})
    now = clock.iso_now()
    error: str | None = None
    try:
        with urllib.request.urlopen(req, timeout=PUSH_TIMEOUT_SECONDS) as resp:  # noqa: S310 (https, checked on save)
            status = int(resp.status)
    except urllib.error.HTTPError as exc:
        status, error = int(exc.code), f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        status, error = 0, f"unreachable: {getattr(exc, 'reason', exc)}"[:200]
    if error is None and not 200 <= status < 300:
        error = f"HTTP {status}"
    if error is None:
        for pid, item in items.items():
            update_if(item, [ChannelStock.notified.set(values[pid]), ChannelStock.notified_at.set(now)],
                      ChannelStock.available == values[pid])
    else:
        logger.warning("channel webhook failed", extra={"channel_id": ch.id, "error": error})
    # what the admin page shows, and the retry job's sparse work list while values wait; not conditional on
    # the version (the owner's edits are never refused for it)
    if error is None:
        ch.update(actions=[Channel.last_push_at.set(now), Channel.last_push_error.remove(), Channel.gsi3pk.remove(),
                           Channel.gsi3sk.remove()])
    else:
        retry_pk, retry_sk = push_retry_keys(str(ch.org_id), str(ch.id), now)
        waiting = [] if ch.gsi3pk else [Channel.gsi3pk.set(retry_pk), Channel.gsi3sk.set(retry_sk)]
        ch.update(actions=[Channel.last_push_at.set(now), Channel.last_push_error.set(error), *waiting])
    return error is None


def pushes_due(shard: int, before: str) -> list[tuple[str, str]]:
    """(org, channel) of channels whose webhook has values waiting since before `before` (sparse by_due)."""
    return [(str(c.org_id), str(c.id)) for c in Channel.by_due.query(push_retry_index(shard), Channel.gsi3sk < before)]


def retry_push(org_id: str, channel_id: str) -> bool:
    """Send a channel's pending values again (nothing recomputed: what is stored is what is owed).
    True when nothing is left pending."""
    ch = find(Channel, *channel_key(org_id, channel_id))
    if ch is None:
        return True
    stored = {str(i.product_id): i for i in ChannelStock.query(channel_stock_pk(org_id, channel_id))}
    pending = rules.changed({p: Decimal(i.available) for p, i in stored.items()},
                            {p: (Decimal(i.notified) if i.notified is not None else None) for p, i in stored.items()})
    if not pending or not ch.webhook_url or not ch.active:
        ch.update(actions=[Channel.gsi3pk.remove(), Channel.gsi3sk.remove()])
        return True
    return push(ch, {p: stored[p] for p in pending})


def refresh_org(org_id: str, locations: dict[str, set[str]], everywhere: set[str],
                whole: set[str]) -> dict[str, Any]:
    """One batch's work for an organisation: each channel in `whole` refreshed entirely (it changed),
    the others for what was touched at their location. Returns {channel: changed values}."""
    done: dict[str, Any] = {}
    for ch in org_channels(org_id):
        if str(ch.id) in whole:
            done[str(ch.id)] = refresh_channel(ch, None)
            continue
        wanted = set(everywhere) | set(locations.get(str(ch.location_id), set()))
        if wanted:
            done[str(ch.id)] = refresh_channel(ch, wanted)
    return done
