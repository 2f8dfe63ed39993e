"""Drop pages that are not running text: titles, menus and lists rather than sentences."""

from __future__ import annotations

from typing import Any

from corpusclean.document import Document
from corpusclean.quality.signals import check_fraction, shared
from corpusclean.stage import Filter, Limit

_RULES = ("no_end_punct_frac", "short_line_frac", "list_frac")


class Structure(Filter):
    """Reject a document whose characters sit mostly in lines that do not end a sentence (rule
    ``no_end_punct_frac``), in lines shorter than ``short_line_chars`` (``short_line_frac``), or in list
    items (``list_frac``). Shares are weighted by characters, so an article's headline does not count much
    and a list of headlines counts fully. Chinese sentence ends (。！？…；： and closing quotes) count.

    >>> tail = "\\n".join(["89. 优美歌声唱起来", "90. 华山商贸区领导到平安社区进行调研", "91. 皇姑区举行推介会"])
    >>> doc = Document(id="1", text=tail)
    >>> Structure(max_no_end_punct_frac=0.95).check(doc)
    >>> doc.rejected.rule, doc.rejected.value
    ('no_end_punct_frac', 1.0)
    """

    name = "structure"

    def __init__(self, *, max_no_end_punct_frac: float = 1.0, max_short_line_frac: float = 0.7,
                 max_list_frac: float = 1.0, short_line_chars: int = 10) -> None:
        self.max_no_end_punct_frac = check_fraction("max_no_end_punct_frac", max_no_end_punct_frac)
        self.max_short_line_frac = check_fraction("max_short_line_frac", max_short_line_frac)
        self.max_list_frac = check_fraction("max_list_frac", max_list_frac)
        if isinstance(short_line_chars, bool) or not isinstance(short_line_chars, int) or short_line_chars < 1:
            raise ValueError(f"short_line_chars must be an integer >= 1, got {short_line_chars!r}")
        self.short_line_chars = short_line_chars
        # Shares are at most 1: a limit of 1 is off, and the share is not even measured.
        self._limits = tuple((key, getattr(self, f"max_{key}")) for key in _RULES if getattr(self, f"max_{key}") < 1)
        self._only = tuple(key for key, _ in self._limits)

    def check(self, doc: Document) -> None:
        if not self._limits:
            return  # every share is at most 1: nothing to measure
        measured = shared(doc)
        only = self._only
        if self.max_short_line_frac < 1 and \
                measured.short_line_bound(self.short_line_chars) <= self.max_short_line_frac:
            only = tuple(key for key in only if key != "short_line_frac")  # cannot fail: not measured (0.0)
            if not only:
                return
        signals = measured.line_structure(short_line_chars=self.short_line_chars, only=only)
        for key, limit in self._limits:
            if signals[key] > limit:
                doc.reject(self.name, key, value=round(signals[key], 4), threshold=limit)
                return

    def limits(self) -> tuple[Limit, ...]:
        return tuple(Limit(key, limit) for key, limit in self._limits)

    def measure(self, doc: Document) -> dict[str, float]:
        if not self._limits:
            return {}
        signals = shared(doc).line_structure(short_line_chars=self.short_line_chars, only=self._only)
        return {key: signals[key] for key in self._only}

    def describe(self) -> dict[str, Any]:
        return {"stage": self.name, "max_no_end_punct_frac": self.max_no_end_punct_frac,
                "max_short_line_frac": self.max_short_line_frac, "max_list_frac": self.max_list_frac,
                "short_line_chars": self.short_line_chars}
