"""Write JSONL atomically: to a hidden temporary name beside the target, renamed into place only when the
run succeeds, so a crash or Ctrl-C never leaves a half-written file under the final name."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from corpusclean.document import Document
from corpusclean.io.atomic import AtomicFile
from corpusclean.io.leftovers import owned_name, sweep
from corpusclean.io.readers import STDIN


def dumps(record: dict[str, Any]) -> bytes:
    """One JSON line in real UTF-8 (no ``\\uXXXX`` escapes).

    >>> dumps({"text": "你好"})
    b'{"text":"\\xe4\\xbd\\xa0\\xe5\\xa5\\xbd"}\\n'
    """
    try:
        return orjson.dumps(record) + b"\n"
    except TypeError:
        # orjson refuses integers beyond 64 bits and non-string keys; the standard library does not.
        return json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8") + b"\n"


def output_record(doc: Document) -> dict[str, Any]:
    """The output shape: ``id``, ``text``, ``source``, the input's other fields, then ``meta``."""
    record: dict[str, Any] = {"id": doc.id, "text": doc.text, "source": doc.source}
    for key, value in doc.fields.items():
        if key not in record:
            record[key] = value
    record["meta"] = doc.meta
    return record


def reject_records(doc: Document) -> list[dict[str, Any]]:
    """Receipts for the rejects file: one per removed line/span and one for a dropped document."""
    out = [{"id": doc.id, "source": doc.source, **removal.as_dict()} for removal in doc.removals]
    if doc.rejected is not None:
        record = {"id": doc.id, "source": doc.source, "kind": "document", **doc.rejected.as_dict()}
        unparsed = "raw" in record or "raw_b64" in record
        if not unparsed:
            record["text"] = doc.text
            if doc.fields:
                record["fields"] = doc.fields
            if doc.meta:
                record["meta"] = doc.meta
        out.append(record)
    return out


class StdoutSink:
    """Standard output: not atomic by nature, but flushed only at the end of each record."""

    path = STDIN

    def __init__(self) -> None:
        self.count = 0

    def write(self, data: bytes) -> None:
        sys.stdout.buffer.write(data)
        self.count += 1

    def write_many(self, lines: list[bytes]) -> None:
        sys.stdout.buffer.write(b"".join(lines))
        self.count += len(lines)

    def commit(self) -> None:
        sys.stdout.buffer.flush()

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            sys.stdout.buffer.flush()


class ShardedDir:
    """A directory of ``part-NNNNN.jsonl[.gz|.zst...]`` shards of ``shard_size`` records each.

    Shards are written into a hidden staging directory inside the target and moved into place on
    :meth:`commit`, replacing the ``part-*`` shards of an earlier run so the directory holds one run only.
    """

    def __init__(self, directory: str, *, shard_size: int, suffix: str = ".jsonl",
                 opener: Callable[[str], AtomicFile] = AtomicFile) -> None:
        if shard_size < 1:
            raise ValueError(f"shard size must be >= 1, got {shard_size}")
        self.path = directory
        self.shard_size = shard_size
        self.suffix = suffix
        self.opener = opener  # what each shard is (a Parquet shard: io/parquet.py)
        self._created = not os.path.isdir(directory)  # an aborted run removes a directory it made
        os.makedirs(directory, exist_ok=True)
        self.staging = tempfile.mkdtemp(prefix=owned_name(".partial-"), dir=directory)
        self.count = 0
        self._current: AtomicFile | None = None
        self._done: list[str] = []

    def write(self, data: bytes) -> None:
        if self._current is None or self._current.count >= self.shard_size:
            self._rotate()
        assert self._current is not None
        self._current.write(data)
        self.count += 1

    def write_many(self, lines: list[bytes]) -> None:
        while lines:
            if self._current is None or self._current.count >= self.shard_size:
                self._rotate()
            assert self._current is not None
            room = self.shard_size - self._current.count
            self._current.write_many(lines[:room])
            self.count += min(room, len(lines))
            lines = lines[room:]

    def _rotate(self) -> None:
        if self._current is not None:
            self._current.commit()
            self._done.append(self._current.path)
        name = f"part-{len(self._done):05d}{self.suffix}"
        self._current = self.opener(os.path.join(self.staging, name))

    def commit(self) -> None:
        if self._current is None:
            self._rotate()
        assert self._current is not None
        self._current.commit()
        self._done.append(self._current.path)
        for old in Path(self.path).glob("part-*"):
            old.unlink()
        for shard in self._done:
            os.replace(shard, os.path.join(self.path, os.path.basename(shard)))
        os.rmdir(self.staging)

    def abort(self) -> None:
        if self._current is not None:
            self._current.abort()
        shutil.rmtree(self.staging, ignore_errors=True)
        if self._created:
            with contextlib.suppress(OSError):
                os.rmdir(self.path)


Sink = AtomicFile | StdoutSink | ShardedDir


def sweep_partials(path: str) -> list[str]:
    """Remove what runs killed while writing to ``path`` left beside it (their partial files, or their
    staging folders inside a shard directory); the paths removed. Files of runs still going are kept."""
    if path == STDIN:
        return []
    if os.path.isdir(path):
        return sweep(path, ".partial-")
    directory = os.path.dirname(os.path.abspath(path))
    return sweep(directory, f".{os.path.basename(path)}.", suffix=".partial")


def open_sink(path: str, *, shard_size: int | None = None, parquet: bool = False,
              carried: Any | None = None) -> Sink:
    """Where JSONL goes: ``-`` is stdout; a path ending in ``/``, an existing directory or a
    ``shard_size`` makes a directory of ``.jsonl`` shards; anything else is one file, compressed by its
    extension (``.gz``, ``.bz2``, ``.xz``, ``.zst``). With ``parquet``, the file or the shards
    (``part-NNNNN.parquet``) are Parquet, with the Parquet inputs' ``carried`` columns
    (:func:`corpusclean.io.parquet.input_schema`)."""
    opener: Callable[[str], AtomicFile] = AtomicFile
    suffix = ".jsonl"
    if parquet:
        if path == STDIN:
            raise ValueError("Parquet output needs a file or a directory, not stdout (-)")
        from corpusclean.io.parquet import parquet_opener

        opener, suffix = parquet_opener(carried), ".parquet"
    if path == STDIN:
        return StdoutSink()
    if shard_size is not None or path.endswith(("/", os.sep)) or os.path.isdir(path):
        return ShardedDir(path, shard_size=shard_size or 100_000, suffix=suffix, opener=opener)
    return opener(path)
