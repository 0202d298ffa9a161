"""Shared test fixtures' machinery: AWS resources in moto, users, stream draining."""
from __future__ import annotations

import boto3

from local.lambda_events import stream_record


def create_pool() -> tuple[str, str]:
    idp = boto3.client("cognito-idp", region_name="us-east-1")
    pool = idp.create_user_pool(PoolName="tally-test", UsernameAttributes=["email"],
                                AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client = idp.create_user_pool_client(
        UserPoolId=pool, ClientName="dashboard",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        ReadAttributes=["email", "email_verified", "name"],  # as Cognito gives them by default
    )["UserPoolClient"]["ClientId"]
    return pool, client


def create_resources() -> None:
    from chalicelib.core.settings import get_settings
    from chalicelib.tables import TABLE_MODELS

    for model in TABLE_MODELS.values():
        if not model.exists():
            model.create_table(wait=True)
    s = get_settings()
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=s.bucket)
    boto3.client("ses", region_name="us-east-1").verify_email_identity(EmailAddress=s.mail_from)


def delete_resources() -> None:
    from chalicelib.core.settings import get_settings
    from chalicelib.tables import TABLE_MODELS

    for model in TABLE_MODELS.values():
        if model.exists():
            model.delete_table()
    s3 = boto3.resource("s3", region_name="us-east-1")
    bucket = s3.Bucket(get_settings().bucket)
    bucket.objects.all().delete()
    bucket.delete()


class StreamReader:
    """Reads a moto table stream and hands out Lambda-shaped DynamoDB event batches."""

    def __init__(self, table_name: str):
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        self.arn = ddb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
        self.streams = boto3.client("dynamodbstreams", region_name="us-east-1")
        self.shard = self.streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"][0]["ShardId"]
        self.last: str | None = None

    def records(self) -> list[dict]:
        """Everything after the last record read. A fresh iterator each time: moto swaps a table for
        a copy when it cancels a transaction, and an old iterator would keep reading the old copy."""
        if self.last is None:
            it = self.streams.get_shard_iterator(StreamArn=self.arn, ShardId=self.shard,
                                                 ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        else:
            it = self.streams.get_shard_iterator(StreamArn=self.arn, ShardId=self.shard,
                                                 ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                                 SequenceNumber=self.last)["ShardIterator"]
        out = []
        while True:
            resp = self.streams.get_records(ShardIterator=it, Limit=1000)
            it = resp["NextShardIterator"]
            if not resp["Records"]:
                return out
            out.extend(stream_record(r, self.arn, "us-east-1") for r in resp["Records"])
            self.last = out[-1]["dynamodb"]["SequenceNumber"]


def event(records: list[dict]) -> dict:
    return {"Records": records}


def object_headers(key: str, bucket: str | None = None) -> tuple[str, str, str]:
    """(Content-Type, Cache-Control, server-side encryption) of an object in the data bucket (or `bucket`):
    what the CDN serves a public document with."""
    from chalicelib.core.aws import client
    from chalicelib.core.settings import get_settings

    head = client("s3").head_object(Bucket=bucket or get_settings().bucket, Key=key)
    return head["ContentType"], head.get("CacheControl", ""), head.get("ServerSideEncryption", "")
