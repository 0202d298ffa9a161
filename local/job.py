"""Run one scheduled job now against the running local stack.

    python -m local.job NAME [--now 2026-12-01T00:05:00Z] [--state-dir .local]

The job runs in this process with the stack's settings (from outputs.json), exactly as its Lambda
would; --now sets the app's clock (TALLY_NOW) for the run.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from .outputs import DEFAULT_STATE_DIR, ROOT, running_outputs


def stack_env(outputs: dict) -> dict[str, str]:
    arns = outputs.get("stream_arns", {})
    tables = outputs.get("tables") if isinstance(outputs.get("tables"), dict) else {}
    return {
        "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": outputs["region"],
        "AWS_REGION": outputs["region"], "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "TALLY_AWS_ENDPOINT_URL": outputs["aws_endpoint_url"], "TALLY_USER_POOL_ID": outputs["user_pool_id"],
        "TALLY_USER_POOL_CLIENT_ID": outputs["user_pool_client_id"], "TALLY_BUCKET": outputs["bucket"],
        "TALLY_DASHBOARD_URL": outputs["dashboard_url"], "TALLY_API_URL": outputs["api_url"], "TALLY_DASHBOARD_ORIGIN": outputs["dashboard_url"].rstrip("/"),
        "TALLY_EXPENSES_STREAM_ARN": arns.get("expenses", ""), "TALLY_OUTBOX_STREAM_ARN": arns.get("outbox", ""),
        "TALLY_INVENTORY_STREAM_ARN": arns.get("inventory", ""), "TALLY_HELPDESK_STREAM_ARN": arns.get("helpdesk", ""),
        "TALLY_SHOP_STREAM_ARN": arns.get("shop", ""),
        "POWERTOOLS_METRICS_DISABLED": "true", "TALLY_STAGE": "local",
        "TALLY_AUTO_CONFIRM_SIGN_UP": "true", "POWERTOOLS_TRACE_DISABLED": "true",
        **({"TALLY_MAIL_FROM": outputs["mail_from"]} if outputs.get("mail_from") else {}),
        **{f"TALLY_{logical.upper()}_TABLE": name for logical, name in tables.items()},
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Run a scheduled job now against the local stack.")
    p.add_argument("name", nargs="?", help="the @app.schedule function's name")
    p.add_argument("--now", help="ISO 8601 time to set the app's clock to")
    p.add_argument("--state-dir", default=str(DEFAULT_STATE_DIR))
    args = p.parse_args(argv)
    out = running_outputs(args.state_dir)
    if out is None:
        return 2
    os.environ.update(stack_env(out))
    if args.now:
        os.environ["TALLY_NOW"] = args.now
    sys.path.insert(0, str(ROOT))
    from chalice.app import ScheduledEventConfig

    import app as app_module

    from .lambda_events import FakeContext, scheduled_event

    jobs = {s.name: s for s in app_module.app.event_sources if isinstance(s, ScheduledEventConfig)}
    from training.cars.schedule import FUNCTION_NAME as TRAINING  # its own function on AWS, not the app's

    if args.name == TRAINING:
        from training.cars.job import handler as train

        print(json.dumps(train(scheduled_event(TRAINING, os.environ["AWS_DEFAULT_REGION"], args.now or ""),
                               FakeContext(TRAINING)), default=str))
        return 0
    if args.name not in jobs:
        print(f"Unknown job {args.name!r}. Jobs: {', '.join(sorted([*jobs, TRAINING]))}", file=sys.stderr)
        return 2
    handler = app_module.app.handler_map[args.name]
    result = handler(scheduled_event(args.name, os.environ["AWS_DEFAULT_REGION"], args.now or ""), FakeContext(args.name))
    print(json.dumps(result, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
