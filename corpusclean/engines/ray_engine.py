"""The Ray engine: the same recipe, the same stage objects and the same output as
:func:`corpusclean.engines.local.clean_files`, spread over a Ray cluster with Ray Data.

Nothing about cleaning is written twice. Files are listed on the driver exactly as locally
(:func:`corpusclean.io.readers.expand_inputs`); a dataset of file paths is read by
:func:`corpusclean.io.readers.read_items` in Ray tasks (same decompression, same truncation errors); each
batch of raw items is parsed by :func:`corpusclean.io.parse.parse_item` and run through
:meth:`corpusclean.pipeline.Pipeline.process` in a pool of actors that each hold the pipeline built from
the recipe, so the dedup stage's ``prepare`` computes its signatures there too. Deduplication is decided by
shuffles (:mod:`corpusclean.engines.ray_dedup`). Records are written with :func:`corpusclean.io.writers.output_record`
and :func:`corpusclean.io.writers.reject_records` into a hidden staging directory and moved into place only
when the whole run succeeded.

Every document has an ``order``: the index of its file in the sorted input list in the high 32 bits and
its index in the file in the low ones, so "earliest in input order" is the same document as locally, and
output shards hold documents in input order: shard ``k`` of a run holds what is kept of input documents
``k * shard_size`` to ``(k + 1) * shard_size - 1`` (empty shards are skipped, the rest numbered in order),
so the same input gives byte-identical shards whatever the cluster.

Inputs and outputs may be local paths (on a multi-node cluster: on a file system every node mounts) or
URIs that ``pyarrow.fs`` opens (``s3://``, ``gs://``, ``abfs://``, ``hdfs://``).
"""

from __future__ import annotations

import contextlib
import fnmatch
import glob
import logging
import os
import pickle
import shutil
import tempfile
import uuid
from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any

import numpy as np
import orjson

from corpusclean.document import Document
from corpusclean.engines.local import RunAborted, RunConfig
from corpusclean.io.parse import ParseOptions, parse_item
from corpusclean.io.readers import STDIN, InputError, RawItem, detect_format, expand_inputs, read_items
from corpusclean.io.writers import AtomicFile, StdoutSink, dumps, output_record, reject_records
from corpusclean.pipeline import Pipeline
from corpusclean.summary import Summary

INSTALL_HINT = "the ray engine needs Ray: pip install 'corpusclean[ray]'"
# Raw items per batch handed to a processing actor (as the local engine's CHUNK_ITEMS).
BATCH_ITEMS = 256
# Input documents per output shard when the run does not set a shard size (each is written by one task).
SEGMENT_DOCS = 20_000
# At most this many blocks of file names (each block's files are read one after another by one task).
READ_BLOCKS = 1024
PARTITION_BYTES = 256 << 20
_LOW32 = 0xFFFFFFFF
_DEDUP_SCRATCH = "dedup"  # corpusclean.stages.dedup keeps (exact hash, signature bytes) under this key


class RayMissing(ImportError):
    """Ray is not installed; the message says how to install it."""


def require_ray() -> Any:
    """The ``ray`` module, or :class:`RayMissing` naming the extra to install."""
    try:
        import ray
        import ray.data
    except ImportError:
        raise RayMissing(INSTALL_HINT) from None
    return ray


def _is_uri(path: str) -> bool:
    return "://" in path


def _filesystem(path: str) -> tuple[Any, str]:
    """``(pyarrow filesystem, path inside it)`` for a local path or a URI."""
    import pyarrow.fs

    if _is_uri(path):
        return pyarrow.fs.FileSystem.from_uri(path)
    return pyarrow.fs.LocalFileSystem(), os.path.abspath(path)


# --- inputs -----------------------------------------------------------------------------------------------


def expand_uris(spec: str, errors: list[str]) -> list[str]:
    """Files named by a URI: the object itself, every object under a prefix, or those matching a glob; sorted."""
    import pyarrow.fs

    fs, path = pyarrow.fs.FileSystem.from_uri(spec)
    scheme = spec.split("://", 1)[0]
    pattern = None
    if glob.has_magic(path):
        pattern, path = path, path[:min(path.find(c) for c in "*?[" if c in path)].rsplit("/", 1)[0]
    info = fs.get_file_info(path)
    if info.type == pyarrow.fs.FileType.File and pattern is None:
        return [spec]
    if info.type != pyarrow.fs.FileType.Directory:
        errors.append(f"{spec}: no such file or directory")
        return []
    found = sorted(i.path for i in fs.get_file_info(pyarrow.fs.FileSelector(path, recursive=True))
                   if i.type == pyarrow.fs.FileType.File and not i.base_name.startswith("."))
    if pattern is not None:
        found = [p for p in found if fnmatch.fnmatchcase(p, pattern)]
    if not found:
        errors.append(f"{spec}: {'pattern matches no files' if pattern else 'directory holds no files'}")
    return [f"{scheme}://{p}" for p in found]


