"""Phone numbers for texts: validated and stored in E.164 (`+` country code and number) by Google's
libphonenumber port (`phonenumberslite`: the same parser and metadata as `phonenumbers` without the
geocoder, carrier and time-zone data, ~0.47 MB zipped instead of ~2.6 MB).

The library loads its metadata on import (~tens of ms), so it is imported inside the function: only
a request or record that holds a number pays for it, and `import app` stays fast.
"""
from __future__ import annotations

from .errors import InvalidInput


def e164(raw: str, field: str = "phone", region: str | None = None) -> str:
    """`raw` as an E.164 number, or 400 naming `field` when it is not a valid number (a number without
    a leading `+` needs the `region` it is dialled in, ISO 3166 alpha-2)."""
    import phonenumbers  # type: ignore[import-not-found, unused-ignore]  # heavy: see the module's docstring

    text = (raw or "").strip()
    if not text or len(text) > 32:
        raise InvalidInput("a phone number in international form, such as +447911123456", field=field)
    try:
        number = phonenumbers.parse(text, region.upper() if region else None)
    except phonenumbers.NumberParseException:
        raise InvalidInput("not a phone number: give it in international form, such as +447911123456",
                           field=field) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput("not a valid phone number for its country", field=field)
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def is_e164(raw: str) -> bool:
    """Whether `raw` is already a valid number written in E.164."""
    try:
        return e164(raw) == raw
    except InvalidInput:
        return False


def masked(number: str) -> str:
    """A number for lists and logs: the country code and the last three digits (+44•••••••456)."""
    if len(number) < 7:
        return "•" * len(number)
    return number[:3] + "•" * (len(number) - 6) + number[-3:]
