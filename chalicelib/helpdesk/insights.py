"""The help desk's insights: rollups written by the stream (rules.insights), the chart JSON published
after each batch per touched organisation, and the admins' read of it.

Nothing here reads tickets: the figures come from the month rollups (created and solved per day and
dimension, quantile sketches, SLA attainment, ratings, reopens, deflections) and the all-time item
(backlog by status); staffing adds the desk's policy and agents (one GetItem, one Query).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..core import charts, clock
from ..core.keys import org_pk
from ..core.rollups import RollupKey, read_rollups
from .models import Agent
from .rules import insights as rules
from .rules import staffing as erlang
from .rules.calendar import Calendar
from .schemas import HelpdeskInsightsOut
from .sla import calendar_of, get_policy, targets_of

CHART = "helpdesk"
MONTHS = 3  # the chart's months (and the staffing's weeks come from the last two of them)
WEEKS = 4  # arrivals of the last four whole weeks set the staffing


def staffing(org_id: str, months: dict[str, dict[str, Decimal]]) -> list[dict[str, Any]]:
    """Per hour of the desk's week: mean arrivals of the last weeks, the agents Erlang C needs to answer
    `service_level`% within the normal priority's first-response target (the first priority with one,
    else at once), and the agents scheduled (agents not away, in the calendar's hours)."""
    policy = get_policy(org_id)
    cal: Calendar = calendar_of(policy)
    arrivals = rules.arrivals_by_hour_of_week(months, clock.now().date(), WEEKS, cal.tz)
    target = targets_of(policy, "normal")["first_response"]
    if target is None and policy is not None:
        target = next((int(t.first_response) for t in policy.targets if t.first_response is not None), None)
    handle = int(policy.handle_minutes) if policy else 15
    level = int(policy.service_level) / 100 if policy else 0.8
    present = sum(1 for a in Agent.query(org_pk(org_id), Agent.sk.startswith("AGENT#")) if not a.away)
    covered = rules.hours_scheduled((i.weekday, i.start, i.end) for i in cal.intervals)
    return [{"hour": h, "arrivals": arrivals[h],
             "needed": erlang.agents_needed(arrivals[h], handle, target or 0, level),
             "scheduled": present if covered[h] else 0} for h in range(168)]


def publish_chart(org_id: str, known: dict[RollupKey, dict[str, Decimal]]) -> dict[str, Any]:
    """Rebuild and publish the chart JSON; rollups in `known` (just written) are not read again."""
    today = clock.now().date()
    names = rules.months_back(today, MONTHS)
    keys = [rules.month_key(org_id, m) for m in names] + [rules.all_key(org_id)]
    totals = {k: known[k] for k in keys if k in known}
    totals.update(read_rollups([k for k in keys if k not in totals]))
    months = {m: totals.get(rules.month_key(org_id, m), {}) for m in names}
    doc = rules.chart_document(today=today, months=months, all_totals=totals.get(rules.all_key(org_id), {}),
                               staffing=staffing(org_id, months), generated_at=clock.iso_now())
    charts.publish(org_pk(org_id), CHART, doc)
    return doc


def insights_for(org_id: str) -> HelpdeskInsightsOut:
    """The published chart (an empty one until the stream has published it)."""
    doc = charts.read(org_pk(org_id), CHART)
    if doc is None:
        today = clock.now().date()
        doc = rules.chart_document(today=today, months={m: {} for m in rules.months_back(today, MONTHS)},
                                   all_totals={}, staffing=[], generated_at="")
    return HelpdeskInsightsOut.model_validate(doc)
