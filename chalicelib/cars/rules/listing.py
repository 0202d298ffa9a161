"""The public listing's pure rules: which cars are listed, a car's public card, the listing filters
and sorts, and the static shards (JSON documents) the cars stream publishes to S3 behind the CDN.

A listed car is a Car with `public` set, in stock or reserved. Its card carries public fields only:
no VIN beyond its last four characters, no sale, version, timestamps of edits or anything internal.
The shards are pages of at most PAGE_SIZE cards, so the bytes a visitor's request fetches do not grow
with the number of cars or dealers: see docs/cars.md "Public listing".
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Mapping

PAGE_SIZE = 50  # cards per page: ~21 kB of JSON, ~4 kB gzipped
LATEST_PAGES = 10  # the unfiltered listing: the newest 500 cars; past those, a make narrows it
LISTED_STATUSES = ("in_stock", "reserved")
SORTS = ("newest", "price_asc", "price_desc", "year_desc", "mileage_asc")
GONE: dict[str, Any] = {"page": 0, "pages": 0, "cards": []}  # what a page that no longer exists says
PREFIX = "public/cars"  # S3 prefix of the published listing (served by the CDN at /public/cars/...)

Image = Mapping[str, Any]


def key_of(name: str) -> str:
    """A make's or model's key in paths: lower case, runs of anything but a-z and 0-9 as one '-'."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-") or "-"


def is_car(image: Image | None) -> bool:
    return image is not None and str(image.get("sk", "")).startswith("CAR#")


def is_listed(image: Image | None) -> bool:
    """A car shown in the public listing: public, in stock or reserved."""
    return image is not None and is_car(image) and bool(image.get("public")) and \
        str(image.get("status")) in LISTED_STATUSES


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


def _money(value: Any) -> str:
    return f"{Decimal(str(value)):f}"


def card(image: Image, dealer: str) -> dict[str, Any]:
    """The car's public card: what a visitor sees, nothing internal."""
    vin = str(image.get("vin") or "")
    return {
        "id": image["id"], "org_id": image["org_id"], "dealer": dealer,
        "make": image["make"], "model": image["model"], "make_key": key_of(str(image["make"])),
        "model_key": key_of(str(image["model"])), "trim": image.get("trim") or "",
        "body_type": image.get("body_type"), "year": int(str(image["first_registration"])[:4]),
        "first_registration": image["first_registration"], "mileage": int(image["mileage"]),
        "mileage_unit": image.get("mileage_unit") or "km", "fuel": image.get("fuel"),
        "gearbox": image.get("gearbox"), "drive": image.get("drive"),
        "engine_litres": None if image.get("engine_litres") is None else _money(image["engine_litres"]),
        "power_kw": _int(image.get("power_kw")), "doors": _int(image.get("doors")), "seats": _int(image.get("seats")),
        "colour": image.get("colour") or "", "previous_owners": _int(image.get("previous_owners")),
        "damage": image.get("damage"), "options": list(image.get("options") or []),
        "condition": image.get("condition"), "price": _money(image["asking_price"]), "currency": image["currency"],
        "location": image.get("location") or "", "status": image["status"],
        "photos": [photo_path(str(image["id"]), str(p)) for p in image.get("photos") or []],
        "vin_last4": vin[-4:] if len(vin) == 17 else "",
        "listed_at": image.get("created_at") or "", "listed": True,
    }


@dataclass(frozen=True)
class ListingFilters:
    """What a visitor (or a saved search) asks for; None is any."""

    make: str | None = None
    model: str | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    year_min: int | None = None
    year_max: int | None = None
    mileage_max: int | None = None
    fuel: str | None = None
    body_type: str | None = None
    location: str | None = None

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> "ListingFilters":
        def dec(k: str) -> Decimal | None:
            return None if data.get(k) in (None, "") else Decimal(str(data[k]))

        def num(k: str) -> int | None:
            return None if data.get(k) in (None, "") else int(data[k])

        def text(k: str) -> str | None:
            return None if data.get(k) in (None, "") else str(data[k])

        return cls(make=text("make"), model=text("model"), price_min=dec("price_min"), price_max=dec("price_max"),
                   year_min=num("year_min"), year_max=num("year_max"), mileage_max=num("mileage_max"),
                   fuel=text("fuel"), body_type=text("body_type"), location=text("location"))


