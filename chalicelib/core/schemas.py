"""Request and response models shared by every module."""
from __future__ import annotations

import re
from zoneinfo import ZoneInfo, available_timezones

from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from .money import CURRENCY_MINOR_UNITS


def _any_case(word: str) -> str:
    return "".join(f"[{c.upper()}{c}]" for c in word)


# What the document promises, as a JSON Schema (ECMA 262) pattern, and what is enforced: the ASCII
# addresses both email-validator and Cognito take. A local part of at most 64 characters (32, then up
# to two dot-separated parts of 15) starting with a letter, digit or underscore; two to four domain
# labels of letters and digits with single hyphens inside; no special-use top-level domain, which no
# mailer delivers to. Every match is also valid to email-validator, which then normalises it
# (property-tested in tests/contract/test_emails.py).
_SPECIAL_USE = "|".join(_any_case(w) for w in ("arpa", "invalid", "local", "localhost", "onion", "test"))
EMAIL_PATTERN = (r"^[A-Za-z0-9_][A-Za-z0-9_%+-]{0,31}(\.[A-Za-z0-9_%+-]{1,15}){0,2}"
                 r"@([A-Za-z0-9]{1,20}(-[A-Za-z0-9]{1,20}){0,2}\.){1,3}"
                 rf"(?!({_SPECIAL_USE})$)[A-Za-z]{{2,24}}$")
_EMAIL = re.compile(EMAIL_PATTERN)


def _check_email(value: str) -> str:
    """An address a mailer can send to, in its normalised form (the domain lower-cased).

    email-validator checks the syntax only (deliverability, a DNS lookup, is off, so nothing here
    touches the network); it is imported on first use, as a cold start need not pay for it.
    """
    if not _EMAIL.fullmatch(value):
        raise ValueError("not an email address this service can send to")
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:  # never for a pattern match (tests/contract/test_emails.py)
        raise ValueError(f"not a valid email address: {exc}") from None


EmailStr = Annotated[str, Field(max_length=254, json_schema_extra={"pattern": EMAIL_PATTERN}),
                     AfterValidator(_check_email)]
"""An email address checked by email-validator before anything is stored."""

WHITESPACE = "\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
"""Unicode's White_Space, for a character class in a document pattern (`\\s` means another set in ECMA's,
Python's and Rust's regular expressions, which the document's readers and pydantic use)."""

AccountEmail = Annotated[str, Field(max_length=254, pattern=rf"^[^@{WHITESPACE}]+@[^@{WHITESPACE}]+\.[^@{WHITESPACE}]+$")]
"""The address an existing account signs in with. Not re-checked: Cognito holds the account, and
accounts made outside the API (the local stack's demo@tally.local, a reserved name email-validator
refuses) must still sign in. Nothing is stored from it."""


NONBLANK = f"[^{WHITESPACE}]"
"""A character that stripping keeps (pydantic strips Unicode's White_Space, these, and only these). A
request string is stripped before its length is checked, so one with a minimum length must hold such a
character, and the document says so (`pattern`, or an `allOf` beside the field's own pattern): whitespace
alone is never a schema-valid value the API then refuses. Spelled out because `\\s` means another set in
ECMA's regular expressions (with U+FEFF) and in Python's (with U+001C-U+001F)."""


def _nonblank(node: Any) -> None:
    """Mark every stripped string of minimum length ≥ 1 under this schema node (see NONBLANK)."""
    if isinstance(node, list):
        for item in node:
            _nonblank(item)
        return
    if not isinstance(node, dict):
        return
    for key in ("items", "anyOf", "oneOf", "allOf", "prefixItems"):
        if key in node:
            _nonblank(node[key])
    if node.get("type") == "string" and node.get("minLength", 0) >= 1:
        if "pattern" not in node:
            node["pattern"] = NONBLANK
        elif _admits_blank(node["pattern"], int(node["minLength"])) and {"pattern": NONBLANK} not in node.get("allOf", []):
            # beside the field's own pattern only where that one lets whitespace alone through (a pattern of
            # ids or codes does not): two patterns make schemathesis filter what it generates
            node["allOf"] = [*node.get("allOf", []), {"pattern": NONBLANK}]


_BLANKS = "\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2028\u202f\u3000"


def _admits_blank(pattern: str, min_length: int) -> bool:
    """Whether `pattern` matches some string of whitespace alone at that length (tried, not proven)."""
    rx = re.compile(pattern)
    return any(rx.search(c * n) for c in _BLANKS for n in (min_length, min_length + 1, min_length + 7))


def _document_stripping(schema: dict[str, Any], cls: type) -> None:
    for prop in (schema.get("properties") or {}).values():
        _nonblank(prop)


class Out(BaseModel):
    """A response model. Its validator is built on first use, not at import (cold starts)."""

    model_config = ConfigDict(defer_build=True)


