"""Drop documents too short to be worth training on once the noise is gone."""

from __future__ import annotations

import re

from corpusclean.document import Document
from corpusclean.stage import Filter, Limit

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def count_cjk(text: str) -> int:
    """Number of CJK ideographs in ``text``.

    >>> count_cjk("深圳 2020 年")
    3
    """
    return len(_CJK.findall(text))


class MinLength(Filter):
    """Reject a document with fewer than ``min_chars`` non-space characters or ``min_cjk`` CJK ideographs.

    >>> doc = Document(id="1", text="你好")
    >>> MinLength(min_cjk=5).check(doc)
    >>> doc.rejected.rule, doc.rejected.value, doc.rejected.threshold
    ('min_cjk', 2, 5)
    """

    name = "min_length"

    def __init__(self, *, min_chars: int = 1, min_cjk: int = 0) -> None:
        if min_chars < 0 or min_cjk < 0:
            raise ValueError("min_chars and min_cjk must be >= 0")
        self.min_chars = min_chars
        self.min_cjk = min_cjk

    def check(self, doc: Document) -> None:
        chars = len(doc.text) - doc.text.count(" ") - doc.text.count("\n")
        if chars < self.min_chars:
            doc.reject(self.name, "min_chars", value=chars, threshold=self.min_chars)
            return
        if self.min_cjk:
            cjk = count_cjk(doc.text)
            if cjk < self.min_cjk:
                doc.reject(self.name, "min_cjk", value=cjk, threshold=self.min_cjk)

    def limits(self) -> tuple[Limit, ...]:
        return tuple(limit for limit in (Limit("min_chars", self.min_chars, "min", "count"),
                                         Limit("min_cjk", self.min_cjk, "min", "count")) if limit.threshold)

    def measure(self, doc: Document) -> dict[str, float]:
        return {"min_chars": len(doc.text) - doc.text.count(" ") - doc.text.count("\n"),
                "min_cjk": count_cjk(doc.text)}
