"""Stream and schedule workers: what Lambda's event source mappings and EventBridge do on AWS.

A stream worker polls one table's stream and invokes the app's real handler with Lambda-shaped
batches. Like Lambda with ReportBatchItemFailures, it checkpoints up to the lowest failed record
and redelivers from there; after MAX_ATTEMPTS a record goes to the dead-letter file (the SQS
on-failure destination on AWS) and the worker moves past it. A batch whose handler raises has
failed as a whole; after MAX_ATTEMPTS it is split in halves (BisectBatchOnFunctionError) until
the failing record is alone.
"""
from __future__ import annotations

import json
import logging
import pathlib
import threading
import time
from datetime import UTC, datetime

from .lambda_events import FakeContext, scheduled_event, stream_record

log = logging.getLogger("tally.local")
MAX_ATTEMPTS = 3


def _seq(s: str) -> int:
    return int(s)


class StreamWorker(threading.Thread):
    def __init__(self, name: str, handler, stream_arn: str, batch_size: int, session, region: str,
                 dead_letters: pathlib.Path, checkpoints=None, poll: float = 0.2):
        super().__init__(name=f"stream:{name}", daemon=True)
        self.fn_name, self.handler, self.arn, self.batch_size = name, handler, stream_arn, batch_size
        self.region, self.dead_letters, self.poll = region, dead_letters, poll
        self.checkpoints = checkpoints
        self.client = session.client("dynamodbstreams")
        self.stop_event = threading.Event()
        self.pending: list[dict] = []
        self.attempts = 0
        self.limit = batch_size  # halved when a whole batch keeps raising (BisectBatchOnFunctionError)
        self.idle = threading.Event()
        self.processed = 0
        # Resume after the checkpoint taken on this very stream, else from TRIM_HORIZON: a restore
        # loads items before the stream exists, so a new stream holds only changes to react to.
        start = checkpoints.get(stream_arn) if checkpoints else None
        self.last_seq: int | None = start  # highest sequence number handled (or dead-lettered)
        self.fetched: int | None = start  # highest sequence number read from the stream
        desc = self.client.describe_stream(StreamArn=self.arn)["StreamDescription"]
        self.shard = desc["Shards"][0]["ShardId"]
        self.iterator = ""
        self._refresh_iterator()

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                got = self.step()
            except Exception:
                log.exception("stream worker %s failed a poll", self.fn_name)
                got = False
                try:  # e.g. an expired iterator: resume after the last record read
                    self._refresh_iterator()
                except Exception:
                    log.exception("stream worker %s could not get a new iterator", self.fn_name)
            if not got:
                self.idle.set()
                self.stop_event.wait(self.poll)

    def step(self) -> bool:
        """Fetch and deliver once; True if there was anything to do."""
        if len(self.pending) < self.batch_size:
            resp = self.client.get_records(ShardIterator=self.iterator, Limit=1000)
            self.iterator = resp.get("NextShardIterator") or self.iterator
            new = [stream_record(r, self.arn, self.region) for r in resp["Records"]]
            if new:
                self.fetched = _seq(new[-1]["dynamodb"]["SequenceNumber"])
            self.pending += new
        if not self.pending:
            self.limit = self.batch_size
            return False
        self.idle.clear()
        batch = self.pending[: self.limit]
        error = None
        try:
            result = self.handler({"Records": batch}, FakeContext(self.fn_name)) or {}
            failed = [f["itemIdentifier"] for f in result.get("batchItemFailures", [])]
        except Exception as exc:
            log.exception("handler %s raised: the whole batch failed", self.fn_name)
            error = repr(exc)
            failed = [batch[0]["dynamodb"]["SequenceNumber"]]
        if not failed:
            self._done(len(batch))
            return True
        # Like Lambda: checkpoint up to the lowest failed record and redeliver from it.
        lowest = min(failed, key=_seq)
        index = next((i for i, r in enumerate(batch) if r["dynamodb"]["SequenceNumber"] == lowest), 0)
        self._done(index)
        self.attempts = self.attempts + 1 if index == 0 else 1
        if self.attempts < MAX_ATTEMPTS:
            time.sleep(0.2 * self.attempts)
            return True
        self.attempts = 0
        if error is not None and len(batch) > 1:
            self.limit = max(1, len(batch) // 2)
            log.warning("handler %s keeps raising: retrying with batches of %d", self.fn_name, self.limit)
            return True
        record = self.pending[0]
        with self.dead_letters.open("a") as fh:
            fh.write(json.dumps({"function": self.fn_name, "error": error, "record": record,
                                 "at": datetime.now(UTC).isoformat()}, default=str) + "\n")
        log.error("%s: record %s sent to the failure destination (%s)", self.fn_name,
                  record["dynamodb"]["SequenceNumber"], self.dead_letters)
        self._done(1)
        self.limit = self.batch_size
        return True

    def _refresh_iterator(self) -> None:
        """A new iterator after the last record read (at start, and after a failed poll)."""
        if self.fetched is None:  # the stream was empty at start and nothing was read since
            self.iterator = self.client.get_shard_iterator(
                StreamArn=self.arn, ShardId=self.shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            return
        self.iterator = self.client.get_shard_iterator(
            StreamArn=self.arn, ShardId=self.shard, ShardIteratorType="AFTER_SEQUENCE_NUMBER",
            SequenceNumber=str(self.fetched))["ShardIterator"]

    def _done(self, n: int) -> None:
        if n:
            self.last_seq = _seq(self.pending[n - 1]["dynamodb"]["SequenceNumber"])
            del self.pending[:n]
            self.processed += n
            self.attempts = 0
            if self.checkpoints is not None:
                self.checkpoints.set(self.arn, self.last_seq)

    def drained(self) -> bool:
        return not self.pending and self.idle.is_set()

    def stop(self) -> None:
        self.stop_event.set()


def rate_seconds(expr: str) -> float | None:
    """Seconds between runs of `rate(N unit)`, or None for a cron expression."""
    if not expr.startswith("rate("):
        return None
    n, unit = expr[5:-1].split()
    return int(n) * {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": 86400, "days": 86400}[unit]


def next_cron(expr: str, after: datetime) -> datetime:
    """Next time of an AWS 6-field cron (minutes hours day-of-month month day-of-week year)."""
    from croniter import croniter

    fields = expr[5:-1].split()
    five = " ".join(f.replace("?", "*") for f in fields[:5])
    return croniter(five, after).get_next(datetime)


class ScheduleWorker(threading.Thread):
    def __init__(self, schedules: list[tuple[str, str, object]], region: str):
        super().__init__(name="schedules", daemon=True)
        self.schedules, self.region = schedules, region
        self.stop_event = threading.Event()
        now = datetime.now(UTC)
        self.due = {name: self._next(expr, now) for name, expr, _ in schedules}

    def _next(self, expr: str, now: datetime) -> datetime:
        secs = rate_seconds(expr)
        if secs is not None:
            return datetime.fromtimestamp(now.timestamp() + secs, UTC)
        return next_cron(expr, now)

    def run(self) -> None:
        while not self.stop_event.wait(1.0):
            now = datetime.now(UTC)
            for name, expr, handler in self.schedules:
                if now >= self.due[name]:
                    self.due[name] = self._next(expr, now)
                    try:
                        handler(scheduled_event(name, self.region, now.isoformat()), FakeContext(name))
                    except Exception:
                        log.exception("scheduled %s failed", name)

    def stop(self) -> None:
        self.stop_event.set()
