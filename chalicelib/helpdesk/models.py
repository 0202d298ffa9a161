"""The help desk table: an organisation's desk, teams, agents and canned replies under pk ORG#<org>;
each ticket and its thread in their own partition ORG#<org>#TICKET#<id>.

Keys come from the access patterns in docs/architecture.md (section "Help desk"). An agent's
open-ticket count lives on their Agent item and changes in the same transaction as the ticket that
changes it, so assignment reads counts it can trust and a concurrent assignment fails its condition.
"""
from __future__ import annotations

from pynamodb.attributes import BooleanAttribute, ListAttribute, MapAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from ..core.keys import org_key, org_pk
from ..core.models import BaseMeta
from ..core.settings import get_settings
from ..core.shards import shard_of

_s = get_settings()


# ------------------------------------------------------------------ keys
def desk_key(org_id: str) -> tuple[str, str]:
    return org_pk(org_id), "DESK"


def handle_key(handle: str) -> tuple[str, str]:
    """The claim that makes a public handle unique and names its organisation."""
    return f"HANDLE#{handle}", "CLAIM"


def team_key(org_id: str, team_id: str) -> tuple[str, str]:
    return org_pk(org_id), f"TEAM#{team_id}"


def agent_key(org_id: str, sub: str) -> tuple[str, str]:
    return org_pk(org_id), f"AGENT#{sub}"


def macro_key(org_id: str, macro_id: str) -> tuple[str, str]:
    return org_pk(org_id), f"MACRO#{macro_id}"


def ticket_pk(org_id: str, ticket_id: str) -> str:
    """A ticket's partition: the ticket and its thread, one Query."""
    return org_key(org_id, "TICKET", ticket_id)


def ticket_key(org_id: str, ticket_id: str) -> tuple[str, str]:
    return ticket_pk(org_id, ticket_id), "TICKET"


def message_key(org_id: str, ticket_id: str, message_id: str) -> tuple[str, str]:
    return ticket_pk(org_id, ticket_id), f"MSG#{message_id}"


def customer_index(org_id: str, sub: str) -> str:
    """by_customer partition: one customer's tickets at one desk."""
    return org_key(org_id, "CUSTOMER", sub)


def team_queue_index(org_id: str, team_id: str) -> str:
    """by_queue partition: one team's tickets."""
    return org_key(org_id, "TEAM", team_id)


def all_tickets_index(org_id: str) -> str:
    """by_time partition: every ticket of the organisation."""
    return org_key(org_id, "TICKETS")


class CustomerIndex(GlobalSecondaryIndex):
    """ORG#o#CUSTOMER#<sub> → the customer's tickets by `<created_at>#<id>`."""

    class Meta:
        index_name = "by_customer"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class QueueIndex(GlobalSecondaryIndex):
    """ORG#o#TEAM#<team> → the team's tickets by `<created_at>#<id>`."""

    class Meta:
        index_name = "by_queue"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


class TimeIndex(GlobalSecondaryIndex):
    """ORG#o#TICKETS → every ticket of the organisation by `<created_at>#<id>` (the admins' list)."""

    class Meta:
        index_name = "by_time"
        projection = AllProjection()

    gsi3pk = UnicodeAttribute(hash_key=True)
    gsi3sk = UnicodeAttribute(range_key=True)


class DueIndex(GlobalSecondaryIndex):
    """SOLVED#<shard> → solved tickets by `<solved_at>#ORG#o#<id>` (sparse: a ticket is there only
    while solved), the close job's work list, spread over core.shards.JOB_SHARDS partitions."""

    class Meta:
        index_name = "by_due"
        projection = AllProjection()

    gsi4pk = UnicodeAttribute(hash_key=True)
    gsi4sk = UnicodeAttribute(range_key=True)


def solved_index(shard: int) -> str:
    return f"SOLVED#{shard}"


def solved_keys(org_id: str, ticket_id: str, solved_at: str) -> tuple[str, str]:
    """by_due keys of a solved ticket: its shard's partition, then when it was solved."""
    return solved_index(shard_of(org_key(org_id, ticket_id))), f"{solved_at}#{org_id}#{ticket_id}"


