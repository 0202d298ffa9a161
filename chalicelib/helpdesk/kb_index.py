"""The knowledge base's search index: one Whoosh index per desk, built by the help-desk stream when an
article changes and kept on S3 as one zip object; the API opens it at first use and keeps it open.

Ranking is Whoosh's BM25F over title (boost 3), tags (2) and body (1), with its StemmingAnalyzer
(Porter stems, English stop words), so "refunds" finds "refund" and "shipping" finds "shipped". An
index holds the desk's published articles, public and internal: customers search with a filter on
`visibility` (exact, inside the search, so filtering never loses a top hit), agents without it.
While a customer types, the last word also matches as a prefix ("refu" finds "refund").

Why Whoosh (pure Python, ~0.55 MB zipped with cached-property) and a prebuilt index: numpy-based
BM25 libraries (bm25s, rank-bm25) would not fit the Lambda package; tantivy's wheel alone is 5.2 MB;
lunr.py (35 kB) measured ~2.7 s to load a serialized 1,000-article index and 115 ms p95 per query,
against Whoosh's on-disk segments that open in milliseconds (memory-mapped, read lazily) and answer
in tens of milliseconds (bench/helpdesk_kb.py prints the figures). No Scan: the rebuild reads the
desk's articles with one Query on its partition; a search reads S3 (a conditional GetObject at most
every few seconds per warm container) and no table.
"""
from __future__ import annotations

import hashlib
import io
import re
import shutil
import tempfile
import threading
import time
import zipfile
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit
from botocore.exceptions import ClientError

from ..core.aws import client
from ..core.observability import logger, metrics
from ..core.settings import get_settings
from .models import Article, article_prefix
from .rules.kb import excerpt, plain_text

if TYPE_CHECKING:  # the types only: Whoosh loads with the first index built or opened
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
    from whoosh.analysis import Analyzer
    from whoosh.fields import Schema
    from whoosh.index import Index
    from whoosh.query import Query
    from whoosh.searching import Searcher

FIELD_BOOSTS = {"title": 3.0, "tags": 2.0, "body": 1.0}
# How long a warm container answers from the index it holds before asking S3 whether it changed.
RECHECK_SECONDS = 5.0
# Open indexes kept per container (each a few MB on /tmp and in the page cache).
KEEP_OPEN = 32
_WORD = re.compile(r"\w+", re.UNICODE)
Image = dict[str, Any]


@dataclass(frozen=True)
class IndexDoc:
    """What the index holds of one published article."""

    id: str
    title: str
    text: str  # the body as plain text
    tags: tuple[str, ...]
    category: str
    visibility: str
    excerpt: str
    updated_at: str


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    excerpt: str
    category: str
    visibility: str
    updated_at: str
    score: float


def doc_of(a: Article) -> IndexDoc:
    return IndexDoc(id=a.id, title=a.title, text=plain_text(a.body), tags=tuple(str(t) for t in a.tags), category=a.category,
                    visibility=a.visibility, excerpt=excerpt(a.body), updated_at=a.updated_at)


@lru_cache(maxsize=1)
def analyzer() -> Analyzer:
    from whoosh.analysis import StemmingAnalyzer

    return StemmingAnalyzer()


@lru_cache(maxsize=1)
def schema() -> Schema:
    from whoosh.fields import ID, STORED, TEXT, Schema

    an = analyzer()
    return Schema(id=ID(stored=True, unique=True), visibility=ID(stored=True), category=ID(stored=True),
                  title=TEXT(analyzer=an, stored=True, field_boost=FIELD_BOOSTS["title"]),
                  tags=TEXT(analyzer=an, field_boost=FIELD_BOOSTS["tags"]),
                  body=TEXT(analyzer=an, field_boost=FIELD_BOOSTS["body"]),
                  excerpt=STORED(), updated_at=STORED())


def build_index(docs: Iterable[IndexDoc]) -> bytes:
    """A Whoosh index of `docs`, as the bytes of a zip of its directory (one segment)."""
    from whoosh.filedb.filestore import FileStorage

    with tempfile.TemporaryDirectory(prefix="tally-kb-build-") as tmp:
        ix = FileStorage(tmp).create_index(schema())
        writer = ix.writer()
        for d in docs:
            writer.add_document(id=d.id, visibility=d.visibility, category=d.category, title=d.title,
                                tags=" ".join(d.tags), body=d.text, excerpt=d.excerpt, updated_at=d.updated_at)
        writer.commit()
        ix.close()
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for f in sorted(Path(tmp).iterdir()):
                z.write(f, f.name)
        return buf.getvalue()


