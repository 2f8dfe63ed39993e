"""Resumable runs: a journal of the chunks a run has finished, so that a run killed after hours goes on
from where it stopped instead of from zero.

Workers turn each chunk of input items into a result (its output and reject lines, or, with
deduplication, the chunk's encoded lines and the keys the decision needs). With ``--resume`` the main
process appends every result to a journal beside the output as it arrives. A later run with the same
inputs, recipe and options reads the journal back, skips the input items the journalled chunks covered
(they are read, not parsed or cleaned) and cleans the rest. Deduplication decides over the journalled keys
and the new ones together at the end, exactly as an uninterrupted run would, so the output is the same.

The journal starts with a fingerprint of everything the results depend on (the input files with their
sizes and modification times, the stages and their parameters, the reading options); a journal of another
run is refused, never mixed in. A record cut short by the kill is dropped and overwritten. The journal is
deleted when the run's output is committed.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import struct
from collections.abc import Iterator
from typing import Any, BinaryIO

_MAGIC = b"corpusclean-journal-1\n"
_LENGTH = struct.Struct("<Q")


class JournalMismatch(ValueError):
    """The journal beside the output was written by a run with other inputs, recipe or options."""


def journal_path(output: str) -> str:
    """Where the journal of a run writing ``output`` lives: inside a shard directory, else beside the file.

    >>> journal_path("out/"), journal_path("data/clean.jsonl.zst")
    ('out/.corpusclean-journal', 'data/.clean.jsonl.zst.journal')
    """
    if output.endswith(("/", os.sep)) or os.path.isdir(output):
        return os.path.join(output, ".corpusclean-journal")
    directory, name = os.path.split(output)
    return os.path.join(directory, f".{name}.journal")


def fingerprint(*, files: list[str], stages: list[dict[str, Any]], options: dict[str, Any]) -> str:
    """A digest of what a run's chunk results depend on (files by path, size and modification time)."""
    described = []
    for path in files:
        stat = os.stat(path)
        described.append([os.path.abspath(path), stat.st_size, stat.st_mtime_ns])
    blob = json.dumps({"files": described, "stages": stages, "options": options}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


class Journal:
    """The journal at ``path`` for the run with ``digest``: :meth:`done` reads what an earlier run finished,
    :meth:`append` adds a result, :meth:`remove` deletes it once the output is committed."""

    def __init__(self, path: str, digest: str) -> None:
        self.path = path
        self.digest = digest
        self._handle: BinaryIO | None = None

    def done(self) -> Iterator[Any]:
        """The results journalled by earlier runs, in order; afterwards the journal is open for appending
        (a fresh one if none was there)."""
        good = 0
        if os.path.exists(self.path):
            with open(self.path, "rb") as handle:
                header, digest = handle.readline(), handle.readline()
                if not digest.endswith(b"\n") and _MAGIC.startswith(header):
                    header = b""  # killed while the header was being written: nothing was journalled
                elif header != _MAGIC or digest.strip().decode(errors="replace") != self.digest:
                    raise JournalMismatch(
                        f"{self.path}: this journal is from a run with other inputs, recipe or options; "
                        "remove it, or run without --resume")
                good = handle.tell() if header else 0
                while header and (record := _read_record(handle)):
                    yield pickle.loads(record)
                    good = handle.tell()
        self._open(good)

    def _open(self, good: int) -> None:
        if good:
            handle = open(self.path, "r+b")  # noqa: SIM115 (closed in close/remove)
            handle.truncate(good)  # a record the kill cut short
            handle.seek(good)
        else:
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
            handle = open(self.path, "wb")  # noqa: SIM115
            handle.write(_MAGIC + self.digest.encode() + b"\n")
            handle.flush()
        self._handle = handle

    def append(self, result: Any) -> None:
        assert self._handle is not None, "read done() first"
        data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        self._handle.write(_LENGTH.pack(len(data)) + data)
        self._handle.flush()  # in the kernel's hands: a killed process loses nothing written here

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def remove(self) -> None:
        self.close()
        if os.path.exists(self.path):
            os.unlink(self.path)


def _read_record(handle: BinaryIO) -> bytes | None:
    head = handle.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack(head)
    data = handle.read(length)
    return data if len(data) == length else None
