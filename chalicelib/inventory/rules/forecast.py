"""Demand forecasting in the standard library (the Lambda ships no numpy, statsmodels or statsforecast).

* Regular series: additive exponential smoothing (Holt-Winters recursions, as statsmodels'
  `ExponentialSmoothing`): level only, trend, damped trend, each with or without a weekly season.
  Each is fitted by least squares on one-step errors (Nelder-Mead over the smoothing parameters,
  heuristic initial states) and the model with the smallest AICc wins.
* Intermittent series (average demand interval ≥ 1.32 days, Syntetos-Boylan): TSB (Teunter,
  Syntetos, Babai), which smooths the demand size and the probability of a demand day separately,
  so a product that stops selling sees its forecast decay (Croston's does not).

Then, per position: days of cover, the projected stock-out date and a suggested reorder point
(lead-time demand plus safety stock z·σ·√L for a service level). tests/unit/test_forecast.py checks
the recursions and fits against statsmodels; bench/forecast.py measures accuracy.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import NormalDist
from typing import Callable, Sequence

SEASON = 7
INTERMITTENT_ADI = 1.32  # Syntetos-Boylan cut-off between smooth and intermittent demand
FIT_WINDOW = 182  # the last 26 weeks are enough to fit and keep a fit to a few tens of milliseconds


@dataclass(frozen=True)
class Spec:
    name: str
    trend: bool = False
    damped: bool = False
    seasonal: bool = False


SPECS = (Spec("ANN"), Spec("AAN", trend=True), Spec("AAdN", trend=True, damped=True),
         Spec("ANA", seasonal=True), Spec("AAA", trend=True, seasonal=True),
         Spec("AAdA", trend=True, damped=True, seasonal=True))


@dataclass
class Result:
    method: str  # ets:<spec> | tsb | croston | mean | none
    daily: list[float]
    sigma: float  # the standard deviation of one-step errors
    aicc: float | None = None
    params: dict[str, float] = field(default_factory=dict)


# ----------------------------------------------------------------- exponential smoothing
def initial_states(y: Sequence[float], spec: Spec, m: int = SEASON) -> tuple[float, float, list[float]]:
    """Heuristic starting level, trend and season (the first seasons' means and deviations)."""
    if spec.seasonal:
        first = sum(y[:m]) / m
        trend = (sum(y[m:2 * m]) / m - first) / m if spec.trend else 0.0
        return first, trend, [y[i] - first for i in range(m)]
    level = y[0]
    trend = (y[1] - y[0]) if spec.trend and len(y) > 1 else 0.0
    return level, trend, [0.0] * m


def smooth(y: Sequence[float], spec: Spec, alpha: float, beta: float = 0.0, gamma: float = 0.0, phi: float = 1.0,
           l0: float | None = None, b0: float | None = None, s0: Sequence[float] | None = None,
           m: int = SEASON) -> tuple[float, float, float, list[float]]:
    """Run the recursions over y: (SSE of one-step errors, last level, last trend, the next m seasons)."""
    hl, hb, hs = initial_states(y, spec, m)
    level = hl if l0 is None else l0
    trend = (hb if b0 is None else b0) if spec.trend else 0.0
    season = list(hs if s0 is None else s0) if spec.seasonal else [0.0] * m
    phi = phi if spec.damped else 1.0
    sse = 0.0
    for t, obs in enumerate(y):
        s = season[t % m]
        base = level + phi * trend
        err = obs - (base + s)
        sse += err * err
        new_level = alpha * (obs - s) + (1 - alpha) * base
        if spec.trend:
            trend = beta * (new_level - level) + (1 - beta) * phi * trend
        if spec.seasonal:
            season[t % m] = gamma * (obs - base) + (1 - gamma) * s
        level = new_level
    n = len(y)
    return sse, level, trend, [season[(n + i) % m] for i in range(m)]


def project(level: float, trend: float, seasons: Sequence[float], spec: Spec, phi: float, horizon: int) -> list[float]:
    """h-step forecasts: level + (φ + … + φ^h)·trend + the season of that day."""
    out, damp = [], 0.0
    for h in range(1, horizon + 1):
        damp += (phi ** h) if spec.damped else 1.0
        out.append(level + (damp * trend if spec.trend else 0.0) + (seasons[(h - 1) % len(seasons)]
                                                                    if spec.seasonal else 0.0))
    return out


def nelder_mead(f: Callable[[list[float]], float], x0: list[float], step: float = 0.6, iters: int = 200,
                tol: float = 1e-9) -> tuple[list[float], float]:
    """A compact Nelder-Mead minimiser (standard coefficients) for a handful of parameters."""
    n = len(x0)
    pts = [list(x0)] + [[x + (step if i == j else 0.0) for j, x in enumerate(x0)] for i in range(n)]
    vals = [f(p) for p in pts]
    for _ in range(iters):
        order = sorted(range(n + 1), key=vals.__getitem__)
        pts, vals = [pts[i] for i in order], [vals[i] for i in order]
        if abs(vals[-1] - vals[0]) <= tol * (abs(vals[0]) + tol):
            break
        centre = [sum(p[j] for p in pts[:-1]) / n for j in range(n)]
        worst = pts[-1]
        refl = [c + (c - w) for c, w in zip(centre, worst)]
        fr = f(refl)
        if fr < vals[0]:
            exp = [c + 2 * (c - w) for c, w in zip(centre, worst)]
            fe = f(exp)
            pts[-1], vals[-1] = (exp, fe) if fe < fr else (refl, fr)
        elif fr < vals[-2]:
            pts[-1], vals[-1] = refl, fr
        else:
            con = [c + 0.5 * (w - c) for c, w in zip(centre, worst)]
            fc = f(con)
            if fc < vals[-1]:
                pts[-1], vals[-1] = con, fc
            else:  # shrink towards the best point
                best = pts[0]
                pts = [best] + [[b + 0.5 * (x - b) for b, x in zip(best, p)] for p in pts[1:]]
                vals = [vals[0]] + [f(p) for p in pts[1:]]
    i = min(range(n + 1), key=vals.__getitem__)
    return pts[i], vals[i]


def _squash(x: float, lo: float, hi: float) -> float:
    return lo + (hi - lo) / (1.0 + math.exp(-max(-30.0, min(30.0, x))))


def _params(spec: Spec, x: list[float]) -> dict[str, float]:
    it = iter(x)
    p = {"alpha": _squash(next(it), 0.0001, 0.9999)}
    if spec.trend:
        p["beta"] = _squash(next(it), 0.0001, 0.9999)
    if spec.seasonal:
        p["gamma"] = _squash(next(it), 0.0001, 0.9999) * (1 - p["alpha"])
    if spec.damped:
        p["phi"] = _squash(next(it), 0.8, 0.98)
    return p


def _smooth_fitted(y: Sequence[float], spec: Spec, params: dict[str, float],
                   m: int) -> tuple[float, float, float, list[float]]:
    """`smooth` with the parameters `_params` gives (those a spec does not use are left at their defaults)."""
    return smooth(y, spec, params["alpha"], params.get("beta", 0.0), params.get("gamma", 0.0),
                  params.get("phi", 1.0), m=m)


def aicc(sse: float, n: int, k: int) -> float:
    if n - k - 1 <= 0:
        return math.inf
    return n * math.log(max(sse, 1e-12) / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1)


def fit_ets(y: Sequence[float], spec: Spec, m: int = SEASON) -> tuple[float, dict[str, float], float]:
    """(AICc, parameters, SSE) of one model fitted by least squares."""
    start = [-1.0] + [-1.5] * (spec.trend + spec.seasonal) + ([1.0] if spec.damped else [])

    def sse_of(x: list[float]) -> float:
        return _smooth_fitted(y, spec, _params(spec, x), m)[0]

    x, sse = nelder_mead(sse_of, start)
    k = len(start) + 1 + spec.trend + (m if spec.seasonal else 0)  # smoothing parameters + initial states
    return aicc(sse, len(y), k), _params(spec, x), sse


# ----------------------------------------------------------------- intermittent demand
def tsb(y: Sequence[float], alpha: float, beta: float) -> tuple[float, float]:
    """TSB: (SSE of one-step errors, the flat forecast p·z)."""
    nz = [v for v in y if v > 0]
    z = nz[0] if nz else 0.0
    p = len(nz) / len(y) if y else 0.0
    sse = 0.0
    for v in y:
        err = v - p * z
        sse += err * err
        if v > 0:
            z += alpha * (v - z)
            p += beta * (1 - p)
        else:
            p += beta * (0 - p)
    return sse, p * z


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
    grid = (0.05, 0.1, 0.2, 0.3)
    best = min(((tsb(y, a, b), a, b) for a in grid for b in grid), key=lambda r: r[0][0])
    (sse, level), a, b = best
    return sse, {"alpha": a, "beta": b}, level


# ----------------------------------------------------------------- one series
def average_demand_interval(y: Sequence[float]) -> float:
    demand_days = sum(1 for v in y if v > 0)
    return math.inf if demand_days == 0 else len(y) / demand_days


def forecast(series: Sequence[float], horizon: int = 28, m: int = SEASON) -> Result:
    """The next `horizon` days of a daily demand series (oldest first), never below zero. Days before
    the first demand are left out: a product not yet sold there is not a product nobody wants."""
    y = [float(v) for v in series][-FIT_WINDOW:]
    first = next((i for i, v in enumerate(y) if v > 0), len(y))
    y = y[first:]
    n = len(y)
    if n == 0 or not any(y):
        return Result("none", [0.0] * horizon, 0.0)
    if n < 14:
        mean = sum(y) / n
        return Result("mean", [mean] * horizon, math.sqrt(sum((v - mean) ** 2 for v in y) / n))
    if average_demand_interval(y) >= INTERMITTENT_ADI:
        sse, params, level = fit_tsb(y)
        return Result("tsb", [level] * horizon, math.sqrt(sse / n), None, params)
    specs = [s for s in SPECS if not s.seasonal or n >= 3 * m]
    fits = [(fit_ets(y, s, m), s) for s in specs]
    (best_aicc, params, sse), spec = min(fits, key=lambda f: f[0][0])
    _, level, trend, seasons = _smooth_fitted(y, spec, params, m)
    daily = [max(0.0, v) for v in project(level, trend, seasons, spec, params.get("phi", 1.0), horizon)]
    return Result(f"ets:{spec.name}", daily, math.sqrt(sse / n), best_aicc, params)


# ----------------------------------------------------------------- what it means for stock
def _rate_after(daily: Sequence[float]) -> float:
    """Demand per day beyond the horizon: the horizon's mean."""
    return sum(daily) / len(daily) if daily else 0.0


def days_of_cover(on_hand: float, daily: Sequence[float]) -> float | None:
    """How many days the stock lasts at the forecast demand (None: no demand, it lasts)."""
    if on_hand <= 0:
        return 0.0
    left = on_hand
    for d, need in enumerate(daily):
        if need >= left and need > 0:
            return d + left / need
        left -= need
    rate = _rate_after(daily)
    return None if rate <= 0 else len(daily) + left / rate


def stockout_date(today: date, on_hand: float, daily: Sequence[float]) -> date | None:
    """The day the stock is projected to run out (today when it already has)."""
    cover = days_of_cover(on_hand, daily)
    return None if cover is None else today + timedelta(days=math.floor(cover))


def lead_time_demand(daily: Sequence[float], lead_time_days: int) -> float:
    inside = sum(daily[:lead_time_days])
    beyond = max(0, lead_time_days - len(daily)) * _rate_after(daily)
    return inside + beyond


def reorder_point(daily: Sequence[float], sigma: float, lead_time_days: int, service_level: float = 0.95) -> float:
    """Lead-time demand plus safety stock z·σ·√L, z the normal quantile of the service level."""
    if not 0.5 <= service_level < 1:
        raise ValueError("service level is between 0.5 and 1")
    z = NormalDist().inv_cdf(service_level)
    return lead_time_demand(daily, lead_time_days) + z * sigma * math.sqrt(max(lead_time_days, 0))


def mase(actual: Sequence[float], predicted: Sequence[float], history: Sequence[float], m: int = SEASON) -> float:
    """Mean absolute scaled error: the forecast's MAE over the in-sample seasonal naive MAE."""
    scale = sum(abs(history[t] - history[t - m]) for t in range(m, len(history))) / max(1, len(history) - m)
    mae = sum(abs(a - p) for a, p in zip(actual, predicted)) / max(1, len(actual))
    return math.inf if scale == 0 else mae / scale