def search_query(text: str, as_you_type: bool = False) -> Query | None:
    """The query for what was typed: any of its stemmed words in title, tags or body (BM25F adds them
    up); while typing, the last word unfinished also as a prefix. None when nothing is searchable."""
    from whoosh.query import Or, Prefix, Term

    stems = list(dict.fromkeys(t.text for t in analyzer()(text)))
    clauses: list[Query] = [Term(f, s) for s in stems for f in FIELD_BOOSTS]
    words = _WORD.findall(text.lower())
    if as_you_type and words and not text[-1:].isspace() and len(words[-1]) >= 2:
        clauses += [Prefix(f, words[-1]) for f in ("title", "body")]
    return Or(clauses) if clauses else None


class SearchIndex:
    """One desk's opened index: searches, and the list of its articles from stored fields."""

    def __init__(self, ix: Index, directory: Path | None = None) -> None:
        from whoosh.scoring import BM25F

        self._ix = ix
        self._directory = directory
        self._searcher: Searcher = ix.searcher(weighting=BM25F())
        self.size = int(ix.doc_count())

    @classmethod
    def from_bytes(cls, data: bytes, directory: Path) -> SearchIndex:
        """Unpack an index built by `build_index` into `directory` (emptied first) and open it."""
        from whoosh.filedb.filestore import FileStorage

        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for name in z.namelist():
                if "/" in name or name.startswith("."):  # only the flat files build_index writes
                    continue
                (directory / name).write_bytes(z.read(name))
        return cls(FileStorage(str(directory)).open_index(), directory)

    def _hit(self, fields: dict[str, Any], score: float) -> Hit:
        return Hit(id=fields["id"], title=fields["title"], excerpt=fields.get("excerpt", ""),
                   category=fields.get("category", ""), visibility=fields["visibility"],
                   updated_at=fields.get("updated_at", ""), score=score)

    def search(self, text: str, public_only: bool, limit: int = 10, as_you_type: bool = False,
               category: str | None = None) -> list[Hit]:
        """The best `limit` articles for `text`, best first (public ones only when `public_only`, of
        one category when given: filters applied inside the search, so no top hit is lost to them)."""
        from whoosh.query import And, Term

        q = search_query(text, as_you_type)
        if q is None:
            return []
        terms = [Term("visibility", "public")] if public_only else []
        terms += [Term("category", category)] if category else []
        flt = And(terms) if len(terms) > 1 else (terms[0] if terms else None)
        results = self._searcher.search(q, limit=limit, filter=flt)
        return [self._hit(dict(r.fields()), float(r.score or 0.0)) for r in results]

    def articles(self, public_only: bool, category: str | None = None) -> list[Hit]:
        """Every article of the index (public ones only when `public_only`), by title."""
        out = [self._hit(dict(f), 0.0) for f in self._searcher.all_stored_fields()
               if (not public_only or f["visibility"] == "public") and (category is None or f["category"] == category)]
        return sorted(out, key=lambda h: (h.title.lower(), h.id))

    def close(self) -> None:
        self._searcher.close()
        self._ix.close()
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)


# ------------------------------------------------------------------ on S3
def index_key(org_id: str) -> str:
    """Beside the organisation's charts: the objects the stream derives per owner, under the prefix
    the app's role may read and write (infra grants `charts/*`), never presigned for a client."""
    return f"charts/org/{org_id}/kb-index.zip"


def published_docs(org_id: str) -> list[IndexDoc]:
    """The desk's published articles (one Query on its partition, every page)."""
    pk, prefix = article_prefix(org_id)
    return [doc_of(a) for a in Article.query(pk, Article.sk.startswith(prefix),
                                             filter_condition=Article.status == "published")]


