"""Schemathesis hooks for the contract pass (loaded through `hooks` in schemathesis.toml).

Most generated path parameters are random strings, which only ever reach "not found" or "not a
member": three cases in four get the ids of the real records the test created instead (read from
TALLY_CONTRACT_IDS), so bodies and queries are checked past authorization too; the fourth keeps its
unknown ids. The choice is a hash of the case, so a deterministic run is the same run every time.
"""
from __future__ import annotations

import json
import os
import re
import zlib
from typing import Any

import schemathesis
from schemathesis.core.parameters import ParameterLocation

_WORLD: dict[str, Any] = json.loads(os.environ.get("TALLY_CONTRACT_IDS") or "{}")
_ITEMS = re.compile(r"^/orgs/\{org_id\}/(suppliers|locations|customers)/\{item_id\}$")


def known_path_parameters(path: str) -> dict[str, str]:
    """The real ids for the path parameters of an operation's path template."""
    known = dict(_WORLD.get("ids", {}))
    match = _ITEMS.match(path)
    if match:
        known["item_id"] = _WORLD["items"][match.group(1)]
    return {name: known[name] for name in re.findall(r"{(\w+)}", path) if name in known}


def _negates_path(case: Any) -> bool:
    """Whether this case is a negative test of its path parameters (then they stay as generated)."""
    return case.meta is not None and case.meta.is_negative_at(ParameterLocation.PATH)


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    path = case.operation.path
    known = known_path_parameters(path)
    if not known or case.path_parameters is None or _negates_path(case):
        return case
    fingerprint = repr((case.method, path, case.path_parameters, case.query, case.body)).encode()
    if zlib.crc32(fingerprint) % 4 != 0:
        case.path_parameters = {**case.path_parameters, **known}
    return case
