"""What a demand forecast means for stock: days of cover and the stock-out date, and the reorder point
from the distribution of lead-time demand at a service level (not from one-step errors)."""
from __future__ import annotations

import math
from datetime import date, timedelta
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from . import Result

LOOK_AHEAD = 365  # days searched for a stock-out beyond the forecast's horizon


def _rate_after(daily: Sequence[float]) -> float:
    """Demand per day beyond the horizon: the horizon's mean."""
    return sum(daily) / len(daily) if daily else 0.0


def days_of_cover(on_hand: float, daily: Sequence[float]) -> float | None:
    """How many days the stock lasts at the expected demand (None: no demand expected, it lasts)."""
    if on_hand <= 0:
        return 0.0
    left = on_hand
    for d, need in enumerate(daily):
        if need >= left and need > 0:
            return d + left / need
        left -= need
    rate = _rate_after(daily)
    return None if rate <= 0 else len(daily) + left / rate


def lead_time_demand(daily: Sequence[float], lead_time_days: int) -> float:
    """Expected demand over the lead time (beyond the horizon at the horizon's mean)."""
    inside = sum(daily[:lead_time_days])
    beyond = max(0, lead_time_days - len(daily)) * _rate_after(daily)
    return inside + beyond


def reorder_point(result: "Result", lead_time_days: int, service_level: float = 0.95) -> float:
    """The stock that covers lead-time demand with probability `service_level`: the service-level
    quantile of the total demand over the lead time (Result.total)."""
    if not 0.5 <= service_level < 1:
        raise ValueError("service level is between 0.5 and 1")
    if lead_time_days <= 0:
        return 0.0
    return result.total(lead_time_days, service_level)


def stockout_date(today: date, on_hand: float, result: "Result", service_level: float = 0.95) -> date | None:
    """The first day by which the stock may have run out at the service level: the first day whose
    cumulative demand quantile reaches what is on hand (today when nothing is left; None when no demand
    is expected within a year)."""
    if on_hand <= 0:
        return today
    if not any(result.mean) and not any(result.upper.get(max(result.upper), []) if result.upper else []):
        return None
    for d in range(1, LOOK_AHEAD + 1):
        if result.total(d, service_level) >= on_hand:
            return today + timedelta(days=d - 1)
    return None


def mase(actual: Sequence[float], predicted: Sequence[float], history: Sequence[float], m: int = 7) -> float:
    """Mean absolute scaled error: the forecast's MAE over the in-sample MAE of the seasonal naive
    forecast (of the naive one when the history repeats its season exactly); 0 for an exact forecast
    of a history that never changed, else infinite when nothing scales it."""
    mae = sum(abs(a - p) for a, p in zip(actual, predicted)) / max(1, len(actual))
    for lag in (m, 1):
        scale = sum(abs(history[t] - history[t - lag]) for t in range(lag, len(history))) / max(1, len(history) - lag)
        if scale > 0:
            return mae / scale
    return 0.0 if mae == 0 else math.inf
