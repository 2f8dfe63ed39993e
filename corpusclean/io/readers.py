"""Find inputs, open them (decompressing by extension) and stream raw units: the I/O edge of the pipeline.

Readers only read bytes; turning bytes into documents (JSON parsing, charset detection, HTML extraction)
is :mod:`corpusclean.io.parse`, which runs in the worker processes where it can use every core.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import sys
import zlib
from collections.abc import Iterable, Iterator
from typing import IO, Any

from corpusclean.io.inputs import (  # noqa: F401  (re-exported: the names readers have always had)
    COMPRESSIONS,
    FORMATS,
    STDIN,
    InputError,
    RawItem,
    detect_format,
    expand_inputs,
    split_suffix,
)


def open_binary(path: str) -> IO[bytes]:
    """Open ``path`` (or stdin for ``-``) for binary reading, decompressing by extension."""
    if path == STDIN:
        return sys.stdin.buffer
    _, compression = split_suffix(path)
    if compression == "gzip":
        return gzip.open(path, "rb")
    if compression == "bz2":
        return bz2.open(path, "rb")
    if compression == "xz":
        return lzma.open(path, "rb")
    raw = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
    if compression == "zstd":
        return io.BufferedReader(_ZstdReader(raw), buffer_size=1 << 16)
    return raw


class _ZstdReader(io.RawIOBase):
    """Decompress a ``.zst`` stream frame by frame. zstandard's own ``stream_reader`` ends quietly at a
    truncated frame; this raises ``EOFError`` as gzip, bz2 and lzma do, so a cut-off file is reported."""

    def __init__(self, raw: IO[bytes]) -> None:
        import zstandard

        self._raw = raw
        self._new = zstandard.ZstdDecompressor().decompressobj
        self._frame = self._new()
        self._mid_frame = False  # input fed since the last complete frame
        self._pending = b""  # decompressed, not yet returned
        self._offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self._offset >= len(self._pending):
            chunk = self._raw.read(1 << 16)
            if not chunk:
                if self._mid_frame:
                    raise EOFError("zstd stream ended before the end of a frame")
                return 0
            self._pending, self._offset = self._feed(chunk), 0
        size = min(len(buffer), len(self._pending) - self._offset)
        buffer[:size] = self._pending[self._offset:self._offset + size]
        self._offset += size
        return size

    def _feed(self, chunk: bytes) -> bytes:
        out = []
        while chunk:
            out.append(self._frame.decompress(chunk))
            self._mid_frame = True
            chunk = b""
            if self._frame.eof:  # a file may hold several frames (e.g. concatenated shards)
                chunk = self._frame.unused_data
                self._frame = self._new()
                self._mid_frame = False
        return b"".join(out)

    def close(self) -> None:
        self._raw.close()
        super().close()


def _corrupt_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [EOFError, zlib.error, lzma.LZMAError, OSError]
    try:
        import zstandard

        errors.append(zstandard.ZstdError)
    except ImportError:  # pragma: no cover - zstandard is a dependency
        pass
    return tuple(errors)


def read_items(path: str, fmt: str, errors: list[str]) -> Iterator[RawItem]:
    """Raw items of one input. A read failure part-way (a truncated ``.gz``) is reported in ``errors``
    with the last line read, after every complete item before it has been yielded."""
    name = "<stdin>" if path == STDIN else path
    line_no = 0
    if fmt == "parquet":  # read by row group from the footer, not as a byte stream
        from corpusclean.io.parquet import parquet_items

        yield from parquet_items(path, errors)
        return
    try:
        stream = open_binary(path)
    except OSError as exc:
        errors.append(f"{name}: cannot open: {exc.strerror or exc}")
        return
    try:
        if fmt == "jsonl":
            for line_no, line in enumerate(stream, 1):  # line_no is reported on failure
                if not line.isspace():
                    yield RawItem(name, line_no, line, fmt)
        elif fmt == "warc":
            yield from _warc_items(name, stream)
        else:
            yield RawItem(name, None, stream.read(), fmt)
    except _corrupt_errors() as exc:
        where = f" after line {line_no}" if line_no else ""
        errors.append(f"{name}: truncated or corrupt input{where}: {exc}")
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


class _Watched:
    """A stream that remembers a read error: warcio takes ``EOFError`` from a truncated ``.gz`` for the
    normal end of the archive, and the truncation would go unreported."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.error: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        try:
            # read1: one decompression step at a time, so the data before a truncation is returned first
            # (a full ``read(size)`` that meets the truncation drops what it had decompressed so far).
            return self.stream.read1(size) if hasattr(self.stream, "read1") else self.stream.read(size)
        except _corrupt_errors() as exc:
            self.error = exc
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _warc_items(name: str, stream: IO[bytes]) -> Iterator[RawItem]:
    from warcio.archiveiterator import ArchiveIterator

    watched = _Watched(stream)
    for number, record in enumerate(ArchiveIterator(watched), 1):
        content_type = (record.http_headers.get_header("Content-Type") or "") if record.http_headers else ""
        wanted = record.rec_type == "response" and "html" in content_type.lower()
        body = record.content_stream().read() if wanted else None
        while not wanted and record.raw_stream.read(1 << 16):
            pass  # read skipped records through too, to notice a file cut inside them
        if watched.error is not None:
            break
        if getattr(record.raw_stream, "limit", 0) > 0:  # fewer bytes than the record's Content-Length
            raise EOFError(f"WARC record {number} is cut short")
        if body is None:
            continue
        charset = None
        if "charset=" in content_type.lower():
            charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip()
        yield RawItem(
            name,
            number,
            body,
            "html",
            extra={
                "url": record.rec_headers.get_header("WARC-Target-URI"),
                "warc_date": record.rec_headers.get_header("WARC-Date"),
                "charset": charset,
            },
        )
    if watched.error is not None:
        raise watched.error


def iter_raw(inputs: Iterable[str], errors: list[str], *, fmt: str | None = None) -> Iterator[RawItem]:
    """Every raw item of every input, in order."""
    if fmt is not None and fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    for path in expand_inputs(inputs, errors):
        file_fmt = detect_format(path, fmt) if path != STDIN else (fmt or "jsonl")
        yield from read_items(path, file_fmt, errors)
