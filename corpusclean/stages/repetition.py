"""Drop documents that repeat themselves: Gopher's repetition filters, on characters instead of words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from corpusclean.document import Document
from corpusclean.quality.signals import (
    Measurements,
    check_fraction,
    joined_measurements,
    ngrams_within_many,
    shared,
    unrepeated_lines_many,
)
from corpusclean.stage import Filter, Limit

_LINE_RULES = ("dup_line_frac", "dup_line_char_frac", "dup_para_frac", "dup_para_char_frac")


def _ngram_limits(name: str, pairs: Sequence[Sequence[float]], allowed: range) -> tuple[tuple[int, float], ...]:
    """``[[n, max_fraction], ...]`` from the recipe, validated."""
    out = []
    for pair in pairs:
        if not isinstance(pair, list | tuple) or len(pair) != 2 or isinstance(pair[0], bool) or \
                not isinstance(pair[0], int) or pair[0] not in allowed:
            raise ValueError(f"{name} must be a list of [n, max_fraction] pairs with n in "
                             f"{allowed.start}..{allowed.stop - 1}, got {pair!r}")
        out.append((pair[0], check_fraction(f"{name} for n={pair[0]}", pair[1])))
    return tuple(sorted(out))


class Repetition(Filter):
    """Reject a document whose lines or paragraphs repeat, or whose character n-grams do.

    Rules (each value is a share, the threshold its maximum): ``dup_line_frac`` (lines repeating an earlier
    line), ``dup_line_char_frac`` (characters in them), ``dup_para_frac``, ``dup_para_char_frac`` (the same
    for paragraphs), ``top_{n}gram_frac`` (characters covered by the most frequent character n-gram, for
    each ``[n, max]`` in ``top_ngram_frac``) and ``dup_{n}gram_frac`` (characters inside n-grams that occur
    twice or more, for each ``[n, max]`` in ``dup_ngram_frac``). Punctuation and spaces are not part of
    the n-grams. See :mod:`corpusclean.quality.signals`.

    >>> doc = Document(id="1", text="\\n".join(["毕节试验区实现新跨越。"] * 5 + ["深圳对口帮扶二十年。"]))
    >>> Repetition().check(doc)
    >>> doc.rejected.rule, round(doc.rejected.value, 2)
    ('dup_line_frac', 0.67)
    """

    name = "repetition"

    def __init__(self, *, max_dup_line_frac: float = 0.4, max_dup_line_char_frac: float = 0.25,
                 max_dup_para_frac: float = 0.4, max_dup_para_char_frac: float = 0.25,
                 top_ngram_frac: Sequence[Sequence[float]] = ((2, 0.2), (3, 0.18), (4, 0.18)),
                 dup_ngram_frac: Sequence[Sequence[float]] = ((5, 0.6), (6, 0.6), (7, 0.6), (8, 0.6),
                                                               (9, 0.6), (10, 0.6))) -> None:
        self.max_dup_line_frac = check_fraction("max_dup_line_frac", max_dup_line_frac)
        self.max_dup_line_char_frac = check_fraction("max_dup_line_char_frac", max_dup_line_char_frac)
        self.max_dup_para_frac = check_fraction("max_dup_para_frac", max_dup_para_frac)
        self.max_dup_para_char_frac = check_fraction("max_dup_para_char_frac", max_dup_para_char_frac)
        self.top_ngram_frac = _ngram_limits("top_ngram_frac", top_ngram_frac, range(1, 11))
        self.dup_ngram_frac = _ngram_limits("dup_ngram_frac", dup_ngram_frac, range(2, 31))
        self._line_limits = tuple((key, getattr(self, f"max_{key}")) for key in _LINE_RULES)

    def check(self, doc: Document) -> None:
        measured = shared(doc)
        excess = self._line_excess(measured)
        if excess is None:
            # Only the n-gram measures that could fail are computed (see Measurements.ngram_excess).
            excess = measured.ngram_excess(self.top_ngram_frac, self.dup_ngram_frac)
        if excess is not None:
            key, value, limit = excess
            doc.reject(self.name, key, value=round(value, 4), threshold=limit)

    def process_batch(self, docs: list[Document]) -> None:
        """:meth:`check` on a chunk, with the same results: the character-pair bounds that settle the n-gram
        measures of almost every document are computed for the chunk at once
        (:func:`~corpusclean.quality.signals.ngrams_within_many`), and so are the line breaks that prove most
        documents repeat no line (:func:`~corpusclean.quality.signals.unrepeated_lines_many`); the few documents
        they do not settle are measured one by one as ``check`` does. Every document is measured before any is rejected.

        >>> texts = ["今天天气很好，我们一起去公园散步，看见湖边的柳树发了新芽，孩子们在草地上追逐嬉戏。",
        ...          "好好学习天天向上" * 8, "今天天气很好。\\n今天天气很好。\\n明天我们一起去公园散步。"]
        >>> one, many = ([Document(id=str(n), text=t) for n, t in enumerate(texts)] for _ in range(2))
        >>> for doc in one:
        ...     Repetition().check(doc)
        >>> Repetition().process_batch(many)
        >>> [d.rejected and d.rejected.as_dict() for d in one] == [d.rejected and d.rejected.as_dict() for d in many]
        True
        >>> [d.rejected and d.rejected.rule for d in many]
        [None, 'top_2gram_frac', 'dup_line_char_frac']
        """
        measured = [shared(doc) for doc in docs]
        joined = joined_measurements(measured)
        # No repeated line: every line share is 0.0, within any limit.
        found = [None if clear else self._line_excess(m)
                 for m, clear in zip(measured, unrepeated_lines_many(measured, joined), strict=True)]
        open_ = [k for k, excess in enumerate(found) if excess is None]
        settled = ngrams_within_many([measured[k] for k in open_], self.top_ngram_frac, self.dup_ngram_frac,
                                     joined if len(open_) == len(measured) else None)
        for k, within in zip(open_, settled, strict=True):
            if not within:
                found[k] = measured[k].ngram_excess(self.top_ngram_frac, self.dup_ngram_frac)
        for doc, excess in zip(docs, found, strict=True):
            if excess is not None:
                key, value, limit = excess
                doc.reject(self.name, key, value=round(value, 4), threshold=limit)

    def _line_excess(self, measured: Measurements) -> tuple[str, float, float] | None:
        """The first line or paragraph measure above its limit, ``(rule, value, limit)``, or None."""
        dup = measured.duplicate_lines()
        for key, limit in self._line_limits:
            if dup[key] > limit:
                return key, dup[key], limit
        return None

    def limits(self) -> tuple[Limit, ...]:
        return (*(Limit(key, limit) for key, limit in self._line_limits),
                *(Limit(f"top_{n}gram_frac", limit) for n, limit in self.top_ngram_frac),
                *(Limit(f"dup_{n}gram_frac", limit) for n, limit in self.dup_ngram_frac))

    def measure(self, doc: Document) -> dict[str, float]:
        measured = shared(doc)
        lines = measured.duplicate_lines()
        values = {key: lines[key] for key in _LINE_RULES}
        values.update(measured.ngram_repetition(top_ns=[n for n, _ in self.top_ngram_frac],
                                                dup_ns=[n for n, _ in self.dup_ngram_frac]))
        return values

    def describe(self) -> dict[str, Any]:
        return {"stage": self.name, "max_dup_line_frac": self.max_dup_line_frac,
                "max_dup_line_char_frac": self.max_dup_line_char_frac, "max_dup_para_frac": self.max_dup_para_frac,
                "max_dup_para_char_frac": self.max_dup_para_char_frac,
                "top_ngram_frac": [list(p) for p in self.top_ngram_frac],
                "dup_ngram_frac": [list(p) for p in self.dup_ngram_frac]}
