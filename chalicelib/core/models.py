"""Core tables: people and organisations (core), rollups, the alert outbox.

Keys are designed from the access patterns in docs/architecture.md.
"""
from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from .alert_rules import ALERT_TYPES
from .attributes import DecimalAttribute, DecimalMapAttribute, StringMapAttribute
from .settings import get_settings

_s = get_settings()


class BaseMeta:
    region = _s.region
    host = _s.aws_endpoint_url
    billing_mode = "PAY_PER_REQUEST"


# ---------------------------------------------------------------- core table
class MemberIndex(GlobalSecondaryIndex):
    """USER#sub → the organisations the user belongs to."""

    class Meta:
        index_name = "by_member"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class CoreTable(Model):
    """The core table: profiles (USER#sub/PROFILE), organisations (ORG#id/META), memberships (ORG#id/MEMBER#sub)."""

    class Meta(BaseMeta):
        table_name = _s.core_table

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    by_member = MemberIndex()




class AlertPreferences(MapAttribute):
    """Each kind of email (ALERT_TYPES) on or off, as `<alert_type>_alerts`."""

    budget_alerts = BooleanAttribute(default=True)
    pace_alerts = BooleanAttribute(default=True)
    digest_alerts = BooleanAttribute(default=True)
    stock_alerts = BooleanAttribute(default=True)


def _new_token() -> str:
    import secrets

    return secrets.token_urlsafe(24)


class Profile(CoreTable):
    """A person's settings: time zone defines their day and month; home currency their totals.

    gsi1pk/gsi1sk (PROFILE#<shard> / sub) list every person for the digest job, spread over shards."""

    sub = UnicodeAttribute()
    email = UnicodeAttribute()
    name = UnicodeAttribute(default="")
    time_zone = UnicodeAttribute(default="UTC")
    currency = UnicodeAttribute(default="USD")
    alert_preferences = AlertPreferences(default=lambda: AlertPreferences())
    unsubscribe_token = UnicodeAttribute(default=_new_token)  # proves an unsubscribe link is this person's
    version = VersionAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class Organisation(CoreTable):
    org_id = UnicodeAttribute()
    name = UnicodeAttribute()
    created_by = UnicodeAttribute()
    created_at = UnicodeAttribute()


class Membership(CoreTable):
    """A user's role in one organisation; gsi1 lists a user's organisations."""

    org_id = UnicodeAttribute()
    sub = UnicodeAttribute()
    email = UnicodeAttribute(default="")
    role = UnicodeAttribute()
    created_at = UnicodeAttribute()


class Invitation(CoreTable):
    """An invitation by email: pk ORG#id, sk INVITE#<email>; gsi1 INVITE#<email> / ORG#id lists a person's
    pending invitations. Accepting it (signed in with that verified email) makes the membership."""

    org_id = UnicodeAttribute()
    org_name = UnicodeAttribute()
    email = UnicodeAttribute()
    role = UnicodeAttribute()
    invited_by = UnicodeAttribute()
    created_at = UnicodeAttribute()


# ------------------------------------------------------------- rollups table
class Rollup(Model):
    """Precomputed totals for one scope and period, e.g. USER#sub / expenses#2026.

    `applied` maps the eventIDs of the stream records absorbed in the last day to when, so a
    replayed or retried record changes no total. `version` guards read-modify-write.
    """

    class Meta(BaseMeta):
        table_name = _s.rollups_table

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    totals = DecimalMapAttribute(default=dict)
    applied = StringMapAttribute(default=dict)
    version = VersionAttribute()
    updated_at = UnicodeAttribute(null=True)


# -------------------------------------------------------------- outbox table
class OutboxStatusIndex(GlobalSecondaryIndex):
    """status → messages by creation time: the retry job and the local outbox page."""

    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class OutboxScopeIndex(GlobalSecondaryIndex):
    """scope (USER#sub or ORG#id) → its alerts by time."""

    class Meta:
        index_name = "by_scope"
        projection = AllProjection()

    scope = UnicodeAttribute(hash_key=True)
    created_at = UnicodeAttribute(range_key=True)


class MailAttachment(MapAttribute):
    """A text attachment of an email (a calendar invite): its file name, MIME type (parameters
    included, e.g. `text/calendar; method=PUBLISH`) and text."""

    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    content = UnicodeAttribute()


class OutboxMessage(Model):
    """One alert firing and the email it drives. Its id is deterministic: a conditional put makes it once."""

    class Meta(BaseMeta):
        table_name = _s.outbox_table
        stream_view_type = "NEW_AND_OLD_IMAGES"

    id = UnicodeAttribute(hash_key=True)
    scope = UnicodeAttribute()
    recipient = UnicodeAttribute()
    alert_type = UnicodeAttribute()
    rule = UnicodeAttribute()
    threshold = UnicodeAttribute()
    period = UnicodeAttribute()
    value = DecimalAttribute(null=True)
    subject = UnicodeAttribute()
    text = UnicodeAttribute()
    html = UnicodeAttribute()
    details: MapAttribute[str, Any] = MapAttribute(default=dict)
    status = UnicodeAttribute(default="pending")
    attempts = NumberAttribute(default=0)
    lease_until = UnicodeAttribute(null=True)
    last_error = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    sent_at = UnicodeAttribute(null=True)
    ses_message_id = UnicodeAttribute(null=True)
    by_status = OutboxStatusIndex()
    by_scope = OutboxScopeIndex()
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    unsubscribe_url = UnicodeAttribute(null=True)
    reply_to = UnicodeAttribute(null=True)  # where a reply goes (a help desk ticket's address)
    attachments = ListAttribute(of=MailAttachment, default=list)  # text attachments (a booking's .ics)
    channel = UnicodeAttribute(default="email")  # email (SES) | sms (SNS to `recipient`, an E.164 number: core.sms)
    sms_message_id = UnicodeAttribute(null=True)  # SNS's MessageId of a sent text
