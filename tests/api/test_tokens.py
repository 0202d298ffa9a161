"""Tokens: what API Gateway's Cognito authorizer refuses (played locally by local.cognito_authorizer)
and what the app refuses of the claims it passes. Tokens are signed with moto's own Cognito key, so
only the claim under test is wrong."""
from __future__ import annotations

import base64
import gzip
import json
import pathlib
import time

import jwt
import moto
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.mocked import Caller

_PRIVATE = json.loads(gzip.decompress(
    (pathlib.Path(moto.__file__).parent / "cognitoidp/resources/jwks-private.json.gz").read_bytes()))


def claims_of(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def signed(claims: dict, key=None) -> str:
    """A token signed like moto's Cognito signs (its key id), with `key` or moto's private key."""
    key = key or jwt.PyJWK(_PRIVATE).key
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": _PRIVATE["kid"]})


def as_caller(alice, token: str) -> Caller:
    return Caller(alice.client, token, alice.email, alice.sub)


def test_a_token_signed_again_with_the_pools_key_is_accepted(alice):
    """The helper makes tokens the authorizer takes: the refusals below are each for their one change."""
    assert as_caller(alice, signed(claims_of(alice.token))).get("/me")[0] == 200


def test_a_token_signed_with_another_key_is_401(alice):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    status, body = as_caller(alice, signed(claims_of(alice.token), other)).get("/me")
    assert status == 401 and body["error"]["code"] == "unauthorized"


def test_an_expired_token_is_401(alice):
    claims = claims_of(alice.token) | {"iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600}
    status, body = as_caller(alice, signed(claims)).get("/me")
    assert status == 401 and "expired" in body["error"]["message"]


def test_a_token_for_another_app_client_is_401(alice):
    status, body = as_caller(alice, signed(claims_of(alice.token) | {"aud": "another-client"})).get("/me")
    assert status == 401 and "another client" in body["error"]["message"]


def test_a_token_from_another_issuer_is_401(alice):
    claims = claims_of(alice.token) | {"iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_other"}
    assert as_caller(alice, signed(claims)).get("/me")[0] == 401


def test_an_access_token_instead_of_the_id_token_is_401(client, alice):
    _, tokens = Caller(client, None, "").post("/auth/sign-in", {"email": alice.email, "password": "Passw0rd!long"})
    assert claims_of(tokens["access_token"])["token_use"] == "access"
    status, body = as_caller(alice, tokens["access_token"]).get("/me")
    assert status == 401 and body["error"]["message"] == "an ID token is required"


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Bearer abc", "Bearer a.b.c", "Basic dXNlcjpwdw==",
                                    "Bearer e30.e30.e30", "Bearer W10.W10.AAAA"])
def test_a_malformed_authorization_header_is_401_not_an_error(alice, header):
    status, body = Caller(alice.client, None, "").get("/me", headers={"Authorization": header})
    assert status == 401 and body["error"]["code"] == "unauthorized"


def test_the_bare_token_is_taken_as_api_gateway_takes_it(alice):
    status, body = Caller(alice.client, None, "").get("/me", headers={"Authorization": alice.token})
    assert status == 200 and body["sub"] == alice.sub


def test_a_401_from_the_authorizer_carries_cors_and_security_headers(client):
    resp = client.http.get("/me", headers={"Authorization": "Bearer nope"})
    assert resp.status_code == 401
    assert resp.headers["Access-Control-Allow-Origin"] == "http://127.0.0.1:8701"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert json.loads(resp.body)["error"]["code"] == "unauthorized"


def test_every_route_but_the_public_ones_has_the_cognito_authorizer(chalice_app):
    from chalicelib.core.auth import AUTHORIZER
    from chalicelib.core.web import public_routes

    public = public_routes()
    assert ("/health", "GET") in public and ("/auth/sign-in", "POST") in public
    for path, methods in chalice_app.routes.items():
        for method, entry in methods.items():
            if (path, method) in public:
                assert entry.authorizer is None, (method, path)
            else:
                assert entry.authorizer is AUTHORIZER, (method, path)
