"""Drop pages made of the wrong characters: numbers, Latin, symbols, masking and mojibake residue."""

from __future__ import annotations

from typing import Any

from corpusclean.document import Document
from corpusclean.quality.signals import check_fraction, shared
from corpusclean.stage import Filter, Limit

_RULES = ("mojibake_ratio", "mask_ratio", "symbol_ratio", "digit_ratio", "latin_ratio")


class Composition(Filter):
    """Reject a document when one class of character takes too large a share of its non-space
    characters: digits (``digit_ratio``: price lists, number tables), Latin letters (``latin_ratio``),
    symbols (``symbol_ratio``: Unicode symbols, emoji, control and private-use characters — CJK ideographs
    and punctuation are never symbols here), masking residue (``mask_ratio``: "***" runs) and mojibake
    residue (``mojibake_ratio``: U+FFFD and 锟斤拷 still in the text, plus the characters the ``mojibake``
    repair stage had to cut, ``doc.meta["mojibake"]["lost_chars"]``, over the characters there were).
    The ``mojibake_filter`` stage judges what still looks garbled; this judges how much was lost.

    >>> doc = Document(id="1", text="代码 开盘 收盘\\n600519 1712.50 1725.00\\n000858 158.20 160.35")
    >>> Composition().check(doc)
    >>> doc.rejected.rule, doc.rejected.threshold
    ('digit_ratio', 0.5)
    """

    name = "composition"

    def __init__(self, *, max_digit_ratio: float = 0.5, max_latin_ratio: float = 0.5, max_symbol_ratio: float = 0.1,
                 max_mask_ratio: float = 0.05, max_mojibake_ratio: float = 0.01) -> None:
        self.max_digit_ratio = check_fraction("max_digit_ratio", max_digit_ratio)
        self.max_latin_ratio = check_fraction("max_latin_ratio", max_latin_ratio)
        self.max_symbol_ratio = check_fraction("max_symbol_ratio", max_symbol_ratio)
        self.max_mask_ratio = check_fraction("max_mask_ratio", max_mask_ratio)
        self.max_mojibake_ratio = check_fraction("max_mojibake_ratio", max_mojibake_ratio)
        # Shares are at most 1: a limit of 1 is off and costs nothing.
        self._limits = tuple((key, getattr(self, f"max_{key}")) for key in _RULES if getattr(self, f"max_{key}") < 1)

    def check(self, doc: Document) -> None:
        measured = shared(doc)
        for key, limit in self._limits:
            # The bound is the share itself for the class shares, and counts marked characters for masking and
            # mojibake residue: their regular expressions run only when the marks could reach the limit.
            if measured.composition_bound(key, doc.meta) <= limit:
                continue
            value = measured.composition_ratio(key, doc.meta)
            if value > limit:
                doc.reject(self.name, key, value=round(value, 4), threshold=limit)
                return

    def limits(self) -> tuple[Limit, ...]:
        return tuple(Limit(key, limit) for key, limit in self._limits)

    def measure(self, doc: Document) -> dict[str, float]:
        measured = shared(doc)
        return {key: measured.composition_ratio(key, doc.meta) for key, _ in self._limits}

    def describe(self) -> dict[str, Any]:
        return {"stage": self.name, **{f"max_{key}": getattr(self, f"max_{key}") for key in _RULES}}
