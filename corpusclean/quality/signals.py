"""Document quality signals for Chinese text: pure measurements, no decisions.

The quality filter stages (``length``, ``language``, ``repetition``, ``structure``, ``composition``,
``spam``) call these functions and compare the results with thresholds from the recipe;
``corpusclean stats`` calls the same functions to print their distributions over a corpus, so the
thresholds a user picks are measured with exactly the code that applies them.

Everything is designed for Chinese rather than translated from English filters:

* CJK ideographs are letters, never "special characters"; full-width punctuation is punctuation.
* Repetition works on characters (Chinese has no spaces to split words on): the Gopher/FineWeb word
  n-gram measures are computed over the sequence of non-space, non-punctuation characters.
* Sentence ends include 。！？…；： and lines that close with a quote or bracket after them.
* Line-based measures are weighted by characters, so a long article followed by a short list of
  links is judged mostly by the article (the list is the boilerplate stages' job).

Character classes are looked up in one table over the code points (numpy), so all ratios of a document
cost one pass. The same table marks the few characters some measures look for (phrase separators, masking
characters, mojibake markers): counting the marks bounds those measures, and on clean text the bounds settle
the decision without running their regular expressions.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from corpusclean.quality.charclasses import (
    _IS_CONTENT,
    _IS_RUN,
    _LIST_ITEM,
    _MASK,
    _MASK_CHARS,
    _MOJIBAKE,
    _PHRASE_SPLIT,
    _PHRASES,
    _TRAILING_NOTE,
    CJK,
    CLASS_NAMES,
    CLOSERS,
    DIGIT,
    LATIN,
    LETTER,
    MASK_MARK,
    MOJIBAKE_MARK,
    OTHER,
    SENTENCE_END,
    SEPARATOR_MARK,
    SPACE,
    SYMBOL,
    _class_table,
)
from corpusclean.quality.keywords import (
    KeywordPack,
    default_keywords,
)
from corpusclean.quality.ngram_bounds import (
    _CONTENT_LO,
    _CONTENT_SPAN,
    _ONES,
    _ONES64,
    _POWERS,
    _S16,
    _S21,
    _S42,
    _TOP_BIT,
    _char_gram_keys,
    _covered_by_repeats,
    _has_run_longer,
    _largest_count,
    _longest_run,
    _lost_chars,
    _polynomial_hash,
    _run_extras,
    _top_allowed,
    _top_within,
)
from corpusclean.text.codepoints import code_points, joined_code_points, joined_prefixes, segment_bincounts


def _nonspace_len(text: str) -> int:
    """Characters of ``text`` that are not white space (``str.split`` runs in C).

    >>> _nonspace_len("深圳 2020\\u3000年\\n")
    7
    """
    return sum(map(len, text.split()))


class Measurements:
    """One document's text and the arrays several signals share (code points, character classes, class
    counts, lines, n-gram characters), each computed once, on first use.

    The quality stages run one after another on the same text, so they share one ``Measurements`` through
    :func:`shared`, which keeps it in ``doc.scratch`` tied to the text object it measured: an editor that
    changes the text leaves a new string, and the stale measurements are not reused. Pickling drops the
    cached arrays (a document travelling between processes carries only an empty cache).

    >>> m = Measurements("深圳 2020 年GDP增长，\\n\\n深圳 2020 年GDP增长，")
    >>> m.class_counts()["cjk"], m.nonspace(), m.duplicate_lines()["dup_line_frac"]
    (10, 26, 0.5)
    """

    __slots__ = ("_cjk_ratio", "_classes", "_content", "_counts", "_cps", "_dup", "_entries", "_hashes", "_lines",
                 "_marks", "_pairs", "_weights", "text")

    def __init__(self, text: str | None) -> None:
        self.text = text
        self._cps: np.ndarray | None = None
        self._classes: np.ndarray | None = None
        self._counts: list[int] | None = None
        self._entries: list[int] | None = None  # characters per table entry (class * 4 + mark)
        self._marks: list[int] | None = None
        self._pairs: list[np.ndarray | None] | None = None
        self._lines: list[str] | None = None
        self._content: np.ndarray | None = None
        self._weights: np.ndarray | None = None
        self._hashes: dict[int, np.ndarray] = {}
        # Kept once measured: the language stage's cjk_ratio and the repetition stage's duplicate lines are
        # features of the quality score too.
        self._cjk_ratio: float | None = None
        self._dup: dict[str, float] | None = None

    def __reduce__(self) -> tuple[type, tuple[None]]:
        return (Measurements, (None,))

    # --- shared arrays -----------------------------------------------------------------------------

    def codepoints(self) -> np.ndarray:
        if self._cps is None:
            self._cps = code_points(self.text or "")
        return self._cps

    def classes(self) -> np.ndarray:
        """Each character's table entry, ``class * 4 + mark`` (``>> 2`` is the class)."""
        if self._classes is None:
            self._classes = np.take(_class_table(), self.codepoints())
        return self._classes

    def counts(self) -> list[int]:
        """Characters per class, indexed by ``SPACE`` ... ``OTHER``."""
        if self._counts is None:
            entries = self._entries = np.bincount(self.classes(), minlength=4 * len(CLASS_NAMES)).tolist()
            self._counts = [a + b + c + d for a, b, c, d in zip(*[iter(entries)] * 4, strict=True)]
        return self._counts

    def marks(self) -> list[int]:
        """Characters per mark, indexed by ``NO_MARK`` ... ``MOJIBAKE_MARK``.

        >>> Measurements("锟斤拷，CZ***74").marks()[1:]
        [1, 3, 1]
        """
        if self._marks is None:
            self.counts()
            self._marks = [sum(self._entries[mark::4]) for mark in range(4)]  # type: ignore[index]
        return self._marks

    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = (self.text or "").split("\n")
        return self._lines

    def content(self) -> np.ndarray:
        """The tokens n-gram measures see, as 64-bit ids: each CJK ideograph (or other letter) is a token, and
        so is each run of Latin letters or of digits (its id is a hash with the top bit set; a one-character
        token's id is its code point). Spaces, punctuation and symbols are not tokens. :meth:`weights` gives
        each token's length in characters."""
        if self._content is None:
            classes = self.classes()
            where = np.flatnonzero(_IS_CONTENT[classes])
            kinds = classes[where] >> 2
            ids = self.codepoints()[where].astype(np.uint64)
            joins = None
            if len(where) > 1:
                # A character continues the token before it if both are Latin (or both digits) and adjacent.
                joins = _IS_RUN[kinds[1:]] & (kinds[1:] == kinds[:-1]) & (where[1:] == where[:-1] + 1)
            if joins is None or not joins.any():
                self._content, self._weights = ids, None
            else:
                starts = np.flatnonzero(np.concatenate(([True], ~joins)))
                lengths = np.diff(np.append(starts, len(ids)))
                offsets = np.arange(len(ids)) - np.repeat(starts, lengths)
                tokens = np.add.reduceat(ids * _POWERS[offsets % len(_POWERS)], starts)
                tokens[lengths > 1] |= _TOP_BIT
                self._content, self._weights = tokens, lengths
        return self._content

    def weights(self) -> np.ndarray | None:
        """Characters per token of :meth:`content`, or None when every token is one character."""
        self.content()
        return self._weights

    def content_chars(self) -> int:
        """Characters in the tokens (the denominator of every n-gram share)."""
        weights = self.weights()
        return len(self.content()) if weights is None else int(weights.sum())

    def _gram_chars(self, n: int) -> np.ndarray:
        """Characters in each n-gram of tokens (only when some token is longer than one character)."""
        return np.convolve(self.weights(), _ONES64[:n])[n - 1 : len(self.content())]  # type: ignore[arg-type]

    def max_gram_chars(self, n: int) -> int:
        """Characters in the longest n-gram of tokens."""
        if self.weights() is None:
            return n
        sizes = self._gram_chars(n)
        return int(sizes.max()) if len(sizes) else 0

    # --- composition -------------------------------------------------------------------------------

    def class_counts(self) -> dict[str, int]:
        return dict(zip(CLASS_NAMES, self.counts(), strict=True))

    def nonspace(self) -> int:
        return len(self.text or "") - self.counts()[SPACE]

    def cjk_ratio(self) -> float:
        """CJK ideographs over all words: an ideograph is a word, and so is a run of Latin letters (one
        pinyin syllable or English word stands for about one ideograph, where counting its letters would
        weigh it four times); letters of other scripts (kana, hangul, Cyrillic...) count one by one."""
        if self._cjk_ratio is None:
            self._cjk_ratio = self._measure_cjk_ratio()
        return self._cjk_ratio

    def _measure_cjk_ratio(self) -> float:
        counts = self.counts()
        if not counts[LATIN]:
            letters = counts[CJK] + counts[LETTER]
            return counts[CJK] / letters if letters else 0.0
        latin = (self.classes() >> 2) == LATIN
        words = int(latin[0]) + int(np.count_nonzero(latin[1:] > latin[:-1]))
        return counts[CJK] / (counts[CJK] + words + counts[LETTER])

    def composition(self) -> dict[str, float]:
        return {name: self.composition_ratio(name) for name in _COMPOSITION}

    def composition_ratio(self, name: str, meta: dict[str, Any] | None = None) -> float:
        """One share of :meth:`composition` (``meta`` only matters to ``mojibake_ratio``), measured alone."""
        if name == "cjk_ratio":
            return self.cjk_ratio()
        if name == "mojibake_ratio":
            return self.mojibake_ratio(meta)
        denominator = max(self.nonspace(), 1)
        if name == "mask_ratio":
            return mask_chars(self.text or "") / denominator
        counts = self.counts()
        if name == "symbol_ratio":
            return (counts[SYMBOL] + counts[OTHER]) / denominator
        return counts[LATIN if name == "latin_ratio" else DIGIT] / denominator

    def composition_bound(self, name: str, meta: dict[str, Any] | None = None) -> float:
        """At least :meth:`composition_ratio` ``(name, meta)``, from the counts alone: the same share for a class,
        and the marked characters for masking (every ``***`` character is marked) and mojibake residue (each
        marker starts at most three characters of it). On clean text the marks are zero and no regular
        expression runs.

        >>> m = Measurements("乘坐 CZ***74 航班，12 x 3")
        >>> m.composition_bound("mask_ratio") >= m.composition_ratio("mask_ratio") > 0
        True
        """
        if name == "mask_ratio":
            return self.marks()[MASK_MARK] / max(self.nonspace(), 1)
        if name == "mojibake_ratio":
            lost = _lost_chars(meta)
            return (3 * self.marks()[MOJIBAKE_MARK] + lost) / max(self.nonspace() + lost, 1)
        return self.composition_ratio(name, meta)

    def mojibake_ratio(self, meta: dict[str, Any] | None = None) -> float:
        lost = _lost_chars(meta)
        residue = mojibake_chars(self.text or "")
        return (residue + lost) / max(self.nonspace() + lost, 1)

    # --- lines -------------------------------------------------------------------------------------

    def line_structure(self, *, short_line_chars: int = 10,
                       only: Iterable[str] | None = None) -> dict[str, float]:
        """See :func:`line_structure`. ``only`` names the shares wanted (default all three): a share not
        asked for is not measured (its value is 0.0); the short-line share alone needs no per-line regex."""
        wanted = set(_LINE_SHARES if only is None else only)
        sizes = [(line, sum(map(len, line.split()))) for line in self.lines()]
        if "no_end_punct_frac" not in wanted and "list_frac" not in wanted:
            total = short = lines = 0
            for _, size in sizes:
                if size:
                    lines += 1
                    total += size
                    if size < short_line_chars:
                        short += size
            return {"lines": lines, "no_end_punct_frac": 0.0, "short_line_frac": short / max(total, 1),
                    "list_frac": 0.0}
        present = sorted(size for _, size in sizes if size)
        width = present[int(0.9 * (len(present) - 1))] if present else 0
        wrap_at = 0.85 * width if width >= 20 else float("inf")
        lists = "list_frac" in wanted
        total = no_end = short = listed = 0
        lines = 0
        unit = 0  # characters of wrapped lines waiting for the line that ends their sentence
        for line, size in sizes:
            if not size:
                no_end += unit
                unit = 0
                continue
            lines += 1
            total += size
            # Most lines end in 。 or another end mark: then no bracketed note or closer can follow it.
            if line[-1] in SENTENCE_END or ends_sentence(line):
                unit = 0
            elif size >= wrap_at:
                unit += size
            else:
                no_end += unit + size
                unit = 0
            if size < short_line_chars:
                short += size
            if lists and _LIST_ITEM.match(line):
                listed += size
        no_end += unit
        denominator = max(total, 1)
        return {
            "lines": lines,
            "no_end_punct_frac": no_end / denominator if "no_end_punct_frac" in wanted else 0.0,
            "short_line_frac": short / denominator,
            "list_frac": listed / denominator,
        }

    def short_line_bound(self, short_line_chars: int = 10) -> float:
        """At least ``line_structure(short_line_chars=...)["short_line_frac"]``, without reading the lines: each
        line counted as short has at most ``short_line_chars - 1`` characters (the shares' denominator, the
        non-space characters of all lines, is :meth:`nonspace`).

        >>> m = Measurements("首页\\n新闻\\n今天天气很好，我们一起去公园散步。")
        >>> m.short_line_bound() >= m.line_structure()["short_line_frac"]
        True
        """
        text = self.text or ""
        # Alone (no class counts yet), str.split counts the same non-space characters in C.
        nonspace = self.nonspace() if self._counts is not None else _nonspace_len(text)
        return min(1.0, (short_line_chars - 1) * (text.count("\n") + 1) / max(nonspace, 1))

    def duplicate_lines(self) -> dict[str, float]:
        """The four shares of :func:`duplicate_lines` (a new dict each call; measured once)."""
        if self._dup is None:
            self._dup = self._measure_duplicate_lines()
        return dict(self._dup)

    def _measure_duplicate_lines(self) -> dict[str, float]:
        lines = self.lines()
        stripped = list(map(str.strip, lines))
        distinct = set(stripped)
        distinct.discard("")
        if len(distinct) == len(stripped) - stripped.count(""):
            # No line repeats, so no paragraph does either (equal paragraphs start with equal lines).
            return _NO_DUPLICATES  # (duplicate_lines hands out copies)
        # A line without a letter or digit ("| | |", "* * *", "————") is layout, not text: like a blank line
        # it is not counted (a page of tables repeats its row separators on every other line).
        worded = [line for line in stripped if line and _HAS_WORD.search(line)]
        dup_line, dup_line_chars = _dup_fractions(worded)
        if all(stripped) or not worded:
            # No blank line, so one paragraph (or none): nothing repeats.
            dup_para, dup_para_chars = 0.0, 0.0
        else:
            paragraphs = [p for p in _paragraphs(lines, stripped) if _HAS_WORD.search(p)]
            if paragraphs == worded:  # every paragraph is one line
                dup_para, dup_para_chars = dup_line, dup_line_chars
            else:
                dup_para, dup_para_chars = _dup_fractions(paragraphs)
        return {
            "dup_line_frac": dup_line,
            "dup_line_char_frac": dup_line_chars,
            "dup_para_frac": dup_para,
            "dup_para_char_frac": dup_para_chars,
        }

    # --- n-grams -----------------------------------------------------------------------------------

    def _ngram_keys(self, n: int) -> np.ndarray:
        """One 64-bit key per n-gram of :meth:`content`: exact for n <= 3 (three 21-bit code points fit),
        a polynomial hash above, ``sum(c[i + j] * B ** (n - 1 - j))`` (arithmetic wraps modulo 2**64,
        deterministic), built by doubling: h_2k[i] = h_k[i] * B**k + h_k[i + k]."""
        cps = self.content()
        if n == 1:
            return cps
        if self.weights() is not None:  # token ids use 64 bits: hash every length
            return _polynomial_hash(cps, n, self._hashes)
        if n == 2:
            return (cps[:-1] << _S21) | cps[1:]
        if n == 3:
            return (cps[:-2] << _S42) | (cps[1:-1] << _S21) | cps[2:]
        return _polynomial_hash(cps, n, self._hashes)

    def top_ngram_count(self, n: int) -> int:
        """How many times the most frequent content n-gram occurs."""
        keys = self._ngram_keys(n)
        if len(keys) < 2:
            return len(keys)
        return _longest_run(np.sort(keys))

    def top_ngram_chars(self, n: int) -> int:
        """Characters covered by the occurrences of the most frequent n-gram (of equally frequent ones, the
        shortest: frequency is the evidence of repetition, not length; with one-character tokens, the count
        times n)."""
        if self.weights() is None:
            return self.top_ngram_count(n) * n
        keys = self._ngram_keys(n)
        if len(keys) == 0:
            return 0
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        firsts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
        counts = np.diff(np.append(firsts, len(keys)))
        most = counts.max()
        return int(most * self._gram_chars(n)[order[firsts[counts == most]]].min())

    def dup_ngram_chars(self, n: int) -> int:
        """Content characters that lie inside an n-gram occurring twice or more."""
        keys = self._ngram_keys(n)
        if len(keys) < 2:
            return 0
        order = np.argsort(keys)
        ordered = keys[order]
        same = ordered[1:] == ordered[:-1]
        if not same.any():
            return 0
        repeated = np.zeros(len(keys), dtype=bool)
        repeated[1:] |= same
        repeated[:-1] |= same
        starts = np.zeros(len(keys), dtype=np.int8)
        starts[order[repeated]] = 1
        # A token is covered if one of the n starts at or before it begins a repeated n-gram.
        covered = np.convolve(starts, _ONES[:n])[: len(self.content())]
        weights = self.weights()
        return int(np.count_nonzero(covered)) if weights is None else int(weights[covered > 0].sum())

    def ngram_repetition(self, *, top_ns: Iterable[int] = (2, 3, 4),
                         dup_ns: Iterable[int] = (5, 6, 7, 8, 9, 10)) -> dict[str, float]:
        total = self.content_chars()
        out: dict[str, float] = {}
        for n in sorted(set(top_ns)):
            out[f"top_{n}gram_frac"] = min(1.0, self.top_ngram_chars(n) / total) if total else 0.0
        for n in sorted(set(dup_ns)):
            out[f"dup_{n}gram_frac"] = self.dup_ngram_chars(n) / total if total else 0.0
        return out

    def _content_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """The content characters' code points (uint32) and a 32-bit key of each adjacent pair (exact for BMP
        characters, a hash otherwise: for bounds only, a collision can only raise a count)."""
        if self._pairs is None:
            chars = self.codepoints()[(self.classes() - _CONTENT_LO) < _CONTENT_SPAN]
            self._pairs = [chars, (chars[:-1] << _S16) ^ chars[1:], None]
        return self._pairs[0], self._pairs[1]

    def sorted_pairs(self) -> np.ndarray:
        """The keys of :meth:`_content_pairs`, sorted (once: the n-gram and phrase bounds share it)."""
        _, pairs = self._content_pairs()
        if self._pairs[2] is None:  # type: ignore[index]
            self._pairs[2] = np.sort(pairs)  # type: ignore[index]
        return self._pairs[2]  # type: ignore[index]

    def ngrams_within(self, top: Sequence[tuple[int, float]], dup: Sequence[tuple[int, float]]) -> bool:
        """True when bounds read from the characters alone, before any token is built, prove that no measure
        of :meth:`ngram_excess` is above its limit (``top`` and ``dup`` sorted by n); False means "measure",
        not "repetitive". On clean prose this is one sort of about a thousand numbers (the pair sort, which
        :meth:`repeated_phrases_within` shares).

        The content characters are read as one string (a Latin word or a number is not one token yet):

        * a token n-gram (n >= 2) occurs no more often than the character pair it starts with, so its count
          ``k`` is at most the count of the most frequent pair;
        * it has n characters plus the extra characters of its Latin words and numbers: ``k`` times those is
          at most ``k`` times the n largest extras of the document's runs, and at most n times the largest
          (extra characters x runs of that length), since a token occurs no more often than runs of its length.
          Both are at most the document's Latin letters and digits, less one: those counts are tried first,
          and the runs are read only when they do not settle it;
        * a character inside a repeated token n-gram is inside a repeated character n-gram (each of the gram's
          characters is inside n of its characters that occur again), and so inside a repeated character pair;
          repeated character n-grams start at most twice as often as the extra occurrences one sort counts
          (pairs first, then n-grams); the keys may be hashed (a collision only adds occurrences).

        >>> Measurements("天地玄黄宇宙洪荒日月盈昃辰宿列张").ngrams_within([(2, 0.2)], [(5, 0.6)])
        True
        >>> Measurements("好好学习天天向上" * 8).ngrams_within([(2, 0.3)], [(5, 0.6)])
        False
        """
        if top and top[0][0] < 2:
            return False  # a single token's count is not bounded by a pair's: measured
        counts = self.counts()
        total = counts[CJK] + counts[LATIN] + counts[DIGIT] + counts[LETTER]  # == content_chars()
        if total < 2:
            return True  # no n-gram of two or more
        chars, pairs = self._content_pairs()
        if top:
            # Runs need two Latin letters or two digits.
            extras, per_length = _run_extras(self.classes().tobytes()) if counts[LATIN] + counts[DIGIT] > 1 else ([], 0)
            rooms = [(n, _largest_count(1, limit, total)) for n, limit in top if limit < 1]
            if not self._pairs_at_most(_top_allowed(rooms, total, extras, per_length)) and \
                    not _top_within(chars, pairs, self.sorted_pairs(), extras, top, total):
                return False
        if dup:
            n, limit = dup[0][0], min(limit for _, limit in dup)
            if limit < 1 and len(chars) > n:
                room = _largest_count(1, limit, total)
                ordered = self.sorted_pairs()
                extra = int(np.count_nonzero(ordered[1:] == ordered[:-1]))
                if min(total, 4 * extra) > room:  # repeated pairs do not settle it: the n-grams may
                    keys = pairs
                    if n > 2:
                        keys = _char_gram_keys(chars, pairs, n)
                        ordered = np.sort(keys)
                        extra = int(np.count_nonzero(ordered[1:] == ordered[:-1]))
                    # Then, if need be, the characters inside repeated character n-grams themselves.
                    if min(total, 2 * extra * n) > room and _covered_by_repeats(keys, n, total) > room:
                        return False
        return True

    def _pairs_at_most(self, count: int) -> bool:
        """Whether no content character pair occurs more than ``count`` times (False when ``count < 1``)."""
        if count < 1:
            return False
        if len(self._content_pairs()[1]) <= count:
            return True
        ordered = self.sorted_pairs()
        return not (ordered[count:] == ordered[:-count]).any()

    def ngram_excess(self, top: Sequence[tuple[int, float]],
                     dup: Sequence[tuple[int, float]]) -> tuple[str, float, float] | None:
        """The first n-gram measure above its limit, ``(name, value, limit)``, in the order ``top`` then
        ``dup`` (each sorted by n), or None: the decision of :meth:`ngram_repetition` without measuring what
        cannot fail.

        Bounds make most measures free. The most frequent n-gram is no more frequent than the most frequent
        shorter one (its prefix occurs wherever it does), so one sort of the shortest n-grams bounds every
        ``top_n``. A character inside a repeated n-gram is inside a repeated shorter one, so ``dup_n`` is at
        most ``dup_m`` for m < n, and at most ``m`` characters per repeated m-gram occurrence, which one sort
        counts. A measure is computed exactly only when its bound is above its limit; on real prose that is
        two sorts per document.

        >>> Measurements("好好学习天天向上" * 8).ngram_excess([(2, 0.3)], [(5, 0.6), (10, 0.6)])
        ('dup_5gram_frac', 1.0, 0.6)
        >>> Measurements("天地玄黄宇宙洪荒日月盈昃辰宿列张").ngram_excess([(2, 0.2), (4, 0.3)], [(5, 0.6)])
        """
        top, dup = sorted(top), sorted(dup)
        if self.ngrams_within(top, dup):
            return None
        total = self.content_chars()
        if not total:
            return None
        if top:
            first = top[0][0]
            keys = self._ngram_keys(first)
            # The largest count of the shortest n-gram that keeps every top_n under its limit.
            allowed = min(_largest_count(self.max_gram_chars(n), limit, total) for n, limit in top)
            if allowed < 1 or (len(keys) > allowed and _has_run_longer(keys, allowed)):
                count = None
                for n, limit in top:
                    if count is not None and count <= _largest_count(self.max_gram_chars(n), limit, total):
                        continue
                    count = self.top_ngram_count(n)
                    value = min(1.0, self.top_ngram_chars(n) / total)
                    if value > limit:
                        return f"top_{n}gram_frac", value, limit
        if dup:
            first = dup[0][0]
            keys = self._ngram_keys(first)
            if len(keys) < 2:
                return None
            ordered = np.sort(keys)
            extra = int(np.count_nonzero(ordered[1:] == ordered[:-1]))
            # Occurrences of repeated n-grams are at most twice the extra ones, each covering n characters.
            if min(total, 2 * extra * self.max_gram_chars(first)) <= \
                    _largest_count(1, min(limit for _, limit in dup), total):
                return None
            known = None
            for n, limit in dup:
                if known is not None and known <= limit:
                    continue
                known = self.dup_ngram_chars(n) / total
                if known > limit:
                    return f"dup_{n}gram_frac", known, limit
        return None

    # --- phrases and keywords ----------------------------------------------------------------------

    def repeated_phrases(self, *, min_repeats: int = 3, min_chars: int = 2) -> float:
        text = self.text or ""
        if min_chars == 2:
            phrases = _PHRASES.findall(text)  # the split and the length filter in one C loop
        else:
            phrases = [p for p in _PHRASE_SPLIT.split(text) if len(p) >= min_chars]
        if len(phrases) < min_repeats:
            return 0.0
        counts = Counter(phrases)
        if len(counts) > len(phrases) - min_repeats + 1:
            return 0.0  # too few repeats left for any phrase to reach min_repeats
        repeated = sum(len(p) * (c - 1) for p, c in counts.items() if c >= min_repeats)
        return min(1.0, repeated / max(self.nonspace(), 1))

    def repeated_phrases_within(self, limit: float, *, min_repeats: int = 3, min_chars: int = 2) -> bool:
        """True when a bound proves :meth:`repeated_phrases` is at most ``limit`` without splitting the text into
        phrases; False means "measure".

        A phrase (two or more characters) that occurs ``c >= min_repeats`` times either has two or more letters
        and digits (content characters, which are adjacent in the content string): then every one of them is in
        a content pair that occurs ``c`` times or more, and such pairs start at most ``min_repeats`` times as
        often as the extra occurrences one sort counts (the sort the n-gram bounds made); or it has at most
        one, and then its length is at most twice its other characters. Other characters (neither content,
        white space nor separator: "%", "…") are counted by the class table's marks. So the repeated characters
        are at most twice the others plus twice the positions of pairs occurring ``min_repeats`` times or more.

        >>> Measurements("今天，我们去公园。明天，我们去学校。").repeated_phrases_within(0.3)
        True
        >>> Measurements("劳务派遣，劳务派遣，劳务派遣，正规公司").repeated_phrases_within(0.3)
        False
        """
        if limit >= 1:
            return True
        if min_repeats < 2 or min_chars < 2:
            return False
        counts = self.counts()
        nonspace = self.nonspace()
        content = counts[CJK] + counts[LATIN] + counts[DIGIT] + counts[LETTER]
        bound = 2 * (nonspace - content - self.marks()[SEPARATOR_MARK])
        if content > 1:
            ordered = self.sorted_pairs()
            shift = min_repeats - 1
            if len(ordered) > shift:
                bound += 2 * min_repeats * int(np.count_nonzero(ordered[shift:] == ordered[:-shift]))
        return bound <= _largest_count(1, limit, max(nonspace, 1))

    def keyword_density(self, pack: KeywordPack | None = None) -> float:
        pack = pack or default_keywords()
        covered = pack.covered_chars(self.text or "")
        return min(1.0, covered / max(self.nonspace(), 1)) if covered else 0.0


