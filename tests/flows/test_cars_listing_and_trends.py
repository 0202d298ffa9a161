"""The cars stream end to end on moto: the public listing's shards, the price index, days on lot and demand
rollups and chart (replays change nothing), saved-search emails once per car and search with their
unsubscribe link, and the aging-stock job over its sparse index."""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tests.api.test_cars_api import CAR, Dealer
from tests.mocked import Caller, sign_up
from tests.support import StreamReader


class CarsPump:
    """The cars and outbox streams delivered to the app's handlers, as Lambda would."""

    def __init__(self, client):
        from chalicelib.core.settings import get_settings

        s = get_settings()
        self.client = client
        self.cars = StreamReader(s.cars_table)
        self.outbox = StreamReader(s.outbox_table)
        self.batches: list[list[dict]] = []

    def invoke(self, name: str, records: list[dict]) -> dict:
        return self.client.lambda_.invoke(name, {"Records": records}).payload

    def run(self) -> None:
        while True:
            recs = self.cars.records()
            if recs:
                self.batches.append(recs)
                assert self.invoke("on_cars_stream", recs) == {"batchItemFailures": []}
            out = self.outbox.records()
            if out:
                assert self.invoke("on_outbox_stream", out) == {"batchItemFailures": []}
            if not recs and not out:
                return


@pytest.fixture
def cars_pump(client) -> CarsPump:
    return CarsPump(client)


@pytest.fixture
def dealer(client, alice, bob) -> Dealer:
    oid = alice.post("/orgs", {"name": "Corner Cars"})[1]["org_id"]
    manager, staff = sign_up(client, "mgr"), sign_up(client, "staff")
    assert alice.put(f"/orgs/{oid}/members/{manager.sub}", {"role": "manager"})[0] == 200
    assert alice.put(f"/orgs/{oid}/members/{staff.sub}", {"role": "staff"})[0] == 200
    return Dealer(oid, alice, manager, staff, bob)


def public(path: str):
    from chalicelib.cars.listing import read_public

    return read_public(f"public/cars/{path}")


def vin(n: int) -> str:
    """A European VIN (no check digit) unique per n."""
    return f"WVWZZZ1KZ{n:08d}"


def test_a_public_car_is_listed_with_its_card_and_a_private_one_is_not(dealer, cars_pump):
    shown = dealer.add(public=True, vin=vin(1))
    hidden = dealer.add(vin=vin(2))
    cars_pump.run()
    index = public("index.json")
    assert index["total"] == 1 and index["makes"]["chevrolet"]["models"]["malibu"]["count"] == 1
    [card] = public("make/chevrolet/1.json")["cards"]
    assert card["id"] == shown["id"] and card["dealer"] == "Corner Cars" and card["price"] == "14500.00"
    assert "vin" not in card and vin(1) not in json.dumps(card)
    assert public(f"car/{shown['id']}.json") == card
    assert public(f"car/{hidden['id']}.json") is None
    assert [c["id"] for c in public("latest/1.json")["cards"]] == [shown["id"]]
    from chalicelib.core.settings import get_settings
    from tests.support import object_headers

    for path in ("index.json", "make/chevrolet/1.json", f"car/{shown['id']}.json", "latest/1.json"):
        assert object_headers(f"public/cars/{path}", get_settings().listing_bucket) == (
            "application/json", "public, max-age=60", "AES256"), path


def test_a_sold_car_leaves_the_listing_and_its_page_is_gone(dealer, cars_pump):
    car = dealer.add(public=True, vin=vin(3))
    cars_pump.run()
    assert dealer.sell(car["id"])[0] == 201
    cars_pump.run()
    assert public("index.json")["total"] == 0
    assert public("make/chevrolet/1.json")["cards"] == []
    assert public(f"car/{car['id']}.json") == {"id": car["id"], "listed": False}