class HelpdeskTable(Model):
    class Meta(BaseMeta):
        table_name = _s.helpdesk_table
        stream_view_type = "NEW_AND_OLD_IMAGES"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    gsi2pk = UnicodeAttribute(null=True)
    gsi2sk = UnicodeAttribute(null=True)
    gsi3pk = UnicodeAttribute(null=True)
    gsi3sk = UnicodeAttribute(null=True)
    gsi4pk = UnicodeAttribute(null=True)
    gsi4sk = UnicodeAttribute(null=True)
    by_customer = CustomerIndex()
    by_queue = QueueIndex()
    by_time = TimeIndex()
    by_due = DueIndex()


# ------------------------------------------------------------------ the desk and its people
class Category(MapAttribute):
    slug = UnicodeAttribute()
    name = UnicodeAttribute()
    team_id = UnicodeAttribute()


class Desk(HelpdeskTable):
    """pk ORG#o, sk DESK: the organisation's help desk, its public handle and its categories, each
    routed to a team."""

    org_id = UnicodeAttribute()
    handle = UnicodeAttribute()
    name = UnicodeAttribute()
    categories = ListAttribute(of=Category, default=list)
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class HandleClaim(HelpdeskTable):
    """pk HANDLE#<handle>, sk CLAIM: exists while a desk holds that handle (the public address)."""

    org_id = UnicodeAttribute()


class Team(HelpdeskTable):
    """pk ORG#o, sk TEAM#<id>: agents (members' subs) and the lead among them."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    name = UnicodeAttribute()
    lead = UnicodeAttribute(null=True)
    agents = ListAttribute(of=UnicodeAttribute, default=list)
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class Agent(HelpdeskTable):
    """pk ORG#o, sk AGENT#<sub>: an agent's load (open tickets, tickets ever assigned) and presence.

    `open_count` changes in the transaction that assigns, reassigns, solves or reopens a ticket,
    conditional on the value read, so two assignments never both take the same least-loaded agent."""

    sub = UnicodeAttribute()
    org_id = UnicodeAttribute()
    email = UnicodeAttribute(default="")
    name = UnicodeAttribute(default="")
    away = BooleanAttribute(default=False)
    open_count = NumberAttribute(default=0)
    assigned_total = NumberAttribute(default=0)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class Macro(HelpdeskTable):
    """pk ORG#o, sk MACRO#<id>: a canned reply with placeholders."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


# ------------------------------------------------------------------ tickets and their threads
class Follower(MapAttribute):
    """A customer following a ticket besides its own: the customer of a duplicate merged into it."""

    sub = UnicodeAttribute()
    email = UnicodeAttribute(default="")
    name = UnicodeAttribute(default="")


class AttachedFile(MapAttribute):
    """An uploaded file listed on a message (issue 11 item 2) or on a new ticket (its description's); its bytes are on S3 under `key`."""

    id = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    key = UnicodeAttribute()