def list_inputs(inputs: Sequence[str], errors: list[str]) -> list[str]:
    """Input files in the order the local engine reads them (local paths exactly as it expands them)."""
    files: list[str] = []
    for spec in inputs:
        if spec == STDIN:
            raise InputError("the ray engine cannot read standard input; name files, directories or URIs")
        files += expand_uris(spec, errors) if _is_uri(spec) else list(expand_inputs([spec], errors))
    return files


@contextlib.contextmanager
def _local_copy(name: str, path: str) -> Iterator[str]:
    """A local path to read ``name`` from: the file itself, or a temporary copy of an object (named like
    the object, so the extension still picks the format and decompression)."""
    if not _is_uri(name):
        yield path
        return
    fs, inner = _filesystem(name)
    tmp = tempfile.mkdtemp(prefix="corpusclean-ray-input-")
    local = os.path.join(tmp, os.path.basename(inner))
    try:
        with fs.open_input_stream(inner) as source, open(local, "wb") as target:
            shutil.copyfileobj(source, target, 1 << 20)
        yield local
    except OSError as exc:
        # Like the local reader: an object that cannot be fetched is an input error, not a crash.
        raise _Unreadable(f"{name}: cannot open: {exc}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class _Unreadable(Exception):
    pass


def read_files(batch: dict[str, np.ndarray]) -> Iterator[dict[str, np.ndarray]]:
    """Raw items of each file in the batch, as rows; read errors become rows with ``error`` set (after the
    file's items, as locally a truncated file yields its complete items first)."""
    rows: list[tuple[int, str, int, bytes, str, str, str]] = []
    for index, name, path, fmt in zip(batch["file_index"], batch["name"], batch["path"], batch["fmt"],
                                      strict=True):
        errors: list[str] = []
        number = 0
        try:
            with _local_copy(str(name), str(path)) as local:
                for number, item in enumerate(read_items(local, str(fmt), errors)):
                    extra = orjson.dumps(item.extra).decode() if item.extra else ""
                    line = -1 if item.line is None else item.line
                    rows.append((int(index) << 32 | number, str(name), line, item.data, item.fmt, extra, ""))
                    if len(rows) >= BATCH_ITEMS:
                        yield _raw_batch(rows)
                        rows = []
                errors = [error.replace(local, str(name)) for error in errors]
        except _Unreadable as exc:
            errors.append(str(exc))
        for offset, error in enumerate(errors, number + 1):
            rows.append((int(index) << 32 | offset, str(name), -1, b"", "", "", error))
    if rows:
        yield _raw_batch(rows)


def _raw_batch(rows: list[tuple[int, str, int, bytes, str, str, str]]) -> dict[str, np.ndarray]:
    order, source, line, data, fmt, extra, error = zip(*rows, strict=True)
    return {"order": np.array(order, dtype=np.int64), "source": np.array(source, dtype=object),
            "line": np.array(line, dtype=np.int64), "data": np.array(data, dtype=object),
            "fmt": np.array(fmt, dtype=object), "extra": np.array(extra, dtype=object),
            "error": np.array(error, dtype=object)}


# --- per-document stages ----------------------------------------------------------------------------------


class ProcessItems:
    """A Ray actor's callable: parse raw items and run the pipeline's per-document stages on them."""

    def __init__(self, pipeline: Pipeline, options: ParseOptions) -> None:
        self.pipeline = pipeline
        self.options = pipeline.parse_options(options)

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        size = len(batch["order"])
        payload = np.array([b""] * size, dtype=object)
        ids = np.array([""] * size, dtype=object)
        sigs = np.array([b""] * size, dtype=object)
        alive = np.zeros(size, dtype=bool)
        exact = np.zeros(size, dtype=np.uint64)
        length = np.zeros(size, dtype=np.int64)
        rows = [i for i in range(size) if not batch["error"][i]]
        docs = []
        for i in rows:
            extra = orjson.loads(batch["extra"][i]) if batch["extra"][i] else {}
            line = int(batch["line"][i])
            item = RawItem(str(batch["source"][i]), None if line < 0 else line, batch["data"][i],
                           str(batch["fmt"][i]), extra)
            docs.append(parse_item(item, self.options))
        # What the local engine's workers run on a chunk: per-document stages, then the corpus stages'
        # batch preparation (dedup signatures) where the pipeline has it.
        process_batch = getattr(self.pipeline, "process_batch", None)
        docs = process_batch(docs) if process_batch is not None else [self.pipeline.process(d) for d in docs]
        for i, doc in zip(rows, docs, strict=True):
            dedup = doc.scratch.pop(_DEDUP_SCRATCH, None)
            if doc.rejected is None:
                alive[i] = True
                ids[i], length[i] = doc.id, len(doc.text)
                if dedup is not None:
                    exact[i] = dedup[0]
                    sigs[i] = dedup[1] or b""
            payload[i] = pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)
        return {"order": batch["order"], "error": batch["error"], "payload": payload, "alive": alive,
                "id": ids, "exact": exact.view(np.int64), "sig": sigs, "length": length}


