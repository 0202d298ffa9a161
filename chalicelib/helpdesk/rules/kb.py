"""The knowledge base's pure rules: Markdown rendered to safe HTML, plain text and excerpts for search
and suggestions, a solved ticket turned into a draft article, and the ranking measure (MRR@k) that
bench and tests hold search quality to.

Markdown is parsed by markdown-it-py (CommonMark, with GitHub's tables and strikethrough; raw HTML
is let through to the sanitizer rather than shown as text, so an article may use `<kbd>` or
`<details>`), and the HTML it gives is cleaned by bleach against an allow-list: any tag not on it is
removed (a `<script>`'s text stays as inert text), any attribute not on it (`onerror`, `style`) is
dropped, and a link or image whose URL is not http(s) or mailto (`javascript:`, `data:`) loses it.
markdown-it already refuses such URLs in Markdown links; the sanitizer holds for raw HTML too.

No boto3, no clock, no settings: everything comes in as arguments.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the types only: the parser and sanitizer load on first render (cold starts)
    from bleach.sanitizer import Cleaner
    from markdown_it import MarkdownIt

VISIBILITIES = ("public", "internal")
ARTICLE_STATUSES = ("draft", "published")
# A tag: letters, digits, spaces and hyphens (stored lower-cased).
TAG_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 -]{0,29}$"
EXCERPT_CHARS = 200

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "s", "del", "code",
    "pre", "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "kbd",
    "sup", "sub", "details", "summary",
})
ALLOWED_ATTRIBUTES: Mapping[str, Sequence[str]] = {
    "a": ("href", "title"), "img": ("src", "alt", "title"), "ol": ("start",), "th": ("align",), "td": ("align",),
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True, "linkify": False}).enable(["table", "strikethrough"])


@lru_cache(maxsize=1)
def _cleaner() -> Cleaner:
    from bleach.sanitizer import Cleaner

    return Cleaner(tags=ALLOWED_TAGS, attributes=dict(ALLOWED_ATTRIBUTES), protocols=ALLOWED_PROTOCOLS,
                   strip=True, strip_comments=True)


def render(markdown: str) -> str:
    """The article's Markdown as HTML that is safe to put in a page as it is."""
    return str(_cleaner().clean(_parser().render(markdown)))


def plain_text(markdown: str) -> str:
    """The words of an article, without markup: what search indexes and excerpts are made of."""
    words: list[str] = []
    for token in _parser().parse(markdown):
        if token.type == "inline":
            words.extend(c.content for c in token.children or () if c.type in ("text", "code_inline"))
        elif token.type in ("fence", "code_block"):
            words.append(token.content)
    text = " ".join(words)
    # raw HTML in the source is markup, not words (`<kbd>` would otherwise show in excerpts)
    text = re.sub(r"<[^>]*>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def excerpt(markdown: str, limit: int = EXCERPT_CHARS) -> str:
    """The start of the article's text, cut at a word boundary, with an ellipsis when cut."""
    text = plain_text(markdown)
    if len(text) <= limit:
        return text
    cut = text[:limit + 1].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(" ,.;:") + "…"


def normalize_tags(tags: Iterable[str]) -> list[str]:
    """Tags lower-cased, trimmed, each once, in the order given."""
    seen: list[str] = []
    for t in tags:
        t = " ".join(t.lower().split())
        if t and t not in seen:
            seen.append(t)
    return seen


# ------------------------------------------------------------------ a solved ticket as a draft
@dataclass(frozen=True)
class ThreadMessage:
    """A public message of a ticket's thread, oldest first: who wrote it and what."""

    author_role: str  # customer | agent
    body: str


def _redact(text: str, names: Iterable[str]) -> str:
    for name in sorted({n for n in names if n and len(n) > 1}, key=len, reverse=True):
        text = re.sub(re.escape(name), "the customer", text, flags=re.IGNORECASE)
    return text


def draft_from_ticket(subject: str, description: str, thread: Sequence[ThreadMessage],
                      customer_names: Iterable[str] = ()) -> tuple[str, str]:
    """A solved ticket as a starting draft: its subject as the title; the customer's question (the
    description and their later replies) and the agents' public replies as the answer, in Markdown.
    The customer's name and email address are replaced by "the customer" (the agent edits the rest)."""
    names = list(customer_names)
    question = [description.strip()] + [m.body.strip() for m in thread if m.author_role == "customer"]
    answer = [m.body.strip() for m in thread if m.author_role == "agent"]
    parts = ["## Question", *[q for q in question if q], "## Answer", *([a for a in answer if a] or ["_(to write)_"])]
    return _redact(subject.strip(), names), _redact("\n\n".join(parts), names) + "\n"


# ------------------------------------------------------------------ search quality
def reciprocal_rank(ranked: Sequence[str], relevant: Iterable[str], k: int = 5) -> float:
    """1/rank of the first relevant result among the first k, 0 when none is there."""
    wanted = set(relevant)
    for i, ref in enumerate(ranked[:k], start=1):
        if ref in wanted:
            return 1.0 / i
    return 0.0


def mean_reciprocal_rank(runs: Iterable[tuple[Sequence[str], Iterable[str]]], k: int = 5) -> float:
    """MRR@k over (ranked results, relevant results) pairs; 0 for none."""
    ranks = [reciprocal_rank(r, rel, k) for r, rel in runs]
    return sum(ranks) / len(ranks) if ranks else 0.0
