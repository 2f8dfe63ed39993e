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


def file_name(name: str, key: Sequence[Any], *, suffix: str = ".marshal") -> str:
    """``{name}-v{version}-{digest of key}.marshal`` (or ``suffix``): a changed input is a new file.

    >>> file_name("shingles", table_key(version=3)).startswith("shingles-v3-")
    True
    """
    digest = hashlib.sha1(repr(list(key)).encode("utf-8")).hexdigest()[:16]
    return f"{name}-v{key[0]}-{digest}{suffix}"


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


def remove_stale(directory: str, name: str, version: int, *, keep: str, suffix: str = ".marshal") -> None:
    """Delete the files older versions of table ``name`` left in ``directory``, and of this version all
    but the newest :data:`KEEP_PER_TABLE` (``keep`` among them): no process of this version reads the
    former again, and the latter were built from other inputs (an earlier edit, another install)."""
    pattern = re.compile(rf"{re.escape(name)}-v(\d+)-[0-9a-f]{{16}}{re.escape(suffix)}")
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


# Arrays in an .arrays file start at multiples of this (the largest alignment any dtype needs, and a cache line).
_ALIGN = 64


def load_or_build_arrays(name: str, build: Callable[[], dict[str, Any]], *, version: int,
                         sources: Sequence[str] = (), inputs: Sequence[str] = (), extra: Sequence[Any] = (),
                         directory: str | None = "") -> dict[str, Any]:
    """:func:`load_or_build` for a table of numpy arrays too large to copy into every process (a language
    model of 68 MB): ``build()`` returns a dict of arrays (no object dtypes), saved as one file of their raw
    bytes, and a later process maps that file into memory read-only: each array is a read-only view of the
    mapping, so loading costs no copy at all, a process reads from the disk only the pages it touches,
    and processes share them. The file is never changed once written (a new one is renamed over it), so
    a mapping cannot see it change. Same key, cache directory and failure rules as :func:`load_or_build`.

    >>> import numpy as np
    >>> build = lambda: {"ids": np.arange(3, dtype=np.uint16), "names": np.array(["zh", "ja"])}
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     built = load_or_build_arrays("demo", build, version=1, directory=folder)
    ...     loaded = load_or_build_arrays("demo", dict, version=1, directory=folder)  # mapped, not built
    ...     loaded["names"].tolist(), loaded["ids"].tolist(), loaded["ids"].flags.writeable
    (['zh', 'ja'], [0, 1, 2], False)
    """
    if directory == "":
        directory = cache_dir()
    if directory is None:
        return build()
    try:
        key = table_key(version=version, sources=sources, inputs=inputs, extra=extra)
    except OSError:
        return build()
    path = os.path.join(directory, file_name(name, key, suffix=".arrays"))
    stamp = repr(key)
    with contextlib.suppress(OSError, EOFError, ValueError, TypeError):
        return _mapped_arrays(path, stamp)
    arrays = build()
    with contextlib.suppress(OSError):
        os.makedirs(directory, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                _write_arrays(handle, stamp, arrays)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
        remove_stale(directory, name, version, keep=path, suffix=".arrays")
    return arrays


def _write_arrays(handle: Any, stamp: str, arrays: dict[str, Any]) -> None:
    """The file :func:`_mapped_arrays` reads: the header's length (8 bytes, little-endian), the header
    (marshal: the stamp and each array's name, dtype, shape and offset), then each array's bytes at its
    offset, a multiple of :data:`_ALIGN`."""
    import numpy as np

    contiguous = {name: np.ascontiguousarray(array) for name, array in arrays.items()}
    if any(array.dtype.hasobject for array in contiguous.values()):
        raise ValueError("arrays of Python objects cannot be mapped from a file")
    layout = []
    offset = 0
    for array_name, array in contiguous.items():
        layout.append((array_name, array.dtype.str, array.shape, offset))
        offset += -(-array.nbytes // _ALIGN) * _ALIGN
    # The data starts at the first multiple of _ALIGN after the header; the offsets above are from there.
    header = marshal.dumps((stamp, layout))
    start = -(-(8 + len(header)) // _ALIGN) * _ALIGN
    handle.write(len(header).to_bytes(8, "little") + header + bytes(start - 8 - len(header)))
    for array in contiguous.values():
        handle.write(array.data)
        handle.write(bytes(-array.nbytes % _ALIGN))


def _mapped_arrays(path: str, stamp: str) -> dict[str, Any]:
    """The arrays of a file :func:`_write_arrays` wrote, as read-only views of the file mapped into memory;
    ValueError if the file is another key's or damaged (too short for its header's arrays)."""
    import mmap

    import numpy as np

    with open(path, "rb") as handle:
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    length = int.from_bytes(mapped[:8], "little")
    saved_stamp, layout = marshal.loads(mapped[8 : 8 + length])
    if saved_stamp != stamp:
        raise ValueError(f"{path} is not this key's table")
    start = -(-(8 + length) // _ALIGN) * _ALIGN
    arrays = {}
    for array_name, dtype_text, shape, offset in layout:
        dtype = np.dtype(dtype_text)
        count = int(np.prod(shape, dtype=np.int64))
        # np.frombuffer raises ValueError when the mapping is too short for the array.
        arrays[array_name] = np.frombuffer(mapped, dtype=dtype, count=count, offset=start + offset).reshape(shape)
    return arrays
