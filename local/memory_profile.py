"""A debug aid for the local stack's memory: where it grows, with evidence.

With `TALLY_MEMORY_PROFILE=<dir>` in its environment, `python -m local.stack` starts `tracemalloc`
(25 frames, or TALLY_MEMORY_PROFILE_FRAMES) before anything else is imported, and on every SIGUSR1 writes to <dir>:

- `mem-<n>.tracemalloc`: a tracemalloc snapshot (`tracemalloc.Snapshot.load` reads it back);
- one JSON line in `mem.jsonl`: the process's resident memory (VmRSS), what tracemalloc traces (the
  memory Python objects hold), and glibc's malloc figures (`mallinfo2`: bytes in use and bytes free
  but kept in the heap), which tell Python-object growth from allocator fragmentation.

`compare(dir, first, last)` lists the tracebacks whose memory grew most between two snapshots.
`bench/local_stack.py --memory-profile DIR` drives it. Tracing slows the stack down about twofold:
it is never on unless asked for.
"""
from __future__ import annotations

import ctypes
import json
import os
import pathlib
import signal
import threading
import time
import tracemalloc
from typing import Any

ENV = "TALLY_MEMORY_PROFILE"
TRIM_ENV = "TALLY_MEMORY_PROFILE_TRIM"  # set: every dump also trims the heap and measures again
FRAMES_ENV = "TALLY_MEMORY_PROFILE_FRAMES"  # frames kept per allocation (default 25; fewer is faster)


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks",
        "keepcost")]


def malloc_info() -> dict[str, int]:
    """glibc's heap figures in bytes ({} where glibc's mallinfo2 is not available)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        fn = libc.mallinfo2
    except (OSError, AttributeError):
        return {}
    fn.restype = _MallInfo2
    info = fn()
    return {"heap": info.arena, "mmapped": info.hblkhd, "in_use": info.uordblks, "free_in_heap": info.fordblks}


def malloc_trim() -> bool:
    """Return glibc's free heap pages to the OS (False where there is no glibc)."""
    try:
        return bool(ctypes.CDLL("libc.so.6").malloc_trim(0))
    except (OSError, AttributeError):
        return False


def rss_bytes(pid: int | str = "self") -> int:
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def thread_count() -> int:
    return threading.active_count()


class Profiler:
    def __init__(self, directory: pathlib.Path):
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.n = 0
        self.lock = threading.Lock()

    def dump(self, label: str = "") -> dict[str, Any]:
        with self.lock:
            self.n += 1
            current = peak = 0
            if tracemalloc.is_tracing():
                tracemalloc.take_snapshot().dump(str(self.dir / f"mem-{self.n}.tracemalloc"))
                current, peak = tracemalloc.get_traced_memory()
            row = {"n": self.n, "label": label, "at": time.time(), "rss": rss_bytes(), "traced": current,
                   "traced_peak": peak, "threads": thread_count(), **malloc_info(), "census": census()}
            if os.environ.get(TRIM_ENV):  # how much of the resident memory is free heap glibc could return
                malloc_trim()
                row["rss_trimmed"] = rss_bytes()
            with (self.dir / "mem.jsonl").open("a") as fh:
                fh.write(json.dumps(row) + "\n")
            return row


def census() -> dict[str, Any]:
    """How much the long-lived structures hold: objects by type, threads by name, moto's stores."""
    import collections
    import gc

    types = collections.Counter(type(o).__name__ for o in gc.get_objects())
    names = collections.Counter(t.name.split("-")[0].split(" ")[0] for t in threading.enumerate())
    out: dict[str, Any] = {"objects": dict(types.most_common(30)), "gc_objects": sum(types.values()),
                           "threads": dict(names)}
    try:
        from moto.cognitoidp.models import cognitoidp_backends
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends
        from moto.dynamodbstreams.models import dynamodbstreams_backends
        from moto.s3.models import s3_backends
        from moto.ses.models import ses_backends

        for region, backend in dynamodb_backends[DEFAULT_ACCOUNT_ID].items():
            for name, table in backend.tables.items():
                shard = table.stream_shard
                out[f"ddb {name}"] = [sum(len(v) for v in table.items.values()) if table.has_range_key
                                      else len(table.items), len(shard.items) if shard else 0]
        for region, streams in dynamodbstreams_backends[DEFAULT_ACCOUNT_ID].items():
            out[f"shard iterators {region}"] = len(streams.shard_iterators)
        for region, idp in cognitoidp_backends[DEFAULT_ACCOUNT_ID].items():
            for pool in idp.user_pools.values():
                out[f"cognito {pool.id}"] = {"users": len(pool.users), "id": len(pool.id_tokens),
                                             "access": len(pool.access_tokens), "refresh": len(pool.refresh_tokens)}
        for region, ses in ses_backends[DEFAULT_ACCOUNT_ID].items():
            out[f"ses {region}"] = len(ses.sent_messages)
        for bucket in s3_backends[DEFAULT_ACCOUNT_ID]["global"].buckets.values():
            versions = [bucket.keys.getlist(k) for k in bucket.keys]
            out[f"s3 {bucket.name}"] = [len(versions), sum(len(v) for v in versions)]
    except Exception as exc:  # a census of what is there: never fail the dump
        out["error"] = repr(exc)
    return out


def start_from_env() -> Profiler | None:
    """Start tracing if TALLY_MEMORY_PROFILE is set, and dump on SIGUSR1. Call first thing in main."""
    where = os.environ.get(ENV)
    if not where:
        return None
    frames = int(os.environ.get(FRAMES_ENV, "25"))
    if frames:  # 0: no tracing, only the figures and the census
        tracemalloc.start(frames)
    profiler = Profiler(pathlib.Path(where))
    signal.signal(signal.SIGUSR1, lambda *_: profiler.dump())
    return profiler


def compare(directory: pathlib.Path, first: int, last: int, top: int = 15, frames: int = 12) -> str:
    """The tracebacks whose memory grew most from snapshot `first` to `last`, as text."""
    filters = [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen *>")]
    a = tracemalloc.Snapshot.load(str(directory / f"mem-{first}.tracemalloc")).filter_traces(filters)
    b = tracemalloc.Snapshot.load(str(directory / f"mem-{last}.tracemalloc")).filter_traces(filters)
    lines = []
    by_file = b.compare_to(a, "filename")
    lines.append(f"growth by file, snapshot {first} -> {last}:")
    for stat in by_file[:top]:
        lines.append(f"  {stat.size_diff / 1e6:+8.2f} MB {stat.count_diff:+8d} blocks  {stat.traceback[0].filename}")
    lines.append("growth by traceback:")
    for stat in b.compare_to(a, "traceback")[:top]:
        lines.append(f"  {stat.size_diff / 1e6:+8.2f} MB {stat.count_diff:+8d} blocks")
        for frame in list(stat.traceback)[-frames:]:
            lines.append(f"      {frame.filename}:{frame.lineno}")
    return "\n".join(lines)
