"""An ordered list of stages, and the loop that streams documents through them on one or more cores."""

from __future__ import annotations

import dataclasses
import itertools
import multiprocessing
import os
import select
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from corpusclean.budget import Budget, DocumentTimeout
from corpusclean.chunk_observer import ChunkObserver, Stopwatch
from corpusclean.document import Document
from corpusclean.io.leftovers import alive
from corpusclean.io.parse import ParseOptions, parse_item
from corpusclean.io.readers import RawItem
from corpusclean.packing import pack, unpack
from corpusclean.report_detail import chunk_detail
from corpusclean.stage import CorpusStage, Stage

# CPU seconds one stage may spend on one document before the document is rejected as '<stage>/timeout'.
DEFAULT_TIME_BUDGET = 5.0
# Items per task sent to a worker: large enough that inter-process overhead is small next to the work,
# small enough that memory stays flat and the progress bar moves.
CHUNK_ITEMS = 256

# Workers start from a clean fork server, not a fork of this process: native libraries that run thread
# pools (opencc-pyo3's Rust pool) hang in a child forked after they were used in the parent.
_CONTEXT = multiprocessing.get_context("forkserver")
# The fork server imports the stages and builds their lazy tables once (corpusclean.warmup), and every
# worker forked from it starts with them (imports and tables cost each worker ~1 s of CPU otherwise).
_CONTEXT.set_forkserver_preload(["corpusclean.stages", "corpusclean.warmup"])


def start_worker_server() -> None:
    """Start the fork server now, without waiting for it: it imports the stages and builds their tables
    (about a second) while this process is still reading its recipe and building its pipeline, instead of
    after, when the first chunk is ready for a worker."""
    from multiprocessing import forkserver

    forkserver.ensure_running()


