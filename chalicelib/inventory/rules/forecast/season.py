"""Seasonality: the autocorrelation test the M4 Theta benchmark uses, and classical decomposition
(centred moving average; multiplicative indices for a positive series, additive otherwise).

A season is taken out before the trend models are fitted and put back on their forecasts, so one
procedure serves any season length: 4 quarters, 7 weekdays, 12 months, 24 hours or 48 half-hours."""
from __future__ import annotations

import math
from typing import Sequence

MIN_CYCLES = 3  # full seasons needed before a season is tested (and fitted)
ACF_MAX_LAG = 48
RECENT_CYCLES = 5  # the seasons the indices are averaged over, the latest first
STRENGTH = 0.3


def acf(y: Sequence[float], lag: int) -> float:
    n = len(y)
    mean = sum(y) / n
    den = sum((v - mean) ** 2 for v in y)
    if den == 0 or lag >= n:
        return 0.0
    return sum((y[t] - mean) * (y[t - lag] - mean) for t in range(lag, n)) / den


def is_seasonal(y: Sequence[float], m: int, cycles: int = MIN_CYCLES) -> bool:
    """True when, given at least `cycles` full seasons, the season is significant: up to m = 48 the
    autocorrelation at lag m at 90% (Bartlett's variance, as the M4 Theta benchmark tests); for longer
    seasons (a year of days, whose lag-1…m autocorrelations would cost O(n·m)) the seasonal strength
    of Wang, Smith & Hyndman (2006) above 0.3 on the additive decomposition."""
    n = len(y)
    if m < 2 or n < cycles * m:
        return False
    if m <= ACF_MAX_LAG:
        r = [acf(y, k) for k in range(1, m + 1)]
        limit = 1.645 * math.sqrt((1 + 2 * sum(v * v for v in r[:-1])) / n)
        return abs(r[-1]) > limit
    return strength(y, m) > STRENGTH


def strength(y: Sequence[float], m: int) -> float:
    """1 − Var(remainder) / Var(season + remainder) of the classical additive decomposition."""
    trend = centred_mean(y, m)
    idx = indices(y, m, False)
    detrended = [(v - c, t) for t, (v, c) in enumerate(zip(y, trend)) if c is not None]
    if len(detrended) < 2:
        return 0.0
    rem = [d - idx[t % m] for d, t in detrended]
    both = [d for d, _ in detrended]
    var_both = _var(both)
    return 0.0 if var_both == 0 else max(0.0, 1 - _var(rem) / var_both)


def _var(xs: Sequence[float]) -> float:
    mu = sum(xs) / len(xs)
    return sum((v - mu) ** 2 for v in xs) / len(xs)


def centred_mean(y: Sequence[float], m: int) -> list[float | None]:
    """The centred moving average of order m (2×m for an even m); None where it does not reach."""
    n, half = len(y), m // 2
    acc = [0.0]
    for v in y:
        acc.append(acc[-1] + v)
    res: list[float | None] = [None] * n
    for t in range(half, n - half):
        if m % 2:
            res[t] = (acc[t + half + 1] - acc[t - half]) / m
        else:
            res[t] = ((acc[t + half] - acc[t - half]) + (acc[t + half + 1] - acc[t - half + 1])) / (2 * m)
    return res


def indices(y: Sequence[float], m: int, multiplicative: bool, cycles: int = RECENT_CYCLES) -> list[float]:
    """The seasonal index of each position t % m (ratios that average 1, or deviations that sum to 0),
    from the last `cycles` seasons the centred mean reaches: a season drifts, and the recent ones say
    most about the next (the idea of X-11's moving seasonal filters, in its simplest form)."""
    trend = centred_mean(y, m)
    sums, counts = [0.0] * m, [0] * m
    last = max((t for t, c in enumerate(trend) if c is not None), default=0)
    for t, (v, c) in enumerate(zip(y, trend)):
        if c is None or (multiplicative and c <= 0) or t <= last - cycles * m:
            continue
        sums[t % m] += v / c if multiplicative else v - c
        counts[t % m] += 1
    raw = [s / c if c else (1.0 if multiplicative else 0.0) for s, c in zip(sums, counts)]
    mean = sum(raw) / m
    if multiplicative:
        return [r / mean for r in raw] if mean > 0 else [1.0] * m
    return [r - mean for r in raw]


def remove(y: Sequence[float], idx: Sequence[float], multiplicative: bool) -> list[float]:
    m = len(idx)
    if multiplicative:
        return [v / idx[t % m] if idx[t % m] > 0 else v for t, v in enumerate(y)]
    return [v - idx[t % m] for t, v in enumerate(y)]


def restore(values: Sequence[float], idx: Sequence[float], multiplicative: bool, first: int) -> list[float]:
    """Put the season back on values whose first one falls at position `first` of the series."""
    m = len(idx)
    if multiplicative:
        return [v * idx[(first + i) % m] for i, v in enumerate(values)]
    return [v + idx[(first + i) % m] for i, v in enumerate(values)]
