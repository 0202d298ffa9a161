"""The knowledge base: articles in Markdown, public or internal, drafts or published, each save a new
version (the article item holds the latest, a version item per save holds the history); search and
suggestions over the desk's index (kb_index); deflections reported by the portal, counted per day;
a solved ticket turned into a draft article.

Rendering happens on read (rules.kb.render): a change of the sanitizer's allow-list then applies to
every article at once, and a stored version is only ever its Markdown.
"""
from __future__ import annotations

import random
import time
from datetime import date, timedelta

from pynamodb.exceptions import TransactWriteError

from ..core import clock
from ..core.auth import Principal
from ..core.db import conflicted, failed_actions, find, transact
from ..core.errors import Conflict, InvalidInput, NotFound, TallyError
from ..core.profiles import get_profile
from . import kb_index
from .access import StaffViewer
from .desks import desk_by_handle
from .models import (
    Article,
    ArticleVersion,
    Deflection,
    KbDay,
    article_key,
    article_prefix,
    article_version_key,
    article_versions_pk,
    deflection_key,
    kb_day_key,
)
from .rules.kb import ThreadMessage, draft_from_ticket, normalize_tags, render
from .schemas import (
    ArticleIn,
    ArticleOut,
    ArticlesOut,
    ArticleSummaryOut,
    ArticleVersionOut,
    ArticleVersionsOut,
    ArticleVersionSummaryOut,
    DeflectionDayOut,
    DeflectionDaysOut,
    DeflectionIn,
    DeflectionOut,
    KbHitOut,
    KbHitsOut,
    PublicArticleOut,
)
from .tickets import staff_ticket, thread

MAX_DAYS = 366
MAX_ATTEMPTS = 8


# ------------------------------------------------------------------ answers
def summary_out(a: Article) -> ArticleSummaryOut:
    return ArticleSummaryOut(id=a.id, title=a.title, visibility=a.visibility, status=a.status, category=a.category,
                             tags=[str(t) for t in a.tags], version=int(a.version), updated_at=a.updated_at)


def article_out(a: Article) -> ArticleOut:
    return ArticleOut(**summary_out(a).model_dump(), body=a.body, html=render(a.body), source_ticket=a.source_ticket,
                      author_name=a.author_name, created_at=a.created_at)


def version_out(v: ArticleVersion) -> ArticleVersionOut:
    return ArticleVersionOut(version=int(v.version), title=v.title, body=v.body, html=render(v.body),
                             visibility=v.visibility, status=v.status, category=v.category, tags=[str(t) for t in v.tags],
                             saved_by_name=v.saved_by_name, saved_at=v.saved_at)


def _hits_out(hits: list[kb_index.Hit]) -> KbHitsOut:
    return KbHitsOut(items=[KbHitOut(id=h.id, title=h.title, excerpt=h.excerpt, category=h.category,
                                     visibility=h.visibility, updated_at=h.updated_at) for h in hits])


# ------------------------------------------------------------------ writing articles
def _display_name(user: Principal) -> str:
    p = get_profile(user.sub)
    if p is not None and p.name:
        return str(p.name)
    return user.email.split("@")[0] if user.email else user.sub


def _version_of(a: Article, saved_by: str, saved_by_name: str) -> ArticleVersion:
    return ArticleVersion(*article_version_key(a.org_id, a.id, int(a.version)), article_id=a.id, org_id=a.org_id,
                          version=int(a.version), title=a.title, body=a.body, visibility=a.visibility,
                          status=a.status, category=a.category, tags=[str(t) for t in a.tags], saved_by=saved_by,
                          saved_by_name=saved_by_name, saved_at=a.updated_at)


def _write(a: Article, expected: int | None, saved_by: str, saved_by_name: str) -> None:
    """One transaction: the article at the version read (or new) and its version item (new)."""
    def refused(failed: list[int]) -> TallyError:
        if expected is None:
            return Conflict("an article with this id was created meanwhile", field="article_id")
        return Conflict("the article changed since you read it", field="version")

    cond = Article.pk.does_not_exist() if expected is None else Article.version == expected
    try:
        with transact(otherwise=refused) as tx:
            tx.save(a, condition=cond)
            tx.save(_version_of(a, saved_by, saved_by_name), condition=ArticleVersion.pk.does_not_exist())
    except TransactWriteError as exc:
        if conflicted(exc):
            raise Conflict("the article changed meanwhile: read it again", field="version") from None
        raise


