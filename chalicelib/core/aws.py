"""AWS clients, created once per container, pointed at the local endpoint when one is set.

botocore directly, not boto3: the same clients without boto3's and s3transfer's import time.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import botocore.session
from botocore.config import Config

from .settings import get_settings


@lru_cache(maxsize=1)
def _session() -> Any:
    return botocore.session.get_session()


@lru_cache(maxsize=None)
def client(service: str) -> Any:
    s = get_settings()
    cfg = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=10)
    if service == "s3":
        cfg = cfg.merge(Config(signature_version="s3v4", s3={"addressing_style": "path"}))
    return _session().create_client(service, region_name=s.region, endpoint_url=s.aws_endpoint_url, config=cfg)