def rebuild(org_id: str) -> int:
    """Build the desk's index from its published articles and put it on S3; returns how many it holds.
    A full rebuild from the table, so running it twice, or late, still leaves the index right."""
    docs = published_docs(org_id)
    client("s3").put_object(Bucket=get_settings().bucket, Key=index_key(org_id), Body=build_index(docs),
                            ContentType="application/zip", ServerSideEncryption="AES256")
    return len(docs)


@dataclass
class _Held:
    index: SearchIndex | None
    etag: str
    checked: float


_held: OrderedDict[str, _Held] = OrderedDict()
_lock = threading.Lock()


def _fetch(org_id: str, etag: str) -> tuple[bytes | None, str] | None:
    """The index object if it changed since `etag` (None when it did not), (None, "") when there is none."""
    kwargs: dict[str, Any] = {"Bucket": get_settings().bucket, "Key": index_key(org_id)}
    if etag:
        kwargs["IfNoneMatch"] = etag
    try:
        obj = client("s3").get_object(**kwargs)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code"))
        if code in ("304", "NotModified"):
            return None
        if code in ("NoSuchKey", "404", "NotFound"):
            return None, ""
        raise
    return obj["Body"].read(), str(obj.get("ETag", ""))


def desk_index(org_id: str) -> SearchIndex | None:
    """The desk's index as this container holds it: re-checked on S3 (conditional on its ETag) once
    RECHECK_SECONDS have passed; None while the desk has none (no article published yet)."""
    now = time.monotonic()
    with _lock:
        held = _held.get(org_id)
        if held is not None and now - held.checked < RECHECK_SECONDS:
            _held.move_to_end(org_id)
            return held.index
        fetched = _fetch(org_id, held.etag if held else "")
        if fetched is None and held is not None:
            held.checked = now
            _held.move_to_end(org_id)
            return held.index
        data, etag = fetched if fetched is not None else (None, "")
        index = None
        if data is not None:
            name = hashlib.sha256(f"{org_id}/{etag}".encode()).hexdigest()[:24]
            index = SearchIndex.from_bytes(data, Path(tempfile.gettempdir()) / "tally-kb" / name)
        if held is not None and held.index is not None:
            held.index.close()
        _held[org_id] = _Held(index, etag, now)
        _held.move_to_end(org_id)
        while len(_held) > KEEP_OPEN:
            _, old = _held.popitem(last=False)
            if old.index is not None:
                old.index.close()
        return index


def forget_indexes() -> None:
    """Close every index this container holds (tests: the next search reads S3 again)."""
    with _lock:
        for held in _held.values():
            if held.index is not None:
                held.index.close()
        _held.clear()


# ------------------------------------------------------------------ kept fresh by the stream
def is_article(image: Image | None) -> bool:
    return bool(image) and str(image.get("sk", "")).startswith("KBART#")  # type: ignore[union-attr]


def changes_index(old: Image | None, new: Image | None) -> bool:
    """Whether the index must change: the article is published now or was before (a draft saved
    again changes nothing searchable)."""
    return any(i is not None and i.get("status") == "published" for i in (old, new))


class ArticleChanges:
    """The desks whose index a batch must rebuild, with the records that asked for it."""

    def __init__(self) -> None:
        self.seqs_by_org: dict[str, list[str]] = {}

    def note(self, record: DynamoDBRecord, old: Image | None, new: Image | None) -> bool:
        """Take an article's record (True); any other record is not this one's (False)."""
        if not (is_article(new) or is_article(old)):
            return False
        if changes_index(old, new):
            org_id = str((new or old or {})["org_id"])
            seq = str(record.dynamodb.sequence_number if record.dynamodb else "")
            self.seqs_by_org.setdefault(org_id, []).append(seq)
        return True

    def rebuild(self) -> set[str]:
        """Rebuild each noted desk's index; a desk whose rebuild fails fails its records (redelivered)."""
        failed: set[str] = set()
        for org_id, seqs in self.seqs_by_org.items():
            try:
                size = rebuild(org_id)
            except Exception:
                logger.exception("knowledge base index rebuild failed", extra={"org_id": org_id})
                failed.update(seqs)
                continue
            metrics.add_metric(name="KbIndexRebuilds", unit=MetricUnit.Count, value=1)
            logger.info("knowledge base index rebuilt", extra={"org_id": org_id, "articles": size})
        return failed
