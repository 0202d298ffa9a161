"""The local stack's fixes to moto (local/moto_fixes.py), against moto in-process: stream records are
trimmed after 24 hours without a worker reading at its checkpoint re-reading or skipping anything,
a cancelled transaction rolls back in place (same table, same stream, iterators still valid), and
shard iterators expire."""
from __future__ import annotations

import gc
import uuid
from datetime import timedelta

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.utils import utcnow
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodbstreams.models import dynamodbstreams_backends

from local import moto_fixes
from local.state import Checkpoints
from local.workers import StreamWorker

REGION = "us-east-1"


@pytest.fixture
def table(aws_mock):
    moto_fixes.install()  # as local.embedded_aws does (tests/conftest.py imports it)
    name = f"streams-{uuid.uuid4().hex[:8]}"
    ddb = boto3.client("dynamodb", region_name=REGION)
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                {"AttributeName": "sk", "KeyType": "RANGE"}],
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    yield name
    ddb.delete_table(TableName=name)


def put(name: str, *keys: str) -> None:
    ddb = boto3.client("dynamodb", region_name=REGION)
    for k in keys:
        ddb.put_item(TableName=name, Item={"pk": {"S": "P"}, "sk": {"S": k}, "n": {"N": "1"}})


def moto_table(name: str):
    return dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].tables[name]


def age(name: str, count: int, hours: float) -> None:
    """Make the first `count` stream records `hours` old."""
    for record in moto_table(name).stream_shard.items[:count]:
        record.created = utcnow() - timedelta(hours=hours)


class Collector:
    def __init__(self) -> None:
        self.keys: list[str] = []

    def __call__(self, event, context):
        self.keys += [r["dynamodb"]["Keys"]["sk"]["S"] for r in event["Records"]]
        return {"batchItemFailures": []}


def worker(name: str, handler, tmp_path, checkpoints: Checkpoints) -> StreamWorker:
    arn = boto3.client("dynamodb", region_name=REGION).describe_table(TableName=name)["Table"]["LatestStreamArn"]
    return StreamWorker("fn", handler, arn, 100, boto3.session.Session(region_name=REGION), REGION,
                        tmp_path / "dead-letters.jsonl", checkpoints)


def drain(w: StreamWorker) -> None:
    for _ in range(50):
        if not w.step() and not w.pending:
            return


