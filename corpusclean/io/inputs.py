"""What an input is before it is read: the names (files, directories, globs, ``-``), their formats by
extension, and the raw unit readers stream (:class:`RawItem`). Below every reader, so that the Parquet
reader and the byte-stream readers share it without importing each other."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMATS = ("jsonl", "text", "html", "warc", "parquet")
COMPRESSIONS = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zst": "zstd"}
_EXTENSIONS = {
    ".jsonl": "jsonl", ".json": "jsonl", ".ndjson": "jsonl",
    ".txt": "text", ".text": "text", ".md": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".warc": "warc",
    ".parquet": "parquet",
}
STDIN = "-"


class InputError(Exception):
    """An input that cannot be read at all (missing, unreadable, unknown format)."""


@dataclass(slots=True)
class RawItem:
    """One unit of input before parsing: a JSONL line, a whole text/HTML file, or a WARC response."""

    source: str
    line: int | None
    data: bytes
    fmt: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def location(self) -> str:
        return self.source if self.line is None else f"{self.source}:{self.line}"

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        # Items are pickled to the workers in the main process, which all workers wait on: a plain
        # constructor call pickles a third faster than the slotted dataclass's generated state methods.
        return (RawItem, (self.source, self.line, self.data, self.fmt, self.extra))


def split_suffix(name: str) -> tuple[str, str | None]:
    """``(format extension, compression)`` of a file name.

    >>> split_suffix("crawl/part-0001.jsonl.zst")
    ('.jsonl', 'zstd')
    >>> split_suffix("page.HTML")
    ('.html', None)
    """
    path = Path(name)
    suffixes = [s.lower() for s in path.suffixes]
    compression = COMPRESSIONS.get(suffixes[-1]) if suffixes else None
    if compression:
        suffixes = suffixes[:-1]
    return (suffixes[-1] if suffixes else ""), compression


def detect_format(name: str, default: str | None = None) -> str:
    """Format of ``name`` by extension; ``default`` (the ``--format`` option) wins when given."""
    if default:
        return default
    ext, _ = split_suffix(name)
    return _EXTENSIONS.get(ext, "text")


def expand_inputs(inputs: Iterable[str], errors: list[str]) -> Iterator[str]:
    """Files named by ``inputs``: files as given, directories recursively and globs, each sorted so
    a run is reproducible. Names that match nothing are reported in ``errors`` and skipped."""
    for spec in inputs:
        if spec == STDIN:
            yield STDIN
        elif os.path.isdir(spec):
            found = sorted(str(p) for p in Path(spec).rglob("*") if p.is_file() and not p.name.startswith("."))
            if not found:
                errors.append(f"{spec}: directory holds no files")
            yield from found
        elif os.path.exists(spec):
            yield spec
        elif glob.has_magic(spec):
            found = sorted(p for p in glob.glob(spec, recursive=True) if os.path.isfile(p))
            if not found:
                errors.append(f"{spec}: pattern matches no files")
            yield from found
        else:
            errors.append(f"{spec}: no such file or directory")
