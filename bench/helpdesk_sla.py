"""Help desk SLA timers: the sweep's measured work, and the monthly cost of the sweep against one-time
EventBridge Scheduler schedules per ticket, at 10,000 open tickets a month.

Run from the repo root: `.venv/bin/python bench/helpdesk_sla.py [--tickets N]` (or `make bench-sla`).
Everything runs in-process under moto's `mock_aws` with the tests' environment: a desk with a
Monday–Friday 09:00–17:00 calendar and targets; N tickets written straight to the table with their
SLA clocks (60% open and running, 25% pending, 15% solved), their due moments spread over the month as
the next two days (a busier stretch than the month's average, so each run has work: each running
ticket's first-response target is set so that its warning falls in that stretch); then the `sla_sweep` job's work (helpdesk.sla.sweep) is measured, by wrapping
botocore as bench/run.py does, in three runs: a steady 5-minute window, a run with nothing due, and a
catch-up after a one-hour outage. The cost lines multiply those measured requests by list prices.

Prices (US East, N. Virginia; public price pages, November 2026):
  DynamoDB on-demand: $0.625 per million write request units, $0.125 per million read request units
    (an eventually consistent read of up to 4 KB is half a unit; a write is one unit per started KB,
    and each global secondary index the item is projected into is written too).
  Lambda: $0.20 per million requests, $0.0000166667 per GB-second (x86).
  EventBridge Scheduler: $1.00 per million scheduled invocations after 14 million free a month;
    creating, updating and deleting schedules is not charged (API quotas apply).
"""
from __future__ import annotations

import argparse
import math
import os
import pathlib
import random
import sys
import time
import uuid
import warnings
from collections import Counter
from datetime import datetime, timedelta, timezone

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.run import Recorder, item_size, read_units  # noqa: E402

WRU = 0.625 / 1e6
RRU = 0.125 / 1e6
LAMBDA_REQUEST = 0.20 / 1e6
LAMBDA_GB_SECOND = 0.0000166667
SCHEDULER_INVOCATION = 1.00 / 1e6
SCHEDULER_FREE = 14_000_000
MEMORY_GB = 0.5  # the app's functions: 512 MB (.chalice/config.json)
SWEEPS_PER_MONTH = 30 * 24 * 12  # every 5 minutes
START = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)  # a Monday 09:00
# Ticket GSIs with ALL projection that a ticket is in: by_customer, by_queue, by_time (+ by_due while due)
TICKET_INDEXES = 3


def build(n: int, seed: int = 11) -> dict:
    """A desk's policy and `n` tickets with their clocks, written with BatchWriteItem."""
    from chalicelib.helpdesk.models import SlaPolicy, SlaTarget, Ticket, WeeklyHours, all_tickets_index, \
        customer_index, sla_due_keys, sla_policy_key, solved_keys, team_queue_index, ticket_key
    from chalicelib.helpdesk.rules import sla as rules
    from chalicelib.helpdesk.rules.calendar import elapsed_seconds
    from chalicelib.helpdesk.sla import calendar_of, iso, targets_of

    rng = random.Random(seed)
    org, team = str(uuid.uuid4()), str(uuid.uuid4())
    policy = SlaPolicy(*sla_policy_key(org), org_id=org, time_zone="UTC",
                       hours=[WeeklyHours(weekday=d, start=540, end=1020) for d in range(5)],
                       targets=[SlaTarget(priority="normal", first_response=60, resolution=480)],
                       created_at=iso(START), updated_at=iso(START))
    policy.save()
    cal = calendar_of(policy, START)
    targets = targets_of(policy, "normal")
    window = timedelta(days=2)  # a busy stretch: every running ticket has a stage due within two days
    kinds = Counter()
    due_at: list[datetime] = []
    with Ticket.batch_write() as batch:
        for i in range(n):
            tid = str(uuid.uuid4())
            created = START - timedelta(minutes=rng.randrange(0, 60 * 24 * 3))
            kind = rng.choices(["open", "pending", "solved"], [60, 25, 15])[0]
            kinds[kind] += 1
            now_iso = iso(created)
            t = Ticket(*ticket_key(org, tid), gsi1pk=customer_index(org, f"c{i % 500}"), gsi1sk=f"{now_iso}#{tid}",
                       gsi2pk=team_queue_index(org, team), gsi2sk=f"{now_iso}#{tid}",
                       gsi3pk=all_tickets_index(org), gsi3sk=f"{now_iso}#{tid}", id=tid, org_id=org, handle="acme",
                       desk_name="Acme Support", customer_sub=f"c{i % 500}", customer_email=f"c{i % 500}@example.com",
                       customer_name="Customer", category="billing", team_id=team, subject="Charged twice",
                       description="My card was charged twice." * 4, priority="normal", status=kind,
                       assignee="agent1", assignee_email="agent1@example.com", assignee_name="Agent",
                       reply_token=uuid.uuid4().hex, version=3, created_at=now_iso, updated_at=now_iso,
                       sla_fr_target=targets["first_response"], sla_res_target=targets["resolution"])
            c = rules.start(targets, created)
            if kind == "open":
                # running since START, with a first-response target that puts its warning somewhere in
                # the window (the due moment is the rules' own, so the sweep finds it reached)
                moment = START + timedelta(seconds=rng.randrange(60, int(window.total_seconds())))
                target = max(1, math.ceil(elapsed_seconds(cal, START, moment) / 48))
                c = rules.start({"first_response": target, "resolution": None}, START)
                due = rules.next_due(c, cal, START)
                assert due is not None
                due_at.append(due)
                t.sla_fr_target, t.sla_res_target = target, None
                t.sla_since, t.sla_due = iso(START), iso(due)
                t.gsi4pk, t.gsi4sk = sla_due_keys(org, tid, iso(due))
            elif kind == "pending":
                c = rules.advance(c, cal, created + timedelta(minutes=5), "pending")
                t.sla_fr_used, t.sla_res_used = c.used["first_response"], c.used["resolution"]
            else:
                t.gsi4pk, t.gsi4sk = solved_keys(org, tid, now_iso)
                t.solved_at = now_iso
            batch.save(t)
    return {"org": org, "kinds": kinds, "due_at": sorted(due_at)}