def ngrams_within_many(measured: Sequence[Measurements], top: Sequence[tuple[int, float]],
                       dup: Sequence[tuple[int, float]],
                       joined: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> list[bool]:
    """:meth:`Measurements.ngrams_within` for many documents at once, numpy's fixed cost per call paid once per
    chunk instead of some fifteen times per document (the repetition stage's time on real text was mostly that
    cost): True proves what ``ngrams_within`` proves; False means "ask each document" (the bounds that only a
    few documents need, the runs' n-gram sorts and ``_top_within``, are left to it). ``joined``: the documents'
    code points and table entries end to end (:func:`joined_measurements`), if the caller has them.

    The content characters of all documents are read in one lookup over their joined code points and their
    pairs keyed in one pass; each document's pairs are then sorted on their own (a sort of one chunk's pairs
    would cost more than the per-document sorts it replaces) and counted together. The arrays are left in
    each ``Measurements``' cache, so a later ``ngrams_within``, ``ngram_excess`` or
    :meth:`Measurements.repeated_phrases_within` (the spam stage) reuses them.

    >>> texts = ["天地玄黄宇宙洪荒日月盈昃辰宿列张", "好好学习天天向上" * 8, "", "今天天气很好，我们一起去公园散步。"]
    >>> ngrams_within_many([Measurements(t) for t in texts], [(2, 0.3)], [(5, 0.6)])
    [True, False, True, True]
    """
    top, dup = sorted(top), sorted(dup)
    if top and top[0][0] < 2:
        return [False] * len(measured)  # ngrams_within measures these
    counts = [m.counts() for m in measured]
    totals = [c[CJK] + c[LATIN] + c[DIGIT] + c[LETTER] for c in counts]
    alive = [k for k, total in enumerate(totals) if total > 1]  # others have no n-gram of two: within
    out = [True] * len(measured)
    if not alive:
        return out
    if joined is None or len(alive) < len(measured):
        cps, entries, bounds = joined_measurements([measured[k] for k in alive])
    else:
        cps, entries, bounds = joined
    # Content characters and their pair keys, in one pass; each document's pairs are then sorted in place, in
    # one array: document i's at [firsts[i], firsts[i] + totals - 1), then one pair across the seam, unused.
    chars = np.compress((entries - _CONTENT_LO) < _CONTENT_SPAN, cps)
    pairs = (chars[:-1] << _S16) ^ chars[1:]
    joined_pairs = pairs.copy()
    start = 0
    for k in alive:
        end = start + totals[k]
        mine = joined_pairs[start : end - 1]
        mine.sort()
        if measured[k]._pairs is None:  # (cached ones hold the same arrays)
            measured[k]._pairs = [chars[start:end], pairs[start : end - 1], mine]
        start = end
    total = np.array([totals[k] for k in alive], dtype=np.int64)
    firsts = np.zeros(len(alive) + 1, dtype=np.int64)
    np.cumsum(total, out=firsts[1:])
    # The positions where a sorted pair equals the one before it in its document (the pairs beyond the first
    # of their kind); a run of k consecutive ones is a pair occurring k + 1 times. Neither a document's first
    # pair nor the seam after its last is one, so no run crosses two documents.
    same = np.zeros(len(joined_pairs) + 1, dtype=bool)
    np.equal(joined_pairs[1:], joined_pairs[:-1], out=same[1:-1])
    same[firsts[:-1]] = False
    same[firsts[1:] - 1] = False  # the seams
    repeats = np.flatnonzero(same)
    extra = np.diff(np.searchsorted(repeats, firsts))
    most = np.ones(len(alive), dtype=np.int64)
    if len(repeats):
        heads = np.flatnonzero(np.concatenate(([True], repeats[1:] != repeats[:-1] + 1)))
        runs = np.diff(np.append(heads, len(repeats))) + 1
        starts = np.searchsorted(repeats[heads], firsts)  # where each document's runs start among them
        has = np.flatnonzero(np.diff(starts))
        most[has] = np.maximum.reduceat(runs, starts[has])
    sizes = total - 1
    settled = np.ones(len(alive), dtype=bool)
    if dup:
        n, limit = dup[0][0], min(limit for _, limit in dup)
        if limit < 1:
            settled &= (total <= n) | (np.minimum(total, 4 * extra) <= _largest_counts(limit, total))
    if top:
        sums, per_length = _run_extras_many(entries, bounds, [n for n, _ in top])
        allowed = total.copy()  # as _top_allowed, for every document at once
        for n, limit in top:
            if limit < 1:
                room = _largest_counts(limit, total)
                fits = room // (n + sums[n])
                spread = n * per_length
                allowed = np.minimum(allowed, np.where(room >= spread, np.maximum(fits, (room - spread) // n), fits))
        # As _pairs_at_most; the tighter bound of _top_within is left to ngrams_within.
        settled &= (allowed >= 1) & ((sizes <= allowed) | (most <= allowed))
    for i in np.flatnonzero(~settled).tolist():
        out[alive[i]] = False
    return out


def joined_measurements(measured: Sequence[Measurements]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The code points and table entries of ``measured`` end to end, and where each document starts:
    ``(cps, entries, bounds)``, document ``k`` at ``[bounds[k], bounds[k + 1])``.

    >>> cps, entries, bounds = joined_measurements([Measurements("深圳"), Measurements(""), Measurements("a")])
    >>> cps.tolist() == code_points("深圳a").tolist(), bounds.tolist()
    (True, [0, 2, 2, 3])
    """
    cps, bounds = joined_prefixes([m.codepoints() for m in measured], None)
    entries = np.concatenate([m.classes() for m in measured]) if measured else np.zeros(0, dtype=np.uint8)
    return cps, entries, bounds


def unrepeated_lines_many(measured: Sequence[Measurements], joined: tuple[np.ndarray, np.ndarray, np.ndarray]) -> \
        list[bool]:
    """For each document, True when none of its lines repeats another (stripped, blank lines aside), so that the
    four shares of :meth:`Measurements.duplicate_lines` are 0.0, which it then keeps without splitting the text
    into lines; False means "measure" (a document already measured is left to its cache). ``joined`` is
    :func:`joined_measurements` of ``measured``.

    Read from the line breaks of a chunk at once: a line whose first or last character is white space (which
    ``str.strip`` would cut) leaves its document to be measured; the others are compared by a fingerprint (the
    document, the length and five of the characters), so equal lines always have equal fingerprints and a
    document whose fingerprints all differ has no repeated line (a document with two equal fingerprints is
    measured).

    >>> ms = [Measurements(t) for t in ("今天\\n明天", "今天\\n今天", "今天\\n 今天", "", "今天\\n\\n\\n明天\\n")]
    >>> unrepeated_lines_many(ms, joined_measurements(ms)), ms[0].duplicate_lines()["dup_line_frac"]
    ([True, False, False, True, True], 0.0)
    """
    cps, entries, bounds = joined
    docs = len(measured)
    if not docs:
        return []
    # Each line ends at a line break or at the end of its document (a document's end before a break at the
    # same place: that break opens the next document).
    ends = np.concatenate((bounds[1:], np.flatnonzero(cps == 10)))
    order = np.argsort(ends, kind="stable")
    ends = ends[order]
    closes = order < docs  # the line is its document's last
    starts = np.zeros(len(ends), dtype=np.int64)
    np.add(ends[:-1], ~closes[:-1], out=starts[1:])
    owner = np.zeros(len(ends), dtype=np.int64)
    np.cumsum(closes[:-1], out=owner[1:])
    sizes = ends - starts
    full = np.flatnonzero(sizes)
    starts, ends, owner, sizes = starts[full], ends[full], owner[full], sizes[full]
    suspect = np.zeros(docs, dtype=bool)
    # A line with white space at either end: its document is measured.
    edged = ((entries[starts] >> 2) == SPACE) | ((entries[ends - 1] >> 2) == SPACE)
    suspect[owner[edged]] = True
    two = sizes > 1
    marks = owner.astype(np.uint64)
    for column in (sizes, cps[starts], cps[starts + two], cps[starts + sizes // 2], cps[ends - 1 - two],
                   cps[ends - 1]):
        marks *= _LINE_MIX
        marks += column.astype(np.uint64)
    ranked = np.argsort(marks)
    ordered = marks[ranked]
    twins = np.flatnonzero(ordered[1:] == ordered[:-1])
    suspect[owner[ranked[twins]]] = True
    suspect[owner[ranked[twins + 1]]] = True
    clear = np.logical_not(suspect).tolist()
    for k, m in enumerate(measured):
        if m._dup is not None:
            clear[k] = False
        elif clear[k]:
            m._dup = _NO_DUPLICATES  # (duplicate_lines hands out copies)
    return clear


def _run_extras_many(entries: np.ndarray, bounds: np.ndarray, ns: Sequence[int]) -> tuple[dict[int, np.ndarray],
                                                                                          np.ndarray]:
    """:func:`~corpusclean.quality.ngram_bounds._run_extras` for many documents, whose table entries are joined
    in ``entries`` (document i at ``bounds[i]:bounds[i + 1]``): for each n of ``ns``, the sum of each document's n
    largest extra characters of a Latin word or number, and each document's largest (extra characters x words
    and numbers with that many), as int64 arrays. Only the Latin letters and digits (a few percent of Chinese
    text) are read past the first pass.

    >>> from corpusclean.quality.charclasses import _class_table
    >>> from corpusclean.text.codepoints import code_points
    >>> texts = ["GDP增长2020年，5G和H1N1与CPI", "", "深圳", "2020年3月15日"]
    >>> one = [_class_table()[code_points(t)] for t in texts]
    >>> bounds = np.cumsum([0] + [len(e) for e in one])
    >>> sums, per_length = _run_extras_many(np.concatenate(one), bounds, [1, 3])
    >>> sums[1].tolist(), sums[3].tolist(), per_length.tolist()
    ([3, 0, 0, 3], [7, 0, 0, 4], [4, 0, 0, 3])
    """
    docs = len(bounds) - 1
    firsts = np.asarray(bounds[:-1], dtype=np.int64)
    at = np.flatnonzero((entries - _RUN_LO) < _RUN_SPAN)  # the run classes' characters
    kinds = entries[at] >> 2
    # A character continues a run if the one before it in the text has its class, in the same document.
    goes_on = np.zeros(len(at), dtype=bool)
    np.logical_and(at[1:] == at[:-1] + 1, kinds[1:] == kinds[:-1], out=goes_on[1:])
    opening = np.searchsorted(at, firsts)  # a document's first character goes on no run
    inside = opening < len(at)
    opening = opening[inside]
    goes_on[opening[at[opening] == firsts[inside]]] = False
    run_starts = np.flatnonzero(~goes_on)
    extras = np.diff(np.append(run_starts, len(at))) - 1
    longer = extras > 0
    extras, owner = extras[longer], np.searchsorted(firsts, at[run_starts[longer]], side="right") - 1
    order = np.lexsort((-extras, owner))  # by document, largest first
    extras, owner = extras[order], owner[order]
    group = np.ones(len(extras), dtype=bool)  # a new document or a new number of extra characters
    np.logical_or(owner[1:] != owner[:-1], extras[1:] != extras[:-1], out=group[1:])
    doc_first = np.ones(len(extras), dtype=bool)
    np.not_equal(owner[1:], owner[:-1], out=doc_first[1:])
    heads = np.flatnonzero(doc_first)
    rank = np.arange(len(extras)) - np.repeat(heads, np.diff(np.append(heads, len(extras))))
    sums = {n: np.bincount(owner[rank < n], weights=extras[rank < n], minlength=docs).astype(np.int64)
            for n in set(ns)}
    group_starts = np.flatnonzero(group)
    spread = extras[group_starts] * np.diff(np.append(group_starts, len(extras)))
    per_length = np.zeros(docs, dtype=np.int64)
    np.maximum.at(per_length, owner[group_starts], spread)
    return sums, per_length


def _largest_counts(limit: float, totals: np.ndarray) -> np.ndarray:
    """``_largest_count(1, limit, total)`` for each of ``totals`` (int64, each >= 1): the same float arithmetic
    (an integer below 2**53 divided by one is correctly rounded both ways), so the same values.

    >>> totals = (1, 7, 10, 1000)
    >>> _largest_counts(0.2, np.array(totals)).tolist() == [_largest_count(1, 0.2, t) for t in totals]
    True
    """
    if limit >= 1:
        return totals.copy()
    count = (limit * totals).astype(np.int64)
    while True:
        down = (count > 0) & (count / totals > limit)
        if not down.any():
            break
        count -= down
    while True:
        up = (count + 1) / totals <= limit
        if not up.any():
            break
        count += up
    return count


# Table entries (class * 4 + mark) of the run classes, LATIN and DIGIT (adjacent class numbers).
_RUN_LO, _RUN_SPAN = np.uint8(4 * LATIN), np.uint8(4 * (DIGIT - LATIN + 1))
_HAS_WORD = re.compile(r"[^\W_]")  # a letter or digit
_NO_DUPLICATES = {"dup_line_frac": 0.0, "dup_line_char_frac": 0.0, "dup_para_frac": 0.0, "dup_para_char_frac": 0.0}
_LINE_MIX = np.uint64(0x9E3779B97F4A7C15)  # odd: mixes a line's fingerprint (collisions only cost a measure)
_LINE_SHARES = ("no_end_punct_frac", "short_line_frac", "list_frac")
_COMPOSITION = ("cjk_ratio", "latin_ratio", "digit_ratio", "symbol_ratio", "mask_ratio", "mojibake_ratio")
_SCRATCH = "quality_signals"


def shared(doc: Any) -> Measurements:
    """The :class:`Measurements` of ``doc.text``, kept in ``doc.scratch`` for the next quality stage.

    A cached value is used only if it measured this very string object (``is``, not ``==``: identical
    text costs a recount, changed text can never reuse a stale count).

    >>> from corpusclean.document import Document
    >>> doc = Document(id="1", text="深圳市")
    >>> shared(doc) is shared(doc)
    True
    >>> old = shared(doc); doc.text = "毕节市"; shared(doc) is old
    False
    """
    found = doc.scratch.get(_SCRATCH)
    if found is None or found.text is not doc.text:
        found = doc.scratch[_SCRATCH] = Measurements(doc.text)
    return found


def count_many(measured: Sequence[Measurements]) -> None:
    """:meth:`Measurements.counts` of several documents at once, the same values: their code points, table
    entries and class counts from one encode, one table lookup and one ``bincount`` over the texts end to end
    (a worker's chunk), instead of five numpy calls per document, whose fixed cost was most of the ``length``
    stage's time on web-sized documents. Each document keeps views of its own stretch of the chunk's arrays
    (read only, as the per-document ones are); those already counted are left as they are.

    >>> ms = [Measurements("深圳 2020 年GDP增长，"), Measurements(""), Measurements("锟斤拷，CZ***74")]
    >>> count_many(ms)
    >>> [m.counts() for m in ms] == [Measurements(m.text).counts() for m in ms], ms[2].marks()[1:]
    (True, [1, 3, 1])
    """
    todo = [m for m in measured if m._counts is None]
    if not todo:
        return
    texts = [m.text or "" for m in todo]
    cps, bounds = joined_code_points(texts)
    entries = np.take(_class_table(), cps)
    table = segment_bincounts(entries, bounds, 4 * len(CLASS_NAMES))
    per_doc = table.tolist()
    counts = table.reshape(len(texts), len(CLASS_NAMES), 4).sum(axis=2).tolist()
    starts, ends = bounds[:-1].tolist(), bounds[1:].tolist()
    for m, start, end, entry_counts, class_counts_ in zip(todo, starts, ends, per_doc, counts, strict=True):
        if m._cps is None:
            m._cps = cps[start:end]
        if m._classes is None:
            m._classes = entries[start:end]
        m._entries, m._counts = entry_counts, class_counts_


def class_counts(text: str) -> dict[str, int]:
    """How many characters of each class ``text`` has.

    >>> class_counts("深圳 2020 年GDP增长，")
    {'space': 2, 'cjk': 5, 'latin': 3, 'digit': 4, 'other_letter': 0, 'punct': 1, 'symbol': 0, 'other': 0}
    """
    return Measurements(text).class_counts()


def composition(text: str) -> dict[str, float]:
    """Shares of the non-space characters: CJK among letters, and digits, Latin letters, symbols,
    masking residue and mojibake residue among all non-space characters.

    ``cjk_ratio`` is CJK ideographs over all words, where an ideograph is a word, a run of Latin letters
    is one, and letters of other scripts (kana, hangul, Cyrillic...) count one by one: Japanese with its
    kana and English score low, a Chinese text quoting English names or annotated in pinyin does not.

    >>> c = composition("深圳市GDP增长3%。")
    >>> round(c["cjk_ratio"], 2), round(c["latin_ratio"], 2), round(c["digit_ratio"], 2)
    (0.83, 0.27, 0.09)
    """
    return Measurements(text).composition()


def mask_chars(text: str) -> int:
    """Characters in masking residue: runs of 3+ ``*``/``＊``/``×``/``□``... as left by censoring.

    >>> mask_chars("乘坐 CZ***74 航班，电话138****5678")
    7
    """
    if not any(c in text for c in _MASK_CHARS):
        return 0
    return sum(len(m.group().replace(" ", "")) for m in _MASK.finditer(text))


def mojibake_chars(text: str) -> int:
    """Characters in obvious mojibake residue: U+FFFD runs and 锟斤拷/烫烫烫/屯屯屯 strings.

    >>> mojibake_chars("锟斤拷锟斤拷正文\\ufffd")
    7
    """
    if "\ufffd" not in text and "锟斤拷" not in text and "烫烫烫" not in text and "屯屯屯" not in text:
        return 0
    return sum(len(m.group()) for m in _MOJIBAKE.finditer(text))


def mojibake_ratio(text: str, meta: dict[str, Any] | None = None) -> float:
    """Share of the document lost to mojibake: residue still in ``text`` plus the characters the
    ``mojibake`` repair stage cut (``meta["mojibake"]["lost_chars"]``), over the characters there were.

    >>> round(mojibake_ratio("正文正文\ufffd", {"mojibake": {"lost_chars": 5}}), 2)
    0.6
    """
    return Measurements(text).mojibake_ratio(meta)


def ends_sentence(line: str) -> bool:
    """Whether ``line`` ends like a sentence, Chinese or Western punctuation alike.

    A closing attribution in brackets after the sentence end, as news paragraphs have, is looked past.

    >>> ends_sentence("他说：“我们一起努力。”"), ends_sentence("首页 新闻 体育"), ends_sentence("Done.")
    (True, False, True)
    >>> ends_sentence("该公司推出九八冰箱新系列。（马艳）"), ends_sentence("国泰民安（篆刻）")
    (True, False)
    """
    line = _TRAILING_NOTE.sub("", line.rstrip()).rstrip(CLOSERS)
    return bool(line) and line[-1] in SENTENCE_END


def line_structure(text: str, *, short_line_chars: int = 10) -> dict[str, float]:
    """Character-weighted line signals: the share of characters in lines that do not end a sentence,
    in lines shorter than ``short_line_chars`` non-space characters, and in list items.

    Hard-wrapped text (old BBS posts and essays break lines mid-sentence at a fixed width) is read as
    the paragraphs it is: a line at least 85% as long as the document's long lines (its 90th
    percentile, if that is 20+ characters) continues into the next one, and the joined lines count as
    ending a sentence if the last one does. Titles, menu items and links vary in length and do not join.
    Weighting by characters means a long article with a short headline scores low.

    >>> s = line_structure("首页\\n新闻\\n体育\\n财经")
    >>> s["no_end_punct_frac"], s["short_line_frac"]
    (1.0, 1.0)
    >>> wrapped = ("今天天气很好，我们一起去公园散步，看见湖边\\n"
    ...            "的柳树发了新芽，孩子们在草地上追逐嬉戏，老人\\n们坐在长椅上聊天。")
    >>> line_structure("标题\\n" + wrapped)["no_end_punct_frac"] < 0.2
    True
    """
    return Measurements(text).line_structure(short_line_chars=short_line_chars)


def _dup_fractions(items: Sequence[str]) -> tuple[float, float]:
    """Gopher's duplicate measures: share of items that repeat an earlier one, and share of characters
    in those repeats."""
    if len(set(items)) == len(items):
        return 0.0, 0.0
    seen: set[str] = set()
    dup = dup_chars = total_chars = 0
    for item in items:
        total_chars += len(item)
        if item in seen:
            dup += 1
            dup_chars += len(item)
        else:
            seen.add(item)
    return (dup / len(items) if items else 0.0, dup_chars / total_chars if total_chars else 0.0)


def _paragraphs(lines: Sequence[str], stripped: Sequence[str]) -> list[str]:
    """Blank-line separated paragraphs, stripped: ``re.split(r"\\n\\s*\\n", text)`` without the regex."""
    out: list[str] = []
    start = None
    for i, line in enumerate(stripped):
        if line:
            if start is None:
                start = i
        elif start is not None:
            out.append("\n".join(lines[start:i]).strip())
            start = None
    if start is not None:
        out.append("\n".join(lines[start:]).strip())
    return out


def duplicate_lines(text: str) -> dict[str, float]:
    """Shares of lines and paragraphs (blank-line separated) that repeat an earlier one, and of the
    characters in them (Gopher's ``dup_line_frac``, ``dup_para_frac`` and their ``_char_`` forms).

    >>> d = duplicate_lines("毕节网\\n正文一。\\n毕节网\\n正文二。")
    >>> d["dup_line_frac"], round(d["dup_line_char_frac"], 2)
    (0.25, 0.21)
    """
    return Measurements(text).duplicate_lines()


def content_codepoints(text: str) -> np.ndarray:
    """Code points of the characters that n-gram measures see: letters, digits and symbols (no spaces,
    no punctuation), as Gopher's word n-grams ignore spacing and punctuation."""
    return Measurements(text).content()


def ngram_repetition(text: str, *, top_ns: Iterable[int] = (2, 3, 4),
                     dup_ns: Iterable[int] = (5, 6, 7, 8, 9, 10)) -> dict[str, float]:
    """Gopher's n-gram repetition measures over characters instead of words.

    ``top_{n}gram_frac``: share of characters covered by the most frequent character n-gram
    (its count times n, over all content characters). ``dup_{n}gram_frac``: share of characters that
    lie inside any n-gram occurring more than once. N-grams are keyed (exactly up to n = 3, by a rolling
    64-bit hash above) and counted with numpy, so a 10,000-character page costs well under a millisecond
    per n. The filter stage asks :meth:`Measurements.ngram_excess` instead, which skips what cannot fail.

    >>> r = ngram_repetition("好好学习天天向上" * 8)
    >>> round(r["top_2gram_frac"], 2), r["dup_10gram_frac"]
    (0.25, 1.0)
    >>> ngram_repetition("天地玄黄宇宙洪荒日月盈昃辰宿列张")["dup_5gram_frac"]
    0.0
    """
    return Measurements(text).ngram_repetition(top_ns=top_ns, dup_ns=dup_ns)




def repeated_phrases(text: str, *, min_repeats: int = 3, min_chars: int = 2) -> float:
    """Share of characters in phrases (runs between punctuation or spaces) that occur ``min_repeats``
    or more times: the signature of SEO keyword stuffing ("深圳劳务派遣 深圳劳务派遣公司 ...").

    Counts every occurrence beyond the first, over all non-space characters.

    >>> round(repeated_phrases("劳务派遣，劳务派遣，劳务派遣，正规公司"), 2)
    0.42
    >>> repeated_phrases("今天，我们去公园。明天，我们去学校。")
    0.0
    """
    return Measurements(text).repeated_phrases(min_repeats=min_repeats, min_chars=min_chars)


def keyword_density(text: str, pack: KeywordPack | None = None) -> float:
    """Share of non-space characters inside spam keywords (overlaps counted once).

    >>> round(keyword_density("澳门新葡京百家乐，注册送彩金！"), 2)
    0.87
    >>> keyword_density("警方破获一起网络赌博案，抓获犯罪嫌疑人12名。")
    0.0
    """
    return Measurements(text).keyword_density(pack)


# --- everything at once (for `corpusclean stats`) ------------------------------------------------------------

def measure(text: str, *, meta: dict[str, Any] | None = None, keywords: KeywordPack | None = None,
            language: bool = True) -> dict[str, float | str]:
    """Every quality signal of one text, by the names the filter stages use in their rejects.

    ``meta`` is the document's metadata from earlier stages (the mojibake repair's lost characters).

    >>> m = measure("今天天气很好，我们去公园散步。")
    >>> m["cjk_chars"], m["language"], m["no_end_punct_frac"]
    (13, 'zh', 0.0)
    """
    from corpusclean.text.language_id import identify

    m = Measurements(text)
    counts = m.counts()
    out: dict[str, float | str] = {"chars": m.nonspace(), "cjk_chars": counts[CJK]}
    out.update(m.composition())
    out["mojibake_ratio"] = m.mojibake_ratio(meta)
    if language:
        out["language"], out["language_score"] = identify(text)
    out.update(m.duplicate_lines())
    out.update(m.ngram_repetition())
    structure = m.line_structure()
    out.update({k: v for k, v in structure.items() if k != "lines"})
    out["keyword_density"] = m.keyword_density(keywords)
    out["repeated_phrase_frac"] = m.repeated_phrases()
    return out


def check_fraction(name: str, value: float) -> float:
    """``value`` if it is a share in [0, 1]; otherwise a ``ValueError`` naming the parameter.

    >>> check_fraction("max_digit_ratio", 1.5)
    Traceback (most recent call last):
    ...
    ValueError: max_digit_ratio must be a number between 0 and 1, got 1.5
    """
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a number between 0 and 1, got {value!r}")
    return float(value)