def save_article(viewer: StaffViewer, user: Principal, article_id: str, data: ArticleIn) -> tuple[Article, bool]:
    """Create an article (version 1; created True) or save a new version of it at the version read
    (409 naming `version` when it moved on). Sending no version for an article that exists is 409
    naming `version`, unless the content is what is stored (a retried create: the article, created False)."""
    org_id = viewer.org_id
    current = find(Article, *article_key(org_id, article_id))
    now = clock.iso_now()
    name = _display_name(user)
    tags = normalize_tags(data.tags)
    content: dict[str, str] = {"title": data.title, "body": data.body, "visibility": data.visibility,
                               "status": data.status, "category": data.category}
    if current is None:
        if data.version is not None:
            raise NotFound("no such article", field="article_id")
        a = Article(*article_key(org_id, article_id), id=article_id, org_id=org_id, author_sub=user.sub,
                    author_name=name, version=1, created_at=now, updated_at=now, tags=tags, title=data.title,
                    body=data.body, visibility=data.visibility, status=data.status, category=data.category)
        _write(a, None, user.sub, name)
        return a, True
    if data.version is None:
        if all(getattr(current, f) == v for f, v in content.items()) and [str(t) for t in current.tags] == tags:
            return current, False
        raise Conflict("the article exists: send the version you read", field="version",
                       extra={"version": int(current.version)})
    if data.version != int(current.version):
        raise Conflict("the article changed since you read it", field="version", extra={"version": int(current.version)})
    a = Article(*article_key(org_id, article_id), id=article_id, org_id=org_id, author_sub=current.author_sub,
                author_name=current.author_name, source_ticket=current.source_ticket, version=data.version + 1,
                created_at=current.created_at, updated_at=now, tags=tags, title=data.title, body=data.body,
                visibility=data.visibility, status=data.status, category=data.category)
    _write(a, data.version, user.sub, name)
    return a, False


def draft_from_solved_ticket(viewer: StaffViewer, user: Principal, article_id: str, ticket_id: str) -> tuple[Article, bool]:
    """A draft internal article from a solved or closed ticket the caller works: its subject, the
    customer's question and the agents' public replies (never internal notes), the customer's name
    and address replaced. The same article id from the same ticket again answers the draft (created
    False); an article id already used otherwise is 409 naming `article_id`."""
    t = staff_ticket(viewer, ticket_id)
    existing = find(Article, *article_key(viewer.org_id, article_id))
    if existing is not None:
        if existing.source_ticket == ticket_id:
            return existing, False
        raise Conflict("another article has this id", field="article_id")
    if t.status not in ("solved", "closed"):
        raise Conflict("only a solved or closed ticket becomes an article", field="status")
    messages = [ThreadMessage(author_role=m.author_role, body=m.body) for m in thread(t, False).messages]
    title, body = draft_from_ticket(t.subject, t.description, messages, [t.customer_name, t.customer_email])
    now = clock.iso_now()
    name = _display_name(user)
    a = Article(*article_key(viewer.org_id, article_id), id=article_id, org_id=viewer.org_id, title=title[:200],
                body=body[:40000], visibility="internal", status="draft", category="general", tags=[],
                source_ticket=ticket_id, author_sub=user.sub, author_name=name, version=1, created_at=now,
                updated_at=now)
    _write(a, None, user.sub, name)
    return a, True


# ------------------------------------------------------------------ reading articles
def staff_article(viewer: StaffViewer, article_id: str) -> Article:
    a = find(Article, *article_key(viewer.org_id, article_id))
    if a is None:
        raise NotFound("no such article", field="article_id")
    return a


def staff_articles(viewer: StaffViewer, status: str | None, visibility: str | None, category: str | None) -> ArticlesOut:
    """Every article of the desk (drafts too), by title, without bodies (one Query, every page)."""
    pk, prefix = article_prefix(viewer.org_id)
    attrs = ["pk", "sk", "id", "org_id", "title", "visibility", "status", "category", "tags", "version", "updated_at"]
    items = [a for a in Article.query(pk, Article.sk.startswith(prefix), attributes_to_get=attrs)
             if (status is None or a.status == status) and (visibility is None or a.visibility == visibility)
             and (category is None or a.category == category)]
    return ArticlesOut(items=[summary_out(a) for a in sorted(items, key=lambda a: (a.title.lower(), a.id))])


def versions(viewer: StaffViewer, article_id: str) -> ArticleVersionsOut:
    """An article's saved versions, newest first (one Query on its history)."""
    staff_article(viewer, article_id)
    attrs = ["pk", "sk", "article_id", "org_id", "version", "title", "visibility", "status", "saved_by_name", "saved_at"]
    items = ArticleVersion.query(article_versions_pk(viewer.org_id, article_id), scan_index_forward=False,
                                 attributes_to_get=attrs)
    return ArticleVersionsOut(items=[ArticleVersionSummaryOut(version=int(v.version), title=v.title,
                                                              visibility=v.visibility, status=v.status,
                                                              saved_by_name=v.saved_by_name, saved_at=v.saved_at)
                                     for v in items])


