"""What API Gateway's Cognito user pool authorizer does, for the local API and the tests.

On AWS, API Gateway verifies the ID token of every non-public route (signature against the pool's
JWKS, issuer, expiry) before the Lambda runs, answers 401 itself when one fails, and passes the
token's claims, every value a string, in `requestContext.authorizer.claims`. Chalice's local
gateway only base64-decodes the token (no signature check, and a malformed one raises), so the
local stack and the tests install this instead: it verifies the token with PyJWT (a development
requirement, never in the Lambda) against the JWKS moto serves and passes the claims the way API
Gateway does. The app then makes the same checks of those claims everywhere (chalicelib/core/auth.py:
`token_use`, audience, issuer).
"""
from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from typing import Any

import chalice.local
import jwt
from chalice.app import CognitoUserPoolAuthorizer
from chalice.local import LocalGatewayAuthorizer, NotAuthorizedError

from chalicelib.core.settings import get_settings

_clients: dict[str, jwt.PyJWKClient] = {}
_clients_lock = threading.Lock()


class InvalidToken(Exception):
    """The token is missing, malformed, expired, not from the pool or not signed by its keys."""


def _jwks_client(url: str) -> jwt.PyJWKClient:
    with _clients_lock:
        if url not in _clients:
            # Keys are cached; an unknown `kid` makes one refetch (as API Gateway follows key rotation).
            _clients[url] = jwt.PyJWKClient(url, cache_keys=True, lifespan=3600, timeout=5)
        return _clients[url]


def token_from_header(value: str | None) -> str:
    """The token of an Authorization header: `Bearer <token>` or the bare token, as API Gateway takes."""
    value = (value or "").strip()
    scheme, _, rest = value.partition(" ")
    token = rest.strip() if scheme.lower() == "bearer" else value
    if not token:
        raise InvalidToken("missing bearer token")
    return token


def verify(token: str) -> dict[str, Any]:
    """The claims of a token signed by the pool's key, from the pool, not expired; else InvalidToken.

    The audience and `token_use` are left to the app, as API Gateway leaves them."""
    s = get_settings()
    try:
        key = _jwks_client(s.jwks_url).get_signing_key_from_jwt(token)
        return jwt.decode(token, key.key, algorithms=["RS256"], issuer=s.token_issuer, leeway=5,
                          options={"require": ["exp", "iat", "iss", "sub"], "verify_aud": False})
    except jwt.PyJWKClientError as exc:
        raise InvalidToken(f"token key not trusted: {exc}") from None
    except jwt.InvalidTokenError as exc:
        raise InvalidToken(f"invalid token: {exc}") from None


def _gateway_time(value: Any) -> str:
    """API Gateway passes `exp`, `iat` and `auth_time` as dates: `Mon Nov 30 01:56:40 UTC 2026`."""
    return datetime.fromtimestamp(int(value), timezone.utc).strftime("%a %b %d %H:%M:%S UTC %Y")


def gateway_claims(claims: dict[str, Any]) -> dict[str, str]:
    """The claims as API Gateway's Cognito authorizer passes them: every value a string."""
    out: dict[str, str] = {}
    for name, value in claims.items():
        if name in ("exp", "iat", "auth_time") and isinstance(value, (int, float)):
            out[name] = _gateway_time(value)
        elif isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            out[name] = ",".join(str(v) for v in value)
        else:
            out[name] = str(value)
    return out


def unauthorized(request_id: str, message: str) -> NotAuthorizedError:
    """API Gateway's 401, with the body and headers CDK gives its UNAUTHORIZED gateway response."""
    from chalicelib.core.web import SECURITY_HEADERS  # not at import: web reads the settings

    origin = get_settings().dashboard_origin
    headers = {"Content-Type": "application/json", "x-amzn-RequestId": request_id,
               "x-amzn-ErrorType": "UnauthorizedException", "Access-Control-Allow-Origin": origin,
               **SECURITY_HEADERS}
    body = json.dumps({"error": {"code": "unauthorized", "message": message}}).encode()
    return NotAuthorizedError(headers, body)


class VerifyingLocalAuthorizer(LocalGatewayAuthorizer):
    """Chalice's local authorizer, with Cognito routes verified as API Gateway verifies them."""

    def authorize(self, raw_path: str, lambda_event: dict, lambda_context: Any) -> tuple[dict, Any]:
        route = self._route_for_event(lambda_event)
        if route is None or not isinstance(route.authorizer, CognitoUserPoolAuthorizer):
            return super().authorize(raw_path, lambda_event, lambda_context)
        headers = {k.lower(): v for k, v in (lambda_event.get("headers") or {}).items()}
        try:
            claims = verify(token_from_header(headers.get("authorization")))
        except InvalidToken as exc:
            raise unauthorized(lambda_context.aws_request_id, str(exc)) from None
        lambda_event["requestContext"]["authorizer"] = {"claims": gateway_claims(claims),
                                                        "principalId": str(claims.get("sub", ""))}
        return lambda_event, lambda_context


def install() -> None:
    """Make every Chalice local gateway of this process (the local API server's, chalice.test's)
    verify Cognito routes' tokens. Chalice builds its gateways' authorizer from this name."""
    chalice.local.LocalGatewayAuthorizer = VerifyingLocalAuthorizer  # type: ignore[misc]
