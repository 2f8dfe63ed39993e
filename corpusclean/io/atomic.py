"""A file that appears under its name only when it is complete: written under a temporary name owned by
this process (so a later run can remove it if this one is killed), compressed by extension, renamed on
commit. Every writer builds on it, the Parquet writer included."""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import tempfile
from typing import IO

from corpusclean.io.inputs import split_suffix
from corpusclean.io.leftovers import owned_name


def _open_compressed(path: str, raw: IO[bytes]) -> IO[bytes]:
    _, compression = split_suffix(path)
    if compression == "gzip":
        return gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0)  # mtime=0: reproducible bytes
    if compression == "bz2":
        return bz2.BZ2File(raw, "wb")
    if compression == "xz":
        return lzma.LZMAFile(raw, "wb")
    if compression == "zstd":
        import zstandard

        return zstandard.ZstdCompressor(level=3).stream_writer(raw, closefd=False)
    return raw


class AtomicFile:
    """A file (compressed by extension) that appears under its name only on :meth:`commit`."""

    def __init__(self, path: str) -> None:
        self.path = path
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)
        fd, self.tmp = tempfile.mkstemp(prefix=owned_name(f".{os.path.basename(path)}."), suffix=".partial",
                                        dir=directory)
        self._raw = os.fdopen(fd, "wb")
        self._stream = _open_compressed(path, self._raw)
        self.count = 0

    def write(self, data: bytes) -> None:
        self._stream.write(data)
        self.count += 1

    def write_many(self, lines: list[bytes]) -> None:
        """Write several records in one call (one system call per chunk rather than per few lines)."""
        self._stream.write(b"".join(lines))
        self.count += len(lines)

    def _close_streams(self) -> None:
        if self._stream is not self._raw:
            self._stream.close()
        self._raw.close()

    def commit(self) -> None:
        self._close_streams()
        os.chmod(self.tmp, 0o644)
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        try:
            self._close_streams()
        finally:
            if os.path.exists(self.tmp):
                os.unlink(self.tmp)
