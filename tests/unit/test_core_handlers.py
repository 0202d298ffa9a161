"""core.handlers: the stream, schedule and trigger functions app.py registers from
chalicelib/handler_table.py, each under its Lambda function's name, importing its module on first call."""
from __future__ import annotations

import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from chalice import Chalice, Rate
from chalice.app import DynamoDBEventConfig, ScheduledEventConfig

from chalicelib.core import handlers
from chalicelib.core.handlers import Job, Stream, Trigger
from chalicelib.core.settings import get_settings
from chalicelib.handler_table import HANDLERS
from chalicelib.tables import STREAM_ENV

CALLS: list[tuple[str, Any]] = []


def take_batch(event: dict[str, Any]) -> dict[str, Any]:
    CALLS.append(("batch", event))
    return {"batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in event["Records"]]}


def run_job(budget_seconds: float | None = None) -> str:
    CALLS.append(("job", budget_seconds))
    return "ran"


def take_event(event: dict[str, Any]) -> str:
    CALLS.append(("event", event))
    return "taken"


def _app(table: tuple[handlers.Handler, ...]) -> tuple[Chalice, dict[str, Any]]:
    app = Chalice(app_name="planted", configure_logs=False)
    return app, handlers.register(app, table, get_settings())


def test_each_kind_calls_its_target_with_what_it_takes_and_answers_its_result():
    me = __name__
    app, registered = _app((
        Stream("on_planted_stream", "shop", f"{me}:take_batch", "A planted stream function.", batch_size=7),
        Job("planted_job", Rate(5, unit=Rate.MINUTES), f"{me}:run_job", "A planted job."),
        Job("planted_budget_job", Rate(1, unit=Rate.HOURS), f"{me}:run_job", "Within its time.",
            within_remaining_time=True),
        Trigger("on_planted_event", f"{me}:take_event", "A planted trigger."),
    ))
    CALLS.clear()
    record = {"eventID": "1", "eventName": "INSERT", "dynamodb": {"SequenceNumber": "42", "Keys": {}}}
    assert registered["on_planted_stream"]({"Records": [record]}, None) == {"batchItemFailures": [{"itemIdentifier": "42"}]}
    scheduled = {"id": "e", "detail-type": "Scheduled Event", "source": "aws.events", "account": "0", "time": "t",
                 "region": "us-east-1", "resources": [], "detail": {}, "version": "0"}
    assert registered["planted_job"](scheduled, None) == "ran"
    assert registered["planted_budget_job"](scheduled, SimpleNamespace(get_remaining_time_in_millis=lambda: 100_000)) == "ran"
    assert registered["planted_budget_job"](scheduled, SimpleNamespace(get_remaining_time_in_millis=lambda: 3_000)) == "ran"
    assert registered["on_planted_event"]({"Records": ["x"]}, None) == "taken"
    assert CALLS == [("batch", {"Records": [record]}), ("job", None), ("job", 85.0), ("job", 5.0),
                     ("event", {"Records": ["x"]})]
    stream, job, _ = app.event_sources
    assert (stream.name, stream.batch_size, stream.starting_position, stream.stream_arn) == (
        "on_planted_stream", 7, "TRIM_HORIZON", get_settings().shop_stream_arn)
    assert (job.name, job.schedule_expression.to_string()) == ("planted_job", "rate(5 minutes)")
    assert [f.name for f in app.pure_lambda_functions] == ["on_planted_event"]
    assert registered["on_planted_stream"].func.__doc__ == "A planted stream function."


def test_two_functions_of_one_name_are_refused():
    with pytest.raises(ValueError, match="on_twice"):
        _app((Trigger("on_twice", f"{__name__}:take_event", "one"), Trigger("on_twice", f"{__name__}:take_event", "two")))


def test_app_registers_every_entry_under_its_name_where_lambda_finds_it():
    """Lambda calls `app.<name>`; infra/ and the local stack's workers find functions by name."""
    import app as app_module

    sources = {s.name: s for s in app_module.app.event_sources}
    triggers = {f.name: f for f in app_module.app.pure_lambda_functions}
    assert set(sources) | set(triggers) == {e.name for e in HANDLERS}
    settings = get_settings()
    for entry in HANDLERS:
        config = sources.get(entry.name) or triggers[entry.name]
        assert config.handler_string == f"app.{entry.name}"
        assert getattr(app_module, entry.name) is app_module.app.handler_map[entry.name]
        if isinstance(entry, Stream):
            assert entry.table in STREAM_ENV
            assert isinstance(config, DynamoDBEventConfig)
            assert (config.stream_arn, config.batch_size, config.starting_position) == (
                getattr(settings, f"{entry.table}_stream_arn"), entry.batch_size, "TRIM_HORIZON")
        elif isinstance(entry, Job):
            assert isinstance(config, ScheduledEventConfig) and config.schedule_expression is entry.schedule
        module, _, function = entry.target.partition(":")
        assert callable(getattr(importlib.import_module(module), function)), entry.target

