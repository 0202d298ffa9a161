"""The help desk's insights (pure): what a stream image adds to the rollups, and the chart document
built from them.

Rollup items of an organisation (pk `ORG#<org>`):

* `helpdesk#YYYY-MM` (a month): `DD:created`, `DD:solved` and the same by `category:<c>`,
  `priority:<p>`, `team:<t>`, `agent:<sub>` (`DD:created:category:billing`); `DD:HH:arrivals` (UTC
  hour, for staffing); `reopened`; `rated:good|bad`; `deflected`; `sla:<metric>:met|missed`; and two
  DDSketch quantile sketches, first response and first resolution in business minutes, stored as
  their bins: `frt:<bin>` / `res:<bin>` (count) and `frt:z` / `res:z` (zeros).
* `helpdesk#all`: `status:<s>`: the backlog by status now.

A sketch stored as bin counts is merged by adding counts, which is what a rollup delta does: a
stream batch coalesces its samples into one write, a replayed record adds nothing (core.rollups), and
months merge into any period by adding their bins. The bins are those of DDSketch's logarithmic
mapping at 1% relative accuracy: any quantile it answers is within 1% of a true sample's value.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any

from ddsketch import DDSketch, LogarithmicMapping

Image = Mapping[str, Any]
Key = tuple[str, str]
Delta = tuple[Key, str, Decimal]

ACCURACY = 0.01
_MAPPING = LogarithmicMapping(ACCURACY)
SKETCHES = {"first_response": "frt", "resolution": "res"}
DIMENSIONS = ("category", "priority", "team", "agent")
ONE = Decimal(1)
RATINGS = ("good", "bad")


def org_scope(org_id: str) -> str:
    return f"ORG#{org_id}"


def month_key(org_id: str, month: str) -> Key:
    return org_scope(org_id), f"helpdesk#{month}"


def all_key(org_id: str) -> Key:
    return org_scope(org_id), "helpdesk#all"


def is_ticket(image: Image | None) -> bool:
    return bool(image) and image.get("sk") == "TICKET"  # type: ignore[union-attr]


def is_deflection(image: Image | None) -> bool:
    """A deflection counted by the knowledge base: an item `DEFLECTION#<id>` with org_id, created_at
    and an optional `count` (default 1)."""
    sk = str(image.get("sk", "")) if image else ""
    return sk == "DEFLECTION" or sk.startswith("DEFLECTION#")  # the knowledge base's Deflection: sk DEFLECTION


# ------------------------------------------------------------------ sketches
def sketch_bin(minutes: Decimal | float) -> str:
    """The bin of a duration in a stored sketch: `z` for zero, else DDSketch's key."""
    v = float(minutes)
    if v <= _MAPPING.min_possible:
        return "z"
    return str(_MAPPING.key(v))


def sketch_of(totals: Mapping[str, Decimal], prefix: str) -> DDSketch:
    """A DDSketch rebuilt from the bins stored under `prefix` (each bin's representative value, at its
    count: the same bins, so the same quantiles as the sketch that made them)."""
    s = DDSketch(ACCURACY)
    for name, count in totals.items():
        head, _, b = name.partition(":")
        if head != prefix or count <= 0:
            continue
        s.add(0.0 if b == "z" else _MAPPING.value(int(b)), float(count))
    return s


def merged_bins(items: Iterable[Mapping[str, Decimal]], prefix: str) -> dict[str, Decimal]:
    """Bins of several rollup items added up: the sketch of their union."""
    out: dict[str, Decimal] = {}
    for totals in items:
        for name, count in totals.items():
            if name.startswith(prefix + ":"):
                out[name] = out.get(name, Decimal(0)) + count
    return out


def quantiles(totals: Mapping[str, Decimal], prefix: str) -> dict[str, Any]:
    """Median and 90th percentile (business minutes, 1 decimal) and how many samples."""
    s = sketch_of(totals, prefix)
    if s.count == 0:
        return {"count": 0, "median": None, "p90": None}
    median, p90 = s.get_quantile_value(0.5), s.get_quantile_value(0.9)
    return {"count": int(s.count), "median": None if median is None else round(median, 1),
            "p90": None if p90 is None else round(p90, 1)}


# ------------------------------------------------------------------ contributions of a record
def _day(ts: str) -> tuple[str, str, str]:
    """(YYYY-MM, DD, HH) of an ISO instant."""
    return ts[:7], ts[8:10], ts[11:13]


def _dims(t: Image) -> dict[str, str]:
    return {"category": str(t.get("category") or "none"), "priority": str(t.get("priority") or "normal"),
            "team": str(t.get("team_id") or "none"), "agent": str(t.get("assignee") or "none")}


