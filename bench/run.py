"""Tally's figures against their targets, in one table: DynamoDB calls per route, Scans, cold import
time, the expenses stream's throughput and write cost, and the deployed Lambda asset's size.

Run from the repo root: `.venv/bin/python bench/run.py` (or `make bench`). It always exits 0: it is a
measurement, not a test. Everything runs in-process under moto's `mock_aws`, with the tests' setup
(tests/conftest.py sets the environment and learns the Cognito pool ids; tests/mocked.py signs users
up with real Cognito tokens; tests/support.py creates the tables and reads the moto streams).

Calls are counted by wrapping botocore's `BaseClient._make_api_call`, which every client goes
through, PynamoDB's included (it calls `client._make_api_call` directly). Counting happens only
inside measured windows (one HTTP request, one stream invocation), so table creation, sign-up,
sign-in and the Cognito JWKS fetch (plain HTTP, not botocore) are never counted.
"""
from __future__ import annotations

import contextlib
import copy
import io
import math
import os
import pathlib
import random
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import traceback
import uuid
import warnings
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterator

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

READ_OPS = {"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems"}
WRITE_OPS = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}
NOW = datetime(2026, 11, 20, 12, tzinfo=timezone.utc)  # the clock the app sees while measured
IMPORT_REPEATS = 10
ASSET_LIMIT_MB = 5.0  # the deployed Lambda asset, zipped (MB = 10^6 bytes, as issue 8 counts them)
BATCH_RECORDS = 100


# ---------------------------------------------------------------------------- call recording
@dataclass
class Call:
    service: str
    op: str
    params: dict[str, Any]
    response: dict[str, Any] | None = None
    error: str | None = None
    label: str = ""
    seconds: float = 0.0

    @property
    def is_read(self) -> bool:
        return self.service == "dynamodb" and self.op in READ_OPS

    @property
    def is_write(self) -> bool:
        return self.service == "dynamodb" and self.op in WRITE_OPS


class Recorder:
    """Collects botocore calls made inside `window(label)`; outside any window, calls pass uncounted."""

    def __init__(self) -> None:
        self.calls: list[Call] = []  # every call of every window
        self._current: list[Call] | None = None
        self._label = ""
        self._original = None

    def install(self) -> None:
        from botocore.client import BaseClient

        if self._original is not None:
            return
        original = self._original = BaseClient._make_api_call
        recorder = self

        def _make_api_call(client, operation_name, api_params):
            window = recorder._current
            if window is None:
                return original(client, operation_name, api_params)
            call = Call(client.meta.service_model.service_name, operation_name, copy.deepcopy(api_params),
                        label=recorder._label)
            t0 = time.perf_counter()
            try:
                call.response = original(client, operation_name, api_params)
                return call.response
            except Exception as exc:
                err = getattr(exc, "response", None) or {}
                call.error = (err.get("Error") or {}).get("Code") or type(exc).__name__
                raise
            finally:
                call.seconds = time.perf_counter() - t0
                window.append(call)
                recorder.calls.append(call)

        BaseClient._make_api_call = _make_api_call

    def uninstall(self) -> None:
        from botocore.client import BaseClient

        if self._original is not None:
            BaseClient._make_api_call = self._original
            self._original = None

    @contextlib.contextmanager
    def window(self, label: str) -> Iterator[list[Call]]:
        calls: list[Call] = []
        self._current, self._label = calls, label
        try:
            yield calls
        finally:
            self._current, self._label = None, ""


def tables_of(call: Call) -> list[str]:
    """The tables a call touches, without the `tally-` prefix."""
    p = call.params
    names = [p["TableName"]] if "TableName" in p else list(p.get("RequestItems", {}))
    names += [next(iter(e.values())).get("TableName", "") for e in p.get("TransactItems", [])]
    return sorted({n.split("tally-", 1)[-1] for n in names if n})


def op_summary(calls: list[Call]) -> str:
    """`GetItem@core×2, PutItem@expenses[uncond]` in order of first use, with the tables touched;
    a failed call shows its error code."""
    names = []
    for c in calls:
        name = c.op + ("@" + "+".join(tables_of(c)) if tables_of(c) else "")
        if c.op == "TransactWriteItems":
            kinds = Counter(next(iter(i)) for i in c.params.get("TransactItems", []))
            name += "[" + "+".join(f"{k}{'×%d' % n if n > 1 else ''}" for k, n in kinds.items()) + "]"
        elif c.op in ("PutItem", "UpdateItem", "DeleteItem"):
            name += "[cond]" if c.params.get("ConditionExpression") else "[uncond]"
        if c.error:
            name += f" !{c.error.removesuffix('Exception')}"
        names.append(name)
    counts = Counter(names)
    return ", ".join(f"{n}×{counts[n]}" if counts[n] > 1 else n for n in dict.fromkeys(names)) or "none"


