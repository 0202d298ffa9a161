"""Inventory's routes answer exactly what the OpenAPI document declares: response models, statuses,
query parameters, strict request types and money as strings, each error naming its field."""
from __future__ import annotations

import uuid

import pytest

from chalicelib.inventory.schemas import MovementRecordedOut, PositionsOut, ProductOut
from tests.api.test_inventory_api import Shop, make_shop, receive
from tests.mocked import Caller

INVENTORY = ("products", "suppliers", "locations", "customers", "stock", "movements", "backorders", "reports",
             "forecasts", "insights", "purchase-orders")


@pytest.fixture
def shop(client, alice, bob) -> Shop:
    return make_shop(client, alice, bob)


@pytest.fixture
def document(client) -> dict:
    status, doc = Caller(client, None, "").get("/openapi.json")
    assert status == 200
    return doc


def _operations(doc: dict) -> list[tuple[str, str, dict]]:
    return [(path, method, op) for path, ops in doc["paths"].items() for method, op in ops.items()
            if path.startswith("/orgs/{org_id}/") and path.split("/")[3] in INVENTORY]


def _schema(doc: dict, ref: dict) -> dict:
    return doc["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def test_every_inventory_operation_declares_a_response_schema(document):
    ops = _operations(document)
    assert len(ops) == 30
    for path, method, op in ops:
        successes = {code: r for code, r in op["responses"].items() if code.startswith("2")}
        assert successes, (method, path)
        for code, response in successes.items():
            assert "$ref" in response["content"]["application/json"]["schema"], (method, path, code)


def test_a_movement_answers_201_when_new_and_200_when_replayed_both_declared(shop, document):
    op = document["paths"]["/orgs/{org_id}/movements/{movement_id}"]["put"]
    assert {"200", "201"} <= set(op["responses"])
    mid = str(uuid.uuid4())
    body = {"kind": "receive", "product_id": shop.product, "location_id": shop.store, "quantity": "5",
            "unit_cost": "2.00"}
    status, first = shop.move(shop.manager, body, mid)
    assert status == 201 and len(first["positions"]) == 1
    status, again = shop.move(shop.manager, body, mid)
    assert status == 200 and again["movement"] == first["movement"] and again["positions"] == []
    MovementRecordedOut.model_validate(again)


def test_costs_are_left_out_for_staff_and_optional_in_the_document(shop, document):
    receive(shop, 4, "2.50")
    product = _schema(document, document["paths"]["/orgs/{org_id}/products/{product_id}"]["get"]["responses"]
                      ["200"]["content"]["application/json"]["schema"])
    assert product["properties"]["cost"] == {"title": "Cost", "type": "string"}
    assert "cost" not in product["required"] and "price" in product["required"]
    staff = shop.staff.get(f"/orgs/{shop.oid}/products/{shop.product}")[1]
    owner = shop.owner.get(f"/orgs/{shop.oid}/products/{shop.product}")[1]
    assert "cost" not in staff and owner["cost"] == "2.00"
    assert ProductOut.model_validate(staff).model_dump(mode="json") == staff
    stock = shop.staff.get(f"/orgs/{shop.oid}/stock")[1]
    assert PositionsOut.model_validate(stock).model_dump(mode="json") == stock
    assert "value" not in stock["items"][0] and "unit_cost" not in stock["items"][0]["lots"][0]
    assert shop.owner.get(f"/orgs/{shop.oid}/stock")[1]["items"][0]["value"] == "10.00"


@pytest.mark.parametrize("value", [True, "7", 7.5, None])
def test_lead_time_days_takes_a_whole_number_only(shop, value):
    status, err = shop.owner.post(f"/orgs/{shop.oid}/suppliers",
                                  {"name": "S", "email": "s@x.example", "lead_time_days": value})
    assert status == 400 and err["error"]["field"] == "lead_time_days", err


@pytest.mark.parametrize("body,field", [
    ({"allow_backorder": "yes"}, "allow_backorder"),
    ({"allow_backorder": 1}, "allow_backorder"),
    ({"price": 9.5}, "price"),
    ({"price": 9}, "price"),
    ({"cost": 2}, "cost"),
    ({"version": "1"}, "version"),
])
def test_product_fields_refuse_other_types_naming_the_field(shop, body, field):
    base = {"sku": f"S-{uuid.uuid4().hex[:6]}", "name": "Tea", "price": "1.00", "cost": "0.50"}
    status, err = shop.owner.post(f"/orgs/{shop.oid}/products", {**base, **body})
    assert status == 400 and err["error"]["field"] == field, err
    assert "unit_cost" not in err["error"]["message"]


def test_money_is_declared_as_a_string_and_quantities_as_string_or_integer(document):
    schemas = document["components"]["schemas"]
    product = schemas["ProductIn"]["properties"]
    assert product["price"]["type"] == "string" and product["cost"]["type"] == "string"
    assert set(schemas["ProductIn"]["required"]) >= {"price", "cost"}
    movement = schemas["MovementIn"]["properties"]
    assert {o["type"] for o in movement["unit_cost"]["anyOf"]} == {"string", "null"}
    assert {o["type"] for o in movement["quantity"]["anyOf"]} == {"string", "integer", "null"}
    assert schemas["SupplierIn"]["properties"]["lead_time_days"]["type"] == "integer"


def test_a_price_sent_as_a_number_names_price(shop):
    status, err = shop.move(shop.staff, {"kind": "sale", "product_id": shop.product, "location_id": shop.store,
                                         "quantity": "1", "price": 9.5})
    assert status == 400 and err["error"]["field"] == "price" and "unit_cost" not in err["error"]["message"]


@pytest.mark.parametrize("query,field", [
    ("movements?limit=0", "limit"),
    ("movements?limit=many", "limit"),
    ("backorders?status=lost", "status"),
    ("purchase-orders?status=late", "status"),
    ("reports/expiring?days=-1", "days"),
])
def test_query_parameters_are_checked_naming_the_parameter(shop, query, field):
    status, err = shop.staff.get(f"/orgs/{shop.oid}/{query}")
    assert status == 400 and err["error"]["field"] == field, err


def test_query_parameters_are_in_the_document(document):
    params = {p["name"]: p for p in document["paths"]["/orgs/{org_id}/movements"]["get"]["parameters"]
              if p["in"] == "query"}
    assert set(params) == {"product_id", "location_id", "limit"}
    assert params["limit"]["schema"]["type"] == "integer" and params["limit"]["required"] is False
    status = [p for p in document["paths"]["/orgs/{org_id}/backorders"]["get"]["parameters"] if p["in"] == "query"]
    assert status[0]["schema"]["enum"] == ["open", "filled", "cancelled"]


def test_an_integral_json_number_is_an_integer_as_json_schema_counts_it(shop):
    status, supplier = shop.owner.post(f"/orgs/{shop.oid}/suppliers",
                                       {"name": "S", "email": "s@x.example", "lead_time_days": 7.0})
    assert status == 201 and supplier["lead_time_days"] == 7