# --- output -----------------------------------------------------------------------------------------------


def _segment_rows(batch: dict[str, np.ndarray], *, offsets: np.ndarray, segment_docs: int,
                  decisions: bool) -> dict[str, np.ndarray]:
    order = batch["order"]
    position = offsets[order >> 32] + (order & _LOW32)
    size = len(order)
    empty = np.array([b""] * size, dtype=object)
    return {"segment": position // segment_docs, "order": order,
            "payload": empty if decisions else batch["payload"],
            "exact": np.zeros(size, dtype=np.int64) if decisions else batch["exact"],
            "error": np.array([""] * size, dtype=object) if decisions else batch["error"],
            "decision": batch["decision"] if decisions else empty}


def write_segment(group: dict[str, np.ndarray], *, out_staging: str, rejects_staging: str | None,
                  dedup: Any) -> dict[str, np.ndarray]:
    """Mark, count and write one segment's documents (in input order) as a staged output shard and a
    staged rejects shard; return the segment's summary and errors."""
    from corpusclean.engines.ray_dedup import mark

    segment = int(group["segment"][0])
    rows = np.argsort(group["order"], kind="stable")
    decided = {int(group["order"][i]): pickle.loads(group["decision"][i])
               for i in rows if len(group["decision"][i])}
    summary = Summary()
    errors: list[tuple[int, str]] = []
    out, rejects = bytearray(), bytearray()
    for i in rows:
        order = int(group["order"][i])
        if len(group["decision"][i]):
            continue
        if group["error"][i]:
            errors.append((order, str(group["error"][i])))
            continue
        doc: Document = pickle.loads(group["payload"][i])
        if doc.rejected is None and dedup is not None:
            mark(doc, decided.get(order), int(group["exact"][i]), stage=dedup)
        summary.add(doc)
        if doc.rejected is not None and doc.rejected.stage == "read":
            errors.append((order, doc.rejected.detail.get("error", doc.source)))
        if doc.rejected is None:
            out += dumps(output_record(doc))
        for record in reject_records(doc):
            rejects += dumps(record)
    _write(out_staging, segment, out)
    if rejects_staging is not None:
        _write(rejects_staging, segment, rejects)
    return {"segment": np.array([segment]), "summary": np.array([pickle.dumps(summary)], dtype=object),
            "errors": np.array([pickle.dumps(errors)], dtype=object)}


def _write(staging: str, segment: int, data: bytearray) -> None:
    if not data:
        return
    fs, base = _filesystem(staging)
    with fs.open_output_stream(f"{base}/part-{segment:09d}.jsonl") as stream:
        stream.write(bytes(data))