def matches(c: Mapping[str, Any], f: ListingFilters) -> bool:
    """Whether a card passes every filter (make, model and location compare by key: case and spacing
    do not matter; location is a substring)."""
    price = Decimal(str(c["price"]))
    checks = (
        f.make is None or key_of(f.make) == c["make_key"],
        f.model is None or key_of(f.model) == c["model_key"],
        f.price_min is None or price >= f.price_min,
        f.price_max is None or price <= f.price_max,
        f.year_min is None or c["year"] >= f.year_min,
        f.year_max is None or c["year"] <= f.year_max,
        f.mileage_max is None or c["mileage"] <= f.mileage_max,
        f.fuel is None or c.get("fuel") == f.fuel,
        f.body_type is None or c.get("body_type") == f.body_type,
        f.location is None or key_of(f.location) in key_of(str(c.get("location") or "")),
    )
    return all(checks)


def sort_cards(cards: list[dict[str, Any]], sort: str = "newest") -> list[dict[str, Any]]:
    """Cards in a listing order; ties by id, so a page boundary is stable."""
    keys: dict[str, Any] = {
        "newest": lambda c: (_neg_text(c["listed_at"]), c["id"]),
        "price_asc": lambda c: (Decimal(c["price"]), c["id"]),
        "price_desc": lambda c: (-Decimal(c["price"]), c["id"]),
        "year_desc": lambda c: (-c["year"], c["id"]),
        "mileage_asc": lambda c: (c["mileage"], c["id"]),
    }
    if sort not in keys:
        raise ValueError(f"unknown sort {sort}")
    return sorted(cards, key=keys[sort])


def _neg_text(text: str) -> tuple[int, ...]:
    return tuple(-ord(ch) for ch in text)


def select(cards: list[dict[str, Any]], f: ListingFilters, sort: str = "newest") -> list[dict[str, Any]]:
    """What the client does with the pages it fetched: filter, then sort."""
    return sort_cards([c for c in cards if matches(c, f)], sort)


def pages(cards: list[dict[str, Any]], size: int = PAGE_SIZE) -> list[list[dict[str, Any]]]:
    return [cards[i:i + size] for i in range(0, len(cards), size)] or [[]]


def page_summary(page: list[dict[str, Any]]) -> list[Any]:
    """What lets a client skip a page: [count, lowest price, highest price, oldest year, newest year,
    lowest mileage, highest mileage] (empty ranges as nulls)."""
    if not page:
        return [0, None, None, None, None, None, None]
    prices = [Decimal(c["price"]) for c in page]
    years, miles = [c["year"] for c in page], [c["mileage"] for c in page]
    return [len(page), f"{min(prices):f}", f"{max(prices):f}", min(years), max(years), min(miles), max(miles)]


