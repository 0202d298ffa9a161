"""The local stack's snapshot copies items copy-on-write (local/moto_fixes.py ItemsCopy): the moto lock
is held only to collect references, and writes made while the copy is serialised do not leak into it."""
from __future__ import annotations

import threading
import uuid

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from local import moto_fixes

REGION = "us-east-1"


@pytest.fixture
def table(aws_mock):
    moto_fixes.install()
    name = f"snap-{uuid.uuid4().hex[:8]}"
    ddb = boto3.client("dynamodb", region_name=REGION)
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "sk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                {"AttributeName": "sk", "KeyType": "RANGE"}])
    for k, n in (("a", "1"), ("b", "2"), ("c", "3")):
        ddb.put_item(TableName=name, Item={"pk": {"S": "P"}, "sk": {"S": k}, "n": {"N": n},
                                           "m": {"M": {"x": {"N": n}}}})
    yield name
    ddb.delete_table(TableName=name)


def state(rendered: list[dict]) -> dict[str, tuple[str, str]]:
    return {i["sk"]["S"]: (i["n"]["N"], i["m"]["M"]["x"]["N"]) for i in rendered}


def test_writes_after_the_copy_is_taken_do_not_reach_it(table):
    ddb = boto3.client("dynamodb", region_name=REGION)
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]
    items_copy = moto_fixes.ItemsCopy.take(backend, [table])
    assert moto_fixes.ItemsCopy.active is items_copy
    # in place (update_item, also inside a transaction), replaced (put), removed (delete), added
    ddb.update_item(TableName=table, Key={"pk": {"S": "P"}, "sk": {"S": "a"}},
                    UpdateExpression="SET n = n + :one, m.x = :nine",
                    ExpressionAttributeValues={":one": {"N": "1"}, ":nine": {"N": "9"}})
    ddb.transact_write_items(TransactItems=[{"Update": {
        "TableName": table, "Key": {"pk": {"S": "P"}, "sk": {"S": "b"}},
        "UpdateExpression": "SET n = :z", "ExpressionAttributeValues": {":z": {"N": "0"}}}}])
    ddb.put_item(TableName=table, Item={"pk": {"S": "P"}, "sk": {"S": "c"}, "n": {"N": "30"},
                                        "m": {"M": {"x": {"N": "30"}}}})
    ddb.delete_item(TableName=table, Key={"pk": {"S": "P"}, "sk": {"S": "a"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "P"}, "sk": {"S": "d"}, "n": {"N": "4"},
                                        "m": {"M": {"x": {"N": "4"}}}})
    assert state(items_copy.render()[table]) == {"a": ("1", "1"), "b": ("2", "2"), "c": ("3", "3")}
    assert moto_fixes.ItemsCopy.active is None  # done: later updates convert nothing
    again = moto_fixes.ItemsCopy.take(backend, [table])
    assert state(again.render()[table]) == {"b": ("0", "2"), "c": ("30", "30"), "d": ("4", "4")}


def test_an_update_racing_the_render_waits_for_its_item_and_the_copy_stays_consistent(table):
    ddb = boto3.client("dynamodb", region_name=REGION)
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]
    for i in range(300):
        ddb.put_item(TableName=table, Item={"pk": {"S": "Q"}, "sk": {"S": f"{i:04d}"}, "n": {"N": "0"},
                                            "m": {"M": {"x": {"N": "0"}}}})
    items_copy = moto_fixes.ItemsCopy.take(backend, [table])
    stop = threading.Event()

    def writer():
        i = 0
        while not stop.is_set():
            ddb.update_item(TableName=table, Key={"pk": {"S": "Q"}, "sk": {"S": f"{i % 300:04d}"}},
                            UpdateExpression="SET n = n + :one, m.x = m.x + :one",
                            ExpressionAttributeValues={":one": {"N": "1"}})
            i += 1

    t = threading.Thread(target=writer)
    t.start()
    try:
        rendered = items_copy.render()[table]
    finally:
        stop.set()
        t.join()
    q = {k: v for k, v in state(rendered).items() if len(k) == 4}
    assert len(q) == 300 and set(q.values()) == {("0", "0")}
