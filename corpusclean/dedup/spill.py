"""A temporary file that holds processed documents while a corpus stage decides, then streams them back.

Deduplication cannot emit a document before it has seen the whole corpus (a later document can link two
earlier clusters), and holding the corpus in memory would not scale. Documents are pickled (as tuples,
see :mod:`corpusclean.packing`) to a file in a private temporary directory (``TMPDIR`` or ``directory``),
read back once in the same order, and the directory is removed on :meth:`close`, also after an error, so
runs do not fill ``/tmp``.
"""

from __future__ import annotations

import os
import pickle
import shutil
import struct
import tempfile
from collections.abc import Iterator
from typing import Any

from corpusclean.document import Document
from corpusclean.io.leftovers import owned_name, sweep
from corpusclean.packing import pack, unpack

_LENGTH = struct.Struct("<Q")
_READ_SIZE = 4 << 20


class Spill:
    """Write documents, then read them back in the same order (once).

    >>> spill = Spill()
    >>> spill.write(Document(id="1", text="你好"))
    >>> spill.write(Document(id="2", text="世界"))
    >>> doc = Document(id="3", text="正文", meta={"script": "simplified"})
    >>> doc.record_removal("rules", "copyright", "版权所有", line=1)
    >>> doc.reject("min_length", "min_chars", value=2, threshold=5)
    >>> spill.write(doc)
    >>> back = list(spill.read())
    >>> [d.text for d in back], back[2] == doc
    (['你好', '世界', '正文'], True)
    >>> spill.close()
    """

    def __init__(self, directory: str | None = None, *, prefix: str = "corpusclean-spill-") -> None:
        self.dir = tempfile.mkdtemp(prefix=owned_name(prefix), dir=directory)
        self.path = os.path.join(self.dir, "documents.pickle")
        self._out: Any = open(self.path, "wb", buffering=1 << 20)  # noqa: SIM115 (closed in read/close)
        self.count = 0  # documents
        self._records = 0

    def write(self, doc: Document) -> None:
        self.write_many([doc])

    def write_many(self, docs: list[Document]) -> None:
        """Write several documents as one record (one pickle and one write per chunk, not per document)."""
        if docs:
            self.write_record([pack(doc) for doc in docs])
            self.count += len(docs)

    def write_record(self, record: Any) -> None:
        """Write any picklable value (e.g. a chunk of encoded documents), read back by :meth:`records`."""
        self.write_pickled(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))

    def write_pickled(self, data: bytes) -> None:
        """Write a value pickled elsewhere (a worker) as it is; :meth:`records` unpickles it."""
        self._out.write(_LENGTH.pack(len(data)))
        self._out.write(data)
        self._records += 1

    def file(self, name: str) -> str:
        """A path for another file (e.g. an array) that lives and dies with this spill."""
        return os.path.join(self.dir, name)

    def read(self) -> Iterator[Document]:
        """The documents written, in order (when only documents were written)."""
        for rows in self.records():
            for row in rows:
                yield unpack(row)

    def records(self) -> Iterator[Any]:
        """Every record written, in order, once."""
        # Length-prefixed records cut from 4 MB reads: pickle.load on a file object makes several small
        # reads per record and was five times slower than the unpickling itself; a memory map would be as
        # fast but shows the whole spill file in the process's resident memory.
        self._out.close()
        with open(self.path, "rb", buffering=0) as handle:
            buffer = b""
            offset = 0
            for _ in range(self._records):
                while len(buffer) - offset < _LENGTH.size or len(buffer) - offset < _LENGTH.size + _LENGTH.unpack_from(
                        buffer, offset)[0]:
                    more = handle.read(_READ_SIZE)
                    if not more:
                        raise OSError(f"{self.path}: spill file ends early")
                    buffer = buffer[offset:] + more
                    offset = 0
                (size,) = _LENGTH.unpack_from(buffer, offset)
                start = offset + _LENGTH.size
                offset = start + size
                yield pickle.loads(buffer[start:offset])

    def close(self) -> None:
        if not self._out.closed:
            self._out.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def sweep_spills(directory: str | None, *, prefix: str = "corpusclean-spill-") -> list[str]:
    """Remove the spill folders under ``directory`` (default: the temporary directory) that runs killed
    before their clean-up left; the paths removed."""
    return sweep(directory or tempfile.gettempdir(), prefix)
