"""The CDK app: synthesized offline once, checked with CDK assertions, cfn-lint and cdk-nag."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import zipfile

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"


@pytest.fixture(scope="session")
def synth(tmp_path_factory):
    """One synthesis of the whole app, with cdk-nag's AwsSolutions pack as a validation plugin:
    an unacknowledged finding makes synthesis fail."""
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    sys.path.insert(0, str(INFRA))
    import aws_cdk as cdk

    import cdk_app

    out = tmp_path_factory.mktemp("cdk.out")
    cwd = os.getcwd()
    os.chdir(tmp_path_factory.mktemp("chalice"))  # chalice.out/ is written to the working directory
    try:
        app, stack = cdk_app.build(cdk.App(outdir=str(out)))
        assembly = app.synth()
    finally:
        os.chdir(cwd)
    template = assembly.get_stack_by_name(stack.stack_name).template
    path = out / "Tally.template.json"
    return {"template": template, "path": path, "out": out, "stack": stack}


def resources(template, kind):
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def test_tables_match_the_pynamodb_models(synth):
    from chalicelib.tables import TABLE_MODELS

    tables = list(resources(synth["template"], "AWS::DynamoDB::Table").values())
    assert len(tables) == len(TABLE_MODELS)
    by_keys = {}
    for t in tables:
        p = t["Properties"]
        key = tuple(sorted((k["AttributeName"], k["KeyType"]) for k in p["KeySchema"]))
        gsis = sorted((g["IndexName"], tuple(sorted((k["AttributeName"], k["KeyType"]) for k in g["KeySchema"])),
                       g["Projection"]["ProjectionType"]) for g in p.get("GlobalSecondaryIndexes", []))
        by_keys.setdefault(key, []).append((p, gsis))
    for logical, model in TABLE_MODELS.items():
        schema = model._get_schema()
        key = tuple(sorted((k["AttributeName"], k["KeyType"]) for k in schema["key_schema"]))
        want_gsis = sorted((g["index_name"], tuple(sorted((k["AttributeName"], k["KeyType"]) for k in g["key_schema"])),
                            g["projection"]["ProjectionType"]) for g in schema.get("global_secondary_indexes", []))
        matches = [p for p, gsis in by_keys.get(key, []) if gsis == want_gsis]
        assert matches, f"no CDK table matches the {logical} model"
        p = matches[0]
        types = {a["AttributeName"]: a["AttributeType"] for a in p["AttributeDefinitions"]}
        assert types == {a["AttributeName"]: a["AttributeType"] for a in schema["attribute_definitions"]}
        stream = getattr(model.Meta, "stream_view_type", None)
        assert p.get("StreamSpecification", {}).get("StreamViewType") == stream
        assert p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert p["BillingMode"] == "PAY_PER_REQUEST"


def test_stream_event_sources_report_failures_retry_bounded_bisect_and_dead_letter(synth):
    t = synth["template"]
    for fn in ("OnExpensesStream", "OnOutboxStream"):
        events = t["Resources"][fn]["Properties"]["Events"]
        (source,) = events.values()
        p = source["Properties"]
        assert p["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert 0 < p["MaximumRetryAttempts"] <= 5
        assert p["BisectBatchOnFunctionError"] is True
        assert p["DestinationConfig"]["OnFailure"]["Type"] == "SQS"
        assert "Fn::GetAtt" in p["DestinationConfig"]["OnFailure"]["Destination"]
        assert "placeholder" not in json.dumps(p["Stream"])
        assert p["Stream"]["Fn::GetAtt"][1] == "StreamArn"


def test_functions_get_real_stream_arns_and_no_local_endpoint(synth):
    t = synth["template"]
    for name in ("APIHandler", "OnExpensesStream", "OnOutboxStream", "RetryOutbox", "MaterializeRecurring"):
        env = t["Resources"][name]["Properties"]["Environment"]["Variables"]
        assert "TALLY_AWS_ENDPOINT_URL" not in env and "TALLY_AUTO_CONFIRM_SIGN_UP" not in env
        assert "Fn::GetAtt" in json.dumps(env["TALLY_EXPENSES_STREAM_ARN"])
        assert t["Resources"][name]["Properties"]["Runtime"] == f"python3.{sys.version_info.minor}"
        assert t["Resources"][name]["Properties"]["Tracing"] == "Active"


def test_buckets_are_private_and_the_site_sits_behind_cloudfront_with_security_headers(synth):
    t = synth["template"]
    for b in resources(t, "AWS::S3::Bucket").values():
        pab = b["Properties"]["PublicAccessBlockConfiguration"]
        assert all(pab[k] for k in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"))
        assert b["Properties"]["BucketEncryption"]
    assert resources(t, "AWS::CloudFront::OriginAccessControl")
    (policy,) = resources(t, "AWS::CloudFront::ResponseHeadersPolicy").values()
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert "frame-ancestors 'none'" in headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert headers["FrameOptions"]["FrameOption"] == "DENY"


def test_cognito_client_allows_password_and_refresh_auth_without_secret(synth):
    (client,) = resources(synth["template"], "AWS::Cognito::UserPoolClient").values()
    p = client["Properties"]
    assert set(p["ExplicitAuthFlows"]) >= {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert p.get("GenerateSecret", False) is False
    (pool,) = resources(synth["template"], "AWS::Cognito::UserPool").values()
    assert pool["Properties"]["UsernameAttributes"] == ["email"]


def test_ses_identity_and_schedules_exist(synth):
    t = synth["template"]
    assert resources(t, "AWS::SES::EmailIdentity")
    (event,) = t["Resources"]["RetryOutbox"]["Properties"]["Events"].values()
    assert event["Properties"]["Schedule"] == "rate(5 minutes)"
    (event,) = t["Resources"]["MaterializeRecurring"]["Properties"]["Events"].values()
    assert event["Properties"]["Schedule"] == "rate(1 hour)"
    (event,) = t["Resources"]["PaceWarning"]["Properties"]["Events"].values()
    assert event["Properties"]["Schedule"] == "cron(0 17 * * ? *)"
    assert any(k.startswith("MonthlyDigestErrors") for k in resources(t, "AWS::CloudWatch::Alarm"))


def test_functions_that_send_email_know_the_api_url_without_a_cycle(synth):
    t = synth["template"]
    for name in ("OnExpensesStream", "OnOutboxStream", "RetryOutbox", "MaterializeRecurring", "PaceWarning",
                 "MonthlyDigest"):
        assert "RestAPI" in json.dumps(t["Resources"][name]["Properties"]["Environment"]["Variables"]["TALLY_API_URL"])
    assert "TALLY_API_URL" not in t["Resources"]["APIHandler"]["Properties"]["Environment"]["Variables"]


def test_the_lambda_package_is_small_and_leaves_out_what_the_runtime_has():
    zips = sorted((ROOT / "infra").glob("chalice.out/*/deployment.zip")) or sorted(
        pathlib.Path(".").glob("**/chalice.out/*/deployment.zip"))
    # the session synth wrote its package under a temp dir; find the newest anywhere we synthesized
    import glob
    import tempfile

    found = glob.glob(os.path.join(tempfile.gettempdir(), "**", "chalice.out", "*", "deployment.zip"), recursive=True)
    newest = max(found + [str(z) for z in zips], key=os.path.getmtime)
    size = os.path.getsize(newest)
    names = zipfile.ZipFile(newest).namelist()
    assert size < 12 * 1024 * 1024, size
    assert not any(n.startswith(("botocore/", "boto3/", "moto/", "pytest", "aws_cdk/")) for n in names)
    assert "app.py" in names and any(n.startswith("chalicelib/") for n in names)
    assert not any(n.startswith("local/") for n in names)


def test_cfn_lint_finds_no_errors(synth):
    path = synth["path"]
    assert path.exists()
    lint = subprocess.run([str(pathlib.Path(sys.executable).parent / "cfn-lint"), "--format", "json",
                           "--regions", "us-east-1", "--", str(path)], capture_output=True, text=True, timeout=600)
    findings = json.loads(lint.stdout or "[]")
    errors = [f for f in findings if f["Level"] == "Error"]
    assert not errors, json.dumps(errors, indent=1)[:4000]


def test_cdk_nag_passes_with_every_acknowledgement_reasoned(synth):
    """Synthesis would have failed on an unacknowledged AwsSolutions finding; the report says so too."""
    report = json.loads((synth["out"] / "validation-report.json").read_text())
    (nag,) = [r for r in report["pluginReports"] if r["pluginName"] == "AwsSolutions"]
    assert nag["conclusion"] == "success" and nag["violations"] == []
    assert nag["suppressedViolations"], "the acknowledged findings are listed"
    for v in nag["suppressedViolations"]:
        assert len(v.get("acknowledgedReason") or v.get("reason") or "") > 20, v
