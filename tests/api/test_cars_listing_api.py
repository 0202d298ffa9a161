"""Cars routes of issue 12 items 2 and 4: the public flag, insights, aging settings, saved searches and the
public view and enquiry routes: who may do what, bad input refused naming the field with nothing written."""
from __future__ import annotations

import uuid

import pytest

from tests.api.test_cars_api import CAR, dealer  # noqa: F401  (the fixture)
from tests.mocked import Caller, sign_up


def test_a_car_is_private_until_a_manager_makes_it_public(dealer):
    car = dealer.add()
    assert car["public"] is False
    status, current = dealer.manager.put(f"{dealer.cars}/{car['id']}", {**CAR, "public": True, "version": 1})
    assert status == 200 and current["public"] is True
    status, body = dealer.manager.post(dealer.cars, {**CAR, "vin": "WVWZZZ1KZ00000001", "public": "yes"})
    assert status == 400 and body["error"]["field"] == "public"


def test_insights_are_for_members_only(dealer):
    status, chart = dealer.staff.get(f"/orgs/{dealer.oid}/car-insights")
    assert status == 200 and chart["price_index"] == {} and chart["stock"] == {"models": {}, "cars": []}
    assert dealer.outsider.get(f"/orgs/{dealer.oid}/car-insights")[0] == 404


def test_managers_set_the_aging_rules_at_the_version_read_and_staff_only_read_them(dealer):
    path = f"/orgs/{dealer.oid}/car-settings"
    assert dealer.staff.get(path) == (200, {"aging_days": 60, "estimate_gap": "0.10", "version": None})
    status, body = dealer.staff.put(path, {"aging_days": 30, "estimate_gap": "0.15"})
    assert status == 403
    assert dealer.outsider.get(path)[0] == 404
    status, saved = dealer.manager.put(path, {"aging_days": 30, "estimate_gap": "0.15"})
    assert status == 200 and saved == {"aging_days": 30, "estimate_gap": "0.15", "version": 1}
    status, body = dealer.manager.put(path, {"aging_days": 45, "estimate_gap": "0.15"})
    assert status == 409 and body["error"]["field"] == "version"
    assert dealer.manager.put(path, {"aging_days": 45, "estimate_gap": "0.15", "version": 1})[1]["version"] == 2


@pytest.mark.parametrize("body, field", [
    ({"aging_days": 0, "estimate_gap": "0.10"}, "aging_days"),
    ({"aging_days": 30, "estimate_gap": "1.5"}, "estimate_gap"),
    ({"aging_days": 30, "estimate_gap": "0.10", "extra": 1}, "extra"),
])
def test_bad_aging_settings_name_the_field_and_change_nothing(dealer, body, field):
    path = f"/orgs/{dealer.oid}/car-settings"
    status, err = dealer.manager.put(path, body)
    assert status == 400 and err["error"]["field"] == field
    assert dealer.staff.get(path)[1]["version"] is None


def test_a_customer_saves_lists_replaces_and_deletes_own_searches(client):
    buyer, other = sign_up(client, "buyer"), sign_up(client, "other")
    sid = str(uuid.uuid4())
    status, s = buyer.put(f"/me/car-searches/{sid}", {"make": "Toyota", "model": "Corolla", "year_min": 2018})
    assert status == 201 and s["id"] == sid and s["year_min"] == 2018 and s["price_max"] is None
    status, s = buyer.put(f"/me/car-searches/{sid}", {"make": "Toyota", "price_max": "9000.00"})
    assert status == 200 and s["model"] is None and s["price_max"] == "9000.00"
    assert [x["id"] for x in buyer.get("/me/car-searches")[1]["items"]] == [sid]
    assert other.get("/me/car-searches")[1]["items"] == []
    assert other.delete(f"/me/car-searches/{sid}")[0] == 404  # another's search is not there for them
    assert buyer.delete(f"/me/car-searches/{sid}")[0] == 204
    assert buyer.get("/me/car-searches")[1]["items"] == []


@pytest.mark.parametrize("body, field", [
    ({"model": "Corolla"}, "make"),
    ({"make": "Toyota", "mileage_max": -5}, "mileage_max"),
    ({"make": "Toyota", "fuel": "steam"}, "fuel"),
    ({"make": "Toyota", "price_max": "12.345"}, "price_max"),
    ({"make": "Toyota", "year_min": 1800}, "year_min"),
])
def test_bad_searches_name_the_field_and_save_nothing(client, body, field):
    buyer = sign_up(client, "buyer")
    status, err = buyer.put(f"/me/car-searches/{uuid.uuid4()}", body)
    assert status == 400 and err["error"]["field"] == field
    assert buyer.get("/me/car-searches")[1]["items"] == []


def test_saved_searches_need_a_signed_in_customer(client):
    anon = Caller(client, None, "")
    assert anon.get("/me/car-searches")[0] == 401
    assert anon.put(f"/me/car-searches/{uuid.uuid4()}", {"make": "Toyota"})[0] == 401


def test_an_enquiry_names_its_bad_field_and_records_nothing(dealer, client):
    """The car page's enquiry is the dealers' enquiry route (emailed, or a help desk ticket): bad input
    names its field and writes nothing."""
    from chalicelib.core.models import OutboxMessage

    car = dealer.add()
    assert dealer.manager.put(f"{dealer.cars}/{car['id']}", {**CAR, "public": True, "version": 1})[0] == 200
    anon = Caller(client, None, "")
    base = f"/dealers/{dealer.oid}/cars/{car['id']}/enquiries"
    status, err = anon.post(base, {"enquiry_id": str(uuid.uuid4()), "name": "Ann", "email": "not-an-email",
                                 "message": "hi"})
    assert status == 400 and err["error"]["field"] == "email"
    status, err = anon.post(f"/dealers/{dealer.oid}/cars/nope/enquiries",
                            {"enquiry_id": str(uuid.uuid4()), "name": "A", "email": "a@example.com", "message": "hi"})
    assert status == 400 and err["error"]["field"] == "car_id"
    assert not [m for m in OutboxMessage.by_status.query("pending") if m.alert_type == "car:enquiry"]
    status, e = anon.post(base, {"enquiry_id": str(uuid.uuid4()), "name": "Ann", "email": "ann@example.com",
                                "message": "Is it still there?"})
    assert status == 201 and e["routed"] == "email"
