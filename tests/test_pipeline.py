"""The pipeline loop: order with workers, corpus stages, streaming with flat memory, failures."""

from __future__ import annotations

import itertools
import os

import pytest
from realtext import records, seed_texts
from teststages import DropLines, ExactRepeats, Explode

from corpusclean.document import Document
from corpusclean.pipeline import CHUNK_ITEMS, Pipeline
from corpusclean.stages.min_length import MinLength
from corpusclean.stages.whitespace import Whitespace


def real_docs(count: int, *, seed: int = 0) -> list[Document]:
    return [Document(id=r["id"], text=r["text"], fields={"url": r["url"]}) for r in records(count, seed=seed)]


def test_two_workers_give_the_same_documents_in_the_same_order():
    pipe = Pipeline([DropLines(markers=["AEJ毕节网", "。"]), Whitespace(), MinLength(min_cjk=20)])
    one = list(pipe.run(real_docs(1500), workers=1))
    two = list(pipe.run(real_docs(1500), workers=2))
    assert one == two
    assert [d.id for d in two] == [d.id for d in real_docs(1500)]
    assert any(d.rejected for d in two) and any(d.removals for d in two) and any(not d.rejected for d in two)


def test_corpus_stage_sees_every_document_in_order_after_prepare_in_workers():
    repeats = ExactRepeats()
    pipe = Pipeline([Whitespace(), MinLength(min_chars=1), repeats])
    seeds = list(seed_texts().values())
    docs = [Document(id=f"{n}", text=seeds[n % len(seeds)]) for n in range(600)]
    docs[10].text = " \n "  # rejected before the corpus stage, still passed through it
    out = list(pipe.run(docs, workers=2))
    assert repeats.seen_ids == [d.id for d in out] == [str(n) for n in range(600)]
    assert out[10].rejected.stage == "min_length"
    kept = [d for d in out if d.rejected is None]
    assert [d.id for d in kept] == [str(n) for n in range(len(seeds))]  # the first of each seed
    assert {d.rejected.rule for d in out if d.rejected and d.rejected.stage == repeats.name} == {"repeat"}
    assert {d.scratch["prepared_in"] for d in out if "prepared_in" in d.scratch} - {os.getpid()}


def test_per_document_stage_after_a_corpus_stage_is_refused():
    with pytest.raises(ValueError, match="'whitespace' comes after corpus stage 'test_exact_repeats'"):
        Pipeline([ExactRepeats(), Whitespace()])


@pytest.mark.parametrize("workers", [1, 2])
def test_streaming_reads_only_a_bounded_window_ahead(workers):
    """Memory stays flat: the pipeline pulls at most a few chunks per worker ahead of what it yields."""
    pulled = 0
    sentences = [r["text"] for r in records(50) if r["text"].strip()]

    def endless():
        nonlocal pulled
        for n in itertools.count():
            pulled += 1
            yield Document(id=str(n), text=sentences[n % len(sentences)])

    stream = Pipeline([Whitespace()]).run(endless(), workers=workers)
    window = (4 * workers + 1) * CHUNK_ITEMS if workers > 1 else CHUNK_ITEMS
    for taken, doc in enumerate(itertools.islice(stream, 3000), 1):
        assert doc.id == str(taken - 1)
        assert pulled <= taken + window
    stream.close()  # stops the workers; an endless input must not keep them running


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_stage_raises_its_own_error(workers):
    pipe = Pipeline([Whitespace(), Explode(at_id="d00900")])
    with pytest.raises(RuntimeError, match="stage failed on d00900"):
        list(pipe.run(real_docs(2000), workers=workers))


def test_a_dying_worker_is_an_error_not_a_hang():
    from concurrent.futures.process import BrokenProcessPool

    with pytest.raises(BrokenProcessPool):
        list(Pipeline([Explode(at_id="d00300", die=True)]).run(real_docs(1000), workers=2))


def test_later_stages_never_see_a_rejected_document():
    pipe = Pipeline([MinLength(min_cjk=10_000), Explode(at_id="d00001")])
    assert list(pipe.run(real_docs(3)))[1].rejected.rule == "min_cjk"


def test_workers_must_be_positive():
    with pytest.raises(ValueError, match="workers must be >= 1, got 0"):
        list(Pipeline([Whitespace()]).run(real_docs(1), workers=0))


def test_warm_up_builds_the_lazy_tables_workers_would_build():
    """What the fork server imports before forking workers (corpusclean.warmup) loads what stages load on
    first use: the plausibility tables of the mojibake repair and the language model."""
    from corpusclean import warmup
    from corpusclean.text import language_id, plausibility

    language_id._identifier.cache_clear()
    plausibility._char_tables.cache_clear()
    plausibility._word_table.cache_clear()
    warmup.warm()
    assert language_id._identifier.cache_info().currsize == 1
    assert plausibility._char_tables.cache_info().currsize == 1
    assert plausibility._word_table.cache_info().currsize == 1  # no sample reaches them: loaded on purpose