class Pipeline:
    """Stages in order. Per-document stages come first, then corpus stages (deduplication), which need
    every document's per-document result before they can decide.

    >>> from corpusclean.stages.whitespace import Whitespace
    >>> from corpusclean.stages.min_length import MinLength
    >>> pipe = Pipeline([Whitespace(), MinLength(min_cjk=2)])
    >>> pipe.clean("  你好  \\n\\n\\n\\n世界  ").text
    '  你好\\n\\n世界'
    >>> pipe.clean("ok").rejected.rule
    'min_cjk'
    """

    def __init__(self, stages: Sequence[Stage], *, time_budget: float | None = DEFAULT_TIME_BUDGET) -> None:
        self.stages = list(stages)
        self.time_budget = Budget(time_budget).seconds  # validated here, armed per chunk
        first_corpus = next((i for i, s in enumerate(self.stages) if isinstance(s, CorpusStage)), len(self.stages))
        for stage in self.stages[first_corpus:]:
            if not isinstance(stage, CorpusStage):
                raise ValueError(
                    f"stage {stage.name!r} comes after corpus stage {self.stages[first_corpus].name!r}: "
                    "per-document stages must come before deduplication"
                )
        self.corpus_stages: list[CorpusStage] = [s for s in self.stages if isinstance(s, CorpusStage)]
        # Watch every chunk for the HTML run report (corpusclean.report_detail): off unless a report asks.
        self.observe = False

    @property
    def names(self) -> list[str]:
        return [stage.name for stage in self.stages]

    def describe(self) -> list[dict[str, Any]]:
        return [stage.describe() for stage in self.stages]

    def process(self, doc: Document) -> Document:
        """Run every per-document step (and each corpus stage's ``prepare``) on ``doc``, in order."""
        with Budget(self.time_budget) as budget:
            for stage in self.stages:
                if doc.rejected is not None:
                    break
                _process_within(budget, stage, doc)
        return doc

    def process_batch(self, docs: list[Document]) -> list[Document]:
        """:meth:`process` for a chunk, with the same results: per-document stages one stage at a time over
        the chunk's documents not rejected yet, then each corpus stage's ``prepare_batch`` over the chunk's
        documents not rejected (what a worker runs: deduplication signatures vectorise across documents).

        Stage by stage rather than document by document: a stage's code and lookup tables (class tables,
        regular expressions, automata) stay in the CPU caches for the whole chunk instead of being evicted
        by the other stages' at every document (built-in recipe, 10 MB: per-document stages ~1.35x faster).

        With :attr:`observe` set, a :class:`~corpusclean.chunk_observer.ChunkObserver` times each stage over the
        chunk and takes its examples and measured values; it leaves the documents as they would be without."""
        corpus = [stage for stage in self.stages if isinstance(stage, CorpusStage)]
        per_document = [stage for stage in self.stages if not isinstance(stage, CorpusStage)]
        observer = ChunkObserver() if self.observe else None
        with Budget(self.time_budget) as budget:
            for stage in per_document:
                if observer is not None:
                    observer.start(stage, docs)
                if getattr(stage, "process_batch", None) is not None:
                    _batch_within(budget, stage, [doc for doc in docs if doc.rejected is None])
                else:
                    for doc in docs:
                        if doc.rejected is None:
                            _process_within(budget, stage, doc)
                if observer is not None:
                    observer.stop(stage, budget)
        for stage in corpus:
            if observer is not None:
                observer.start(stage, docs)
            stage.prepare_batch([doc for doc in docs if doc.rejected is None])
            if observer is not None:
                observer.stop(stage)
        if observer is not None:
            observer.attach(docs)
        return docs

    def clean(self, text: str, *, id: str = "text") -> Document:
        """Clean one string; the result's ``text`` is the cleaned text and ``rejected`` says if it was dropped.
        Corpus stages see a corpus of one document."""
        return next(self.run([Document(id=id, text=text)]))

    def clean_record(self, record: dict[str, Any], *, text_field: str = "text") -> dict[str, Any]:
        """Clean one record dict (e.g. in ``datasets.map``): returns a copy with the text cleaned and a
        ``corpusclean`` field saying whether it was rejected and what was removed. No corpus stages."""
        doc = self.process(Document(id=str(record.get("id", "")), text=_record_text(record, text_field, 0)))
        out = dict(record)
        out[text_field] = doc.text
        out["corpusclean"] = {
            "rejected": doc.rejected.as_dict() if doc.rejected else None,
            "removed": [r.as_dict() for r in doc.removals],
            "meta": doc.meta,
        }
        return out

    def clean_records(self, records: Iterable[dict[str, Any]], *, text_field: str = "text",
                      id_field: str = "id") -> Iterator[dict[str, Any]]:
        """Clean an iterable of dicts, deduplicating across them; yields the kept records with the text
        cleaned and corpusclean's findings under ``meta``."""
        from corpusclean.io.writers import output_record

        def docs() -> Iterator[Document]:
            for n, record in enumerate(records):
                text = _record_text(record, text_field, n)
                fields = dict(record)
                del fields[text_field]
                doc_id = fields.pop(id_field, n)
                yield Document(id=str(doc_id), text=text, source=f"record:{n}", fields=fields)

        for doc in self.run(docs()):
            if doc.rejected is None:
                yield output_record(doc)

    def run(self, docs: Iterable[Document], *, workers: int = 1) -> Iterator[Document]:
        """Every document, processed, in input order; rejected ones included (marked)."""
        processed = _parallel_map(_process_docs, self, docs, workers, packed=True)
        yield from self._corpus(processed)

    def parse_options(self, options: ParseOptions) -> ParseOptions:
        """``options`` as this pipeline needs them: with the DOM evidence of HTML pages when a stage reads it."""
        if not options.html_evidence and any(stage.reads_dom_evidence for stage in self.stages):
            return dataclasses.replace(options, html_evidence=True)
        return options

    def run_raw(self, items: Iterable[RawItem], options: ParseOptions, *, workers: int = 1) -> Iterator[Document]:
        """Parse raw input items and process them; parsing runs in the workers too."""
        options = self.parse_options(options)
        processed = _parallel_map(_parse_and_process, (self, options), items, workers, packed=True)
        yield from self._corpus(processed)

    def map_raw(self, items: Iterable[RawItem], options: ParseOptions, encode: Callable[[list[Document]], Any], *,
                workers: int = 1, corpus: bool = False) -> Iterator[Any]:
        """Parse and process raw items, and hand each chunk of documents to ``encode`` in the process that
        made them, yielding what it returns in input order. A writer encodes to JSONL bytes there: bytes
        cost far less to send between processes than documents. Per-document stages only (corpus stages
        need every document in this process; use :meth:`run_raw`), unless ``corpus``: then the corpus
        stages' ``prepare`` runs too, and the caller decides over what ``encode`` returns."""
        if self.corpus_stages and not corpus:
            raise ValueError("map_raw runs per-document stages only; this pipeline has corpus stages")
        options = self.parse_options(options)
        return _parallel_map(_parse_process_encode, (self, options, encode), items, workers)

    def _corpus(self, docs: Iterator[Document]) -> Iterator[Document]:
        for stage in self.corpus_stages:
            docs = stage.run(docs)
        try:
            yield from docs
        finally:
            for stage in self.corpus_stages:
                stage.close()


