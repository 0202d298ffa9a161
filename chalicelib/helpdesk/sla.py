"""SLAs: the desk's policy (calendar and targets), each ticket's clocks, and the sweep that sends the
warning and breach emails.

A ticket's clocks live on the ticket item and change in the same write as its status
(`with_clock`, called by tickets when filing and on every change), so a list shows the breach flag
without another read. While a stage is still to fire and the clock runs, the ticket sits on the sparse
`by_due` index under `SLA#<shard>` at the instant it must be looked at; the `sla_sweep` job (every 5
minutes) Queries what is due, puts each email once (deterministic outbox ids, core.alerts.put_once)
and writes what fired with the next due instant, at the ticket's version (the sweep never bumps the
version, so an agent's edit in flight is not refused because of it).
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from typing import Any

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from ..core import clock as wall
from ..core.alert_rules import firing_id
from ..core.alerts import outbox_message, put_once
from ..core.db import find, save_if
from ..core.errors import Conflict, InvalidInput
from ..core.keys import org_pk
from ..core.settings import get_settings
from ..core.shards import JOB_SHARDS
from .models import Agent, SlaPolicy, SlaTarget, Team, Ticket, WeeklyHours, agent_key, sla_due_keys, sla_index, \
    sla_policy_key, team_key, ticket_key
from .rules import PRIORITIES
from .rules import calendar as cal_rules
from .rules import sla as rules
from .schemas import SlaPolicyIn, SlaPolicyOut, SlaTargetOut, WeeklyHoursOut

TICKET_PAGE = "#/helpdesk/tickets/"
_ISO = "%Y-%m-%dT%H:%M:%S.%fZ"


def iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime(_ISO)


def parse(ts: str) -> datetime:
    return datetime.strptime(ts, _ISO).replace(tzinfo=timezone.utc)


# ------------------------------------------------------------------ the policy and its calendar
@lru_cache(maxsize=256)
def public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    """A country's (and subdivision's) public holidays of a year, from the `holidays` library."""
    import holidays  # noqa: PLC0415 (only what needs a calendar loads its country data)

    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year).keys())


def check_country(country: str, subdivision: str | None) -> None:
    """A country (ISO 3166-1 alpha-2) and subdivision the library knows, else 400 naming the field."""
    import holidays  # noqa: PLC0415

    supported = holidays.list_supported_countries()
    if country not in supported:
        raise InvalidInput("a country code the holiday calendar knows (ISO 3166-1 alpha-2)", field="country")
    if subdivision is not None and subdivision not in supported[country]:
        raise InvalidInput(f"a subdivision of {country}: {', '.join(supported[country][:20])}...",
                           field="subdivision")


def get_policy(org_id: str) -> SlaPolicy | None:
    return find(SlaPolicy, *sla_policy_key(org_id))


def calendar_of(policy: SlaPolicy | None, around: datetime | None = None) -> cal_rules.Calendar:
    """The desk's business calendar (every hour of every day in UTC without a policy), with the
    public holidays of the years around `around` (the previous, this and the next two)."""
    if policy is None:
        return cal_rules.ALWAYS
    year = (around or wall.now()).year
    closed: set[date] = {date.fromisoformat(str(d)) for d in policy.closed_days}
    if policy.country:
        for y in range(year - 1, year + 3):
            closed |= public_holidays(policy.country, policy.subdivision, y)
    return cal_rules.Calendar(
        zone=policy.time_zone,
        intervals=tuple(cal_rules.Interval(int(h.weekday), int(h.start), int(h.end)) for h in policy.hours),
        holidays=frozenset(closed))


def targets_of(policy: SlaPolicy | None, priority: str) -> dict[str, int | None]:
    for t in (policy.targets if policy else []):
        if t.priority == priority:
            return {"first_response": None if t.first_response is None else int(t.first_response),
                    "resolution": None if t.resolution is None else int(t.resolution)}
    return {"first_response": None, "resolution": None}


def policy_out(p: SlaPolicy | None, org_id: str) -> SlaPolicyOut:
    if p is None:
        return SlaPolicyOut(org_id=org_id, time_zone="UTC", hours=[], country=None, subdivision=None,
                            closed_days=[], targets=[], handle_minutes=15, service_level=80, version=0)
    return SlaPolicyOut(
        org_id=org_id, time_zone=p.time_zone,
        hours=[WeeklyHoursOut(day=cal_rules.WEEKDAYS[int(h.weekday)], start=_hhmm(int(h.start)),
                              end=_hhmm(int(h.end) % 1440 if int(h.end) != 1440 else 1440)) for h in p.hours],
        country=p.country, subdivision=p.subdivision, closed_days=[str(d) for d in p.closed_days],
        targets=[SlaTargetOut(priority=t.priority, first_response=None if t.first_response is None else int(t.first_response),
                              resolution=None if t.resolution is None else int(t.resolution)) for t in p.targets],
        handle_minutes=int(p.handle_minutes), service_level=int(p.service_level), version=int(p.version))


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def set_policy(org_id: str, data: SlaPolicyIn) -> SlaPolicy:
    """Create the policy (no `version`) or replace it at `version` (409 naming `version` when it moved).
    Tickets keep the targets they were filed with; the calendar applies from the next change on."""
    intervals = cal_rules.check_intervals(
        [cal_rules.interval(cal_rules.WEEKDAYS.index(h.day), h.start, h.end) for h in data.hours])
    if data.country:
        check_country(data.country, data.subdivision)
    elif data.subdivision:
        raise InvalidInput("a subdivision needs its country", field="subdivision")
    now = wall.iso_now()
    existing = get_policy(org_id)
    p = SlaPolicy(*sla_policy_key(org_id), org_id=org_id, time_zone=data.time_zone,
                  hours=[WeeklyHours(weekday=i.weekday, start=i.start, end=i.end) for i in intervals],
                  country=data.country, subdivision=data.subdivision,
                  closed_days=sorted({d.isoformat() for d in data.closed_days}),
                  targets=[SlaTarget(priority=t.priority, first_response=t.first_response, resolution=t.resolution)
                           for t in sorted(data.targets, key=lambda t: PRIORITIES.index(t.priority))],
                  handle_minutes=data.handle_minutes, service_level=data.service_level,
                  version=(data.version or 0) + 1,
                  created_at=existing.created_at if existing else now, updated_at=now)
    condition = SlaPolicy.pk.does_not_exist() if data.version is None else SlaPolicy.version == data.version
    save_if(p, condition, otherwise=lambda: Conflict(
        "the policy exists already: send its version" if data.version is None else "the policy changed since you read it",
        field="version", extra={"version": int(existing.version) if existing else 0}))
    return p


# ------------------------------------------------------------------ a ticket's clock
def clock_of(t: Ticket) -> rules.Clock:
    return rules.Clock(
        targets={"first_response": None if t.sla_fr_target is None else int(t.sla_fr_target),
                 "resolution": None if t.sla_res_target is None else int(t.sla_res_target)},
        used={"first_response": int(t.sla_fr_used or 0), "resolution": int(t.sla_res_used or 0)},
        since=parse(t.sla_since) if t.sla_since else None,
        done=frozenset(str(x) for x in t.sla_done or ()), fired=frozenset(str(x) for x in t.sla_fired or ()))


def start_ticket(t: Ticket) -> None:
    """Set a new ticket's clocks: its priority's targets, running from its creation, and its place on
    the sweep's work list."""
    now = parse(t.created_at)
    policy = get_policy(t.org_id)
    c = rules.start(targets_of(policy, t.priority), now, t.status)
    due = rules.next_due(c, calendar_of(policy, now), now)
    t.sla_fr_target, t.sla_res_target = c.targets["first_response"], c.targets["resolution"]
    t.sla_fr_used, t.sla_res_used, t.sla_since = 0, 0, iso(now) if c.since else None
    t.sla_done, t.sla_fired, t.sla_breached, t.sla_solves = [], [], False, 0
    t.sla_due = iso(due) if due else None
    if due is not None:
        t.gsi4pk, t.gsi4sk = sla_due_keys(t.org_id, t.id, iso(due))


