"""Fixtures for tests against moto in-process: the app, users with real Cognito tokens, stream pumps."""
from __future__ import annotations

import copy
import itertools
import json
from dataclasses import dataclass

import pytest
from moto import mock_aws

from tests.support import StreamReader, create_pool, create_resources, event

_emails = itertools.count(1)


@pytest.fixture(scope="session")
def aws_mock():
    m = mock_aws()
    m.start()
    create_pool()
    yield
    m.stop()


# The app's tables as create_table leaves them (empty, streams on), copied once per session from the first
# real creation: every test then starts from a deep copy of them, which is what moto's own create_table
# would have built (its DeleteTable pops the table, CreateTable puts a new Table in the backend's dict),
# without the ~0.5-1.5 s per test of 8 DescribeTable + 8 CreateTable + 8 DeleteTable calls through
# botocore and moto's serializers (82 % of an API module's time, measured in session 18).
_PRISTINE_TABLES: dict[str, object] = {}


def _dynamodb_backend():
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]


def _app_table_names() -> list[str]:
    from chalicelib.tables import TABLE_MODELS

    return [model.Meta.table_name for model in TABLE_MODELS.values()]


def create_fresh_resources() -> None:
    """create_resources(), with the tables deep-copied from the session's first real creation."""
    backend = _dynamodb_backend()
    names = _app_table_names()
    if not _PRISTINE_TABLES or set(_PRISTINE_TABLES) != set(names):
        create_resources()  # through the API, as the app's models create them
        _PRISTINE_TABLES.clear()
        _PRISTINE_TABLES.update({name: copy.deepcopy(backend.tables[name]) for name in names})
        return
    for name in names:
        assert name not in backend.tables, f"table {name} left over from an earlier test"
        backend.tables[name] = copy.deepcopy(_PRISTINE_TABLES[name])
    _s3().create_bucket(Bucket=_settings().bucket)
    _ses().verify_email_identity(EmailAddress=_settings().mail_from)


def delete_fresh_resources() -> None:
    """delete_resources(): the tables dropped from the backend (what moto's DeleteTable does), the bucket
    emptied and deleted through the API."""
    backend = _dynamodb_backend()
    for name in _app_table_names():
        backend.tables.pop(name, None)
    s3, bucket = _s3(), _settings().bucket
    while True:
        keys = [{"Key": o["Key"]} for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        if not keys:
            break
        s3.delete_objects(Bucket=bucket, Delete={"Objects": keys})
    s3.delete_bucket(Bucket=bucket)


def _settings():
    from chalicelib.core.settings import get_settings

    return get_settings()


_clients: dict[str, object] = {}


def _client(service: str):
    if service not in _clients:
        import boto3

        _clients[service] = boto3.client(service, region_name="us-east-1")
    return _clients[service]


def _s3():
    return _client("s3")


def _ses():
    return _client("ses")


@pytest.fixture
def aws(aws_mock):
    from chalicelib.core import clock

    create_fresh_resources()
    ses_backend().sent_messages.clear()
    yield
    clock.set_now(None)
    delete_fresh_resources()


@pytest.fixture
def chalice_app(aws):
    import app as app_module

    return app_module.app


@pytest.fixture
def client(chalice_app):
    from chalice.test import Client

    with Client(chalice_app) as c:
        yield c


@dataclass
class Caller:
    client: object
    token: str | None
    email: str
    sub: str = ""

    def call(self, method: str, path: str, body=None, raw: bytes | None = None, headers=None):
        h = {"Content-Type": "application/json"}
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        h.update(headers or {})
        payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        resp = getattr(self.client.http, method.lower())(path, headers=h, body=payload)
        try:
            data = json.loads(resp.body) if resp.body else None
        except ValueError:
            data = resp.body
        return resp.status_code, data

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.call("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)


def sign_up(client, name: str = "user") -> Caller:
    email = f"{name}{next(_emails)}@example.com"
    anon = Caller(client, None, email)
    status, body = anon.post("/auth/sign-up", {"email": email, "password": "Passw0rd!long", "name": name})
    assert status == 201, body
    status, tokens = anon.post("/auth/sign-in", {"email": email, "password": "Passw0rd!long"})
    assert status == 200, tokens
    return Caller(client, tokens["id_token"], email, body["sub"])


@pytest.fixture
def alice(client) -> Caller:
    return sign_up(client, "alice")


@pytest.fixture
def bob(client) -> Caller:
    return sign_up(client, "bob")


class Pump:
    """Delivers the tables' stream records to the app's stream handlers, as Lambda would."""

    def __init__(self, client):
        from chalicelib.core.settings import get_settings

        s = get_settings()
        self.client = client
        self.expenses = StreamReader(s.expenses_table)
        self.outbox = StreamReader(s.outbox_table)
        self.inventory = StreamReader(s.inventory_table)
        self.helpdesk = StreamReader(s.helpdesk_table)
        self.shop = StreamReader(s.shop_table)
        self.last_expenses_batch: list[dict] = []

    def invoke(self, name: str, records: list[dict]) -> dict:
        return self.client.lambda_.invoke(name, event(records)).payload

    def expenses_batch(self) -> list[dict]:
        self.last_expenses_batch = self.expenses.records()
        return self.last_expenses_batch

    def run(self) -> None:
        """Drain both streams until nothing is left."""
        while True:
            recs = self.expenses_batch()
            if recs:
                assert self.invoke("on_expenses_stream", recs) == {"batchItemFailures": []}
            inv = self.inventory.records()
            if inv:
                assert self.invoke("on_inventory_stream", inv) == {"batchItemFailures": []}
            desk = self.helpdesk.records()
            if desk:
                assert self.invoke("on_helpdesk_stream", desk) == {"batchItemFailures": []}
            shop = self.shop.records()
            if shop:
                assert self.invoke("on_shop_stream", shop) == {"batchItemFailures": []}
            out = self.outbox.records()
            if out:
                assert self.invoke("on_outbox_stream", out) == {"batchItemFailures": []}
            if not recs and not inv and not desk and not shop and not out:
                return


@pytest.fixture
def pump(client) -> Pump:
    return Pump(client)


def sent_emails() -> list[dict]:
    from chalicelib.core.models import OutboxMessage

    return [m.attribute_values for m in OutboxMessage.by_status.query("sent")]


def ses_backend():
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"]


def ses_messages() -> list:
    return list(ses_backend().sent_messages)
