"""Received email for the local stack: what SES receiving and the S3 notification do on AWS.

On AWS an SES receipt rule stores each email under `inbound/` of the data bucket and the bucket's
object-created notification invokes the app's `on_inbound_mail` function. moto sends no S3
notifications to functions, so this worker lists `inbound/` every second and hands each object it
has not handed over yet to that same function, with the event S3 would send. The handler is
idempotent (ids from the object's key), so an object handed over again after a restart changes
nothing. `make mail-in FILE=reply.eml` (local/mail_in.py) puts a file there.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from .lambda_events import FakeContext

log = logging.getLogger("tally.local")
FUNCTION = "on_inbound_mail"
PREFIX = "inbound/"


def s3_event(bucket: str, key: str, size: int, etag: str, region: str) -> dict[str, Any]:
    """An S3 ObjectCreated:Put notification of one object, as Lambda receives it (the key URL-encoded)."""
    from urllib.parse import quote_plus

    return {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": region, "eventName": "ObjectCreated:Put",
        "s3": {"s3SchemaVersion": "1.0", "configurationId": "inbound-mail",
               "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
               "object": {"key": quote_plus(key, safe="/"), "size": size, "eTag": etag.strip('"')}},
    }]}


class MailWorker(threading.Thread):
    def __init__(self, handler: Callable[[dict, Any], Any], s3, bucket: str, region: str, every: float = 1.0):
        super().__init__(name="inbound-mail", daemon=True)
        self.handler, self.s3, self.bucket, self.region, self.every = handler, s3, bucket, region, every
        self.seen: set[tuple[str, str]] = set()
        self.stop_event = threading.Event()
        self.results: list[Any] = []

    def sweep(self) -> int:
        """Hand every new object under inbound/ to the function; the number handed over."""
        handed = 0
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=PREFIX):
            for obj in page.get("Contents", []):
                marker = (obj["Key"], obj.get("ETag", ""))
                if marker in self.seen:
                    continue
                result = self.handler(s3_event(self.bucket, obj["Key"], int(obj.get("Size", 0)), obj.get("ETag", ""),
                                               self.region), FakeContext(FUNCTION))
                log.info("inbound mail %s: %s", obj["Key"], result)
                self.results.append(result)
                self.seen.add(marker)
                handed += 1
        return handed

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.sweep()
            except Exception:  # a failed object is tried again at the next sweep, as Lambda retries the event
                log.exception("inbound mail sweep failed")
            self.stop_event.wait(self.every)

    def stop(self) -> None:
        self.stop_event.set()


def start(app, session, bucket: str, region: str) -> MailWorker:
    """The worker for the local stack, calling the app's inbound mail function."""
    worker = MailWorker(app.handler_map[FUNCTION], session.client("s3"), bucket, region)
    worker.start()
    return worker
