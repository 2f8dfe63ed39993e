"""One cleaning run from input paths to output files: the glue between readers, pipeline and writers."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from corpusclean.chunk_observer import Stopwatch
from corpusclean.engines.batch import Batch, encode_batch
from corpusclean.engines.deferred import encode_pending, finish
from corpusclean.engines.journal import Journal, fingerprint, journal_path
from corpusclean.io.parse import ParseOptions
from corpusclean.io.readers import STDIN, RawItem, expand_inputs, iter_raw
from corpusclean.io.writers import Sink, open_sink, sweep_partials
from corpusclean.pipeline import CHUNK_ITEMS, Pipeline
from corpusclean.report_detail import Detail
from corpusclean.summary import Summary


class RunAborted(Exception):
    """``--on-error fail`` met an input it could not read; nothing was written."""


@dataclass
class RunConfig:
    """Everything about a run that is not the pipeline itself."""

    inputs: Sequence[str]
    output: str
    rejects: str | None = None
    fmt: str | None = None
    parse: ParseOptions = field(default_factory=ParseOptions)
    workers: int = 1
    on_error: str = "skip"
    shard_size: int | None = None
    progress: bool = False
    resume: bool = False
    output_format: str | None = None  # "jsonl" or "parquet"; None: by the output's extension


def _batches(pipeline: Pipeline, items: Iterator[RawItem], config: RunConfig, *, rejects: bool,
             journal: Journal | None = None) -> Iterator[Batch]:
    encode = functools.partial(encode_batch, rejects=rejects)
    if not pipeline.corpus_stages:
        yield from _journaled(lambda rest: pipeline.map_raw(rest, config.parse, encode, workers=config.workers),
                              items, journal)
        return
    if len(pipeline.corpus_stages) == 1 and hasattr(pipeline.corpus_stages[0], "decider"):
        yield from _decided_batches(pipeline, pipeline.corpus_stages[0], items, config, rejects=rejects,
                                    journal=journal)
        return
    if journal is not None:
        raise ValueError("--resume works with deduplication and per-document stages, not with "
                         f"corpus stages {[s.name for s in pipeline.corpus_stages]}")
    docs = pipeline.run_raw(items, config.parse, workers=config.workers)
    while chunk := list(itertools.islice(docs, CHUNK_ITEMS)):
        yield encode(chunk)


def _journaled(results: Callable[[Iterator[RawItem]], Iterator[Any]], items: Iterator[RawItem],
               journal: Journal | None) -> Iterator[Any]:
    """``results(items)``, one per chunk; with a journal, the chunks an earlier run finished come from the
    journal, their input items are skipped unparsed, and every new result is journalled as it arrives."""
    if journal is None:
        yield from results(items)
        return
    chunks = 0
    for result in journal.done():
        chunks += 1
        yield result
    for _ in itertools.islice(items, chunks * CHUNK_ITEMS):  # chunks are CHUNK_ITEMS items, in input order
        pass
    for result in results(items):
        journal.append(result)
        yield result


def open_journal(pipeline: Pipeline, config: RunConfig) -> Journal:
    """The journal of a ``--resume`` run: beside its output, keyed by everything the results depend on."""
    if STDIN in config.inputs or config.output == STDIN:
        raise ValueError("--resume needs files: standard input cannot be read again, nor stdout rewound")
    errors: list[str] = []
    files = list(expand_inputs(config.inputs, errors))
    for stage in pipeline.corpus_stages:
        index = getattr(stage, "index", None)
        if index and os.path.exists(index):
            files.append(index)  # an index saved by the killed run itself must not be read as an earlier one
    options = {"parse": dataclasses.asdict(config.parse), "fmt": config.fmt, "rejects": config.rejects is not None,
               "chunk": CHUNK_ITEMS, "errors": errors}
    return Journal(journal_path(config.output), fingerprint(files=files, stages=pipeline.describe(),
                                                            options=options))


def _decided_batches(pipeline: Pipeline, stage: Any, items: Iterator[RawItem], config: RunConfig, *,
                     rejects: bool, journal: Journal | None = None) -> Iterator[Batch]:
    """Batches for a pipeline ending in a stage that decides from per-document keys (deduplication): the
    workers encode each document as far as they can (:mod:`corpusclean.engines.deferred`) and pack the keys, this
    process spills the pickled chunks as they come, decides, and finishes each line; documents are never
    unpacked here."""

    encode = functools.partial(encode_pending, stage=stage, rejects=rejects)
    deciding = Stopwatch()  # the decision's time in this process, for an HTML report's stage times
    try:
        decider = stage.decider()
        chunks = _journaled(lambda rest: pipeline.map_raw(rest, config.parse, encode, workers=config.workers,
                                                          corpus=True), items, journal)
        for keys, pending in chunks:
            with deciding:
                decider.add_packed(keys)
                decider.spill.write_pickled(pending)
        with deciding:
            verdicts = decider.verdicts()
        for summary, pending in decider.spill.records():
            with deciding:
                batch = Batch(*finish(stage, summary, pending, verdicts, rejects=rejects))
            yield batch
        decider.finish()
        if pipeline.observe:
            detail = Detail()
            detail.seconds[f"{stage.name} (decide)"] = deciding.cpu
            detail.wall[f"{stage.name} (decide)"] = deciding.wall
            yield Batch(Summary(detail=detail), [], [])
    finally:
        stage.close()


def _progress(batches: Iterator[Batch], enabled: bool) -> Iterator[Batch]:
    if not enabled:
        yield from batches
        return
    from tqdm import tqdm

    with tqdm(unit=" docs", file=sys.stderr, dynamic_ncols=True, mininterval=0.5) as bar:
        for batch in batches:
            yield batch
            bar.update(batch.summary.docs_in)


def clean_files(pipeline: Pipeline, config: RunConfig) -> Summary:
    """Run ``pipeline`` over ``config.inputs``; write kept documents and the rejects, atomically.

    Input errors (a missing file, a truncated ``.gz``) are collected in the summary and the run goes on;
    with ``on_error="fail"`` the first unreadable input or line aborts the run and nothing is written.
    """
    if config.on_error not in ("skip", "fail"):
        raise ValueError(f"on_error must be 'skip' or 'fail', got {config.on_error!r}")
    summary = Summary()
    errors = summary.errors
    items = iter_raw(config.inputs, errors, fmt=config.fmt)
    sinks: list[Sink] = []
    journal = open_journal(pipeline, config) if config.resume else None
    try:
        out = _open_output(config)
        sinks.append(out)
        rejects = open_sink(config.rejects) if config.rejects else None
        if rejects is not None:
            sinks.append(rejects)
        batches = _batches(pipeline, items, config, rejects=rejects is not None, journal=journal)
        for batch in _progress(batches, config.progress):
            summary.update(batch.summary)
            if config.on_error == "fail" and errors:
                raise RunAborted(errors[0])
            out.write_many(batch.output)
            if rejects is not None:
                rejects.write_many(batch.rejects)
        if config.on_error == "fail" and errors:
            raise RunAborted(errors[0])
        for sink in sinks:
            sink.commit()
        if journal is not None:
            journal.remove()
    except BaseException:
        if journal is not None:
            journal.close()  # kept: a run with --resume goes on from it
        for sink in sinks:
            sink.abort()
        raise
    return summary


def _open_output(config: RunConfig) -> Sink:
    """The output sink; Parquet keeps the Parquet inputs' columns with their types."""
    from corpusclean.io.parquet import input_schema, is_parquet_output

    if not is_parquet_output(config.output, config.output_format):
        return open_sink(config.output, shard_size=config.shard_size)
    carried = input_schema(config.inputs, fmt=config.fmt, text_field=config.parse.text_field,
                           id_field=config.parse.id_field)
    return open_sink(config.output, shard_size=config.shard_size, parquet=True, carried=carried)


def sweep_leftovers(pipeline: Pipeline, config: RunConfig) -> list[str]:
    """Remove what killed runs left where this run will write: partial files beside the output and the
    rejects, and the corpus stages' spill folders (only those whose owner process has ended)."""
    removed = []
    for path in (config.output, config.rejects):
        if path:
            removed += sweep_partials(path)
    for stage in pipeline.corpus_stages:
        removed += stage.sweep_leftovers()
    return removed


def run_report(summary: Summary, pipeline: Pipeline, config: RunConfig) -> dict[str, Any]:
    """The JSON report: the summary plus what produced it (stages and library versions)."""
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for package in ("corpusclean", "trafilatura", "datasketch", "opencc-python-reimplemented", "orjson"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return {
        **summary.as_dict(),
        "inputs": list(config.inputs),
        "output": config.output,
        "rejects": config.rejects,
        "stages": pipeline.describe(),
        "versions": versions,
    }
