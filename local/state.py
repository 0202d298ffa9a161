"""Local persistence: a JSON snapshot of the embedded AWS under the state dir.

Why not moto's recorder: it logs every request (stream polls included, passwords in plain text)
and its replay regenerates stream records, which would reprocess old changes.

The snapshot is copied from moto's backends in-process while the moto lock is held, and only at a
quiescent moment: every stream worker has handled its stream's last record; it is serialised,
its passwords hashed and the file written after the lock is released. Restoring creates the
stream-enabled tables without a stream, loads the items, and only then enables the stream, so
restored items never become stream records; the workers read the new streams from TRIM_HORIZON.
Passwords are stored as salted PBKDF2 hashes. A kill -9 loses at most what changed since the last
snapshot (a few seconds). See docs/local-stack.md.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import pathlib
import threading
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID

SNAPSHOT = "snapshot.json"


class HashedPassword(str):
    """Compares equal to the password whose salted PBKDF2 hash it holds; never the password itself."""

    def __new__(cls, encoded: str):
        return super().__new__(cls, encoded)

    @staticmethod
    def encode(password: str) -> str:
        salt = os.urandom(16)
        digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 200_000)
        return "pbkdf2$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()

    def _matches(self, candidate: object) -> bool:
        if not isinstance(candidate, str):
            return False
        _, salt, digest = str.__str__(self).split("$")
        got = hashlib.pbkdf2_hmac("sha256", candidate.encode(), base64.b64decode(salt), 200_000)
        return hmac.compare_digest(got, base64.b64decode(digest))

    def __eq__(self, other: object) -> bool:
        return self._matches(other)

    def __ne__(self, other: object) -> bool:
        return not self._matches(other)

    __hash__ = str.__hash__


def _backends(region: str):
    from moto.cognitoidp.models import cognitoidp_backends
    from moto.dynamodb.models import dynamodb_backends
    from moto.s3.models import s3_backends

    return (dynamodb_backends[DEFAULT_ACCOUNT_ID][region], cognitoidp_backends[DEFAULT_ACCOUNT_ID][region],
            s3_backends[DEFAULT_ACCOUNT_ID]["global"])


def capture(region: str, table_names: list[str], pool_id: str, bucket: str) -> dict[str, Any]:
    """A consistent copy of the state, as cheap as possible: call with the moto lock held. Items are
    taken copy-on-write (`moto_fixes.ItemsCopy`: references now, JSON in `render`, an item about to be
    updated in place converted first); users and objects are copied as they are (passwords hashed
    later, outside the lock, by `render`)."""
    from .moto_fixes import ItemsCopy

    ddb, idp, s3 = _backends(region)
    tables = ItemsCopy.take(ddb, table_names)
    users = [(user.username, user.id, [dict(a) for a in user.attributes if a["Name"] != "sub"],
              str(getattr(user.status, "value", user.status)), bool(user.enabled), user.password)
             for user in idp.user_pools[pool_id].users.values()]
    objects = []
    b = s3.buckets.get(bucket)
    for key in (b.keys.values() if b else []):
        key = key[-1] if isinstance(key, list) else key
        objects.append((key.name, key.value, (key.metadata or {}).get("Content-Type", "application/json")))
    return {"tables": tables, "users": users, "objects": objects}


# (username, SHA-256 of the password) -> its salted PBKDF2 hash. PBKDF2 is slow on purpose (~0.1 s):
# a snapshot hashes a password once, not every user's at every snapshot.
_HASHES: dict[tuple[str, str], str] = {}


def _stored_password(username: str, pw: object) -> str:
    if isinstance(pw, HashedPassword):
        return str.__str__(pw)
    text = pw if isinstance(pw, str) else ""
    key = (username, hashlib.sha256(text.encode()).hexdigest())
    if key not in _HASHES:
        _HASHES[key] = HashedPassword.encode(text)
    return _HASHES[key]


def render(captured: dict[str, Any]) -> dict[str, Any]:
    """The JSON-able snapshot of a `capture`. No lock needed: the items' copy-on-write takes care of
    writes meanwhile; users and objects were copied."""
    users = [{"username": username, "sub": sub, "attributes": attributes, "status": status, "enabled": enabled,
              "password": _stored_password(username, pw)}
             for username, sub, attributes, status, enabled, pw in captured["users"]]
    objects = [{"key": name, "body": base64.b64encode(value).decode(), "content_type": content_type}
               for name, value, content_type in captured["objects"]]
    return {"tables": captured["tables"].render(), "users": users, "objects": objects}


def dump(region: str, table_names: list[str], pool_id: str, bucket: str) -> dict[str, Any]:
    """The state as JSON-able data. Call with the moto lock held (`capture` then `render` holds it
    only for the copy)."""
    return render(capture(region, table_names, pool_id, bucket))


def save(state_dir: pathlib.Path, data: dict[str, Any]) -> bool:
    """Write the snapshot if it changed; True if written."""
    path = state_dir / SNAPSHOT
    text = json.dumps(data, sort_keys=True)
    if path.exists() and path.read_text() == text:
        return False
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
    return True


def load(state_dir: pathlib.Path) -> dict[str, Any] | None:
    path = state_dir / SNAPSHOT
    return json.loads(path.read_text()) if path.exists() else None


def create_table(model, streams: bool = True) -> None:
    """Create a model's table; without its stream if `streams` is False (enable it later with
    `enable_stream`, so items loaded in between make no stream records)."""
    meta = model.Meta
    view = meta.__dict__.get("stream_view_type")
    if view and not streams:
        delattr(meta, "stream_view_type")
        try:
            model.create_table(wait=True)
        finally:
            meta.stream_view_type = view
    else:
        model.create_table(wait=True)


def enable_stream(session, model) -> None:
    view = getattr(model.Meta, "stream_view_type", None)
    if view:
        session.client("dynamodb").update_table(
            TableName=model.Meta.table_name, StreamSpecification={"StreamEnabled": True, "StreamViewType": view})


def restore(data: dict[str, Any], session, region: str, pool_id: str, bucket: str) -> None:
    """Put the snapshot back through the AWS APIs (tables first created without streams); users
    get their original username and `sub` back, and sign in with their original password."""
    from moto.cognitoidp.models import UserStatus

    ddb = session.client("dynamodb")
    for name, items in data["tables"].items():
        for start in range(0, len(items), 25):
            request = {name: [{"PutRequest": {"Item": i}} for i in items[start:start + 25]]}
            while request:
                request = ddb.batch_write_item(RequestItems=request).get("UnprocessedItems") or None
    idp_api = session.client("cognito-idp")
    _, idp, _ = _backends(region)
    pool = idp.user_pools[pool_id]
    for u in data["users"]:
        email = next(a["Value"] for a in u["attributes"] if a["Name"] == "email")
        created = idp_api.admin_create_user(UserPoolId=pool_id, Username=email, UserAttributes=u["attributes"],
                                            MessageAction="SUPPRESS")["User"]
        user = pool.users.pop(created["Username"])
        user.id = u["sub"]
        user.username = u.get("username") or u["sub"]
        user.update_attributes([{"Name": "sub", "Value": u["sub"]}])
        user.status = UserStatus(u["status"])  # moto compares statuses with `is`
        user.enabled = u.get("enabled", True)
        user.password = HashedPassword(u["password"])
        pool.users[user.username] = user
    s3 = session.client("s3")
    for o in data["objects"]:
        s3.put_object(Bucket=bucket, Key=o["key"], Body=base64.b64decode(o["body"]), ContentType=o["content_type"])


class Checkpoints:
    """The last processed SequenceNumber per stream ARN, kept in <state-dir>/checkpoints.json.

    A restart restores into new streams (new ARNs), so a checkpoint only resumes the stream it was
    taken on; it is also a record of how far each worker got."""

    def __init__(self, state_dir: pathlib.Path, current_arns: list[str]):
        self.path = state_dir / "checkpoints.json"
        self.lock = threading.Lock()
        saved = json.loads(self.path.read_text()) if self.path.exists() else {}
        self.data: dict[str, str] = {arn: saved[arn] for arn in current_arns if arn in saved}

    def get(self, arn: str) -> int | None:
        value = self.data.get(arn)
        return None if value is None else int(value)

    def set(self, arn: str, seq: int) -> None:
        with self.lock:
            self.data[arn] = str(seq)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.data, indent=2))
            os.replace(tmp, self.path)
