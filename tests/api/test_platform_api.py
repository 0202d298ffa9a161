"""Accounts, profiles, organisations and roles, alerts, OpenAPI, CORS: the platform core over the API."""
from __future__ import annotations

import re
import uuid

import pytest

from tests.mocked import Caller, sign_up


def test_health_is_public(client):
    assert Caller(client, None, "").get("/health") == (200, {"status": "ok"})


def test_every_route_but_the_public_ones_needs_a_token(client, chalice_app):
    anon = Caller(client, None, "")
    public = {("/health", "GET"), ("/openapi.json", "GET"), ("/auth/sign-up", "POST"), ("/auth/sign-in", "POST"),
              ("/auth/confirm", "POST"), ("/auth/refresh", "POST"), ("/unsubscribe", "GET"), ("/unsubscribe", "POST"),
              ("/desks/{handle}", "GET"),
              # the public car listing's view beacon and a saved-search email's unsubscribe link (cars)
              ("/listing/{org_id}/cars/{car_id}/views", "POST"),
              ("/car-searches/unsubscribe", "GET"), ("/car-searches/unsubscribe", "POST")}
    # the help desk's knowledge base, for anyone at a desk's portal
    public |= {("/desks/{handle}/articles", "GET"), ("/desks/{handle}/articles/{article_id}", "GET"),
               ("/desks/{handle}/suggestions", "GET"), ("/desks/{handle}/deflections/{deflection_id}", "PUT")}
    public |= {("/dealers/{org_id}/booking-locations", "GET"),  # cars: bookings and enquiries from a car's page
               ("/dealers/{org_id}/booking-locations/{location_id}/slots", "GET"),
               ("/dealers/{org_id}/bookings", "POST"), ("/dealers/{org_id}/bookings/{booking_id}/cancel", "GET"),
               ("/dealers/{org_id}/bookings/{booking_id}/cancel", "POST"),
               ("/dealers/{org_id}/cars/{car_id}/enquiries", "POST")}
    public |= {("/shops/{handle}", "GET"), ("/shops/{handle}/orders", "POST"),  # the shop: guests order
               ("/shops/{handle}/payments", "POST")}  # the payment provider's webhook (its signature checked)
    # the shop's news (issue 13 item 6): shoppers follow and ask to be told; the signed links are the credential
    public |= {("/shops/{handle}/follows", "POST"), ("/shops/{handle}/products/{product_id}/notify", "POST"),
               ("/shops/{handle}/follows/confirm", "GET"), ("/shops/{handle}/follows/confirm", "POST"),
               ("/shops/{handle}/follows/unsubscribe", "GET"), ("/shops/{handle}/follows/unsubscribe", "POST")}
    # a guest's order: found by number and email, opened and returned with its signed token (issue 13 item 3)
    public |= {("/shops/{handle}/order-lookup", "POST"), ("/shops/{handle}/orders/{order_id}", "GET"),
               ("/shops/{handle}/returns", "POST")}
    public |= {("/channels/{channel_id}/orders", "POST")}  # a marketplace's orders (its signature checked)
    # a help desk customer without an account: the signed ticket link is the credential (issue 11 items 1, 7)
    public |= {("/ticket-links/{token}", "GET"), ("/ticket-links/{token}/messages/{message_id}", "PUT"),
               ("/ticket-links/{token}/rating", "GET"), ("/ticket-links/{token}/rating", "POST"),
               ("/ticket-links/{token}/attachments", "POST")}
    checked = 0
    for path, methods in chalice_app.routes.items():
        concrete = re.sub(r"{\w+}", str(uuid.uuid4()), path)
        for method in methods:
            if method == "OPTIONS" or (path, method) in public:
                continue
            status, body = anon.call(method, concrete, {} if method in ("POST", "PUT") else None)
            assert status == 401, (method, path, body)
            checked += 1
    assert checked >= 15