# ---------------------------------------------------------------- DynamoDB capacity estimates
def value_size(v: dict[str, Any]) -> int:
    """Approximate stored size in bytes of one DynamoDB wire-format value (AWS's item size rules)."""
    (t, x), = v.items()
    if t == "S":
        return len(x.encode())
    if t == "N":
        digits = str(x).lstrip("-").replace(".", "").strip("0") or "0"
        return (len(digits) + 1) // 2 + 1
    if t == "B":
        return len(x)
    if t in ("BOOL", "NULL"):
        return 1
    if t == "M":
        return 3 + sum(len(k.encode()) + value_size(e) + 1 for k, e in x.items())
    if t == "L":
        return 3 + sum(value_size(e) + 1 for e in x)
    if t == "SS":
        return sum(len(s.encode()) for s in x)
    if t == "NS":
        return sum(value_size({"N": n}) for n in x)
    if t == "BS":
        return sum(len(b) for b in x)
    return 0


def item_size(item: dict[str, Any] | None) -> int:
    return sum(len(k.encode()) + value_size(v) for k, v in (item or {}).items())


def write_units(call: Call) -> float:
    """Estimated WCU: 1 per started KB of the written item (2 inside a transaction)."""
    p = call.params
    if call.op == "PutItem":
        return max(1, math.ceil(item_size(p["Item"]) / 1024))
    if call.op in ("UpdateItem", "DeleteItem"):
        return 1  # the item's size is not in the request: the minimum, 1 KB
    if call.op == "BatchWriteItem":
        return sum(max(1, math.ceil(item_size((r.get("PutRequest") or {}).get("Item")) / 1024))
                   for reqs in p["RequestItems"].values() for r in reqs)
    if call.op == "TransactWriteItems":
        total = 0
        for entry in p["TransactItems"]:
            (kind, body), = entry.items()
            size = item_size(body.get("Item")) if kind == "Put" else 0
            total += 2 * max(1, math.ceil(size / 1024))
        return total
    return 0


def read_units(call: Call) -> float:
    """Estimated RCU: per started 4 KB, halved for eventually consistent reads; a miss costs the minimum."""
    r, p = call.response or {}, call.params
    half = lambda consistent: 1.0 if consistent else 0.5  # noqa: E731
    if call.op == "GetItem":
        return max(1, math.ceil(item_size(r.get("Item")) / 4096)) * half(p.get("ConsistentRead"))
    if call.op == "BatchGetItem":
        total = 0.0
        for table, spec in p["RequestItems"].items():
            items = r.get("Responses", {}).get(table, [])
            misses = len(spec["Keys"]) - len(items)
            units = sum(max(1, math.ceil(item_size(i) / 4096)) for i in items) + max(misses, 0)
            total += units * half(spec.get("ConsistentRead"))
        return total
    if call.op in ("Query", "Scan"):
        size = sum(item_size(i) for i in r.get("Items", []))
        return max(1, math.ceil(size / 4096)) * half(p.get("ConsistentRead"))
    return 0


# -------------------------------------------------------------------------------- the table
@dataclass
class Row:
    measure: str
    value: str
    target: str = ""
    ok: bool | None = None  # None: informational


