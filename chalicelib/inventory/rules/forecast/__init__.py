"""Forecasting in the standard library (the API Lambda ships no numpy, statsmodels or statsforecast;
bench/forecast.py measures this engine against them, side by side, and docs/forecasting.md says why).

`forecast(series, horizon, m)` for one series (oldest first):

1. **Clean** (`clean`): None and NaN are missing: filled by linear interpolation inside the history,
   dropped at its ends; an infinity, m < 1 or horizon < 1 raise `ForecastInputError`. For demand
   (`demand=True`) negative values are taken as 0 (returns are not demand) and the days before the
   first demand are left out (a product not yet sold there is not a product nobody wants).
2. **Route**: no history → `none` (demand: a zero forecast, marked so; otherwise an error); one or two
   points → `naive`; a series never below zero whose average interval between non-zero values is
   ≥ 1.32 (Syntetos-Boylan: intermittent demand) → `tsb` (intermittent.py), never below zero.
3. **Season**: with 3 full seasons and a significant autocorrelation at lag m (a seasonal strength
   for m > 48), the classical decomposition's indices are taken out (multiplicative for a positive
   series) and put back on the forecast; any m works (4, 7, 12, 24, 48, 365...), and on a short history
   (2 to 4 seasons) an unconfirmed one still competes by AICc.
4. **Models**: additive ETS without season (ANN, AAN, AAdN; the smallest AICc wins) and Theta, on the
   seasonally adjusted series, averaged (a combination: more robust than choosing); for a season up
   to 24, that average averaged again with Holt-Winters (the season in its recursions, additive or
   multiplicative) competes. Options (with or without a season the test could not confirm, with or
   without Holt-Winters) are compared by the AICc of their one-step errors on the same points.
   Without a season, or with one up to a week, a small automatic ARIMA (arima.py) is averaged in
   (weight `ARIMA_WEIGHT`; `ARIMA_WEIGHT_M1` without season), the third family of M4's robust
   combinations.
5. **Intervals**: from the chosen option's own k-step errors inside the history (parameters fixed,
   every origin), scaled up by how much worse its true out-of-sample errors were when the same recipe
   was refitted without the last stretch of history (`_calibration`; a ratio below 1 narrows only for
   a season longer than a week, and then as its square root: `CAL_SHRINK`), and by the degrees-of-freedom
   correction √(N/(N−k)) for the k parameters fitted on those N errors: per step, the split-conformal
   quantile of their sizes (as ratios of the forecast for a multiplicative season), so bands widen
   with the horizon as the errors do. The same errors summed over a lead time give the distribution
   of lead-time demand (`Result.total`), from which the reorder point and the stock-out date at a
   service level come (stock.py).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from statistics import NormalDist
from typing import Sequence

from . import arima, ets, intermittent, season, theta
from .intermittent import INTERMITTENT_ADI, adida, average_demand_interval, croston, fit_tsb, stopped, tsb
from .stock import days_of_cover, lead_time_demand, mase, reorder_point, stockout_date

__all__ = ["INTERMITTENT_ADI", "ForecastInputError", "LEVELS", "MAX_POINTS", "Result", "SEASON", "adida",
           "average_demand_interval", "clean", "croston", "days_of_cover", "fit_tsb", "forecast",
           "lead_time_demand", "mase", "reorder_point", "stockout_date", "stopped", "tsb"]

SEASON = 7
LEVELS = (80, 95)
MAX_POINTS = 3000  # the most recent points fitted (enough for 3 yearly seasons of daily data)
MIN_SAMPLE = 20  # h-step errors needed before a step's band comes from their quantiles
BURN_IN = 10  # in-sample forecasts start after the first tenth of the history (states settle)
ALL_CYCLES = 10 ** 6  # indices averaged over every season the history holds
FIT_WINDOW = 400  # the points the models fit, after any season longer than a third of it is taken out
NATIVE_MAX_M = 24  # Holt-Winters with the season in its recursions, up to a day of hours
POOL_MAX_M = 7  # seasons up to a week: the chosen option is averaged with the median pool (`_pool`)
CAL_WINDOWS = 1  # the stretches at the end of the history the interval calibration refits (3 cost 3x the time
# and narrowed the yearly bands on the development series; see docs/forecasting.md)
CAL_SHRINK = 0.5  # a calibration ratio below 1 is taken to this power (shrunk toward 1: one window is noisy) ...
NARROW_MIN_M = POOL_MAX_M  # ... and used only for seasons longer than this (see docs/forecasting.md)
DRIFT_WEIGHT = 2 / 3  # a series given no season (m = 1): the drift's weight beside the chosen option
ARIMA_MAX_M = 7  # seasons up to this (and none: m = 1) average an automatic ARIMA (arima.py) in
ARIMA_WEIGHT = 1 / 3  # its weight beside the chosen option
ARIMA_WEIGHT_M1 = 1 / 2  # its weight for a series without season (m = 1): alone, it beat the ETS/Theta/drift mix


class ForecastInputError(ValueError):
    """A series or setting the engine cannot forecast from (an infinity, m < 1, horizon < 1, ...)."""


@dataclass
class Result:
    method: str  # e.g. "ets:AAdN+theta", "tsb", "naive", "none"; "×season(12)" when a season was taken out
    mean: list[float]
    lower: dict[int, list[float]]
    upper: dict[int, list[float]]
    sigma: float  # the standard deviation of one-step errors inside the history
    note: str = ""  # why a forecast is what it is, when the history decided it (none, naive, ...)
    errors: list[list[float]] = field(default_factory=list, repr=False)  # per origin: k-step errors
    demand: bool = False

    @property
    def daily(self) -> list[float]:
        return self.mean

    def total(self, days: int, level: float) -> float:
        """The `level` quantile (0.5–1) of the total over the next `days` steps: the forecast's sum plus
        the quantile of the same-length sums of errors inside the history."""
        if not 0.5 <= level < 1:
            raise ForecastInputError("level is between 0.5 and 1")
        base = _sum_ahead(self.mean, days)
        sums = [sum(e[:days]) for e in self.errors if len(e) >= min(days, len(self.mean))]
        if days > len(self.mean) or len(sums) < MIN_SAMPLE:  # too few: scale the one-step spread
            extra = NormalDist().inv_cdf(level) * self.sigma * math.sqrt(max(days, 0))
        else:
            extra = quantile(sums, level)
        return max(0.0, base + extra) if self.demand else base + extra

MULTIPLICATIVE_RANGE = 1e4
"""A multiplicative season only when the series' largest value is at most this many times its smallest
(else additive): a season whose level is near zero has a near-zero index, and dividing by it blows the
rest of the series up."""


def _multiplicative_ok(y: Sequence[float]) -> bool:
    return min(y) > 0 and max(y) <= MULTIPLICATIVE_RANGE * min(y)


def _sum_ahead(mean: Sequence[float], days: int) -> float:
    inside = sum(mean[:days])
    beyond = max(0, days - len(mean)) * (sum(mean) / len(mean) if mean else 0.0)
    return inside + beyond


def quantile(values: Sequence[float], q: float) -> float:
    """The q quantile with linear interpolation between order statistics (numpy's default)."""
    xs = sorted(values)
    pos = q * (len(xs) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def conformal(errors: Sequence[float], level: float) -> float:
    """The half-width that holds `level` of the errors with split-conformal's finite-sample rule: the
    ⌈(N+1)·level⌉-th smallest absolute error (the largest when N is too small for the level)."""
    size = sorted(abs(v) for v in errors)
    return size[min(len(size) - 1, math.ceil((len(size) + 1) * level) - 1)]


# ----------------------------------------------------------------- input
def clean(series: Sequence[float | int | None], demand: bool = False) -> list[float]:
    """The finite history the models see (see the module's docstring for each rule)."""
    raw: list[float | None] = []
    for i, v in enumerate(series):
        if v is None:
            raw.append(None)
            continue
        try:
            f = float(v)
        except (TypeError, ValueError):
            raise ForecastInputError(f"value {i} is not a number: {v!r}") from None
        if math.isinf(f):
            raise ForecastInputError(f"value {i} is infinite")
        raw.append(None if math.isnan(f) else f)
    known = [i for i, v in enumerate(raw) if v is not None]
    if not known:
        return []
    out: list[float] = []
    for i in range(known[0], known[-1] + 1):
        v = raw[i]
        if v is None:  # interpolate between the neighbours that are known
            a = max(j for j in known if j < i)
            b = min(j for j in known if j > i)
            va, vb = raw[a], raw[b]
            assert va is not None and vb is not None
            v = va + (vb - va) * (i - a) / (b - a)
        out.append(v)
    if demand:
        out = [max(0.0, v) for v in out]
        first = next((i for i, v in enumerate(out) if v > 0), len(out))
        out = out[first:]
    return out[-MAX_POINTS:]


# ----------------------------------------------------------------- one series
def forecast(series: Sequence[float | int | None], horizon: int = 28, m: int | Sequence[int] = SEASON, *,
             demand: bool = False, levels: Sequence[int] = LEVELS) -> Result:
    """The next `horizon` values of a series with season length `m` (1: none; several, e.g. (7, 365) for
    daily data, each taken out when the history shows it), with prediction intervals at `levels`
    percent. `demand=True` reads it as daily demand: never below zero (module docstring)."""
    given: list[object] = list(m) if isinstance(m, (list, tuple)) else [m]
    ms = [v for v in given if isinstance(v, int) and not isinstance(v, bool) and v >= 1]
    if not ms or len(ms) != len(given):
        raise ForecastInputError(f"season length m must be a whole number ≥ 1, not {m!r}")
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
        raise ForecastInputError(f"horizon must be a whole number ≥ 1, not {horizon!r}")
    if any(not 0 < lv < 100 for lv in levels):
        raise ForecastInputError("levels are percentages between 0 and 100")
    y = clean(series, demand)
    n = len(y)
    if n == 0 or (demand and not any(y)):
        if not demand:
            raise ForecastInputError("the series has no finite value")
        zeros = [0.0] * horizon
        return Result("none", zeros, {lv: zeros for lv in levels}, {lv: zeros for lv in levels}, 0.0,
                      "no demand recorded yet", demand=True)
    if n < 3:
        return _naive(y, horizon, levels, demand)
    if min(y) >= 0 and average_demand_interval(y) >= INTERMITTENT_ADI:  # counts with many zeros
        return _intermittent(y, horizon, levels)
    return _smooth_series(y, horizon, ms, levels, demand)


def _naive(y: list[float], horizon: int, levels: Sequence[int], demand: bool) -> Result:
    """One or two points: their mean, with a band as wide as the spread the points allow (the
    differences of two points, else the value's own size: for demand, a Poisson count's √mean)."""
    mean = sum(y) / len(y)
    spread = abs(y[1] - y[0]) if len(y) == 2 else (math.sqrt(abs(mean)) if demand else abs(mean))
    spread = spread or (1.0 if demand else abs(mean) * 0.1) or 1.0
    lower, upper = {}, {}
    for lv in levels:
        z = NormalDist().inv_cdf(0.5 + lv / 200)
        lower[lv] = [mean - z * spread * math.sqrt(k) for k in range(1, horizon + 1)]
        upper[lv] = [mean + z * spread * math.sqrt(k) for k in range(1, horizon + 1)]
    r = Result("naive", [mean] * horizon, lower, upper, spread,
               f"only {len(y)} point{'s' if len(y) > 1 else ''} of history: their mean", demand=demand)
    return _floor(r) if demand else r


def _intermittent(y: list[float], horizon: int, levels: Sequence[int]) -> Result:
    sse, params, level = fit_tsb(y)
    start = min(len(y) - 1, max(7, len(y) // 5))
    ps = intermittent.paths(y, params["alpha"], params["beta"], horizon, start)
    errs = _errors(y, ps, start)
    if intermittent.stopped(y):
        r = Result("stopped", [0.0] * horizon, {}, {}, math.sqrt(sse / len(y)), errors=errs, demand=True,
                   note="no demand for longer than any earlier gap between demands: forecast as stopped")
    else:
        r = Result("adida", [intermittent.adida(y)] * horizon, {}, {}, math.sqrt(sse / len(y)), errors=errs,
                   demand=True)
    _bands(r, errs, levels, relative=None)
    return _floor(r)


@dataclass(frozen=True)
class _Recipe:
    """How an option is made: the seasons decomposed, the season of a Holt-Winters model averaged in
    (0: none), and, once chosen, the specs fitted (so a refit repeats the choice, not the search)."""
    seasons: tuple[int, ...]
    native: int = 0
    ets_spec: ets.Spec | None = None
    hw_spec: ets.Spec | None = None
    cycles: int = season.RECENT_CYCLES  # the seasons the decomposition's indices average over
    pool: bool = False  # the median of many candidates (`_pool`) averaged in (for a short season)
    drift: float = 0.0  # the weight of the random walk with drift averaged in (for a series without season)
    arima: arima.Order | None = None  # the ARIMA averaged in (yearly and quarterly data), once chosen
    arima_weight: float = 0.0


@dataclass
class _Option:
    """One way to forecast a regular series: its forecast, its forecasts inside the history (from each
    origin ≥ start), and the AICc of their one-step errors, so options compare on the same points."""
    name: str
    mean: list[float]
    paths: list[list[float]]
    aicc: float
    multiplicative: bool
    recipe: _Recipe
    k: int  # parameters estimated (smoothing constants, initial states, seasonal indices)


def _decomposed(y: list[float], horizon: int, ms: Sequence[int], start: int,
                spec: ets.Spec | None = None, cycles: int = season.RECENT_CYCLES) -> _Option:
    """Take out the seasons `ms` (classical decomposition, longest first), fit ETS (ANN, AAN, AAdN: the
    smallest AICc, or `spec`) and Theta on the adjusted series, average their forecasts, put the
    seasons back."""
    n = len(y)
    multiplicative = bool(ms) and _multiplicative_ok(y)
    z, found = list(y), []
    for m in sorted(ms, reverse=True):
        idx = season.indices(z, m, multiplicative, cycles)
        z = season.remove(z, idx, multiplicative)
        found.append(idx)
    specs = [spec] if spec else [s for s in ets.NONSEASONAL if not s.trend or n >= 5]
    best = min((_fit_ets(z, s) for s in specs), key=lambda f: f.aicc)
    th = _fit_theta(z)
    parts = [(best.forecast(horizon), ets.paths(z, best, horizon, start)),
             (th.forecast(horizon), theta.paths(z, th, horizon, start))]
    mean = [(a + b) / 2 for a, b in zip(parts[0][0], parts[1][0])]
    paths = [[(a + b) / 2 for a, b in zip(p, q)] for p, q in zip(parts[0][1], parts[1][1])]
    for idx in found:
        mean = season.restore(mean, idx, multiplicative, n)
        paths = [season.restore(p, idx, multiplicative, start + o) for o, p in enumerate(paths)]
    k = best.k + 2 + sum(m - 1 for m in ms)
    name = f"ets:{best.spec.name}+theta" + "".join(f"×season({m})" for m in sorted(ms, reverse=True))
    return _Option(name, mean, paths, _aicc(y, paths, start, k), multiplicative,
                   _Recipe(tuple(ms), 0, best.spec, None, cycles), k)


def _pool(y: list[float], horizon: int, ms: Sequence[int], start: int, native: int = 0) -> _Option:
    """A combination of many candidates: ANN, AAN, AAdN and Theta each on the series with its seasons
    taken out, and Holt-Winters with the season in its recursions (additive, and multiplicative for a
    positive series) when `native` names a season: per step, the median of their forecasts (robust to
    one candidate gone astray, as the SCUM benchmark of M4 combines by the median)."""
    n = len(y)
    positive = _multiplicative_ok(y)
    cands: list[tuple[list[float], list[list[float]]]] = []
    for mult in [positive and bool(ms)]:
        z, found = list(y), []
        for m in sorted(ms, reverse=True):
            idx = season.indices(z, m, mult)
            z = season.remove(z, idx, mult)
            found.append(idx)
        parts = []
        for spec in ets.NONSEASONAL:
            if spec.trend and n < 5:
                continue
            f = _fit_ets(z, spec)
            parts.append((f.forecast(horizon), ets.paths(z, f, horizon, start)))
        th = _fit_theta(z)
        parts.append((th.forecast(horizon), theta.paths(z, th, horizon, start)))
        for mean, paths in parts:
            for idx in found:
                mean = season.restore(mean, idx, mult, n)
                paths = [season.restore(p, idx, mult, start + o) for o, p in enumerate(paths)]
            cands.append((mean, paths))
    if native:
        families = [ets.SEASONAL_ADDITIVE] + ([ets.SEASONAL_MULTIPLICATIVE] if positive else [])
        for family in families:
            hw = min((_fit_ets(y, s, native) for s in family if s.damped or not s.trend), key=lambda f: f.aicc)
            cands.append((hw.forecast(horizon), ets.paths(y, hw, horizon, start)))
    mean = [_median([c[0][k] for c in cands]) for k in range(horizon)]
    paths = [[_median([c[1][o][k] for c in cands]) for k in range(len(cands[0][1][o]))]
             for o in range(len(cands[0][1]))]
    k = 4 + sum(m - 1 for m in ms)
    name = "pool" + "".join(f"×season({m})" for m in sorted(ms, reverse=True)) + (f"|hw({native})" if native else "")
    return _Option(name, mean, paths, _aicc(y, paths, start, k), positive and bool(ms),
                   _Recipe(tuple(ms), native), k)


@lru_cache(maxsize=32)
def _fit_ets_memo(y: tuple[float, ...], spec: ets.Spec, m: int) -> ets.Fit:
    return ets.fit(y, spec, m)


def _fit_ets(y: Sequence[float], spec: ets.Spec, m: int = 7) -> ets.Fit:
    """`ets.fit`, remembered: the pool and the chosen option fit the same model to the same adjusted
    series (a `Fit` is never changed after it is made, so sharing one is safe)."""
    return _fit_ets_memo(tuple(y), spec, m)


@lru_cache(maxsize=16)
def _fit_theta_memo(y: tuple[float, ...]) -> theta.Theta:
    return theta.fit(y)


def _fit_theta(y: Sequence[float]) -> theta.Theta:
    """`theta.fit`, remembered (as `_fit_ets`)."""
    return _fit_theta_memo(tuple(y))


def _median(xs: list[float]) -> float:
    s = sorted(xs)
    h = len(s) // 2
    return s[h] if len(s) % 2 else (s[h - 1] + s[h]) / 2


def _native(y: list[float], horizon: int, m: int, start: int, spec: ets.Spec | None = None) -> _Option:
    """Holt-Winters with its season in the recursions (multiplicative for a positive series, else
    additive; with no or a damped trend: the smaller AICc, or `spec`), which lets the season change
    over time where a decomposition holds it fixed."""
    family = ets.SEASONAL_MULTIPLICATIVE if _multiplicative_ok(y) else ets.SEASONAL_ADDITIVE
    specs = [spec] if spec else [s for s in family if s.damped or not s.trend]
    hw = min((_fit_ets(y, s, m) for s in specs), key=lambda f: f.aicc)
    paths = ets.paths(y, hw, horizon, start)
    return _Option(f"ets:{hw.spec.name}({m})", hw.forecast(horizon), paths, _aicc(y, paths, start, hw.k),
                   hw.spec.multiplicative, _Recipe((), m, None, hw.spec), hw.k)


def _aicc(y: Sequence[float], paths: list[list[float]], start: int, k: int) -> float:
    sse = sum((y[start + o] - p[0]) ** 2 for o, p in enumerate(paths) if p)
    return ets.aicc(sse, len(paths), k)


def _build(y: list[float], horizon: int, recipe: _Recipe, start: int) -> _Option:
    """The option a recipe names: decomposition and combination, averaged with Holt-Winters when it
    has a native season, then with the pool of candidates or the random walk with drift when it says so."""
    base = _plain(y, horizon, replace(recipe, pool=False, drift=0.0, arima=None, arima_weight=0.0), start)
    if recipe.pool:
        base = _with_pool(y, horizon, base, start)
    if recipe.drift:
        base = _with_drift(y, base, start, recipe.drift)
    if recipe.arima_weight:
        base = _with_arima(y, horizon, base, start, recipe.arima_weight, recipe.arima)
    return base


def _with_arima(y: list[float], horizon: int, option: _Option, start: int, weight: float,
                order: arima.Order | None = None, m: int = 1, seasonal_diff: bool = False) -> _Option:
    """The option averaged with an ARIMA (`weight` on it): the automatic search's choice, or `order`
    refitted (a refit repeats the choice). Unchanged when the history is too short for the model."""
    fit = arima.auto(y, m, seasonal_diff) if order is None else arima.fit(y, order)
    if fit is None:
        return option
    mean, paths = arima.forecast_and_paths(y, fit, horizon, start)
    if any(not math.isfinite(v) for v in mean):
        return option
    return _Option(option.name + "&" + fit.order.name,
                   [(1 - weight) * a + weight * b for a, b in zip(option.mean, mean)],
                   [[(1 - weight) * a + weight * b for a, b in zip(p, q)] for p, q in zip(option.paths, paths)],
                   option.aicc, option.multiplicative, replace(option.recipe, arima=fit.order, arima_weight=weight),
                   option.k)


def _with_pool(y: list[float], horizon: int, option: _Option, start: int) -> _Option:
    """The option averaged with the median pool of candidates over the same seasons (`_pool`)."""
    seasons = option.recipe.seasons
    pool = _pool(y, horizon, seasons, start, max([m for m in seasons if m <= NATIVE_MAX_M], default=0))
    return _Option(option.name + "&" + pool.name, [(a + b) / 2 for a, b in zip(option.mean, pool.mean)],
                   [[(a + b) / 2 for a, b in zip(p, q)] for p, q in zip(option.paths, pool.paths)],
                   option.aicc, option.multiplicative, replace(option.recipe, pool=True), option.k)


def _plain(y: list[float], horizon: int, recipe: _Recipe, start: int) -> _Option:
    base = _decomposed(y, horizon, recipe.seasons, start, recipe.ets_spec, recipe.cycles)
    if not recipe.native:
        return base
    hw = _native(y, horizon, recipe.native, start, recipe.hw_spec)
    paths = [[(a + b) / 2 for a, b in zip(p, q)] for p, q in zip(base.paths, hw.paths)]
    # Holt-Winters' parameters plus the decomposition's ETS and Theta constants (its season counted once)
    k = hw.k + base.k - sum(m - 1 for m in recipe.seasons)
    return _Option(f"{base.name}|{hw.name}", [(a + b) / 2 for a, b in zip(base.mean, hw.mean)], paths,
                   _aicc(y, paths, start, k), base.multiplicative and hw.multiplicative,
                   _Recipe(recipe.seasons, recipe.native, base.recipe.ets_spec, hw.recipe.hw_spec, recipe.cycles),
                   k)


def _smooth_series(y: list[float], horizon: int, ms: Sequence[int], levels: Sequence[int], demand: bool) -> Result:
    n = len(y)
    positive = _multiplicative_ok(y)
    z, tested = list(y), []  # the seasons the history shows (the test), longest first
    for m in sorted(set(ms), reverse=True):
        if season.is_seasonal(z, m):
            tested.append(m)
            z = season.remove(z, season.indices(z, m, positive), positive)
    # long seasons (a year of days) come out of the whole history first; the models then fit its last
    # FIT_WINDOW points, which keeps a fit to a fraction of a second whatever the history's length
    outer: list[list[float]] = []
    adjusted = list(y)
    for m in tested:
        if 3 * m > FIT_WINDOW:
            idx = season.indices(adjusted, m, positive)
            adjusted = season.remove(adjusted, idx, positive)
            outer.append(idx)
    inner = [m for m in tested if 3 * m <= FIT_WINDOW]
    w = adjusted[-FIT_WINDOW:]
    offset, nw = n - len(w), len(w)
    # on a short history (2 to 4 seasons) the test has little power: a season it could not confirm
    # still competes, by AICc
    possible = [m for m in sorted(set(ms), reverse=True) if m > 1 and 2 * m <= nw < 4 * m and m not in tested]
    start = min(nw - 1, max(2, nw // BURN_IN))
    options = [_decomposed(w, horizon, inner, start)]
    if inner:  # a season that drifts is read from its last seasons, a steady noisy one from all of them
        options.append(_decomposed(w, horizon, inner, start, cycles=ALL_CYCLES))
    if possible:
        options.append(_decomposed(w, horizon, sorted(inner + possible, reverse=True), start))
    native = [m for m in inner + possible if m <= NATIVE_MAX_M]
    if native:
        base = min(options, key=lambda o: o.aicc)
        options.append(_build(w, horizon, _Recipe(base.recipe.seasons, max(native), base.recipe.ets_spec, None,
                                                  base.recipe.cycles), start))
    chosen = min(options, key=lambda o: o.aicc)
    if inner and max(inner) <= POOL_MAX_M:  # a short season: half the chosen option, half the pool
        chosen = _with_pool(w, horizon, chosen, start)
    elif list(ms) == [1]:  # no season: the random walk with drift averaged in
        chosen = _with_drift(w, chosen, start, DRIFT_WEIGHT)
    arima_m = max(inner, default=1)
    if ARIMA_WEIGHT and arima_m <= ARIMA_MAX_M and (arima_m > 1 or list(ms) == [1]):
        weight = ARIMA_WEIGHT if arima_m > 1 else ARIMA_WEIGHT_M1
        chosen = _with_arima(w, horizon, chosen, start, weight, m=arima_m, seasonal_diff=arima_m > 1)
    factor = _calibration(w, horizon, chosen, _errors(w, chosen.paths, start))
    mean, paths = chosen.mean, chosen.paths
    for idx in outer:
        mean = season.restore(mean, idx, positive, n)
        paths = [season.restore(p, idx, positive, offset + start + o) for o, p in enumerate(paths)]
    errs = _errors(y, paths, offset + start)
    longest = max(inner + [len(idx) for idx in outer], default=1)
    if factor < 1:  # narrower only for a long season (no pool), and by the ratio shrunk toward 1
        factor = factor ** CAL_SHRINK if longest > NARROW_MIN_M else 1.0
    if len(chosen.paths) > chosen.k + 1:  # parameters fitted on these very errors: the df correction
        factor *= math.sqrt(len(chosen.paths) / (len(chosen.paths) - chosen.k))
    if factor != 1:
        errs = [[v * factor for v in e] for e in errs]
    one_step = [e[0] for e in errs if e]
    sigma = math.sqrt(sum(v * v for v in one_step) / len(one_step)) if one_step else 0.0
    name = chosen.name.replace("+theta", "+theta" + "".join(f"×season({len(idx)})" for idx in outer), 1)
    r = Result(name, mean, {}, {}, sigma, errors=errs, demand=demand)
    relative = chosen.multiplicative or (bool(outer) and positive)
    _bands(r, errs, levels, relative=paths if relative else None)
    return _floor(r) if demand else r


def _calibration(y: list[float], horizon: int, chosen: _Option, errs: list[list[float]]) -> float:
    """How much wider than its in-sample errors the chosen option's true errors are: the same recipe
    refitted without the last stretch of history (up to a horizon, at most a quarter of it), and again
    without the stretch before it (up to CAL_WINDOWS stretches, a rolling origin, while half the history
    stays), forecasts that stretch; the ratio of those errors' mean size to the in-sample one of the
    same steps (the mean absolute error: a root mean square let a few in-sample outliers, such as
    holidays in daily sales, shrink the ratio). In-sample errors come from parameters and seasons
    fitted on those very points, so they flatter."""
    n = len(y)
    hh = min(horizon, n // 4)
    r = chosen.recipe
    if hh < 1 or n - hh < 8:
        return 1.0
    ins = 0.0
    for k in range(hh):
        col = [e[k] for e in errs if len(e) > k]
        ins += sum(abs(v) for v in col) / len(col) if col else 0.0
    oos, windows = 0.0, 0
    for j in range(1, CAL_WINDOWS + 1):
        cut = n - j * hh
        if cut < 8 or (j > 1 and cut < n // 2):
            break
        back = _build(y[:cut], hh, _Recipe(tuple(m for m in r.seasons if cut >= 2 * m),
                                           r.native if cut >= 2 * r.native else 0, r.ets_spec, r.hw_spec,
                                           r.cycles, r.pool, r.drift, r.arima, r.arima_weight),
                      min(cut - 1, max(2, cut // BURN_IN)))
        oos += sum(abs(y[cut + k] - back.mean[k]) for k in range(hh))
        windows += 1
    return oos / (ins * windows) if ins > 0 and windows else 1.0


def _with_drift(y: list[float], option: _Option, start: int, weight: float) -> _Option:
    """The option averaged with the random walk with drift (the last value plus the average step so
    far), `weight` on the drift: as for the option, in-sample from every origin ≥ start too."""
    n = len(y)
    drift = (y[-1] - y[0]) / (n - 1)
    mean = [(1 - weight) * f + weight * (y[-1] + drift * (k + 1)) for k, f in enumerate(option.mean)]
    paths = []
    for o, p in enumerate(option.paths):
        t = start + o
        d = (y[t - 1] - y[0]) / (t - 1) if t > 1 else 0.0
        paths.append([(1 - weight) * f + weight * (y[t - 1] + d * (k + 1)) for k, f in enumerate(p)])
    return _Option(option.name + "&drift", mean, paths, option.aicc, option.multiplicative,
                   replace(option.recipe, drift=weight), option.k)


def _errors(y: Sequence[float], paths: list[list[float]], start: int) -> list[list[float]]:
    return [[y[start + o + k] - f for k, f in enumerate(p)] for o, p in enumerate(paths)]


def _bands(r: Result, errs: list[list[float]], levels: Sequence[int], relative: list[list[float]] | None) -> None:
    """Fill r.lower / r.upper from the k-step errors (as ratios of the forecast when `relative`)."""
    h = len(r.mean)
    if relative is not None and min(r.mean) <= 0:  # ratios of a forecast that reaches zero mean nothing
        relative = None
    samples: list[list[float]] = [[] for _ in range(h)]
    for o, e in enumerate(errs):
        for k, v in enumerate(e[:h]):
            if relative is not None:
                f = relative[o][k]
                if f > 0:
                    samples[k].append(v / f)
            else:
                samples[k].append(v)
    for lv in levels:
        z = NormalDist().inv_cdf(0.5 + lv / 200)
        lower, upper = [], []
        ref: tuple[int, float, float] | None = None  # the last step with enough errors: (k, low, high)
        for k in range(h):
            s = samples[k]
            if len(s) >= MIN_SAMPLE:
                q = conformal(s, lv / 100)
                lo, hi = -q, q
                ref = (k, lo, hi)
            elif ref is not None:  # beyond what the history can check: widen as √k
                grow = math.sqrt((k + 1) / (ref[0] + 1))
                lo, hi = ref[1] * grow, ref[2] * grow
            else:
                spread = r.sigma or _sd(s) or 0.0
                scale = abs(r.mean[k]) if relative is not None and r.mean[k] else 1.0
                lo, hi = -z * spread * math.sqrt(k + 1) / scale, z * spread * math.sqrt(k + 1) / scale
            f = r.mean[k]
            if relative is not None:
                lower.append(f * (1 + lo))
                upper.append(f * (1 + hi))
            else:
                lower.append(f + lo)
                upper.append(f + hi)
        r.lower[lv], r.upper[lv] = lower, [max(u, lo_) for u, lo_ in zip(upper, lower)]


def _sd(s: Sequence[float]) -> float:
    if len(s) < 2:
        return 0.0
    mu = sum(s) / len(s)
    return math.sqrt(sum((v - mu) ** 2 for v in s) / (len(s) - 1))


def _floor(r: Result) -> Result:
    """Demand is never negative: the forecast and its bands stop at zero."""
    r.mean = [max(0.0, v) for v in r.mean]
    r.lower = {lv: [max(0.0, v) for v in vs] for lv, vs in r.lower.items()}
    r.upper = {lv: [max(0.0, v) for v in vs] for lv, vs in r.upper.items()}
    return r
