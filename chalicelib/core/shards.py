"""Spreading a sparse index's work list over a few partitions, the same way everywhere."""
from __future__ import annotations

import hashlib

JOB_SHARDS = 4  # partitions per job work list: enough that no single one runs hot, few to read


def shard_of(key: str, shards: int = JOB_SHARDS) -> int:
    """A stable shard number for a key (an owner, a person)."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % shards