def test_records_older_than_24_hours_are_trimmed_and_a_worker_at_its_checkpoint_neither_rereads_nor_skips(
        table, tmp_path):
    put(table, *[f"k{i:02d}" for i in range(10)])
    shard = moto_table(table).stream_shard
    arn = boto3.client("dynamodb", region_name=REGION).describe_table(TableName=table)["Table"]["LatestStreamArn"]
    checkpoints = Checkpoints(tmp_path, [arn])
    seen = Collector()
    w = worker(table, seen, tmp_path, checkpoints)
    drain(w)
    assert seen.keys == [f"k{i:02d}" for i in range(10)]
    handled = w.last_seq
    first = shard.starting_sequence_number
    assert handled == first + 9

    put(table, "k10", "k11", "k12")  # not handled yet
    age(table, 12, hours=25)  # k00..k11 are over a day old; k12 is new
    numbers = {r.record["dynamodb"]["SequenceNumber"]: r.record["dynamodb"]["Keys"]["sk"]["S"] for r in shard.items}
    # a reader's iterator taken before the trim, positioned at the first unhandled record
    streams = boto3.client("dynamodbstreams", region_name=REGION)
    before = streams.get_shard_iterator(StreamArn=arn, ShardId=shard.id, ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                        SequenceNumber=str(handled))["ShardIterator"]

    # a record younger than 24 h stays; an old one the worker has not handled stays too
    assert moto_fixes.trim_stream(shard, utcnow(), handled) == 10
    assert [r.record["dynamodb"]["Keys"]["sk"]["S"] for r in shard.items] == ["k10", "k11", "k12"]
    assert shard.starting_sequence_number == first + 10
    # every remaining record keeps its sequence number
    assert all(numbers[r.record["dynamodb"]["SequenceNumber"]] == r.record["dynamodb"]["Keys"]["sk"]["S"]
               for r in shard.items)

    # the running worker goes on from its checkpoint: the three new records, once each
    drain(w)
    assert seen.keys[10:] == ["k10", "k11", "k12"]
    # an iterator taken before the trim still reads from where it was
    got = streams.get_records(ShardIterator=before)["Records"]
    assert [r["dynamodb"]["Keys"]["sk"]["S"] for r in got] == ["k10", "k11", "k12"]
    # a restarted worker resumes after its checkpoint: nothing again, nothing skipped
    put(table, "k13")
    again = Collector()
    drain(worker(table, again, tmp_path, Checkpoints(tmp_path, [arn])))
    assert again.keys == ["k13"]
    # TRIM_HORIZON is now the first record kept
    horizon = streams.get_shard_iterator(StreamArn=arn, ShardId=shard.id,
                                         ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert [r["dynamodb"]["Keys"]["sk"]["S"] for r in streams.get_records(ShardIterator=horizon)["Records"]] == [
        "k10", "k11", "k12", "k13"]

    # once handled, the old ones go; new sequence numbers continue where they were
    age(table, 2, hours=30)
    assert moto_fixes.trim_stream(shard, utcnow(), w.last_seq) == 2
    put(table, "k14")
    assert shard.items[-1].record["dynamodb"]["SequenceNumber"] == str(first + 14)
    # an iterator behind the horizon reads from the horizon instead of failing
    stale = streams.get_shard_iterator(StreamArn=arn, ShardId=shard.id, ShardIteratorType="AT_SEQUENCE_NUMBER",
                                       SequenceNumber=str(first))["ShardIterator"]
    assert [r["dynamodb"]["Keys"]["sk"]["S"] for r in streams.get_records(ShardIterator=stale)["Records"]] == [
        "k12", "k13", "k14"]


def test_nothing_is_trimmed_before_a_worker_has_handled_it(table):
    put(table, "a", "b")
    age(table, 2, hours=48)
    shard = moto_table(table).stream_shard
    assert moto_fixes.trim_stream(shard, utcnow(), None) == 0
    assert moto_fixes.trim_stream(shard, utcnow(), shard.starting_sequence_number) == 1
    assert [r.record["dynamodb"]["Keys"]["sk"]["S"] for r in shard.items] == ["b"]


def test_a_cancelled_transaction_rolls_back_in_place_and_the_stream_goes_on(table, tmp_path):
    ddb = boto3.client("dynamodb", region_name=REGION)
    put(table, "a", "b")
    moto = moto_table(table)
    shard = moto.stream_shard
    seen = Collector()
    arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    w = worker(table, seen, tmp_path, Checkpoints(tmp_path, [arn]))
    drain(w)
    records = len(shard.items)

    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": table, "Key": {"pk": {"S": "P"}, "sk": {"S": "a"}},
                        "UpdateExpression": "SET n = n + :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"Put": {"TableName": table, "Item": {"pk": {"S": "P"}, "sk": {"S": "c"}}}},
            {"Delete": {"TableName": table, "Key": {"pk": {"S": "P"}, "sk": {"S": "b"}}}},
            {"ConditionCheck": {"TableName": table, "Key": {"pk": {"S": "P"}, "sk": {"S": "zz"}},
                                "ConditionExpression": "attribute_exists(pk)"}},
        ])
    assert moto_table(table) is moto and moto.stream_shard is shard  # the same table: iterators stay valid
    assert len(shard.items) == records  # the cancelled writes left no stream record
    items = {i["sk"]["S"]: i["n"]["N"] for i in ddb.query(
        TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "P"}})["Items"]}
    assert items == {"a": "1", "b": "1"}  # the in-place update undone, the put and the delete too

    ddb.transact_write_items(TransactItems=[
        {"Update": {"TableName": table, "Key": {"pk": {"S": "P"}, "sk": {"S": "a"}},
                    "UpdateExpression": "SET n = n + :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}},
        {"Put": {"TableName": table, "Item": {"pk": {"S": "P"}, "sk": {"S": "c"}, "n": {"N": "5"}}}},
    ])
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "P"}, "sk": {"S": "a"}})["Item"]["n"]["N"] == "2"
    drain(w)  # the worker, on its old iterator chain, sees the committed writes once
    assert seen.keys == ["a", "b", "a", "c"]


