"""Writes chalicelib/route_table.py: each route module's paths, methods, whether public and content types,
read from the modules themselves. app.py mounts the routes from it without importing the modules
(`core.web.mount`); tests/architecture checks it matches the modules. Run by `make routes`.

    python -m local.routes          # write the table
    python -m local.routes --check  # exit 1 when the table is stale
"""
from __future__ import annotations

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
TABLE = ROOT / "chalicelib" / "route_table.py"

MODULES = [
    "chalicelib.core.account_api",
    "chalicelib.core.orgs_api",
    "chalicelib.core.alerts_api",
    "chalicelib.expenses.api",
    "chalicelib.inventory.api",
    "chalicelib.cars.api",
    "chalicelib.helpdesk.api",
    "chalicelib.shop.api",
]
"""The route modules, in the order app.py mounts them (a new module's api is added here)."""

HEADER = '''"""The route table app.py mounts (core.web.mount): each route module's path, methods, whether it is
public and the content types it takes. Written by `make routes` (local/routes.py) from the modules;
do not edit by hand (tests/architecture checks it matches them)."""
from __future__ import annotations

from .core.web import RouteEntry

'''


def render() -> str:
    from chalicelib.core import web

    lines = [HEADER + "ROUTES: dict[str, tuple[RouteEntry, ...]] = {"]
    for module, entries in web.route_table(MODULES).items():
        lines.append(f"    {module!r}: (")
        lines.extend(f"        {entry!r}," for entry in entries)
        lines.append("    ),")
    return "\n".join(lines + ["}", ""])


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not TABLE.exists() or TABLE.read_text() != text:
            print(f"{TABLE.relative_to(ROOT)} is stale: run `make routes`", file=sys.stderr)
            return 1
        return 0
    TABLE.write_text(text)
    print(f"wrote {TABLE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
