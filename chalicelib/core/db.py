"""DynamoDB transactions through PynamoDB, on the same endpoint as the models."""
from __future__ import annotations

from functools import lru_cache

from pynamodb.connection import Connection
from pynamodb.transactions import TransactWrite

from .settings import get_settings


@lru_cache(maxsize=1)
def connection() -> Connection:
    s = get_settings()
    return Connection(region=s.region, host=s.aws_endpoint_url)


def transaction() -> TransactWrite:
    """All-or-nothing writes (at most 100 items)."""
    return TransactWrite(connection=connection())
