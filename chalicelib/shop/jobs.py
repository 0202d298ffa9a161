"""The shop's scheduled entry points (thin: they call services)."""
from __future__ import annotations

from typing import Any

from ..core import clock
from ..core.shards import JOB_SHARDS
from . import feeds, orders


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
