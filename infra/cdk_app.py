"""The CDK app: `make deploy` (cdk deploy) or `make synth` (offline, needs only a region)."""
from __future__ import annotations

import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "infra"))

import aws_cdk as cdk  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

from tally_infra.stack import TallyStack  # noqa: E402


def build(app: cdk.App | None = None) -> tuple[cdk.App, TallyStack]:
    app = app or cdk.App()
    stack = TallyStack(
        app, "Tally",
        mail_from=app.node.try_get_context("mail_from") or "alerts@tally.example.com",
        env=cdk.Environment(account=os.environ.get("CDK_DEFAULT_ACCOUNT"),
                            region=os.environ.get("CDK_DEFAULT_REGION") or os.environ.get("AWS_DEFAULT_REGION")),
    )
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app, stack


if __name__ == "__main__":
    build()[0].synth()
