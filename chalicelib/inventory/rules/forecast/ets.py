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

from .optimize import nelder_mead, squash


@dataclass(frozen=True)
class Spec:
    name: str
    trend: bool = False
    damped: bool = False
    seasonal: bool = False


ANN, AAN, AADN = Spec("ANN"), Spec("AAN", trend=True), Spec("AAdN", trend=True, damped=True)
ANA = Spec("ANA", seasonal=True)
AAA = Spec("AAA", trend=True, seasonal=True)
AADA = Spec("AAdA", trend=True, damped=True, seasonal=True)
SPECS = (ANN, AAN, AADN, ANA, AAA, AADA)
NONSEASONAL = (ANN, AAN, AADN)
PHI_RANGE = (0.8, 0.98)


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
    """Heuristic starting level, trend and season (the first seasons' means and deviations)."""
    if spec.seasonal:
        first = sum(y[:m]) / m
        trend = (sum(y[m:2 * m]) / m - first) / m if spec.trend else 0.0
        return first, trend, [y[i] - first for i in range(m)]
    k = min(len(y), 4)
    level = sum(y[:k]) / k if not spec.trend else y[0]
    trend = (y[k - 1] - y[0]) / (k - 1) if spec.trend and k > 1 else 0.0
    return level, trend, [0.0] * m


def smooth(y: Sequence[float], spec: Spec, alpha: float, beta: float = 0.0, gamma: float = 0.0, phi: float = 1.0,
           l0: float | None = None, b0: float | None = None, s0: Sequence[float] | None = None,
           m: int = 7) -> tuple[float, float, float, list[float]]:
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
    """h-step forecasts: level + (φ + … + φ^h)·trend + the season of that step."""
    out, damp, power = [], 0.0, 1.0
    for h in range(1, horizon + 1):
        power *= phi if spec.damped else 1.0
        damp += power
        out.append(level + (damp * trend if spec.trend else 0.0) + (seasons[(h - 1) % len(seasons)]
                                                                    if spec.seasonal else 0.0))
    return out


def paths(y: Sequence[float], fit: Fit, horizon: int, start: int) -> list[list[float]]:
    """The model's forecasts made inside the history, parameters fixed: for each origin t ≥ start,
    the forecasts of y[t], y[t+1], ... (up to `horizon` steps, as far as the history reaches) from
    what was known before t. Their errors are the model's h-step errors (intervals, lead-time demand)."""
    spec, m, p = fit.spec, fit.m, fit.params
    alpha, beta, gamma = p["alpha"], p.get("beta", 0.0), p.get("gamma", 0.0)
    phi = p.get("phi", 1.0) if spec.damped else 1.0
    damps, power, acc = [], 1.0, 0.0
    for _ in range(horizon):
        power *= phi
        acc += power
        damps.append(acc)
    level, trend, season = fit.l0, (fit.b0 if spec.trend else 0.0), list(fit.s0) if spec.seasonal else [0.0] * m
    n = len(y)
    out: list[list[float]] = []
    for t, obs in enumerate(y):
        if t >= start:
            steps = min(horizon, n - t)
            out.append([level + damps[k] * trend + season[(t + k) % m] for k in range(steps)])
        s = season[t % m]
        base = level + phi * trend
        new_level = alpha * (obs - s) + (1 - alpha) * base
        if spec.trend:
            trend = beta * (new_level - level) + (1 - beta) * phi * trend
        if spec.seasonal:
            season[t % m] = gamma * (obs - base) + (1 - gamma) * s
        level = new_level
    return out


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
    """One model fitted by least squares (with its initial level and trend, unless seasonal)."""
    n_smooth = 1 + spec.trend + spec.seasonal + spec.damped
    start = [-1.0] + [-1.5] * (spec.trend + spec.seasonal) + ([1.0] if spec.damped else [])
    hl, hb, hs = initial_states(y, spec, m)
    free_init = not spec.seasonal
    scale = _spread(y)
    if free_init:
        start += [0.0] + ([0.0] if spec.trend else [])

    def states(x: Sequence[float]) -> tuple[float, float]:
        if not free_init:
            return hl, hb
        return hl + x[n_smooth] * scale, hb + (x[n_smooth + 1] * scale / 10 if spec.trend else 0.0)

    def sse_of(x: list[float]) -> float:
        l0, b0 = states(x)
        p = decode(spec, x)
        return smooth(y, spec, p["alpha"], p.get("beta", 0.0), p.get("gamma", 0.0), p.get("phi", 1.0),
                      l0=l0, b0=b0, s0=hs, m=m)[0]

    # two starts (α ≈ 0.1 and ≈ 0.5: least squares surfaces of smoothing models have local minima),
    # then a restart from the better one (Nelder-Mead can stall on a ridge)
    iters = 60 * len(start)
    runs = [nelder_mead(sse_of, [a0, *start[1:]], iters=iters) for a0 in (-2.2, 0.0)]
    x, sse = min(runs, key=lambda r: r[1])
    x, sse = nelder_mead(sse_of, x, step=0.3, iters=iters)
    p = decode(spec, x)
    l0, b0 = states(x)
    _, level, trend, seasons = smooth(y, spec, p["alpha"], p.get("beta", 0.0), p.get("gamma", 0.0),
                                      p.get("phi", 1.0), l0=l0, b0=b0, s0=hs, m=m)
    k = n_smooth + 1 + spec.trend + (m - 1 if spec.seasonal else 0)
    return Fit(spec, m, p, l0, b0, list(hs), sse, aicc(sse, len(y), k), k, (level, trend, seasons))


def _spread(y: Sequence[float]) -> float:
    n = len(y)
    mean = sum(y) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in y) / n)
    return sd if sd > 0 else (abs(mean) or 1.0)