class Ticket(HelpdeskTable):
    """pk ORG#o#TICKET#<id>, sk TICKET; gsi1 the customer's list, gsi2 the team's queue, gsi3 the
    organisation's list. `reply_token` (random, per ticket) proves a reply to its address."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    handle = UnicodeAttribute()
    desk_name = UnicodeAttribute()
    customer_sub = UnicodeAttribute()
    customer_email = UnicodeAttribute(default="")
    customer_name = UnicodeAttribute(default="")
    category = UnicodeAttribute()
    team_id = UnicodeAttribute()
    subject = UnicodeAttribute()
    description = UnicodeAttribute()
    priority = UnicodeAttribute()
    link_kind = UnicodeAttribute(null=True)
    link_id = UnicodeAttribute(null=True)
    status = UnicodeAttribute()
    assignee = UnicodeAttribute(null=True)
    assignee_email = UnicodeAttribute(null=True)
    assignee_name = UnicodeAttribute(null=True)
    reply_token = UnicodeAttribute()
    followers = ListAttribute(of=Follower, default=list)
    merged_into = UnicodeAttribute(null=True)  # a duplicate points at the ticket it was merged into
    solved_at = UnicodeAttribute(null=True)
    # issue 11 items 1, 4, 6, 7 (docs/architecture.md, "Help desk"): who an email-only customer is, the
    # key of the ticket's signed links, reopen and follow-up history, the first times (never rewritten),
    # the satisfaction rating of the latest solve.
    channel = UnicodeAttribute(default="web")  # web; email (filed by an email); phone, walk_in or email filed by an agent: no account
    link_key = UnicodeAttribute(null=True)  # HMAC key of the ticket's signed links; replaced to revoke them
    first_response_at = UnicodeAttribute(null=True)  # the first agent public reply, set once
    first_solved_at = UnicodeAttribute(null=True)  # the first solve, set once (solved_at is the latest)
    solve_count = NumberAttribute(default=0)
    reopen_count = NumberAttribute(default=0)
    reopened_at = UnicodeAttribute(null=True)
    follow_up_of = UnicodeAttribute(null=True)  # a follow-up names the closed (or long solved) ticket it continues
    follow_ups = ListAttribute(of=UnicodeAttribute, default=list)
    attachments = ListAttribute(of=AttachedFile, null=True)  # the files filed with it (the form's, an email's, a follow-up's reply's)
    rating = UnicodeAttribute(null=True)  # good | bad, for solve number `rating_solve`
    rating_comment = UnicodeAttribute(null=True)
    rating_solve = NumberAttribute(null=True)
    rated_at = UnicodeAttribute(null=True)
    # the SLA clock (helpdesk.sla, rules.sla.Clock): targets in business minutes, used in business seconds
    sla_fr_target = NumberAttribute(null=True)
    sla_res_target = NumberAttribute(null=True)
    sla_fr_used = NumberAttribute(default=0)
    sla_res_used = NumberAttribute(default=0)
    sla_since = UnicodeAttribute(null=True)  # the running segment's start; absent while paused or stopped
    sla_done = ListAttribute(of=UnicodeAttribute, default=list)
    sla_fired = ListAttribute(of=UnicodeAttribute, default=list)  # "metric:stage" emailed
    sla_breached = BooleanAttribute(default=False)
    sla_due = UnicodeAttribute(null=True)  # when the sweep looks next
    sla_solves = NumberAttribute(default=0)
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class Message(HelpdeskTable):
    """pk ORG#o#TICKET#<id>, sk MSG#<client id>: a public reply or an internal note (agents only)."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    kind = UnicodeAttribute()  # reply | note
    author_sub = UnicodeAttribute()
    author_role = UnicodeAttribute()  # customer | agent
    author_name = UnicodeAttribute(default="")
    body = UnicodeAttribute()
    macro_id = UnicodeAttribute(null=True)
    merged_from = UnicodeAttribute(null=True)  # a copy of a merged duplicate's message (never emailed again)
    via = UnicodeAttribute(null=True)  # email (an inbound reply) | link (a signed ticket link); else the web
    attachments = ListAttribute(of=AttachedFile, null=True)
    created_at = UnicodeAttribute()


def attachment_key(org_id: str, ticket_id: str, attachment_id: str) -> tuple[str, str]:
    return ticket_pk(org_id, ticket_id), f"ATT#{attachment_id}"


