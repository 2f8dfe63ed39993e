"""Drop documents that are still mostly mojibake after repair."""

from __future__ import annotations

from corpusclean.document import Document
from corpusclean.stage import Filter, Limit
from corpusclean.stages.normalize import take_no_gate_sign
from corpusclean.text.mojibake import mojibake_share


class MojibakeFilter(Filter):
    """Reject a document when the share of its characters that still look like mojibake
    (:func:`~corpusclean.text.mojibake.mojibake_share`) exceeds ``max_share``.

    Text that was repaired is clean again and passes; what remains is text whose bytes were lost (UTF-8
    read as Big5, runs of U+FFFD), which no model should learn from.

    >>> doc = Document(id="1", text="雿�憟賭�����嚗����隞�")
    >>> MojibakeFilter().check(doc)
    >>> doc.rejected.rule, doc.rejected.value > doc.rejected.threshold
    ('mojibake_share', True)
    """

    name = "mojibake_filter"

    def __init__(self, *, max_share: float = 0.05) -> None:
        if not 0.0 <= max_share <= 1.0:
            raise ValueError(f"max_share must be between 0 and 1, got {max_share}")
        self.max_share = max_share

    def check(self, doc: Document) -> None:
        if take_no_gate_sign(doc):  # normalize saw no character a sign of mojibake needs: share 0
            return
        share = mojibake_share(doc.text)
        if share > self.max_share:
            doc.reject(self.name, "mojibake_share", value=round(share, 4), threshold=self.max_share)

    def limits(self) -> tuple[Limit, ...]:
        return (Limit("mojibake_share", self.max_share),)

    def measure(self, doc: Document) -> dict[str, float]:
        return {"mojibake_share": mojibake_share(doc.text)}
