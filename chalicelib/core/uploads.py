"""Browser uploads straight to the private data bucket: the API signs, S3 carries the bytes.

One mechanism for every module (car photos, help desk attachments):

1. `grant(key, content_type, max_bytes)`: a presigned POST that pins the object's key (under `PENDING`)
   and its Content-Type and bounds its size with `content-length-range`; S3 itself refuses an upload that
   breaks the policy (another key, another type, too large, expired), so nothing the API never saw lands.
2. `confirm(key, content_type, max_bytes, field)`: once the browser says it uploaded, HeadObject checks the
   pending object is there with that type and size (an object put another way than the POST is not
   taken), and CopyObject puts it at `key`, encrypted. An upload never confirmed (a form abandoned after
   its file went up) stays under `PENDING`, where the data bucket's lifecycle rule deletes everything a
   day old (infra: `pending-uploads`): nothing orphaned is kept.
   (`store(key, data, content_type)` puts bytes the app received itself, such as an email's files, there.)
3. `read_url(key, filename)`: a short-lived presigned GET (signed locally, no call to S3), served by S3 as
   a download: the API never serves an upload's bytes.

The allowed types of each kind of upload are the module's (`check_type`); the keys are the module's too.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from botocore.exceptions import ClientError

from .aws import client
from .errors import Conflict, InvalidInput
from .settings import get_settings

_MISSING = ("404", "NoSuchKey", "NotFound")
PENDING = "pending/"
"""Where browser uploads land until confirmed (the lifecycle rule expires this prefix after a day)."""


@dataclass(frozen=True)
class UploadGrant:
    """Where the browser POSTs the file: multipart/form-data to `url` with `fields`, the file last."""

    url: str
    fields: dict[str, str]
    expires_in: int


def check_type(allowed: Mapping[str, str], content_type: str, field: str = "content_type") -> str:
    """The extension of an allowed content type; another type is 400 naming `field`."""
    if content_type not in allowed:
        raise InvalidInput("must be one of " + ", ".join(sorted(allowed)), field=field)
    return allowed[content_type]


def check_size(size: int, max_bytes: int, field: str = "size") -> int:
    """A declared size of 1 to `max_bytes` bytes; else 400 naming `field` (S3 would refuse it anyway)."""
    if not 1 <= size <= max_bytes:
        raise InvalidInput(f"must be 1 to {max_bytes} bytes", field=field)
    return size


def grant(key: str, content_type: str, max_bytes: int) -> UploadGrant:
    """A presigned POST for exactly this key and Content-Type, of 1 to `max_bytes` bytes, valid for the
    settings' `presign_seconds`."""
    s = get_settings()
    post = client("s3").generate_presigned_post(
        Bucket=s.bucket, Key=PENDING + key, Fields={"Content-Type": content_type},
        Conditions=[{"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
        ExpiresIn=s.presign_seconds)
    return UploadGrant(url=post["url"], fields=dict(post["fields"]), expires_in=s.presign_seconds)


def _head(bucket: str, key: str) -> dict[str, Any] | None:
    try:
        return cast(dict[str, Any], client("s3").head_object(Bucket=bucket, Key=key))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _MISSING:
            return None
        raise


def confirm(key: str, content_type: str, max_bytes: int, field: str) -> int:
    """The size of the uploaded object once it is there with `content_type` and at most `max_bytes` bytes,
    moved from `PENDING` to `key` (a server-side copy); confirmed again, the object at `key` answers. Not
    uploaded yet: 409 naming `field`; another type or size: 400 naming it."""
    bucket = get_settings().bucket
    head = _head(bucket, key)
    pending = head is None
    if pending:
        head = _head(bucket, PENDING + key)
    if head is None:
        raise Conflict("the file has not been uploaded yet", field=field)
    size = int(head.get("ContentLength", 0))
    if head.get("ContentType") != content_type or not 1 <= size <= max_bytes:
        # the presigned POST's policy makes S3 refuse such an upload; an object put another way is not taken
        raise InvalidInput(f"the upload is not a {content_type} of 1 to {max_bytes} bytes", field=field)
    if pending:
        client("s3").copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": PENDING + key},
                                 MetadataDirective="COPY", ServerSideEncryption="AES256")
    return size


def store(key: str, data: bytes, content_type: str) -> int:
    """Put bytes the app itself received (a received email's attachment) where an upload would be: the
    same private bucket, read the same way (`read_url`). Answers the size stored."""
    client("s3").put_object(Bucket=get_settings().bucket, Key=key, Body=data, ContentType=content_type,
                            ServerSideEncryption="AES256")
    return len(data)


def download_disposition(filename: str) -> str:
    """A Content-Disposition that downloads under `filename`: an ASCII fallback and the UTF-8 name (RFC 6266)."""
    from urllib.parse import quote

    ascii_name = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else "_" for c in filename) or "file"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def expires_in() -> int:
    """How long a grant or a read URL made now stays valid, in seconds."""
    return get_settings().presign_seconds


def read_url(key: str, filename: str | None = None) -> str:
    """A presigned GET of the object for `presign_seconds`; with `filename`, S3 answers it as a download
    under that name (never rendered inline by the browser on the bucket's origin)."""
    s = get_settings()
    params = {"Bucket": s.bucket, "Key": key}
    if filename is not None:
        params["ResponseContentDisposition"] = download_disposition(filename)
    return str(client("s3").generate_presigned_url("get_object", Params=params, ExpiresIn=s.presign_seconds))