class Attachment(HelpdeskTable):
    """pk ORG#o#TICKET#<id>, sk ATT#<id>: an upload granted for a ticket (issue 11 item 2), its name and type
    fixed; listed on a message by its uploader once HeadObject finds it in the bucket."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    uploader_sub = UnicodeAttribute()
    key = UnicodeAttribute()
    created_at = UnicodeAttribute()


# ------------------------------------------------------------------ inbound mail (issue 11 item 4)
def mail_ref_key(ref: str) -> tuple[str, str]:
    """What an inbound email may name, mapped to its ticket: `ticket:<id>` (the reply address), `ses:<id>`
    (the Message-ID SES gave an outbound email), `out:<outbox id prefix>` (the one the mailer set)."""
    return f"MAILREF#{ref}", "REF"


class MailRef(HelpdeskTable):
    """pk MAILREF#<ref>, sk REF: a ticket's address or an outbound email's Message-ID → org and ticket
    (the inbound handler has only the email to go by; a ticket's key needs its organisation)."""

    org_id = UnicodeAttribute()
    ticket_id = UnicodeAttribute()
    created_at = UnicodeAttribute()


# ------------------------------------------------------------------ the knowledge base
def article_key(org_id: str, article_id: str) -> tuple[str, str]:
    """An article as it is now (its latest version), beside the desk in the organisation's partition."""
    return org_pk(org_id), f"KBART#{article_id}"


def article_prefix(org_id: str) -> tuple[str, str]:
    """Every article of the organisation: its partition and the sort-key prefix to Query."""
    return org_pk(org_id), "KBART#"


def article_versions_pk(org_id: str, article_id: str) -> str:
    """An article's history: one item per saved version, in its own partition."""
    return org_key(org_id, "KBART", article_id)


def article_version_key(org_id: str, article_id: str, version: int) -> tuple[str, str]:
    return article_versions_pk(org_id, article_id), f"V#{version:06d}"


def deflection_key(org_id: str, deflection_id: str) -> tuple[str, str]:
    """A deflection reported by a portal under its client-chosen id (written once)."""
    return org_key(org_id, "DEFLECTION", deflection_id), "DEFLECTION"


def kb_day_key(org_id: str, day: str) -> tuple[str, str]:
    """The desk's knowledge-base counters of one UTC day (`YYYY-MM-DD`)."""
    return org_pk(org_id), f"KBDAY#{day}"


class Article(HelpdeskTable):
    """pk ORG#o, sk KBART#<id>: an article at its latest version (Markdown body; rendered on read)."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    visibility = UnicodeAttribute()  # public | internal
    status = UnicodeAttribute()  # draft | published
    category = UnicodeAttribute()
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    source_ticket = UnicodeAttribute(null=True)  # the solved ticket it was drafted from
    author_sub = UnicodeAttribute()
    author_name = UnicodeAttribute(default="")
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()


class ArticleVersion(HelpdeskTable):
    """pk ORG#o#KBART#<id>, sk V#<version, 6 digits>: one saved version of an article, never changed."""

    article_id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    version = NumberAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    visibility = UnicodeAttribute()
    status = UnicodeAttribute()
    category = UnicodeAttribute()
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    saved_by = UnicodeAttribute()
    saved_by_name = UnicodeAttribute(default="")
    saved_at = UnicodeAttribute()


class Deflection(HelpdeskTable):
    """pk ORG#o#DEFLECTION#<client id>, sk DEFLECTION: a customer who opened a suggested article and
    left the new-ticket form without filing, as the portal reported it (once per id)."""

    id = UnicodeAttribute()
    org_id = UnicodeAttribute()
    article_id = UnicodeAttribute()
    subject = UnicodeAttribute(default="")
    day = UnicodeAttribute()
    created_at = UnicodeAttribute()


class KbDay(HelpdeskTable):
    """pk ORG#o, sk KBDAY#<YYYY-MM-DD>: the desk's deflections that UTC day (an atomic counter, added
    in the transaction that writes the Deflection)."""

    org_id = UnicodeAttribute()
    day = UnicodeAttribute()
    deflections = NumberAttribute(default=0)


# ------------------------------------------------------------------ SLAs (issue 11 item 5)
def sla_policy_key(org_id: str) -> tuple[str, str]:
    return org_pk(org_id), "SLA"


def sla_index(shard: int) -> str:
    return f"SLA#{shard}"


def sla_due_keys(org_id: str, ticket_id: str, due: str) -> tuple[str, str]:
    """by_due keys of a ticket whose SLA clock runs: its shard's partition, then when the sweep must
    look at it. A ticket is on it while a stage is still to fire and its clock runs; never while
    pending, solved (then it is on SOLVED#) or closed."""
    return sla_index(shard_of(org_key(org_id, ticket_id))), f"{due}#{org_id}#{ticket_id}"


class WeeklyHours(MapAttribute):
    """Business hours of one weekday, wall clock of the desk's zone: minutes after midnight; an `end`
    past 1440 runs overnight into the next day."""

    weekday = NumberAttribute()
    start = NumberAttribute()
    end = NumberAttribute()


class SlaTarget(MapAttribute):
    """Targets of one priority in business minutes (absent: none)."""

    priority = UnicodeAttribute()
    first_response = NumberAttribute(null=True)
    resolution = NumberAttribute(null=True)


class SlaPolicy(HelpdeskTable):
    """pk ORG#o, sk SLA: the desk's calendar (zone, weekly hours, public holidays of a country and
    subdivision, extra closed days) and its targets per priority; staffing inputs for Erlang C."""

    org_id = UnicodeAttribute()
    time_zone = UnicodeAttribute()
    hours = ListAttribute(of=WeeklyHours, default=list)
    country = UnicodeAttribute(null=True)
    subdivision = UnicodeAttribute(null=True)
    closed_days = ListAttribute(of=UnicodeAttribute, default=list)  # ISO dates
    targets = ListAttribute(of=SlaTarget, default=list)
    handle_minutes = NumberAttribute(default=15)
    service_level = NumberAttribute(default=80)  # percent answered within the first-response target
    version = NumberAttribute(default=1)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
