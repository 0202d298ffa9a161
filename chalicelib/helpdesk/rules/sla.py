"""SLA clocks of a ticket (pure): first response and resolution, counted in business seconds of the
desk's calendar, running while the ticket is new or open and paused while it is pending (waiting on
the customer); a warning at 80% of a target and a breach at 100%, each fired once.

A clock keeps what it has used in closed segments (`used`, business seconds) and when its running
segment began (`since`); a pause or a stop adds the segment to `used`, a resume starts a new one, so
nothing is recounted and a reopened ticket's resolution clock goes on from where it stopped.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from html import escape

from .calendar import Calendar, after_seconds, elapsed_seconds

METRICS = ("first_response", "resolution")
# Stages in the order they fire, at this percentage of the target.
STAGES = (("warning", 80), ("breach", 100))
# The clocks run while someone at the desk has to act; pending waits on the customer.
RUNNING_STATUSES = frozenset({"new", "open"})
STOPPED_STATUSES = frozenset({"solved", "closed"})
LABELS = {"first_response": "first response", "resolution": "resolution"}


@dataclass(frozen=True)
class Clock:
    """A ticket's SLA state. `targets` in business minutes (None: no target for that metric);
    `used` in business seconds; `done` the metrics that stopped (first response once an agent replied
    publicly; resolution while solved or closed); `fired` the stages sent, as "metric:stage"."""

    targets: dict[str, int | None]
    used: dict[str, int] = field(default_factory=lambda: {m: 0 for m in METRICS})
    since: datetime | None = None
    done: frozenset[str] = frozenset()
    fired: frozenset[str] = frozenset()

    @property
    def breached(self) -> bool:
        return any(f.endswith(":breach") for f in self.fired)


def threshold_seconds(target_minutes: int, percent: int) -> int:
    """Business seconds at which a stage is reached: `percent` of the target, rounded up to the second."""
    return -(-target_minutes * 60 * percent // 100)


def start(targets: dict[str, int | None], now: datetime, status: str = "new") -> Clock:
    return Clock(targets=dict(targets), since=now if status in RUNNING_STATUSES else None)


def used_at(clock: Clock, cal: Calendar, now: datetime) -> dict[str, int]:
    """Business seconds each clock has used by `now` (a stopped one keeps what it had)."""
    running = elapsed_seconds(cal, clock.since, now) if clock.since is not None else 0
    return {m: clock.used.get(m, 0) + (0 if m in clock.done else running) for m in METRICS}


def advance(clock: Clock, cal: Calendar, now: datetime, status: str, first_reply: bool = False) -> Clock:
    """The clock after the ticket moves to `status` at `now` (and, with `first_reply`, after an agent's
    first public reply): the running segment is closed into `used`; the clocks run again only in a
    running status. A reopened ticket's resolution clock resumes from what it had used."""
    used = used_at(clock, cal, now)
    done = set(clock.done)
    if first_reply:
        done.add("first_response")
    if status in STOPPED_STATUSES:
        done.add("resolution")
    else:
        done.discard("resolution")
    live = [m for m in METRICS if m not in done]
    since = now if status in RUNNING_STATUSES and live else None
    return replace(clock, used=used, since=since, done=frozenset(done))


def _pending(clock: Clock) -> list[tuple[str, str, int]]:
    """(metric, stage, threshold seconds) not fired yet, of the clocks still counting."""
    out = []
    for m in METRICS:
        target = clock.targets.get(m)
        if target is None or m in clock.done:
            continue
        for stage, pct in STAGES:
            if f"{m}:{stage}" not in clock.fired:
                out.append((m, stage, threshold_seconds(target, pct)))
    return out


def reached(clock: Clock, cal: Calendar, now: datetime) -> list[tuple[str, str]]:
    """Stages reached by `now` and not fired yet, in firing order (a warning before its breach)."""
    used = used_at(clock, cal, now)
    return [(m, s) for m, s, limit in _pending(clock) if used[m] >= limit]


def fire(clock: Clock, stages: list[tuple[str, str]]) -> Clock:
    return replace(clock, fired=clock.fired | {f"{m}:{s}" for m, s in stages})


def next_due(clock: Clock, cal: Calendar, now: datetime) -> datetime | None:
    """When the sweep must next look at the ticket: the earliest stage still to fire. A stage reached
    already (say, just before a pause) is due at `now`; a paused clock with nothing reached is due
    never, so a pending ticket is on no work list."""
    used = used_at(clock, cal, now)
    dues: list[datetime] = []
    for m, _, limit in _pending(clock):
        if used[m] >= limit:
            dues.append(now)
        elif clock.since is not None:
            dues.append(after_seconds(cal, now, limit - used[m]))
    return min(dues) if dues else None


def attained(used_seconds: int, target_minutes: int | None) -> bool | None:
    """Whether a clock stopped within its target (None without a target)."""
    return None if target_minutes is None else used_seconds <= target_minutes * 60


def sla_email(stage: str, metric: str, subject: str, ticket_id: str, priority: str, desk_name: str,
              target_minutes: int, recipient_name: str, link: str) -> tuple[str, str, str]:
    """The warning or breach email to the assignee (and, on a breach, the team lead)."""
    what = LABELS.get(metric, metric)
    hours = f"{target_minutes // 60} h {target_minutes % 60:02d} min" if target_minutes >= 60 else f"{target_minutes} min"
    if stage == "breach":
        title = f"[{desk_name}] SLA breached ({what}): {subject}"
        line = f"The {priority} priority ticket \"{subject}\" has passed its {what} target of {hours} business time."
    else:
        title = f"[{desk_name}] SLA warning ({what}): {subject}"
        line = (f"The {priority} priority ticket \"{subject}\" has used 80% of its {what} target of {hours} "
                "business time.")
    lines = [f"Hello {recipient_name},", line, f"Ticket {ticket_id}: {link}"]
    text = "\n\n".join(lines) + "\n"
    html = "".join(f"<p>{escape(x)}</p>" for x in lines)
    return title, text, html
