"""The CDK app: `make deploy` (cdk deploy) or `make synth` (offline, needs only a region).

Named cdk_app.py, not app.py: with infra/ first on sys.path an infra/app.py would shadow the Chalice
app (the repository's app.py), which the stack imports to list the app's functions.

Context (cdk.json or `-c key=value`):
  mail_from               the SES sender address (an email identity is created and must be verified)
  stage                   TALLY_STAGE of the functions (default prod)
  alarm_email             an address subscribed to the alarm topic (optional)
  cognito_email_via_ses   "true" once the sender is verified: Cognito's codes go out through SES
  sandbox_recipients      comma-separated test addresses to verify and send to while SES is in its sandbox
"""
from __future__ import annotations

import json
import os
import pathlib
import sys

INFRA = pathlib.Path(__file__).resolve().parent
ROOT = INFRA.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(INFRA))

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks
from tally_infra.stack import TallyStack


def _load_cdk_json_context(app: cdk.App) -> None:
    """The CLI reads cdk.json's context (feature flags included); an App made in-process (the tests)
    does not, so read it here: tests and deploys then synthesize the same template."""
    for key, value in json.loads((INFRA / "cdk.json").read_text()).get("context", {}).items():
        if app.node.try_get_context(key) is None:
            app.node.set_context(key, value)


def _flag(app: cdk.App, key: str) -> bool:
    return str(app.node.try_get_context(key) or "").lower() in ("1", "true", "yes")


def build(app: cdk.App | None = None) -> tuple[cdk.App, TallyStack]:
    app = app or cdk.App()
    _load_cdk_json_context(app)
    stack = TallyStack(
        app, "Tally",
        mail_from=app.node.try_get_context("mail_from") or "alerts@tally.example.com",
        stage=app.node.try_get_context("stage") or "prod",
        alarm_email=app.node.try_get_context("alarm_email") or None,
        cognito_email_via_ses=_flag(app, "cognito_email_via_ses"),
        sandbox_recipients=tuple(a.strip() for a in str(app.node.try_get_context("sandbox_recipients") or "").split(",")
                                 if a.strip()),
        env=cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
                            region=os.environ.get("CDK_DEFAULT_REGION") or os.environ.get("AWS_DEFAULT_REGION")),
        description="Tally: Chalice API and stream/schedule functions, DynamoDB, S3 + CloudFront, Cognito, SES",
    )
    # cdk-nag 3 is a policy-validation plugin: an unacknowledged AwsSolutions finding fails synthesis.
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app, stack


if __name__ == "__main__":
    build()[0].synth()
