"""The Theta method (Assimakopoulos & Nikolopoulos 2000), in the form Hyndman & Billah (2003) showed
it to be: simple exponential smoothing plus half the slope of the series' linear trend, phased in as
the smoothing forgets its start. The winner of the M3 competition and the yardstick of M4."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from .optimize import nelder_mead, squash


@dataclass
class Theta:
    alpha: float
    l0: float
    drift: float  # b0: the least-squares slope of the series on time
    level: float  # after the last observation
    n: int
    sse: float

    def step(self, k: int, seen: int) -> float:
        """The trend part of the k-step forecast from an origin that has seen `seen` points."""
        a = self.alpha
        return 0.5 * self.drift * ((k - 1) + 1 / a - ((1 - a) ** seen) / a)

    def forecast(self, horizon: int) -> list[float]:
        return [self.level + self.step(k, self.n) for k in range(1, horizon + 1)]


def slope(y: Sequence[float]) -> float:
    n = len(y)
    if n < 2:
        return 0.0
    tm = (n - 1) / 2
    ym = sum(y) / n
    num = sum((t - tm) * (v - ym) for t, v in enumerate(y))
    den = sum((t - tm) ** 2 for t in range(n))
    return num / den


def _run(y: Sequence[float], alpha: float, l0: float, drift: float) -> tuple[float, float]:
    level, sse = l0, 0.0
    for t, obs in enumerate(y):
        f = level + 0.5 * drift * (1 / alpha - ((1 - alpha) ** t) / alpha)
        err = obs - f
        sse += err * err
        level = alpha * obs + (1 - alpha) * level
    return sse, level


def fit(y: Sequence[float]) -> Theta:
    drift = slope(y)
    head = sum(y[:min(len(y), 4)]) / min(len(y), 4)
    scale = (max(y) - min(y)) or abs(head) or 1.0

    def sse_of(x: list[float]) -> float:
        return _run(y, squash(x[0], 0.0001, 0.9999), head + x[1] * scale, drift)[0]

    x, sse = nelder_mead(sse_of, [0.0, 0.0], iters=120)
    alpha, l0 = squash(x[0], 0.0001, 0.9999), head + x[1] * scale
    _, level = _run(y, alpha, l0, drift)
    return Theta(alpha, l0, drift, level, len(y), sse)


def paths(y: Sequence[float], model: Theta, horizon: int, start: int) -> list[list[float]]:
    """In-sample forecasts from each origin t ≥ start (as `ets.paths`)."""
    level, n, out = model.l0, len(y), []
    for t, obs in enumerate(y):
        if t >= start:
            out.append([level + model.step(k, t) for k in range(1, min(horizon, n - t) + 1)])
        level = model.alpha * obs + (1 - model.alpha) * level
    return out
