"""A small automatic ARIMA in the standard library, in the spirit of Hyndman & Khandakar's `auto.arima`
(R's forecast, statsforecast's AutoARIMA): the differences chosen by tests (KPSS for the ordinary one,
the season's autocorrelation for the seasonal one), then the orders (p, q ≤ 2, seasonal P, Q ≤ 1) by
AICc over a stepwise search, each model fitted by conditional least squares (CSS) with its AR and MA
polynomials kept stationary and invertible (fitted through partial autocorrelations in (−1, 1)).

ARIMA is the third family beside ETS and Theta that the M4 competition's robust combinations average
(the "Comb" and SCUM benchmarks); on yearly and quarterly data AutoARIMA is the strongest peer of
`make bench-forecast`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from .optimize import nelder_mead

KPSS_CRITICAL = 0.463  # 5% critical value of the level-stationarity KPSS test (Kwiatkowski et al. 1992)
MAX_P, MAX_Q = 2, 2
MAX_STEPS = 12  # models tried by the stepwise search at most


@dataclass(frozen=True)
class Order:
    p: int
    d: int
    q: int
    P: int = 0
    D: int = 0
    Q: int = 0
    m: int = 1
    constant: bool = False  # a mean of the differenced series (a drift when d + D = 1)

    @property
    def name(self) -> str:
        seasonal = f"({self.P},{self.D},{self.Q})[{self.m}]" if self.m > 1 else ""
        return f"arima({self.p},{self.d},{self.q}){seasonal}" + ("+c" if self.constant else "")


@dataclass
class Fit:
    order: Order
    ar: list[float]  # the expanded AR polynomial's coefficients, lag 1, 2, ...: w_t = Σ ar_i w_{t−i} + ...
    ma: list[float]  # the expanded MA polynomial's coefficients: ... + e_t + Σ ma_j e_{t−j}
    mu: float
    sse: float
    n: int  # residuals in the sum
    aicc: float
    k: int


def kpss(y: Sequence[float]) -> float:
    """The KPSS level-stationarity statistic with the "short" Newey-West lag (as R's urca, which
    `ndiffs` uses)."""
    n = len(y)
    mean = sum(y) / n
    e = [v - mean for v in y]
    s, cum = 0.0, 0.0
    for v in e:
        cum += v
        s += cum * cum
    lags = int(4 * (n / 100) ** 0.25)
    var = sum(v * v for v in e) / n
    for j in range(1, min(lags, n - 1) + 1):
        w = 1 - j / (lags + 1)
        var += 2 * w * sum(e[t] * e[t - j] for t in range(j, n)) / n
    return s / (n * n * var) if var > 0 else 0.0


def difference(y: Sequence[float], lag: int) -> list[float]:
    return [y[t] - y[t - lag] for t in range(lag, len(y))]


def ndiffs(y: Sequence[float], max_d: int = 2) -> int:
    """How many ordinary differences make the series level-stationary by KPSS at 5%."""
    d, z = 0, list(y)
    while d < max_d and len(z) > 4 and max(z) > min(z) and kpss(z) > KPSS_CRITICAL:
        z = difference(z, 1)
        d += 1
    return d


def _coefs(x: Sequence[float]) -> list[float]:
    """Partial autocorrelations (tanh of unconstrained x) → coefficients of a stationary AR polynomial
    (Durbin-Levinson; Jones 1980), so the search never leaves the admissible region."""
    phi: list[float] = []
    for v in x:
        r = math.tanh(v)
        phi = [a - r * b for a, b in zip(phi, reversed(phi))] + [r]
    return phi


def _expand(regular: Sequence[float], seasonal: Sequence[float], m: int) -> list[float]:
    """(1 − Σ a_i B^i)(1 − Σ A_j B^{jm}) = 1 − Σ c_k B^k: the lag coefficients c."""
    size = len(regular) + m * len(seasonal)
    poly = [0.0] * (size + 1)
    left = [1.0] + [-a for a in regular]
    right = [0.0] * (m * len(seasonal) + 1)
    right[0] = 1.0
    for j, a in enumerate(seasonal, 1):
        right[j * m] = -a
    for i, a in enumerate(left):
        for j, b in enumerate(right):
            if b:
                poly[i + j] += a * b
    return [-c for c in poly[1:]]


def _params(order: Order, x: Sequence[float]) -> tuple[list[float], list[float], float]:
    o = order
    i = 0
    ar = _coefs(x[i:i + o.p]); i += o.p
    ma = [-c for c in _coefs(x[i:i + o.q])]; i += o.q
    sar = _coefs(x[i:i + o.P]); i += o.P
    sma = [-c for c in _coefs(x[i:i + o.Q])]; i += o.Q
    mu = x[i] if o.constant else 0.0
    # the MA polynomial is 1 + Σ θ B^i: expand as for AR with signs flipped
    return _expand(ar, sar, o.m), [-c for c in _expand([-c for c in ma], [-c for c in sma], o.m)], mu


def _residuals(w: Sequence[float], ar: Sequence[float], ma: Sequence[float], mu: float,
               skip: int) -> tuple[list[float], float]:
    """One-step errors of the differenced series (conditional: errors before `skip` are 0)."""
    n = len(w)
    arl = [(i, a) for i, a in enumerate(ar, 1) if a]  # a seasonal model's polynomials are mostly zeros
    mal = [(j, b) for j, b in enumerate(ma, 1) if b]
    pad = len(ma)
    e = [0.0] * (n + pad)  # e[pad + t] is the error at t; the pad holds the zeros before the start
    wc = [v - mu for v in w]
    sse = 0.0
    for t in range(skip, n):
        f = mu
        for i, a in arl:
            f += a * wc[t - i]
        for j, b in mal:
            f += b * e[pad + t - j]
        err = w[t] - f
        e[pad + t] = err
        sse += err * err
    return e[pad:], sse


def differenced(y: Sequence[float], d: int, D: int, m: int) -> list[float]:
    z = list(y)
    for _ in range(D):
        z = difference(z, m)
    for _ in range(d):
        z = difference(z, 1)
    return z


def _undiff_coefs(d: int, D: int, m: int) -> list[float]:
    """y_t = w_t + Σ c_i y_{t−i}: the coefficients c of (1 − B)^d (1 − B^m)^D expanded."""
    poly = [1.0]
    for factor in [[1.0, -1.0]] * d + [[1.0] + [0.0] * (m - 1) + [-1.0]] * D:
        out = [0.0] * (len(poly) + len(factor) - 1)
        for i, a in enumerate(poly):
            for j, b in enumerate(factor):
                out[i + j] += a * b
        poly = out
    return [-c for c in poly[1:]]


def fit(y: Sequence[float], order: Order) -> Fit | None:
    """One model by conditional least squares; None when the differenced series is too short."""
    o = order
    w = differenced(y, o.d, o.D, o.m)
    skip = o.p + o.P * o.m
    k = o.p + o.q + o.P + o.Q + o.constant
    if len(w) - skip < k + 3:
        return None
    mean = sum(w) / len(w)
    x0 = [0.0] * (k - o.constant) + ([mean] if o.constant else [])

    def sse_of(x: list[float]) -> float:
        ar, ma, mu = _params(o, x)
        return _residuals(w, ar, ma, mu, skip)[1]

    if k - o.constant == 0:
        x = x0
        sse = sse_of(x)
    else:
        x, sse = nelder_mead(sse_of, x0, step=0.3, iters=80 * k)
    ar, ma, mu = _params(o, x)
    n = len(w) - skip
    return Fit(o, ar, ma, mu, sse, n, _aicc(sse, n, k + 1), k + 1)


def _aicc(sse: float, n: int, k: int) -> float:
    if n - k - 1 <= 0:
        return math.inf
    return n * math.log(max(sse, 1e-12) / n) + 2 * k + 2 * k * (k + 1) / (n - k - 1)


def auto(y: Sequence[float], m: int = 1, seasonal_diff: bool = False) -> Fit | None:
    """The smallest-AICc model of a stepwise search (Hyndman & Khandakar 2008): d by KPSS after the
    seasonal difference (`seasonal_diff`, decided by the caller's seasonality test), then from a few
    starting models, one order at a time ±1 while AICc falls."""
    D = 1 if seasonal_diff and m > 1 and len(y) > 3 * m else 0
    d = ndiffs(differenced(y, 0, D, m), 2 - D if D else 2)
    sm = m if m > 1 and len(y) >= 3 * m else 1
    constant = d + D <= 1

    def order(p: int, q: int, P: int = 0, Q: int = 0) -> Order:
        return Order(p, d, q, P if sm > 1 else 0, D, Q if sm > 1 else 0, sm, constant)

    tried: dict[Order, Fit | None] = {}

    def attempt(o: Order) -> Fit | None:
        if o not in tried:
            tried[o] = fit(y, o)
        return tried[o]

    starts = [order(2, 2, 1, 1), order(0, 0), order(1, 0, 1, 0), order(0, 1, 0, 1)]
    fits = [f for f in (attempt(o) for o in starts) if f is not None]
    if not fits:
        return None
    best = min(fits, key=lambda f: f.aicc)
    improved = True
    while improved and len(tried) < MAX_STEPS:
        improved = False
        o = best.order
        for dp, dq, dP, dQ in ((1, 0, 0, 0), (-1, 0, 0, 0), (0, 1, 0, 0), (0, -1, 0, 0), (1, 1, 0, 0),
                               (-1, -1, 0, 0), (0, 0, 1, 0), (0, 0, -1, 0), (0, 0, 0, 1), (0, 0, 0, -1)):
            p, q, P, Q = o.p + dp, o.q + dq, o.P + dP, o.Q + dQ
            if not (0 <= p <= MAX_P and 0 <= q <= MAX_Q and 0 <= P <= 1 and 0 <= Q <= 1):
                continue
            cand = order(p, q, P, Q)
            if cand in tried or len(tried) >= MAX_STEPS:
                continue
            f = attempt(cand)
            if f is not None and f.aicc < best.aicc - 1e-9:
                best, improved = f, True
                break
    return best


def _project(y: Sequence[float], w: Sequence[float], e: Sequence[float], fit: Fit, t: int, steps: int,
             undiff: Sequence[float]) -> list[float]:
    """Forecasts of y[t], y[t+1], ... from what is known before t (the differenced series and the
    errors up to the same point; future errors 0)."""
    lag = len(undiff)  # w[i] belongs to y[i + lag]
    keep = max(len(fit.ar), len(fit.ma), 1)
    s0 = max(0, t - lag - keep)
    ww = list(w[s0:max(0, t - lag)])
    ee = list(e[s0:max(0, t - lag)])
    ww = [fit.mu] * (keep - len(ww)) + ww  # before the start: the mean, errors 0
    ee = [0.0] * (keep - len(ee)) + ee
    yy = list(y[max(0, t - lag):t])
    yy = [yy[0] if yy else 0.0] * (lag - len(yy)) + yy
    arl = [(i, a) for i, a in enumerate(fit.ar, 1) if a]
    mal = [(j, b) for j, b in enumerate(fit.ma, 1) if b]
    dl = [(i, c) for i, c in enumerate(undiff, 1) if c]
    out = []
    for _ in range(steps):
        f = fit.mu
        s = len(ww)
        for i, a in arl:
            f += a * (ww[s - i] - fit.mu)
        for j, b in mal:
            f += b * ee[s - j]
        ww.append(f)
        ee.append(0.0)
        sy = len(yy)
        v = f + sum(c * yy[sy - i] for i, c in dl)
        yy.append(v)
        out.append(v)
    return out


def forecast_and_paths(y: Sequence[float], fit: Fit, horizon: int, start: int) -> tuple[list[float], list[list[float]]]:
    """The forecast of the next `horizon` values, and (as `ets.paths`) the forecasts made inside the
    history from each origin t ≥ start, with the fitted parameters (errors before an origin known)."""
    o = fit.order
    undiff = _undiff_coefs(o.d, o.D, o.m)
    w = differenced(y, o.d, o.D, o.m)
    e, _ = _residuals(w, fit.ar, fit.ma, fit.mu, o.p + o.P * o.m)
    n = len(y)
    lag = len(undiff)
    paths = []
    for t in range(start, n):
        steps = min(horizon, n - t)
        if t - lag < 1:  # too early for the differences: the last value
            paths.append([y[t - 1]] * steps)
        else:
            paths.append(_project(y, w, e, fit, t, steps, undiff))
    return _project(y, w, e, fit, n, horizon, undiff), paths