@dataclass
class Report:
    """Rows grouped by section; sections print in the order of their titles ("1. …", "2. …")."""

    sections: dict[str, list[Row]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    _current: str = ""

    def section(self, title: str) -> None:
        self._current = title
        self.sections.setdefault(title, [])

    def add(self, measure: str, value: str, target: str = "", ok: bool | None = None) -> None:
        self.sections.setdefault(self._current, []).append(Row(measure, value, target, ok))

    @property
    def rows(self) -> list[Row]:
        out = []
        for title in sorted(self.sections):
            if title:
                out.append(Row(f"-- {title}", ""))
            out += self.sections[title]
        return out

    def render(self, value_width: int = 72) -> str:
        rows = self.rows
        mw = max(len(r.measure) for r in rows)
        tw = max(len(r.target) for r in rows + [Row("", "", "target")])
        vw = min(value_width, max(len(r.value) for r in rows + [Row("", "value")]))
        head = f"{'measure'.ljust(mw)} | {'value'.ljust(vw)} | {'target'.ljust(tw)} | ok"
        out = [head, "-" * len(head)]
        for r in rows:
            ok = "" if r.ok is None else ("ok" if r.ok else "FAIL")
            lines = textwrap.wrap(r.value, vw, break_on_hyphens=False, break_long_words=False) or [""]
            out.append(f"{r.measure.ljust(mw)} | {lines[0].ljust(vw)} | {r.target.ljust(tw)} | {ok}".rstrip())
            for more in lines[1:]:
                out.append(f"{''.ljust(mw)} | {more.ljust(vw)} | {''.ljust(tw)} |".rstrip())
        failed = sum(1 for r in rows if r.ok is False)
        passed = sum(1 for r in rows if r.ok is True)
        out.append("-" * len(head))
        out.append(f"{passed} ok, {failed} over target")
        out += [f"note: {n}" for n in self.notes]
        return "\n".join(out)


# ------------------------------------------------------------------------------- the setup
class Bench:
    """The app under moto with a Chalice test client, users, and stream readers."""

    def __init__(self) -> None:
        self.recorder = Recorder()
        self.report = Report()

    def __enter__(self) -> "Bench":
        # The tests' environment and Cognito pool ids, set before the app is imported.
        os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
        os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        import tests.conftest  # noqa: F401
        from moto import mock_aws

        from tests.support import create_pool, create_resources

        self._mock = mock_aws()
        self._mock.start()
        create_pool()
        create_resources()
        import app as app_module
        from chalice.test import Client
        from chalicelib.core import clock

        clock.set_now(NOW)
        self.app = app_module.app
        self._client_cm = Client(self.app)
        self.client = self._client_cm.__enter__()
        self.recorder.install()
        return self

    def __exit__(self, *exc) -> None:
        from chalicelib.core import clock

        self.recorder.uninstall()
        clock.set_now(None)
        self._client_cm.__exit__(*exc)
        self._mock.stop()

    # ---- helpers
    def user(self, name: str):
        from tests.mocked import sign_up

        return sign_up(self.client, name)

    def request(self, caller, method: str, path: str, body=None, label: str | None = None):
        """One HTTP request through the test client; returns (status, body, calls)."""
        with self.recorder.window(label or f"{method} {path}") as calls, contextlib.redirect_stdout(io.StringIO()):
            status, data = caller.call(method, path, body)
        return status, data, calls

    def invoke(self, name: str, records: list[dict], label: str) -> tuple[dict, list[Call], float]:
        with self.recorder.window(label) as calls, contextlib.redirect_stdout(io.StringIO()):
            t0 = time.perf_counter()
            payload = self.client.lambda_.invoke(name, {"Records": records}).payload
            elapsed = time.perf_counter() - t0
        return payload, calls, elapsed

    def drain(self, label: str) -> int:
        """Deliver what the streams hold to their handlers (recorded, for the Scan check)."""
        n = 0
        while True:
            recs = self.expenses_stream.records()
            if recs:
                self.invoke("on_expenses_stream", recs, f"{label}: on_expenses_stream")
            inv = self.inventory_stream.records()
            if inv:
                self.invoke("on_inventory_stream", inv, f"{label}: on_inventory_stream")
            out = self.outbox_stream.records()
            if out:
                self.invoke("on_outbox_stream", out, f"{label}: on_outbox_stream")
            n += len(recs) + len(inv) + len(out)
            if not recs and not inv and not out:
                return n

    def open_streams(self) -> None:
        from chalicelib.core.settings import get_settings

        s = get_settings()
        self.expenses_stream = resumable_reader(s.expenses_table)
        self.outbox_stream = resumable_reader(s.outbox_table)
        self.inventory_stream = resumable_reader(s.inventory_table)


def resumable_reader(table_name: str):
    """tests.support.StreamReader, but taking a fresh shard iterator after the last record it handed out
    on every read. moto rolls a cancelled TransactWriteItems back by swapping in deep copies of the
    tables, stream shard included: an iterator kept across one reads the dead copy and sees nothing new."""
    from tests.support import StreamReader

    class ResumableStreamReader(StreamReader):
        last: str | None = None

        def records(self) -> list[dict]:
            shard = self.streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"][0]["ShardId"]
            where = ({"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": self.last} if self.last
                     else {"ShardIteratorType": "TRIM_HORIZON"})
            self.iterator = self.streams.get_shard_iterator(StreamArn=self.arn, ShardId=shard, **where)["ShardIterator"]
            out = super().records()
            if out:
                self.last = out[-1]["dynamodb"]["SequenceNumber"]
            return out

    return ResumableStreamReader(table_name)


def expense(amount: str, date: str = "2026-11-10", category: str = "food", **kw) -> dict:
    return {"kind": "expense", "amount": amount, "currency": "USD", "date": date, "category": category,
            "payment_mode": "debit_card"} | kw


# ------------------------------------------------------------------- 1. calls per route
def route_row(report: Report, name: str, status: int, expected: int, calls: list[Call], write: bool,
              max_reads: int = 2) -> None:
    ddb = [c for c in calls if c.service == "dynamodb"]
    reads = sum(c.is_read for c in ddb)
    writes = sum(c.is_write for c in ddb)
    other = [c for c in calls if c.service != "dynamodb"]
    value = f"{len(ddb)} ({reads}r/{writes}w): {op_summary(ddb)}"
    if other:
        value += f"; +{len(other)} {other[0].service.upper() if len(set(c.service for c in other)) == 1 else 'other'}: " \
                 + ", ".join(f"{c.service}.{c.op}" for c in other)
    if status != expected:
        value += f"; HTTP {status}, expected {expected}"
    if write:
        target, ok = f"1 write, ≤{max_reads} reads", writes == 1 and reads <= max_reads
    else:
        target, ok = f"≤{max_reads} reads, 0 writes", reads <= max_reads and writes == 0
    report.add(name, value, target, ok and status == expected)


def measure_routes(b: Bench) -> None:
    r = b.report
    r.section("1. DynamoDB calls per request")
    alice = b.user("alice")
    b.open_streams()
    b.drain("sign-up")

    s, _, calls = b.request(alice, "PUT", "/budgets/food", {"limit": "300"})
    route_row(r, "PUT /budgets/{cat}", s, 200, calls, True)

    s, created, calls = b.request(alice, "POST", "/expenses", expense("12.50"))
    route_row(r, "POST /expenses", s, 201, calls, True)

    s, _, calls = b.request(alice, "POST", "/expenses", {k: v for k, v in expense("3.20").items() if k != "currency"},
                            label="POST /expenses (no currency)")
    route_row(r, "POST /expenses (currency omitted)", s, 201, calls, True)

    tid = str(uuid.uuid4())
    s, _, calls = b.request(alice, "PUT", f"/expenses/{tid}", expense("40", category="transport"))
    route_row(r, "PUT /expenses/{id} create", s, 201, calls, True)
    s, _, calls = b.request(alice, "PUT", f"/expenses/{tid}", expense("40", category="transport"), label="replay")
    route_row(r, "PUT /expenses/{id} replay", s, 200, calls, True)
    s, _, calls = b.request(alice, "PUT", f"/expenses/{tid}", expense("45", category="transport", version=1),
                            label="replace")
    route_row(r, "PUT /expenses/{id} replace", s, 200, calls, True)

    s, _, calls = b.request(alice, "GET", f"/expenses/{tid}")
    route_row(r, "GET /expenses/{id}", s, 200, calls, False)
    s, _, calls = b.request(alice, "GET", "/expenses?month=2026-11")
    route_row(r, "GET /expenses?month=", s, 200, calls, False)
    s, _, calls = b.request(alice, "GET", "/budgets?month=2026-11")
    route_row(r, "GET /budgets?month=", s, 200, calls, False)
    s, _, calls = b.request(alice, "GET", "/me")
    route_row(r, "GET /me", s, 200, calls, False)

    b.drain("after routes")  # the chart JSON exists from here on, as it would in use
    s, _, calls = b.request(alice, "GET", "/insights/expenses?year=2026")
    route_row(r, "GET /insights/expenses?year=", s, 200, calls, False)

    s, _, calls = b.request(alice, "DELETE", f"/expenses/{created['id']}")
    route_row(r, "DELETE /expenses/{id}", s, 204, calls, True)
    b.drain("after delete")


def measure_inventory(b: Bench) -> None:
    """The inventory routes a shop uses all day: a movement is one BatchGetItem (the id, product,
    locations, customer, positions) and one transaction, whatever its kind."""
    r = b.report
    r.section("1b. Inventory: DynamoDB calls per request")
    owner = b.user("owner")
    _, org, _ = b.request(owner, "POST", "/orgs", {"name": "Bench Shop"}, label="setup")
    o = org["org_id"]
    _, store, _ = b.request(owner, "POST", f"/orgs/{o}/locations", {"name": "Store"}, label="setup")
    _, second, _ = b.request(owner, "POST", f"/orgs/{o}/locations", {"name": "Second"}, label="setup")
    _, cust, _ = b.request(owner, "POST", f"/orgs/{o}/customers", {"name": "C", "email": "c@example.com"},
                           label="setup")
    s, prod, calls = b.request(owner, "POST", f"/orgs/{o}/products", {
        "sku": "B-1", "name": "Bench item", "price": "5.00", "cost": "2.00", "allow_backorder": True})
    route_row(r, "POST /orgs/{o}/products", s, 201, calls, True)
    p, l, l2 = prod["id"], store["id"], second["id"]

    def move(name: str, body: dict, expected: int = 201, mid: str | None = None) -> None:
        """A replay or a refusal writes nothing; a recorded movement writes once."""
        s, _, calls = b.request(owner, "PUT", f"/orgs/{o}/movements/{mid or uuid.uuid4()}", body, label=name)
        route_row(r, name, s, expected, calls, expected == 201)

    s, _, calls = b.request(owner, "PUT", f"/orgs/{o}/stock/{p}/{l}/settings", {"reorder_point": "5"})
    route_row(r, "PUT /orgs/{o}/stock/{p}/{l}/settings", s, 200, calls, True)
    rid = str(uuid.uuid4())
    receive = {"kind": "receive", "product_id": p, "location_id": l, "quantity": "20", "unit_cost": "2.00"}
    move("PUT movement: receive", receive, mid=rid)
    move("PUT movement: receive replay", receive, 200, mid=rid)
    move("PUT movement: sale", {"kind": "sale", "product_id": p, "location_id": l, "quantity": "3"})
    move("PUT movement: transfer", {"kind": "transfer", "product_id": p, "location_id": l, "to_location_id": l2,
                                    "quantity": "4"})
    move("PUT movement: sale refused (409)", {"kind": "sale", "product_id": p, "location_id": l,
                                               "quantity": "50"}, 409)
    move("PUT movement: sale, part backordered", {"kind": "sale", "product_id": p, "location_id": l,
                                                  "quantity": "20", "customer_id": cust["id"]})
    s, _, calls = b.request(owner, "PUT", f"/orgs/{o}/movements/{uuid.uuid4()}", receive,
                            label="receive filling a backorder")  # + the Query of the open backorders
    route_row(r, "PUT movement: receive filling a backorder", s, 201, calls, True, max_reads=3)
    for name, path in (("GET /orgs/{o}/stock?location_id=", f"/orgs/{o}/stock?location_id={l}"),
                       ("GET /orgs/{o}/stock/{p}/{l}", f"/orgs/{o}/stock/{p}/{l}"),
                       ("GET /orgs/{o}/movements", f"/orgs/{o}/movements"),
                       ("GET /orgs/{o}/products", f"/orgs/{o}/products")):
        s, _, calls = b.request(owner, "GET", path, label=name)
        route_row(r, name, s, 200, calls, False)
    b.drain("inventory")  # the stream's rollups, alerts and chart, in the Scan check


# -------------------------------------------------------------------- 4. stream batch
def make_batch(b: Bench, n: int = BATCH_RECORDS) -> tuple[list[dict], Counter]:
    """Write `n` transaction changes through the API (3 users, 2 months, mixed categories, edits and
    deletes) and return the stream records they produced, as Lambda would deliver them."""
    rng = random.Random(20261120)
    users = [b.user(name) for name in ("ana", "ben", "cleo")]
    for u, limit in zip(users, ("150", "400", "900")):
        b.request(u, "PUT", "/budgets/food", {"limit": limit}, label="setup")
        b.request(u, "PUT", "/budgets/total", {"limit": str(int(limit) * 4)}, label="setup")
    b.drain("batch setup")
    live: dict[int, list[dict]] = {i: [] for i in range(len(users))}
    kinds: Counter = Counter()
    spend = ("food", "food", "groceries", "transport", "entertainment", "utilities", "shopping", "health")
    while sum(kinds.values()) < n:
        i = rng.randrange(len(users))
        u, mine = users[i], live[i]
        roll = rng.random()
        if len(mine) < 3 or roll < 0.76:
            month = rng.choice(("2026-10", "2026-11"))
            day = rng.randint(1, 28)
            if rng.random() < 0.08:
                body = {"kind": "income", "amount": f"{rng.randint(800, 3000)}.00", "currency": "USD",
                        "date": f"{month}-{day:02d}", "category": "salary", "payment_mode": "bank_transfer"}
            else:
                body = expense(f"{rng.randint(2, 120)}.{rng.randint(0, 99):02d}", f"{month}-{day:02d}",
                               rng.choice(spend), note=rng.choice(("", "lunch", "weekly shop", "taxi")))
            s, rec, _ = b.request(u, "POST", "/expenses", body, label="setup")
            assert s == 201, rec
            mine.append(rec | {"body": body})
            kinds["INSERT"] += 1
        elif roll < 0.91:
            t = rng.choice(mine)
            body = dict(t["body"], amount=f"{rng.randint(2, 150)}.00", version=t["version"])
            if body["kind"] == "expense" and rng.random() < 0.3:
                body["category"] = rng.choice(spend)
            if rng.random() < 0.2:
                body["date"] = ("2026-10" if body["date"].startswith("2026-11") else "2026-11") + body["date"][7:]
            s, rec, _ = b.request(u, "PUT", f"/expenses/{t['id']}", body, label="setup")
            assert s == 200, rec
            t.update(rec, body={k: v for k, v in body.items() if k != "version"})
            kinds["MODIFY"] += 1
        else:
            t = mine.pop(rng.randrange(len(mine)))
            s, _, _ = b.request(u, "DELETE", f"/expenses/{t['id']}", label="setup")
            assert s == 204
            kinds["REMOVE"] += 1
    return b.expenses_stream.records(), kinds


def written_items(calls: list[Call]) -> Iterator[tuple[str, dict, int]]:
    """(table, item or key, estimated WCU) of every item a successful write call wrote."""
    for c in calls:
        if not c.is_write or c.error:
            continue
        if c.op == "TransactWriteItems":
            for e in c.params["TransactItems"]:
                (kind, body), = e.items()
                if kind != "ConditionCheck":
                    item = body.get("Item") or body.get("Key") or {}
                    yield body["TableName"], item, 2 * max(1, math.ceil(item_size(body.get("Item")) / 1024))
        elif c.op == "BatchWriteItem":
            for table, reqs in c.params["RequestItems"].items():
                for req in reqs:
                    (kind, body), = req.items()
                    item = body.get("Item") or body.get("Key") or {}
                    yield table, item, max(1, math.ceil(item_size(body.get("Item")) / 1024))
        else:
            yield c.params["TableName"], c.params.get("Item") or c.params.get("Key") or {}, write_units(c)


def batch_writes(calls: list[Call], rollups_table: str, outbox_table: str) -> tuple[Counter, Counter, Counter]:
    """Items written, their estimated WCU and their largest size, by kind: rollup items (which carry
    their own idempotency: the eventIDs they absorbed), outbox messages, anything else."""
    count, wcu, biggest = Counter(), Counter(), Counter()
    for table, item, units in written_items(calls):
        if table == rollups_table:
            kind = "rollups"
        elif table == outbox_table:
            kind = "outbox"
        else:
            kind = f"other:{table}"
        count[kind] += 1
        wcu[kind] += units
        biggest[kind] = max(biggest[kind], item_size(item))
    return count, wcu, biggest


def stream_rows(b: Bench, name: str, records: list[dict], replay: bool) -> None:
    from chalicelib.core.settings import get_settings

    s = get_settings()
    r = b.report
    payload, calls, elapsed = b.invoke("on_expenses_stream", copy.deepcopy(records), f"{name}: on_expenses_stream")
    failures = payload.get("batchItemFailures") if isinstance(payload, dict) else payload
    n = len(records)
    ddb = [c for c in calls if c.service == "dynamodb"]
    s3 = [c for c in calls if c.service == "s3"]
    writes, wcu_by_kind, biggest = batch_writes(ddb, s.rollups_table, s.outbox_table)
    per100 = writes["rollups"] * 100 / n if n else 0
    aws_s = sum(c.seconds for c in calls)
    own = max(elapsed - aws_s, 1e-9)
    r.add(f"{name}: records/s", f"{n / elapsed:,.0f} ({n} records in {elapsed * 1000:,.0f} ms, of which "
          f"{aws_s * 1000:,.0f} ms in moto calls)" + (f"; FAILED records: {len(failures)}" if failures else ""),
          "informational", None if not failures else False)
    r.add(f"{name}: records/s, handler code only", f"{n / own:,.0f} ({own * 1000:,.0f} ms outside AWS calls)",
          "informational", None)
    r.add(f"{name}: DynamoDB calls", f"{len(ddb)}: {op_summary(ddb)}", "", None)
    r.add(f"{name}: S3 calls", f"{len(s3)}: " + (", ".join(f"{k}×{v}" for k, v in Counter(c.op for c in s3).items())
                                                  or "none"), "", None)
    if replay:
        r.add(f"{name}: rollup item writes", f"{writes['rollups']}", "0", writes["rollups"] == 0)
    else:
        r.add(f"{name}: rollup item writes /100 rec", f"{per100:g} ({writes['rollups']} items for {n} records; "
              "each carries the eventIDs it absorbed, no separate idempotency writes)", "≤10", per100 <= 10)
    if writes["outbox"]:
        r.add(f"{name}: outbox (alert) writes", str(writes["outbox"]), "", None)
    for k, v in writes.items():
        if k.startswith("other:"):
            r.add(f"{name}: writes to {k[6:]}", str(v), "0", False)
    wcu = sum(write_units(c) for c in ddb)
    rcu = sum(read_units(c) for c in ddb)
    r.add(f"{name}: capacity (estimated)", f"≈{wcu:g} WCU, ≈{rcu:g} RCU per {n} records", "", None)
    if wcu:
        r.add(f"{name}: WCU by item kind", "; ".join(
            f"{k} {wcu_by_kind[k]:g} ({writes[k]} items, largest {biggest[k]:,} B)" for k in wcu_by_kind), "", None)
    if not any(n_.startswith("capacity") for n_ in r.notes):
        r.notes.append("capacity: moto returns no real ConsumedCapacity (a constant when asked, an empty list for "
                       "transactions), so WCU/RCU are estimated from the item sizes in requests and responses "
                       "(1 WCU per KB, x2 in transactions; 0.5 RCU per 4 KB eventually consistent, a miss costs "
                       "the minimum; UpdateItem/DeleteItem counted at 1 KB).")


def measure_stream(b: Bench) -> None:
    r = b.report
    r.section("4. expenses stream batch")
    records, kinds = make_batch(b)
    owners = {(rec["dynamodb"].get("Keys") or {}).get("pk", {}).get("S") for rec in records}
    months = set()
    for rec in records:
        for img in ("NewImage", "OldImage"):
            d = (rec["dynamodb"].get(img) or {}).get("date", {}).get("S")
            if d:
                months.add(d[:7])
    r.add("batch", f"{len(records)} records ({', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))}); "
          f"{len(owners)} owners, months {', '.join(sorted(months))}", f"{BATCH_RECORDS} records",
          len(records) == BATCH_RECORDS)
    stream_rows(b, "batch", records, replay=False)
    stream_rows(b, "replay", records, replay=True)
    b.drain("after batch")  # the outbox records of any crossings go to the mailer (Scan check)
    r.notes.append("records/s: moto deep-copies every table a TransactWriteItems touches (its rollback), so "
                   "moto time grows with table size; the 'handler code only' row leaves AWS call time out.")


# ------------------------------------------------------------------------------- 2. scans
def scan_rows(b: Bench) -> None:
    r = b.report
    r.section("2. Scans on request and stream paths")
    scans = [c for c in b.recorder.calls if c.service == "dynamodb" and c.op == "Scan"]
    windows = len({c.label for c in b.recorder.calls})
    where = ", ".join(sorted({c.label for c in scans}))
    r.add("Scan calls", f"{len(scans)}" + (f" in: {where}" if scans else
                                           f" in {len(b.recorder.calls)} recorded calls ({windows} request/stream windows)"),
          "0", not scans)


# -------------------------------------------------------------------------- 3. import time
def import_ms(module: str, env: dict[str, str], cwd: pathlib.Path = ROOT) -> tuple[float, float]:
    """Wall and CPU milliseconds of `import module` in a fresh interpreter."""
    code = (f"import time; t, c = time.perf_counter(), time.process_time(); import {module}; "
            "print((time.perf_counter() - t) * 1000, (time.process_time() - c) * 1000)")
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True,
                         check=True, timeout=120)
    wall, cpu = out.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def measure_imports(env: dict[str, str] | None = None, repeats: int = IMPORT_REPEATS,
                    asset_dir: pathlib.Path | None = None) -> dict[str, dict[str, float]]:
    """Median cold import of boto3, of the app from this tree and of the app as deployed (the asset,
    extracted, with the bytecode it ships; botocore from this environment, as the Lambda runtime has it),
    each in fresh interpreters, interleaved so a busy machine slows all alike: wall and CPU time.

    The tree's bytecode is written once first: a cold start on Lambda reads the asset's shipped bytecode,
    and an environment with PYTHONDONTWRITEBYTECODE would otherwise time compiling chalicelib each run."""
    env = dict(env or os.environ)
    warm = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-c", "import app"], cwd=ROOT, env=warm, check=True, capture_output=True,
                   timeout=300)
    targets: dict[str, tuple[str, dict[str, str], pathlib.Path]] = {
        "boto3": ("boto3", env, ROOT), "app": ("app", env, ROOT)}
    if asset_dir is not None:
        targets["asset"] = ("app", env | {"PYTHONPATH": str(asset_dir), "PYTHONSAFEPATH": "1"}, asset_dir)
    wall: dict[str, list[float]] = {k: [] for k in targets}
    cpu: dict[str, list[float]] = {k: [] for k in targets}
    for _ in range(repeats):
        for name, (module, module_env, cwd) in targets.items():
            w, c = import_ms(module, module_env, cwd)
            wall[name].append(w)
            cpu[name].append(c)
    return {k: {"wall": statistics.median(wall[k]), "fastest": min(wall[k]), "cpu": statistics.median(cpu[k])}
            for k in targets}


