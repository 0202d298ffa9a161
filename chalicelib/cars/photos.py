"""A car's photos: uploaded by the browser straight to the private data bucket with a presigned POST
(the API never carries the bytes), then added to the car once they are there.

1. `grant_upload`: a PhotoSlot records the upload (its type fixed); core.uploads' presigned POST pins the
   key and the Content-Type and bounds the size (S3 refuses anything else), for `presign_seconds`.
2. `add_photo`: core.uploads.confirm (HeadObject) checks the object arrived with that type and at most
   MAX_PHOTO_BYTES; the car takes the photo's name under a condition (not already there, fewer than
   MAX_PHOTOS). Adding twice changes nothing.

3. `remove_photo`: the car no longer lists it (a listed car's public copy is withdrawn by the stream); the
   cars stream then tags the private object `REMOVED_TAG` (`expire_removed`), and the data bucket's
   lifecycle rule deletes tagged objects a day later (the app role may tag, never delete, under `photos/`;
   a photo put back on the car within the day loses the tag).
4. `order_photos`: the car's photos in the order given, at the version read; the first is the cover (the
   listing card's picture).

Photos are read through presigned GET URLs in the car's answer (`vehicles.photo_urls`).
"""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, cast

from botocore.exceptions import ClientError
from pynamodb.expressions.condition import size

from ..core import clock, uploads
from ..core.aws import client
from ..core.settings import get_settings
from ..core.db import get_or, put_if_new, update_if
from ..core.errors import Conflict, NotFound
from .models import Car, PhotoSlot, photo_key, photo_object
from .rules.listing import private_photo_changes
from .rules.vehicles import MAX_PHOTO_BYTES, MAX_PHOTOS, PHOTO_TYPES
from .schemas import CarPhotoIn, CarPhotoOrderIn, CarPhotoUploadOut
from .vehicles import car_out, get_car


def _full() -> Conflict:
    return Conflict(f"a car has at most {MAX_PHOTOS} photos", field="photos")


def grant_upload(org_id: str, car_id: str, data: CarPhotoIn) -> CarPhotoUploadOut:
    car = get_car(org_id, car_id)
    if len(car.photos or []) >= MAX_PHOTOS:
        raise _full()
    photo_id = str(uuid.uuid4())
    name = f"{photo_id}.{uploads.check_type(PHOTO_TYPES, data.content_type)}"
    put_if_new(PhotoSlot(*photo_key(org_id, photo_id), id=photo_id, car_id=car_id, name=name,
                         content_type=data.content_type, created_at=clock.iso_now()))
    post = uploads.grant(photo_object(org_id, car_id, name), data.content_type, MAX_PHOTO_BYTES)
    return CarPhotoUploadOut(photo_id=photo_id, url=post.url, fields=post.fields, expires_in=post.expires_in)


def add_photo(org_id: str, car_id: str, photo_id: str) -> Car:
    slot = get_or(PhotoSlot, *photo_key(org_id, photo_id), missing=lambda: NotFound("no such photo", field="photo_id"))
    if slot.car_id != car_id:
        raise NotFound("no such photo", field="photo_id")
    car = get_car(org_id, car_id)
    if slot.name in (car.photos or []):
        return car
    uploads.confirm(photo_object(org_id, car_id, slot.name), slot.content_type, MAX_PHOTO_BYTES, "photo_id")
    added = update_if(car, [Car.photos.set(Car.photos.append([slot.name])), Car.version.set(Car.version + 1),
                            Car.updated_at.set(clock.iso_now())],
                      Car.pk.exists() & ~Car.photos.contains(slot.name) & (size(Car.photos) < MAX_PHOTOS))
    if added:
        return car
    car = get_car(org_id, car_id)  # added meanwhile (a retry), or the car is full
    if slot.name not in (car.photos or []):
        raise _full()
    return car


_ATTEMPTS = 5


def _stale(car: Car | None = None) -> Conflict:
    """409 naming `version`; with the car as it is now when it was read."""
    return Conflict("the car changed since you read it", field="version",
                    extra={"current": car_out(car).model_dump(mode="json")} if car is not None else None)


def _set_photos(car: Car, names: list[str]) -> bool:
    """The car's photo list replaced, if nothing else changed it since it was read."""
    return update_if(car, [Car.photos.set(cast(Any, names)), Car.version.set(Car.version + 1),
                           Car.updated_at.set(clock.iso_now())], Car.version == car.version)


def remove_photo(org_id: str, car_id: str, photo_id: str) -> Car:
    """The car without this photo (the others keep their order). Idempotent: a photo granted for this car
    that it does not list (removed already, never added) leaves the car as it is; a photo never granted for
    it is 404 naming `photo_id`. Retried over concurrent changes of the car (its version)."""
    slot = get_or(PhotoSlot, *photo_key(org_id, photo_id), missing=lambda: NotFound("no such photo", field="photo_id"))
    if slot.car_id != car_id:
        raise NotFound("no such photo", field="photo_id")
    for _ in range(_ATTEMPTS):
        car = get_car(org_id, car_id)
        names = [str(n) for n in car.photos or []]
        keep = [n for n in names if n != slot.name]
        if len(keep) == len(names):
            return car
        if _set_photos(car, keep):
            return car
    raise _stale()


REMOVED_TAG = {"Key": "tally-removed", "Value": "yes"}
"""The tag the data bucket's lifecycle rule expires a day after (infra: `removed-photos`)."""


def expire_removed(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> tuple[int, int]:
    """From the cars stream: tag the private objects of the photos taken off a car (or of a deleted car)
    for the lifecycle rule, and untag any put back on it; (tagged, untagged). Idempotent, and an object
    already gone is nothing to do, so a replayed record changes nothing."""
    removed, back = private_photo_changes(old, new)
    return (sum(_mark(old, name, True) for name in removed), sum(_mark(new, name, False) for name in back))


def _mark(image: Mapping[str, Any] | None, name: str, removed: bool) -> bool:
    """Tag (or untag) one photo's private object; False when it is gone already."""
    assert image is not None
    s3, key = client("s3"), photo_object(str(image["org_id"]), str(image["id"]), name)
    try:
        if removed:
            s3.put_object_tagging(Bucket=get_settings().bucket, Key=key, Tagging={"TagSet": [REMOVED_TAG]})
        else:
            s3.delete_object_tagging(Bucket=get_settings().bucket, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("NoSuchKey", "404", "NotFound"):
            raise
        return False
    return True


def order_photos(org_id: str, car_id: str, data: CarPhotoOrderIn) -> Car:
    """The car's photos in the order of `photo_ids`, at the version read (else 409 naming `version`);
    the first is the cover. A list that is not the car's photos (one added or removed since it was
    read) is a 409 naming `photo_ids` with the car as it is; a repeated id is the schema's 400."""
    car = get_car(org_id, car_id)
    if int(car.version) != data.version:
        raise _stale(car)
    by_id = {str(n).split(".", 1)[0]: str(n) for n in car.photos or []}
    if sorted(data.photo_ids) != sorted(by_id):
        raise Conflict("list each of the car's photos once: it has " + str(len(by_id)),
                       field="photo_ids", extra={"current": car_out(car).model_dump(mode="json")})
    if not _set_photos(car, [by_id[i] for i in data.photo_ids]):
        raise _stale()
    return car
