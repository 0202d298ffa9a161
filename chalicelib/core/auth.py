"""Who is calling: the claims of a Cognito ID token that API Gateway has already verified.

On AWS every non-public route carries API Gateway's Cognito user pool authorizer (`AUTHORIZER`):
API Gateway checks the token's signature against the pool's keys, its issuer and its expiry, and
answers 401 itself when one fails, so the Lambda needs no crypto library. What reaches the app is
`requestContext.authorizer.claims` (every value a string); `principal` then checks what API Gateway
does not: `token_use == "id"` (an access token is refused), the audience (our app client) and the
issuer. Locally, Chalice's local gateway would only decode the token without verifying it, so the
local stack and the tests replace it with `local.cognito_authorizer`, which verifies the token the
way API Gateway does and passes the same claims: the app has one path everywhere.

Cognito groups carry platform-wide roles only.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from chalice import CognitoUserPoolAuthorizer

from .errors import Unauthorized
from .keys import user_pk
from .settings import get_settings

# The pool's ARN is fixed when `chalice package` reads the routes; CDK puts the real one in the
# REST API's definition (infra/tally_infra/stack.py), as it does for stream ARNs.
AUTHORIZER = CognitoUserPoolAuthorizer("TallyUsers", provider_arns=[get_settings().user_pool_arn],
                                       header="Authorization")


@dataclass(frozen=True)
class Principal:
    sub: str
    email: str
    groups: frozenset[str] = field(default_factory=frozenset)
    email_verified: bool = False

    @property
    def owner_key(self) -> str:
        return user_pk(self.sub)


def principal(request: Any) -> Principal:
    """The caller of a request that passed the Cognito authorizer, or raise Unauthorized."""
    context = getattr(request, "context", None) or {}
    claims = (context.get("authorizer") or {}).get("claims")
    if not isinstance(claims, Mapping) or not claims:
        raise Unauthorized("missing bearer token")
    return principal_from_claims(claims)


def principal_from_claims(claims: Mapping[str, Any]) -> Principal:
    """Check what the authorizer leaves to the app (an ID token, of our app client, from our pool)."""
    s = get_settings()
    if claims.get("token_use") != "id":
        raise Unauthorized("an ID token is required")
    if claims.get("aud") != s.user_pool_client_id:
        raise Unauthorized("invalid token: the token is for another client")
    if claims.get("iss") != s.token_issuer:
        raise Unauthorized("invalid token: the token is from another issuer")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise Unauthorized("invalid token: no subject")
    return Principal(
        sub=sub,
        email=str(claims.get("email") or ""),
        groups=_groups(claims.get("cognito:groups")),
        email_verified=str(claims.get("email_verified", "")).lower() == "true",
    )


def _groups(value: Any) -> frozenset[str]:
    """`cognito:groups` as a set: a list in the token, a string once API Gateway has passed it
    ("a,b" or "[a b]")."""
    if not value:
        return frozenset()
    if isinstance(value, (list, tuple, set, frozenset)):
        return frozenset(str(v) for v in value)
    text = str(value).strip().strip("[]")
    return frozenset(g for g in text.replace(",", " ").split() if g)


def issued_token_claims(token: str) -> dict[str, Any]:
    """The payload of a token this function has just received from Cognito itself (InitiateAuth
    over TLS), decoded without verification: only for tokens that came straight from Cognito,
    never for a token a client sent."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error) as exc:
        raise Unauthorized(f"invalid token: {exc}") from None
    if not isinstance(claims, dict) or not claims.get("sub"):
        raise Unauthorized("invalid token: no subject")
    return claims
