"""Everything Tally runs on: tables with streams, the data and site buckets behind CloudFront,
Cognito, the SES identity, the Chalice app with its stream and schedule wiring, alarms."""
from __future__ import annotations

import json
import pathlib

import aws_cdk as cdk
from aws_cdk import (
    aws_apigateway as apigateway,
    aws_cloudfront as cloudfront,
    aws_cloudfront_origins as origins,
    aws_cloudwatch as cloudwatch,
    aws_cloudwatch_actions as cw_actions,
    aws_cognito as cognito,
    aws_dynamodb as dynamodb,
    aws_events as events,
    aws_events_targets as events_targets,
    aws_iam as iam,
    aws_lambda as lambda_,
    aws_logs as logs,
    aws_s3 as s3,
    aws_s3_deployment as s3deploy,
    aws_s3_notifications as s3n,
    aws_ses as ses,
    aws_ses_actions as ses_actions,
    aws_sns as sns,
    aws_sns_subscriptions as subscriptions,
    aws_sqs as sqs,
)
from chalice.utils import to_cfn_resource_name
from constructs import Construct
from pynamodb.attributes import TTLAttribute

from chalicelib.core.handlers import Stream
from chalicelib.handler_table import HANDLERS
from chalicelib.tables import STREAM_ENV, TABLE_MODELS

from .slim_chalice import SlimChalice

ROOT = pathlib.Path(__file__).resolve().parents[2]
ATTR_TYPES = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER,
              "B": dynamodb.AttributeType.BINARY}
# stream function (Chalice's logical id) → the table whose stream it reads, from the app's handler table
STREAM_HANDLERS = {to_cfn_resource_name(h.name): h.table for h in HANDLERS if isinstance(h, Stream)}
# Received email (issue 11 item 4): SES stores each message under this prefix of the data bucket and the
# bucket's object-created notification invokes this function (app.py `on_inbound_mail`).
INBOUND_PREFIX = "inbound/"
INBOUND_FUNCTION = "OnInboundMail"
# Received texts (issue 13 item 7): End User Messaging SMS's two-way messaging publishes each text received on
# the origination number to this topic, which invokes this function (app.py `on_inbound_sms`).
INBOUND_SMS_FUNCTION = "OnInboundSms"
# What the functions do to items: no Scan (every read is a key or index Query, docs/architecture.md).
TABLE_ACTIONS = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem",
                 "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
                 "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable"]
LISTING_PREFIX = "public/cars"  # chalicelib.cars.rules.listing.PREFIX
# API Gateway stage throttling: the sign-up and sign-in routes are public.
API_RATE_LIMIT, API_BURST_LIMIT = 50, 100
# The routes that take orders get their own, higher limits: a flash sale's rush must reach the ledger
# (which sells each unit once) rather than meet the stage's 429s (docs/shop.md "Scale").
ORDER_ROUTES = (("/shops/{handle}/orders", "POST"), ("/shops/{handle}/customer/orders", "POST"),
                ("/shops/{handle}/payments", "POST"), ("/channels/{channel_id}/orders", "POST"))
ORDER_RATE_LIMIT, ORDER_BURST_LIMIT = 500, 1000


def event_functions() -> list[str]:
    """Chalice's resource names of every stream and schedule function of the app."""
    from chalice.utils import to_cfn_resource_name

    import app as tally_app

    return [to_cfn_resource_name(source.name) for source in tally_app.app.event_sources]


def trigger_functions() -> list[str]:
    """Chalice's resource names of the app's plain Lambda functions: the Cognito trigger."""
    from chalice.utils import to_cfn_resource_name

    import app as tally_app

    return [to_cfn_resource_name(fn.name) for fn in tally_app.app.pure_lambda_functions]


# The user pool's trigger function (app.py `on_user_confirmed`) and the events it handles: confirmation,
# and sign-in, which is when a user made by an administrator or a federated sign-in first shows up.
USER_POOL_TRIGGER = "OnUserConfirmed"
USER_POOL_TRIGGER_EVENTS = ("PostConfirmation", "PostAuthentication")
# The name `chalicelib.core.auth.AUTHORIZER` has in the REST API's definition.
AUTHORIZER_NAME = "TallyUsers"


