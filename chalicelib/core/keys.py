"""Key builders: the one place a partition or sort key prefix is spelled.

Every table keys its items by owner: a person (`USER#<sub>`) or an organisation (`ORG#<id>`).
Modules build their own sort keys and index keys on top of these.
"""
from __future__ import annotations


def user_pk(sub: str) -> str:
    """A person's partition: their profile, transactions, budgets, rollups."""
    return f"USER#{sub}"


def org_pk(org_id: str) -> str:
    """An organisation's partition: its meta, members, catalogue, ledger, rollups."""
    return f"ORG#{org_id}"


def org_key(org_id: str, *parts: str) -> str:
    """An index partition scoped to an organisation, e.g. `org_key(o, "MOVES")` → `ORG#o#MOVES`."""
    return "#".join((org_pk(org_id), *parts))

