"""Inventory's scheduled functions (app.py schedules them): thin loops over the organisations'
positions (one Query per `by_job` shard) that call the services. Each is safe to run twice; one
organisation's trouble does not stop the others."""
from __future__ import annotations

import time
from collections.abc import Callable

from ..core import clock
from ..core.observability import logger
from .forecasting import forecast_org
from .ledger import positions_by_org
from .models import Position
from .purchasing import draft_reorders_of, needs_reorder

Counts = tuple[int, int, int]


def _per_org(by_org: dict[str, list[Position]], what: str, run: Callable[[str, list[Position]], Counts]) -> Counts:
    """`run` for each organisation, its counts summed; an organisation that fails is logged and skipped."""
    a = b = c = 0
    for org_id, positions in sorted(by_org.items()):
        try:
            x, y, z = run(org_id, positions)
        except Exception:  # one organisation's trouble does not stop the others
            logger.exception(f"{what} failed", extra={"org_id": org_id})
            continue
        a, b, c = a + x, b + y, c + z
    return a, b, c


def draft_reorders() -> dict[str, int]:
    """Every position below its reorder point, grouped per supplier and location into one draft each
    (skipped where that supplier and location already have an open order)."""
    today = clock.now().date()
    drafted, skipped, no_supplier = _per_org(positions_by_org(needs_reorder), "reorder drafting",
                                             lambda org_id, positions: draft_reorders_of(org_id, positions, today))
    result = {"drafted": drafted, "already_open": skipped, "without_supplier": no_supplier}
    logger.info("reorder drafts", extra=result)
    return result


def forecast_positions(budget_seconds: float = 600) -> dict[str, int]:
    """Forecast every stale position until the time budget is spent (the next run goes on)."""
    started = time.monotonic()
    now = clock.now()

    def run(org_id: str, positions: list[Position]) -> Counts:
        if time.monotonic() - started > budget_seconds:
            return 0, 0, len(positions)
        return forecast_org(org_id, positions, now, started, budget_seconds)

    done, fresh, left = _per_org(positions_by_org(), "forecasting", run)
    result = {"forecast": done, "fresh": fresh, "left_for_next_run": left}
    logger.info("demand forecasts", extra=result)
    return result
