"""Categories: the defaults (free to check) and each person's own (one item each)."""
from __future__ import annotations

from ..core import clock
from ..core.auth import Principal
from ..core.db import get_or
from ..core.errors import Conflict, InvalidInput
from .models import CATEGORY, Category, category_key
from .rules import DEFAULT_CATEGORIES, TOTAL, category_slug
from .schemas import CategoriesOut, CategoryIn, CategoryOut


def check_category(user: Principal, slug: str) -> None:
    """A category the caller may use: a default one costs no read, an own one is one GetItem."""
    if slug in DEFAULT_CATEGORIES:
        return
    get_or(Category, *category_key(user.owner_key, slug),
           lambda: InvalidInput(f"unknown category {slug!r}", field="category"))


def own_categories(user: Principal) -> list[Category]:
    return list(Category.query(user.owner_key, Category.sk.startswith(CATEGORY)))


def known_categories(user: Principal) -> set[str]:
    """Every slug the caller may use: the defaults and their own."""
    return set(DEFAULT_CATEGORIES) | {c.slug for c in own_categories(user)}


def list_categories(user: Principal) -> CategoriesOut:
    """Default categories, then the caller's own."""
    items = [CategoryOut(slug=s, name=s.replace("_", " ").capitalize(), kind=k, custom=False)
             for s, k in DEFAULT_CATEGORIES.items()]
    items += [CategoryOut(slug=c.slug, name=c.name, kind=c.kind, custom=True) for c in own_categories(user)]
    return CategoriesOut(items=items)


def create_category(user: Principal, data: CategoryIn) -> CategoryOut:
    """Add an own category; its slug comes from its name."""
    slug = category_slug(data.name)
    if not slug:
        raise InvalidInput("a category name needs a letter or a digit", field="name")
    if slug in DEFAULT_CATEGORIES or slug == TOTAL:
        raise Conflict("this category exists already", field="name")
    Category(*category_key(user.owner_key, slug), slug=slug, name=data.name, kind=data.kind,
             created_at=clock.iso_now()).save()
    return CategoryOut(slug=slug, name=data.name, kind=data.kind, custom=True)