def _counted(org: str, ts: str, what: str, t: Image) -> list[Delta]:
    month, day, _ = _day(ts)
    key = month_key(org, month)
    return [(key, f"{day}:{what}", ONE)] + [(key, f"{day}:{what}:{d}:{v}", ONE) for d, v in _dims(t).items()]


def _int(image: Image | None, name: str) -> int:
    v = (image or {}).get(name)
    return int(v) if v is not None else 0


def ticket_contributions(old: Image | None, new: Image | None) -> list[Delta]:
    """What a ticket's change adds to the rollups (each event once: a replay is dropped by
    core.rollups on its eventID)."""
    t = new or old
    if t is None:
        return []
    org = str(t["org_id"])
    out: list[Delta] = []
    old_status = old.get("status") if old else None
    new_status = new.get("status") if new else None
    if old_status != new_status:
        if old_status:
            out.append((all_key(org), f"status:{old_status}", -ONE))
        if new_status:
            out.append((all_key(org), f"status:{new_status}", ONE))
    if new is None:
        return out
    if old is None:
        created = str(new["created_at"])
        out += _counted(org, created, "created", new)
        month, day, hour = _day(created)
        out.append((month_key(org, month), f"{day}:{hour}:arrivals", ONE))
    changed_at = str(new.get("updated_at") or new.get("created_at"))
    if new_status == "solved" and old_status != "solved":
        out += _counted(org, changed_at, "solved", new)
    if old_status == "solved" and new_status == "open":
        out.append((month_key(org, changed_at[:7]), "reopened", ONE))
    # first response: once, when the clock stops
    if new.get("first_response_at") and not (old or {}).get("first_response_at"):
        out += _sample(org, str(new["first_response_at"]), "first_response", _int(new, "sla_fr_used"),
                       new.get("sla_fr_target"))
    # first resolution: once, at the first solve (a reopen adds to the clock, never rewrites this sample)
    if _int(new, "sla_solves") >= 1 and _int(old, "sla_solves") == 0:
        out += _sample(org, changed_at, "resolution", _int(new, "sla_res_used"), new.get("sla_res_target"))
    out += _rating(org, old, new)
    return out


def _sample(org: str, ts: str, metric: str, used_seconds: int, target: Any) -> list[Delta]:
    key = month_key(org, ts[:7])
    minutes = Decimal(used_seconds) / 60
    out: list[Delta] = [(key, f"{SKETCHES[metric]}:{sketch_bin(minutes)}", ONE)]
    if target is not None:
        out.append((key, f"sla:{metric}:{'met' if used_seconds <= int(target) * 60 else 'missed'}", ONE))
    return out


def _rating_of(t: Image | None) -> tuple[str, str] | None:
    """(rating, month) of a ticket image's satisfaction rating, if it has one (the field `rating`,
    good or bad, with `rated_at`)."""
    if not t:
        return None
    r = t.get("rating")
    if isinstance(r, Mapping):  # a rating kept as a map {value, at}
        value, at = r.get("value") or r.get("rating"), r.get("at") or r.get("rated_at")
    else:
        value, at = r, t.get("rated_at")
    if value not in RATINGS:
        return None
    return str(value), str(at or t.get("updated_at") or t.get("created_at"))[:7]


def _rating(org: str, old: Image | None, new: Image | None) -> list[Delta]:
    before, after = _rating_of(old), _rating_of(new)
    if before == after:
        return []
    out: list[Delta] = []
    if before:
        out.append((month_key(org, before[1]), f"rated:{before[0]}", -ONE))
    if after:
        out.append((month_key(org, after[1]), f"rated:{after[0]}", ONE))
    return out


def deflection_contributions(new: Image) -> list[Delta]:
    ts = str(new.get("created_at") or "")
    if len(ts) < 7:
        raise ValueError("a deflection needs created_at")
    return [(month_key(str(new["org_id"]), ts[:7]), "deflected", Decimal(str(new.get("count") or 1)))]


# ------------------------------------------------------------------ the chart document
def _ratio(num: Decimal | int, den: Decimal | int) -> float | None:
    return round(float(num) / float(den), 4) if den else None


