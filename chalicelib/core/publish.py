"""Documents on S3, one way for every module: the public ones the CDN serves (the cars listing, the
storefront's pages, availability and channel feeds) and core.charts' private chart JSON.

A document is compact JSON (or a CSV), encrypted at rest, with its content type and the
`Cache-Control` its module chose (the CDN takes it as the edge TTL, so a module's documented TTLs
stay its own). The bucket is the module's too: the cars listing is in the site bucket, the
storefront's documents in the data bucket under `storefront/`. A set of pages with an index that
links them is written pages first and the index last (`put_pages_then_index`): an index never links
a page that is not there yet, which a CDN would cache as a 404.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from .aws import client

JSON = "application/json"
CSV = "text/csv; charset=utf-8"
TOMBSTONE: Mapping[str, Any] = {"removed": True}  # a document that is gone, where the writer may not delete


def json_body(doc: Mapping[str, Any]) -> bytes:
    """The document's bytes: compact JSON (values JSON lacks, such as a Decimal, as their string)."""
    return json.dumps(doc, separators=(",", ":"), default=str).encode()


def put(bucket: str, key: str, body: bytes, *, content_type: str, cache_control: str) -> int:
    """Put one public object; its size in bytes."""
    client("s3").put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type,
                            CacheControl=cache_control, ServerSideEncryption="AES256")
    return len(body)


def put_json(bucket: str, key: str, doc: Mapping[str, Any], *, cache_control: str) -> int:
    """Put a JSON document; its size in bytes."""
    return put(bucket, key, json_body(doc), content_type=JSON, cache_control=cache_control)


def put_csv(bucket: str, key: str, text: str, *, cache_control: str) -> int:
    """Put a CSV document (UTF-8); its size in bytes."""
    return put(bucket, key, text.encode(), content_type=CSV, cache_control=cache_control)


def put_pages_then_index(bucket: str, pages: Iterable[tuple[str, Mapping[str, Any]]],
                         index: tuple[str, Mapping[str, Any]], *, cache_control: str) -> int:
    """Put every page, in order, then the index that links them; the bytes written."""
    written = 0
    for key, doc in pages:
        written += put_json(bucket, key, doc, cache_control=cache_control)
    return written + put_json(bucket, index[0], index[1], cache_control=cache_control)
