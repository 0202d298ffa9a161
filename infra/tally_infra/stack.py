"""Everything Tally runs on: tables with streams, the data and site buckets behind CloudFront,
Cognito, the SES identity, the Chalice app with its stream and schedule wiring, alarms."""
from __future__ import annotations

import pathlib

import aws_cdk as cdk
from aws_cdk import (
    aws_cloudfront as cloudfront,
    aws_cloudfront_origins as origins,
    aws_cloudwatch as cloudwatch,
    aws_cognito as cognito,
    aws_dynamodb as dynamodb,
    aws_iam as iam,
    aws_s3 as s3,
    aws_s3_deployment as s3deploy,
    aws_ses as ses,
    aws_sqs as sqs,
)
from constructs import Construct

from chalicelib.tables import STREAM_ENV, TABLE_MODELS

from .slim_chalice import SlimChalice

ROOT = pathlib.Path(__file__).resolve().parents[2]
ATTR_TYPES = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER,
              "B": dynamodb.AttributeType.BINARY}
# stream handler function (Chalice's logical id) → the table whose stream it reads
STREAM_HANDLERS = {"OnExpensesStream": "expenses", "OnOutboxStream": "outbox"}


def event_functions() -> list[str]:
    """Chalice's resource names of every stream and schedule function of the app."""
    import app as tally_app
    from chalice.utils import to_cfn_resource_name

    return [to_cfn_resource_name(source.name) for source in tally_app.app.event_sources]


def table_props(model) -> dict:
    """Keys, indexes and stream of a table, read from its PynamoDB model so they cannot drift."""
    schema = model._get_schema()
    types = {a["AttributeName"]: a["AttributeType"] for a in schema["attribute_definitions"]}
    keys = {k["KeyType"]: k["AttributeName"] for k in schema["key_schema"]}
    props = {
        "partition_key": dynamodb.Attribute(name=keys["HASH"], type=ATTR_TYPES[types[keys["HASH"]]]),
        "stream": (dynamodb.StreamViewType.NEW_AND_OLD_IMAGES
                   if getattr(model.Meta, "stream_view_type", None) == "NEW_AND_OLD_IMAGES" else None),
    }
    if "RANGE" in keys:
        props["sort_key"] = dynamodb.Attribute(name=keys["RANGE"], type=ATTR_TYPES[types[keys["RANGE"]]])
    gsis = []
    for gsi in schema.get("global_secondary_indexes", []):
        gkeys = {k["KeyType"]: k["AttributeName"] for k in gsi["key_schema"]}
        g = {"index_name": gsi["index_name"],
             "partition_key": dynamodb.Attribute(name=gkeys["HASH"], type=ATTR_TYPES[types[gkeys["HASH"]]]),
             "projection_type": dynamodb.ProjectionType(gsi["projection"]["ProjectionType"])}
        if "RANGE" in gkeys:
            g["sort_key"] = dynamodb.Attribute(name=gkeys["RANGE"], type=ATTR_TYPES[types[gkeys["RANGE"]]])
        gsis.append(g)
    return {"props": props, "gsis": gsis}


