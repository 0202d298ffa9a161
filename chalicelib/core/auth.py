"""Cognito ID token verification: the same code locally (moto) and on AWS.

Checks the signature against the pool's JWKS, the issuer, the audience (app client),
expiry and `token_use == "id"`. Cognito groups carry platform-wide roles only.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .errors import Unauthorized
from .settings import get_settings

_jwks_client = None  # jwt.PyJWKClient, made on first use


@dataclass(frozen=True)
class Principal:
    sub: str
    email: str
    groups: frozenset[str] = field(default_factory=frozenset)
    email_verified: bool = False

    @property
    def owner_key(self) -> str:
        return f"USER#{self.sub}"


def _client():
    import jwt

    global _jwks_client
    if _jwks_client is None:
        # Keys are cached for the life of the container; an unknown `kid` triggers one refetch.
        _jwks_client = jwt.PyJWKClient(get_settings().jwks_url, cache_keys=True, lifespan=3600, timeout=5)
    return _jwks_client


def verify_id_token(token: str) -> Principal:
    """Return the caller of a valid Cognito ID token, or raise Unauthorized."""
    import jwt  # imported on first use: stream and schedule invocations never need it

    s = get_settings()
    try:
        key = _client().get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            audience=s.user_pool_client_id,
            issuer=s.token_issuer,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            leeway=5,
        )
    except jwt.PyJWKClientError as exc:
        raise Unauthorized(f"token key not trusted: {exc}") from None
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(f"invalid token: {exc}") from None
    if claims.get("token_use") != "id":
        raise Unauthorized("an ID token is required")
    return Principal(
        sub=claims["sub"],
        email=claims.get("email", ""),
        groups=frozenset(claims.get("cognito:groups", []) or []),
        email_verified=str(claims.get("email_verified", "")).lower() == "true",
    )


def bearer_token(headers) -> str:
    value = headers.get("authorization") or headers.get("Authorization") or ""
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("missing bearer token")
    return token.strip()