def import_rows(report: Report, med: dict[str, dict[str, float]]) -> None:
    report.section(f"3. cold import (fresh interpreter, median of {IMPORT_REPEATS})")
    labels = {"boto3": "import boto3", "app": "import app (this tree)", "asset": "import app (deployed asset)"}
    for name, m in med.items():
        report.add(labels[name], f"{m['wall']:.0f} ms (fastest {m['fastest']:.0f} ms, CPU {m['cpu']:.0f} ms)", "", None)
    base = med["boto3"]
    for name in ("app", "asset"):
        if name in med:
            ratio = med[name]["wall"] / base["wall"]
            report.add(f"{labels[name]} / import boto3", f"{ratio:.2f}x (of wall medians; of CPU medians "
                       f"{med[name]['cpu'] / base['cpu']:.2f}x)", "≤1.5x", ratio <= 1.5)


# ------------------------------------------------------------------- 5. deployed Lambda asset
def build_asset(out: pathlib.Path, project_dir: pathlib.Path = ROOT) -> dict[str, Any]:
    """The Lambda asset as infra deploys it (`chalice package`, then infra/tally_infra/slim_chalice.py:
    what the runtime provides left out, bytecode added), extracted under `out`: its zipped size and
    biggest top-level entries."""
    import zipfile

    if str(ROOT / "infra") not in sys.path:
        sys.path.insert(0, str(ROOT / "infra"))
    # quiet: CDK's runtime (imported with Chalice's construct) and `chalice package` talk
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        from tally_infra.slim_chalice import package_asset

        path = package_asset(str(project_dir), str(out / "package"))
    by_top: Counter = Counter()
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            by_top[info.filename.split("/", 1)[0].split("-", 1)[0]] += info.compress_size
        z.extractall(out / "asset")
    return {"bytes": os.path.getsize(path), "biggest": by_top.most_common(5), "dir": out / "asset"}


