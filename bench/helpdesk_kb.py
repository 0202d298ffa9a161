"""The help desk's knowledge base at 1,000 articles: index build time and size, cold open, search and
suggestion latency (p50/p95), and search quality (MRR@5) on the labelled queries of tests/data.

Run from the repo root: `make bench-kb` (= `.venv/bin/python bench/helpdesk_kb.py`). It prints one
table and exits 0: it measures, it does not gate (tests/unit/test_helpdesk_kb.py holds the MRR floor).

The corpus is the 49 hand-written articles of tests/data/kb_articles.json (a fictional outdoor shop)
and 951 generated ones in the same vocabulary (product care, sizing, availability and policy notes
for 150 products), so the labelled articles compete with many near misses. Two parts:

1. the engine (chalicelib/helpdesk/kb_index.py, no AWS): build, open, search, suggest;
2. the route, in-process under moto like bench/run.py: the articles in the table, the index rebuilt
   as the stream reaction does (Query + build + PutObject), then `GET /desks/{h}/suggestions` for
   every prefix a customer types of every labelled query, timed around the whole request (Chalice
   routing, desk lookup, S3 conditional GET, search, response model), with the index re-checked on
   S3 at every request (the worst case) and as deployed (every RECHECK_SECONDS).
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import pathlib
import random
import statistics
import sys
import tempfile
import time
import uuid
import warnings

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATA = ROOT / "tests" / "data"
TARGET_ARTICLES = 1000
SEED = 11

PRODUCTS = [f"{adj} {noun}" for adj in ("Fjord", "Ridge", "Alpine", "Harbor", "Pine", "Summit", "Trail", "Glacier",
                                        "Canyon", "Tundra")
            for noun in ("rain jacket", "down jacket", "fleece", "hiking boot", "trail shoe", "backpack", "daypack",
                         "two-person tent", "sleeping bag", "sleeping mat", "camping stove", "head torch",
                         "trekking poles", "water filter", "softshell trousers")]
TEMPLATES = [
    ("Caring for the {p}", "care", ["care", "cleaning"],
     "Clean the {p} after every trip with lukewarm water and a soft brush. {s1} Store it dry and loosely packed, "
     "away from direct sunlight. {s2} Never use solvents or bleach, as they damage the coating and the seams."),
    ("Sizing and fit of the {p}", "products", ["fit", "sizing"],
     "The {p} is cut for layering. {s1} Compare your measurements with the chart on the product page; the "
     "{p} comes in sizes XS to XXL. {s2} Most customers who are between two sizes choose the larger one."),
    ("Technical details of the {p}", "products", ["specifications", "materials"],
     "The {p} weighs {w} grams and is made of recycled materials. {s1} It has been tested on long trails in "
     "wet and cold weather. {s2} Spare parts for the {p} can be ordered from our spare parts team."),
    ("Is the {p} available in other colours?", "products", ["colours", "availability"],
     "The {p} comes in three colours this season. {s1} Colours shown on screen can differ slightly from the "
     "real fabric. {s2} Colours that sell out are sometimes produced again in the next collection."),
    ("Known issues with the {p}", "warranty", ["known issues", "quality"],
     "A small number of the {p} from an early batch had stitching that loosened at the shoulder. {s1} If yours "
     "shows this, our team fixes it free of charge. {s2} Later batches are not affected."),
]
FILLERS = [
    "Our product specialists tested this item during a week in the mountains.",
    "Reviews from customers mention comfort on long days outside.",
    "The materials meet the bluesign standard for safer textiles.",
    "We recommend reading the instructions in the box before first use.",
    "Accessories for this item are sold separately in our shop.",
    "Older versions of this item may differ in small details.",
    "Our stores can show you the item before you decide.",
    "Questions about use on expeditions can be sent to our specialists.",
]


def corpus() -> tuple[list, list[dict]]:
    """IndexDocs of the 1,000-article corpus (the labelled ones first) and the labelled queries."""
    from chalicelib.helpdesk.kb_index import IndexDoc
    from chalicelib.helpdesk.rules.kb import excerpt, plain_text

    arts = json.loads((DATA / "kb_articles.json").read_text())["articles"]
    queries = json.loads((DATA / "kb_queries.json").read_text())["queries"]
    rnd = random.Random(SEED)
    docs = [IndexDoc(id=a["key"], title=a["title"], text=plain_text(a["body"]), tags=tuple(a["tags"]),
                     category=a["category"], visibility=a["visibility"], excerpt=excerpt(a["body"]),
                     updated_at="2026-11-30T00:00:00Z") for a in arts]
    i = 0
    while len(docs) < TARGET_ARTICLES:
        p = PRODUCTS[i % len(PRODUCTS)]
        title, cat, tags, body = TEMPLATES[(i // len(PRODUCTS)) % len(TEMPLATES)]
        s1, s2 = rnd.sample(FILLERS, 2)
        text = body.format(p=p, s1=s1, s2=s2, w=rnd.randrange(150, 2500, 10))
        docs.append(IndexDoc(id=f"gen-{i}", title=title.format(p=p), text=text, tags=tuple(tags), category=cat,
                             visibility="public" if rnd.random() < 0.9 else "internal", excerpt=text[:200],
                             updated_at="2026-11-30T00:00:00Z"))
        i += 1
    return docs, queries


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def typed_prefixes(query: str) -> list[str]:
    """What a customer's subject box holds as they type: every prefix from the third character."""
    return [query[:n] for n in range(3, len(query) + 1)]