def test_sign_up_twice_is_409_on_email(client):
    c = sign_up(client)
    status, body = Caller(client, None, "").post("/auth/sign-up", {"email": c.email, "password": "Passw0rd!long"})
    assert status == 409 and body["error"]["field"] == "email"


def test_wrong_password_is_401(client):
    c = sign_up(client)
    status, body = Caller(client, None, "").post("/auth/sign-in", {"email": c.email, "password": "nope-nope"})
    assert status == 401


@pytest.mark.parametrize("body,field", [
    ({"email": "not-an-email", "password": "Passw0rd!long"}, "email"),
    ({"email": "a@b.co", "password": "short"}, "password"),
    ({"email": "a@b.co", "password": "Passw0rd!long", "admin": True}, "admin"),
])
def test_bad_sign_up_names_the_field(client, body, field):
    status, err = Caller(client, None, "").post("/auth/sign-up", body)
    assert status == 400 and err["error"]["field"] == field


def test_refresh_gives_a_new_id_token(client):
    anon = Caller(client, None, "")
    c = sign_up(client)
    _, tokens = anon.post("/auth/sign-in", {"email": c.email, "password": "Passw0rd!long"})
    status, fresh = anon.post("/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert status == 200 and Caller(client, fresh["id_token"], c.email).get("/me")[0] == 200


def test_profile_defaults_and_update(alice):
    status, me = alice.get("/me")
    assert status == 200 and me["email"] == alice.email and me["currency"] == "USD" and me["time_zone"] == "UTC"
    status, me2 = alice.put("/me", {"name": "Alice", "time_zone": "Europe/Paris", "currency": "EUR",
                                    "alert_preferences": {"budget_alerts": False}})
    assert status == 200 and me2["time_zone"] == "Europe/Paris" and me2["currency"] == "EUR"
    assert me2["alert_preferences"]["budget_alerts"] is False and me2["version"] == me["version"] + 1


@pytest.mark.parametrize("body,field", [
    ({"time_zone": "Mars/Olympus"}, "time_zone"), ({"currency": "EURO"}, "currency"),
    ({"currency": "XXX"}, "currency"), ({"nickname": "x"}, "nickname"),
])
def test_bad_profile_input_names_the_field(alice, body, field):
    status, err = alice.put("/me", body)
    assert status == 400 and err["error"]["field"] == field


def test_stale_profile_version_is_409(alice):
    _, me = alice.get("/me")
    alice.put("/me", {"name": "A"})
    assert alice.put("/me", {"name": "B", "version": me["version"]})[0] == 409


def test_profiles_are_per_user(alice, bob):
    alice.put("/me", {"name": "Alice"})
    assert bob.get("/me")[1]["name"] != "Alice"


def test_home_currency_change_applies_to_new_records(alice):
    alice.put("/me", {"currency": "EUR"})
    base = {"kind": "expense", "amount": "5.00", "date": "2026-11-01", "category": "food", "payment_mode": "cash"}
    status, rec = alice.post("/expenses", base)
    assert status == 201 and rec["currency"] == "EUR"  # no currency given: the home currency
    status, rec = alice.post("/expenses", base | {"currency": "USD"})
    assert status == 201 and rec["currency"] == "USD"  # each transaction keeps its own


# ----------------------------------------------------------- organisations
def test_creator_is_owner_and_lists_it(alice):
    status, org = alice.post("/orgs", {"name": "Corner Shop"})
    assert status == 201 and org["role"] == "owner"
    assert alice.get("/orgs")[1]["items"] == [{"org_id": org["org_id"], "name": "Corner Shop", "role": "owner"}]
    assert alice.get(f"/orgs/{org['org_id']}")[1]["name"] == "Corner Shop"


def test_non_members_cannot_see_an_organisation(alice, bob):
    _, org = alice.post("/orgs", {"name": "Corner Shop"})
    assert bob.get(f"/orgs/{org['org_id']}")[0] == 404
    assert bob.get(f"/orgs/{org['org_id']}/members")[0] == 404
    assert bob.put(f"/orgs/{org['org_id']}/members/{bob.sub}", {"role": "owner"})[0] == 404


def test_roles_come_from_membership_records(alice, bob, client):
    carol = sign_up(client, "carol")
    _, org = alice.post("/orgs", {"name": "Corner Shop"})
    oid = org["org_id"]
    assert alice.put(f"/orgs/{oid}/members/{bob.sub}", {"role": "staff"})[0] == 200
    assert bob.get(f"/orgs/{oid}")[1]["role"] == "staff"
    # staff cannot manage members
    status, err = bob.put(f"/orgs/{oid}/members/{carol.sub}", {"role": "manager"})
    assert status == 403 and err["error"]["field"] == "role"
    alice.put(f"/orgs/{oid}/members/{bob.sub}", {"role": "manager"})
    assert bob.get(f"/orgs/{oid}")[1]["role"] == "manager"
    assert bob.put(f"/orgs/{oid}/members/{carol.sub}", {"role": "staff"})[0] == 403  # only owners
    assert {m["sub"] for m in alice.get(f"/orgs/{oid}/members")[1]["items"]} == {alice.sub, bob.sub}


def test_the_last_owner_cannot_leave_or_be_demoted(alice):
    _, org = alice.post("/orgs", {"name": "Corner Shop"})
    oid = org["org_id"]
    assert alice.put(f"/orgs/{oid}/members/{alice.sub}", {"role": "staff"})[0] == 409
    assert alice.delete(f"/orgs/{oid}/members/{alice.sub}")[0] == 409


def test_a_member_can_leave(alice, bob):
    _, org = alice.post("/orgs", {"name": "Corner Shop"})
    oid = org["org_id"]
    alice.put(f"/orgs/{oid}/members/{bob.sub}", {"role": "staff"})
    assert bob.delete(f"/orgs/{oid}/members/{bob.sub}")[0] == 204
    assert bob.get(f"/orgs/{oid}")[0] == 404


@pytest.mark.parametrize("body,field", [({"name": ""}, "name"), ({}, "name"), ({"name": "x" * 121}, "name")])
def test_bad_org_input_names_the_field(alice, body, field):
    status, err = alice.post("/orgs", body)
    assert status == 400 and err["error"]["field"] == field


def test_bad_role_is_400(alice, bob):
    _, org = alice.post("/orgs", {"name": "Shop"})
    status, err = alice.put(f"/orgs/{org['org_id']}/members/{bob.sub}", {"role": "king"})
    assert status == 400 and err["error"]["field"] == "role"


# ----------------------------------------------------------------- budgets
@pytest.mark.parametrize("path,body,field", [
    ("/budgets/food", {"limit": "0"}, "limit"), ("/budgets/food", {"limit": 100}, "limit"),
    ("/budgets/food", {"limit": "10", "thresholds": [0]}, "thresholds.0"),
    ("/budgets/salary", {"limit": "10"}, "category"), ("/budgets/nope", {"limit": "10"}, "category"),
    ("/budgets/Food!", {"limit": "10"}, "category"),
])
def test_bad_budget_input_names_the_field(alice, path, body, field):
    status, err = alice.put(path, body)
    assert status == 400 and err["error"]["field"] == field
    assert alice.get("/budgets?month=2026-11")[1]["items"] == []


def test_budgets_are_per_user(alice, bob):
    alice.put("/budgets/food", {"limit": "100"})
    assert bob.get("/budgets?month=2026-11")[1]["items"] == []
    assert alice.get("/budgets?month=2026-11")[1]["items"][0]["thresholds"] == [80, 100]


def test_custom_categories(alice, bob):
    status, cat = alice.post("/categories", {"name": "Pets"})
    assert status == 201 and cat["slug"] == "pets"
    base = {"kind": "expense", "amount": "5.00", "currency": "USD", "date": "2026-11-01", "payment_mode": "cash"}
    assert alice.post("/expenses", base | {"category": "pets"})[0] == 201
    assert bob.post("/expenses", base | {"category": "pets"})[0] == 400
    assert any(c["slug"] == "pets" for c in alice.get("/categories")[1]["items"])
    assert alice.post("/categories", {"name": "Food"})[0] == 409


def test_insights_before_any_data_is_an_empty_year(alice):
    status, doc = alice.get("/insights/expenses?year=2026")
    assert status == 200 and len(doc["months"]) == 12 and doc["categories"] == {}
    assert alice.get("/insights/expenses?year=abc")[1]["error"]["field"] == "year"


def test_alerts_list_is_empty_at_first(alice):
    assert alice.get("/alerts") == (200, {"items": [], "next": None})


# ----------------------------------------------------------------- edges
def test_openapi_lists_routes_with_their_schemas(client):
    status, doc = Caller(client, None, "").get("/openapi.json")
    assert status == 200 and doc["openapi"].startswith("3.")
    post = doc["paths"]["/expenses"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("TransactionIn")
    assert "amount" in doc["components"]["schemas"]["TransactionIn"]["properties"]
    assert "security" not in doc["paths"]["/health"]["get"] and post["security"]


def test_a_stripped_string_of_minimum_length_is_documented_as_not_blank(client, alice):
    """Request strings are stripped before their length is checked: the document says a value of
    whitespace alone is not valid (NONBLANK, as a pattern or beside a field's own that lets blanks
    through), on every body and query string with a minimum length, so a schema-valid value is never the
    API's 400."""
    import jsonschema
    from pydantic import Field, ValidationError

    from chalicelib.core.schemas import NONBLANK

    doc = Caller(client, None, "").get("/openapi.json")[1]
    strings: list[dict] = []

    def walk(node):
        if isinstance(node, list):
            for x in node:
                walk(x)
        elif isinstance(node, dict):
            if node.get("type") == "string" and node.get("minLength", 0) >= 1:
                strings.append(node)
            for v in node.values():
                walk(v)

    bodies = {op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
              for item in doc["paths"].values() for op in item.values()
              if "application/json" in op.get("requestBody", {}).get("content", {})}
    walk([doc["components"]["schemas"][name] for name in bodies])
    walk([p["schema"] for item in doc["paths"].values() for op in item.values() for p in op.get("parameters", [])
          if p["in"] == "query"])
    assert len(strings) > 50
    for node in strings:  # its own pattern, NONBLANK, or both (where its own lets blanks through)
        for blank in (" ", "\t", "\f", "\x85", "\u3000"):
            assert not jsonschema.Draft202012Validator({**node, "minLength": 1}).is_valid(blank), (node, blank)
    # the document's non-blank character is exactly one pydantic's stripping keeps (a schema-valid value is
    # never stripped to nothing, a value the document refuses never passes)
    from chalicelib.core.schemas import Strict

    class Probe(Strict):
        s: str = Field(min_length=1)

    for code in [*range(0x2100), *range(0x2f00, 0x3100), 0xFEFF]:
        kept = re.search(NONBLANK, chr(code)) is not None
        try:
            Probe.model_validate({"s": chr(code)})
            passes = True
        except ValidationError:
            passes = False
        assert kept == passes, hex(code)
    # what the document refuses, the API refuses naming the field; a real name passes both
    oid = alice.post("/orgs", {"name": "Blank names"})[1]["org_id"]
    status, out = alice.post(f"/orgs/{oid}/locations", {"name": "\f", "kind": "store"})
    assert (status, out["error"]["field"]) == (400, "name")
    assert alice.post(f"/orgs/{oid}/locations", {"name": " Depot ", "kind": "store"})[1]["name"] == "Depot"


def test_cors_allows_only_the_dashboard_origin(client):
    resp = client.http.get("/health", headers={"Origin": "http://127.0.0.1:8701"})
    assert resp.headers.get("Access-Control-Allow-Origin") == "http://127.0.0.1:8701"
    assert resp.headers.get("X-Content-Type-Options") == "nosniff"
