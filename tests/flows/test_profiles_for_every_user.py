"""Item 7: every user has a profile (Cognito's trigger on AWS, the local stack's sweep locally), and an
owner without one still gets stock alerts at the membership's email. Users here are made the way an
administrator makes them (admin_create_user), so no sign-up through the API creates their profile."""
from __future__ import annotations

import uuid

import boto3

from chalicelib.core import clock
from chalicelib.core.settings import get_settings
from tests.api.test_inventory_api import make_shop, receive, sale
from tests.flows.test_inventory_flow import DAY, mails
from tests.mocked import Caller, sent_emails

PASSWORD = "Passw0rd!long"


def admin_created_user(client) -> Caller:
    """A user an administrator made, signed in straight against Cognito (not through /auth/sign-in,
    which would create the profile)."""
    email = f"olive-{uuid.uuid4().hex[:8]}@example.com"
    s = get_settings()
    idp = boto3.client("cognito-idp", region_name="us-east-1")
    sub = next(a["Value"] for a in idp.admin_create_user(
        UserPoolId=s.user_pool_id, Username=email, MessageAction="SUPPRESS",
        UserAttributes=[{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"},
                        {"Name": "name", "Value": "Olive"}])["User"]["Attributes"] if a["Name"] == "sub")
    idp.admin_set_user_password(UserPoolId=s.user_pool_id, Username=email, Password=PASSWORD, Permanent=True)
    tokens = idp.initiate_auth(ClientId=s.user_pool_client_id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD})["AuthenticationResult"]
    return Caller(client, tokens["IdToken"], email, sub)


def trigger_event(source: str, sub: str, email: str) -> dict:
    s = get_settings()
    return {"version": "1", "triggerSource": source, "region": "us-east-1", "userPoolId": s.user_pool_id,
            "userName": sub, "callerContext": {"awsSdkVersion": "aws-sdk-unknown", "clientId": s.user_pool_client_id},
            "request": {"userAttributes": {"sub": sub, "email": email, "email_verified": "true", "name": "Olive",
                                           "cognito:user_status": "CONFIRMED"}},
            "response": {}}


def test_an_owner_without_a_profile_gets_the_low_stock_email_at_the_membership_email(client, bob, pump):
    from chalicelib.core.profiles import get_profile

    clock.set_now(DAY)
    owner = admin_created_user(client)
    shop = make_shop(client, owner, bob)
    assert get_profile(owner.sub) is None  # nothing made one: sign-in went straight to Cognito
    shop.manager.put(f"/orgs/{shop.oid}/stock/{shop.product}/{shop.store}/settings", {"reorder_point": "5"})
    receive(shop, 6, "2.00")
    pump.run()
    assert sale(shop, "2")[0] == 201  # 6 → 4 < 5: low
    pump.run()
    low = mails("stock")
    assert sorted(m["recipient"] for m in low) == sorted([owner.email, shop.manager.email])
    olive = next(m for m in low if m["recipient"] == owner.email)
    assert "is low" in olive["subject"] and olive["status"] == "sent"


def test_a_manager_who_turned_stock_alerts_off_still_gets_none(client, bob, pump):
    clock.set_now(DAY)
    owner = admin_created_user(client)
    shop = make_shop(client, owner, bob)
    assert shop.manager.put("/me", {"alert_preferences": {"stock_alerts": False}})[0] == 200
    shop.manager.put(f"/orgs/{shop.oid}/stock/{shop.product}/{shop.store}/settings", {"reorder_point": "5"})
    receive(shop, 6, "2.00")
    assert sale(shop, "2")[0] == 201
    pump.run()
    assert [m["recipient"] for m in mails("stock")] == [owner.email]


def test_the_cognito_trigger_creates_the_profile_once(client):
    from chalicelib.core.profiles import get_profile

    user = admin_created_user(client)
    assert get_profile(user.sub) is None
    event = trigger_event("PostConfirmation_ConfirmSignUp", user.sub, user.email)
    assert client.lambda_.invoke("on_user_confirmed", event).payload == event  # Cognito wants the event back
    first = get_profile(user.sub)
    assert (first.email, first.name, first.time_zone) == (user.email, "Olive", "UTC")
    assert user.get("/me")[1]["version"] == first.version
    # again (a redelivery, a password reset, every sign-in): the same profile, unchanged
    for source in ("PostConfirmation_ConfirmSignUp", "PostConfirmation_ConfirmForgotPassword",
                   "PostAuthentication_Authentication"):
        client.lambda_.invoke("on_user_confirmed", trigger_event(source, user.sub, "changed@example.com"))
    again = get_profile(user.sub)
    assert (again.email, again.version, again.unsubscribe_token) == (user.email, first.version,
                                                                      first.unsubscribe_token)


def test_the_first_sign_in_of_an_admin_made_user_creates_the_profile(client):
    from chalicelib.core.profiles import get_profile

    user = admin_created_user(client)
    client.lambda_.invoke("on_user_confirmed", trigger_event("PostAuthentication_Authentication", user.sub, user.email))
    assert get_profile(user.sub).email == user.email


def test_other_trigger_sources_create_nothing(client):
    from chalicelib.core.profiles import get_profile

    user = admin_created_user(client)
    client.lambda_.invoke("on_user_confirmed", trigger_event("PreSignUp_SignUp", user.sub, user.email))
    assert get_profile(user.sub) is None
    assert sent_emails() == []


def test_the_local_stack_sweep_gives_every_user_of_its_cognito_a_profile_once(client, chalice_app):
    """What the local stack's profile worker does each few seconds, run here once against moto."""
    from chalicelib.core.profiles import get_profile
    from local.profile_worker import ProfileWorker

    s = get_settings()
    idp = boto3.client("cognito-idp", region_name="us-east-1")
    confirmed = admin_created_user(client)  # signed in once: CONFIRMED
    waiting = f"new-{uuid.uuid4().hex[:8]}@example.com"  # made by an administrator, never signed in
    idp.admin_create_user(UserPoolId=s.user_pool_id, Username=waiting, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": waiting}])
    unconfirmed = f"later-{uuid.uuid4().hex[:8]}@example.com"  # signed up, code not entered: cannot sign in
    idp.sign_up(ClientId=s.user_pool_client_id, Username=unconfirmed, Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": unconfirmed}])
    worker = ProfileWorker(chalice_app.handler_map["on_user_confirmed"], idp, s.user_pool_id, "us-east-1")
    worker.sweep()
    attributes = [{a["Name"]: a["Value"] for a in u["Attributes"]}
                  for page in idp.get_paginator("list_users").paginate(UserPoolId=s.user_pool_id)
                  for u in page["Users"]]
    subs = {a["email"]: a["sub"] for a in attributes}
    assert get_profile(confirmed.sub).email == confirmed.email
    assert get_profile(subs[waiting]).email == waiting
    assert get_profile(subs[unconfirmed]) is None
    assert worker.sweep() == 0  # each user once


def test_a_failed_profile_write_does_not_block_a_sign_in_but_fails_a_confirmation(client, monkeypatch):
    import pytest

    from chalicelib.core import profiles

    user = admin_created_user(client)

    def broken(*args, **kwargs):
        raise RuntimeError("DynamoDB is down")

    monkeypatch.setattr(profiles, "ensure_profile", broken)
    sign_in = trigger_event("PostAuthentication_Authentication", user.sub, user.email)
    assert profiles.on_cognito_trigger(sign_in) == sign_in
    with pytest.raises(RuntimeError):
        profiles.on_cognito_trigger(trigger_event("PostConfirmation_ConfirmSignUp", user.sub, user.email))