def test_shard_iterators_expire_after_15_minutes(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(moto_fixes.time, "monotonic", lambda: clock[0])
    iterators = moto_fixes.ExpiringIterators()
    iterators["old"] = 1
    clock[0] += moto_fixes.ITERATOR_TTL - 1
    iterators["newer"] = 2
    assert set(iterators) == {"old", "newer"}
    clock[0] += 2
    iterators["newest"] = 3
    assert set(iterators) == {"newer", "newest"}


def test_missing_keys_leave_no_empty_entries_once_pruned(table):
    ddb = boto3.client("dynamodb", region_name=REGION)
    put(table, "a")
    for i in range(5):
        ddb.get_item(TableName=table, Key={"pk": {"S": f"nobody-{i}"}, "sk": {"S": "x"}})
    moto = moto_table(table)
    assert moto_fixes.prune_empty_hash_keys(moto) == 5
    assert list(moto.items) == [next(iter(moto.items))] and len(moto.all_items()) == 1


def test_moto_tracks_only_the_model_instances_still_in_use(table, tmp_path):
    """moto's BaseModel kept every instance ever made (every overwritten item, every shard iterator);
    /moto-api/data.json still lists the ones a backend holds."""
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodbstreams.models import ShardIterator

    put(table, "a")
    gc.collect()
    items_before, iterators_before = len(list(Item.instances_tracked)), len(list(ShardIterator.instances_tracked))
    seen = Collector()
    arn = boto3.client("dynamodb", region_name=REGION).describe_table(TableName=table)["Table"]["LatestStreamArn"]
    w = worker(table, seen, tmp_path, Checkpoints(tmp_path, [arn]))
    for _ in range(40):
        put(table, "a")  # each put makes a new Item and drops the one it replaces
        drain(w)  # each GetRecords makes a new ShardIterator; the worker keeps only the last
    gc.collect()
    assert len(seen.keys) == 41
    assert len(list(Item.instances_tracked)) <= items_before + 2
    [live] = moto_table(table).all_items()
    assert any(i is live for i in Item.instances_tracked)  # what the table holds is still listed
    # iterators live 15 minutes in the backend's registry (see ExpiringIterators), but no longer forever
    backend_iterators = len(dynamodbstreams_backends[DEFAULT_ACCOUNT_ID][REGION].shard_iterators)
    assert len(list(ShardIterator.instances_tracked)) <= iterators_before + backend_iterators + 2


def test_a_cancelled_transaction_undoes_an_upsert_and_a_malformed_action_leaves_nothing_behind(table):
    ddb = boto3.client("dynamodb", region_name=REGION)
    put(table, "a")
    moto = moto_table(table)
    with pytest.raises(ddb.exceptions.ClientError):
        ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": table, "Key": {"pk": {"S": "P"}, "sk": {"S": "a"}},
                        "UpdateExpression": "SET n = n + :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"Update": {"TableName": table, "Key": {"pk": {"S": "Q"}, "sk": {"S": "new"}},  # an upsert
                        "UpdateExpression": "SET n = :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"Put": {"TableName": table, "Item": {"pk": {"S": "P"}}}},  # no sort key: refused
        ])
    assert moto_table(table) is moto
    assert [(i["pk"]["S"], i["sk"]["S"], i["n"]["N"]) for i in ddb.scan(TableName=table)["Items"]] == [("P", "a", "1")]
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": table, "Key": {"pk": {"S": "Q"}, "sk": {"S": "new"}},
                        "UpdateExpression": "SET n = :one", "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"ConditionCheck": {"TableName": table, "Key": {"pk": {"S": "P"}, "sk": {"S": "zz"}},
                                "ConditionExpression": "attribute_exists(pk)"}},
        ])
    assert [i["sk"]["S"] for i in ddb.scan(TableName=table)["Items"]] == ["a"]
    assert len(moto.items) == 1  # the upserted partition is gone, not left empty


def test_the_moto_dashboard_lists_items_still_held_not_those_overwritten(table):
    import json

    from moto.moto_api._internal.responses import MotoAPIResponse

    def listed_items() -> int:
        gc.collect()
        status, _, body = MotoAPIResponse().model_data(None, "", {})
        assert status == 200
        return len(json.loads(body)["dynamodb"]["Item"])

    put(table, "a", "b")
    held = listed_items()
    assert held >= 2
    for _ in range(5):
        put(table, "a", "b")  # ten more puts of the same two items
    assert listed_items() == held
