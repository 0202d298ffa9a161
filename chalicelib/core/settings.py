"""Settings from environment variables, read once.

The only difference between the local stack and AWS is an endpoint URL and resource names.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    aws_endpoint_url: str | None
    core_table: str
    expenses_table: str
    inventory_table: str
    cars_table: str
    helpdesk_table: str
    rollups_table: str
    outbox_table: str
    expenses_stream_arn: str
    inventory_stream_arn: str
    helpdesk_stream_arn: str
    outbox_stream_arn: str
    bucket: str
    user_pool_id: str
    user_pool_arn: str
    user_pool_client_id: str
    jwks_url: str
    token_issuer: str
    mail_from: str
    api_url: str
    dashboard_origin: str
    dashboard_url: str
    auto_confirm_sign_up: bool
    max_body_bytes: int
    presign_seconds: int
    shop_table: str
    shop_stream_arn: str
    cars_stream_arn: str
    listing_bucket: str  # the public car listing's JSON (the site bucket behind the CDN on AWS)


# Read when `chalice package` builds the API's authorizer; CDK puts the real pool's ARN there.
PLACEHOLDER_USER_POOL_ARN = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_placeholder"
PLACEHOLDER_STREAM_ARN = (
    "arn:aws:dynamodb:us-east-1:000000000000:table/placeholder/stream/1970-01-01T00:00:00.000"
)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    region = _env("AWS_REGION") or _env("AWS_DEFAULT_REGION", "us-east-1")
    endpoint = _env("TALLY_AWS_ENDPOINT_URL") or None
    pool = _env("TALLY_USER_POOL_ID", "")
    issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool}"
    # Cognito serves the JWKS under the issuer; moto serves it under its own endpoint.
    jwks = f"{endpoint.rstrip('/')}/{pool}/.well-known/jwks.json" if endpoint else f"{issuer}/.well-known/jwks.json"
    return Settings(
        stage=_env("TALLY_STAGE", "local"),
        region=region,
        aws_endpoint_url=endpoint,
        core_table=_env("TALLY_CORE_TABLE", "tally-core"),
        expenses_table=_env("TALLY_EXPENSES_TABLE", "tally-expenses"),
        inventory_table=_env("TALLY_INVENTORY_TABLE", "tally-inventory"),
        cars_table=_env("TALLY_CARS_TABLE", "tally-cars"),
        helpdesk_table=_env("TALLY_HELPDESK_TABLE", "tally-helpdesk"),
        rollups_table=_env("TALLY_ROLLUPS_TABLE", "tally-rollups"),
        outbox_table=_env("TALLY_OUTBOX_TABLE", "tally-outbox"),
        expenses_stream_arn=_env("TALLY_EXPENSES_STREAM_ARN", PLACEHOLDER_STREAM_ARN),
        inventory_stream_arn=_env("TALLY_INVENTORY_STREAM_ARN", PLACEHOLDER_STREAM_ARN),
        helpdesk_stream_arn=_env("TALLY_HELPDESK_STREAM_ARN", PLACEHOLDER_STREAM_ARN),
        outbox_stream_arn=_env("TALLY_OUTBOX_STREAM_ARN", PLACEHOLDER_STREAM_ARN),
        bucket=_env("TALLY_BUCKET", "tally-data"),
        user_pool_id=pool,
        user_pool_arn=_env("TALLY_USER_POOL_ARN", PLACEHOLDER_USER_POOL_ARN),
        user_pool_client_id=_env("TALLY_USER_POOL_CLIENT_ID", ""),
        jwks_url=_env("TALLY_JWKS_URL", jwks),
        token_issuer=_env("TALLY_TOKEN_ISSUER", issuer),
        mail_from=_env("TALLY_MAIL_FROM", "alerts@tally.example.com"),
        api_url=_env("TALLY_API_URL", "http://127.0.0.1:8700").rstrip("/"),
        dashboard_origin=_env("TALLY_DASHBOARD_ORIGIN", "http://127.0.0.1:8300"),
        dashboard_url=_env("TALLY_DASHBOARD_URL", "http://127.0.0.1:8300/"),
        auto_confirm_sign_up=_env("TALLY_AUTO_CONFIRM_SIGN_UP", "false").lower() == "true",
        max_body_bytes=int(_env("TALLY_MAX_BODY_BYTES", "65536")),
        presign_seconds=int(_env("TALLY_PRESIGN_SECONDS", "300")),
        shop_table=_env("TALLY_SHOP_TABLE", "tally-shop"),
        shop_stream_arn=_env("TALLY_SHOP_STREAM_ARN", PLACEHOLDER_STREAM_ARN),
        cars_stream_arn=_env("TALLY_CARS_STREAM_ARN", PLACEHOLDER_STREAM_ARN),
        listing_bucket=_env("TALLY_LISTING_BUCKET") or _env("TALLY_BUCKET", "tally-data"),
    )