def test_selling_moves_the_price_index_and_a_replay_changes_no_total(dealer, cars_pump):
    from chalicelib.core.rollups import read_rollups
    from chalicelib.cars.rules import trends as T

    car = dealer.add(public=True, vin=vin(4))
    cars_pump.run()
    assert dealer.sell(car["id"], price="13000.00")[0] == 201
    cars_pump.run()
    status, chart = dealer.staff.get(f"/orgs/{dealer.oid}/car-insights")
    assert status == 200
    [row] = [r for r in chart["price_index"]["chevrolet/malibu"] if r["sold"]]
    assert row["avg_sold_price"] == "13000.00" and row["index"] is not None and row["avg_days_on_lot"] == "0.0"
    assert chart["stock"]["models"] == {} and chart["stock"]["cars"] == []
    year = datetime.now(timezone.utc).year
    before = read_rollups([T.year_key(dealer.oid, year)])
    for batch in cars_pump.batches:  # every record again, as a retried batch would bring them
        assert cars_pump.invoke("on_cars_stream", batch) == {"batchItemFailures": []}
    assert read_rollups([T.year_key(dealer.oid, year)]) == before


def test_views_and_enquiries_of_a_listed_car_count_per_model_and_week(dealer, cars_pump, client):
    car = dealer.add(public=True, vin=vin(5))
    anon = Caller(client, None, "")
    base = f"/listing/{dealer.oid}/cars/{car['id']}"
    view = str(uuid.uuid4())
    assert anon.post(f"{base}/views", {"view_id": view}) == (200, {"recorded": True})
    assert anon.post(f"{base}/views", {"view_id": view}) == (200, {"recorded": False})  # a retry
    assert anon.post(f"{base}/views", {"view_id": str(uuid.uuid4())})[0] == 200
    status, _ = anon.post(f"/dealers/{dealer.oid}/cars/{car['id']}/enquiries",
                          {"enquiry_id": str(uuid.uuid4()), "name": "Ann", "email": "ann@example.com",
                           "message": "Still there?"})
    assert status == 201
    cars_pump.run()
    chart = dealer.owner.get(f"/orgs/{dealer.oid}/car-insights")[1]
    [week] = chart["demand"]["chevrolet/malibu"]
    assert (week["views"], week["enquiries"], week["bookings"]) == (2, 1, 0)


def test_a_private_or_unknown_car_takes_no_view(dealer, client):
    hidden = dealer.add(vin=vin(6))
    anon = Caller(client, None, "")
    status, body = anon.post(f"/listing/{dealer.oid}/cars/{hidden['id']}/views", {"view_id": str(uuid.uuid4())})
    assert status == 404 and body["error"]["field"] == "car_id"
    status, body = anon.post(f"/listing/{dealer.oid}/cars/{hidden['id']}/views", {"view_id": "nope"})
    assert status == 400 and body["error"]["field"] == "view_id"


def test_a_booking_item_counts_in_its_cars_model_and_week(dealer, cars_pump):
    """The booking fixture: the shape the bookings service writes (sk BOOKING#, car_id, status, created_at)."""
    import boto3

    from chalicelib.core.settings import get_settings

    car = dealer.add(vin=vin(7))
    cars_pump.run()
    table = boto3.resource("dynamodb", region_name="us-east-1").Table(get_settings().cars_table)
    now = datetime.now(timezone.utc).isoformat()
    item = {"pk": f"ORG#{dealer.oid}", "sk": "BOOKING#b1", "id": "b1", "org_id": dealer.oid, "car_id": car["id"],
            "kind": "test_drive", "status": "confirmed", "created_at": now}
    table.put_item(Item=item)
    cars_pump.run()
    week = dealer.owner.get(f"/orgs/{dealer.oid}/car-insights")[1]["demand"]["chevrolet/malibu"]
    assert [w["bookings"] for w in week] == [1]
    table.put_item(Item={**item, "status": "cancelled"})
    cars_pump.run()
    assert dealer.owner.get(f"/orgs/{dealer.oid}/car-insights")[1]["demand"] == {}  # back to none