def version(viewer: StaffViewer, article_id: str, number: int) -> ArticleVersionOut:
    v = find(ArticleVersion, *article_version_key(viewer.org_id, article_id, number))
    if v is None:
        staff_article(viewer, article_id)  # the article's absence is the better answer
        raise NotFound("no such version of this article", field="version")
    return version_out(v)


def public_article(handle: str, article_id: str) -> PublicArticleOut:
    """A published public article of the desk at `handle`; anything else (a draft, an internal
    article, none) is 404 naming `article_id`."""
    desk = desk_by_handle(handle)
    a = find(Article, *article_key(desk.org_id, article_id))
    if a is None or a.status != "published" or a.visibility != "public":
        raise NotFound("no such article", field="article_id")
    return PublicArticleOut(id=a.id, title=a.title, html=render(a.body), category=a.category, tags=[str(t) for t in a.tags],
                            updated_at=a.updated_at)


# ------------------------------------------------------------------ search
def search(org_id: str, text: str, public_only: bool, category: str | None, limit: int) -> KbHitsOut:
    """Published articles best first for `text` (all of them by title when it is empty); public
    ones only when `public_only`. From the desk's index on S3: no table read."""
    index = kb_index.desk_index(org_id)
    if index is None:
        return KbHitsOut(items=[])
    if not text.strip():
        return _hits_out(index.articles(public_only, category)[:limit])
    return _hits_out(index.search(text, public_only, limit, category=category))


def public_search(handle: str, text: str, category: str | None, limit: int) -> KbHitsOut:
    return search(desk_by_handle(handle).org_id, text, True, category, limit)


def suggest(handle: str, subject: str, limit: int) -> KbHitsOut:
    """Public articles for a subject being typed: its words, the last one also as a prefix."""
    index = kb_index.desk_index(desk_by_handle(handle).org_id)
    return _hits_out(index.search(subject, True, limit, as_you_type=True) if index is not None else [])


# ------------------------------------------------------------------ deflections
def record_deflection(handle: str, deflection_id: str, data: DeflectionIn) -> tuple[Deflection, bool]:
    """Count one deflection for the desk's day (UTC), once per client-chosen id: the same id and body
    again answers the stored one (created False) and counts nothing; another body is 409 naming
    `deflection_id`. The article must be a published public one of this desk (404 `article_id`)."""
    desk = desk_by_handle(handle)
    org_id = desk.org_id
    a = find(Article, *article_key(org_id, data.article_id))
    if a is None or a.status != "published" or a.visibility != "public":
        raise NotFound("no such article", field="article_id")
    now = clock.iso_now()
    day = now[:10]
    d = Deflection(*deflection_key(org_id, deflection_id), id=deflection_id, org_id=org_id, article_id=data.article_id,
                   subject=data.subject, day=day, created_at=now)
    for attempt in range(MAX_ATTEMPTS):
        try:
            with transact() as tx:
                tx.save(d, condition=Deflection.pk.does_not_exist())
                tx.update(KbDay(*kb_day_key(org_id, day)),
                          actions=[KbDay.deflections.add(1), KbDay.org_id.set(org_id), KbDay.day.set(day)])
            return d, True
        except TransactWriteError as exc:
            if 0 in failed_actions(exc):
                break
            if not conflicted(exc) or attempt == MAX_ATTEMPTS - 1:
                raise
            # another deflection of this desk's day committed at the same moment: try again shortly
            time.sleep(random.uniform(0.005, 0.05) * (attempt + 1))
    stored = find(Deflection, *deflection_key(org_id, deflection_id))
    if stored is not None and stored.article_id == data.article_id and stored.subject == data.subject:
        return stored, False
    raise Conflict("another deflection was reported under this id", field="deflection_id")


def deflection_out(d: Deflection) -> DeflectionOut:
    return DeflectionOut(id=d.id, article_id=d.article_id, day=d.day)


def _day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("not a calendar day", field=field) from None


def deflection_days(org_id: str, start: str, end: str) -> DeflectionDaysOut:
    """The desk's deflections per UTC day from `start` to `end` (inclusive, at most MAX_DAYS): one Query."""
    first, last = _day(start, "start"), _day(end, "end")
    if last < first:
        raise InvalidInput("end is before start", field="end")
    if last - first >= timedelta(days=MAX_DAYS):
        raise InvalidInput(f"at most {MAX_DAYS} days at once", field="end")
    pk, lo = kb_day_key(org_id, start)
    _, hi = kb_day_key(org_id, end)
    items = KbDay.query(pk, KbDay.sk.between(lo, hi))
    return DeflectionDaysOut(items=[DeflectionDayOut(day=i.day, deflections=int(i.deflections)) for i in items])
