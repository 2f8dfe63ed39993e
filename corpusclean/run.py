"""One cleaning run from input paths to output files: the glue between readers, pipeline and writers."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from corpusclean.document import Document
from corpusclean.parse import ParseOptions
from corpusclean.pipeline import Pipeline
from corpusclean.readers import iter_raw
from corpusclean.summary import Summary
from corpusclean.writers import Sink, dumps, open_sink, output_record, reject_records


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


def _progress(docs: Iterator[Document], enabled: bool) -> Iterator[Document]:
    if not enabled:
        yield from docs
        return
    from tqdm import tqdm

    with tqdm(docs, unit=" docs", file=sys.stderr, dynamic_ncols=True, mininterval=0.5) as bar:
        yield from bar


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
    docs = pipeline.run_raw(items, config.parse, workers=config.workers)
    sinks: list[Sink] = []
    try:
        out = open_sink(config.output, shard_size=config.shard_size)
        sinks.append(out)
        rejects = open_sink(config.rejects) if config.rejects else None
        if rejects is not None:
            sinks.append(rejects)
        for doc in _progress(docs, config.progress):
            summary.add(doc)
            if doc.rejected is not None and doc.rejected.stage == "read":
                errors.append(doc.rejected.detail.get("error", doc.source))
            if config.on_error == "fail" and errors:
                raise RunAborted(errors[-1])
            if doc.rejected is None:
                out.write(dumps(output_record(doc)))
            if rejects is not None:
                for record in reject_records(doc):
                    rejects.write(dumps(record))
        if config.on_error == "fail" and errors:
            raise RunAborted(errors[-1])
        for sink in sinks:
            sink.commit()
    except BaseException:
        for sink in sinks:
            sink.abort()
        raise
    return summary


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
