"""Lookup tables built once per machine and kept on disk, so that every later process loads them.

Several modules build tables by sweeping all 65,536 BMP code points in Python or by reading package
dictionaries: 0.05-1 s each, paid again by every process (the main process, and the fork server that
starts the workers). The first process saves each table here (marshal, written to a temporary file and
renamed into place, so a concurrent reader sees the old file or the whole new one) and later processes
load it in milliseconds.

A table's file name carries a digest of everything the table is built from: the source of the modules
that build it (an edited module is a new file, so a code change can never load a stale table), the input
files (path, size, modification time), the Python version (marshal format, Unicode database) and any
other parameters. A module edited while a process runs is not cached by that process (what it runs may
be the code from before the edit). The directory is $CORPUSCLEAN_CACHE, else $XDG_CACHE_HOME/corpusclean, else
~/.cache/corpusclean; a directory that cannot be read or written is skipped silently, the table is then
only kept in memory.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import marshal
import os
import re
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any

# Files of one table name and version that differ in their inputs (another install sharing the
# directory, or earlier edits of the module): the newest few are kept, so the cache cannot grow forever.
KEEP_PER_TABLE = 4


def cache_dir() -> str:
    """$CORPUSCLEAN_CACHE, else $XDG_CACHE_HOME/corpusclean, else ~/.cache/corpusclean."""
    explicit = os.environ.get("CORPUSCLEAN_CACHE")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "corpusclean")


def package_dir(name: str) -> str:
    """Where a package is installed, found without importing it (importing jieba takes 0.15 s)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"{name} is missing: pip install corpusclean's dependencies")
    return spec.submodule_search_locations[0]


# Source files changed after this (after this process imported them, perhaps) may not be the code that
# runs here: tables built from them are not cached.
_STARTED_NS = time.time_ns()


@functools.cache
def _module_digest(module: str) -> str:
    """SHA-1 of a module's source file, found without importing it. Raises OSError if the file changed
    after this process started: the code in memory may be the older one, so the key would lie."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin:
        raise OSError(f"no source file for {module}")
    with open(spec.origin, "rb") as handle:
        if os.fstat(handle.fileno()).st_mtime_ns > _STARTED_NS:
            raise OSError(f"{spec.origin} changed after this process started")
        return hashlib.sha1(handle.read()).hexdigest()


def table_key(*, version: int, sources: Sequence[str] = (), inputs: Sequence[str] = (),
              extra: Sequence[Any] = ()) -> list[Any]:
    """Everything a table depends on: its version, the source of the modules ``sources`` (dotted
    names), the files ``inputs`` (path, size, modification time), this Python (marshal format, Unicode
    database, byte order of arrays saved as bytes) and ``extra`` parameters. Raises OSError when a
    source or an input cannot be read.

    >>> table_key(version=1) == table_key(version=1) != table_key(version=2)
    True
    """
    key: list[Any] = [version, sys.implementation.name, sys.version_info[:2], unicodedata.unidata_version,
                      sys.byteorder, *extra]
    key += [(module, _module_digest(module)) for module in sources]
    for path in inputs:
        stat = os.stat(path)
        key.append((os.path.realpath(path), stat.st_size, stat.st_mtime_ns))
    return key


def file_name(name: str, key: Sequence[Any]) -> str:
    """``{name}-v{version}-{digest of key}.marshal``: a changed input is a new file.

    >>> file_name("shingles", table_key(version=3)).startswith("shingles-v3-")
    True
    """
    digest = hashlib.sha1(repr(list(key)).encode("utf-8")).hexdigest()[:16]
    return f"{name}-v{key[0]}-{digest}.marshal"


def load_or_build(name: str, build: Callable[[], Any], *, version: int, sources: Sequence[str] = (),
                  inputs: Sequence[str] = (), extra: Sequence[Any] = (),
                  directory: str | None = "") -> Any:
    """The table ``name`` from ``directory`` when a copy with the same key (see :func:`table_key`) is
    there, else ``build()`` saved there for the next process. ``build`` must return what marshal can
    store (dicts, tuples, lists, sets, str, bytes, numbers). ``directory``: "" (the default) for
    :func:`cache_dir`, None to build without the disk. A cache that cannot be read or written, or an input
    that cannot be found, is skipped silently; saving removes older versions' files of the table.
    """
    if directory == "":
        directory = cache_dir()
    if directory is None:
        return build()
    try:
        key = table_key(version=version, sources=sources, inputs=inputs, extra=extra)
    except OSError:
        return build()
    path = os.path.join(directory, file_name(name, key))
    stamp = repr(key)
    with contextlib.suppress(OSError, EOFError, ValueError, TypeError), open(path, "rb") as handle:
        saved_stamp, table = marshal.loads(handle.read())  # (marshal.load reads a file 4x slower)
        if saved_stamp == stamp:  # the file is this key's, not a digest collision or a stray file
            return table
    table = build()
    with contextlib.suppress(OSError):
        os.makedirs(directory, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                marshal.dump((stamp, table), handle)
            os.replace(temporary, path)  # atomic: a concurrent reader sees the old file or the whole new one
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        remove_stale(directory, name, version, keep=path)
    return table


def remove_stale(directory: str, name: str, version: int, *, keep: str) -> None:
    """Delete the files older versions of table ``name`` left in ``directory``, and of this version all
    but the newest :data:`KEEP_PER_TABLE` (``keep`` among them): no process of this version reads the
    former again, and the latter were built from other inputs (an earlier edit, another install)."""
    pattern = re.compile(rf"{re.escape(name)}-v(\d+)-[0-9a-f]{{16}}\.marshal")
    same_version = []
    for entry in os.listdir(directory):
        match = pattern.fullmatch(entry)
        if match is None:
            continue
        path = os.path.join(directory, entry)
        if int(match.group(1)) < version:
            with contextlib.suppress(OSError):
                os.unlink(path)
        elif int(match.group(1)) == version and path != keep:
            with contextlib.suppress(OSError):
                same_version.append((os.stat(path).st_mtime_ns, path))
    for _, path in sorted(same_version, reverse=True)[KEEP_PER_TABLE - 1:]:
        with contextlib.suppress(OSError):
            os.unlink(path)