class Strict(Out):
    """A request body model: unknown fields refused, strings stripped, types strict (no `true` or
    `"7"` taken for a number, no `"yes"` or `1` for a boolean); built on first use like `Out`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, strict=True, defer_build=True,
                              json_schema_extra=_document_stripping)


class Query(Out):
    """A query-string model: every value arrives as text, so numbers are parsed from it (the
    document declares their types); parameters it does not name are ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, defer_build=True,
                              json_schema_extra=_document_stripping)


T = TypeVar("T")


class Items(Out, Generic[T]):
    """A list answer; `next`, when present, is the page token for the rest."""

    items: list[T]
    next: str | None = None


def each_once(what: str) -> AfterValidator:
    """A list validator: each item once (else "each <what> once"); pair it with
    `Field(json_schema_extra=UNIQUE)` so the document says so too (`uniqueItems`)."""

    def check(value: list[Any]) -> list[Any]:
        if len(set(value)) != len(value):
            raise ValueError(f"each {what} once")
        return value

    return AfterValidator(check)


UNIQUE: dict[str, Any] = {"uniqueItems": True}


# An ISO 4217 code Tally knows (the document lists them): the validator and the document agree.
CurrencyCode = Annotated[str, Field(pattern="^(" + "|".join(CURRENCY_MINOR_UNITS) + ")$")]


class HealthOut(Out):
    status: str


class SignUpIn(Strict):
    email: EmailStr
    password: str = Field(min_length=8, max_length=256)
    name: str = Field(default="", max_length=120)


class SignUpOut(Out):
    confirmed: bool
    sub: str


class ConfirmedOut(Out):
    confirmed: bool


class UnsubscribeQuery(Query):
    """An email's unsubscribe link: who (`u`), their profile's token (`t`), which kind of email."""

    u: str = Field(min_length=1, max_length=64)
    t: str = Field(min_length=1, max_length=128)
    type: Literal["budget", "pace", "digest", "stock"]


class ConfirmIn(Strict):
    email: AccountEmail
    code: str = Field(min_length=1, max_length=20)


class SignInIn(Strict):
    email: AccountEmail
    password: str = Field(min_length=1, max_length=256)


class RefreshIn(Strict):
    refresh_token: str = Field(min_length=10, max_length=8192)


class TokensOut(Out):
    id_token: str
    access_token: str
    refresh_token: str | None = None
    expires_in: int


class AlertPreferencesIn(Strict):
    budget_alerts: bool | None = None
    pace_alerts: bool | None = None
    digest_alerts: bool | None = None
    stock_alerts: bool | None = None


def check_time_zone(value: str) -> str:
    if value not in _zones():
        raise ValueError("not an IANA time zone")
    ZoneInfo(value)
    return value


_ZONES: set[str] | None = None


def _zones() -> set[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = set(available_timezones()) | {"UTC"}
    return _ZONES


def check_currency(value: str) -> str:
    if value not in CURRENCY_MINOR_UNITS:
        raise ValueError("not a supported ISO 4217 currency code")
    return value


def list_time_zones(schema: dict[str, Any]) -> None:
    """The document lists the IANA zones this runtime knows (read when the document is built, not
    at import): the same set `check_time_zone` takes."""
    options = schema.get("anyOf", [schema])
    for option in options:
        if option.get("type") == "string":
            option["enum"] = sorted(_zones())


class ProfileIn(Strict):
    name: str | None = Field(default=None, max_length=120)
    time_zone: str | None = Field(default=None, json_schema_extra=list_time_zones)
    currency: CurrencyCode | None = None
    alert_preferences: AlertPreferencesIn | None = None
    version: int | None = None

    _tz = field_validator("time_zone")(lambda cls, v: v if v is None else check_time_zone(v))
    _cur = field_validator("currency")(lambda cls, v: v if v is None else check_currency(v))


class ProfileOut(Out):
    sub: str
    email: str
    name: str
    time_zone: str
    currency: str
    alert_preferences: dict[str, bool]
    version: int


class OrgIn(Strict):
    name: str = Field(min_length=1, max_length=120)


class OrgOut(Out):
    org_id: str
    name: str
    role: str
    created_at: str


class OrgSummaryOut(Out):
    """One of the caller's organisations, with the caller's role in it."""

    org_id: str
    name: str
    role: str


class MemberIn(Strict):
    role: str = Field(pattern=r"^(owner|manager|staff)$")


class InvitationIn(Strict):
    email: EmailStr
    role: str = Field(pattern=r"^(owner|manager|staff)$")


class InvitationOut(Out):
    org_id: str
    org_name: str
    email: str
    role: str
    invited_by: str
    created_at: str


class MemberOut(Out):
    org_id: str
    sub: str
    email: str
    role: str


class AlertOut(Out):
    id: str
    alert_type: str
    subject: str
    status: str
    threshold: str
    period: str
    rule: str
    created_at: str
    sent_at: str | None = None


# A client-chosen id in a path: a UUID written in its canonical 8-4-4-4-12 form.
UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