def sweep(recorder: Recorder, at: datetime, label: str) -> dict:
    from chalicelib.core import clock
    from chalicelib.helpdesk.sla import sweep as run_sweep

    clock.set_now(at)
    with recorder.window(label) as calls:
        t0 = time.perf_counter()
        result = run_sweep(at)
        seconds = time.perf_counter() - t0
    ops = Counter(c.op for c in calls)
    returned = sum(len((c.response or {}).get("Items", [])) for c in calls if c.op == "Query")
    rru = sum(read_units(c) for c in calls if c.service == "dynamodb")
    ticket_sizes = [item_size((c.response or {}).get("Item")) for c in calls
                    if c.op == "GetItem" and (c.params.get("Key", {}).get("sk", {}).get("S") == "TICKET")]
    outbox_sizes = [item_size(c.params["Item"]) for c in calls if c.op == "PutItem"]
    return {"label": label, "result": result, "seconds": seconds, "ops": ops, "returned": returned, "rru": rru,
            "ticket_bytes": max(ticket_sizes or [0]), "outbox_bytes": max(outbox_sizes or [0]),
            "scans": ops.get("Scan", 0)}


def fmt_ops(ops: Counter) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(ops.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    args = parser.parse_args()
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    warnings.filterwarnings("ignore")
    import tests.conftest  # noqa: F401  (the tests' environment)
    from moto import mock_aws

    from tests.support import create_resources

    with mock_aws():
        create_resources()
        t0 = time.perf_counter()
        world = build(args.tickets)
        built = time.perf_counter() - t0
        recorder = Recorder()
        recorder.install()
        try:
            steady = sweep(recorder, START + timedelta(minutes=5), "steady 5-minute window")
            empty = sweep(recorder, START + timedelta(minutes=5, seconds=30), "nothing due")
            catch_up = sweep(recorder, START + timedelta(hours=1, minutes=5), "after a 1-hour outage")
        finally:
            recorder.uninstall()

    n = args.tickets
    print(f"# Help desk SLA timers at {n:,} open tickets a month (bench/helpdesk_sla.py)\n")
    print(f"tickets written: {dict(world['kinds'])} in {built:.1f} s (moto); running ones due within two days: "
          f"{len(world['due_at']):,}\n")
    print("## The sweep's measured work (one run of helpdesk.sla.sweep)\n")
    print("| run | tickets due | emails put | DynamoDB calls | Query items | RRU | Scans | seconds (moto) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in (steady, empty, catch_up):
        print(f"| {r['label']} | {r['result']['due']} | {r['result']['sent']} | {fmt_ops(r['ops'])} | "
              f"{r['returned']} | {r['rru']:.1f} | {r['scans']} | {r['seconds']:.3f} |")

    # ---- a month: the measured requests × prices
    ticket_kb = max(1, math.ceil(max(steady["ticket_bytes"], catch_up["ticket_bytes"]) / 1024))
    outbox_kb = max(1, math.ceil(max(steady["outbox_bytes"], catch_up["outbox_bytes"]) / 1024))
    firings = 4 * n  # the worst case: every ticket reaches both stages of both clocks
    emails = 6 * n  # a warning to the assignee, a breach to the assignee and the team lead, per clock
    work = catch_up if catch_up["result"]["due"] else steady  # the run with tickets due
    looks_measured = max(1, work["result"]["due"])
    per_look_rru = (work["rru"] - empty["rru"]) / looks_measured
    # a look: GetItem ticket + policy (+ team and lead on a breach), one UpdateItem of the ticket (base
    # item + its 3 ALL-projected indexes + by_due's key move, a delete and a put: 6 writes of its size)
    per_look_wru = ticket_kb * (1 + TICKET_INDEXES + 2)
    per_email_wru = outbox_kb
    # Lambda time on AWS, not moto's (which reads every item of its in-memory table per Query): ~10 ms a
    # DynamoDB call and 20 ms of the function's own work per run (an assumption, stated in the output)
    sweep_seconds = 0.020 + 0.010 * sum(empty["ops"].values())
    look_calls = (sum(work["ops"].values()) - sum(empty["ops"].values())) / looks_measured
    look_seconds = 0.010 * look_calls
    empty_rru = empty["rru"]

    sweep_fixed = SWEEPS_PER_MONTH * (LAMBDA_REQUEST + sweep_seconds * MEMORY_GB * LAMBDA_GB_SECOND
                                      + empty_rru * RRU)
    dynamo = firings * (per_look_rru * RRU + per_look_wru * WRU) + emails * per_email_wru * WRU
    looks = dynamo + firings * look_seconds * MEMORY_GB * LAMBDA_GB_SECOND
    # Scheduler: one one-time schedule per ticket kept at its next due moment: created when filed,
    # updated at each change of the clock (filed, opened, pending, reopened, solved: ~5 a ticket) and at
    # each firing, deleted when done; each firing is one scheduled invocation and one Lambda invocation.
    schedule_calls = n * 5 + firings
    invocations = firings
    sched_invocations = max(0, invocations - SCHEDULER_FREE) * SCHEDULER_INVOCATION
    sched_lambda = invocations * (LAMBDA_REQUEST + (look_seconds + 0.020) * MEMORY_GB * LAMBDA_GB_SECOND)
    sched_looks = dynamo
    sched_api_lambda = schedule_calls * 0.030 * MEMORY_GB * LAMBDA_GB_SECOND  # ~30 ms per Scheduler API call

    print(f"\n## A month at {n:,} tickets ({SWEEPS_PER_MONTH:,} sweeps; worst case {firings:,} firings)\n")
    print("| | sweep every 5 min (chosen) | one-time Scheduler schedules |")
    print("|---|---|---|")
    print(f"| fixed | {SWEEPS_PER_MONTH:,} Lambda runs × ({empty['ops'].get('Query', 0)} Queries, {empty_rru:.1f} RRU, "
          f"~{sweep_seconds * 1000:.0f} ms at 512 MB) = ${sweep_fixed:.4f} | none |")
    print(f"| firings | {firings:,} looks × ({per_look_rru:.2f} RRU measured + {per_look_wru} WRU, ticket {ticket_kb} KB) "
          f"+ {emails:,} emails × {per_email_wru} WRU (outbox {outbox_kb} KB) = ${looks:.4f} | the same DynamoDB work ${sched_looks:.4f} + {invocations:,} Lambda invocations "
          f"${sched_lambda:.4f} + {invocations:,} scheduled invocations ${sched_invocations:.4f} "
          f"(14 M free) |")
    print(f"| keeping timers | the `by_due` keys in the ticket's own write: $0 | {schedule_calls:,} "
          f"Create/Update/DeleteSchedule calls (not charged) from the request or stream path: "
          f"${sched_api_lambda:.4f} of Lambda time |")
    total_sweep = sweep_fixed + looks
    total_sched = sched_looks + sched_lambda + sched_invocations + sched_api_lambda
    print(f"| **total** | **${total_sweep:.4f}** | **${total_sched:.4f}** |")
    print("\nLambda time is estimated (~10 ms per DynamoDB call, 20 ms per run), not moto's in-process time.")
    print("\nBoth are cents a month; the sweep's floor is its 8,640 runs, Scheduler's cost grows with tickets. "
          "The sweep keeps one source of truth (the ticket's clock and its index keys, written in the ticket's "
          "own transaction), needs no IAM PassRole, no schedule per ticket to create, move and delete in step "
          "with every status change, and is safe to run twice; it fires up to 5 minutes late.")


if __name__ == "__main__":
    main()