def with_clock(t: Ticket, status: str, now_iso: str, actions: list[Action], first_reply: bool = False) -> list[Action]:
    """`actions` (a ticket's update to `status`) with its clocks advanced: the running segment closed
    into what was used, paused while pending, stopped when solved, resumed when reopened, and the
    ticket's place on the sweep's list moved (a solved ticket's `by_due` keys, set by the caller, stay)."""
    first = first_reply and t.first_response_at is None
    if status == t.status and not first:
        return actions
    now = parse(now_iso)
    policy = get_policy(t.org_id)
    cal = calendar_of(policy, now)
    c = rules.advance(clock_of(t), cal, now, status, first)
    due = rules.next_due(c, cal, now)
    out = list(actions) + [
        Ticket.sla_fr_used.set(c.used["first_response"]), Ticket.sla_res_used.set(c.used["resolution"]),
        Ticket.sla_done.set(_strings(c.done)),
    ]
    out.append(Ticket.sla_since.set(iso(c.since)) if c.since else Ticket.sla_since.remove())
    out.append(Ticket.sla_due.set(iso(due)) if due else Ticket.sla_due.remove())
    if first:
        out.append(Ticket.first_response_at.set(now_iso))
    if status == "solved" and t.status != "solved":
        out.append(Ticket.sla_solves.add(1))
    if status != "solved":  # the solved list's keys are the caller's; otherwise the keys are ours
        out = [a for a in out if _path(a) not in ("gsi4pk", "gsi4sk")]
        if due is not None:
            pk, sk = sla_due_keys(t.org_id, t.id, iso(due))
            out += [Ticket.gsi4pk.set(pk), Ticket.gsi4sk.set(sk)]
        elif t.gsi4pk:
            out += [Ticket.gsi4pk.remove(), Ticket.gsi4sk.remove()]
    return out


