"""The running local stack's outputs.json, for the tools that talk to it."""
from __future__ import annotations

import json
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_STATE_DIR = ROOT / ".local"


def _alive(pid: int | None) -> bool:
    if not pid:
        return True  # an outputs.json without a pid: trust it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_outputs(state_dir: str | pathlib.Path) -> dict | None:
    """The outputs of the stack running with this state dir, or None (and a hint) if none is.

    A stack killed with kill -9 leaves its outputs.json behind: its pid says it is gone."""
    path = pathlib.Path(state_dir) / "outputs.json"
    out = json.loads(path.read_text()) if path.exists() else None
    if out is None or not _alive(out.get("pid")):
        print("The local stack is not running: start it with `make run`.", file=sys.stderr)
        return None
    return out