def asset_rows(report: Report, asset: dict[str, Any]) -> None:
    report.section("5. deployed Lambda asset (deployment.zip as infra builds it)")
    mb = asset["bytes"] / 1e6
    report.add("asset size, zipped", f"{mb:.2f} MB ({asset['bytes']} bytes)", f"≤{ASSET_LIMIT_MB:g} MB",
               mb <= ASSET_LIMIT_MB)
    report.add("biggest parts (compressed)", ", ".join(f"{name} {n / 1e6:.2f} MB" for name, n in asset["biggest"]),
               "", None)


# ------------------------------------------------------------------------------------ main
def run() -> Report:
    """Every measure, in order; a section that breaks becomes a FAIL row and the rest still run."""
    bench = Bench()
    with bench as b:
        env = dict(os.environ)  # the tests' environment, set by tests.conftest on entering
        for name, fn in (("routes", measure_routes), ("inventory", measure_inventory), ("stream", measure_stream)):
            try:
                fn(b)
            except Exception as exc:  # a measurement reports, it does not stop
                traceback.print_exc(file=sys.stderr)
                b.report.add(f"{name}: error", f"{type(exc).__name__}: {exc}", "runs", False)
        scan_rows(b)
    with tempfile.TemporaryDirectory() as tmp:
        asset: dict[str, Any] = {}
        try:
            asset = build_asset(pathlib.Path(tmp))
            asset_rows(bench.report, asset)
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            bench.report.add("asset: error", f"{type(exc).__name__}: {exc}", "runs", False)
        try:
            import_rows(bench.report, measure_imports(env, asset_dir=asset.get("dir")))
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            bench.report.add("import: error", f"{type(exc).__name__}: {exc}", "runs", False)
    return bench.report


def main() -> int:
    print(run().render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
