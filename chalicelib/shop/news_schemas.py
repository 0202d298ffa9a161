"""Request and response models of the shop's news, back-in-stock requests, launches and texted
inquiries (issue 13 items 6 and 7). Phone numbers are checked by libphonenumber in the service (a 400
naming `phone`); the pattern here only keeps out what is plainly not one."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from ..core.schemas import EmailStr, Out, Query, Strict
from .rules.orders import CATEGORY_PATTERN

PHONE_LIKE = r"^\+?[0-9 ()./-]{6,24}$"
PlainText = Field(min_length=1, max_length=600, pattern=r"^[^<>\x00-\x08\x0b-\x1f\x7f]*$")


class FollowIn(Strict):
    """Follow the shop, one of its categories or a brand: news of launches by email or by text. The
    `email` gets the confirmation link (double opt-in) whatever the channel; `sms` needs `phone`."""

    kind: Literal["shop", "category", "brand"]
    category: str | None = Field(default=None, pattern=CATEGORY_PATTERN)
    brand: str | None = Field(default=None, min_length=1, max_length=80, pattern=r"^[^<>\x00-\x1f\x7f]+$")
    channel: Literal["email", "sms"] = "email"
    email: EmailStr
    phone: str | None = Field(default=None, pattern=PHONE_LIKE)


class FollowOut(Out):
    follow_id: str
    target: str
    channel: str
    status: str  # pending (check your email) | confirmed | unsubscribed


class FollowLinkQuery(Query):
    """A follow's signed link: the contact's hash, the follow's id and the signature."""

    c: str = Field(pattern=r"^[0-9a-f]{24}$")
    f: str = Field(pattern=r"^[0-9a-f-]{36}$")
    s: str = Field(pattern=r"^[0-9a-f]{64}$")


class UnfollowedOut(Out):
    unsubscribed: int  # follows ended (every follow of this contact at this shop)


class NotifyIn(Strict):
    """Tell me once when this product is back in stock: by email, or by text to `phone`."""

    channel: Literal["email", "sms"] = "email"
    email: EmailStr | None = None
    phone: str | None = Field(default=None, pattern=PHONE_LIKE)


class NotifyOut(Out):
    product_id: str
    channel: str
    status: str  # waiting | sent


class LaunchIn(Strict):
    launch_on: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")


class LaunchOut(Out):
    product_id: str
    launch_on: str
    status: str
    announced_at: str | None
    recipients: int


class FollowerOut(Out):
    id: str
    target: str
    channel: str
    email: str
    phone: str | None  # masked: the country code and last three digits
    status: str
    created_at: str
    confirmed_at: str | None


class FollowersOut(Out):
    items: list[FollowerOut]
    counts: dict[str, int]  # confirmed followers per target


class NewsSentOut(Out):
    day: str
    kind: str
    channel: str
    recipient: str
    product_ids: list[str]
    created_at: str


class NewsSentListOut(Out):
    items: list[NewsSentOut]


class NewsQuery(Query):
    limit: int = Field(default=100, ge=1, le=500)


class InquiryOut(Out):
    id: str
    phone: str
    text: str
    status: str
    received_at: str
    answer: str | None
    answered_at: str | None


class InquiriesOut(Out):
    items: list[InquiryOut]


class InquiryAnswerIn(Strict):
    text: str = PlainText