class TallyStack(cdk.Stack):
    def __init__(self, scope: Construct, cid: str, *, mail_from: str, **kwargs) -> None:
        super().__init__(scope, cid, **kwargs)

        # ---------------------------------------------------------------- tables
        self.tables: dict[str, dynamodb.Table] = {}
        for logical, model in TABLE_MODELS.items():
            spec = table_props(model)
            table = dynamodb.Table(
                self, f"{logical.capitalize()}Table", **{k: v for k, v in spec["props"].items() if v is not None},
                billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
                point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                    point_in_time_recovery_enabled=True),
                encryption=dynamodb.TableEncryption.AWS_MANAGED,
                deletion_protection=True,
                removal_policy=cdk.RemovalPolicy.RETAIN,
            )
            for g in spec["gsis"]:
                table.add_global_secondary_index(**g)
            self.tables[logical] = table

        # --------------------------------------------------------------- buckets
        logs = s3.Bucket(
            self, "AccessLogs", block_public_access=s3.BlockPublicAccess.BLOCK_ALL, enforce_ssl=True,
            encryption=s3.BucketEncryption.S3_MANAGED, versioned=True,
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(90))],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        private = dict(block_public_access=s3.BlockPublicAccess.BLOCK_ALL, enforce_ssl=True,
                       encryption=s3.BucketEncryption.S3_MANAGED, versioned=True,
                       server_access_logs_bucket=logs, removal_policy=cdk.RemovalPolicy.RETAIN)
        self.data_bucket = s3.Bucket(self, "DataBucket", server_access_logs_prefix="data/", **private)
        self.site_bucket = s3.Bucket(self, "SiteBucket", server_access_logs_prefix="site/", **private)

        # --------------------------------------------------------------- cognito
        self.user_pool = cognito.UserPool(
            self, "Users",
            self_sign_up_enabled=True,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(email=cognito.StandardAttribute(required=True, mutable=True)),
            password_policy=cognito.PasswordPolicy(min_length=12, require_lowercase=True, require_uppercase=True,
                                                   require_digits=True, require_symbols=True),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(sms=False, otp=True),
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.client = self.user_pool.add_client(
            "Dashboard", generate_secret=False, prevent_user_existence_errors=True,
            auth_flows=cognito.AuthFlow(user_password=True),
            id_token_validity=cdk.Duration.hours(1), access_token_validity=cdk.Duration.hours(1),
            refresh_token_validity=cdk.Duration.days(30),
        )

        # ------------------------------------------------------------------- ses
        self.sender = ses.EmailIdentity(self, "Sender", identity=ses.Identity.email(mail_from))

        # ------------------------------------------------------------ cloudfront
        self.distribution = cloudfront.Distribution(
            self, "Dashboard",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.site_bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                response_headers_policy=self._headers_policy(),
            ),
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            enable_logging=True, log_bucket=logs, log_file_prefix="cloudfront/",
        )
        dashboard_url = f"https://{self.distribution.distribution_domain_name}"

        # ------------------------------------------------------------ the app
        self.dlq = sqs.Queue(self, "StreamFailures", enforce_ssl=True, encryption=sqs.QueueEncryption.SQS_MANAGED,
                             retention_period=cdk.Duration.days(14))
        role = self._lambda_role()
        env = {
            "TALLY_STAGE": "prod",
            "TALLY_CORE_TABLE": self.tables["core"].table_name,
            "TALLY_EXPENSES_TABLE": self.tables["expenses"].table_name,
            "TALLY_ROLLUPS_TABLE": self.tables["rollups"].table_name,
            "TALLY_OUTBOX_TABLE": self.tables["outbox"].table_name,
            "TALLY_BUCKET": self.data_bucket.bucket_name,
            "TALLY_USER_POOL_ID": self.user_pool.user_pool_id,
            "TALLY_USER_POOL_CLIENT_ID": self.client.user_pool_client_id,
            "TALLY_MAIL_FROM": mail_from,
            "TALLY_DASHBOARD_ORIGIN": dashboard_url,
            "TALLY_DASHBOARD_URL": dashboard_url + "/",
            "POWERTOOLS_SERVICE_NAME": "tally",
            "POWERTOOLS_METRICS_NAMESPACE": "Tally",
        }
        for logical, env_name in STREAM_ENV.items():
            env[env_name] = self.tables[logical].table_stream_arn
        self.chalice = SlimChalice(
            self, "Api", source_dir=str(ROOT),
            stage_config={
                "api_gateway_stage": "api",
                "lambda_memory_size": 512,
                "lambda_timeout": 30,
                "xray": True,
                "manage_iam_role": False,
                "iam_role_arn": role.role_arn,
                "environment_variables": env,
            },
        )
        self._wire_streams()
        self.api_url = cdk.Fn.sub("https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}/api",
                                  {"RestAPI": self.chalice.get_resource("RestAPI").ref})
        # Emails link back to the API (unsubscribe). Only functions outside the REST API get its URL:
        # giving it to the API handler would make the API and its handler depend on each other.
        for function in event_functions():
            self.chalice.get_resource(function).add_override(
                "Properties.Environment.Variables.TALLY_API_URL", self.api_url)

        # ------------------------------------------------------- dashboard site
        sources = [s3deploy.Source.json_data("config.json", {"api_url": self.api_url, "region": self.region})]
        dist = ROOT / "dashboard" / "dist"
        if dist.exists():
            sources.insert(0, s3deploy.Source.asset(str(dist)))
        self.site_deployment = s3deploy.BucketDeployment(self, "DeploySite", sources=sources, destination_bucket=self.site_bucket,
                                  distribution=self.distribution, prune=True)
        self._alarms()

        for name, value in {"ApiUrl": self.api_url, "DashboardUrl": dashboard_url,
                            "UserPoolId": self.user_pool.user_pool_id,
                            "UserPoolClientId": self.client.user_pool_client_id,
                            "DataBucketName": self.data_bucket.bucket_name}.items():
            cdk.CfnOutput(self, name, value=value)
        self._suppressions()

    # ----------------------------------------------------------------- parts
    def _headers_policy(self) -> cloudfront.ResponseHeadersPolicy:
        csp = ("default-src 'self'; connect-src 'self' https://*.execute-api." + self.region + ".amazonaws.com; "
               "img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; "
               "base-uri 'self'; form-action 'self'; object-src 'none'")
        return cloudfront.ResponseHeadersPolicy(
            self, "SecurityHeaders",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=csp, override=True),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=cdk.Duration.days(365), include_subdomains=True, override=True),
            ),
        )

    def _lambda_role(self) -> iam.Role:
        role = iam.Role(self, "AppRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
        role.add_to_policy(iam.PolicyStatement(
            actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            resources=[self.format_arn(service="logs", resource="log-group",
                                       resource_name="/aws/lambda/*",
                                       arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME)]))
        role.add_to_policy(iam.PolicyStatement(actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                                               resources=["*"]))
        for table in self.tables.values():
            table.grant_read_write_data(role)
        for logical in STREAM_ENV:
            self.tables[logical].grant_stream_read(role)
        role.add_to_policy(iam.PolicyStatement(actions=["s3:GetObject", "s3:PutObject"],
                                               resources=[self.data_bucket.arn_for_objects("charts/*")]))
        self.sender.grant_send_email(role)
        self.dlq.grant_send_messages(role)
        self._role = role
        return role

    def _wire_streams(self) -> None:
        """Chalice sets none of these on event sources (aws/chalice#2029): partial batch responses,
        bounded retries, bisect on error, a failure destination, and the real stream ARN (#1882)."""
        for function, logical in STREAM_HANDLERS.items():
            fn = self.chalice.get_resource(function)
            base = f"Properties.Events.{function}DynamodbEventSource.Properties"
            fn.add_override(f"{base}.Stream", self.tables[logical].table_stream_arn)
            fn.add_override(f"{base}.FunctionResponseTypes", ["ReportBatchItemFailures"])
            fn.add_override(f"{base}.MaximumRetryAttempts", 3)
            fn.add_override(f"{base}.BisectBatchOnFunctionError", True)
            fn.add_override(f"{base}.MaximumRecordAgeInSeconds", 3600)
            fn.add_override(f"{base}.DestinationConfig", {"OnFailure": {"Type": "SQS",
                                                                         "Destination": self.dlq.queue_arn}})

    def _alarms(self) -> None:
        cloudwatch.Alarm(
            self, "StreamFailuresAlarm", metric=self.dlq.metric_approximate_number_of_messages_visible(),
            threshold=1, evaluation_periods=1,
            alarm_description="A stream record failed all retries and went to the dead-letter queue")
        for function in ("APIHandler", *event_functions()):
            cloudwatch.Alarm(
                self, f"{function}Errors",
                metric=cloudwatch.Metric(namespace="AWS/Lambda", metric_name="Errors", statistic="Sum",
                                         dimensions_map={"FunctionName": self.chalice.get_resource(function).ref},
                                         period=cdk.Duration.minutes(5)),
                threshold=1, evaluation_periods=1, alarm_description=f"{function} raised errors")

    def _suppressions(self) -> None:
        """cdk-nag findings acknowledged, each with its reason and, for wildcards, its evidence."""
        def ack(scope, rule: str, reason: str) -> None:
            cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))

        def ref(construct) -> str:
            return f"<{self.get_logical_id(construct.node.default_child)}.Arn>"

        region = "<AWS::Region>" if cdk.Token.is_unresolved(self.region) else self.region
        iam5 = "AwsSolutions::AwsSolutions-IAM5"
        ack(self._role, f"{iam5}[Resource::*]", "X-Ray's PutTraceSegments and PutTelemetryRecords take no resource.")
        ack(self._role, f"{iam5}[Resource::arn:<AWS::Partition>:logs:{region}:<AWS::AccountId>:log-group:/aws/lambda/*]",
            "The functions' own log groups; their names are chosen by Lambda from the Chalice-made function names.")
        for table in self.tables.values():
            ack(self._role, f"{iam5}[Resource::{ref(table)}/index/*]",
                "Queries on this table's own secondary indexes (listed in docs/architecture.md).")
        ack(self._role, f"{iam5}[Resource::{ref(self.data_bucket)}/charts/*]",
            "Get and put of chart JSON under the charts/ prefix of the data bucket only.")
        deployer = self.site_deployment.handler_role
        reason = "CDK's BucketDeployment custom resource, which copies the built dashboard at deploy time."
        for action in ("s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:DeleteObject*", "s3:Abort*"):
            ack(deployer, f"{iam5}[Action::{action}]", reason)
        ack(deployer, f"{iam5}[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-{region}/*]",
            reason)
        ack(deployer, f"{iam5}[Resource::{ref(self.site_bucket)}/*]", reason)
        ack(deployer, f"{iam5}[Resource::*]", reason)
        ack(deployer, "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]", reason)
        ack(self, "AwsSolutions::AwsSolutions-L1", "The only CDK-made function is BucketDeployment's, whose runtime CDK chooses; "
            "the app's functions run the Python that packages them (3.11).")
        ack(self.user_pool, "AwsSolutions::AwsSolutions-COG2", "MFA is optional (TOTP) for a consumer app; threat protection "
            "(Plus plan, full function) covers risky sign-ins.")
        ack(self.dlq, "AwsSolutions::AwsSolutions-SQS3", "This queue is itself the stream handlers' failure destination.")
        ack(self.distribution, "AwsSolutions::AwsSolutions-CFR1", "No geo restriction: the dashboard serves users anywhere.")
        ack(self.distribution, "AwsSolutions::AwsSolutions-CFR2", "No WAF yet: the site is static files and the API "
            "authenticates every non-public route.")
        ack(self.distribution, "AwsSolutions::AwsSolutions-CFR4", "TLS 1.2 (2021 policy) is set; the default CloudFront "
            "certificate is used until a custom domain is configured.")