class _Target:
    """Where one JSONL output goes, staged until the run succeeds.

    A URI, a path ending in ``/``, an existing directory or a run with ``shard_size`` is a directory of
    ``part-NNNNN.jsonl`` shards; ``-`` is standard output; any other path is one file (compressed by its
    extension) that the driver concatenates from the staged shards.
    """

    def __init__(self, path: str, *, sharded: bool) -> None:
        self.path = path
        self.directory = _is_uri(path) or (path != STDIN and (sharded or path.endswith(("/", os.sep))
                                                              or os.path.isdir(path)))
        run = f"ray-{uuid.uuid4().hex[:12]}"
        if self.directory:
            self.fs, base = _filesystem(path)
            self.base = base.rstrip("/")
            self._created = self.fs.get_file_info(self.base).type.name == "NotFound"
            self.staging_inner = f"{self.base}/.partial-{run}"
            self.staging = f"{path.rstrip('/')}/.partial-{run}" if _is_uri(path) else self.staging_inner
        else:
            self.fs, _ = _filesystem(".")
            parent = os.path.dirname(os.path.abspath(path)) if path != STDIN else tempfile.gettempdir()
            name = os.path.basename(path) if path != STDIN else "stdout"
            self.staging = self.staging_inner = os.path.join(parent, f".{name}.{run}.partial")
        self.fs.create_dir(self.staging_inner, recursive=True)

    def _shards(self) -> list[str]:
        import pyarrow.fs

        infos = self.fs.get_file_info(pyarrow.fs.FileSelector(self.staging_inner))
        return sorted(i.path for i in infos if i.type == pyarrow.fs.FileType.File)

    def commit(self) -> int:
        """Move the staged shards into place; returns how many there were."""
        import pyarrow.fs

        shards = self._shards()
        if self.directory:
            selector = pyarrow.fs.FileSelector(self.base)
            for old in self.fs.get_file_info(selector):
                if old.type == pyarrow.fs.FileType.File and old.base_name.startswith("part-"):
                    self.fs.delete_file(old.path)
            for number, shard in enumerate(shards or [None]):
                target = f"{self.base}/part-{number:05d}.jsonl"
                if shard is None:  # no document kept: one empty shard, as the local engine writes
                    self.fs.open_output_stream(target).close()
                else:
                    self.fs.move(shard, target)
        else:
            sink = StdoutSink() if self.path == STDIN else AtomicFile(self.path)
            try:
                for shard in shards:
                    with open(shard, "rb") as handle:
                        while chunk := handle.read(1 << 20):
                            sink.write(chunk)
                sink.commit()
            except BaseException:
                sink.abort()
                raise
        self.fs.delete_dir(self.staging_inner)
        return len(shards)

    def abort(self) -> None:
        with contextlib.suppress(OSError, FileNotFoundError):
            self.fs.delete_dir(self.staging_inner)
        if self.directory and self._created:
            with contextlib.suppress(OSError, FileNotFoundError):
                self.fs.delete_dir(self.base)


# --- the run ----------------------------------------------------------------------------------------------


def _dedup_stage(pipeline: Pipeline) -> Any:
    from corpusclean.engines.ray_dedup import Unsupported
    from corpusclean.stages.dedup import Dedup

    stages = pipeline.corpus_stages
    unknown = [s.name for s in stages if not isinstance(s, Dedup)]
    if unknown:
        raise Unsupported(f"the ray engine has no distributed version of corpus stage {unknown[0]!r}; "
                         "run with --engine local")
    if len(stages) > 1:
        raise Unsupported("the ray engine runs at most one dedup stage")
    return stages[0] if stages else None


@contextlib.contextmanager
def _ray_session(address: str | None, progress: bool) -> Iterator[Any]:
    """A connection to Ray (``address``, an already initialised session, or a new local one), with Ray
    Data set for this run: sort-based shuffles (the hash shuffle's aggregator actors take seconds to start
    on a small cluster) and progress bars only when the run shows progress."""
    ray = require_ray()
    started = False
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, logging_level=logging.ERROR, log_to_driver=False)
        started = True
    from ray.data.context import DataContext, ShuffleStrategy

    context = DataContext.get_current()
    saved = (context.shuffle_strategy, context.enable_progress_bars, context.print_on_execution_start)
    context.shuffle_strategy = ShuffleStrategy.SORT_SHUFFLE_PULL_BASED
    context.enable_progress_bars = progress
    context.print_on_execution_start = False
    # Ray Data logs each execution and warns when the previous step's actors still hold the CPUs: noise
    # on a command line that prints its own summary.
    logger = logging.getLogger("ray.data")
    level = logger.level
    logger.setLevel(logging.INFO if progress else logging.ERROR)
    try:
        yield ray
    finally:
        context.shuffle_strategy, context.enable_progress_bars, context.print_on_execution_start = saved
        logger.setLevel(level)
        if started:
            ray.shutdown()