def _strings(values: frozenset[str]) -> Any:
    """A list attribute's value of strings, sorted (PynamoDB types it as a list of attributes)."""
    return sorted(values)


def _path(action: Action) -> str:
    return str(action.values[0])


def first_reply(message: Any) -> bool:
    """Whether a message written with a ticket's change is an agent's public reply."""
    return message is not None and message.kind == "reply" and message.author_role == "agent"


# ------------------------------------------------------------------ the sweep
def due_tickets(shard: int, now_iso: str) -> list[tuple[str, str]]:
    return [(t.org_id, t.id) for t in Ticket.by_due.query(sla_index(shard), Ticket.gsi4sk <= now_iso + "~")]


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Look at every ticket whose SLA moment has come (no Scan: the sparse index per shard)."""
    at = now or wall.now()
    stamp = iso(at)
    due = sent = 0
    for shard in range(JOB_SHARDS):
        for org_id, ticket_id in due_tickets(shard, stamp):
            due += 1
            sent += check_ticket(org_id, ticket_id, at)
    return {"due": due, "sent": sent}


def check_ticket(org_id: str, ticket_id: str, now: datetime) -> int:
    """Fire the stages a ticket has reached (each email put once), then record them and the next due
    moment at the ticket's version; a ticket changed meanwhile is left for the next sweep (its emails
    are not sent twice: their ids are deterministic)."""
    t = find(Ticket, *ticket_key(org_id, ticket_id))
    if t is None or t.status in rules.STOPPED_STATUSES or not str(t.gsi4pk or "").startswith("SLA#"):
        return 0
    policy = get_policy(org_id)
    cal = calendar_of(policy, now)
    c = clock_of(t)
    stages = rules.reached(c, cal, now)
    sent = 0
    for metric, stage in stages:
        sent += sum(put_once(m) for m in sla_messages(t, metric, stage))
    c = rules.fire(c, stages)
    nxt = rules.next_due(c, cal, now)
    actions: list[Action] = [Ticket.sla_fired.set(_strings(c.fired)), Ticket.sla_breached.set(c.breached)]
    if nxt is not None:
        pk, sk = sla_due_keys(org_id, ticket_id, iso(nxt))
        actions += [Ticket.sla_due.set(iso(nxt)), Ticket.gsi4pk.set(pk), Ticket.gsi4sk.set(sk)]
    else:
        actions += [Ticket.sla_due.remove(), Ticket.gsi4pk.remove(), Ticket.gsi4sk.remove()]
    try:
        Ticket(*ticket_key(org_id, ticket_id)).update(actions=actions, condition=Ticket.version == int(t.version))
    except UpdateError:
        pass  # it changed since it was read: the next sweep looks again
    return sent


def sla_messages(t: Ticket, metric: str, stage: str) -> list[Any]:
    """The emails of a stage: the assignee; on a breach the team's lead too (once, if another person)."""
    recipients: list[tuple[str, str, str]] = []
    if t.assignee and t.assignee_email:
        recipients.append((str(t.assignee), str(t.assignee_email), str(t.assignee_name or "there")))
    if stage == "breach":
        team = find(Team, *team_key(t.org_id, t.team_id))
        if team is not None and team.lead and team.lead != t.assignee:
            lead = find(Agent, *agent_key(t.org_id, team.lead))
            if lead is not None and lead.email:
                recipients.append((lead.sub, lead.email, lead.name or "there"))
    target = t.sla_fr_target if metric == "first_response" else t.sla_res_target
    link = get_settings().dashboard_url + TICKET_PAGE + t.id
    out = []
    for sub, address, name in recipients:
        subject, text, html = rules.sla_email(stage, metric, t.subject, t.id, t.priority, t.desk_name,
                                              int(target or 0), name, link)
        out.append(outbox_message(
            id=firing_id("helpdesk-sla", t.org_id, t.id, metric, stage, sub), scope=org_pk(t.org_id),
            recipient=address, alert_type="helpdesk", rule=f"sla:{metric}:{stage}", threshold=stage,
            period=t.created_at[:10], value=None, subject=subject, text=text, html=html,
            details={"org_id": t.org_id, "ticket_id": t.id, "metric": metric, "stage": stage}))
    return out