def make_shards(make_key: str, cards: list[dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """A make's documents ({path: document}) and its summary for the top index. Pages are in price order
    (ascending: page ranges do not overlap, so a price filter fetches only the pages it needs, which the
    make's `ranges.json` tells); the top index says how many pages each make and model has."""
    docs: dict[str, dict[str, Any]] = {}
    by_price = sort_cards(cards, "price_asc")
    models: dict[str, list[dict[str, Any]]] = {}
    for c in by_price:
        models.setdefault(c["model_key"], []).append(c)
    base = f"{PREFIX}/make/{make_key}"
    make_pages = pages(by_price)
    for n, page in enumerate(make_pages, start=1):
        docs[f"{base}/{n}.json"] = {"page": n, "pages": len(make_pages), "cards": page}
    ranges: dict[str, Any] = {"make": make_key, "pages": [page_summary(p) for p in make_pages], "models": {}}
    summary_models: dict[str, Any] = {}
    for mk, mcards in sorted(models.items()):
        mpages = pages(mcards)
        for n, page in enumerate(mpages, start=1):
            docs[f"{base}/{mk}/{n}.json"] = {"page": n, "pages": len(mpages), "cards": page}
        ranges["models"][mk] = [page_summary(p) for p in mpages]
        summary_models[mk] = {"name": mcards[0]["model"], "count": len(mcards), "pages": len(mpages)}
    docs[f"{base}/ranges.json"] = ranges
    name = by_price[0]["make"] if by_price else make_key
    summary = {"name": name, "count": len(cards), "pages": len(make_pages), "models": summary_models}
    return docs, summary


def stale_paths(make_key: str, old_summary: Mapping[str, Any] | None, new_docs: Mapping[str, Any]) -> list[str]:
    """Pages a make had before that its new documents no longer have (fewer pages, a model gone)."""
    if not old_summary:
        return []
    base = f"{PREFIX}/make/{make_key}"
    old: set[str] = set()
    old |= {f"{base}/{n}.json" for n in range(1, int(old_summary.get("pages", 1)) + 1)}
    for mk, v in (old_summary.get("models") or {}).items():
        old |= {f"{base}/{mk}/{n}.json" for n in range(1, int(v.get("pages", 1)) + 1)}
    return sorted(p for p in old if p not in new_docs)


def latest_shards(newest: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The unfiltered listing: the newest cards across dealers, newest first, LATEST_PAGES pages at most."""
    ps = pages(newest[:PAGE_SIZE * LATEST_PAGES])
    return {f"{PREFIX}/latest/{n}.json": {"page": n, "pages": len(ps), "cards": p} for n, p in enumerate(ps, start=1)}


def digest(doc: Mapping[str, Any]) -> str:
    """A document's fingerprint: a page is put again only when it changed."""
    return hashlib.sha256(json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:16]


def top_index(summaries: Mapping[str, Mapping[str, Any]], generated_at: str) -> dict[str, Any]:
    """Every make with its models, counts and pages: what the filters offer and which page to fetch (grows
    with the makes and models there are, not with cars)."""
    makes = {k: dict(v) for k, v in sorted(summaries.items()) if int(v.get("count", 0)) > 0}
    return {"generated_at": generated_at, "page_size": PAGE_SIZE, "latest_pages": LATEST_PAGES,
            "total": sum(int(v["count"]) for v in makes.values()), "makes": makes}


def photo_path(car_id: str, name: str) -> str:
    """Where a listed car's photo is published: a public copy under the listing's prefix, served by the CDN
    beside the shards (a card never names the private data bucket's key nor a presigned URL, which would
    expire inside a cached page)."""
    return f"{PREFIX}/photos/{car_id}/{name}"


def published_photos(image: Image | None) -> set[str]:
    """The photo names a car has published while it is listed (none when it is not listed)."""
    if not is_listed(image):
        return set()
    assert image is not None
    return {str(p) for p in image.get("photos") or []}


def photo_changes(old: Image | None, new: Image | None) -> tuple[list[str], list[str]]:
    """(names to publish, names to withdraw) when a car's image moves from `old` to `new`: a car entering
    the listing publishes every photo, a new photo of a listed car is published, and a car leaving the
    listing (sold, reserved no more, made private, deleted) withdraws them all."""
    before, after = published_photos(old), published_photos(new)
    return sorted(after - before), sorted(before - after)


def private_photo_changes(old: Image | None, new: Image | None) -> tuple[list[str], list[str]]:
    """(names removed, names back) among a car's own photos, listed or not, when its image moves from
    `old` to `new`: a photo taken off the car, or every photo of a deleted car, is removed; one on it
    again (added back before it expired) is back."""
    before = {str(p) for p in (old or {}).get("photos") or []} if is_car(old) else set()
    after = {str(p) for p in (new or {}).get("photos") or []} if is_car(new) else set()
    return sorted(before - after), sorted(after - before)


def car_path(car_id: str) -> str:
    return f"{PREFIX}/car/{car_id}.json"
