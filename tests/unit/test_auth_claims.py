"""core.auth: the caller from the claims API Gateway's Cognito authorizer passes (every value a string)."""
from __future__ import annotations

import pytest

from chalicelib.core.auth import issued_token_claims, principal, principal_from_claims
from chalicelib.core.errors import Unauthorized
from chalicelib.core.settings import get_settings


def gateway_claims(**changes) -> dict:
    s = get_settings()
    return {"sub": "u-1", "aud": s.user_pool_client_id, "iss": s.token_issuer, "token_use": "id",
            "email": "a@example.com", "email_verified": "true", "exp": "Mon Nov 30 03:00:00 UTC 2026"} | changes


class Request:
    def __init__(self, context):
        self.context = context


def test_claims_as_api_gateway_passes_them_make_the_principal():
    p = principal(Request({"authorizer": {"claims": gateway_claims(**{"cognito:groups": "admins,support"})}}))
    assert (p.sub, p.email, p.email_verified) == ("u-1", "a@example.com", True)
    assert p.groups == {"admins", "support"}


@pytest.mark.parametrize("value,groups", [("[a b]", {"a", "b"}), ("a", {"a"}), (["a", "b"], {"a", "b"}), ("", set())])
def test_groups_are_read_in_each_shape_they_come_in(value, groups):
    assert principal_from_claims(gateway_claims(**{"cognito:groups": value})).groups == groups


def test_an_unverified_email_stays_unverified():
    assert principal_from_claims(gateway_claims(email_verified="false")).email_verified is False


@pytest.mark.parametrize("context", [{}, {"authorizer": None}, {"authorizer": {}}, {"authorizer": {"claims": {}}}])
def test_no_claims_is_unauthorized(context):
    with pytest.raises(Unauthorized):
        principal(Request(context))


@pytest.mark.parametrize("change", [{"token_use": "access"}, {"aud": "other"}, {"iss": "https://example.com"},
                                    {"sub": ""}])
def test_claims_the_authorizer_does_not_check_are_checked_here(change):
    with pytest.raises(Unauthorized):
        principal_from_claims(gateway_claims(**change))


def test_a_token_straight_from_cognito_is_read_without_a_crypto_library():
    import base64
    import json

    body = base64.urlsafe_b64encode(json.dumps({"sub": "u-1", "email": "a@example.com"}).encode()).rstrip(b"=")
    assert issued_token_claims(f"e30.{body.decode()}.sig")["sub"] == "u-1"
    for bad in ("", "abc", "e30.!!!.x", "e30.W10.x", "e30.e30.x"):
        with pytest.raises(Unauthorized):
            issued_token_claims(bad)
