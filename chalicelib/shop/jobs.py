"""The shop's scheduled entry points (thin: they call services)."""
from __future__ import annotations

from typing import Any

from ..core import clock
from ..core.shards import JOB_SHARDS
from . import orders, promotions


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


def promotion_edges() -> dict[str, Any]:
    """Promotions whose start or end has come move to their next phase (from the sparse by_due index,
    no Scan); the shop stream then republishes their storefront's prices. Safe to run twice."""
    return promotions.pass_edges(clock.now())
