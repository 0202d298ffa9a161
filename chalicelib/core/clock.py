"""The one clock. Tests set it with `set_now`; a job run can set it with TALLY_NOW (ISO 8601)."""
from __future__ import annotations

import os
from datetime import datetime, timezone

_override: datetime | None = None


def set_now(value: datetime | None) -> None:
    """Freeze the clock at `value` (timezone-aware), or unfreeze with None."""
    global _override
    if value is not None and value.tzinfo is None:
        raise ValueError("the clock needs a timezone-aware datetime")
    _override = value


def now() -> datetime:
    """The current UTC time, or the frozen one."""
    if _override is not None:
        return _override.astimezone(timezone.utc)
    env = os.environ.get("TALLY_NOW")
    if env:
        return datetime.fromisoformat(env.replace("Z", "+00:00")).astimezone(timezone.utc)
    return datetime.now(timezone.utc)


def iso_now() -> str:
    return now().strftime("%Y-%m-%dT%H:%M:%S.%fZ")
