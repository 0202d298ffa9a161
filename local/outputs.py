"""The running local stack's outputs.json, for the tools that talk to it."""
from __future__ import annotations

import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEFAULT_STATE_DIR = ROOT / ".local"


def running_outputs(state_dir: str | pathlib.Path) -> dict | None:
    """The outputs of the stack running with this state dir, or None (and a hint) if none is."""
    path = pathlib.Path(state_dir) / "outputs.json"
    if not path.exists():
        print("The local stack is not running: start it with `make run`.", file=sys.stderr)
        return None
    return json.loads(path.read_text())
