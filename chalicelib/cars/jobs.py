"""The cars module's scheduled entry points (thin: they call services). The dealer models' training runs
in a function of its own (training/cars/job.py, outside the Chalice app: it needs LightGBM)."""
from __future__ import annotations

from ..core import clock
from . import bookings
from .aging import run_aging_job


def send_booking_reminders() -> dict[str, int]:
    """Every 15 minutes: the reminder of each booking due within a day, once. Safe to run twice."""
    due = bookings.reminders_due(clock.now())
    sent = sum(bookings.send_reminder(org_id, booking_id) for org_id, booking_id in due)
    return {"due": len(due), "sent": sent}


def aging_stock() -> dict[str, int]:
    """Daily: the aging-stock emails that are due, once per car and rule."""
    return run_aging_job()
