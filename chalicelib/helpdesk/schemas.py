"""The help desk's request bodies, query models and response models (the OpenAPI document is built from them).

Subjects are plain text (no angle brackets: the document's pattern says so and the check is the same);
categories, handles and priorities are declared as exactly what is taken.
"""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from ..core.schemas import (
    UNIQUE, UUID_PATTERN, EmailStr, Items, Out, Query, Strict, check_time_zone, each_once, list_time_zones)
from .rules import CATEGORY_PATTERN, HANDLE_PATTERN, SUBJECT_PATTERN
from .rules.attachments import FILENAME_PATTERN, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS
from .rules.kb import TAG_PATTERN


AttachmentIds = Annotated[
    list[Annotated[str, Field(pattern=UUID_PATTERN)]],
    Field(max_length=MAX_ATTACHMENTS, json_schema_extra=UNIQUE,
          description="ids of files uploaded to this ticket by the sender (POST .../attachments, then the upload)"),
    each_once("attachment")]
"""The files a message carries: each id once, at most MAX_ATTACHMENTS."""

Priority = Literal["low", "normal", "high", "urgent"]
Status = Literal["new", "open", "pending", "solved", "closed"]
# A member's id (a Cognito sub) as it appears in a team.
SUB_PATTERN = r"^[A-Za-z0-9-]{1,64}$"
LINK_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


# ------------------------------------------------------------------ the desk
class DeskCategoryIn(Strict):
    slug: str = Field(pattern=CATEGORY_PATTERN, max_length=40)
    name: str = Field(min_length=1, max_length=80)
    team_id: str = Field(pattern=UUID_PATTERN)


class DeskIn(Strict):
    """The desk: its public handle, its name, its categories (each routed to a team). Changing an
    existing desk sends the version read."""

    handle: str = Field(pattern=HANDLE_PATTERN, max_length=40)
    name: str = Field(min_length=1, max_length=120)
    categories: list[DeskCategoryIn] = Field(min_length=1, max_length=50)
    version: int | None = Field(default=None, ge=1)

    @field_validator("categories")
    @classmethod
    def _unique_slugs(cls, value: list[DeskCategoryIn]) -> list[DeskCategoryIn]:
        slugs = [c.slug for c in value]
        if len(set(slugs)) != len(slugs):
            raise ValueError("each category slug once")
        return value


class DeskCategoryOut(Out):
    slug: str
    name: str
    team_id: str


class DeskOut(Out):
    org_id: str
    handle: str
    name: str
    categories: list[DeskCategoryOut]
    version: int


class PublicCategoryOut(Out):
    slug: str
    name: str


class PublicDeskOut(Out):
    """What anyone may know of a desk: its name and the categories a request can be filed under."""

    handle: str
    name: str
    categories: list[PublicCategoryOut]


