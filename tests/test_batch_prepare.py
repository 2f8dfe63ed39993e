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


def _document_path(pipeline, inputs, rejects: bool) -> tuple[bytes, bytes, dict]:
    """What clean_files wrote before workers encoded ahead of deduplication: documents through
    Pipeline.run_raw, encoded in this process."""
    from corpusclean.engines.batch import encode_batch
    from corpusclean.io.parse import ParseOptions
    from corpusclean.io.readers import iter_raw

    out, receipts, errors = [], [], []
    docs = list(pipeline.run_raw(iter_raw(inputs, errors), ParseOptions()))
    batch = encode_batch(docs, rejects=rejects)
    out += batch.output
    receipts += batch.rejects
    return b"".join(out), b"".join(receipts), batch.summary.as_dict()


def test_clean_files_with_dedup_writes_what_the_document_path_writes(tmp_path):
    """Worker-encoded lines finished after deduplication are byte-identical to encoding the marked
    documents, for kept, dropped and earlier-rejected documents and records orjson cannot encode."""
    import json

    from corpusclean.engines.local import RunConfig, clean_files

    planted = planted_corpus(duplicated=0.6, max_variants=2, seed=2)[:120]
    rows = [json.dumps({"id": doc.id, "text": doc.text, "url": f"u{n}"}, ensure_ascii=False)
            for n, doc in enumerate(planted)]
    rows[3] = json.dumps({"id": "meta-field", "text": planted[3].text, "meta": "not a dict"}, ensure_ascii=False)
    rows[5] = json.dumps({"id": "big-int", "text": planted[5].text, "n": 2**70}, ensure_ascii=False)
    rows[7] = json.dumps({"id": "old-meta", "text": planted[7].text, "meta": {"dup_count": 9, "site": "x"}})
    rows[9] = '{"id": "surrogate", "text": "' + planted[9].text.replace("\n", "\\n") + '\\ud800"}'
    rows[11] = "not json"
    rows.append(rows[0].replace(planted[0].id, "exact-copy"))
    rows.append(json.dumps({"id": "shadowed", "text": planted[0].text, "source": "crawl-7", "lang": "zh"},
                           ensure_ascii=False))  # dropped, with a field the output line's own 'source' hides
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    pipeline = build_pipeline(default_recipe())
    expected_out, expected_rejects, expected_summary = _document_path(pipeline, [str(source)], True)
    assert b"near_duplicate" in expected_rejects and b"exact_duplicate" in expected_rejects
    assert b'"dup_count":3' in expected_out and b'"id":"big-int"' in expected_out
    assert b'"id":"shadowed"' in expected_rejects and b'"id":"exact-copy"' in expected_rejects
    for workers, rejects in ((1, True), (2, True), (1, False)):
        config = RunConfig(inputs=[str(source)], output=str(tmp_path / f"out{workers}.jsonl"),
                           rejects=str(tmp_path / f"rejects{workers}.jsonl") if rejects else None, workers=workers)
        summary = clean_files(build_pipeline(default_recipe()), config)
        assert (tmp_path / f"out{workers}.jsonl").read_bytes() == expected_out
        if rejects:
            assert (tmp_path / f"rejects{workers}.jsonl").read_bytes() == expected_rejects
        assert summary.as_dict() == expected_summary


def _separately(texts: list[str], **params) -> tuple:
    """What prepare_batch computed before text_signatures: the view, its n-gram hashes, then signatures."""
    from corpusclean.dedup.minhash import signatures
    from corpusclean.dedup.shingles import shingle_hashes_batch, view_codes_batch

    view, offsets = view_codes_batch(texts)
    hashes, starts = shingle_hashes_batch(view, offsets, ngram=params["ngram"], seed=params["seed"])
    sigs, has = signatures(hashes, starts, num_perm=params["num_perm"], seed=params["seed"])
    return view.tolist(), offsets.tolist(), sigs[has].tolist(), has.tolist()


def test_text_signatures_equal_the_separate_batch_functions_on_real_text():
    """The fused pass (scratch arrays, straddling n-grams in a spare bin, empty bins read from the values)
    gives every signature bit for bit, on parts of every size one after another (the arrays are reused)."""
    from corpusclean.dedup.minhash import text_signatures

    texts = sentences()[:400] + [doc.text for doc in planted_corpus(duplicated=0.5, max_variants=2, seed=3)][:200]
    for params in ({"ngram": 5, "num_perm": 128, "seed": 1}, {"ngram": 3, "num_perm": 64, "seed": 7},
                   {"ngram": 5, "num_perm": 100, "seed": 1}, {"ngram": 1, "num_perm": 1, "seed": 2}):
        for first, size in ((0, 600), (0, 1), (5, 40), (100, 300), (3, 9)):
            part = texts[first:first + size] + EDGES
            view, offsets, sigs, has = text_signatures(part, **params)
            assert (view.tolist(), offsets.tolist(), sigs[has].tolist(), has.tolist()) == _separately(part, **params)


def _inverse_fmix64(value: int) -> int:
    """The input fmix64 maps to ``value`` (its steps undone: x ^ x >> 33 is its own inverse)."""
    mask = 2**64 - 1
    value ^= value >> 33
    value = value * pow(0xC4CEB9FE1A85EC53, -1, 2**64) & mask
    value ^= value >> 33
    value = value * pow(0xFF51AFD7ED558CCD, -1, 2**64) & mask
    return value ^ value >> 33


def test_a_shingle_whose_value_is_all_ones_still_fills_its_bin():
    """A bin whose minimum is 0xFFFFFFFF is filled, not empty: the fused pass must not densify it."""
    import numpy as np

    from corpusclean.dedup.minhash import text_signatures
    from corpusclean.dedup.shingles import fmix64

    # A seed that makes the 1-gram "好" hash to low bits 0xFFFFFFFF (bin 5 of 8).
    wanted = (5 << 61) | (0x1234 << 32) | 0xFFFFFFFF
    seed = _inverse_fmix64(wanted) ^ ord("好")
    assert int(fmix64(np.array([ord("好") ^ seed], dtype=np.uint64))[0]) == wanted
    params = {"ngram": 1, "num_perm": 8, "seed": seed}
    texts = ["好", "你好", "今天天气很好", ""]
    view, offsets, sigs, has = text_signatures(texts, **params)
    assert sigs[0].tolist().count(0xFFFFFFFF) == 8  # bin 5 holds the value, the others copied it
    assert (view.tolist(), offsets.tolist(), sigs[has].tolist(), has.tolist()) == _separately(texts, **params)
