"""The running local stack gives every user its Cognito holds a profile (moto fires no Cognito triggers),
and verifies tokens as API Gateway's Cognito authorizer does."""
from __future__ import annotations

import time
import uuid

import boto3

from tests.e2e.http import call


def aws(out: dict, service: str):
    return boto3.client(service, region_name=out["region"], endpoint_url=out["aws_endpoint_url"],
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def profile(out: dict, sub: str) -> dict | None:
    item = aws(out, "dynamodb").get_item(TableName=out["tables"]["core"],
                                         Key={"pk": {"S": f"USER#{sub}"}, "sk": {"S": "PROFILE"}})
    return item.get("Item")


def wait_for_profile(out: dict, sub: str, timeout: float = 30.0) -> dict | None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = profile(out, sub)
        if found:
            return found
        time.sleep(0.25)
    return None


def test_a_user_made_with_admin_create_user_gets_a_profile_without_calling_the_api(local_stack):
    out = local_stack
    idp = aws(out, "cognito-idp")
    email = f"admin-made-{uuid.uuid4().hex[:8]}@example.com"
    user = idp.admin_create_user(UserPoolId=out["user_pool_id"], Username=email, MessageAction="SUPPRESS",
                                 UserAttributes=[{"Name": "email", "Value": email}, {"Name": "name", "Value": "Ada"}])
    sub = next(a["Value"] for a in user["User"]["Attributes"] if a["Name"] == "sub")
    found = wait_for_profile(out, sub)
    assert found is not None, "the stack made no profile within 30 s"
    assert found["email"] == {"S": email} and found["name"] == {"S": "Ada"}


def test_the_demo_user_has_a_profile(local_stack):
    out = local_stack
    pages = aws(out, "cognito-idp").get_paginator("list_users").paginate(UserPoolId=out["user_pool_id"])
    users = [u for page in pages for u in page["Users"]]
    attributes = [{a["Name"]: a["Value"] for a in u["Attributes"]} for u in users]
    demo = next(a for a in attributes if a.get("email") == out["demo_email"])
    assert wait_for_profile(out, demo["sub"]) is not None


def test_the_local_api_refuses_a_forged_or_missing_token_with_401(local_stack):
    api = local_stack["api_url"]
    for headers in ({}, {"Authorization": "Bearer abc"}, {"Authorization": "Bearer e30.e30.AAAA"}):
        status, body, _ = call("GET", f"{api}/me", headers=headers)
        assert status == 401 and body["error"]["code"] == "unauthorized", (headers, status, body)
