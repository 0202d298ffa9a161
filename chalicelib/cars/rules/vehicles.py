"""A vehicle's pure rules: its vocabularies, VIN validation and the stock status it moves through."""
from __future__ import annotations

import re

BODY_TYPES = ("sedan", "hatchback", "wagon", "coupe", "convertible", "suv", "pickup", "van", "minivan")
FUELS = ("petrol", "diesel", "hybrid", "plug_in_hybrid", "electric", "lpg", "cng")
GEARBOXES = ("manual", "automatic")
DRIVES = ("fwd", "rwd", "awd", "4wd")
CONDITIONS = ("excellent", "good", "fair", "poor")
DAMAGE = ("none", "repaired", "unrepaired")  # accident history: none, repaired, or damage not repaired
MILEAGE_UNITS = ("km", "mi")
OPTIONS = ("leather", "premium_sound", "cruise_control", "navigation", "sunroof", "heated_seats",
           "parking_sensors", "rear_camera", "tow_bar", "alloy_wheels")

# Photos: uploaded straight to S3 with a presigned POST that fixes the type and bounds the size.
PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
MAX_PHOTO_BYTES = 10_000_000
MAX_PHOTOS = 20

STATUSES = ("in_stock", "reserved", "sold", "delivered")
# in stock → reserved → sold → delivered; a reservation can be released, and a car can be sold without one
NEXT_STATUSES: dict[str, tuple[str, ...]] = {
    "in_stock": ("reserved", "sold"),
    "reserved": ("in_stock", "sold"),
    "sold": ("delivered",),
    "delivered": (),
}

VIN_PATTERN = r"^[A-HJ-NPR-Z0-9]{17}$"
_VIN = re.compile(VIN_PATTERN)
_TRANSLITERATION = {**{str(d): d for d in range(10)},
                    **dict(zip("ABCDEFGH", range(1, 9))), **dict(zip("JKLMN", range(1, 6))), "P": 7, "R": 9,
                    **dict(zip("STUVWXYZ", range(2, 10)))}
_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
# World manufacturer identifiers whose first character is 1-5 are North American (US 1, 4, 5; Canada 2;
# Mexico 3): 49 CFR 565 makes position 9 a check digit there. Elsewhere (ISO 3779) it may be anything.
NORTH_AMERICAN = "12345"


class InvalidVin(ValueError):
    """Why a VIN is refused."""


def vin_check_digit(vin: str) -> str:
    """Position 9 of a North American VIN: the weighted sum of the transliterated characters mod 11 (10 → X)."""
    total = sum(_TRANSLITERATION[c] * w for c, w in zip(vin, _WEIGHTS))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def check_vin(vin: str) -> str:
    """The VIN in upper case; InvalidVin when it is not 17 characters of 0-9 and A-Z without I, O and Q,
    or when it is North American and its check digit is wrong."""
    value = vin.strip().upper()
    if len(value) != 17:
        raise InvalidVin(f"a VIN has 17 characters, not {len(value)}")
    if not _VIN.match(value):
        raise InvalidVin("a VIN has only digits and the letters A-Z without I, O and Q")
    if value[0] in NORTH_AMERICAN and value[8] != vin_check_digit(value):
        raise InvalidVin(f"check digit {value[8]} should be {vin_check_digit(value)}")
    return value


def can_move(current: str, new: str) -> bool:
    return new in NEXT_STATUSES.get(current, ())
