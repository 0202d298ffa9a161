"""Additive exponential smoothing (the ETS(A,·,·) family of Hyndman et al., as statsmodels'
`ExponentialSmoothing` and statsforecast's `AutoETS` run it): level only, trend, damped trend, each
with or without an additive season.

Each model is fitted by least squares on its one-step errors (the Gaussian likelihood of an additive
error model): Nelder-Mead over the smoothing parameters and, for the models without a native season,
the initial level and trend too (statsforecast optimises them as well; heuristic starts cost most on
short series). Models are compared by AICc.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

from . import season, theta
from .optimize import nelder_mead, squash


@dataclass(frozen=True)
class Spec:
    name: str
    trend: bool = False
    damped: bool = False
    seasonal: bool = False
    multiplicative: bool = False  # the season multiplies the level (Holt-Winters multiplicative)


ANN, AAN, AADN = Spec("ANN"), Spec("AAN", trend=True), Spec("AAdN", trend=True, damped=True)
ANA = Spec("ANA", seasonal=True)
AAA = Spec("AAA", trend=True, seasonal=True)
AADA = Spec("AAdA", trend=True, damped=True, seasonal=True)
ANM = Spec("ANM", seasonal=True, multiplicative=True)
AAM = Spec("AAM", trend=True, seasonal=True, multiplicative=True)
AADM = Spec("AAdM", trend=True, damped=True, seasonal=True, multiplicative=True)
SPECS = (ANN, AAN, AADN, ANA, AAA, AADA)
NONSEASONAL = (ANN, AAN, AADN)
SEASONAL_ADDITIVE = (ANA, AAA, AADA)
SEASONAL_MULTIPLICATIVE = (ANM, AAM, AADM)
PHI_RANGE = (0.8, 0.98)
TINY = 1e-9


@dataclass
class Fit:
    spec: Spec
    m: int
    params: dict[str, float]
    l0: float
    b0: float
    s0: list[float]
    sse: float
    aicc: float
    k: int = 0  # the number of estimated parameters (smoothing constants and initial states)
    last: tuple[float, float, list[float]] = field(default_factory=lambda: (0.0, 0.0, []))

    def forecast(self, horizon: int) -> list[float]:
        level, trend, seasons = self.last
        return project(level, trend, seasons, self.spec, self.params.get("phi", 1.0), horizon)


def initial_states(y: Sequence[float], spec: Spec, m: int = 7) -> tuple[float, float, list[float]]:
    """Starting level, trend and season. With a season: the classical decomposition's indices and a
    line through the first two seasons of the adjusted series (as R's `ets` starts); without: the
    first points' mean, or their slope."""
    if spec.seasonal:
        idx = season.indices(y, m, spec.multiplicative)
        adjusted = season.remove(y[:2 * m], idx, spec.multiplicative)
        b = theta.slope(adjusted) if spec.trend else 0.0
        level = sum(adjusted) / len(adjusted) - b * (len(adjusted) - 1) / 2 - b
        return level, b, idx
    k = min(len(y), 4)
    level = sum(y[:k]) / k if not spec.trend else y[0]
    trend = (y[k - 1] - y[0]) / (k - 1) if spec.trend and k > 1 else 0.0
    return level, trend, ([1.0] if spec.multiplicative else [0.0]) * m


def run(y: Sequence[float], spec: Spec, alpha: float, beta: float, gamma: float, phi: float, l0: float,
        b0: float, s0: Sequence[float], m: int, horizon: int = 0,
        start: int | None = None) -> tuple[float, float, float, list[float], list[list[float]]]:
    """The recursions over y, once: (SSE of one-step errors, last level, last trend, the season array
    after the last point (position t % m), and, when `start` is given, the forecasts made inside the
    history from each origin t ≥ start: of y[t], y[t+1], ... up to `horizon` steps)."""
    mult = spec.multiplicative
    level, trend = l0, (b0 if spec.trend else 0.0)
    seasons = list(s0) if spec.seasonal else ([1.0] if mult else [0.0]) * m
    phi = phi if spec.damped else 1.0
    damps, power, acc = [], 1.0, 0.0
    for _ in range(horizon):
        power *= phi
        acc += power
        damps.append(acc)
    sse, n, out = 0.0, len(y), []
    for t, obs in enumerate(y):
        if start is not None and t >= start:
            steps = min(horizon, n - t)
            if mult:
                out.append([(level + damps[k] * trend) * seasons[(t + k) % m] for k in range(steps)])
            else:
                out.append([level + damps[k] * trend + seasons[(t + k) % m] for k in range(steps)])
        s = seasons[t % m]
        base = level + phi * trend
        err = obs - (base * s if mult else base + s)
        sse += err * err
        if mult:
            new_level = alpha * obs / (s if abs(s) > TINY else TINY) + (1 - alpha) * base
        else:
            new_level = alpha * (obs - s) + (1 - alpha) * base
        if spec.trend:
            trend = beta * (new_level - level) + (1 - beta) * phi * trend
        if spec.seasonal:
            if mult:
                seasons[t % m] = gamma * obs / (base if abs(base) > TINY else TINY) + (1 - gamma) * s
            else:
                seasons[t % m] = gamma * (obs - base) + (1 - gamma) * s
        level = new_level
    return sse, level, trend, seasons, out


def smooth(y: Sequence[float], spec: Spec, alpha: float, beta: float = 0.0, gamma: float = 0.0, phi: float = 1.0,
           l0: float | None = None, b0: float | None = None, s0: Sequence[float] | None = None,
           m: int = 7) -> tuple[float, float, float, list[float]]:
    """Run the recursions over y: (SSE of one-step errors, last level, last trend, the next m seasons)."""
    hl, hb, hs = initial_states(y, spec, m)
    sse, level, trend, seasons, _ = run(y, spec, alpha, beta, gamma, phi, hl if l0 is None else l0,
                                        hb if b0 is None else b0, hs if s0 is None else s0, m)
    n = len(y)
    return sse, level, trend, [seasons[(n + i) % m] for i in range(m)]


def project(level: float, trend: float, seasons: Sequence[float], spec: Spec, phi: float, horizon: int) -> list[float]:
    """h-step forecasts: level + (φ + … + φ^h)·trend, plus (or times) the season of that step."""
    out, damp, power = [], 0.0, 1.0
    for h in range(1, horizon + 1):
        power *= phi if spec.damped else 1.0
        damp += power
        base = level + (damp * trend if spec.trend else 0.0)
        if not spec.seasonal:
            out.append(base)
        else:
            s = seasons[(h - 1) % len(seasons)]
            out.append(base * s if spec.multiplicative else base + s)
    return out


def paths(y: Sequence[float], fit: Fit, horizon: int, start: int) -> list[list[float]]:
    """The model's forecasts made inside the history, parameters fixed: for each origin t ≥ start,
    the forecasts of y[t], y[t+1], ... (up to `horizon` steps, as far as the history reaches) from
    what was known before t. Their errors are the model's h-step errors (intervals, lead-time demand)."""
    p = fit.params
    return run(y, fit.spec, p["alpha"], p.get("beta", 0.0), p.get("gamma", 0.0), p.get("phi", 1.0), fit.l0,
               fit.b0, fit.s0, fit.m, horizon, start)[4]


def decode(spec: Spec, x: Sequence[float]) -> dict[str, float]:
    """Unconstrained search coordinates → smoothing parameters inside their admissible ranges."""
    it = iter(x)
    p = {"alpha": squash(next(it), 0.0001, 0.9999)}
    if spec.trend:
        p["beta"] = squash(next(it), 0.0001, 0.9999)  # Holt's β (the ETS form's β* = αβ ≤ α)
    if spec.seasonal:
        p["gamma"] = squash(next(it), 0.0001, 0.9999) * (1 - p["alpha"])
    if spec.damped:
        p["phi"] = squash(next(it), *PHI_RANGE)
    return p


def aicc(sse: float, n: int, k: int) -> float:
    if n - k - 1 <= 0:
        return math.inf
    return n * math.log(max(sse, 1e-12) / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1)


def fit(y: Sequence[float], spec: Spec, m: int = 7) -> Fit:
    """One model fitted by least squares: its smoothing constants, initial level and trend (the
    initial season is the decomposition's, counted in AICc as m − 1 parameters)."""
    n_smooth = 1 + spec.trend + spec.seasonal + spec.damped
    hl, hb, hs = initial_states(y, spec, m)
    scale = _spread(y)
    start = [-1.0] + [-1.5] * (spec.trend + spec.seasonal) + ([1.0] if spec.damped else [])
    start += [0.0] + ([0.0] if spec.trend else [])

    def states(x: Sequence[float]) -> tuple[float, float]:
        return hl + x[n_smooth] * scale, hb + (x[n_smooth + 1] * scale / 10 if spec.trend else 0.0)

    def sse_of(x: list[float]) -> float:
        l0, b0 = states(x)
        p = decode(spec, x)
        return run(y, spec, p["alpha"], p.get("beta", 0.0), p.get("gamma", 0.0), p.get("phi", 1.0), l0, b0, hs, m)[0]

    # two starts (α ≈ 0.1 and ≈ 0.5: least squares surfaces of smoothing models have local minima)
    iters = 60 * len(start)
    runs = [nelder_mead(sse_of, [a0, *start[1:]], iters=iters) for a0 in (-2.2, 0.0)]
    x, sse = min(runs, key=lambda r: r[1])
    p = decode(spec, x)
    l0, b0 = states(x)
    _, level, trend, seasons, _ = run(y, spec, p["alpha"], p.get("beta", 0.0), p.get("gamma", 0.0),
                                      p.get("phi", 1.0), l0, b0, hs, m)
    n = len(y)
    k = n_smooth + 1 + spec.trend + (m - 1 if spec.seasonal else 0)
    return Fit(spec, m, p, l0, b0, list(hs), sse, aicc(sse, n, k), k,
               (level, trend, [seasons[(n + i) % m] for i in range(m)]))


def _spread(y: Sequence[float]) -> float:
    """The series' standard deviation (its mean's size, or 1, when flat), computed on the deviations
    scaled by the largest so that squaring never overflows."""
    n = len(y)
    mean = math.fsum(v / n for v in y)
    big = max(abs(v - mean) for v in y)
    if big == 0 or not math.isfinite(big):
        return big if math.isfinite(big) and big > 0 else (abs(mean) or 1.0)
    return big * math.sqrt(math.fsum(((v - mean) / big) ** 2 for v in y) / n)
