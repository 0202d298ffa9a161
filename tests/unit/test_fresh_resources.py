"""The `aws` fixture (tests/mocked.py) gives every test the app's tables new and empty by deep-copying the
session's first real creation: what a test left behind (items, stream records, files) is gone, and the copied
tables are the tables CreateTable makes (same description, streams and indexes)."""
from __future__ import annotations

import boto3

from tests.mocked import create_fresh_resources, delete_fresh_resources
from tests.support import StreamReader, create_resources, delete_resources

VOLATILE = {"CreationDateTime", "LatestStreamLabel", "LatestStreamArn", "TableId"}


def _tables() -> list[str]:
    from chalicelib.tables import TABLE_MODELS

    return [model.Meta.table_name for model in TABLE_MODELS.values()]


def _descriptions(ddb) -> dict[str, dict]:
    out = {}
    for name in _tables():
        table = ddb.describe_table(TableName=name)["Table"]
        out[name] = {k: v for k, v in table.items() if k not in VOLATILE}
    return out


def test_each_test_starts_with_empty_tables_streams_and_bucket_as_create_table_makes_them(aws):
    from chalicelib.core.settings import get_settings

    ddb = boto3.client("dynamodb", region_name="us-east-1")
    s3 = boto3.client("s3", region_name="us-east-1")
    bucket = get_settings().bucket
    copied = _descriptions(ddb)
    streams = [name for name in _tables() if "LatestStreamArn" in ddb.describe_table(TableName=name)["Table"]]
    assert len(streams) >= 5  # expenses, inventory, helpdesk, shop, outbox (and cars) have streams
    for name in _tables():
        keys = {a["AttributeName"]: {a["AttributeType"]: "1" if a["AttributeType"] == "N" else "x"}
                for a in ddb.describe_table(TableName=name)["Table"]["AttributeDefinitions"]}
        ddb.put_item(TableName=name, Item=keys)
    s3.put_object(Bucket=bucket, Key="left/behind.txt", Body=b"x")
    assert all(StreamReader(name).records() for name in streams)

    delete_fresh_resources()
    create_fresh_resources()  # as the next test's fixture does

    for name in _tables():
        assert ddb.scan(TableName=name)["Count"] == 0, name
        if "LatestStreamArn" in ddb.describe_table(TableName=name)["Table"]:
            assert StreamReader(name).records() == [], name
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    assert _descriptions(ddb) == copied

    # and the copies are what CreateTable through the app's models makes
    delete_resources()
    create_resources()
    assert _descriptions(ddb) == copied
