"""Intermittent demand (many days without a sale): TSB (Teunter, Syntetos & Babai 2011), which
smooths the size of a demand and the probability of a demand day apart, so a product that stops
selling sees its forecast decay (Croston's method, kept for comparison, does not)."""
from __future__ import annotations

import math
from typing import Callable, Sequence

INTERMITTENT_ADI = 1.32  # Syntetos-Boylan cut-off between smooth and intermittent demand
GRID = (0.02, 0.05, 0.1, 0.2, 0.3)


def average_demand_interval(y: Sequence[float]) -> float:
    demand_days = sum(1 for v in y if v > 0)
    return math.inf if demand_days == 0 else len(y) / demand_days


def tsb(y: Sequence[float], alpha: float, beta: float) -> tuple[float, float]:
    """TSB: (SSE of one-step errors, the flat forecast p·z)."""
    sse = sum((v - f) ** 2 for f, v in _run(y, alpha, beta))
    z, p = _state(y, alpha, beta)
    return sse, p * z


def _start(y: Sequence[float]) -> tuple[float, float]:
    nz = [v for v in y if v > 0]
    return (nz[0] if nz else 0.0), (len(nz) / len(y) if y else 0.0)


def _run(y: Sequence[float], alpha: float, beta: float) -> list[tuple[float, float]]:
    """(one-step forecast, observation) for each point."""
    z, p = _start(y)
    out = []
    for v in y:
        out.append((p * z, v))
        if v > 0:
            z += alpha * (v - z)
            p += beta * (1 - p)
        else:
            p += beta * (0 - p)
    return out


def _state(y: Sequence[float], alpha: float, beta: float) -> tuple[float, float]:
    z, p = _start(y)
    for v in y:
        if v > 0:
            z += alpha * (v - z)
            p += beta * (1 - p)
        else:
            p -= beta * p
    return z, p


def croston(y: Sequence[float], alpha: float = 0.1) -> float:
    """Croston's method (for comparison in bench/): smoothed size over smoothed interval."""
    z: float | None = None
    q: float | None = None
    gap = 1
    for v in y:
        if v > 0:
            z = v if z is None else z + alpha * (v - z)
            q = gap if q is None else q + alpha * (gap - q)
            gap = 1
        else:
            gap += 1
    return 0.0 if z is None or not q else z / q


def fit_tsb(y: Sequence[float]) -> tuple[float, dict[str, float], float]:
    """(SSE, parameters, forecast) with the smoothing constants chosen on a small grid."""
    best = min(((tsb(y, a, b), a, b) for a in GRID for b in GRID), key=lambda r: r[0][0])
    (sse, level), a, b = best
    return sse, {"alpha": a, "beta": b}, level


def paths(y: Sequence[float], alpha: float, beta: float, horizon: int, start: int) -> list[list[float]]:
    """In-sample flat forecasts from each origin t ≥ start (as `ets.paths`)."""
    n = len(y)
    return [[f] * min(horizon, n - t) for t, (f, _v) in enumerate(_run(y, alpha, beta)) if t >= start]


def stopped(y: Sequence[float]) -> bool:
    """True when the days since the last demand outnumber every earlier gap between demands and twice
    the average one: the product has stopped selling (TSB's idea, without waiting for its decay)."""
    nz = [i for i, v in enumerate(y) if v > 0]
    if len(nz) < 2:
        return False
    gaps = [b - a for a, b in zip(nz, nz[1:])]
    since = len(y) - nz[-1]
    return since > max(gaps) and since > 2 * sum(gaps) / len(gaps)


ADIDA_ALPHA = (0.1, 0.3)  # the SES constant's range on the aggregated series (statsforecast's ADIDA)


def adida(y: Sequence[float]) -> float:
    """ADIDA (Nikolopoulos et al. 2011): sum the series over buckets as long as its average interval
    between demands (the latest buckets, whole ones only), forecast the bucket sums by simple exponential
    smoothing (its constant by golden-section search on the one-step SSE, within ADIDA_ALPHA, as
    statsforecast does), and spread that forecast evenly over the bucket's days: the flat daily rate."""
    nz = [i for i, v in enumerate(y) if v > 0]
    if not nz:
        return 0.0
    gaps = [nz[0] + 1] + [b - a for a, b in zip(nz, nz[1:])]
    size = max(1, round(sum(gaps) / len(gaps)))
    n = len(y) // size
    if n == 0:
        return sum(y) / len(y)
    first = len(y) - n * size
    sums = [sum(y[first + i * size:first + (i + 1) * size]) for i in range(n)]
    alpha = _golden(lambda a: _ses(sums, a)[0], *ADIDA_ALPHA)
    return _ses(sums, alpha)[1] / size


def _ses(x: Sequence[float], alpha: float) -> tuple[float, float]:
    """Simple exponential smoothing started at the first value: (one-step SSE, the next forecast)."""
    level, sse = x[0], 0.0
    for v in x[1:]:
        sse += (v - level) ** 2
        level += alpha * (v - level)
    return sse, level


def _golden(f: Callable[[float], float], lo: float, hi: float, tol: float = 1e-4) -> float:
    ratio = (math.sqrt(5) - 1) / 2
    a, b = lo, hi
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tol:
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - ratio * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + ratio * (b - a)
            fd = f(d)
    return (a + b) / 2
