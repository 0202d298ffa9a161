"""The local stack under load: memory, write latency, snapshot time and stop time, in one table.

    .venv/bin/python bench/local_stack.py [--requests 20000] [--clients 4] [--keep]   (or `make bench-local`)

Starts `python -m local.stack` in a subprocess on free ports with a fresh state dir (as the e2e fixture
does), signs up users, sends a fixed-seed mix of requests over HTTP (expense creates, edits and deletes,
budgets, reads, stock movements in an organisation, a few sign-ups and sign-ins, and bad requests), then
stops it with SIGINT as a person presses Ctrl-C. It prints:

- the resident memory (VmRSS) of the stack process at start and after the requests;
- p50/p95 latency of simple writes (POST /expenses, PUT /budgets/{c}) over the first and the last 400;
- snapshot duration (lock held / total), from the stack's own `snapshot saved` log lines;
- seconds from SIGINT to "Stopped." and from "Stopped." to the process's exit.

It measures, it does not gate: the exit code is 0 whatever the figures (2 if the stack did not start).
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.e2e.http import call  # noqa: E402

RSS_TARGET_MB = 1024
EXIT_TARGET_S = 10.0
WINDOW = 400  # simple writes measured at the start and at the end


def rss_mb(pid: int) -> float:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Stack:
    """`python -m local.stack` in a subprocess; every output line is kept with the time it arrived."""

    def __init__(self, state_dir: pathlib.Path, memory_profile: pathlib.Path | None = None, frames: int = 25,
                 trim: bool = False):
        self.state_dir = state_dir
        self.lines: list[tuple[float, str]] = []
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TALLY_", "AWS_", "MOTO_"))}
        if memory_profile is not None:
            env["TALLY_MEMORY_PROFILE"] = str(memory_profile)
            env["TALLY_MEMORY_PROFILE_FRAMES"] = str(frames)
            if trim:
                env["TALLY_MEMORY_PROFILE_TRIM"] = "1"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "local.stack", "--state-dir", str(state_dir), "--aws-port", "0",
             "--api-port", "0", "--dashboard-port", "0"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.log = open(state_dir / "stack.log", "w")  # noqa: SIM115 (open while the stack runs)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append((time.monotonic(), line.rstrip("\n")))
            self.log.write(line)
            self.log.flush()

    def wait_ready(self, timeout: float = 240) -> dict:
        path = self.state_dir / "outputs.json"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if path.exists():
                out = json.loads(path.read_text())
                status, _, _ = call("GET", f"{out['api_url']}/health")
                if status == 200:
                    return out
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError("the local stack did not start:\n" + "\n".join(line for _, line in self.lines[-40:]))

    def first_line(self, text: str, after: float) -> float | None:
        return next((t for t, line in list(self.lines) if t >= after and text in line), None)

    def stop(self, timeout: float = 600) -> tuple[float, float | None, float | None, int | None]:
        """SIGINT; (sent at, "Stopped." at, exited at, exit code)."""
        sent = time.monotonic()
        self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = None
        exited = time.monotonic()
        self.reader.join(10)
        return sent, self.first_line("Stopped.", sent), exited if code is not None else None, code


class Load:
    """A fixed-seed mix of the requests the dashboard and a shop make, with bad ones among them."""

    def __init__(self, api: str, seed: int = 7):
        self.api = api
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.users: list[dict] = []
        self.expenses: list[tuple[dict, str]] = []  # (user, txn id)
        self.writes: list[tuple[int, float]] = []  # (request index, seconds) of simple writes
        self.statuses: dict[int, int] = {}
        self.errors = 0

    # ---- setup
    def sign_up(self, tag: str) -> dict:
        email, password = f"bench-{tag}-{uuid.uuid4().hex[:8]}@example.com", "Bench-passw0rd"
        status, body, _ = call("POST", f"{self.api}/auth/sign-up", {"email": email, "password": password,
                                                                    "name": "Bench"})
        assert status == 201, body
        user = {"email": email, "password": password, "token": self.sign_in(email, password)}
        return user

    def sign_in(self, email: str, password: str) -> str:
        status, tokens, _ = call("POST", f"{self.api}/auth/sign-in", {"email": email, "password": password})
        assert status == 200, tokens
        return tokens["id_token"]

    def setup(self, users: int = 3) -> None:
        self.users = [self.sign_up(f"u{i}") for i in range(users)]
        owner = self.users[0]
        tok = owner["token"]
        self.org = call("POST", f"{self.api}/orgs", {"name": "Bench Shop"}, tok)[1]["org_id"]
        o = self.org
        self.locations = [call("POST", f"{self.api}/orgs/{o}/locations", {"name": n}, tok)[1]["id"]
                          for n in ("Store", "Back room")]
        self.products = []
        for i in range(10):
            status, p, _ = call("POST", f"{self.api}/orgs/{o}/products", {
                "sku": f"B-{i}", "name": f"Bench item {i}", "price": "5.00", "cost": "1.00"}, tok)
            assert status == 201, p
            self.products.append(p["id"])
        self.movement_ids: list[str] = []

    # ---- one request
    def expense_body(self) -> dict:
        r = self.rng
        return {"kind": "expense", "amount": f"{r.randint(1, 9000) / 100:.2f}", "currency": "USD",
                "date": f"2026-{r.randint(1, 11):02d}-{r.randint(1, 28):02d}",
                "category": r.choice(["food", "transport", "rent", "fun"]), "payment_mode": "debit_card"}

    def one(self, i: int) -> None:
        try:
            self._one(i)
        except (OSError, AssertionError):  # a refused connection or a failed sign-up: counted, not fatal
            self._count(0)

    def _one(self, i: int) -> None:
        with self.lock:
            r = self.rng
            user = r.choice(self.users)
            roll = r.random()
            known = r.choice(self.expenses) if self.expenses else None
        tok, api = user["token"], self.api
        o = self.org
        simple = False
        if roll < 0.22:
            method, url, body, simple = "POST", f"{api}/expenses", self.expense_body(), True
        elif roll < 0.32:
            method, url, body, simple = "PUT", f"{api}/budgets/{r.choice(['food', 'transport', 'total'])}", \
                {"limit": str(r.randint(50, 900))}, True
        elif roll < 0.40 and known:
            user, tid = known
            method, url, body, tok = "PUT", f"{api}/expenses/{tid}", self.expense_body(), user["token"]
        elif roll < 0.45 and known:
            user, tid = known
            with self.lock:
                if known in self.expenses:
                    self.expenses.remove(known)
            method, url, body, tok = "DELETE", f"{api}/expenses/{tid}", None, user["token"]
        elif roll < 0.55:
            method, url, body = "GET", f"{api}/expenses?month=2026-{r.randint(1, 11):02d}&limit=50", None
        elif roll < 0.60:
            method, url, body = "GET", f"{api}/budgets?month=2026-{r.randint(1, 11):02d}", None
        elif roll < 0.63 and known:
            method, url, body, tok = "GET", f"{api}/expenses/{known[1]}", None, known[0]["token"]
        elif roll < 0.78:  # stock movements in the organisation (owner's token)
            tok = self.users[0]["token"]
            # about as many units sold as received, so lots are consumed (FIFO) rather than piling up
            kind = r.choice(["receive", "sale", "sale", "transfer"])
            here, there = r.sample(self.locations, 2)
            body = {"kind": kind, "product_id": r.choice(self.products), "location_id": here,
                    "quantity": str(r.randint(2, 8) if kind == "receive" else r.randint(1, 4))}
            if kind == "receive":
                body["unit_cost"] = "1.00"
            if kind == "transfer":
                body["to_location_id"] = there
            replay = self.movement_ids and r.random() < 0.1
            mid = r.choice(self.movement_ids) if replay else str(uuid.uuid4())
            method, url = "PUT", f"{api}/orgs/{o}/movements/{mid}"
            if not replay:
                with self.lock:
                    self.movement_ids.append(mid)
        elif roll < 0.84:
            tok = self.users[0]["token"]
            p, loc = r.choice(self.products), r.choice(self.locations)
            method, url, body = "GET", r.choice([f"{api}/orgs/{o}/stock/{p}/{loc}", f"{api}/orgs/{o}/movements?limit=20",
                                                 f"{api}/orgs/{o}/stock"]), None
        elif roll < 0.94:  # bad requests: each answered 4xx
            method, url, body = r.choice([
                ("POST", f"{api}/expenses", {"kind": "expense", "amount": "lots", "currency": "USD"}),
                ("GET", f"{api}/expenses/{uuid.uuid4()}", None),
                ("PUT", f"{api}/budgets/food", {"limit": -3}),
                ("GET", f"{api}/orgs/{uuid.uuid4()}/stock", None),
                ("PUT", f"{api}/orgs/{o}/movements/{uuid.uuid4()}", {"kind": "sale", "quantity": "x"}),
                ("DELETE", f"{api}/expenses/not-an-id", None),
            ])
        elif roll < 0.97:
            method, url, body = "GET", f"{api}/me", None
        elif roll < 0.995:  # a sign-in (tokens pile up in Cognito)
            status, tokens, _ = call("POST", f"{api}/auth/sign-in", {"email": user["email"],
                                                                    "password": user["password"]})
            self._count(status)
            return
        else:  # a new user (the snapshot hashes every password)
            new = self.sign_up(f"n{i}")
            with self.lock:
                self.users.append(new)
            self._count(201)
            return
        t0 = time.perf_counter()
        status, out, _ = call(method, url, body, tok)
        elapsed = time.perf_counter() - t0
        self._count(status)
        with self.lock:
            if simple and status in (200, 201):
                self.writes.append((i, elapsed))
            if method == "POST" and url.endswith("/expenses") and status == 201:
                self.expenses.append((user, out["id"]))

    def _count(self, status: int) -> None:
        with self.lock:
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if status >= 500 or status == 0:
                self.errors += 1

    def run(self, n: int, clients: int, progress: bool = True, max_seconds: float = 0,
            first: int = 0) -> tuple[int, float]:
        """Send n requests, numbered from `first` (fewer if max_seconds runs out); (sent, seconds)."""
        t0 = time.monotonic()
        done = [0]

        def task(i: int) -> None:
            if max_seconds and time.monotonic() - t0 > max_seconds:
                return
            self.one(i)
            with self.lock:
                done[0] += 1
                if progress and done[0] % 2000 == 0:
                    print(f"  {done[0]} requests, {time.monotonic() - t0:.0f} s", flush=True)

        with ThreadPoolExecutor(max_workers=clients) as pool:
            for f in [pool.submit(task, i) for i in range(first, first + n)]:
                f.result()
        return done[0], time.monotonic() - t0


def memory_snapshot(pid: int, directory: pathlib.Path, label: str) -> dict:
    """Ask the stack (started with TALLY_MEMORY_PROFILE) for a snapshot; its row of mem.jsonl."""
    log = directory / "mem.jsonl"
    before = len(log.read_text().splitlines()) if log.exists() else 0
    os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        rows = log.read_text().splitlines() if log.exists() else []
        if len(rows) > before:
            return json.loads(rows[-1]) | {"label": label}
        time.sleep(0.5)
    raise RuntimeError("the stack wrote no memory snapshot")


def print_profiles(rows: list[dict], directory: pathlib.Path) -> None:
    from local.memory_profile import compare

    print(f"{'snapshot':<16} {'RSS MB':>8} {'traced MB':>10} {'malloc in use MB':>17} {'malloc free MB':>15} "
          f"{'threads':>8} {'RSS after trim MB':>18}")
    for r in rows:
        trimmed = f"{r['rss_trimmed'] / 1e6:18.0f}" if "rss_trimmed" in r else f"{'':>18}"
        print(f"{r['label']:<16} {r['rss'] / 1e6:8.0f} {r['traced'] / 1e6:10.0f} {r.get('in_use', 0) / 1e6:17.0f} "
              f"{r.get('free_in_heap', 0) / 1e6:15.0f} {r['threads']:8d} {trimmed}")
    if len(rows) < 2:
        return
    a, b = rows[0].get("census", {}), rows[-1].get("census", {})
    print("census, first -> last snapshot:")
    for key in b:
        if key != "objects" and a.get(key) != b[key]:
            print(f"  {key}: {a.get(key)} -> {b[key]}")
    grown = sorted(((n - a.get("objects", {}).get(t, 0), t) for t, n in b.get("objects", {}).items()), reverse=True)
    print("  objects grown most: " + ", ".join(f"{t} {d:+d}" for d, t in grown[:12]))
    if (directory / f"mem-{rows[-1]['n']}.tracemalloc").exists():
        print(compare(directory, rows[0]["n"], rows[-1]["n"]))


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def snapshot_figures(lines: list[tuple[float, str]]) -> tuple[int, float, float, float]:
    """(count, median lock ms, max lock ms, max total ms) from `snapshot saved: lock X ms, total Y ms` lines."""
    locks, totals = [], []
    for _, line in lines:
        m = re.search(r"snapshot saved: lock ([\d.]+) ms, total ([\d.]+) ms", line)
        if m:
            locks.append(float(m.group(1)))
            totals.append(float(m.group(2)))
    if not locks:
        return 0, float("nan"), float("nan"), float("nan")
    return len(locks), statistics.median(locks), max(locks), max(totals)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--requests", type=int, default=20_000)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--max-seconds", type=float, default=0, help="stop sending after this long (0: never)")
    p.add_argument("--keep", action="store_true", help="keep the state dir (its path is printed)")
    p.add_argument("--memory-profile", type=pathlib.Path, metavar="DIR",
                   help="trace the stack's allocations (local/memory_profile.py): snapshots in DIR after the "
                        "setup, every --profile-every requests and at the end, and the growth printed")
    p.add_argument("--profile-every", type=int, default=1000)
    p.add_argument("--profile-frames", type=int, default=25,
                   help="frames traced per allocation (fewer: faster; 0: no tracing, only the figures and census)")
    p.add_argument("--profile-trim", action="store_true",
                   help="at each snapshot also return free heap to the OS (malloc_trim) and measure RSS again")
    args = p.parse_args(argv)
    state_dir = pathlib.Path(tempfile.mkdtemp(prefix="tally-bench-local-"))
    profile_dir = args.memory_profile.resolve() if args.memory_profile else None
    stack = Stack(state_dir, profile_dir, args.profile_frames, args.profile_trim)
    try:
        out = stack.wait_ready()
    except RuntimeError as exc:
        print(exc)
        stack.proc.kill()
        return 2
    pid = out["pid"]
    load = Load(out["api_url"])
    load.setup()
    time.sleep(2)
    rss_start, cpu_start, load_start = rss_mb(pid), cpu_seconds(pid), os.getloadavg()[0]
    print(f"stack ready (pid {pid}, RSS {rss_start:.0f} MB); sending {args.requests} requests "
          f"with {args.clients} clients...", flush=True)
    profiles: list[dict] = []
    if profile_dir is not None:
        profiles.append(memory_snapshot(pid, profile_dir, "start"))
        sent = seconds = 0
        while sent < args.requests:
            n = min(args.profile_every, args.requests - sent)
            done, took = load.run(n, args.clients, max_seconds=args.max_seconds, first=sent)
            sent, seconds = sent + done, seconds + took
            profiles.append(memory_snapshot(pid, profile_dir, f"after {sent}"))
    else:
        sent, seconds = load.run(args.requests, args.clients, max_seconds=args.max_seconds)
    cpu_load, load_end = cpu_seconds(pid) - cpu_start, os.getloadavg()[0]
    # let the streams drain and a snapshot happen, as after a session of use
    quiet = time.monotonic()
    while time.monotonic() - quiet < 300 and not stack.first_line("snapshot saved", quiet):
        time.sleep(1)
    rss_end = rss_mb(pid)
    if profile_dir is not None:
        profiles.append(memory_snapshot(pid, profile_dir, "end, drained"))
    snapshot = state_dir / "snapshot.json"
    data_mb = snapshot.stat().st_size / 1e6 if snapshot.exists() else float("nan")
    signalled, stopped, exited, code = stack.stop()
    stack.log.close()

    def fmt(x: float | None, unit: str = "s", digits: int = 1) -> str:
        return "n/a" if x is None or x != x else f"{x:.{digits}f} {unit}"

    writes = [s for _, s in sorted(load.writes)]
    first, last = writes[:WINDOW], writes[-WINDOW:]
    n_snap, snap_med, snap_max, snap_total = snapshot_figures(stack.lines)
    to_stopped = None if stopped is None else stopped - signalled
    to_exit = None if (stopped is None or exited is None) else exited - stopped

    rows = [
        ("requests sent / s", f"{sent} in {seconds:.0f} s ({sent / seconds:.0f}/s), "
                              f"{args.clients} clients", "", ""),
        ("machine load average (1 min), start / end", f"{load_start:.1f} / {load_end:.1f} "
                                                      f"on {os.cpu_count()} CPUs", "", ""),
        ("stack CPU per request", f"{cpu_load / max(sent, 1) * 1000:.0f} ms", "", ""),
        ("data held (snapshot.json)", fmt(data_mb, "MB", 1), "", ""),
        ("statuses (0: no answer)", ", ".join(f"{k}×{v}" for k, v in sorted(load.statuses.items())), "no 5xx",
         "ok" if load.errors == 0 else "FAIL"),
        ("RSS at start", fmt(rss_start, "MB", 0), "", ""),
        (f"RSS after {sent} requests", fmt(rss_end, "MB", 0), f"< {RSS_TARGET_MB} MB",
         "ok" if rss_end < RSS_TARGET_MB else "FAIL"),
        (f"simple writes p50 / p95, first {len(first)}", f"{pct(first, .5) * 1000:.0f} / {pct(first, .95) * 1000:.0f} ms",
         "", ""),
        (f"simple writes p50 / p95, last {len(last)}", f"{pct(last, .5) * 1000:.0f} / {pct(last, .95) * 1000:.0f} ms",
         "", ""),
        ("snapshots: count, lock held median / max", f"{n_snap}, {fmt(snap_med, 'ms', 0)} / {fmt(snap_max, 'ms', 0)}",
         "", ""),
        ("snapshot total (max, serialise + write)", fmt(snap_total, "ms", 0), "", ""),
        ("SIGINT to \"Stopped.\"", fmt(to_stopped), "", ""),
        ("\"Stopped.\" to exit", fmt(to_exit), f"≤ {EXIT_TARGET_S:.0f} s",
         "ok" if to_exit is not None and to_exit <= EXIT_TARGET_S else "FAIL"),
        ("exit code", str(code), "0", "ok" if code == 0 else "FAIL"),
    ]
    w = [max(len(r[i]) for r in rows + [("measure", "value", "target", "ok")]) for i in range(4)]
    head = f"{'measure'.ljust(w[0])} | {'value'.ljust(w[1])} | {'target'.ljust(w[2])} | ok"
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r[0].ljust(w[0])} | {r[1].ljust(w[1])} | {r[2].ljust(w[2])} | {r[3]}".rstrip())
    if profile_dir is not None:
        print_profiles(profiles, profile_dir)
    if args.keep:
        print(f"state dir: {state_dir}")
    else:
        import shutil

        shutil.rmtree(state_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
