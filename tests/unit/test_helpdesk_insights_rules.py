"""Help desk insights (pure): what ticket images add to the rollups, sketches that merge by adding bins,
and the chart document."""
from __future__ import annotations

import random
from collections import Counter
from datetime import date, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.helpdesk.rules import insights as r

ORG = "o1"
MONTH = r.month_key(ORG, "2026-11")
ALL = r.all_key(ORG)


def ticket(**kw) -> dict:
    base = {"sk": "TICKET", "org_id": ORG, "id": "t1", "status": "new", "category": "billing", "priority": "high",
            "team_id": "team1", "assignee": "ag1", "created_at": "2026-11-20T10:15:00.000000Z",
            "updated_at": "2026-11-20T10:15:00.000000Z", "sla_fr_target": Decimal(60), "sla_res_target": Decimal(480),
            "sla_fr_used": Decimal(0), "sla_res_used": Decimal(0), "sla_solves": Decimal(0)}
    return {**base, **kw}


def totals(deltas) -> dict:
    out: dict = {}
    for key, name, amount in deltas:
        out.setdefault(key, Counter())[name] += amount
    return {k: {n: v for n, v in c.items() if v} for k, c in out.items()}


def test_a_new_ticket_counts_created_by_dimension_arrival_hour_and_backlog():
    got = totals(r.ticket_contributions(None, ticket()))
    assert got[ALL] == {"status:new": 1}
    assert got[MONTH] == {"20:created": 1, "20:created:category:billing": 1, "20:created:priority:high": 1,
                          "20:created:team:team1": 1, "20:created:agent:ag1": 1, "20:10:arrivals": 1}


def test_first_response_solve_and_reopen_are_counted_once_each_and_a_reopen_rewrites_nothing():
    new = ticket()
    replied = ticket(status="open", first_response_at="2026-11-20T10:45:00.000000Z", sla_fr_used=Decimal(1800),
                     updated_at="2026-11-20T10:45:00.000000Z")
    got = totals(r.ticket_contributions(new, replied))
    assert got[MONTH] == {f"frt:{r.sketch_bin(30)}": 1, "sla:first_response:met": 1}
    solved = {**replied, "status": "solved", "sla_solves": Decimal(1), "sla_res_used": Decimal(40000),
              "updated_at": "2026-11-21T09:00:00.000000Z"}
    got = totals(r.ticket_contributions(replied, solved))
    assert got[MONTH]["21:solved"] == 1 and got[MONTH]["21:solved:agent:ag1"] == 1
    assert got[MONTH][f"res:{r.sketch_bin(Decimal(40000) / 60)}"] == 1 and got[MONTH]["sla:resolution:missed"] == 1
    assert got[ALL] == {"status:open": -1, "status:solved": 1}
    reopened = {**solved, "status": "open", "updated_at": "2026-11-22T09:00:00.000000Z"}
    got = totals(r.ticket_contributions(solved, reopened))
    assert got[MONTH] == {"reopened": 1}
    again = {**reopened, "status": "solved", "sla_solves": Decimal(2), "sla_res_used": Decimal(50000)}
    got = totals(r.ticket_contributions(reopened, again))
    assert not any(k.startswith(("res:", "sla:")) for k in got[MONTH])  # the first resolution stands


def test_a_rating_counts_once_and_a_changed_rating_moves_its_count():
    solved = ticket(status="solved")
    good = {**solved, "rating": "good", "rated_at": "2026-11-22T09:00:00.000000Z"}
    assert totals(r.ticket_contributions(solved, good))[MONTH] == {"rated:good": 1}
    assert r.ticket_contributions(good, {**good, "updated_at": "2026-11-23T00:00:00.000000Z"}) == []
    bad = {**good, "rating": {"value": "bad", "at": "2026-11-23T09:00:00.000000Z"}}
    assert totals(r.ticket_contributions(good, bad))[MONTH] == {"rated:good": -1, "rated:bad": 1}


