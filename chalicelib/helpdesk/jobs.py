"""The help desk's scheduled entry points (thin: they call services)."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..core import clock
from ..core.shards import JOB_SHARDS
from . import tickets
from .rules.links import REOPEN_WINDOW

# A solved ticket closes this long after it was solved, unless the customer answers first. Never before the
# reopen window ends (issue 11 item 6): a reply within 7 days of the solve reopens the ticket, so closing
# earlier would turn such a reply into a follow-up. Equal to it, the two rules meet: until then a reply
# reopens, from then on the ticket closes and a reply opens a linked follow-up.
CLOSE_AFTER = max(timedelta(days=7), REOPEN_WINDOW)


def close_solved_tickets() -> dict[str, Any]:
    """Close every ticket solved more than CLOSE_AFTER ago (a sparse index per shard: no Scan). Safe
    to run twice: a ticket closed already is not on the list, and each close is at the version read."""
    before = (clock.now() - CLOSE_AFTER).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    due = closed = 0
    for shard in range(JOB_SHARDS):
        for org_id, ticket_id in tickets.solved_due(shard, before):
            due += 1
            closed += tickets.close_solved(org_id, ticket_id, before)
    return {"due": due, "closed": closed}


def sweep_sla() -> dict[str, Any]:
    """Every 5 minutes: tickets whose SLA warning or breach has come are emailed once (the sparse
    `by_due` index under SLA#<shard>: no Scan; a pending ticket is not on it). Safe to run twice: the
    emails' ids are deterministic and what fired is recorded at the ticket's version."""
    from . import sla  # noqa: PLC0415 (a job loads only what it runs)

    return sla.sweep()