def test_a_saved_search_emails_once_per_car_with_an_unsubscribe_link(dealer, cars_pump, client):
    from tests.mocked import sent_emails

    buyer = sign_up(client, "buyer")
    sid = str(uuid.uuid4())
    status, saved = buyer.put(f"/me/car-searches/{sid}", {"name": "cheap malibu", "make": "chevrolet",
                                                           "model": "Malibu", "price_max": "15000.00"})
    assert status == 201 and saved["make"] == "chevrolet"
    other = sign_up(client, "picky")
    assert other.put(f"/me/car-searches/{uuid.uuid4()}", {"make": "Chevrolet", "price_max": "9000.00"})[0] == 201
    car = dealer.add(public=True, vin=vin(8))
    cars_pump.run()
    mails = [m for m in sent_emails() if m["alert_type"] == "car-search"]
    assert [m["recipient"] for m in mails] == [buyer.email]
    # a price drop of the same car: no second email to the same search
    status, current = dealer.manager.get(f"{dealer.cars}/{car['id']}")
    body = {**CAR, "vin": vin(8), "public": True, "asking_price": "8500.00", "version": current["version"]}
    assert dealer.manager.put(f"{dealer.cars}/{car['id']}", body)[0] == 200
    cars_pump.run()
    mails = [m for m in sent_emails() if m["alert_type"] == "car-search"]
    assert sorted(m["recipient"] for m in mails) == sorted([buyer.email, other.email])  # the drop matched the other
    link = next(m for m in mails if m["recipient"] == buyer.email)["unsubscribe_url"]
    path = link.split("://", 1)[1].split("/", 1)[1]
    anon = Caller(client, None, "")
    status, page = anon.call("GET", "/" + path)
    assert status == 200 and b"button" in page
    assert anon.call("POST", "/" + path, raw=b"", headers={"Content-Type": "application/x-www-form-urlencoded"})[0] == 200
    assert buyer.get("/me/car-searches")[1]["items"] == []
    assert anon.call("GET", "/" + path.replace("t=", "t=x"))[0] == 404


def test_aging_stock_emails_the_dealer_once_per_car_from_its_due_entries(dealer, cars_pump, client):
    from chalicelib.core import clock
    from tests.mocked import sent_emails

    assert dealer.manager.put(f"/orgs/{dealer.oid}/car-settings", {"aging_days": 30, "estimate_gap": "0.50"})[0] == 200
    dealer.add(vin=vin(9))
    cars_pump.run()
    from local.lambda_events import scheduled_event

    def run() -> dict:
        return client.lambda_.invoke("aging_stock", scheduled_event("aging_stock", "us-east-1",
                                                                    clock.iso_now())).payload

    assert run()["emails"] == 0  # listed today; its estimate is not half below the asking price
    clock.set_now(datetime.now(timezone.utc) + timedelta(days=31))
    assert run()["emails"] == 2  # the owner and the manager
    assert run()["emails"] == 0  # once
    cars_pump.run()
    mails = [m for m in sent_emails() if m["rule"].startswith("cars-aging")]
    assert len(mails) == 2 and "31 days" in mails[0]["subject"] and mails[0]["rule"] == "cars-aging:days"
    clock.set_now(datetime.now(timezone.utc) + timedelta(days=70))
    assert run() == {"checked": 0, "emails": 0}  # told once: off the work list


def _public_object(key: str) -> tuple[bytes, str, str] | None:
    """(bytes, Content-Type, Cache-Control) of an object in the listing bucket, or None."""
    from botocore.exceptions import ClientError

    from chalicelib.core.aws import client
    from chalicelib.core.settings import get_settings

    try:
        obj = client("s3").get_object(Bucket=get_settings().listing_bucket, Key=key)
    except ClientError:
        return None
    return obj["Body"].read(), obj["ContentType"], obj.get("CacheControl", "")


