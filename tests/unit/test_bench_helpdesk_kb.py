"""bench/helpdesk_kb.py's pure parts: the 1,000-article corpus, what a customer types, percentiles."""
from __future__ import annotations

import importlib.util
import pathlib
import sys

_path = pathlib.Path(__file__).resolve().parents[2] / "bench" / "helpdesk_kb.py"
_spec = importlib.util.spec_from_file_location("bench_helpdesk_kb", _path)
bench = sys.modules.setdefault("bench_helpdesk_kb", importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(bench)


def test_the_corpus_is_the_labelled_articles_then_generated_ones_to_a_thousand():
    docs, queries = bench.corpus()
    ids = [d.id for d in docs]
    assert len(ids) == bench.TARGET_ARTICLES == len(set(ids))
    labelled = [d for d in docs if not d.id.startswith("gen-")]
    assert ids[:len(labelled)] == [d.id for d in labelled] and len(queries) >= 50
    assert {d.visibility for d in docs} == {"public", "internal"}
    assert bench.corpus()[0] == docs  # deterministic


def test_typing_yields_every_prefix_from_the_third_character():
    assert bench.typed_prefixes("where") == ["whe", "wher", "where"]
    assert bench.typed_prefixes("ab") == []


def test_percentiles_pick_the_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert bench.pct(values, 0.5) == 51.0 and bench.pct(values, 0.95) == 95.0 and bench.pct([3.0], 0.95) == 3.0
