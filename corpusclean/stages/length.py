"""Drop stubs with too little Chinese left after cleaning, and runaway pages too long to be one document."""

from __future__ import annotations

from typing import Any

from corpusclean.document import Document
from corpusclean.quality.signals import CJK, count_many, shared
from corpusclean.stage import Filter, Limit


class Length(Filter):
    """Reject a document with fewer than ``min_cjk`` CJK ideographs, or more than ``max_chars`` non-space
    characters (0 turns a bound off).

    Counting ideographs rather than characters keeps a page of links, numbers and Latin menu words from
    passing as long. ``min_length`` (kept for its simple ``min_chars`` floor) is the older, coarser check.

    >>> doc = Document(id="1", text="相关新闻\\n上一篇 下一篇")
    >>> Length(min_cjk=50).check(doc)
    >>> doc.rejected.rule, doc.rejected.value, doc.rejected.threshold
    ('too_few_cjk', 10, 50)
    """

    name = "length"

    def __init__(self, *, min_cjk: int = 30, max_chars: int = 1_000_000) -> None:
        for key, value in (("min_cjk", min_cjk), ("max_chars", max_chars)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{key} must be an integer >= 0, got {value!r}")
        self.min_cjk = min_cjk
        self.max_chars = max_chars

    def check(self, doc: Document) -> None:
        measured = shared(doc)
        cjk = measured.counts()[CJK]
        if cjk < self.min_cjk:
            doc.reject(self.name, "too_few_cjk", value=cjk, threshold=self.min_cjk)
            return
        chars = measured.nonspace()
        if self.max_chars and chars > self.max_chars:
            doc.reject(self.name, "too_long", value=chars, threshold=self.max_chars)

    def process_batch(self, docs: list[Document]) -> None:
        """:meth:`check` on a chunk, with the same results: the class counts of all its documents come from
        one numpy pass (:func:`~corpusclean.quality.signals.count_many`), which also leaves the code points
        and character classes the later quality stages share. Every document is measured before any is
        rejected.

        >>> docs = [Document(id="1", text="相关新闻\\n上一篇 下一篇"), Document(id="2", text="深圳" * 30)]
        >>> Length(min_cjk=50).process_batch(docs)
        >>> [doc.rejected and (doc.rejected.rule, doc.rejected.value) for doc in docs]
        [('too_few_cjk', 10), None]
        """
        count_many([shared(doc) for doc in docs])
        for doc in docs:
            self.check(doc)

    def limits(self) -> tuple[Limit, ...]:
        return tuple(limit for limit in (Limit("too_few_cjk", self.min_cjk, "min", "count"),
                                         Limit("too_long", self.max_chars, "max", "count")) if limit.threshold)

    def measure(self, doc: Document) -> dict[str, float]:
        measured = shared(doc)
        return {"too_few_cjk": measured.counts()[CJK], "too_long": measured.nonspace()}

    def describe(self) -> dict[str, Any]:
        return {"stage": self.name, "min_cjk": self.min_cjk, "max_chars": self.max_chars}