def clean_with_ray(pipeline: Pipeline, config: RunConfig, *, address: str | None = None,
                   workers: int | None = None) -> Summary:
    """Run ``pipeline`` over ``config.inputs`` on Ray; write the kept documents and the rejects atomically.

    The result is the local engine's (:func:`corpusclean.engines.local.clean_files`): the same records, the same
    documents kept by dedup, the same summary, in input order. ``address`` is a Ray cluster address
    (``ray://head:10001``, ``auto``); without it an initialised Ray session is used, or a local one started.
    ``workers`` is the number of processing actors (default: the cluster's CPUs). Standard input cannot be
    read (name files, directories or URIs).
    """
    if config.on_error not in ("skip", "fail"):
        raise ValueError(f"on_error must be 'skip' or 'fail', got {config.on_error!r}")
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    dedup = _dedup_stage(pipeline)
    from corpusclean.engines.ray_dedup import DedupParams

    params = DedupParams.of(dedup) if dedup is not None else None
    errors: list[str] = []
    files = list_inputs(config.inputs, errors)
    with _ray_session(address, config.progress) as ray:
        actors = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        partitions = max(2, 2 * actors)
        targets: list[_Target] = []
        try:
            out = _Target(config.output, sharded=config.shard_size is not None)
            targets.append(out)
            rejects = _Target(config.rejects, sharded=False) if config.rejects else None
            if rejects is not None:
                targets.append(rejects)
            segments = _run(ray, pipeline, config, files, dedup, params, actors, partitions, out,
                            rejects)
            summary = Summary()
            found: list[tuple[int, str]] = []
            for row in sorted(segments, key=lambda r: r["segment"]):
                summary = summary + pickle.loads(row["summary"])
                found += pickle.loads(row["errors"])
            summary.errors = errors + [message for _, message in sorted(found)]
            if config.on_error == "fail" and summary.errors:
                raise RunAborted(summary.errors[0])
            for target in targets:
                target.commit()
        except BaseException:
            for target in targets:
                target.abort()
            raise
    return summary


def _run(ray: Any, pipeline: Pipeline, config: RunConfig, files: list[str], dedup: Any, params: Any, actors: int,
         partitions: int, out: _Target, rejects: _Target | None) -> list[dict[str, Any]]:
    import ray.data

    from corpusclean.engines.ray_dedup import decisions, where

    if not files:
        return []
    table = [{"file_index": i, "name": name, "path": name if _is_uri(name) else os.path.abspath(name),
              "fmt": detect_format(name, config.fmt)} for i, name in enumerate(files)]
    # Reading is its own operator of zero-CPU tasks (I/O, and it must not wait for CPUs the actors hold), so
    # the batches of one large file spread over every actor instead of being fused into one.
    raw = ray.data.from_items(table, override_num_blocks=min(len(table), READ_BLOCKS)).map_batches(
        read_files, batch_size=1, batch_format="numpy", num_cpus=0)
    docs = raw.map_batches(ProcessItems, fn_constructor_args=(pipeline, config.parse), batch_size=BATCH_ITEMS,
                           batch_format="numpy", compute=ray.data.ActorPoolStrategy(size=actors)).materialize()
    # Shuffles get a partition per ~256 MB of processed documents, and at least two per actor.
    partitions = max(partitions, -(-docs.size_bytes() // PARTITION_BYTES))
    # Dense input positions (for shard boundaries): per-file item counts, one small row per block and file.
    counts = np.zeros(len(files), dtype=np.int64)
    for row in docs.select_columns(["order"]).map_batches(_file_counts, batch_format="numpy").take_all():
        counts[row["file"]] = max(counts[row["file"]], row["count"])
    offsets = np.r_[0, np.cumsum(counts)[:-1]].astype(np.int64)
    segment_docs = config.shard_size or SEGMENT_DOCS
    rows = docs.map_batches(partial(_segment_rows, offsets=offsets, segment_docs=segment_docs, decisions=False),
                            batch_format="numpy")
    if params is not None:
        keys = where(docs, "alive", equals=True).select_columns(["order", "exact", "sig", "length", "id"])
        decided = decisions(keys, params=params, partitions=partitions)
        if decided is not None:
            rows = rows.union(decided.map_batches(
                partial(_segment_rows, offsets=offsets, segment_docs=segment_docs, decisions=True),
                batch_format="numpy"))
    writer = partial(write_segment, out_staging=out.staging,
                     rejects_staging=rejects.staging if rejects is not None else None, dedup=dedup)
    return (rows.groupby("segment", num_partitions=partitions)
            .map_groups(writer, batch_format="numpy").take_all())


def _file_counts(batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    files = batch["order"] >> 32
    ends = (batch["order"] & _LOW32) + 1
    unique = np.unique(files)
    return {"file": unique, "count": np.array([ends[files == f].max() for f in unique], dtype=np.int64)}

