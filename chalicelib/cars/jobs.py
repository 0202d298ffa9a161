"""The cars module's scheduled entry points (thin: they call services)."""
from __future__ import annotations

from .aging import run_aging_job


def aging_stock() -> dict[str, int]:
    """Daily: the aging-stock emails that are due, once per car and rule."""
    return run_aging_job()
