"""The public listing, precomputed: the cars stream keeps a ListingCard per listed car and, once per batch,
republishes the touched makes' shards, the newest cards and the top index as JSON on S3 (under
`public/cars/`, served by the CDN). A visitor's request is one or two small cached objects: nothing in
it reads DynamoDB or runs a Lambda, whatever the number of cars or dealers (docs/cars.md)."""
from __future__ import annotations

import json
from typing import Any, Iterable, Mapping

from ..core import clock
from ..core.aws import client
from ..core.observability import logger
from ..core.publish import put_json
from ..core.settings import get_settings
from .models import INDEX_PK, ListingCard, MakeSummary, listing_key, photo_object
from .rules import listing as rules
from .rules.vehicles import PHOTO_TYPES

STABLE_TRIES = 3
PHOTO_MAX_AGE = 3600  # a withdrawn photo may stay in an edge cache this long (no CloudFront invalidation)
PHOTO_CONTENT_TYPES = {ext: ctype for ctype, ext in PHOTO_TYPES.items()}
LATEST_SK = "~latest"  # the newest pages' fingerprints, beside the makes' summaries
LISTING_CACHE = "public, max-age=60"  # every listing document: the CDN and browsers keep it 60 s (docs/cars.md)


def _put(path: str, doc: Mapping[str, Any]) -> int:
    """A listing document in the site bucket (core.publish); its size in bytes."""
    return put_json(get_settings().listing_bucket, path, doc, cache_control=LISTING_CACHE)


def _retire(paths: list[str]) -> None:
    """Pages that no longer exist become empty pages (the role may only get and put under the prefix; a
    cached link to them shows nothing rather than old cars)."""
    for path in paths:
        _put(path, rules.GONE)


def sync_photos(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> tuple[int, int]:
    """Publish a listed car's photos as public copies under the listing's prefix (CopyObject from the private
    data bucket, S3 to S3) and withdraw them when it leaves the listing (DeleteObject); (copied, deleted).
    Both are idempotent, so a replayed record does no harm."""
    publish_names, withdraw_names = rules.photo_changes(old, new)
    s3, s = client("s3"), get_settings()
    for name in publish_names:
        assert new is not None
        ext = name.rsplit(".", 1)[-1]
        s3.copy_object(Bucket=s.listing_bucket, Key=rules.photo_path(str(new["id"]), name),
                       CopySource={"Bucket": s.bucket, "Key": photo_object(str(new["org_id"]), str(new["id"]), name)},
                       MetadataDirective="REPLACE", ContentType=PHOTO_CONTENT_TYPES.get(ext, "application/octet-stream"),
                       CacheControl=f"public, max-age={PHOTO_MAX_AGE}", ServerSideEncryption="AES256")
    for name in withdraw_names:
        assert old is not None
        s3.delete_object(Bucket=s.listing_bucket, Key=rules.photo_path(str(old["id"]), name))
    return len(publish_names), len(withdraw_names)


def sync_card(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None, dealer: str) -> set[str]:
    """Keep the car's card and public photos to its latest image (in stream order: the latest record wins);
    the make keys whose shards change."""
    touched: set[str] = set()
    sync_photos(old, new)
    if old is not None and rules.is_listed(old):
        mk = rules.key_of(str(old["make"]))
        if new is None or not rules.is_listed(new) or rules.key_of(str(new["make"])) != mk or \
                rules.key_of(str(new["model"])) != rules.key_of(str(old["model"])):
            ListingCard(*listing_key(mk, rules.key_of(str(old["model"])), str(old["id"]))).delete()
        touched.add(mk)
    if rules.is_listed(new):
        assert new is not None
        c = rules.card(new, dealer)
        ListingCard(*listing_key(c["make_key"], c["model_key"], c["id"]), car_id=c["id"], org_id=c["org_id"],
                    card=json.dumps(c, separators=(",", ":")), listed_at=c["listed_at"], listed_pk="LISTED",
                    listed_sk=f"{c['listed_at']}#{c['id']}").save()
        _put(rules.car_path(c["id"]), c)
        touched.add(c["make_key"])
    elif rules.is_listed(old):
        assert old is not None
        _put(rules.car_path(str(old["id"])), {"id": str(old["id"]), "listed": False})
    return touched


def make_cards(make_key: str) -> list[dict[str, Any]]:
    """A make's cards: one Query of its partition (consistent: this batch's own writes are in it)."""
    return [json.loads(c.card) for c in ListingCard.query(f"LISTING#{make_key}", consistent_read=True)]


def _summaries() -> dict[str, MakeSummary]:
    return {s.sk: s for s in MakeSummary.query(INDEX_PK)}


def _hashes(item: MakeSummary | None) -> dict[str, str]:
    return json.loads(item.hashes) if item is not None and item.hashes else {}


def _put_changed(docs: Mapping[str, Mapping[str, Any]], before: Mapping[str, str], stats: dict[str, int]) -> dict[str, str]:
    """Put the documents whose fingerprint changed; their fingerprints."""
    after = {}
    for path, doc in docs.items():
        after[path] = rules.digest(doc)
        if before.get(path) != after[path]:
            stats["bytes"] += _put(path, doc)
            stats["puts"] += 1
    return after


def publish(make_keys: Iterable[str]) -> dict[str, int]:
    """Republish the touched makes (the pages that changed, their ranges), the newest cards and the top index.
    A make is rebuilt until two reads of its cards agree, so a concurrent batch's card is not lost."""
    stats = {"puts": 0, "bytes": 0, "retired": 0}
    items = _summaries()
    for mk in sorted(set(make_keys)):
        cards = make_cards(mk)
        for _ in range(STABLE_TRIES):
            docs, summary = rules.make_shards(mk, cards)
            old = items.get(mk)
            gone = rules.stale_paths(mk, json.loads(old.summary) if old else None, docs)
            if gone:
                _retire(gone)
                stats["retired"] += len(gone)
            hashes = _put_changed(docs, _hashes(old), stats)
            items[mk] = MakeSummary(INDEX_PK, mk, summary=json.dumps(summary), hashes=json.dumps(hashes))
            items[mk].save()
            again = make_cards(mk)
            if sorted(rules.digest(c) for c in again) == sorted(rules.digest(c) for c in cards):
                break
            cards = again
            logger.info("listing make changed while publishing: again", extra={"make": mk})
    newest = [json.loads(c.card) for c in ListingCard.by_listed.query(
        "LISTED", scan_index_forward=False, limit=rules.PAGE_SIZE * rules.LATEST_PAGES)]
    latest = items.get(LATEST_SK)
    hashes = _put_changed(rules.latest_shards(newest), _hashes(latest), stats)
    MakeSummary(INDEX_PK, LATEST_SK, summary="{}", hashes=json.dumps(hashes)).save()
    summaries = {k: json.loads(v.summary) for k, v in items.items() if k != LATEST_SK}
    stats["bytes"] += _put(f"{rules.PREFIX}/index.json", rules.top_index(summaries, clock.iso_now()))
    stats["puts"] += 1
    return stats


def read_public(path: str) -> dict[str, Any] | None:
    """A published listing document (tests and the local stack read them as the CDN would)."""
    from botocore.exceptions import ClientError

    try:
        obj = client("s3").get_object(Bucket=get_settings().listing_bucket, Key=path)
    except ClientError:
        return None
    return json.loads(obj["Body"].read())


