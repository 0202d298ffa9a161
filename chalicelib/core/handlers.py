"""The app's functions other than the API, registered from one declarative table (core.web.mount's
counterpart for stream, schedule and trigger functions).

Each entry names its Lambda function (the name Chalice, infra/ and the local stack's workers find it
by), what invokes it (a table's stream with its batch size, a schedule, or any event), and the
module function it runs as `"package.module:function"`: the module is imported by the function's
first invocation, so `import app` (which every function does on a cold start) loads none of them.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from chalice import Chalice, Cron, Rate
from chalice.app import CloudWatchEvent, DynamoDBEvent

from .settings import Settings

STARTING_POSITION = "TRIM_HORIZON"  # a new stream function reads its stream from its oldest record


@dataclass(frozen=True)
class Stream:
    """A DynamoDB stream function: `target(event dict)` returns the partial batch response
    (core.streams.process_batch)."""
    name: str
    table: str  # the logical table (chalicelib.tables.STREAM_ENV) whose stream it reads
    target: str
    doc: str
    batch_size: int = 100


@dataclass(frozen=True)
class Job:
    """A scheduled function: `target()`; with `within_remaining_time`, `target(budget_seconds=...)`:
    the function's remaining time less a margin to stop and save in (at least 5 s)."""
    name: str
    schedule: Rate | Cron
    target: str
    doc: str
    within_remaining_time: bool = False


@dataclass(frozen=True)
class Trigger:
    """A plain Lambda function invoked by another service (Cognito, S3, SNS): `target(event)`."""
    name: str
    target: str
    doc: str


Handler = Stream | Job | Trigger

MARGIN_SECONDS = 15  # what a job given the remaining time keeps back to finish its last item and return
NO_CONTEXT_MS = 60_000  # the remaining time assumed when the context has none (a local or test invocation)


def stream_arn(settings: Settings, table: str) -> str:
    """The stream ARN setting of a logical table (a placeholder off AWS: aws/chalice#1882, CDK overrides it)."""
    arn: str = getattr(settings, f"{table}_stream_arn")
    return arn


def _target(target: str) -> Callable[..., Any]:
    module, _, function = target.partition(":")
    found: Callable[..., Any] = getattr(importlib.import_module(module), function)
    return found


def _named(function: Callable[..., Any], entry: Handler) -> Callable[..., Any]:
    # Chalice names the handler `app.<__name__>`: the name Lambda looks the function up by in app.py.
    function.__name__ = function.__qualname__ = entry.name
    function.__doc__ = entry.doc
    return function


def budget_seconds(context: Any) -> float:
    """The seconds a job may use: the Lambda context's remaining time less the margin, at least 5."""
    # Chalice types the context as a dict; on Lambda it is the LambdaContext.
    remaining_ms = getattr(context, "get_remaining_time_in_millis", lambda: NO_CONTEXT_MS)()
    return max(5.0, remaining_ms / 1000 - MARGIN_SECONDS)


def _handler(entry: Handler) -> Callable[..., Any]:
    if isinstance(entry, Stream):
        def on_stream(event: DynamoDBEvent) -> Any:
            return _target(entry.target)(event.to_dict())
        return _named(on_stream, entry)
    if isinstance(entry, Job):
        def on_schedule(event: CloudWatchEvent) -> Any:
            if entry.within_remaining_time:
                return _target(entry.target)(budget_seconds=budget_seconds(event.context))
            return _target(entry.target)()
        return _named(on_schedule, entry)

    def on_event(event: dict[str, Any], context: Any) -> Any:
        return _target(entry.target)(event)
    return _named(on_event, entry)


def register(app: Chalice, table: Sequence[Handler], settings: Settings) -> dict[str, Any]:
    """Registers each entry of `table` on `app`, in the table's order, and returns the registered
    handlers by function name: app.py makes them its module attributes, where Lambda finds them."""
    registered: dict[str, Any] = {}
    for entry in table:
        if entry.name in registered:
            raise ValueError(f"two functions named {entry.name!r}")
        handler = _handler(entry)
        if isinstance(entry, Stream):
            registered[entry.name] = app.on_dynamodb_record(
                stream_arn=stream_arn(settings, entry.table), batch_size=entry.batch_size,
                starting_position=STARTING_POSITION, name=entry.name)(handler)
        elif isinstance(entry, Job):
            registered[entry.name] = app.schedule(entry.schedule, name=entry.name)(handler)
        else:
            registered[entry.name] = app.lambda_function(name=entry.name)(handler)
    return registered