def mrr(index, queries: list[dict]) -> float:
    from chalicelib.helpdesk.rules.kb import mean_reciprocal_rank

    return mean_reciprocal_rank(
        [([h.id for h in index.search(q["q"], public_only=q["audience"] == "public", limit=5)], q["relevant"])
         for q in queries])


def engine(rows: list[tuple[str, str]]) -> None:
    from chalicelib.helpdesk.kb_index import SearchIndex, build_index

    docs, queries = corpus()
    labelled = [d for d in docs if not d.id.startswith("gen-")]
    tmp = pathlib.Path(tempfile.mkdtemp(prefix="bench-kb-"))
    small = SearchIndex.from_bytes(build_index(labelled), tmp / "small")
    rows.append((f"MRR@5, {len(queries)} labelled queries, {len(labelled)} articles", f"{mrr(small, queries):.3f}"))
    small.close()

    t0 = time.perf_counter()
    data = build_index(docs)
    build_s = time.perf_counter() - t0
    rows.append((f"index build, {len(docs)} articles", f"{build_s:.2f} s"))
    rows.append(("index object on S3 (zip)", f"{len(data) / 1024:.0f} KiB"))
    t0 = time.perf_counter()
    index = SearchIndex.from_bytes(data, tmp / "big")
    rows.append(("cold open (unzip to /tmp + open)", f"{(time.perf_counter() - t0) * 1000:.1f} ms"))
    rows.append((f"MRR@5, {len(queries)} labelled queries, {len(docs)} articles", f"{mrr(index, queries):.3f}"))

    lat: list[float] = []
    for _ in range(3):
        for q in queries:
            t0 = time.perf_counter()
            index.search(q["q"], public_only=q["audience"] == "public", limit=10)
            lat.append(time.perf_counter() - t0)
    rows.append((f"search, engine only ({len(lat)} queries) p50 / p95",
                 f"{pct(lat, .5) * 1000:.1f} / {pct(lat, .95) * 1000:.1f} ms"))
    lat = []
    for q in queries:
        for prefix in typed_prefixes(q["q"]):
            t0 = time.perf_counter()
            index.search(prefix, public_only=True, limit=5, as_you_type=True)
            lat.append(time.perf_counter() - t0)
    rows.append((f"suggestion, engine only ({len(lat)} keystrokes) p50 / p95",
                 f"{pct(lat, .5) * 1000:.1f} / {pct(lat, .95) * 1000:.1f} ms"))
    index.close()


def route(rows: list[tuple[str, str]]) -> None:
    """The suggestions route in-process under moto, as bench/run.py runs the app."""
    from moto import mock_aws

    from tests.support import create_pool, create_resources

    mock = mock_aws()
    mock.start()
    try:
        create_pool()
        create_resources()
        import app as app_module
        from chalice.test import Client

        from chalicelib.helpdesk import kb_index
        from chalicelib.helpdesk.models import Article, article_key
        from tests.desks import make_desk
        from tests.mocked import Caller, sign_up

        docs, queries = corpus()
        with Client(app_module.app) as client, contextlib.redirect_stdout(io.StringIO()):
            desk = make_desk(client, sign_up(client, "alice"), sign_up(client, "bob"))
            with Article.batch_write() as batch:
                for d in docs:
                    aid = str(uuid.uuid5(uuid.NAMESPACE_URL, d.id))
                    batch.save(Article(*article_key(desk.oid, aid), id=aid, org_id=desk.oid, title=d.title,
                                       body=d.text, visibility=d.visibility, status="published", category=d.category,
                                       tags=list(d.tags), author_sub=desk.agent.sub, version=1,
                                       created_at=d.updated_at, updated_at=d.updated_at))
            t0 = time.perf_counter()
            n = kb_index.rebuild(desk.oid)
            rows.append((f"stream rebuild of the desk's index ({n} articles: Query, build, PutObject)",
                         f"{time.perf_counter() - t0:.2f} s"))
            anon = Caller(client, None, "")
            paths = [f"/desks/{desk.handle}/suggestions?subject={p.replace(' ', '+')}"
                     for q in queries if q["audience"] == "public" for p in typed_prefixes(q["q"])]
            for label, recheck in (("index re-checked on S3 every request", 0.0),
                                   (f"as deployed (re-checked every {kb_index.RECHECK_SECONDS:g} s)",
                                    kb_index.RECHECK_SECONDS)):
                kb_index.RECHECK_SECONDS = recheck
                kb_index.forget_indexes()
                t0 = time.perf_counter()
                status, _ = anon.get(paths[0])
                first = time.perf_counter() - t0
                assert status == 200
                lat = []
                for p in paths:
                    t0 = time.perf_counter()
                    status, _ = anon.get(p)
                    lat.append(time.perf_counter() - t0)
                    assert status == 200
                rows.append((f"GET suggestions, {label} ({len(lat)} keystrokes) p50 / p95",
                             f"{pct(lat, .5) * 1000:.1f} / {pct(lat, .95) * 1000:.1f} ms"))
                rows.append((f"  first request of a container (fetch + open the index), {label}",
                             f"{first * 1000:.0f} ms"))
    finally:
        mock.stop()


def main() -> None:
    # the tests' environment and Cognito pool ids, set before anything reads the settings
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    import tests.conftest  # noqa: F401

    rows: list[tuple[str, str]] = []
    engine(rows)
    route(rows)
    width = max(len(r[0]) for r in rows)
    print(f"{'measure'.ljust(width)} | value")
    print(f"{'-' * width}-|------")
    for name, value in rows:
        print(f"{name.ljust(width)} | {value}")


if __name__ == "__main__":
    main()
