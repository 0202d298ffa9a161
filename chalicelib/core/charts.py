"""Chart JSON on S3: private objects, read by the API or through short-lived presigned URLs."""
from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from .aws import client
from .publish import put_json
from .settings import get_settings


def chart_key(scope: str, name: str) -> str:
    """charts/USER#sub/expenses-2026.json → charts/user/<sub>/expenses-2026.json"""
    kind, _, ident = scope.partition("#")
    return f"charts/{kind.lower()}/{ident}/{name}.json"


def publish(scope: str, name: str, doc: dict[str, Any]) -> str:
    key = chart_key(scope, name)
    put_json(get_settings().bucket, key, doc, cache_control="no-cache")  # private: the API or a presigned URL reads it
    return key


def read(scope: str, name: str) -> dict[str, Any] | None:
    try:
        obj = client("s3").get_object(Bucket=get_settings().bucket, Key=chart_key(scope, name))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
            return None
        raise
    return json.loads(obj["Body"].read())


def presigned_url(scope: str, name: str) -> tuple[str, int]:
    seconds = get_settings().presign_seconds
    url = client("s3").generate_presigned_url(
        "get_object",
        Params={"Bucket": get_settings().bucket, "Key": chart_key(scope, name)},
        ExpiresIn=seconds,
    )
    return url, seconds