def table_props(model) -> dict:
    """Keys, indexes, stream and TTL of a table, read from its PynamoDB model so they cannot drift."""
    schema = model._get_schema()
    types = {a["AttributeName"]: a["AttributeType"] for a in schema["attribute_definitions"]}

    def attr(name: str) -> dynamodb.Attribute:
        return dynamodb.Attribute(name=name, type=ATTR_TYPES[types[name]])

    keys = {k["KeyType"]: k["AttributeName"] for k in schema["key_schema"]}
    props = {"partition_key": attr(keys["HASH"])}
    if "RANGE" in keys:
        props["sort_key"] = attr(keys["RANGE"])
    view = getattr(model.Meta, "stream_view_type", None)
    if view:
        props["stream"] = dynamodb.StreamViewType(view)
    ttl = [a.attr_name for a in model.get_attributes().values() if isinstance(a, TTLAttribute)]
    if ttl:
        props["time_to_live_attribute"] = ttl[0]
    gsis = []
    for gsi in schema.get("global_secondary_indexes", []):
        gkeys = {k["KeyType"]: k["AttributeName"] for k in gsi["key_schema"]}
        projection = gsi["projection"]
        g = {"index_name": gsi["index_name"], "partition_key": attr(gkeys["HASH"]),
             "projection_type": dynamodb.ProjectionType(projection["ProjectionType"])}
        if "RANGE" in gkeys:
            g["sort_key"] = attr(gkeys["RANGE"])
        if projection.get("NonKeyAttributes"):
            g["non_key_attributes"] = list(projection["NonKeyAttributes"])
        gsis.append(g)
    if schema.get("local_secondary_indexes"):
        raise NotImplementedError("local secondary indexes: add them here before using them in a model")
    return {"props": props, "gsis": gsis}