def _record_text(record: dict[str, Any], text_field: str, number: int) -> str:
    """The text of a record given to the library API; a ``ValueError`` naming the record if there is none."""
    if not isinstance(record, dict):
        raise ValueError(f"record {number} is a {type(record).__name__}, not a dict")
    text = record.get(text_field)
    if not isinstance(text, str):
        found = "no" if text_field not in record else f"a {type(text).__name__} in its"
        raise ValueError(f"record {number} (id {record.get('id')!r}) has {found} {text_field!r} field, not text")
    return text


def _process_within(budget: Budget, stage: Stage, doc: Document) -> None:
    """``stage.process(doc)``, or, past the budget, ``doc`` rejected as ``<stage>/timeout`` as it was before
    the stage started on it: a stage stopped half-way may have changed the text without leaving its
    receipts, and the rejects must let the document be recovered."""
    budget.step()
    text, removed = doc.text, len(doc.removals)
    try:
        stage.process(doc)
    except DocumentTimeout:
        doc.text = text
        del doc.removals[removed:]
        doc.reject(stage.name, "timeout", threshold=budget.seconds)


def _batch_within(budget: Budget, stage: Stage, docs: list[Document]) -> None:
    """``stage.process_batch(docs)`` (a stage whose work vectorises across documents: numpy's fixed cost
    per call paid once per chunk) with the budget of one document for the whole call; past it, the documents
    not rejected yet go through ``stage.process`` one at a time, each with its own budget, so the one that
    runs away is the one rejected as ``<stage>/timeout``. A stage with ``process_batch`` must leave every
    document as ``process`` would, and only measure before it marks any document (a filter), so that
    finishing its work one document at a time after a stop gives the same result."""
    budget.step()
    try:
        stage.process_batch(docs)  # type: ignore[attr-defined]
    except DocumentTimeout:
        for doc in docs:
            if doc.rejected is None:
                _process_within(budget, stage, doc)


def _process_docs(pipeline: Pipeline, chunk: list[Document]) -> list[Document]:
    return pipeline.process_batch(chunk)


def _parse_and_process(state: tuple[Pipeline, ParseOptions], chunk: list[RawItem]) -> list[Document]:
    pipeline, options = state
    if not pipeline.observe:
        return pipeline.process_batch([parse_item(item, options) for item in chunk])
    with Stopwatch() as reading:
        docs = [parse_item(item, options) for item in chunk]
    detail = chunk_detail(pipeline.process_batch(docs))
    if detail is not None:
        detail.seconds["read"] += reading.cpu
        detail.wall["read"] += reading.wall
    return docs


