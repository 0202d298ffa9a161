"""The CDK app: synthesized offline once, checked with CDK assertions, cfn-lint and cdk-nag."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import zipfile

import pydantic
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"
STREAMS = {"OnExpensesStream": "expenses", "OnInventoryStream": "inventory", "OnHelpdeskStream": "helpdesk",
           "OnOutboxStream": "outbox", "OnShopStream": "shop",
           "OnCarsStream": "cars"}
STREAMS["OnHelpdeskMailSent"] = "outbox"  # the help desk's reader of the outbox: SES ids of sent emails
STREAMS["OnChannelStock"] = "inventory"  # the shop channels' feeds: second reader of the inventory stream
STREAMS["OnChannelSettings"] = "shop"  # and of the shop stream
TRIGGER = "OnUserConfirmed"  # app.py's on_user_confirmed: the user pool's trigger
# bytes: the deployed Lambda asset, zipped. Issue 8 set 5 MB for two modules; five modules and the kept libraries
# they stand on (holidays, icalendar with tzdata, whoosh, bleach, markdown-it, mail-parser-reply, ddsketch) take
# 8.3 MB after slim_chalice's cuts; texts (phonenumbers) and the shop's channels, discounts and returns 8.8 MB (docs/infra.md has the breakdown; Lambda's own limit is 50 MB zipped).
ASSET_LIMIT = 9_000_000
ENV_NAMES = ("TALLY_STAGE", "TALLY_CORE_TABLE", "TALLY_EXPENSES_TABLE", "TALLY_ROLLUPS_TABLE", "TALLY_OUTBOX_TABLE",
             "TALLY_HELPDESK_TABLE", "TALLY_EXPENSES_STREAM_ARN", "TALLY_HELPDESK_STREAM_ARN", "TALLY_OUTBOX_STREAM_ARN",
             "TALLY_BUCKET", "TALLY_USER_POOL_ID", "TALLY_SHOP_TABLE", "TALLY_SHOP_STREAM_ARN",
             "TALLY_USER_POOL_CLIENT_ID", "TALLY_MAIL_FROM", "TALLY_DASHBOARD_ORIGIN", "TALLY_DASHBOARD_URL",
             "POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE")


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
    work = tmp_path_factory.mktemp("chalice")
    cwd = os.getcwd()
    os.chdir(work)  # Chalice's construct writes chalice.out/ to the working directory
    try:
        app, stack = cdk_app.build(cdk.App(outdir=str(out)))
        assembly = app.synth()
    finally:
        os.chdir(cwd)
    template = assembly.get_stack_by_name(stack.stack_name).template
    return {"template": template, "path": out / assembly.get_stack_by_name(stack.stack_name).template_file,
            "out": out, "chalice_out": work / "chalice.out", "stack": stack}


@pytest.fixture(scope="session")
def assertions(synth):
    from aws_cdk.assertions import Template

    return Template.from_json(synth["template"])


def resources(template, kind):
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def functions(template):
    return resources(template, "AWS::Serverless::Function")


def logical_id(synth, construct) -> str:
    return synth["stack"].get_logical_id(construct.node.default_child)


# ------------------------------------------------------------------------------------------- tables
def _shape(key_schema):
    return tuple(sorted((k["AttributeName"], k["KeyType"]) for k in key_schema))


def test_tables_match_the_pynamodb_models(synth):
    from chalicelib.tables import TABLE_MODELS

    tables = synth["template"]["Resources"]
    assert len(resources(synth["template"], "AWS::DynamoDB::Table")) == len(TABLE_MODELS)
    for logical, model in TABLE_MODELS.items():
        p = tables[logical_id(synth, synth["stack"].tables[logical])]["Properties"]
        schema = model._get_schema()
        assert _shape(p["KeySchema"]) == _shape(schema["key_schema"]), logical
        assert {a["AttributeName"]: a["AttributeType"] for a in p["AttributeDefinitions"]} == {
            a["AttributeName"]: a["AttributeType"] for a in schema["attribute_definitions"]}, logical
        got = {g["IndexName"]: (_shape(g["KeySchema"]), g["Projection"]["ProjectionType"],
                                sorted(g["Projection"].get("NonKeyAttributes", [])))
               for g in p.get("GlobalSecondaryIndexes", [])}
        want = {g["index_name"]: (_shape(g["key_schema"]), g["projection"]["ProjectionType"],
                                  sorted(g["projection"].get("NonKeyAttributes", [])))
                for g in schema.get("global_secondary_indexes", [])}
        assert got == want, logical
        assert not p.get("LocalSecondaryIndexes") and not schema.get("local_secondary_indexes")
        assert p.get("StreamSpecification", {}).get("StreamViewType") == getattr(model.Meta, "stream_view_type", None)


def test_tables_are_on_demand_recoverable_encrypted_protected_and_retained(synth, assertions):
    from aws_cdk.assertions import Match

    assertions.all_resources_properties("AWS::DynamoDB::Table", {
        "BillingMode": "PAY_PER_REQUEST",
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": {"SSEEnabled": True},
        "DeletionProtectionEnabled": True,
    })
    assertions.all_resources("AWS::DynamoDB::Table", {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"})
    assertions.resource_properties_count_is("AWS::DynamoDB::Table", {
        "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"}}, len(set(STREAMS.values())))
    assertions.has_resource_properties("AWS::DynamoDB::Table", {
        "GlobalSecondaryIndexes": Match.array_with([Match.object_like({"IndexName": "by_status"})]),
        "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"}})


# ------------------------------------------------------------------------------------ stream wiring
def test_stream_event_sources_report_failures_retry_bounded_bisect_and_dead_letter(synth):
    t = synth["template"]
    queue = logical_id(synth, synth["stack"].dlq)
    for fn, table in STREAMS.items():
        (source,) = t["Resources"][fn]["Properties"]["Events"].values()
        assert source["Type"] == "DynamoDB"
        p = source["Properties"]
        assert p["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert 0 < p["MaximumRetryAttempts"] <= 5
        assert p["BisectBatchOnFunctionError"] is True
        assert 60 <= p["MaximumRecordAgeInSeconds"] <= 86400
        assert p["DestinationConfig"]["OnFailure"] == {"Type": "SQS", "Destination": {"Fn::GetAtt": [queue, "Arn"]}}
        assert p["Stream"] == {"Fn::GetAtt": [logical_id(synth, synth["stack"].tables[table]), "StreamArn"]}
        assert "placeholder" not in json.dumps(p)


def test_the_failure_queue_is_encrypted_ssl_only_and_alarmed(synth, assertions):
    from aws_cdk.assertions import Match

    queue = logical_id(synth, synth["stack"].dlq)
    assertions.has_resource_properties("AWS::SQS::Queue", {"SqsManagedSseEnabled": True})
    assertions.has_resource_properties("AWS::SQS::QueuePolicy", {
        "Queues": [{"Ref": queue}],
        "PolicyDocument": {"Statement": Match.array_with([Match.object_like({
            "Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])}})
    assertions.has_resource_properties("AWS::CloudWatch::Alarm", {
        "Namespace": "AWS/SQS", "MetricName": "ApproximateNumberOfMessagesVisible",
        "Dimensions": [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}],
        "AlarmActions": Match.any_value()})


def test_functions_wait_for_the_role_policy_so_event_sources_can_be_created(synth):
    policy = synth["stack"].get_logical_id(synth["stack"]._role.node.find_child("DefaultPolicy").node.default_child)
    for name, fn in functions(synth["template"]).items():
        assert policy in fn.get("DependsOn", []), name


# -------------------------------------------------------------------------------------- functions
def test_every_function_has_the_settings_real_stream_arns_and_no_local_shortcuts(synth):
    t = synth["template"]
    import app as tally_app

    assert len(functions(t)) == 1 + len(tally_app.app.event_sources) + len(tally_app.app.pure_lambda_functions)
    for name, fn in functions(t).items():
        p = fn["Properties"]
        env = p["Environment"]["Variables"]
        # the pool's trigger needs no pool ids, and with them the pool and its trigger would depend on each other
        wanted = set(ENV_NAMES) - ({"TALLY_USER_POOL_ID", "TALLY_USER_POOL_CLIENT_ID"} if name == TRIGGER else set())
        assert wanted <= set(env), (name, wanted - set(env))
        for local_only in ("TALLY_AWS_ENDPOINT_URL", "TALLY_AUTO_CONFIRM_SIGN_UP", "TALLY_NOW", "TALLY_JWKS_URL"):
            assert local_only not in env, (name, local_only)
        for table in ("expenses", "outbox"):
            assert env[f"TALLY_{table.upper()}_STREAM_ARN"] == {
                "Fn::GetAtt": [logical_id(synth, synth["stack"].tables[table]), "StreamArn"]}
        assert env["TALLY_DASHBOARD_ORIGIN"]["Fn::Join"][1][0] == "https://"
        assert p["Runtime"] == f"python3.{sys.version_info.minor}"
        assert p["Tracing"] == "Active"
        assert p["Role"]["Fn::GetAtt"][0] == logical_id(synth, synth["stack"]._role)
        assert p["LoggingConfig"]["LogGroup"]["Ref"] in resources(t, "AWS::Logs::LogGroup")


def test_log_groups_expire(assertions):
    assertions.all_resources_properties("AWS::Logs::LogGroup", {"RetentionInDays": 90})


def test_schedules_and_error_alarms_exist(synth, assertions):
    from aws_cdk.assertions import Match

    t = synth["template"]
    (event,) = t["Resources"]["RetryOutbox"]["Properties"]["Events"].values()
    assert event["Type"] == "Schedule" and event["Properties"]["Schedule"] == "rate(5 minutes)"
    (event,) = t["Resources"]["PaceWarning"]["Properties"]["Events"].values()
    assert event["Properties"]["Schedule"] == "cron(0 17 * * ? *)"
    for name in functions(t):
        assertions.has_resource_properties("AWS::CloudWatch::Alarm", {
            "Namespace": "AWS/Lambda", "MetricName": "Errors",
            "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": name}}], "AlarmActions": Match.any_value()})


def test_functions_that_send_email_know_the_api_url_without_a_cycle(synth):
    t = synth["template"]
    for name, fn in functions(t).items():
        env = fn["Properties"]["Environment"]["Variables"]
        if name in ("APIHandler", TRIGGER):  # the REST API and the pool (its authorizer) depend on these
            assert "TALLY_API_URL" not in env
        else:
            assert "RestAPI" in json.dumps(env["TALLY_API_URL"])


def test_the_api_is_throttled_and_traced(synth):
    p = synth["template"]["Resources"]["RestAPI"]["Properties"]
    setting, *orders = p["MethodSettings"]
    assert setting["ResourcePath"] == "/*" and setting["HttpMethod"] == "*"
    assert 0 < setting["ThrottlingRateLimit"] <= setting["ThrottlingBurstLimit"]
    # the routes that take orders (a flash sale's rush) have their own higher limits; each is a real route
    from chalicelib.route_table import ROUTES

    routes = {(path, m) for table in ROUTES.values() for path, methods, *_ in table for m in methods}
    assert {(o["ResourcePath"].replace("~1", "/"), o["HttpMethod"]) for o in orders} == {
        ("/shops/{handle}/orders", "POST"), ("/shops/{handle}/customer/orders", "POST"),
        ("/shops/{handle}/payments", "POST"), ("/channels/{channel_id}/orders", "POST")} <= routes
    assert all(setting["ThrottlingRateLimit"] < o["ThrottlingRateLimit"] <= o["ThrottlingBurstLimit"] for o in orders)
    assert p["TracingEnabled"] is True


def test_the_lambda_package_is_small_and_leaves_out_what_the_runtime_has(synth):
    (package,) = synth["chalice_out"].glob("*/deployment.zip")
    names = zipfile.ZipFile(package).namelist()
    assert package.stat().st_size <= ASSET_LIMIT, package.stat().st_size
    assert not any(n.startswith(("botocore/", "boto3/", "moto/", "pytest", "aws_cdk/", "cdk_nag/", "chalice/cdk"))
                   for n in names)
    # API Gateway verifies tokens: no crypto library, no JWT library in the Lambda
    assert not any(n.startswith(("cryptography", "jwt/", "PyJWT", "cffi", "_cffi_backend", "pycparser"))
                   for n in names)
    assert "app.py" in names and "chalicelib/tables.py" in names
    # shipped with the bytecode of what a cold start imports (/var/task is read-only: nothing is cached there)
    tag = sys.implementation.cache_tag
    assert {f"__pycache__/app.{tag}.pyc", f"chalicelib/core/__pycache__/web.{tag}.pyc",
            f"pydantic/__pycache__/main.{tag}.pyc", f"pynamodb/__pycache__/models.{tag}.pyc"} <= set(names)
    assert not any(n.endswith(".pyc") and f".{tag}." not in n for n in names)
    assert any(n.startswith("pynamodb/") for n in names) and any(n.startswith("aws_lambda_powertools/") for n in names)
    assert not any(n.startswith(("local/", "infra/", "tests/", "dashboard/")) for n in names)
    assert not any(n.startswith(("dns/", "pydantic/v1/", "icalendar/tests/", "ddsketch/pb/", "holidays/locale/",
                                 "phonenumbers/shortdata/region_")) or n.endswith((".pyi", "/py.typed"))
                   for n in names)  # never imported or read (slim_chalice)


def test_the_libraries_slimmed_in_the_asset_still_do_their_work(synth, tmp_path):
    """From the extracted asset (what Lambda runs): public holidays without holidays' locale files, a
    calendar invite without icalendar's tests, a quantile sketch without ddsketch's protobuf module, phone
    numbers checked and formatted without phonenumbers' short-number data."""
    (package,) = synth["chalice_out"].glob("*/deployment.zip")
    zipfile.ZipFile(package).extractall(tmp_path)
    code = ("import datetime, holidays, icalendar, ddsketch\n"
            "h = holidays.country_holidays('DE', subdiv='BY', years=2026)\n"
            "assert datetime.date(2026, 12, 25) in h and datetime.date(2026, 1, 6) in h, sorted(h)\n"
            "assert datetime.date(2026, 4, 6) in holidays.country_holidays('GB', subdiv='ENG', years=2026)\n"
            "cal = icalendar.Calendar(); cal.add('prodid', '-//t//'); cal.add('version', '2.0')\n"
            "assert b'BEGIN:VCALENDAR' in cal.to_ical()\n"
            "s = ddsketch.DDSketch(); s.add(3.0); assert abs(s.get_quantile_value(0.5) - 3.0) < 0.1\n"
            "from chalicelib.core.phones import e164\n"
            "assert e164('+44 7911 123456') == '+447911123456'\n"
            "try:\n    e164('+44 12')\nexcept Exception as exc:\n    assert getattr(exc, 'field', None) == 'phone', exc\n"
            "else:\n    raise AssertionError('+44 12 taken')\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "PYTHONSAFEPATH": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path,
                         env=env, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr[-3000:]


def test_nothing_the_lambda_ships_imports_pydantic_v1():
    """The asset leaves pydantic/v1 out: neither the app nor its libraries may import it."""
    site = pathlib.Path(pydantic.__file__).parent.parent
    roots = [ROOT / "app.py", ROOT / "chalicelib"] + [site / p for p in ("aws_lambda_powertools", "pynamodb",
                                                                        "chalice", "email_validator")]
    files = [r for r in roots if r.is_file()] + [f for r in roots if r.is_dir() for f in r.rglob("*.py")]
    assert len(files) > 100
    users = [str(f) for f in files if "pydantic.v1" in f.read_text(errors="ignore")
             or "from pydantic import v1" in f.read_text(errors="ignore")]
    assert users == []


def test_the_asset_imports_from_its_own_bytecode(synth, tmp_path):
    """What a cold start on Lambda does: `import app` from the extracted asset (botocore from the runtime,
    here this environment) loads every module of the asset from the bytecode it ships, compiling none."""
    (package,) = synth["chalice_out"].glob("*/deployment.zip")
    zipfile.ZipFile(package).extractall(tmp_path)
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "PYTHONSAFEPATH": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    run = subprocess.run([sys.executable, "-v", "-c", "import app"], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    loaded = [line for line in run.stderr.splitlines() if line.startswith("# code object from") and str(tmp_path) in line]
    assert len(loaded) > 100
    assert [line for line in loaded if not line.rstrip("'").endswith(".pyc")] == []
    assert not any(str(tmp_path) in line and ("/jwt/" in line or "/cryptography/" in line)
                   for line in run.stderr.splitlines())


# -------------------------------------------------------------------------------------------- IAM
def _app_statements(synth):
    """The app role's statements: its default policy and, once that passes IAM's inline size limit, the
    overflow managed policies CDK attaches to the same role."""
    stack, t = synth["stack"], synth["template"]
    policy = stack.get_logical_id(stack._role.node.find_child("DefaultPolicy").node.default_child)
    role = {"Ref": logical_id(synth, stack._role)}
    overflow = [r for r in t["Resources"].values()
                if r["Type"] == "AWS::IAM::ManagedPolicy" and role in r["Properties"].get("Roles", [])]
    return [*t["Resources"][policy]["Properties"]["PolicyDocument"]["Statement"],
            *(s for r in overflow for s in r["Properties"]["PolicyDocument"]["Statement"])]


def _actions(statement):
    a = statement["Action"]
    return [a] if isinstance(a, str) else a


def test_the_app_role_is_least_privilege(synth):
    statements = _app_statements(synth)
    actions = {a for s in statements for a in _actions(s)}
    assert all(s["Effect"] == "Allow" for s in statements)
    assert not any(a.endswith("*") for a in actions), actions
    assert "dynamodb:Scan" not in actions
    assert not any(a.startswith("cognito-idp:") for a in actions), "sign-up and sign-in are public Cognito APIs"
    for s in statements:
        if s["Resource"] == "*":
            assert set(_actions(s)) <= {"xray:PutTraceSegments", "xray:PutTelemetryRecords", "dynamodb:ListStreams",
                                        "sns:Publish"}  # texts: a phone number has no ARN (core.sms)
        if any(a.startswith("s3:") for a in _actions(s)) and s["Resource"]["Fn::Join"][1][1] == "/models/cars/*":
            assert set(_actions(s)) == {"s3:GetObject"}  # valuations read the dealer models; training writes them
        elif any(a.startswith("s3:") for a in _actions(s)) and s["Resource"]["Fn::Join"][1][1] == "/inbound/*":
            assert set(_actions(s)) == {"s3:GetObject"}  # received email is only read
        elif any(a.startswith("s3:") for a in _actions(s)) and s["Resource"]["Fn::Join"][1][1] == "/public/cars/photos/*":
            assert set(_actions(s)) == {"s3:DeleteObject"}  # a car leaving the listing withdraws its public photos
        elif any(a.startswith("s3:") for a in _actions(s)) and s["Resource"]["Fn::Join"][1][1] == "/photos/*":
            # car photos: uploaded, read, and tagged for the lifecycle rule when removed; never deleted by the app
            assert set(_actions(s)) == {"s3:GetObject", "s3:PutObject", "s3:PutObjectTagging", "s3:DeleteObjectTagging"}
        elif any(a.startswith("s3:") for a in _actions(s)):
            assert set(_actions(s)) == {"s3:GetObject", "s3:PutObject"}
            assert s["Resource"]["Fn::Join"][1][1] in ("/charts/*", "/photos/*", "/storefront/*", "/public/cars/*",
                                                       "/attachments/*", "/pending/*")
        if any(a.startswith("ses:") for a in _actions(s)):
            assert set(_actions(s)) == {"ses:SendEmail", "ses:SendRawEmail"}
            assert ":identity/" in json.dumps(s["Resource"])
    role = synth["template"]["Resources"][logical_id(synth, synth["stack"]._role)]["Properties"]
    assert not role.get("ManagedPolicyArns")
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}


def test_the_role_reads_both_streams_and_sends_to_the_failure_queue(synth):
    statements = _app_statements(synth)
    for table in STREAMS.values():
        stream = {"Fn::GetAtt": [logical_id(synth, synth["stack"].tables[table]), "StreamArn"]}
        assert any(s["Resource"] == stream and {"dynamodb:GetRecords", "dynamodb:GetShardIterator",
                                                "dynamodb:DescribeStream"} <= set(_actions(s)) for s in statements)
    queue = {"Fn::GetAtt": [logical_id(synth, synth["stack"].dlq), "Arn"]}
    assert any(s["Resource"] == queue and "sqs:SendMessage" in _actions(s) for s in statements)


# ------------------------------------------------------------------------------- site, auth, email
def test_buckets_are_private_ssl_only_encrypted_versioned_and_logged(synth, assertions):
    from aws_cdk.assertions import Match

    t = synth["template"]
    logs = logical_id(synth, synth["stack"].log_bucket)
    for name, b in resources(t, "AWS::S3::Bucket").items():
        p = b["Properties"]
        assert p["PublicAccessBlockConfiguration"] == {"BlockPublicAcls": True, "BlockPublicPolicy": True,
                                                       "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
        assert p["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert p["VersioningConfiguration"] == {"Status": "Enabled"}
        if name != logs:
            assert p["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": logs}
        assert "AccessControl" not in p
    for name in resources(t, "AWS::S3::Bucket"):
        assertions.has_resource_properties("AWS::S3::BucketPolicy", {
            "Bucket": {"Ref": name},
            "PolicyDocument": {"Statement": Match.array_with([Match.object_like({
                "Effect": "Deny", "Action": "s3:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])}})


def test_car_photos_taken_off_a_car_and_uploads_never_confirmed_expire_after_a_day(synth):
    from chalicelib.cars.photos import REMOVED_TAG
    from chalicelib.core.uploads import PENDING

    assert PENDING == "pending/"
    data = synth["template"]["Resources"][logical_id(synth, synth["stack"].data_bucket)]["Properties"]
    rules = {r["Id"]: r for r in data["LifecycleConfiguration"]["Rules"]}
    removed = rules["removed-photos"]
    assert removed["Status"] == "Enabled" and removed["Prefix"] == "photos/"
    assert removed["TagFilters"] == [{"Key": REMOVED_TAG["Key"], "Value": REMOVED_TAG["Value"]}]
    assert removed["ExpirationInDays"] == 1 and removed["NoncurrentVersionExpiration"]["NoncurrentDays"] == 1
    pending = rules["pending-uploads"]  # uploads never confirmed (core.uploads.PENDING)
    assert pending["Prefix"] == "pending/" and "TagFilters" not in pending
    assert pending["ExpirationInDays"] == 1 and pending["NoncurrentVersionExpiration"]["NoncurrentDays"] == 1
    assert "tidy" in rules  # the bucket's other rule stays


def test_the_site_is_served_through_cloudfront_with_oac_and_security_headers(synth, assertions):
    from aws_cdk.assertions import Match

    assertions.has_resource_properties("AWS::CloudFront::OriginAccessControl", {
        "OriginAccessControlConfig": Match.object_like({"OriginAccessControlOriginType": "s3",
                                                        "SigningBehavior": "always"})})
    (dist,) = resources(synth["template"], "AWS::CloudFront::Distribution").values()
    config = dist["Properties"]["DistributionConfig"]
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert "ResponseHeadersPolicyId" in config["DefaultCacheBehavior"]
    assert config["Origins"][0]["OriginAccessControlId"]
    assert config["Origins"][0]["S3OriginConfig"]["OriginAccessIdentity"] == ""
    (policy,) = resources(synth["template"], "AWS::CloudFront::ResponseHeadersPolicy").values()
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "execute-api" in csp
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert headers["ContentTypeOptions"]["Override"] is True
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
    site = logical_id(synth, synth["stack"].site_bucket)
    assertions.has_resource_properties("AWS::S3::BucketPolicy", {
        "Bucket": {"Ref": site},
        "PolicyDocument": {"Statement": Match.array_with([Match.object_like({
            "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": "s3:GetObject"})])}})
    assertions.resource_count_is("Custom::CDKBucketDeployment", 1)


def test_cognito_signs_in_by_email_with_a_strong_password_and_a_public_client(synth, assertions):
    (client,) = resources(synth["template"], "AWS::Cognito::UserPoolClient").values()
    p = client["Properties"]
    assert set(p["ExplicitAuthFlows"]) == {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
    assert p.get("GenerateSecret", False) is False
    (pool,) = resources(synth["template"], "AWS::Cognito::UserPool").values()
    pp = pool["Properties"]
    assert pp["UsernameAttributes"] == ["email"] and pp["AutoVerifiedAttributes"] == ["email"]
    assert pp["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False
    assert pp["VerificationMessageTemplate"]["DefaultEmailOption"] == "CONFIRM_WITH_CODE"
    pw = pp["Policies"]["PasswordPolicy"]
    assert pw["MinimumLength"] >= 12 and all(pw[k] for k in ("RequireLowercase", "RequireUppercase",
                                                              "RequireNumbers", "RequireSymbols"))
    assert pp["UserPoolAddOns"]["AdvancedSecurityMode"] == "ENFORCED"


def _swagger(synth) -> dict:
    return synth["template"]["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]


def test_every_non_public_method_has_the_cognito_authorizer_of_the_pool_and_public_ones_none(synth):
    from chalicelib.core.web import public_routes

    public = public_routes()
    assert {("/health", "GET"), ("/openapi.json", "GET"), ("/auth/sign-in", "POST"), ("/auth/sign-up", "POST"),
            ("/auth/confirm", "POST"), ("/auth/refresh", "POST"), ("/unsubscribe", "GET"),
            ("/unsubscribe", "POST")} <= public
    swagger = _swagger(synth)
    (name,) = swagger["securityDefinitions"]
    definition = swagger["securityDefinitions"][name]
    assert definition["x-amazon-apigateway-authtype"] == "cognito_user_pools" and definition["name"] == "Authorization"
    assert definition["x-amazon-apigateway-authorizer"] == {
        "type": "cognito_user_pools",
        "providerARNs": [{"Fn::GetAtt": [logical_id(synth, synth["stack"].user_pool), "Arn"]}]}
    checked = {"public": 0, "authorized": 0}
    for path, methods in swagger["paths"].items():
        for method, op in methods.items():
            if method == "options":  # CORS preflight: answered by API Gateway, never authorized
                assert "security" not in op, path
                continue
            if (path, method.upper()) in public:
                assert "security" not in op, (method, path)
                checked["public"] += 1
            else:
                assert op.get("security") == [{name: []}], (method, path)
                checked["authorized"] += 1
    assert checked["public"] == len(public) and checked["authorized"] >= 60, checked


def test_the_authorizers_401_is_json_in_the_apps_error_shape_with_cors(synth):
    (resp,) = resources(synth["template"], "AWS::ApiGateway::GatewayResponse").values()
    p = resp["Properties"]
    assert p["ResponseType"] == "UNAUTHORIZED" and p["StatusCode"] == "401" and p["RestApiId"] == {"Ref": "RestAPI"}
    assert json.loads(p["ResponseTemplates"]["application/json"])["error"]["code"] == "unauthorized"
    headers = p["ResponseParameters"]
    assert "cloudfront" in json.dumps(headers["gatewayresponse.header.Access-Control-Allow-Origin"]).lower() or \
        "Dashboard" in json.dumps(headers["gatewayresponse.header.Access-Control-Allow-Origin"])
    assert headers["gatewayresponse.header.X-Content-Type-Options"] == "'nosniff'"


def test_the_user_pool_calls_the_trigger_on_confirmation_and_sign_in_with_permission(synth):
    t = synth["template"]
    (pool_id, pool), = resources(t, "AWS::Cognito::UserPool").items()
    arn = {"Fn::GetAtt": [TRIGGER, "Arn"]}
    assert pool["Properties"]["LambdaConfig"] == {"PostConfirmation": arn, "PostAuthentication": arn}
    (permission,) = [r for r in resources(t, "AWS::Lambda::Permission").values()
                     if r["Properties"]["Principal"] == "cognito-idp.amazonaws.com"]
    p = permission["Properties"]
    assert (p["Action"], p["Principal"], p["FunctionName"]) == ("lambda:InvokeFunction", "cognito-idp.amazonaws.com",
                                                                 arn)
    assert p["SourceArn"] == {"Fn::GetAtt": [pool_id, "Arn"]} and p["SourceAccount"] == {"Ref": "AWS::AccountId"}
    handler = t["Resources"][TRIGGER]["Properties"]["Handler"]
    assert handler == "app.on_user_confirmed"


def test_ses_sender_identity_and_send_grant(synth, assertions):
    assertions.has_resource_properties("AWS::SES::EmailIdentity", {"EmailIdentity": "alerts@tally.example.com"})


# ------------------------------------------------------------------------------------------ linters
def test_cfn_lint_finds_no_errors(synth):
    path = synth["path"]
    assert path.exists()
    lint = subprocess.run([str(pathlib.Path(sys.executable).parent / "cfn-lint"), "--format", "json",
                           "--regions", "us-east-1", "--", str(path)], check=False, capture_output=True,
                          text=True, timeout=600)
    assert lint.returncode in (0, 4, 8, 12), lint.stderr  # bit 2 = errors; 4 = warnings, 8 = informational
    findings = json.loads(lint.stdout or "[]")
    errors = [f for f in findings if f["Level"] == "Error"]
    assert not errors, json.dumps(errors, indent=1)[:4000]
    assert lint.returncode & 2 == 0


def test_cdk_nag_passes_with_every_acknowledgement_reasoned(synth):
    """Synthesis would have failed on an unacknowledged AwsSolutions finding (error or warning);
    the report says so too, and lists every acknowledged one with its reason."""
    report = json.loads((synth["out"] / "validation-report.json").read_text())
    (nag,) = [r for r in report["pluginReports"] if r["pluginName"] == "AwsSolutions"]
    assert nag["conclusion"] == "success" and nag["violations"] == []
    assert nag["suppressedViolations"], "the acknowledged findings are listed"
    for v in nag["suppressedViolations"]:
        assert len(v.get("reason") or "") > 20, v
    for other in report["pluginReports"]:
        assert other["conclusion"] == "success" and other["violations"] == [], other["pluginName"]


def test_no_construct_reports_a_warning_or_an_error(synth):
    from aws_cdk.assertions import Annotations, Match

    notes = Annotations.from_stack(synth["stack"])
    assert notes.find_error("*", Match.any_value()) == []
    assert notes.find_warning("*", Match.any_value()) == []


# ------------------------------------------------------------------------ cars: the training function
def test_the_dealer_model_training_is_its_own_container_function_on_a_schedule(synth, assertions):
    """training/cars/job.py runs in a Lambda of its own from a container image (LightGBM is far past the API
    asset's limit), on an EventBridge schedule, with a role that reads the cars table by key and index (no
    Scan), writes only models/cars/* and cannot send email; its errors are alarmed."""
    from training.cars.schedule import HANDLER, MEMORY_MB, SCHEDULE, TIMEOUT_SECONDS

    t, stack = synth["template"], synth["stack"]
    fn_id = logical_id(synth, stack.training_function)
    fn = t["Resources"][fn_id]["Properties"]
    assert fn["PackageType"] == "Image" and "Runtime" not in fn and "Handler" not in fn
    assert fn["MemorySize"] == MEMORY_MB and fn["Timeout"] == TIMEOUT_SECONDS
    assert set(fn["Environment"]["Variables"]) == {"TALLY_STAGE", "TALLY_CARS_TABLE", "TALLY_BUCKET",
                                                   "POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE"}
    assertions.has_resource_properties("AWS::Events::Rule", {
        "ScheduleExpression": SCHEDULE, "State": "ENABLED",
        "Targets": [{"Arn": {"Fn::GetAtt": [fn_id, "Arn"]}, "Id": "Target0", "RetryPolicy": {"MaximumRetryAttempts": 0}}]})
    assertions.has_resource_properties("AWS::Lambda::Permission", {
        "Action": "lambda:InvokeFunction", "FunctionName": {"Fn::GetAtt": [fn_id, "Arn"]},
        "Principal": "events.amazonaws.com"})
    assertions.has_resource_properties("AWS::CloudWatch::Alarm", {
        "MetricName": "Errors", "Dimensions": [{"Name": "FunctionName", "Value": {"Ref": fn_id}}]})

    role = stack.training_function.role
    policy = stack.get_logical_id(role.node.find_child("DefaultPolicy").node.default_child)
    statements = t["Resources"][policy]["Properties"]["PolicyDocument"]["Statement"]
    actions = {a for s in statements for a in _actions(s)}
    assert actions == {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:UpdateItem",
                       "s3:PutObject", "logs:CreateLogStream", "logs:PutLogEvents"}, actions
    (s3,) = [s for s in statements if "s3:PutObject" in _actions(s)]
    assert s3["Resource"]["Fn::Join"][1][1] == "/models/cars/*"
    (ddb,) = [s for s in statements if "dynamodb:Query" in _actions(s)]
    assert json.dumps(ddb["Resource"]).count("by_training") == 1 and "index/*" not in json.dumps(ddb["Resource"])

    # the image is built from training/Dockerfile over a context of only what the job needs
    manifest = json.loads(next(synth["out"].glob("*.assets.json")).read_text())
    (image,) = manifest["dockerImages"].values()
    assert image["source"]["dockerFile"] == "training/Dockerfile"
    context = synth["out"] / image["source"]["directory"]
    staged = {p.relative_to(context).parts[0] for p in context.iterdir()}
    assert staged == {"requirements.txt", "chalicelib", "training"}, staged
    dockerfile = (context / "training" / "Dockerfile").read_text()
    assert "FROM public.ecr.aws/lambda/python:3.12" in dockerfile and "libgomp" in dockerfile
    assert f'CMD ["{HANDLER}"]' in dockerfile


# ------------------------------------------------------------------------------- cars (issue 12, 2 and 4)
def test_the_cars_stream_schedule_and_public_listing_are_wired(synth):
    t = synth["template"]
    stack = synth["stack"]
    (event,) = t["Resources"]["AgingStock"]["Properties"]["Events"].values()
    assert event["Type"] == "Schedule" and event["Properties"]["Schedule"] == "cron(0 6 * * ? *)"
    env = t["Resources"]["OnCarsStream"]["Properties"]["Environment"]["Variables"]
    assert env["TALLY_LISTING_BUCKET"] == {"Ref": logical_id(synth, stack.site_bucket)}
    assert env["TALLY_CARS_STREAM_ARN"] == {"Fn::GetAtt": [logical_id(synth, stack.tables["cars"]), "StreamArn"]}
    site = logical_id(synth, stack.site_bucket)
    listing = [s for s in _app_statements(synth) if "/public/cars/*" in json.dumps(s["Resource"])]
    assert len(listing) == 1 and set(_actions(listing[0])) == {"s3:GetObject", "s3:PutObject"}
    assert site in json.dumps(listing[0]["Resource"])
    photos = [s for s in _app_statements(synth) if "/public/cars/photos/*" in json.dumps(s["Resource"])]
    assert len(photos) == 1 and set(_actions(photos[0])) == {"s3:DeleteObject"} and site in json.dumps(photos[0]["Resource"])
    deploy = resources(t, "Custom::CDKBucketDeployment")
    (props,) = [r["Properties"] for r in deploy.values()]
    assert props["Prune"] is True and "public/cars/*" in props["Exclude"]
    table = t["Resources"][logical_id(synth, stack.tables["cars"])]["Properties"]
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert {g["IndexName"] for g in table["GlobalSecondaryIndexes"]} >= {"by_aging_due", "by_search_make", "by_listed"}


# ------------------------------------------------------------------------ received email (issue 11 item 4)
def test_ses_receiving_stores_mail_under_inbound_and_the_bucket_notifies_the_inbound_function(synth):
    t = synth["template"]
    bucket = logical_id(synth, synth["stack"].data_bucket)
    (rule,) = resources(t, "AWS::SES::ReceiptRule").values()
    r = rule["Properties"]["Rule"]
    assert r["Actions"] == [{"S3Action": {"BucketName": {"Ref": bucket}, "ObjectKeyPrefix": "inbound/"}}]
    assert r["Enabled"] and r["ScanEnabled"] and r["TlsPolicy"] == "Require"
    assert r["Recipients"] == ["tally.example.com"]  # the sender's domain: every ticket's reply address
    assert rule["Properties"]["RuleSetName"] == {"Ref": next(iter(resources(t, "AWS::SES::ReceiptRuleSet")))}
    # SES may put objects under inbound/ only, and only for this account
    policy = next(p for p in resources(t, "AWS::S3::BucketPolicy").values() if p["Properties"]["Bucket"] == {"Ref": bucket})
    ses_puts = [s for s in policy["Properties"]["PolicyDocument"]["Statement"]
                if s.get("Principal") == {"Service": "ses.amazonaws.com"}]
    assert len(ses_puts) == 1 and ses_puts[0]["Action"] == "s3:PutObject" and ses_puts[0]["Effect"] == "Allow"
    assert ses_puts[0]["Resource"]["Fn::Join"][1][1] == "/inbound/*"
    assert ses_puts[0]["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    # objects created under inbound/ invoke the app's inbound function, which S3 is allowed to invoke
    (notes,) = resources(t, "Custom::S3BucketNotifications").values()
    assert notes["Properties"]["BucketName"] == {"Ref": bucket}
    (conf,) = notes["Properties"]["NotificationConfiguration"]["LambdaFunctionConfigurations"]
    assert conf["Events"] == ["s3:ObjectCreated:*"]
    assert conf["Filter"] == {"Key": {"FilterRules": [{"Name": "prefix", "Value": "inbound/"}]}}
    assert conf["LambdaFunctionArn"] == {"Fn::GetAtt": ["OnInboundMail", "Arn"]}
    assert "OnInboundMail" in functions(t)
    assert any(p["Properties"]["Principal"] == "s3.amazonaws.com"
               and p["Properties"]["FunctionName"] == {"Fn::GetAtt": ["OnInboundMail", "Arn"]}
               and p["Properties"]["SourceArn"] == {"Fn::GetAtt": [bucket, "Arn"]}
               for p in resources(t, "AWS::Lambda::Permission").values())


def test_received_texts_reach_the_inbound_sms_function_and_the_news_schedules_exist(synth):
    """Issue 13 item 7: End User Messaging SMS may publish to the two-way topic (this account only), the
    topic invokes the app's inbound text function; the role may publish texts; item 6's schedules."""
    t = synth["template"]
    (topic_id,) = [k for k, r in resources(t, "AWS::SNS::Topic").items() if "InboundSms" in k]
    (policy,) = [p for p in resources(t, "AWS::SNS::TopicPolicy").values()
                 if {"Ref": topic_id} in p["Properties"]["Topics"]]
    publish = [s for s in policy["Properties"]["PolicyDocument"]["Statement"]
               if s.get("Principal") == {"Service": "sms-voice.amazonaws.com"}]
    assert len(publish) == 1 and publish[0]["Action"] == "sns:Publish" and publish[0]["Effect"] == "Allow"
    assert publish[0]["Condition"] == {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
    (sub,) = [r["Properties"] for r in resources(t, "AWS::SNS::Subscription").values()
              if r["Properties"]["TopicArn"] == {"Ref": topic_id}]
    arn = {"Fn::Sub": ["arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${Fn}",
                       {"Fn": {"Ref": "OnInboundSms"}}]}
    assert sub["Protocol"] == "lambda" and sub["Endpoint"] == arn
    assert any(p["Properties"]["Principal"] == "sns.amazonaws.com" and p["Properties"]["FunctionName"] == arn
               and p["Properties"]["SourceArn"] == {"Ref": topic_id}
               for p in resources(t, "AWS::Lambda::Permission").values())
    assert "OnInboundSms" in functions(t)
    assert any("sns:Publish" in _actions(s) for s in _app_statements(synth))
    (event,) = t["Resources"]["AnnounceLaunches"]["Properties"]["Events"].values()
    assert event["Properties"]["Schedule"] == "cron(0 8 * * ? *)"
    (event,) = t["Resources"]["NotifyRestocked"]["Properties"]["Events"].values()
    assert event["Properties"]["Schedule"] == "rate(5 minutes)"
