"""Documents as tuples of built-in values, for the trips they make between processes and through a spill.

Pickling a slotted dataclass runs Python code per object on both ends (``copyreg`` and ``__setstate__``
for every document, removal and rejection): a worker sending documents back, or a spill read, paid about
60 us per document. A tuple of built-ins pickles in C. The tuples carry every field of the dataclasses,
read from their definitions, so a field added to :class:`~corpusclean.document.Document` travels too.
"""

from __future__ import annotations

import dataclasses
import operator
from typing import Any

from corpusclean.document import Document, Rejection, Removal

_DOC = tuple(f.name for f in dataclasses.fields(Document))
_REMOVALS = _DOC.index("removals")
_REJECTED = _DOC.index("rejected")
_doc_fields = operator.attrgetter(*_DOC)
_removal_fields = operator.attrgetter(*(f.name for f in dataclasses.fields(Removal)))
_rejection_fields = operator.attrgetter(*(f.name for f in dataclasses.fields(Rejection)))


def pack(doc: Document) -> tuple[Any, ...]:
    """Every field of ``doc`` as built-in values (removals and the rejection as tuples).

    >>> doc = Document(id="1", text="正文", meta={"script": "simplified"})
    >>> doc.record_removal("rules", "copyright", "版权所有", line=1)
    >>> doc.reject("min_length", "min_chars", value=2, threshold=5)
    >>> unpack(pack(doc)) == doc
    True
    """
    row = list(_doc_fields(doc))
    row[_REMOVALS] = [_removal_fields(removal) for removal in doc.removals]
    if doc.rejected is not None:
        row[_REJECTED] = _rejection_fields(doc.rejected)
    return tuple(row)


def unpack(row: tuple[Any, ...]) -> Document:
    """The document :func:`pack` made ``row`` from."""
    values = list(row)
    if values[_REMOVALS]:
        values[_REMOVALS] = [Removal(*removal) for removal in values[_REMOVALS]]
    if values[_REJECTED] is not None:
        values[_REJECTED] = Rejection(*values[_REJECTED])
    return Document(*values)
