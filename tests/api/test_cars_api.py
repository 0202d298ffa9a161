"""Cars routes: the dealer's stock, status moves, sales recorded once, valuations; who may do what;
bad input refused naming the field with nothing written."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest

from tests.mocked import Caller, sign_up

VIN = "1M8GDM9AXKP042788"  # a valid North American VIN (check digit X)
CAR = {"vin": VIN, "make": "Chevrolet", "model": "Malibu", "trim": "LT", "body_type": "sedan",
       "first_registration": "2019-04", "mileage": 42000, "mileage_unit": "mi", "fuel": "petrol",
       "gearbox": "automatic", "drive": "fwd", "engine_litres": "2.4", "cylinders": 4, "power_kw": 125, "doors": 4,
       "seats": 5, "colour": "silver", "previous_owners": 1, "damage": "none",
       "options": ["cruise_control", "leather"], "condition": "good", "asking_price": "14500.00", "currency": "USD",
       "location": "Main lot"}


@dataclass
class Dealer:
    oid: str
    owner: Caller
    manager: Caller
    staff: Caller
    outsider: Caller

    @property
    def cars(self) -> str:
        return f"/orgs/{self.oid}/cars"

    def add(self, **changes) -> dict:
        status, car = self.manager.post(self.cars, {**CAR, **changes})
        assert status == 201, car
        return car

    def sell(self, car_id: str, price: str = "14000.00", sale_id: str | None = None, who: Caller | None = None, **extra):
        return (who or self.manager).put(f"/orgs/{self.oid}/sales/{sale_id or uuid.uuid4()}",
                                         {"car_id": car_id, "price": price, **extra})


@pytest.fixture
def dealer(client, alice, bob) -> Dealer:
    oid = alice.post("/orgs", {"name": "Corner Cars"})[1]["org_id"]
    manager, staff = sign_up(client, "mgr"), sign_up(client, "staff")
    assert alice.put(f"/orgs/{oid}/members/{manager.sub}", {"role": "manager"})[0] == 200
    assert alice.put(f"/orgs/{oid}/members/{staff.sub}", {"role": "staff"})[0] == 200
    bob.post("/orgs", {"name": "Other Cars"})
    return Dealer(oid, alice, manager, staff, bob)


def test_a_manager_adds_a_car_and_staff_read_it(dealer):
    car = dealer.add()
    assert car["status"] == "in_stock" and car["version"] == 1
    assert car["vin"] == VIN and car["asking_price"] == "14500.00" and car["engine_litres"] == "2.4"
    assert car["options"] == ["leather", "cruise_control"]  # in the vocabulary's order
    assert dealer.staff.get(f"{dealer.cars}/{car['id']}") == (200, car)
    status, listed = dealer.staff.get(dealer.cars)
    assert status == 200 and [c["id"] for c in listed["items"]] == [car["id"]]


def test_staff_cannot_add_edit_move_or_sell_a_car(dealer):
    car = dealer.add()
    assert dealer.staff.post(dealer.cars, {**CAR, "vin": "WVWZZZ1JZ3W386752"})[0] == 403
    assert dealer.staff.put(f"{dealer.cars}/{car['id']}", {**CAR, "version": 1})[0] == 403
    assert dealer.staff.post(f"{dealer.cars}/{car['id']}/status", {"status": "reserved", "version": 1})[0] == 403
    assert dealer.sell(car["id"], who=dealer.staff)[0] == 403
    assert dealer.owner.get(f"{dealer.cars}/{car['id']}")[1]["status"] == "in_stock"


def test_another_dealer_sees_no_car_and_no_organisation(dealer):
    car = dealer.add()
    assert dealer.outsider.get(dealer.cars)[0] == 404
    assert dealer.outsider.get(f"{dealer.cars}/{car['id']}")[0] == 404
    assert dealer.outsider.post(f"/orgs/{dealer.oid}/valuations", {"make": "saab", "model": "9-3",
                                                                   "first_registration": "2020-01", "mileage": 1})[0] == 404
    other = dealer.outsider.get("/orgs")[1]
    other_id = (other["items"] if isinstance(other, dict) else other)[0]["org_id"]
    assert dealer.outsider.get(f"/orgs/{other_id}/cars/{car['id']}")[0] == 404


def test_a_car_without_a_token_is_401(dealer, client):
    assert Caller(client, None, "x@example.com").get(dealer.cars)[0] == 401


@pytest.mark.parametrize("change, field", [
    ({"vin": "1M8GDM9A1KP042788"}, "vin"),  # wrong check digit
    ({"vin": "1M8GDM9AXKP04278"}, "vin"),  # 16 characters
    ({"vin": "1M8GDM9AXKP0427O8"}, "vin"),  # an O
    ({"mileage": -5}, "mileage"),
    ({"mileage": "42000"}, "mileage"),  # a string for a number
    ({"first_registration": "2031-01"}, "first_registration"),  # in the future
    ({"first_registration": "2019-13"}, "first_registration"),
    ({"options": ["jetpack"]}, "options.0"),
    ({"fuel": "steam"}, "fuel"),
    ({"asking_price": "-1"}, "asking_price"),
    ({"asking_price": "100.50", "currency": "JPY"}, "asking_price"),  # yen have no decimals
    ({"engine_litres": 1.6}, "engine_litres"),
    ({"colour_code": "x"}, "colour_code"),  # an unknown field
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(dealer, change, field):
    status, body = dealer.manager.post(dealer.cars, {**CAR, **change})
    assert status == 400, body
    assert body["error"]["field"] == field
    assert dealer.owner.get(dealer.cars)[1]["items"] == []


def test_a_vin_is_unique_in_the_dealers_stock(dealer):
    dealer.add()
    status, body = dealer.manager.post(dealer.cars, {**CAR, "vin": VIN.lower()})
    assert status == 409 and body["error"]["field"] == "vin"
    assert len(dealer.owner.get(dealer.cars)[1]["items"]) == 1


def test_a_manager_edits_at_the_version_read_and_a_stale_edit_is_409(dealer):
    car = dealer.add()
    path = f"{dealer.cars}/{car['id']}"
    status, edited = dealer.manager.put(path, {**CAR, "mileage": 43000, "vin": "WVWZZZ1JZ3W386752", "version": 1})
    assert status == 200 and edited["mileage"] == 43000 and edited["version"] == 2
    status, body = dealer.owner.put(path, {**CAR, "asking_price": "1.00", "version": 1})
    assert status == 409 and body["error"]["field"] == "version" and body["current"]["mileage"] == 43000
    assert dealer.owner.put(path, {**CAR, "version": None})[1]["error"]["field"] == "version"
    dealer.add()  # the old VIN was released with the edit
    assert dealer.manager.put(path, {**CAR, "version": 2})[1]["error"]["field"] == "vin"  # now held by the new car


def test_a_car_moves_from_stock_to_reserved_sold_and_delivered(dealer):
    car = dealer.add()
    path = f"{dealer.cars}/{car['id']}/status"
    status, reserved = dealer.manager.post(path, {"status": "reserved", "version": 1})
    assert status == 200 and reserved["status"] == "reserved"
    status, early = dealer.manager.post(path, {"status": "delivered", "version": 2})
    assert status == 409 and early["error"]["field"] == "status"
    status, sale = dealer.sell(car["id"], "13900.00", sold_on="2020-05-01")
    assert status == 201, sale
    assert sale["car"]["status"] == "sold" and sale["car"]["sold_price"] == "13900.00" and sale["sold_on"] == "2020-05-01"
    status, delivered = dealer.manager.post(path, {"status": "delivered", "version": 3})
    assert status == 200 and delivered["status"] == "delivered" and delivered["delivered_on"]
    assert dealer.manager.post(path, {"status": "in_stock", "version": 4})[0] == 409


def test_a_sale_is_recorded_once_per_client_id(dealer):
    car = dealer.add()
    sale_id = str(uuid.uuid4())
    first = dealer.sell(car["id"], sale_id=sale_id, sold_on="2021-02-03")
    again = dealer.sell(car["id"], sale_id=sale_id, sold_on="2021-02-03")
    assert first[0] == 201 and again == (200, first[1])
    status, other_body = dealer.sell(car["id"], "1.00", sale_id=sale_id, sold_on="2021-02-03")
    assert status == 409 and other_body["error"]["field"] == "sale_id"
    status, twice = dealer.sell(car["id"])  # the same car under another id
    assert status == 409 and twice["error"]["field"] == "car_id"
    assert dealer.owner.get(f"{dealer.cars}/{car['id']}")[1]["version"] == 2  # one sale, one change


@pytest.mark.parametrize("extra, field", [
    ({"price": "0"}, "price"), ({"sold_on": "2999-01-01"}, "sold_on"), ({"sold_on": "2021-02-30"}, "sold_on"),
    ({"car_id": str(uuid.uuid4())}, "car_id"),
])
def test_a_bad_sale_is_refused_and_the_car_stays_in_stock(dealer, extra, field):
    car = dealer.add()
    status, body = dealer.manager.put(f"/orgs/{dealer.oid}/sales/{uuid.uuid4()}",
                                      {"car_id": car["id"], "price": "100.00", **extra})
    assert status in (400, 404) and body["error"]["field"] == field
    assert dealer.owner.get(f"{dealer.cars}/{car['id']}")[1]["status"] == "in_stock"


VALUE = {"make": "Cadillac", "model": "Deville", "body_type": "sedan", "first_registration": "2005-01",
         "mileage": 18000, "mileage_unit": "mi", "cylinders": 8, "doors": 4,
         "options": ["cruise_control", "premium_sound", "leather"], "fuel": "petrol"}


def test_a_valuation_gives_a_range_its_factors_and_the_model_that_answered(dealer):
    status, v = dealer.staff.post(f"/orgs/{dealer.oid}/valuations", VALUE)
    assert status == 200, v
    p10, p50, p90 = (Decimal(v[k]) for k in ("p10", "p50", "p90"))
    assert p10 < p50 < p90 and v["currency"] == "USD"
    assert Decimal(v["base"]) + sum(Decimal(f["effect"]) for f in v["factors"]) == pytest.approx(p50, abs=10)
    features = {f["feature"]: f for f in v["factors"]}
    assert features["make"]["value"] == "cadillac" and features["option:leather"]["value"] == "yes"
    assert v["model"] | {"trained_at": None, "source": None} == {
        "name": "starter", "version": "starter-1", "trained_at": None, "rows": 804, "own_sales": 0, "source": None,
        "reads": ["body_type", "cylinders", "doors", "make", "mileage", "options"]}
    assert v["unused"] == ["first_registration", "fuel", "model"]  # given, but the starter model does not read them


def test_every_attribute_the_model_reads_moves_the_valuation(dealer):
    path = f"/orgs/{dealer.oid}/valuations"
    base = dealer.owner.post(path, VALUE)[1]["p50"]
    for change in ({"make": "Saturn"}, {"body_type": "convertible"}, {"mileage": 40000}, {"cylinders": 4},
                   {"doors": 2}, {"options": ["cruise_control", "leather"]}):
        assert dealer.owner.post(path, {**VALUE, **change})[1]["p50"] != base, change


def test_a_stocked_car_has_its_own_valuation(dealer):
    car = dealer.add()
    status, v = dealer.staff.get(f"{dealer.cars}/{car['id']}/valuation")
    assert status == 200 and Decimal(v["p10"]) < Decimal(v["p50"]) < Decimal(v["p90"])
    same = dealer.staff.post(f"/orgs/{dealer.oid}/valuations",
                             {k: CAR[k] for k in VALUE if k in CAR} | {"trim": "LT"})[1]
    assert v["p50"] == same["p50"]


@pytest.mark.parametrize("change, field", [
    ({"mileage": -5}, "mileage"), ({"first_registration": "2999-01"}, "first_registration"),
    ({"options": ["wings"]}, "options.0"), ({"make": ""}, "make"),
])
def test_a_bad_valuation_request_is_400_naming_the_field(dealer, change, field):
    status, body = dealer.staff.post(f"/orgs/{dealer.oid}/valuations", {**VALUE, **change})
    assert status == 400 and body["error"]["field"] == field


def test_path_ids_must_be_uuids(dealer):
    status, body = dealer.staff.get(f"{dealer.cars}/not-a-uuid")
    assert status == 400 and body["error"]["field"] == "car_id"
    status, body = dealer.manager.put(f"/orgs/{dealer.oid}/sales/123", {"car_id": str(uuid.uuid4()), "price": "1.00"})
    assert status == 400 and body["error"]["field"] == "sale_id"


# ----------------------------------------------------------------- photos
def _upload(grant: dict, data: bytes, content_type: str | None = None) -> int:
    """POST the file to the presigned form, as a browser does (moto answers for S3)."""
    import requests

    fields = dict(grant["fields"])
    if content_type:
        fields["Content-Type"] = content_type
    return requests.post(grant["url"], data=fields, files={"file": ("car.jpg", data)}, timeout=30).status_code


def test_a_photo_is_uploaded_to_the_bucket_then_added_to_its_car(dealer):
    car = dealer.add()
    base = f"{dealer.cars}/{car['id']}/photos"
    status, grant = dealer.manager.post(base, {"content_type": "image/jpeg"})
    assert status == 201, grant
    assert grant["fields"]["Content-Type"] == "image/jpeg" and grant["fields"]["key"].endswith(".jpg")
    assert grant["max_bytes"] == 10_000_000 and grant["expires_in"] > 0
    early = dealer.manager.put(f"{base}/{grant['photo_id']}")
    assert early[0] == 409 and early[1]["error"]["field"] == "photo_id"  # not uploaded yet
    assert _upload(grant, b"\xff\xd8\xff jpeg bytes") in (200, 201, 204)
    # it lands under pending/ (where the lifecycle rule expires what is never confirmed) and is copied out
    # to the photo's own key, encrypted, when the photo is added
    from chalicelib.core.aws import client
    from chalicelib.core.settings import get_settings
    from chalicelib.core.uploads import PENDING

    s3, bucket = client("s3"), get_settings().bucket
    final = grant["fields"]["key"].removeprefix(PENDING)
    assert grant["fields"]["key"] == PENDING + final and final.startswith("photos/cars/")
    assert s3.list_objects_v2(Bucket=bucket, Prefix=final).get("KeyCount") == 0
    status, with_photo = dealer.manager.put(f"{base}/{grant['photo_id']}")
    assert status == 200 and [p["id"] for p in with_photo["photos"]] == [grant["photo_id"]]
    head = s3.head_object(Bucket=bucket, Key=final)
    assert (head["ContentType"], head["ContentLength"], head["ServerSideEncryption"]) == ("image/jpeg", 14, "AES256")
    assert with_photo["version"] == 2 and "X-Amz-Signature" in with_photo["photos"][0]["url"]
    again = dealer.manager.put(f"{base}/{grant['photo_id']}")[1]
    assert [p["id"] for p in again["photos"]] == [grant["photo_id"]] and again["version"] == 2
    assert [p["id"] for p in dealer.staff.get(f"{dealer.cars}/{car['id']}")[1]["photos"]] == [grant["photo_id"]]


def test_photos_are_put_in_order_the_first_the_cover_and_one_is_taken_off(dealer):
    car = dealer.add()
    base = f"{dealer.cars}/{car['id']}/photos"
    ids = []
    for n in range(3):
        grant = dealer.manager.post(base, {"content_type": "image/png"})[1]
        assert _upload(grant, b"\x89PNG %d" % n) in (200, 201, 204)
        assert dealer.manager.put(f"{base}/{grant['photo_id']}")[0] == 200
        ids.append(grant["photo_id"])
    current = dealer.owner.get(f"{dealer.cars}/{car['id']}")[1]
    order = f"{dealer.cars}/{car['id']}/photo-order"
    new = [ids[2], ids[0], ids[1]]
    # not each photo once, a stale version, staff: refused naming the field; nothing changes
    # a list that is not the car's photos (one since added or removed) conflicts with the car as it is
    status, missing = dealer.manager.put(order, {"photo_ids": ids[:2], "version": current["version"]})
    assert (status, missing["error"]["field"], missing["current"]["id"]) == (409, "photo_ids", car["id"])
    status, repeated = dealer.manager.put(order, {"photo_ids": [ids[0]] * 3, "version": current["version"]})
    assert (status, repeated["error"]["field"]) == (400, "photo_ids")
    stale = dealer.manager.put(order, {"photo_ids": new, "version": current["version"] - 1})
    assert stale[0] == 409 and stale[1]["error"]["field"] == "version"
    assert stale[1]["current"]["version"] == current["version"]  # the car as it is, for the page to show
    assert dealer.staff.put(order, {"photo_ids": new, "version": current["version"]})[0] == 403
    # another organisation's member: as if the dealer and its car did not exist, for both routes
    assert dealer.outsider.put(order, {"photo_ids": new, "version": current["version"]})[0] == 404
    assert dealer.outsider.delete(f"{base}/{ids[0]}")[0] == 404
    status, ordered = dealer.manager.put(order, {"photo_ids": new, "version": current["version"]})
    assert status == 200 and [p["id"] for p in ordered["photos"]] == new and ordered["version"] == current["version"] + 1
    # taken off: the others keep their order; again changes nothing; a photo never granted for it is 404
    assert dealer.staff.delete(f"{base}/{ids[0]}")[0] == 403
    status, fewer = dealer.manager.delete(f"{base}/{ids[0]}")
    assert status == 200 and [p["id"] for p in fewer["photos"]] == [ids[2], ids[1]]
    again = dealer.manager.delete(f"{base}/{ids[0]}")
    assert again[0] == 200 and again[1]["version"] == fewer["version"]
    other = dealer.add(vin="WVWZZZ1JZ3W386752")
    for made_up in (str(uuid.uuid4()), ids[1]):  # unknown, or another car's photo
        gone = dealer.manager.delete(f"{dealer.cars}/{other['id']}/photos/{made_up}")
        assert gone[0] == 404 and gone[1]["error"]["field"] == "photo_id"
    assert [p["id"] for p in dealer.staff.get(f"{dealer.cars}/{car['id']}")[1]["photos"]] == [ids[2], ids[1]]


def test_a_photo_must_be_an_image_type_and_go_to_its_own_car(dealer):
    car, other = dealer.add(), dealer.add(vin="WVWZZZ1JZ3W386752")
    status, body = dealer.manager.post(f"{dealer.cars}/{car['id']}/photos", {"content_type": "image/gif"})
    assert status == 400 and body["error"]["field"] == "content_type"
    assert dealer.staff.post(f"{dealer.cars}/{car['id']}/photos", {"content_type": "image/png"})[0] == 403
    grant = dealer.manager.post(f"{dealer.cars}/{car['id']}/photos", {"content_type": "image/png"})[1]
    status, body = dealer.manager.put(f"{dealer.cars}/{other['id']}/photos/{grant['photo_id']}")
    assert status == 404 and body["error"]["field"] == "photo_id"


def test_an_object_of_another_type_at_the_photos_key_is_not_taken(dealer):
    from chalicelib.core.aws import client
    from chalicelib.core.settings import get_settings

    car = dealer.add()
    grant = dealer.manager.post(f"{dealer.cars}/{car['id']}/photos", {"content_type": "image/webp"})[1]
    client("s3").put_object(Bucket=get_settings().bucket, Key=grant["fields"]["key"], Body=b"<html>",
                            ContentType="text/html")
    status, body = dealer.manager.put(f"{dealer.cars}/{car['id']}/photos/{grant['photo_id']}")
    assert status == 400 and body["error"]["field"] == "photo_id"
    assert dealer.owner.get(f"{dealer.cars}/{car['id']}")[1]["photos"] == []
