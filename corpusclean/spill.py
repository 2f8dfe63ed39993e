"""A temporary file that holds processed documents while a corpus stage decides, then streams them back.

Deduplication cannot emit a document before it has seen the whole corpus (a later document can link two
earlier clusters), and holding the corpus in memory would not scale. Documents are pickled to a file in
a private temporary directory (``TMPDIR`` or ``directory``), read back once in the same order, and the
directory is removed on :meth:`close`, also after an error, so runs do not fill ``/tmp``.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

from corpusclean.document import Document


class Spill:
    """Write documents, then read them back in the same order (once).

    >>> spill = Spill()
    >>> spill.write(Document(id="1", text="你好"))
    >>> spill.write(Document(id="2", text="世界"))
    >>> [doc.text for doc in spill.read()]
    ['你好', '世界']
    >>> spill.close()
    """

    def __init__(self, directory: str | None = None, *, prefix: str = "corpusclean-spill-") -> None:
        self.dir = tempfile.mkdtemp(prefix=prefix, dir=directory)
        self.path = os.path.join(self.dir, "documents.pickle")
        self._out: Any = open(self.path, "wb", buffering=1 << 20)  # noqa: SIM115 (closed in read/close)
        self.count = 0

    def write(self, doc: Document) -> None:
        pickle.dump(doc, self._out, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def file(self, name: str) -> str:
        """A path for another file (e.g. an array) that lives and dies with this spill."""
        return os.path.join(self.dir, name)

    def read(self) -> Iterator[Document]:
        self._out.close()
        with open(self.path, "rb", buffering=1 << 20) as handle:
            for _ in range(self.count):
                yield pickle.load(handle)

    def close(self) -> None:
        if not self._out.closed:
            self._out.close()
        shutil.rmtree(self.dir, ignore_errors=True)