def test_a_listed_cars_photos_are_public_copies_until_it_is_sold(dealer, cars_pump):
    """A card names public copies of the photos under the listing's prefix (never the private key or a
    presigned URL that would expire inside a cached page); they are withdrawn when the car is sold."""
    from tests.api.test_cars_api import _upload

    car = dealer.add(vin=vin(40))
    base = f"{dealer.cars}/{car['id']}/photos"
    grant = dealer.manager.post(base, {"content_type": "image/jpeg"})[1]
    assert _upload(grant, b"\xff\xd8\xff jpeg bytes") in (200, 201, 204)
    car = dealer.manager.put(f"{base}/{grant['photo_id']}")[1]
    cars_pump.run()
    key = f"public/cars/photos/{car['id']}/{grant['photo_id']}.jpg"
    assert _public_object(key) is None  # a private car publishes nothing
    status, car = dealer.manager.put(f"{dealer.cars}/{car['id']}", {**CAR, "vin": vin(40), "public": True,
                                                                      "version": car["version"]})
    assert status == 200, car
    cars_pump.run()
    card = public(f"car/{car['id']}.json")
    assert card["photos"] == [key]
    assert "X-Amz" not in json.dumps(card) and dealer.oid not in json.dumps(card["photos"])
    assert _public_object(key) == (b"\xff\xd8\xff jpeg bytes", "image/jpeg", "public, max-age=3600")
    [listed] = public("make/chevrolet/1.json")["cards"]
    assert listed["photos"] == [key]
    # a second photo made the cover (first), then the first one taken off: its public copy is withdrawn
    second = dealer.manager.post(base, {"content_type": "image/png"})[1]
    assert _upload(second, b"\x89PNG second") in (200, 201, 204)
    car = dealer.manager.put(f"{base}/{second['photo_id']}")[1]
    status, car = dealer.manager.put(f"{dealer.cars}/{car['id']}/photo-order",
                                     {"photo_ids": [second["photo_id"], grant["photo_id"]], "version": car["version"]})
    assert status == 200, car
    cars_pump.run()
    key2 = f"public/cars/photos/{car['id']}/{second['photo_id']}.png"
    assert public(f"car/{car['id']}.json")["photos"] == [key2, key]
    assert dealer.manager.delete(f"{base}/{grant['photo_id']}")[0] == 200
    cars_pump.run()
    assert public(f"car/{car['id']}.json")["photos"] == [key2] and _public_object(key) is None
    key = key2
    assert dealer.sell(car["id"])[0] == 201
    cars_pump.run()
    assert _public_object(key) is None
    assert public(f"car/{car['id']}.json") == {"id": car["id"], "listed": False}


def _removed_tag(org_id: str, car_id: str, photo_id: str, ext: str) -> list[dict[str, str]]:
    """The tags of a car photo's private object (the lifecycle rule deletes those tagged removed)."""
    from chalicelib.cars.models import photo_object
    from chalicelib.core.aws import client
    from chalicelib.core.settings import get_settings

    key = photo_object(org_id, car_id, f"{photo_id}.{ext}")
    return client("s3").get_object_tagging(Bucket=get_settings().bucket, Key=key)["TagSet"]


def test_a_photo_taken_off_a_car_is_tagged_for_expiry_and_untagged_when_put_back(dealer, cars_pump):
    """The private object of a removed photo is tagged once the stream sees the change (the bucket's
    lifecycle rule deletes it a day later: infra); put back within the day, it loses the tag; a replayed
    batch changes nothing."""
    from chalicelib.cars.photos import REMOVED_TAG
    from tests.api.test_cars_api import _upload

    car = dealer.add(vin=vin(41))
    base = f"{dealer.cars}/{car['id']}/photos"
    grants = [dealer.manager.post(base, {"content_type": "image/png"})[1] for _ in range(2)]
    for g in grants:
        assert _upload(g, b"\x89PNG bytes") in (200, 201, 204)
        assert dealer.manager.put(f"{base}/{g['photo_id']}")[0] == 200
    cars_pump.run()
    first, second = (g["photo_id"] for g in grants)
    assert _removed_tag(dealer.oid, car["id"], first, "png") == []
    assert dealer.manager.delete(f"{base}/{first}")[0] == 200
    cars_pump.run()
    assert _removed_tag(dealer.oid, car["id"], first, "png") == [REMOVED_TAG]
    assert _removed_tag(dealer.oid, car["id"], second, "png") == []  # the one still on the car is kept
    assert cars_pump.invoke("on_cars_stream", cars_pump.batches[-1]) == {"batchItemFailures": []}  # replayed
    assert _removed_tag(dealer.oid, car["id"], first, "png") == [REMOVED_TAG]
    assert dealer.manager.put(f"{base}/{first}")[0] == 200  # put back within the day
    cars_pump.run()
    assert _removed_tag(dealer.oid, car["id"], first, "png") == []
