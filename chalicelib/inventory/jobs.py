"""Inventory's scheduled functions (app.py schedules them): thin loops over the organisations'
positions (one Query per `by_job` shard) that call the services. Each is safe to run twice; one
organisation's trouble does not stop the others."""
from __future__ import annotations

import time

from ..core import clock
from ..core.observability import logger
from .forecasting import forecast_org
from .ledger import positions_by_org
from .purchasing import draft_reorders_of, needs_reorder


def draft_reorders() -> dict[str, int]:
    """Every position below its reorder point, grouped per supplier and location into one draft each
    (skipped where that supplier and location already have an open order)."""
    by_org = positions_by_org(needs_reorder)
    today = clock.now().date()
    drafted, skipped, no_supplier = 0, 0, 0
    for org_id, positions in by_org.items():
        try:
            d, s, n = draft_reorders_of(org_id, positions, today)
            drafted, skipped, no_supplier = drafted + d, skipped + s, no_supplier + n
        except Exception:  # one organisation's trouble does not stop the others
            logger.exception("reorder drafting failed", extra={"org_id": org_id})
    result = {"drafted": drafted, "already_open": skipped, "without_supplier": no_supplier}
    logger.info("reorder drafts", extra=result)
    return result


def forecast_positions(budget_seconds: float = 600) -> dict[str, int]:
    """Forecast every stale position until the time budget is spent (the next run goes on)."""
    started = time.monotonic()
    now = clock.now()
    by_org = positions_by_org()
    done = fresh = left = 0
    for org_id, positions in sorted(by_org.items()):
        if time.monotonic() - started > budget_seconds:
            left += len(positions)
            continue
        try:
            d, f, lf = forecast_org(org_id, positions, now, started, budget_seconds)
            done, fresh, left = done + d, fresh + f, left + lf
        except Exception:  # one organisation's trouble does not stop the others
            logger.exception("forecasting failed", extra={"org_id": org_id})
    result = {"forecast": done, "fresh": fresh, "left_for_next_run": left}
    logger.info("demand forecasts", extra=result)
    return result
