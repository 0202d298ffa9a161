"""Money: Decimal amounts in ISO 4217 currencies, never float."""
from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from .errors import InvalidInput

# ISO 4217 minor units for the currencies Tally accepts.
CURRENCY_MINOR_UNITS: dict[str, int] = {
    "AED": 2, "ARS": 2, "AUD": 2, "BGN": 2, "BHD": 3, "BRL": 2, "CAD": 2, "CHF": 2, "CLP": 0,
    "CNY": 2, "COP": 2, "CZK": 2, "DKK": 2, "EGP": 2, "EUR": 2, "GBP": 2, "HKD": 2, "HUF": 2,
    "IDR": 2, "ILS": 2, "INR": 2, "ISK": 0, "JOD": 3, "JPY": 0, "KES": 2, "KRW": 0, "KWD": 3,
    "MAD": 2, "MXN": 2, "MYR": 2, "NGN": 2, "NOK": 2, "NZD": 2, "OMR": 3, "PEN": 2, "PHP": 2,
    "PKR": 2, "PLN": 2, "QAR": 2, "RON": 2, "RSD": 2, "SAR": 2, "SEK": 2, "SGD": 2, "THB": 2,
    "TND": 3, "TRY": 2, "TWD": 2, "UAH": 2, "USD": 2, "VND": 0, "ZAR": 2,
}

MAX_AMOUNT = Decimal("1000000000")  # one billion per entry: beyond it, it is a typo


def parse_amount(value: object, currency: str, field: str = "amount") -> Decimal:
    """A positive amount given as a JSON string, with at most the currency's minor-unit digits."""
    if not isinstance(value, str):
        raise InvalidInput("amount must be a string such as \"12.50\"", field=field)
    text = value.strip()
    if not text or len(text) > 32:
        raise InvalidInput("amount must be a decimal number", field=field)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InvalidInput("amount must be a decimal number", field=field) from None
    if not amount.is_finite():
        raise InvalidInput("amount must be a finite number", field=field)
    if amount <= 0:
        raise InvalidInput("amount must be greater than zero", field=field)
    if amount > MAX_AMOUNT:
        raise InvalidInput(f"amount must be at most {MAX_AMOUNT}", field=field)
    digits = CURRENCY_MINOR_UNITS.get(currency)
    if digits is None:
        raise InvalidInput("unknown currency", field="currency")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > digits:
        raise InvalidInput(f"{currency} has at most {digits} decimal places", field=field)
    return amount.quantize(Decimal(1).scaleb(-digits))


# The one rounding rule for money and quantities shown or sent anywhere: half to even ("banker's"),
# so rounding many amounts carries no bias up or down.
ROUNDING = ROUND_HALF_EVEN
UNIT_PRICE_PLACES = 4  # unit costs and prices are kept to 4 decimal places (a screw at 0.0125)
QUANTITY_PLACES = 3  # stock is counted to 3 decimal places (2.5 kg, 0.125 l)


def fmt(amount: Decimal | int, currency: str) -> str:
    """A total (an entry, a budget, a cost of goods, a stock value) with exactly the currency's
    ISO 4217 minor-unit digits, rounded half to even: `fmt(Decimal("2.345"), "USD") == "2.34"`."""
    digits = CURRENCY_MINOR_UNITS.get(currency, 2)
    return str(Decimal(amount).quantize(Decimal(1).scaleb(-digits), rounding=ROUNDING))


def fmt_unit_price(amount: Decimal | int, currency: str) -> str:
    """A unit price or cost: at least the currency's minor-unit digits, up to 4 decimal places,
    rounded half to even: `fmt_unit_price(Decimal("2"), "USD") == "2.00"`, `... "0.0125"`."""
    digits = CURRENCY_MINOR_UNITS.get(currency, 2)
    exact = Decimal(amount).quantize(Decimal(1).scaleb(-UNIT_PRICE_PLACES), rounding=ROUNDING).normalize()
    places = max(digits, -int(exact.as_tuple().exponent))
    return str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUNDING))


def fmt_quantity(quantity: Decimal | int) -> str:
    """A quantity without trailing zeros and never in exponent form, to at most 3 decimal places,
    rounded half to even: 10 → "10", 2.50 → "2.5", 1E+1 → "10"."""
    q = Decimal(quantity).quantize(Decimal(1).scaleb(-QUANTITY_PLACES), rounding=ROUNDING)
    if q == q.to_integral_value():
        return str(q.quantize(Decimal(1)))
    return str(q.normalize())