def months_back(today: date, n: int) -> list[str]:
    """The last `n` months, oldest first, this one included."""
    y, m = today.year, today.month
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def period_figures(totals: Mapping[str, Decimal]) -> dict[str, Any]:
    """The figures of one period's rollup totals (a month, or months added up)."""
    def total(suffix: str) -> Decimal:
        return sum((v for k, v in totals.items() if k.count(":") == 1 and k.endswith(":" + suffix)
                    and k[:2].isdigit()), Decimal(0))

    created, solved = total("created"), total("solved")
    good, bad = totals.get("rated:good", Decimal(0)), totals.get("rated:bad", Decimal(0))
    deflected = totals.get("deflected", Decimal(0))
    sla = {}
    for metric in SKETCHES:
        met, missed = totals.get(f"sla:{metric}:met", Decimal(0)), totals.get(f"sla:{metric}:missed", Decimal(0))
        sla[metric] = {"met": int(met), "missed": int(missed), "attainment": _ratio(met, met + missed)}
    return {
        "created": int(created), "solved": int(solved),
        "first_response": quantiles(totals, "frt"), "resolution": quantiles(totals, "res"),
        "sla": sla,
        "satisfaction": {"good": int(good), "bad": int(bad), "share_good": _ratio(good, good + bad)},
        "reopened": int(totals.get("reopened", Decimal(0))),
        "reopen_rate": _ratio(totals.get("reopened", Decimal(0)), solved),
        "deflected": int(deflected),
        "deflection_rate": _ratio(deflected, deflected + created),
    }


def _add(items: Iterable[Mapping[str, Decimal]]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for totals in items:
        for k, v in totals.items():
            out[k] = out.get(k, Decimal(0)) + v
    return out


def chart_document(*, today: date, months: Mapping[str, Mapping[str, Decimal]], all_totals: Mapping[str, Decimal],
                   staffing: list[dict[str, Any]], generated_at: str, days: int = 30) -> dict[str, Any]:
    """The insights chart JSON: the last `days` days created and solved (in all and by dimension), the
    backlog by status, each month's figures and the months together (sketches merged), and staffing."""
    series = []
    by: dict[str, dict[str, dict[str, int]]] = {d: {} for d in DIMENSIONS}
    for n in range(days - 1, -1, -1):
        d = today - timedelta(days=n)
        totals = months.get(f"{d:%Y-%m}", {})
        dd = f"{d:%d}"
        series.append({"date": d.isoformat(), "created": int(totals.get(f"{dd}:created", 0)),
                       "solved": int(totals.get(f"{dd}:solved", 0))})
        for name, value in totals.items():
            parts = name.split(":", 3)
            if len(parts) == 4 and parts[0] == dd and parts[2] in by:
                row = by[parts[2]].setdefault(parts[3], {"created": 0, "solved": 0})
                row[parts[1]] = row.get(parts[1], 0) + int(value)
    ordered = sorted(months)
    return {
        "generated_at": generated_at,
        "days": series,
        "by": {d: [{"name": k, **v} for k, v in sorted(rows.items())] for d, rows in by.items()},
        "backlog": {k.split(":", 1)[1]: int(v) for k, v in sorted(all_totals.items())
                    if k.startswith("status:") and v > 0},
        "months": [{"month": m, **period_figures(months[m])} for m in ordered],
        "overall": period_figures(_add(months[m] for m in ordered)),
        "staffing": staffing,
    }


# ------------------------------------------------------------------ arrivals for staffing
def arrivals_by_hour_of_week(months: Mapping[str, Mapping[str, Decimal]], today: date, weeks: int,
                             zone: tzinfo = timezone.utc) -> list[float]:
    """Mean arrivals per hour of the local week (0 = Monday 00:00) over the last `weeks` whole weeks
    before `today`, from the `DD:HH:arrivals` counts (UTC hours, turned into the desk's `zone`)."""
    counts = [0.0] * 168
    end = datetime(today.year, today.month, today.day, tzinfo=timezone.utc)
    start = end - timedelta(weeks=weeks)
    for month, totals in months.items():
        for name, value in totals.items():
            parts = name.split(":")
            if len(parts) != 3 or parts[2] != "arrivals":
                continue
            at = datetime(int(month[:4]), int(month[5:7]), int(parts[0]), int(parts[1]), tzinfo=timezone.utc)
            if not start <= at < end:
                continue
            local = at.astimezone(zone)
            counts[local.weekday() * 24 + local.hour] += float(value)
    return [round(c / weeks, 3) if weeks else 0.0 for c in counts]


def hours_scheduled(intervals: Iterable[tuple[int, int, int]]) -> list[bool]:
    """Which hours of the week (local) the calendar's intervals (weekday, start, end minutes) cover
    at the start of the hour."""
    covered = [False] * 168
    for weekday, s, e in intervals:
        for h in range(168):
            minute = h * 60
            start = weekday * 1440 + s
            for shift in (0, 7 * 1440):
                if start <= minute + shift < weekday * 1440 + e:
                    covered[h] = True
    return covered
