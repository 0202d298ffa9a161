"""The shop's scheduled entry points (thin: they call services)."""
from __future__ import annotations

from typing import Any

from ..core import clock
from ..core.shards import JOB_SHARDS
from . import feeds, orders, promotions


def expire_unpaid_orders() -> dict[str, Any]:
    """Cancel every order still unpaid when its reservation time is up and release its stock, from
    the sparse by_due index (no Scan). Safe to run twice: an expired order leaves the index, and each
    expiry is conditional on the order still being placed at the version read."""
    now = clock.iso_now()
    due = expired = 0
    for shard in range(JOB_SHARDS):
        for org_id, order_id in orders.expiring(shard, now):
            due += 1
            expired += orders.expire(org_id, order_id, now)
    return {"due": due, "expired": expired}


# ---- new-product news (issue 13 item 6)


def announce_launches() -> dict[str, Any]:
    """Daily: every launch due today or before (the sparse by_due list, no Scan), one message per
    follower per day (a digest of that day's launches), each put once: a rerun sends nothing twice."""
    from collections import defaultdict

    from . import news

    today = clock.now().date().isoformat()
    by_org: dict[str, list[Any]] = defaultdict(list)
    for shard in range(JOB_SHARDS):
        for launch in news.launches_due(shard, today):
            by_org[launch.org_id].append(launch)
    messages = deferred = 0
    for org_id, launches in by_org.items():
        out = news.announce(org_id, launches, today)
        messages, deferred = messages + out["messages"], deferred + out["deferred"]
    return {"due": sum(len(v) for v in by_org.values()), "messages": messages, "deferred": deferred}


def notify_restocked() -> dict[str, Any]:
    """Every 5 minutes: a product someone asked about is back in stock → one message each, once."""
    from . import news

    waiting = [w for shard in range(JOB_SHARDS) for w in news.restock_waiting(shard)]
    return {"waiting": len(waiting), **news.restock_sweep(waiting)}


def promotion_edges() -> dict[str, Any]:
    """Promotions whose start or end has come move to their next phase (from the sparse by_due index,
    no Scan); the shop stream then republishes their storefront's prices. Safe to run twice."""
    return promotions.pass_edges(clock.now())


def retry_channel_pushes() -> dict[str, Any]:
    """Send again the stock webhooks that failed (channels on the sparse by_due index under
    PUSHRETRY#<shard>): each sends what is still owed; a delivered one leaves the index. Safe to run
    twice: a value delivered is never owed again."""
    now = clock.iso_now()
    due = delivered = 0
    for shard in range(JOB_SHARDS):
        for org_id, channel_id in feeds.pushes_due(shard, now):
            due += 1
            delivered += feeds.retry_push(org_id, channel_id)
    return {"due": due, "delivered": delivered}