# ------------------------------------------------------------------ teams, agents, canned replies
class TeamIn(Strict):
    """A team of agents (members of the organisation) with a lead among them."""

    name: str = Field(min_length=1, max_length=80)
    agents: Annotated[list[Annotated[str, Field(pattern=SUB_PATTERN)]], each_once("member")] = Field(
        min_length=1, max_length=100, json_schema_extra=UNIQUE)
    lead: str | None = Field(default=None, pattern=SUB_PATTERN)
    version: int | None = Field(default=None, ge=1)

    @field_validator("lead")
    @classmethod
    def _lead_is_an_agent(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and value not in (info.data.get("agents") or ()):
            raise ValueError("the lead is one of the team's agents")
        return value


class TeamOut(Out):
    id: str
    name: str
    lead: str | None
    agents: list[str]
    version: int


class TeamsOut(Items[TeamOut]):
    pass


class AwayIn(Strict):
    away: bool


class AgentOut(Out):
    sub: str
    email: str
    name: str
    away: bool
    open_count: int
    assigned_total: int


class AgentsOut(Items[AgentOut]):
    pass


class MacroIn(Strict):
    """A canned reply; its body may use {{customer.name}}, {{customer.email}}, {{ticket.id}},
    {{ticket.subject}} and {{agent.name}}."""

    title: str = Field(min_length=1, max_length=120)
    body: str = Field(min_length=1, max_length=5000)


class MacroOut(Out):
    id: str
    title: str
    body: str


class MacrosOut(Items[MacroOut]):
    pass


# ------------------------------------------------------------------ tickets
class LinkIn(Strict):
    """What the ticket is about: a product, an order or a car of the organisation."""

    kind: Literal["product", "order", "car"]
    id: str = Field(pattern=LINK_ID_PATTERN)


class TicketFields(Strict):
    """What every new ticket says, whoever files it."""

    category: str = Field(pattern=CATEGORY_PATTERN, max_length=40)
    subject: str = Field(min_length=1, max_length=200, pattern=SUBJECT_PATTERN)
    description: str = Field(min_length=1, max_length=10000)
    priority: Priority = "normal"


class TicketIn(TicketFields):
    link: LinkIn | None = None
    attachments: AttachmentIds = []  # uploaded first under this ticket's id (POST .../tickets/{id}/attachments)


StaffChannel = Literal["phone", "walk_in", "email"]


class StaffTicketIn(TicketFields):
    """A ticket an agent files for a customer who phoned, came in or wrote to them: the customer is their
    email address (no account needed); they are emailed as any customer, with signed links to the thread."""

    customer_email: EmailStr
    customer_name: str = Field(default="", max_length=120, pattern=SUBJECT_PATTERN,
                               description="as the customer gave it; the address's local part when empty")
    channel: StaffChannel = Field(default="phone", description="how the customer asked")


class LinkOut(Out):
    kind: str
    id: str


class AttachmentOut(Out):
    """A file on a message: read it through `url`, a presigned GET of the bucket valid for `expires_in`
    seconds (S3 answers it as a download; the API never serves the bytes)."""

    id: str
    filename: str
    content_type: str
    size: int
    url: str
    expires_in: int


class MessageOut(Out):
    id: str
    kind: str
    author_role: str
    author_name: str
    body: str
    created_at: str
    attachments: list[AttachmentOut] = []
    ticket_id: str | None = None  # the ticket it is in: a follow-up's for a reply to a closed ticket


class TicketOut(Out):
    id: str
    handle: str
    category: str
    team_id: str
    subject: str
    description: str
    priority: str
    link: LinkOut | None
    status: str
    customer_name: str
    channel: str = Field(description="how it came: web (the customer's account), email (an email to the desk), "
                                     "phone, walk_in or email (filed by an agent for the customer)")
    assignee: str | None
    assignee_name: str | None
    merged_into: str | None = None
    follow_up_of: str | None = None  # the closed (or long solved) ticket this one continues
    follow_ups: list[str] = []
    attachments: list[AttachmentOut] = []  # the files filed with it (the form's, an email's)
    reopen_count: int = 0
    rating: Literal["good", "bad"] | None = None  # the customer's rating of the latest solve
    version: int
    created_at: str
    updated_at: str
    sla_breached: bool = False  # a first-response or resolution target was passed (the sweep's breach)
    sla_due: str | None = None  # when the next SLA warning or breach falls due while the clock runs


class TicketThreadOut(TicketOut):
    """A ticket with its thread, oldest first (a customer sees public replies only)."""

    messages: list[MessageOut]


class TicketsOut(Items[TicketOut]):
    pass


class TicketsQuery(Query):
    status: Status | None = None
    limit: int = Field(default=50, ge=1, le=200)


class CustomerMessageIn(Strict):
    """A customer's reply to their own ticket, with files uploaded for it."""

    body: str = Field(min_length=1, max_length=10000)
    attachments: AttachmentIds = []


class AgentMessageIn(Strict):
    """An agent's public reply or internal note: a `body`, or a canned reply by `macro_id`."""

    kind: Literal["reply", "note"]
    body: str | None = Field(default=None, min_length=1, max_length=10000)
    macro_id: str | None = Field(default=None, pattern=UUID_PATTERN)
    attachments: AttachmentIds = []

    @model_validator(mode="after")
    def _one_source(self) -> AgentMessageIn:
        if (self.body is None) == (self.macro_id is None):
            raise ValueError("send either body or macro_id")
        return self


class StatusIn(Strict):
    status: Status
    version: int = Field(ge=1)


class MergeIn(Strict):
    """Merge this ticket (a duplicate) into ticket `into`, at this ticket's version."""

    into: str = Field(pattern=UUID_PATTERN)
    version: int = Field(ge=1)


class AssignIn(Strict):
    assignee: str = Field(pattern=SUB_PATTERN)
    version: int = Field(ge=1)


# ------------------------------------------------------------------ the knowledge base
Visibility = Literal["public", "internal"]
ArticleStatus = Literal["draft", "published"]
# What a search or suggestion takes: plain text (no angle brackets or control characters).
SEARCH_PATTERN = SUBJECT_PATTERN
DAY_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


class ArticleIn(Strict):
    """An article: a plain-text title and a Markdown body, public (customers see it) or internal
    (agents only), a draft or published (searchable). Changing one sends the version read; each save
    is a new version."""

    title: str = Field(min_length=1, max_length=200, pattern=SUBJECT_PATTERN)
    body: str = Field(min_length=1, max_length=40000)
    visibility: Visibility = "internal"
    status: ArticleStatus = "draft"
    category: str = Field(default="general", pattern=CATEGORY_PATTERN, max_length=40)
    tags: list[Annotated[str, Field(pattern=TAG_PATTERN, max_length=30)]] = Field(default_factory=list, max_length=10)
    version: int | None = Field(default=None, ge=1)


class ArticleSummaryOut(Out):
    id: str
    title: str
    visibility: str
    status: str
    category: str
    tags: list[str]
    version: int
    updated_at: str


class ArticleOut(ArticleSummaryOut):
    """An article at its latest version (or the version asked for): the Markdown and its sanitized HTML."""

    body: str
    html: str
    source_ticket: str | None
    author_name: str
    created_at: str


class ArticlesOut(Items[ArticleSummaryOut]):
    pass


class ArticlesQuery(Query):
    status: ArticleStatus | None = None
    visibility: Visibility | None = None
    category: str | None = Field(default=None, pattern=CATEGORY_PATTERN, max_length=40)


class ArticleVersionOut(Out):
    version: int
    title: str
    body: str
    html: str
    visibility: str
    status: str
    category: str
    tags: list[str]
    saved_by_name: str
    saved_at: str


class ArticleVersionSummaryOut(Out):
    version: int
    title: str
    visibility: str
    status: str
    saved_by_name: str
    saved_at: str


class ArticleVersionsOut(Items[ArticleVersionSummaryOut]):
    """An article's versions, newest first."""


class PublicArticleOut(Out):
    """A published public article as a customer reads it."""

    id: str
    title: str
    html: str
    category: str
    tags: list[str]
    updated_at: str


class KbHitOut(Out):
    id: str
    title: str
    excerpt: str
    category: str
    visibility: str
    updated_at: str


class KbHitsOut(Items[KbHitOut]):
    """Articles best first."""


class KbSearchQuery(Query):
    """A search: words to find (empty lists every article, by title), an optional category."""

    q: str = Field(default="", max_length=200, pattern=SEARCH_PATTERN)
    category: str | None = Field(default=None, pattern=CATEGORY_PATTERN, max_length=40)
    limit: int = Field(default=10, ge=1, le=50)


class SuggestQuery(Query):
    """What the customer has typed so far in a new ticket's subject."""

    subject: str = Field(min_length=1, max_length=200, pattern=SEARCH_PATTERN)
    limit: int = Field(default=5, ge=1, le=10)


class DraftFromTicketIn(Strict):
    """Turn a solved (or closed) ticket into a draft article under the article id in the path."""

    ticket_id: str = Field(pattern=UUID_PATTERN)


class DeflectionIn(Strict):
    """A customer opened this suggested article and left the new-ticket form without filing."""

    article_id: str = Field(pattern=UUID_PATTERN)
    subject: str = Field(default="", max_length=200, pattern=SUBJECT_PATTERN)


class DeflectionOut(Out):
    id: str
    article_id: str
    day: str


class DeflectionDayOut(Out):
    day: str
    deflections: int


class DeflectionDaysOut(Items[DeflectionDayOut]):
    """Deflections per UTC day, oldest first (days without any are left out)."""


class DeflectionsQuery(Query):
    start: str = Field(pattern=DAY_PATTERN)
    end: str = Field(pattern=DAY_PATTERN)


# ------------------------------------------------------------------ attachments (issue 11 item 2)
# the allowed types (rules.attachments.ATTACHMENT_TYPES, spelled out for the type checker; a test holds them equal)
AttachmentType = Literal["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain", "text/csv"]


class AttachmentIn(Strict):
    """A file to attach to a ticket: its name, its type (one of the allowed ones) and its size in bytes."""

    filename: str = Field(pattern=FILENAME_PATTERN, max_length=120)
    content_type: AttachmentType
    size: int = Field(ge=1, le=MAX_ATTACHMENT_BYTES, description="bytes; the upload's policy holds it to the limit")


class AttachmentUploadOut(Out):
    """Where to upload: POST the file as multipart/form-data to `url` with `fields` (the file last); S3
    refuses another type, more than `max_bytes` or an expired policy. Then list `attachment_id` in a
    message's `attachments`."""

    attachment_id: str
    url: str
    fields: dict[str, str]
    max_bytes: int = MAX_ATTACHMENT_BYTES
    expires_in: int


# ------------------------------------------------------------------ ticket links and satisfaction (issue 11 items 1, 7)
class TicketLinkOut(Out):
    """A signed link to a ticket's public thread for a customer without an account."""

    token: str
    url: str
    expires_at: str


class RatingIn(Strict):
    """The customer's rating of the latest solve (changeable until the ticket closes), with an optional comment."""

    score: Literal["good", "bad"]
    comment: str | None = Field(default=None, max_length=2000)


class RatingOut(Out):
    ticket_id: str
    score: Literal["good", "bad"]
    comment: str | None
    solve: int
    rated_at: str


class RatingQuery(Query):
    """The score a solved email's link carries."""

    score: Literal["good", "bad"]


# ------------------------------------------------------------------ SLAs (issue 11 item 5)
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
HHMM_PATTERN = r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$"


def _country_enum(schema: dict[str, Any]) -> None:
    """The countries whose public holidays the `holidays` library knows (read when the document is built)."""
    import holidays  # noqa: PLC0415

    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "string":
            option["enum"] = sorted(holidays.list_supported_countries())


class WeeklyHoursIn(Strict):
    """Business hours of a weekday in the desk's zone; an end not after the start runs overnight."""

    day: Weekday
    start: str = Field(pattern=HHMM_PATTERN)
    end: str = Field(pattern=HHMM_PATTERN)


class SlaTargetIn(Strict):
    """Targets of one priority, in business minutes (left out: no target)."""

    priority: Priority
    first_response: int | None = Field(default=None, ge=1, le=525600)
    resolution: int | None = Field(default=None, ge=1, le=525600)


class SlaPolicyIn(Strict):
    """The desk's SLA policy: its calendar (IANA zone, weekly hours, the public holidays of a country
    and subdivision, extra closed days) and targets per priority; staffing inputs (average handling
    minutes, the share of tickets to answer within the first-response target). Changing an existing
    policy sends the version read."""

    time_zone: str = Field(json_schema_extra=list_time_zones)
    hours: list[WeeklyHoursIn] = Field(min_length=1, max_length=50)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$", json_schema_extra=_country_enum)
    subdivision: str | None = Field(default=None, pattern=r"^[A-Z0-9]{1,6}$")
    closed_days: list[date] = Field(default_factory=list, max_length=400)
    targets: list[SlaTargetIn] = Field(default_factory=list, max_length=4)
    handle_minutes: int = Field(default=15, ge=1, le=1440)
    service_level: int = Field(default=80, ge=1, le=99)
    version: int | None = Field(default=None, ge=1)

    _tz = field_validator("time_zone")(lambda cls, v: check_time_zone(v))

    @field_validator("targets")
    @classmethod
    def _one_per_priority(cls, value: list[SlaTargetIn]) -> list[SlaTargetIn]:
        if len({t.priority for t in value}) != len(value):
            raise ValueError("each priority once")
        return value


class WeeklyHoursOut(Out):
    day: str
    start: str
    end: str


class SlaTargetOut(Out):
    priority: str
    first_response: int | None
    resolution: int | None


class SlaPolicyOut(Out):
    """The policy (version 0: none set, every hour counts and no targets)."""

    org_id: str
    time_zone: str
    hours: list[WeeklyHoursOut]
    country: str | None
    subdivision: str | None
    closed_days: list[str]
    targets: list[SlaTargetOut]
    handle_minutes: int
    service_level: int
    version: int


# ------------------------------------------------------------------ insights (issue 11 item 9)
class DaySeriesOut(Out):
    date: str
    created: int
    solved: int


class DimensionRowOut(Out):
    name: str
    created: int
    solved: int


class QuantilesOut(Out):
    """Business minutes: median and 90th percentile from the merged quantile sketches."""

    count: int
    median: float | None
    p90: float | None


class AttainmentOut(Out):
    met: int
    missed: int
    attainment: float | None


class SatisfactionOut(Out):
    good: int
    bad: int
    share_good: float | None


class PeriodFiguresOut(Out):
    created: int
    solved: int
    first_response: QuantilesOut
    resolution: QuantilesOut
    sla: dict[str, AttainmentOut]
    satisfaction: SatisfactionOut
    reopened: int
    reopen_rate: float | None
    deflected: int
    deflection_rate: float | None


class MonthFiguresOut(PeriodFiguresOut):
    month: str


class StaffingHourOut(Out):
    """One hour of the desk's week (0 = Monday 00:00 local): mean arrivals over the last weeks, the
    agents Erlang C needs to meet the first-response target, the agents scheduled."""

    hour: int
    arrivals: float
    needed: int
    scheduled: int


class HelpdeskInsightsOut(Out):
    generated_at: str
    days: list[DaySeriesOut]
    by: dict[str, list[DimensionRowOut]]
    backlog: dict[str, int]
    months: list[MonthFiguresOut]
    overall: PeriodFiguresOut
    staffing: list[StaffingHourOut]