class TallyStack(cdk.Stack):
    def __init__(self, scope: Construct, cid: str, *, mail_from: str, stage: str = "prod",
                 alarm_email: str | None = None, cognito_email_via_ses: bool = False,
                 sandbox_recipients: tuple[str, ...] = (), **kwargs) -> None:
        super().__init__(scope, cid, **kwargs)

        # ---------------------------------------------------------------- tables
        self.tables: dict[str, dynamodb.Table] = {}
        for logical, model in TABLE_MODELS.items():
            spec = table_props(model)
            table = dynamodb.Table(
                self, f"{logical.capitalize()}Table", **spec["props"],
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
        # Versioned buckets keep every overwritten object: charts are rewritten on each stream batch,
        # so old versions expire after a month.
        tidy = s3.LifecycleRule(id="tidy", noncurrent_version_expiration=cdk.Duration.days(30),
                                abort_incomplete_multipart_upload_after=cdk.Duration.days(7))
        self.log_bucket = s3.Bucket(
            self, "AccessLogs", block_public_access=s3.BlockPublicAccess.BLOCK_ALL, enforce_ssl=True,
            encryption=s3.BucketEncryption.S3_MANAGED, versioned=True,
            # CloudFront's standard logs are written with ACLs; S3 access logs use the bucket policy.
            object_ownership=s3.ObjectOwnership.OBJECT_WRITER,
            lifecycle_rules=[s3.LifecycleRule(id="expire", expiration=cdk.Duration.days(90),
                                              noncurrent_version_expiration=cdk.Duration.days(1))],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        private = {"block_public_access": s3.BlockPublicAccess.BLOCK_ALL, "enforce_ssl": True,
                   "encryption": s3.BucketEncryption.S3_MANAGED, "versioned": True,
                   "object_ownership": s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
                   "server_access_logs_bucket": self.log_bucket, "lifecycle_rules": [tidy],
                   "removal_policy": cdk.RemovalPolicy.RETAIN}
        self.data_bucket = s3.Bucket(self, "DataBucket", server_access_logs_prefix="data/", **private)
        # a car's photo taken off it is tagged by the cars stream (chalicelib/cars/photos.py REMOVED_TAG) and
        # deleted here a day later, its old version too: the app role may tag under photos/, never delete
        # browser uploads land under pending/ and are copied out when confirmed (core.uploads): one never
        # confirmed (a form abandoned after its file went up) is deleted a day later
        self.data_bucket.add_lifecycle_rule(id="pending-uploads", prefix="pending/", expiration=cdk.Duration.days(1),
                                            noncurrent_version_expiration=cdk.Duration.days(1))
        self.data_bucket.add_lifecycle_rule(id="removed-photos", prefix="photos/",
                                            tag_filters={"tally-removed": "yes"},
                                            expiration=cdk.Duration.days(1),
                                            noncurrent_version_expiration=cdk.Duration.days(1))
        self.site_bucket = s3.Bucket(self, "SiteBucket", server_access_logs_prefix="site/", **private)

        # ------------------------------------------------------------------- ses
        self.sender = ses.EmailIdentity(self, "Sender", identity=ses.Identity.email(mail_from))
        # In the SES sandbox mail goes only to verified addresses, and SES then also checks the sending
        # role against each recipient's identity: these test recipients are verified and granted here.
        self.sandbox_recipients = [
            ses.EmailIdentity(self, f"SandboxRecipient{i}", identity=ses.Identity.email(address))
            for i, address in enumerate(sandbox_recipients)
        ]

        # --------------------------------------------------------------- cognito
        self.user_pool = cognito.UserPool(
            self, "Users",
            self_sign_up_enabled=True,
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            user_verification=cognito.UserVerificationConfig(
                email_style=cognito.VerificationEmailStyle.CODE,
                email_subject="Your Tally verification code",
                email_body="Your Tally verification code is {####}."),
            standard_attributes=cognito.StandardAttributes(email=cognito.StandardAttribute(required=True, mutable=True)),
            password_policy=cognito.PasswordPolicy(min_length=12, require_lowercase=True, require_uppercase=True,
                                                   require_digits=True, require_symbols=True,
                                                   temp_password_validity=cdk.Duration.days(3)),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(sms=False, otp=True),
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            # Cognito's own mailer sends at most 50 emails a day; SES can only be used once the sender
            # identity is verified (Cognito checks it), so it is switched on by context after that.
            email=(cognito.UserPoolEmail.with_ses(from_email=mail_from, ses_region=self.region)
                   if cognito_email_via_ses else None),
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.client = self.user_pool.add_client(
            "Dashboard", generate_secret=False, prevent_user_existence_errors=True,
            auth_flows=cognito.AuthFlow(user_password=True),
            enable_token_revocation=True,
            id_token_validity=cdk.Duration.hours(1), access_token_validity=cdk.Duration.hours(1),
            refresh_token_validity=cdk.Duration.days(30),
        )

        # ------------------------------------------------------------ cloudfront
        self.distribution = cloudfront.Distribution(
            self, "Dashboard",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.site_bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                response_headers_policy=self._headers_policy(),
            ),
            # the shop's storefront documents (docs/shop.md): private objects of the data bucket, read by
            # CloudFront only (origin access control); a page view costs no Lambda and no DynamoDB read
            additional_behaviors={"/storefront/*": cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(
                    self.data_bucket, origin_access_levels=[cloudfront.AccessLevel.READ]),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
            )},
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            enable_logging=True, log_bucket=self.log_bucket, log_file_prefix="cloudfront/",
        )
        dashboard_origin = f"https://{self.distribution.distribution_domain_name}"

        # ------------------------------------------------------------ the app
        self.dlq = sqs.Queue(self, "StreamFailures", enforce_ssl=True, encryption=sqs.QueueEncryption.SQS_MANAGED,
                             retention_period=cdk.Duration.days(14))
        functions = ["APIHandler", *event_functions(), *trigger_functions()]
        self.log_groups = {
            fn: logs.LogGroup(self, f"{fn}Logs", retention=logs.RetentionDays.THREE_MONTHS,
                              removal_policy=cdk.RemovalPolicy.RETAIN)
            for fn in functions
        }
        role = self._lambda_role()
        env = {
            "TALLY_STAGE": stage,
            "TALLY_CORE_TABLE": self.tables["core"].table_name,
            "TALLY_EXPENSES_TABLE": self.tables["expenses"].table_name,
            "TALLY_INVENTORY_TABLE": self.tables["inventory"].table_name,
            "TALLY_CARS_TABLE": self.tables["cars"].table_name,
            "TALLY_HELPDESK_TABLE": self.tables["helpdesk"].table_name,
            "TALLY_SHOP_TABLE": self.tables["shop"].table_name,
            "TALLY_ROLLUPS_TABLE": self.tables["rollups"].table_name,
            "TALLY_OUTBOX_TABLE": self.tables["outbox"].table_name,
            "TALLY_BUCKET": self.data_bucket.bucket_name,
            # the public car listing: JSON shards in the site bucket, served by the distribution (docs/cars.md)
            "TALLY_LISTING_BUCKET": self.site_bucket.bucket_name,
            "TALLY_USER_POOL_ID": self.user_pool.user_pool_id,
            "TALLY_USER_POOL_CLIENT_ID": self.client.user_pool_client_id,
            "TALLY_MAIL_FROM": mail_from,
            "TALLY_DASHBOARD_ORIGIN": dashboard_origin,
            # with the slash, as locally: links in emails append to it
            "TALLY_DASHBOARD_URL": dashboard_origin + "/",
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
        for fn in functions:
            self._configure_function(fn)
        self._wire_streams()
        self._configure_api(dashboard_origin)
        self._wire_user_pool_trigger()
        self._wire_inbound_mail(mail_from)
        self._wire_inbound_sms()
        self.api_url = cdk.Fn.sub("https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}/api",
                                  {"RestAPI": self.chalice.get_resource("RestAPI").ref})
        # Emails link back to the API (unsubscribe). Only functions outside the REST API get its URL:
        # giving it to the API handler would make the API and its handler depend on each other.
        for function in [*event_functions(), INBOUND_FUNCTION, INBOUND_SMS_FUNCTION]:  # filed by mail/text: links
            self.chalice.get_resource(function).add_override(
                "Properties.Environment.Variables.TALLY_API_URL", self.api_url)

        # ------------------------------------------------------- dashboard site
        sources = [s3deploy.Source.json_data("config.json", {"api_url": self.api_url, "region": self.region})]
        dist = ROOT / "dashboard" / "dist"
        if dist.exists():  # built by `make dashboard` (a dependency of `make deploy`)
            sources.insert(0, s3deploy.Source.asset(str(dist)))
        self.site_deployment = s3deploy.BucketDeployment(
            self, "DeploySite", sources=sources, destination_bucket=self.site_bucket,
            distribution=self.distribution, prune=True,
            exclude=[f"{LISTING_PREFIX}/*"])  # the cars stream's listing lives there: a deploy must not prune it
        self._alarms(functions, alarm_email)

        for name, value in {"ApiUrl": self.api_url, "DashboardUrl": dashboard_origin + "/",
                            "UserPoolId": self.user_pool.user_pool_id,
                            "UserPoolClientId": self.client.user_pool_client_id,
                            "DataBucketName": self.data_bucket.bucket_name,
                            "SiteBucketName": self.site_bucket.bucket_name,
                            "StreamFailureQueueUrl": self.dlq.queue_url,
                            "AlarmTopicArn": self.alarm_topic.topic_arn}.items():
            cdk.CfnOutput(self, name, value=value)
        self._training_function(env)
        self._suppressions()

    # ----------------------------------------------------------------- parts
    def _training_function(self, env: dict[str, str]) -> None:
        """The cars dealer models' training (training/cars/job.py): a function of its own, outside the Chalice
        app, from a container image (LightGBM, numpy, scipy and the OpenMP runtime: ~100 MB, far past the
        API asset's 5 MB), run by an EventBridge schedule. Its role reads the cars table (the work list, the
        sales and their cars), updates the dealer's model item and writes models/cars/* in the data bucket;
        the app's role reads those documents for valuations."""
        from training.cars.schedule import FUNCTION_NAME, MEMORY_MB, SCHEDULE, TIMEOUT_SECONDS

        cars = self.tables["cars"]
        self.training_logs = logs.LogGroup(self, "TrainDealerModelsLogs", retention=logs.RetentionDays.THREE_MONTHS,
                                           removal_policy=cdk.RemovalPolicy.RETAIN)
        role = iam.Role(self, "TrainingRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                        description="Tally's dealer-model training function")
        self.training_logs.grant_write(role)
        role.add_to_policy(iam.PolicyStatement(
            actions=["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:UpdateItem"],
            resources=[cars.table_arn, f"{cars.table_arn}/index/by_training"]))
        role.add_to_policy(iam.PolicyStatement(actions=["s3:PutObject"],
                                               resources=[self.data_bucket.arn_for_objects("models/cars/*")]))
        self._role.add_to_policy(iam.PolicyStatement(actions=["s3:GetObject"],
                                                     resources=[self.data_bucket.arn_for_objects("models/cars/*")]))
        self.training_function = lambda_.DockerImageFunction(
            self, "TrainDealerModels", function_name=None, description=f"Tally {FUNCTION_NAME}",
            code=lambda_.DockerImageCode.from_image_asset(
                str(ROOT), file="training/Dockerfile", ignore_mode=cdk.IgnoreMode.DOCKER,
                exclude=["*", "!requirements.txt", "!chalicelib", "!training", "**/__pycache__"]),
            architecture=lambda_.Architecture.X86_64, memory_size=MEMORY_MB,
            timeout=cdk.Duration.seconds(TIMEOUT_SECONDS), role=role, log_group=self.training_logs,
            environment={k: env[k] for k in ("TALLY_STAGE", "TALLY_CARS_TABLE", "TALLY_BUCKET",
                                                "POWERTOOLS_SERVICE_NAME", "POWERTOOLS_METRICS_NAMESPACE")})
        self.training_rule = events.Rule(
            self, "TrainDealerModelsSchedule", schedule=events.Schedule.expression(SCHEDULE),
            description="Retrain each dealer's valuation model that has new sales",
            targets=[events_targets.LambdaFunction(self.training_function, retry_attempts=0)])
        alarm = cloudwatch.Alarm(
            self, "TrainDealerModelsErrors", metric=self.training_function.metric_errors(period=cdk.Duration.hours(1)),
            threshold=1, evaluation_periods=1, treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description="The dealer-model training function failed")
        alarm.add_alarm_action(cw_actions.SnsAction(self.alarm_topic))

        def ack(scope: Construct, rule: str, reason: str) -> None:
            cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))

        bucket = f"<{self.get_logical_id(self.data_bucket.node.default_child)}.Arn>"
        ack(role, f"AwsSolutions::AwsSolutions-IAM5[Resource::{bucket}/models/cars/*]",
            "Trained dealer model documents under models/cars/<org>/ only.")
        ack(self._role, f"AwsSolutions::AwsSolutions-IAM5[Resource::{bucket}/models/cars/*]",
            "Valuations read the dealer's trained model document under models/cars/<org>/ only.")

    def _headers_policy(self) -> cloudfront.ResponseHeadersPolicy:
        # connect-src: the API, and S3 for the browser's presigned POST uploads (help desk attachments, car photos);
        # img-src: S3 too, for a car's photos through presigned GETs (the dealer's pages)
        csp = ("default-src 'self'; connect-src 'self' https://*.execute-api." + self.region + ".amazonaws.com "
               "https://s3." + self.region + ".amazonaws.com https://s3.amazonaws.com; "
               "img-src 'self' data: https://s3." + self.region + ".amazonaws.com https://s3.amazonaws.com; "
               "style-src 'self'; script-src 'self'; frame-ancestors 'none'; "
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
        """One role for every function, least privilege. Cognito's SignUp, ConfirmSignUp and InitiateAuth
        are public APIs and need no grant; AdminConfirmSignUp (the local stack's shortcut) is not granted."""
        role = iam.Role(self, "AppRole", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                        description="Tally's Chalice functions")
        for group in self.log_groups.values():
            group.grant_write(role)
        role.add_to_policy(iam.PolicyStatement(actions=["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                                               resources=["*"]))
        items = []
        for logical, table in self.tables.items():
            items.append(table.table_arn)
            if table_props(TABLE_MODELS[logical])["gsis"]:
                items.append(f"{table.table_arn}/index/*")
        role.add_to_policy(iam.PolicyStatement(actions=TABLE_ACTIONS, resources=items))
        for logical in STREAM_ENV:
            self.tables[logical].grant_stream_read(role)
        role.add_to_policy(iam.PolicyStatement(actions=["s3:GetObject", "s3:PutObject"],
                                               resources=[self.data_bucket.arn_for_objects("charts/*")]))
        # the storefront's documents (the inventory and shop streams write them; a removed one is overwritten
        # with a tombstone, so the role needs no DeleteObject)
        role.add_to_policy(iam.PolicyStatement(actions=["s3:GetObject", "s3:PutObject"],
                                               resources=[self.data_bucket.arn_for_objects("storefront/*")]))
        # car photos: the presigned POST is signed by this role; HeadObject and presigned GETs need GetObject
        role.add_to_policy(iam.PolicyStatement(actions=["s3:GetObject", "s3:PutObject", "s3:PutObjectTagging",
                                                        "s3:DeleteObjectTagging"],
                                               resources=[self.data_bucket.arn_for_objects("photos/*")]))
        # help desk attachments (issue 11 item 2): the same presigned POST, HeadObject and presigned GETs
        role.add_to_policy(iam.PolicyStatement(actions=["s3:GetObject", "s3:PutObject"],
                                               resources=[self.data_bucket.arn_for_objects("attachments/*")]))
        # both land under pending/ first (the presigned POST), read there (HeadObject) and copied out on
        # confirmation (core.uploads); what is never confirmed expires there (the pending-uploads rule)
        role.add_to_policy(iam.PolicyStatement(actions=["s3:GetObject", "s3:PutObject"],
                                               resources=[self.data_bucket.arn_for_objects("pending/*")]))
        # the browser POSTs uploads (car photos, attachments) straight to the data bucket: S3 must answer
        # its CORS. Any origin: the presigned policy is the authorization (key, type, size, expiry), and the
        # dashboard's origin cannot be named here (the distribution already refers to this bucket).
        self.data_bucket.add_cors_rule(allowed_methods=[s3.HttpMethods.POST], allowed_origins=["*"],
                                       allowed_headers=["*"], max_age=3000)
        # the public car listing's shards, written by the cars stream (served by CloudFront from the site bucket)
        role.add_to_policy(iam.PolicyStatement(actions=["s3:GetObject", "s3:PutObject"],
                                               resources=[self.site_bucket.arn_for_objects(f"{LISTING_PREFIX}/*")]))
        # a listed car's public photo copies are withdrawn when it leaves the listing (docs/cars.md "Photos")
        role.add_to_policy(iam.PolicyStatement(actions=["s3:DeleteObject"], resources=[
            self.site_bucket.arn_for_objects(f"{LISTING_PREFIX}/photos/*")]))
        # received email: read only, under the prefix SES writes to
        role.add_to_policy(iam.PolicyStatement(actions=["s3:GetObject"],
                                               resources=[self.data_bucket.arn_for_objects(INBOUND_PREFIX + "*")]))
        for identity in (self.sender, *self.sandbox_recipients):
            identity.grant_send_email(role)
        # texts (core.sms): SNS publishes to a phone number, which has no ARN to name
        role.add_to_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=["*"],
                                               conditions={"Bool": {"aws:SecureTransport": "true"}}))
        self.dlq.grant_send_messages(role)
        self._role = role
        return role

    def _configure_function(self, function: str) -> None:
        fn = self.chalice.get_resource(function)
        # Logs go to a group made here, with a retention, rather than one Lambda creates that never expires.
        fn.add_override("Properties.LoggingConfig", {"LogGroup": self.log_groups[function].log_group_name,
                                                     "LogFormat": "Text"})
        # An event source mapping is checked against the role's permissions when it is created:
        # the functions (and so their event sources) wait for the role's policy, not only the role.
        fn.add_resource_dependency(self._role.node.find_child("DefaultPolicy").node.default_child)

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

    def _configure_api(self, dashboard_origin: str) -> None:
        """Stage-wide throttling (the public sign-up and sign-in routes included; the order routes higher)
        and X-Ray on the REST API;
        the Cognito authorizer of every non-public route pointed at the user pool, and its 401 in the
        app's error shape with the dashboard's CORS and the security headers."""
        api = self.chalice.get_resource("RestAPI")
        api.add_override("Properties.MethodSettings", [{
            "ResourcePath": "/*", "HttpMethod": "*",
            "ThrottlingRateLimit": API_RATE_LIMIT, "ThrottlingBurstLimit": API_BURST_LIMIT}] + [{
            # a method setting names its resource with each "/" written "~1"
            "ResourcePath": path.replace("/", "~1"), "HttpMethod": method,
            "ThrottlingRateLimit": ORDER_RATE_LIMIT, "ThrottlingBurstLimit": ORDER_BURST_LIMIT}
            for path, method in ORDER_ROUTES])
        api.add_override("Properties.TracingEnabled", True)
        # `chalice package` wrote the placeholder ARN the app read at import (as with stream ARNs).
        api.add_override(f"Properties.DefinitionBody.securityDefinitions.{AUTHORIZER_NAME}."
                         "x-amazon-apigateway-authorizer.providerARNs", [self.user_pool.user_pool_arn])
        headers = {"Access-Control-Allow-Origin": cdk.Fn.join("", ["'", dashboard_origin, "'"]),
                   "X-Content-Type-Options": "'nosniff'", "Cache-Control": "'no-store'",
                   "Referrer-Policy": "'no-referrer'"}
        self.unauthorized_response = apigateway.CfnGatewayResponse(
            self, "UnauthorizedResponse", rest_api_id=api.ref, response_type="UNAUTHORIZED", status_code="401",
            response_parameters={f"gatewayresponse.header.{k}": v for k, v in headers.items()},
            response_templates={"application/json": json.dumps(
                {"error": {"code": "unauthorized", "message": "missing, invalid or expired token"}})})

    def _wire_user_pool_trigger(self) -> None:
        """The pool calls the app's trigger function on confirmation and sign-in (every user has a profile).

        The function's environment leaves out the pool's and client's ids (it needs neither): with them,
        the pool and its trigger would each depend on the other."""
        fn = self.chalice.get_resource(USER_POOL_TRIGGER)
        for name in ("TALLY_USER_POOL_ID", "TALLY_USER_POOL_CLIENT_ID"):
            fn.add_property_deletion_override(f"Environment.Variables.{name}")
        arn = fn.get_att("Arn").to_string()
        pool = self.user_pool.node.default_child
        for event in USER_POOL_TRIGGER_EVENTS:
            pool.add_property_override(f"LambdaConfig.{event}", arn)
        self.trigger_permission = lambda_.CfnPermission(
            self, "UserPoolInvokesTrigger", action="lambda:InvokeFunction", function_name=arn,
            principal="cognito-idp.amazonaws.com", source_arn=self.user_pool.user_pool_arn,
            source_account=self.account)

    def _wire_inbound_mail(self, mail_from: str) -> None:
        """SES receiving (issue 11 item 4): a receipt rule set whose rule takes the mail domain's email
        (spam and virus scanned), stores each raw message under inbound/ of the data bucket (CDK adds the
        bucket policy that lets SES put there, for this account only), and the bucket's notification of
        objects created under inbound/ invokes the app's inbound function. SES has one active rule set per
        region, which CloudFormation cannot choose: docs/infra.md says how to activate this one and point
        the domain's MX record at SES."""
        domain = mail_from.partition("@")[2]
        self.inbound_rules = ses.ReceiptRuleSet(self, "InboundMail", rules=[ses.ReceiptRuleOptions(
            recipients=[domain], scan_enabled=True, tls_policy=ses.TlsPolicy.REQUIRE,
            actions=[ses_actions.S3(bucket=self.data_bucket, object_key_prefix=INBOUND_PREFIX)])])
        fn = self.chalice.get_resource(INBOUND_FUNCTION)
        inbound = lambda_.Function.from_function_attributes(
            self, "InboundMailFunction", function_arn=fn.get_att("Arn").to_string(), same_environment=True)
        self.data_bucket.add_event_notification(s3.EventType.OBJECT_CREATED, s3n.LambdaDestination(inbound),
                                                s3.NotificationKeyFilter(prefix=INBOUND_PREFIX))

    def _wire_inbound_sms(self) -> None:
        """Received texts (issue 13 item 7): a topic End User Messaging SMS (service principal
        sms-voice.amazonaws.com, this account only) may publish to, subscribed by the app's inbound text
        function. The origination number's two-way messaging is pointed at this topic once it is bought
        (docs/shop.md, "Texts"): buying a number is not something a stack should do on every deploy."""
        self.inbound_sms_topic = sns.Topic(self, "InboundSms", display_name="Tally received texts", enforce_ssl=True)
        self.inbound_sms_topic.add_to_resource_policy(iam.PolicyStatement(
            actions=["sns:Publish"], principals=[iam.ServicePrincipal("sms-voice.amazonaws.com")],
            resources=[self.inbound_sms_topic.topic_arn],
            conditions={"StringEquals": {"aws:SourceAccount": self.account}}))
        fn = self.chalice.get_resource(INBOUND_SMS_FUNCTION)
        # the ARN spelled from the function's name: cfn-lint (W3694) takes a GetAtt of a SAM function for
        # something other than a Lambda function
        arn = cdk.Fn.sub("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${Fn}",
                         {"Fn": fn.ref})
        inbound = lambda_.Function.from_function_attributes(self, "InboundSmsFunction", function_arn=arn,
                                                            same_environment=True)
        self.inbound_sms_topic.add_subscription(subscriptions.LambdaSubscription(inbound))
        cdk.CfnOutput(self, "InboundSmsTopicArn", value=self.inbound_sms_topic.topic_arn,
                      description="Two-way SMS destination of the origination number (End User Messaging SMS)")

    def _alarms(self, functions: list[str], alarm_email: str | None) -> None:
        self.alarm_topic = sns.Topic(self, "Alarms", display_name="Tally alarms", enforce_ssl=True)
        if alarm_email:
            self.alarm_topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        action = cw_actions.SnsAction(self.alarm_topic)
        alarms = [cloudwatch.Alarm(
            self, "StreamFailuresAlarm", metric=self.dlq.metric_approximate_number_of_messages_visible(
                period=cdk.Duration.minutes(5), statistic="Maximum"),
            threshold=1, evaluation_periods=1, treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description="A stream record failed all retries and went to the dead-letter queue")]
        for function in functions:
            fn_name = self.chalice.get_resource(function).ref
            alarms.append(cloudwatch.Alarm(
                self, f"{function}Errors",
                metric=cloudwatch.Metric(namespace="AWS/Lambda", metric_name="Errors", statistic="Sum",
                                         dimensions_map={"FunctionName": fn_name},
                                         period=cdk.Duration.minutes(5)),
                threshold=1, evaluation_periods=1, treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description=f"{function} raised errors"))
        for function in STREAM_HANDLERS:
            # A stream handler falling behind: records wait (and, past an hour, go to the queue above).
            alarms.append(cloudwatch.Alarm(
                self, f"{function}IteratorAge",
                metric=cloudwatch.Metric(namespace="AWS/Lambda", metric_name="IteratorAge", statistic="Maximum",
                                         dimensions_map={"FunctionName": self.chalice.get_resource(function).ref},
                                         period=cdk.Duration.minutes(5)),
                threshold=cdk.Duration.minutes(10).to_milliseconds(), evaluation_periods=2,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description=f"{function} is more than 10 minutes behind its stream"))
        for alarm in alarms:
            alarm.add_alarm_action(action)

    def _suppressions(self) -> None:
        """cdk-nag findings acknowledged, each with its reason and, for wildcards, its evidence.

        cdk-nag 3 runs as a CDK validation plugin: findings are acknowledged with CDK's
        `Validations.of(scope).acknowledge` (it has no NagSuppressions any more)."""
        def ack(scope, rule: str, reason: str) -> None:
            cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))

        def ref(construct) -> str:
            return f"<{self.get_logical_id(construct.node.default_child)}.Arn>"

        region = "<AWS::Region>" if cdk.Token.is_unresolved(self.region) else self.region
        iam5 = "AwsSolutions::AwsSolutions-IAM5"
        ack(self._role, f"{iam5}[Resource::*]", "X-Ray's PutTraceSegments and PutTelemetryRecords and DynamoDB's "
            "ListStreams take no resource.")
        for table in self.tables.values():
            ack(self._role, f"{iam5}[Resource::{ref(table)}/index/*]",
                "Queries on this table's own secondary indexes (listed in docs/architecture.md).")
        ack(self._role, f"{iam5}[Resource::{ref(self.data_bucket)}/charts/*]",
            "Get and put of chart JSON under the charts/ prefix of the data bucket only.")
        ack(self._role, f"{iam5}[Resource::{ref(self.data_bucket)}/storefront/*]",
            "The shop's storefront documents under the storefront/ prefix of the data bucket only: the inventory "
            "and shop streams put them, CloudFront serves them (docs/shop.md).")
        ack(self._role, f"{iam5}[Resource::{ref(self.data_bucket)}/photos/*]",
            "Car photos under the photos/ prefix of the data bucket only: the presigned upload POSTs the role "
            "signs (PutObject), HeadObject and presigned GETs (GetObject); keys are per organisation and car.")
        ack(self._role, f"{iam5}[Resource::{ref(self.data_bucket)}/attachments/*]",
            "Help desk attachments under the attachments/ prefix of the data bucket only: the presigned upload "
            "POSTs the role signs (PutObject), HeadObject and presigned GETs (GetObject); keys per organisation and ticket.")
        ack(self._role, f"{iam5}[Resource::{ref(self.data_bucket)}/pending/*]",
            "Browser uploads (car photos, help desk attachments) under the pending/ prefix of the data bucket "
            "only: the presigned POSTs the role signs (PutObject), HeadObject and the copy out on confirmation "
            "(GetObject); the prefix expires after a day (the pending-uploads lifecycle rule).")
        ack(self._role, f"{iam5}[Resource::{ref(self.site_bucket)}/{LISTING_PREFIX}/*]",
            "The public car listing's JSON under public/cars/ of the site bucket only: the cars stream puts its "
            "shards there and reads nothing else of the site.")
        ack(self._role, f"{iam5}[Resource::{ref(self.site_bucket)}/{LISTING_PREFIX}/photos/*]",
            "Withdraws a car's public photo copies (DeleteObject) under public/cars/photos/ only, when the car leaves "
            "the listing.")
        notifier = self.node.try_find_child("BucketNotificationsHandler050a0587b7544547bf325f094a3db834")
        if notifier is not None:
            reason = ("CDK's bucket-notifications custom resource, which sets the data bucket's notification of "
                      "received email (a bucket and the function it notifies cannot reference each other directly).")
            ack(notifier, "AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
                "AWSLambdaBasicExecutionRole]", reason)
            ack(notifier, f"{iam5}[Resource::*]", reason)
        ack(self._role, f"{iam5}[Resource::{ref(self.data_bucket)}/inbound/*]",
            "Reads received emails (GetObject only) under the inbound/ prefix SES receiving writes to; their keys "
            "are SES message ids.")
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
        ack(self, "AwsSolutions::AwsSolutions-L1", "The only CDK-made function is BucketDeployment's, whose runtime "
            "CDK chooses; the app's functions run the Python that packages them (3.11).")
        ack(self.user_pool, "AwsSolutions::AwsSolutions-COG2", "MFA is optional (TOTP) for a consumer app; threat "
            "protection (Plus plan, full function) covers risky sign-ins.")
        ack(self.dlq, "AwsSolutions::AwsSolutions-SQS3", "This queue is itself the stream handlers' failure destination.")
        ack(self.alarm_topic, "AwsSolutions::AwsSolutions-SNS2", "Alarm notifications carry no data, only alarm "
            "names; CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, and a customer key "
            "for this alone is not worth its cost.")
        ack(self._role, f"{iam5}[Resource::*]", "SNS Publish to a phone number (texts, core.sms) names no "
            "resource: a phone number has no ARN.")
        ack(self.inbound_sms_topic, "AwsSolutions::AwsSolutions-SNS2", "End User Messaging SMS cannot publish to a "
            "topic encrypted with the AWS-managed SNS key; a customer key (its policy granting sms-voice) is the step "
            "up when texts must be encrypted at rest in SNS (they are kept only in the shop table).")
        ack(self.distribution, "AwsSolutions::AwsSolutions-CFR1", "No geo restriction: the dashboard serves users "
            "anywhere.")
        ack(self.distribution, "AwsSolutions::AwsSolutions-CFR2", "No WAF yet: the site is static files and the API "
            "authenticates every non-public route and is throttled at its stage.")
        ack(self.distribution, "AwsSolutions::AwsSolutions-CFR4", "The distribution uses CloudFront's default "
            "*.cloudfront.net certificate, whose security policy CloudFront fixes; TLSv1.2_2021 comes with a custom "
            "domain and its ACM certificate (docs/infra.md). Viewers are redirected to HTTPS and HSTS is sent.")
