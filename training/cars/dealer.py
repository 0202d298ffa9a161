"""What a dealer's own model reads: every attribute of a vehicle that bears on its price (item 1 of
issue 12). Options are one flag each, from the vehicle vocabulary."""
from __future__ import annotations

from typing import Any

from chalicelib.cars.rules.vehicles import OPTIONS

FEATURES: list[dict[str, Any]] = [
    *({"name": n, "kind": "category"} for n in ("make", "model", "trim", "body_type", "fuel", "gearbox", "drive",
                                                 "colour", "condition")),
    *({"name": n, "kind": "number"} for n in ("age_months", "mileage_km", "engine_litres", "cylinders", "power_kw",
                                               "doors", "seats", "previous_owners", "damage")),
    *({"name": f"option:{o}", "kind": "flag"} for o in OPTIONS),
]