def test_a_deflection_adds_its_count():
    d = {"sk": "DEFLECTION#x", "org_id": ORG, "created_at": "2026-11-20T10:00:00Z", "count": Decimal(3)}
    assert r.is_deflection(d) and totals(r.deflection_contributions(d)) == {MONTH: {"deflected": 3}}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=100000, allow_nan=False), min_size=1, max_size=300),
       st.integers(min_value=1, max_value=299))
def test_sketches_merge_by_adding_bins_and_stay_within_their_accuracy(values, cut):
    def bins(vs):
        return dict(Counter(f"frt:{r.sketch_bin(v)}" for v in vs))

    cut = cut % len(values)
    merged = r.merged_bins([{k: Decimal(n) for k, n in bins(values[:cut]).items()},
                            {k: Decimal(n) for k, n in bins(values[cut:]).items()}], "frt")
    assert merged == {k: Decimal(n) for k, n in bins(values).items()}
    q = r.quantiles(merged, "frt")
    ordered = sorted(values)
    assert q["count"] == len(values)
    # DDSketch's guarantee: the answer is within 1% of a sample at the quantile's rank (rounded to 0.1)
    for name, quantile in (("median", 0.5), ("p90", 0.9)):
        rank = int(quantile * (len(values) - 1))
        true = ordered[rank]
        assert abs(q[name] - true) <= 0.01 * true + 0.05 + 1e-9


def test_the_chart_document_has_the_figures():
    rng = random.Random(7)
    month: dict[str, Decimal] = {"20:created": Decimal(4), "20:solved": Decimal(2), "20:created:category:billing": Decimal(4),
                                 "20:solved:category:billing": Decimal(2), "reopened": Decimal(1),
                                 "rated:good": Decimal(3), "rated:bad": Decimal(1), "deflected": Decimal(6),
                                 "sla:first_response:met": Decimal(3), "sla:first_response:missed": Decimal(1)}
    for v in [rng.uniform(5, 50) for _ in range(99)] + [0.0]:
        k = f"frt:{r.sketch_bin(v)}"
        month[k] = month.get(k, Decimal(0)) + 1
    doc = r.chart_document(today=date(2026, 11, 25), months={"2026-10": {}, "2026-11": month},
                           all_totals={"status:open": Decimal(3), "status:closed": Decimal(0)}, staffing=[],
                           generated_at="now")
    assert doc["days"][-6] == {"date": "2026-11-20", "created": 4, "solved": 2}
    assert doc["by"]["category"] == [{"name": "billing", "created": 4, "solved": 2}]
    assert doc["backlog"] == {"open": 3}
    o = doc["overall"]
    assert (o["created"], o["solved"], o["reopen_rate"], o["deflection_rate"]) == (4, 2, 0.5, 0.6)
    assert o["satisfaction"] == {"good": 3, "bad": 1, "share_good": 0.75}
    assert o["sla"]["first_response"] == {"met": 3, "missed": 1, "attainment": 0.75}
    assert o["first_response"]["count"] == 100 and 5 <= o["first_response"]["median"] <= 50


def test_arrivals_become_mean_arrivals_per_local_hour_of_the_week():
    # Monday 2 Nov 2026 08:00 UTC is 09:00 in Berlin (CET): hour 9 of the local week
    months = {"2026-11": {"02:08:arrivals": Decimal(8), "09:08:arrivals": Decimal(4), "30:08:arrivals": Decimal(99)}}
    per_hour = r.arrivals_by_hour_of_week(months, date(2026, 11, 30), 4, ZoneInfo("Europe/Berlin"))
    assert per_hour[9] == 3.0 and sum(per_hour) == 3.0  # today's arrivals are not a whole week yet
    assert r.arrivals_by_hour_of_week(months, date(2026, 11, 30), 4, timezone.utc)[8] == 3.0
    assert r.hours_scheduled([(0, 540, 1020)])[9:17] == [True] * 8 and not r.hours_scheduled([(0, 540, 1020)])[17]
