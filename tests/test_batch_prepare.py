"""Workers prepare corpus stages a chunk at a time: the batched path must give exactly what the
one-document path gives, and documents must survive the trip back to the main process unchanged."""

from __future__ import annotations

import pickle

from dedup_corpus import planted_corpus
from hypothesis import given, settings
from hypothesis import strategies as st
from realtext import sentences

from corpusclean.document import Document
from corpusclean.packing import pack, unpack
from corpusclean.pipeline import Pipeline, pack_chunk, unpack_chunk
from corpusclean.recipe import build_pipeline, default_recipe
from corpusclean.stages.dedup import Dedup


def _prepared(stage: Dedup, texts: list[str], *, batched: bool) -> list[tuple[int, bytes | None]]:
    docs = [Document(id=str(n), text=text) for n, text in enumerate(texts)]
    if batched:
        stage.prepare_batch(docs)
    else:
        for doc in docs:
            stage.prepare(doc)
    return [doc.scratch["dedup"] for doc in docs]


# Real articles and planted variants (Traditional, chrome, edits), plus the edges of the batched path:
# empty text, views shorter than an n-gram, punctuation-only text, astral characters (emoji, CJK ext. B).
EDGES = ["", "好", "你好", "今天天气", "今天天气好", "，。！？…… ——", "𠀀𠀁今天天气很好😀，明天𠀀𠀁也好",
         "ＡＢＣ１２３ 新闻", "a\ud800b 孤立代理项"]


def test_dedup_prepare_batch_equals_prepare_on_real_text():
    texts = [doc.text for doc in planted_corpus(duplicated=0.5, max_variants=2, seed=3)][:300] + EDGES
    for params in ({}, {"num_perm": 64, "ngram": 3, "seed": 7, "bands": 16},
                   {"num_perm": 100, "ngram": 5, "bands": 20}):
        stage = Dedup(**params)
        assert _prepared(stage, texts, batched=True) == _prepared(stage, texts, batched=False)


def test_dedup_prepare_batch_splits_long_chunks(monkeypatch):
    import corpusclean.stages.dedup as dedup_module

    texts = sentences()[:200] + EDGES
    expected = _prepared(Dedup(), texts, batched=False)
    monkeypatch.setattr(dedup_module, "_BATCH_CHARS", 50)  # many parts, and documents longer than a part
    assert _prepared(Dedup(), texts, batched=True) == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("今天天氣气很好，。 ＡBｃ1２😀𠀀\n"), max_size=30), max_size=12))
def test_dedup_prepare_batch_equals_prepare_hypothesis(texts):
    stage = Dedup(num_perm=32, ngram=3, bands=8)
    assert _prepared(stage, texts, batched=True) == _prepared(stage, texts, batched=False)


def test_process_batch_equals_process_on_default_recipe():
    pipeline = build_pipeline(default_recipe())
    texts = [doc.text for doc in planted_corpus(duplicated=0.3, max_variants=1, seed=11)][:60] + EDGES

    def make() -> list[Document]:
        return [Document(id=str(n), text=text, fields={"url": f"u{n}"}) for n, text in enumerate(texts)]

    one = [pipeline.process(doc) for doc in make()]
    batch = pipeline.process_batch(make())
    assert [pack(doc)[:-1] for doc in batch] == [pack(doc)[:-1] for doc in one]  # all but scratch
    assert [doc.scratch.get("dedup") for doc in batch] == [doc.scratch.get("dedup") for doc in one]
    assert any(doc.rejected for doc in one) and any(doc.removals for doc in one)


def test_packed_chunk_round_trip_keeps_every_field():
    pipeline = Pipeline([*build_pipeline(default_recipe()).stages])
    docs = pipeline.process_batch([Document(id=str(n), text=text, source=f"in.jsonl:{n}", meta={"k": n},
                                            fields={"url": f"u{n}"}) for n, text in enumerate(sentences()[:40])])
    docs[0].reject("demo", "rule", value=1.5, threshold=1.0, duplicate_of="x")
    docs[1].record_removal("demo", "line_rule", "广告", kind="span", line=3)
    back = unpack_chunk(pickle.loads(pickle.dumps(pack_chunk(docs))))
    assert [unpack(pack(doc)) for doc in docs] == docs
    assert [(d.id, d.text, d.source, d.meta, d.fields, d.removals, d.rejected, d.chars_in) for d in back] == \
        [(d.id, d.text, d.source, d.meta, d.fields, d.removals, d.rejected, d.chars_in) for d in docs]
    assert [d.scratch.get("dedup") for d in back] == [d.scratch.get("dedup") for d in docs]
