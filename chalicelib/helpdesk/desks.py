"""The desk of an organisation: its public handle (unique, held by a HandleClaim written in the same
transaction as the desk), its name and its categories, each routed to a team."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pynamodb.exceptions import TransactWriteError

from ..core import clock
from ..core.db import conflicted, find, transact
from ..core.errors import Conflict, InvalidInput, NotFound, TallyError
from .models import Category, Desk, HandleClaim, Team, desk_key, handle_key, team_key
from .schemas import DeskCategoryOut, DeskIn, DeskOut, PublicCategoryOut, PublicDeskOut


@contextmanager
def _one_writer() -> Iterator[None]:
    """Two changes of the desk (or of one handle) at the same moment: the one DynamoDB cancels is a 409."""
    try:
        yield
    except TransactWriteError as exc:
        if conflicted(exc):
            raise Conflict("the desk changed meanwhile: read it again", field="version") from None
        raise


def desk_out(d: Desk) -> DeskOut:
    return DeskOut(org_id=d.org_id, handle=d.handle, name=d.name, version=int(d.version),
                   categories=[DeskCategoryOut(slug=c.slug, name=c.name, team_id=c.team_id) for c in d.categories])


def public_desk_out(d: Desk) -> PublicDeskOut:
    return PublicDeskOut(handle=d.handle, name=d.name,
                         categories=[PublicCategoryOut(slug=c.slug, name=c.name) for c in d.categories])


def get_desk(org_id: str) -> Desk:
    d = find(Desk, *desk_key(org_id))
    if d is None:
        raise NotFound("this organisation has no help desk yet", field="desk")
    return d


def intake(org_id: str, preferred: tuple[str, ...]) -> tuple[str, str] | None:
    """Where another module files a ticket for the organisation: its desk's handle and the first of the
    `preferred` category slugs the desk has (else its first category); None when it has no desk or no
    category (the caller then answers another way)."""
    d = find(Desk, *desk_key(org_id))
    slugs = [c.slug for c in d.categories] if d is not None else []
    if d is None or not slugs:
        return None
    return d.handle, next((s for s in preferred if s in slugs), slugs[0])


def desk_by_handle(handle: str) -> Desk:
    """The desk at a public handle (a GetItem of the claim, then of the desk), else 404 naming `handle`."""
    claim = find(HandleClaim, *handle_key(handle.lower()))
    desk = find(Desk, *desk_key(claim.org_id)) if claim is not None else None
    if desk is None or desk.handle != handle.lower():
        raise NotFound("no help desk at this address", field="handle")
    return desk


def category_team(desk: Desk, slug: str) -> Category:
    """The desk's category by slug; a category the desk does not have is 400 naming `category`."""
    for c in desk.categories:
        if c.slug == slug:
            return c
    raise InvalidInput(f"unknown category (this desk has: {', '.join(c.slug for c in desk.categories)})",
                       field="category")


def set_desk(org_id: str, data: DeskIn) -> Desk:
    """Create the desk, or replace it at the version read; its handle moves its claim in the same
    transaction (a handle another desk holds is 409 naming `handle`)."""
    team_ids = {c.team_id for c in data.categories}
    found = {t.id for t in Team.batch_get([team_key(org_id, i) for i in sorted(team_ids)])}
    missing = sorted(team_ids - found)
    if missing:
        raise NotFound(f"no such team: {missing[0]}", field="categories")
    current = find(Desk, *desk_key(org_id))
    now = clock.iso_now()
    cats = [Category(slug=c.slug, name=c.name, team_id=c.team_id) for c in data.categories]
    if current is None:
        if data.version is not None:
            raise NotFound("this organisation has no help desk yet", field="version")
        desk = Desk(*desk_key(org_id), org_id=org_id, handle=data.handle, name=data.name, categories=cats,
                    version=1, created_at=now, updated_at=now)

        def created_refused(failed: list[int]) -> TallyError:
            if 1 in failed:
                return Conflict("another desk has this handle", field="handle")
            return Conflict("the desk was created meanwhile: send its version", field="version")

        with _one_writer(), transact(otherwise=created_refused) as tx:
            tx.save(desk, condition=Desk.pk.does_not_exist())
            tx.save(HandleClaim(*handle_key(data.handle), org_id=org_id), condition=HandleClaim.pk.does_not_exist())
        return desk
    if data.version is None:
        raise InvalidInput("the desk exists: send the version you read", field="version")
    if data.version != current.version:
        raise Conflict("the desk changed since you read it", field="version",
                       extra={"current": desk_out(current).model_dump(mode="json")})
    old_handle = current.handle
    desk = Desk(*desk_key(org_id), org_id=org_id, handle=data.handle, name=data.name, categories=cats,
                version=int(current.version) + 1, created_at=current.created_at, updated_at=now)

    def refused(failed: list[int]) -> TallyError:
        if 1 in failed:
            return Conflict("another desk has this handle", field="handle")
        return Conflict("the desk changed since you read it", field="version")

    with _one_writer(), transact(otherwise=refused) as tx:
        tx.save(desk, condition=Desk.version == data.version)
        if old_handle != data.handle:
            tx.save(HandleClaim(*handle_key(data.handle), org_id=org_id), condition=HandleClaim.pk.does_not_exist())
            tx.delete(HandleClaim(*handle_key(old_handle)))
    return desk