def _parse_process_encode(state: tuple[Pipeline, ParseOptions, Callable[[list[Document]], Any]],
                          chunk: list[RawItem]) -> list[Any]:
    pipeline, options, encode = state
    return [encode(_parse_and_process((pipeline, options), chunk))]


_worker_state: Any = None


def _init_worker(state: Any, main_pid: int) -> None:
    global _worker_state
    # Ctrl-C goes to the whole process group: the main process handles it (stops the pool, removes partial
    # output); workers ignore it rather than each printing a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_when_gone(main_pid)
    _worker_state = state


def _exit_when_gone(pid: int) -> None:
    """End this worker as soon as process ``pid`` (the main process) ends, however it ends.

    A SIGKILL of the main process (the OOM killer, a batch scheduler) runs none of its clean-up. Workers are
    children of the fork server, not of the main process, so PR_SET_PDEATHSIG cannot tie them to it; and
    each worker holds the fork server's "alive" pipe open, so the fork server waits for them for ever. A
    thread waiting on a pidfd of the main process ends the worker; then the fork server sees its pipe
    close and ends too. Where pidfds are missing (kernels before 5.3), the thread polls twice a second.
    """
    try:
        handle: int | None = os.pidfd_open(pid)
    except (AttributeError, OSError):
        handle = None

    def watch() -> None:
        if handle is not None:
            select.select([handle], [], [])
        else:
            while alive(pid):
                time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="corpusclean-main-watch", daemon=True).start()


def _worker_call(func: Any, chunk: list[Any]) -> list[Any]:
    return func(_worker_state, chunk)


def _worker_call_packed(func: Any, chunk: list[Any]) -> list[tuple[Any, ...]]:
    return pack_chunk(func(_worker_state, chunk))


def pack_chunk(docs: list[Document]) -> list[tuple[Any, ...]]:
    """What a worker sends back for a chunk of documents: tuples of built-ins, which pickle and unpickle
    in C (pickling the slotted documents themselves cost ~70 us per document, most of it in the main
    process, which all workers share)."""
    return [pack(doc) for doc in docs]


def unpack_chunk(rows: list[tuple[Any, ...]]) -> list[Document]:
    return [unpack(row) for row in rows]


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _parallel_map(func: Any, state: Any, items: Iterable[Any], workers: int, *,
                  packed: bool = False) -> Iterator[Any]:
    """``func(state, chunk)`` over chunks of ``items``, results flattened in input order.

    With one worker everything runs in this process (no pickling). With more, a pool of processes gets
    the state once at start-up (``packed``: ``func`` returns documents, which travel back as
    :func:`pack_chunk` tuples); at most ``4 * workers`` chunks are in flight (``Pool.imap`` would read
    the whole input ahead), and results are taken in submission order, so output is deterministic and
    memory stays flat. ``ProcessPoolExecutor`` rather than ``multiprocessing.Pool``: ``Pool.terminate``
    can deadlock when a stage fails while tasks are queued, and a worker that dies (a crash in a C
    extension, the OOM killer) makes ``Pool`` wait forever, where the executor raises ``BrokenProcessPool``.
    """
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    if workers == 1:
        for chunk in _chunks(items, CHUNK_ITEMS):
            yield from func(state, chunk)
        return
    executor = ProcessPoolExecutor(workers, mp_context=_CONTEXT, initializer=_init_worker,
                                   initargs=(state, os.getpid()))
    pending: deque[Future[list[Any]]] = deque()
    call, receive = (_worker_call_packed, unpack_chunk) if packed else (_worker_call, list)
    try:
        for chunk in _chunks(items, CHUNK_ITEMS):
            pending.append(executor.submit(call, func, chunk))
            if len(pending) >= 4 * workers:
                yield from receive(pending.popleft().result())
        while pending:
            yield from receive(pending.popleft().result())
    finally:
        # Queued chunks are dropped; the few already running finish (a chunk is small) and workers exit.
        executor.shutdown(wait=True, cancel_futures=True)
