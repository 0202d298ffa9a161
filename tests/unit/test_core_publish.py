"""core.publish: every module's documents on S3 the one way: compact JSON or CSV, encrypted, with the
module's content type, Cache-Control and bucket; a set of pages before the index that links them."""
from __future__ import annotations

from decimal import Decimal

import pytest

from chalicelib.core import publish
from chalicelib.core.aws import client
from chalicelib.core.settings import get_settings


@pytest.fixture
def puts(aws):
    """The keys of the PutObject calls made, in order."""
    seen: list[str] = []
    events = client("s3").meta.events

    def record(params, **_):
        seen.append(params["Key"])

    events.register("provide-client-params.s3.PutObject", record)
    yield seen
    events.unregister("provide-client-params.s3.PutObject", record)


def _object(bucket: str, key: str) -> tuple[bytes, str, str, str]:
    obj = client("s3").get_object(Bucket=bucket, Key=key)
    return obj["Body"].read(), obj["ContentType"], obj["CacheControl"], obj["ServerSideEncryption"]


def test_a_json_document_is_compact_with_its_headers_in_the_bucket_named(puts):
    s = get_settings()
    size = publish.put_json(s.listing_bucket, "public/x/doc.json", {"price": Decimal("1.50"), "ok": True},
                            cache_control="public, max-age=60")
    body = b'{"price":"1.50","ok":true}'
    assert size == len(body)
    assert _object(s.listing_bucket, "public/x/doc.json") == (body, "application/json", "public, max-age=60", "AES256")
    publish.put_json(s.bucket, "storefront/x/gone.json", publish.TOMBSTONE, cache_control="max-age=5")
    assert _object(s.bucket, "storefront/x/gone.json") == (b'{"removed":true}', "application/json", "max-age=5", "AES256")


def test_a_csv_document_is_utf8_text_csv(aws):
    s = get_settings()
    assert publish.put_csv(s.bucket, "storefront/x/feed.csv", "sku,name\nM-1,Müsli\n", cache_control="max-age=5") == 20
    assert _object(s.bucket, "storefront/x/feed.csv") == (
        "sku,name\nM-1,Müsli\n".encode(), "text/csv; charset=utf-8", "max-age=5", "AES256")


def test_pages_are_written_in_order_before_their_index(puts):
    bucket = get_settings().bucket
    pages = [("s/p/2.json", {"n": 2}), ("s/p/1.json", {"n": 1})]
    size = publish.put_pages_then_index(bucket, pages, ("s/index.json", {"pages": ["s/p/1.json", "s/p/2.json"]}),
                                        cache_control="max-age=30")
    assert puts == ["s/p/2.json", "s/p/1.json", "s/index.json"]
    assert size == 2 * len(b'{"n":1}') + len(b'{"pages":["s/p/1.json","s/p/2.json"]}')
    assert [_object(bucket, k)[2] for k in puts] == ["max-age=30"] * 3
