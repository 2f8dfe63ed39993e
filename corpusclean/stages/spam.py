"""Drop spam pages: dense gambling/adult/advertising keywords, or the same phrases stuffed again and again."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from corpusclean.document import Document
from corpusclean.quality.charclasses import CJK, DIGIT, LATIN, LETTER, SEPARATOR_MARK, SPACE
from corpusclean.quality.signals import (
    KeywordPack,
    Measurements,
    _largest_counts,
    check_fraction,
    count_many,
    shared,
)
from corpusclean.stage import Filter, Limit
from corpusclean.text.codepoints import joined_prefixes, segment_totals


class Spam(Filter):
    """Reject a document when more than ``max_keyword_density`` of its characters are spam keywords
    (rule ``keyword_density``; the pack is ``rules/quality/spam_keywords.toml`` unless ``keywords`` names
    another file), or more than ``max_repeated_phrase_frac`` are phrases repeated three times or more
    (rule ``repeated_phrase_frac``: SEO keyword chains).

    A density, not a hit: reports about gambling crackdowns name the thing a few times and stay.

    >>> doc = Document(id="1", text="澳门新葡京娱乐城，百家乐、龙虎斗、时时彩，注册送38元彩金，提款秒到账！")
    >>> Spam().check(doc)
    >>> doc.rejected.rule
    'keyword_density'
    """

    name = "spam"

    def __init__(self, *, keywords: str = "builtin", max_keyword_density: float = 0.05,
                 max_repeated_phrase_frac: float = 0.3) -> None:
        if not isinstance(keywords, str) or not keywords:
            raise ValueError(f"keywords must be 'builtin' or the path of a keyword pack, got {keywords!r}")
        self.keywords = keywords
        self.pack = KeywordPack(None if keywords == "builtin" else keywords)
        self.max_keyword_density = check_fraction("max_keyword_density", max_keyword_density)
        self.max_repeated_phrase_frac = check_fraction("max_repeated_phrase_frac", max_repeated_phrase_frac)
        self._anchors: KeywordAnchors | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_anchors"] = None  # rebuilt where it is used
        return state

    def process_batch(self, docs: list[Document]) -> None:
        """:meth:`check` on a chunk, with the same decisions and values; no document is marked before all are
        measured (a chunk stopped by the time budget is redone one by one).

        The keyword automaton reads only the documents that hold one of the pack's anchors, runs of two or
        three adjacent characters (:class:`KeywordAnchors`), found over the chunk's code points at once; the
        others hold no keyword: a density of 0. The repeated-phrase bound of
        :meth:`~corpusclean.quality.signals.Measurements.repeated_phrases_within` is computed for the chunk at
        once (:func:`phrases_within_many`); the documents it does not settle are measured one by one.

        >>> docs = [Document(id="1", text="澳门新葡京娱乐城，百家乐、龙虎斗、时时彩"), Document(id="2", text="很好。")]
        >>> Spam().process_batch(docs)
        >>> [doc.rejected and doc.rejected.rule for doc in docs]
        ['keyword_density', None]
        """
        measured = [shared(doc) for doc in docs]
        count_many(measured)  # (the length stage has counted them in a run)
        if self._anchors is None:
            self._anchors = KeywordAnchors(self.pack)
        maybe = self._anchors.candidates(measured)
        within = phrases_within_many(measured, self.max_repeated_phrase_frac)
        verdicts = [self._verdict(doc, m, m.keyword_density(self.pack) if has_anchor else 0.0, settled)
                    for doc, m, has_anchor, settled in zip(docs, measured, maybe, within, strict=True)]
        for doc, verdict in zip(docs, verdicts, strict=True):
            if verdict is not None:
                doc.reject(self.name, verdict.pop("rule"), **verdict)

    def check(self, doc: Document) -> None:
        measured = shared(doc)
        verdict = self._verdict(doc, measured, measured.keyword_density(self.pack), None)
        if verdict is not None:
            doc.reject(self.name, verdict.pop("rule"), **verdict)

    def _verdict(self, doc: Document, measured: Measurements, density: float,
                 settled: bool | None) -> dict[str, Any] | None:
        """The rejection of a document (rule, value, threshold and for keywords their groups), or None.
        ``settled``: whether the repeated-phrase bound already keeps the document (None: not yet asked)."""
        if density > self.max_keyword_density:
            groups = sorted({group for _, _, group in self.pack.matches(doc.text)})
            return {"rule": "keyword_density", "value": round(density, 4), "threshold": self.max_keyword_density,
                    "groups": groups}
        if settled is None:
            settled = measured.repeated_phrases_within(self.max_repeated_phrase_frac)
        if settled:
            return None  # a bound from the counts and the shared pair sort: no phrase split needed
        repeated = measured.repeated_phrases()
        if repeated > self.max_repeated_phrase_frac:
            return {"rule": "repeated_phrase_frac", "value": round(repeated, 4),
                    "threshold": self.max_repeated_phrase_frac}
        return None

    def limits(self) -> tuple[Limit, ...]:
        return (Limit("keyword_density", self.max_keyword_density),
                Limit("repeated_phrase_frac", self.max_repeated_phrase_frac))

    def measure(self, doc: Document) -> dict[str, float]:
        measured = shared(doc)
        return {"keyword_density": measured.keyword_density(self.pack),
                "repeated_phrase_frac": measured.repeated_phrases()}

    def describe(self) -> dict[str, Any]:
        return {"stage": self.name, "keywords": self.pack.path, "pack": f"{self.pack.id} {self.pack.version}",
                "max_keyword_density": self.max_keyword_density,
                "max_repeated_phrase_frac": self.max_repeated_phrase_frac}


class KeywordAnchors:
    """For each keyword of a pack, a run of two or three of its adjacent characters, in every spelling the
    automaton matches (:meth:`KeywordPack.covered_chars` reads the text's own characters: Traditional and
    upper-case spellings too): a text holding none of these anchors holds no keyword. The anchor holds the
    keyword's rarest character and is the rarest triple around it (a two-character keyword is its own anchor),
    by the frequencies of :mod:`corpusclean.text.plausibility` (jieba's dictionary): ``abc`` costs what ``ab``
    and ``bc`` cost (as a two-character word, or as two characters) less what ``b`` costs. So 博彩网站 is
    anchored by 博彩网 (found by 彩), 成人网站 by 人网站 (by 站), not by the common word 网站.

    A chunk's texts are read at once from their code points (:meth:`candidates`): one table lookup finds the
    anchors' rarest characters (2.5% of the characters of 10 MB of real sentences), and only around those are
    the keys of the runs (``first << 16 ^ second``, uint32; a triple's: the pair's times an odd number plus
    the third, a hash) compared with the anchors' keys (through a bitmap of their hashes first; two triples
    with the same key only make a text a candidate it need not be). A pack matched on the keyword view (too
    many spellings), or with a one-character keyword, has no anchors: every text is a candidate.

    >>> from corpusclean.quality.keywords import default_keywords
    >>> anchors = KeywordAnchors(default_keywords())
    >>> texts = ["今天天气很好。", "欢迎来到百家乐", "歡迎來到百家樂", "", "BBIN平台", "赌球"]
    >>> anchors.candidates([Measurements(text) for text in texts])
    [False, True, True, False, True, True]
    """

    _TRIPLE = np.uint32(0x85EBCA6B)  # the pair key's factor in a triple's key
    _SLOT = np.uint32(0x9E3779B1)  # a key's slot in a bitmap of 2**16 is the top 16 bits of key times this

    def __init__(self, pack: KeywordPack) -> None:
        self.usable = False
        self.table = np.zeros(1 << 16, dtype=bool)
        self.slots = np.zeros(1 << 16, dtype=bool)  # the anchors' keys hashed (see _slot)
        # (width, where the lookup character is in the anchor): the anchors' keys, sorted.
        self.keys: dict[tuple[int, int], np.ndarray] = {}
        try:
            anchors = _keyword_anchors(pack)
        except (ImportError, OSError):  # no frequency tables
            return
        if anchors is None:
            return
        self.usable = True
        grouped: dict[tuple[int, int], list[str]] = {}
        for anchor, at in anchors:
            # Astral lookup characters all at the last entry, where np.take's clip puts every astral one.
            self.table[min(ord(anchor[at]), 0xFFFF)] = True
            grouped.setdefault((len(anchor), at), []).append(anchor)
        for (width, at), chosen in sorted(grouped.items()):
            columns = [np.array([ord(anchor[i]) for anchor in chosen], dtype=np.uint32) for i in range(width)]
            self.keys[width, at] = np.unique(self._keys(columns))
            self.slots[self._slot(self.keys[width, at])] = True

    def _keys(self, columns: list[np.ndarray]) -> np.ndarray:
        keys = columns[0] << np.uint32(16)
        keys ^= columns[1]
        if len(columns) == 3:
            keys *= self._TRIPLE  # (wraps around: uint32)
            keys += columns[2]
        return keys

    def _slot(self, keys: np.ndarray) -> np.ndarray:
        slots = keys * self._SLOT  # (wraps around: uint32)
        slots >>= np.uint32(16)
        return slots

    def candidates(self, measured: Sequence[Measurements]) -> list[bool]:
        """False for each text that holds no anchor (so no keyword), True for the others."""
        if not self.usable:
            return [True] * len(measured)
        flat, offsets = joined_prefixes([m.codepoints() for m in measured], None)
        out = [False] * len(measured)
        found = np.flatnonzero(np.take(self.table, flat, mode="clip"))  # the lookup characters
        if not len(found):
            return out
        owners = np.searchsorted(offsets, found, side="right") - 1
        before, after = found - offsets[owners], offsets[owners + 1] - found  # characters of its text around
        hit = np.zeros(len(found), dtype=bool)
        for (width, at), anchors in self.keys.items():
            room = np.flatnonzero((before >= at) & (after >= width - at))  # the anchor fits in the text
            first = found[room] - at
            keys = self._keys([flat[first + i] for i in range(width)])
            maybe = np.flatnonzero(np.take(self.slots, self._slot(keys)))  # then the keys themselves
            place = np.searchsorted(anchors, keys[maybe])
            place[place == len(anchors)] = 0
            hit[room[maybe[anchors[place] == keys[maybe]]]] = True
        for k in np.unique(owners[hit]).tolist():
            out[k] = True
        return out


def _keyword_anchors(pack: KeywordPack) -> set[tuple[str, int]] | None:
    """The anchors of :class:`KeywordAnchors` (strings of two or three characters, each with the index of its
    lookup character), or None when the pack has none."""
    from corpusclean.quality.keywords import _char_spellings
    from corpusclean.text.plausibility import _char_tables, char_cost

    if not pack.matches_raw_text():
        return None  # the pack is matched on the view: its spellings are not listed

    tables = _char_tables()

    def pair_cost(a: str, b: str) -> float:
        return min(tables.pair_cost(a + b), char_cost(a) + char_cost(b))

    anchors: set[tuple[str, int]] = set()
    for keywords in pack.groups.values():
        for keyword in keywords:
            options = [_char_spellings(char) for char in keyword]
            if len(keyword) < 2:
                return None  # a keyword without anchor
            # The rarest character, then the rarest triple around it (or the two-character keyword).
            rarest = max(range(len(keyword)), key=lambda j: (char_cost(keyword[j]), -j))
            first = 0
            if len(keyword) > 2:
                first = max(range(max(0, rarest - 2), min(rarest, len(keyword) - 3) + 1), key=lambda i: (
                    pair_cost(keyword[i], keyword[i + 1]) + pair_cost(keyword[i + 1], keyword[i + 2])
                    - char_cost(keyword[i + 1]), -i))
            width = min(3, len(keyword))
            for spelling in itertools.product(*options[first : first + width]):
                anchors.add(("".join(spelling), rarest - first))
    return anchors


def phrases_within_many(measured: Sequence[Measurements], limit: float, *, min_repeats: int = 3) -> list[bool]:
    """:meth:`Measurements.repeated_phrases_within` (phrases of two or more characters) of many documents, the
    same answers: the sorted content pairs of all (which the repetition stage left) compared once, joined, and
    the bound computed as columns.

    >>> texts = ["今天，我们去公园。明天，我们去学校。", "劳务派遣，劳务派遣，劳务派遣，正规公司", "", "好"]
    >>> phrases_within_many([Measurements(text) for text in texts], 0.3)
    [True, False, True, True]
    """
    if limit >= 1:
        return [True] * len(measured)
    if min_repeats < 2:
        return [False] * len(measured)
    if not measured:
        return []
    shift = min_repeats - 1
    counts = np.array([m.counts() for m in measured], dtype=np.int64)
    separators = np.fromiter((m.marks()[SEPARATOR_MARK] for m in measured), dtype=np.int64, count=len(measured))
    lengths = np.fromiter((len(m.text or "") for m in measured), dtype=np.int64, count=len(measured))
    nonspace = lengths - counts[:, SPACE]
    content = counts[:, CJK] + counts[:, LATIN] + counts[:, DIGIT] + counts[:, LETTER]
    bound = 2 * (nonspace - content - separators)
    paired = np.flatnonzero(content > 1).tolist()
    if paired:
        ordered, offsets = joined_prefixes([measured[k].sorted_pairs() for k in paired], None)
        starts, ends = offsets[:-1], offsets[1:]
        same = np.zeros(len(ordered), dtype=bool)  # same[i]: the pair at i + shift is the one at i
        if len(ordered) > shift:
            np.equal(ordered[shift:], ordered[:-shift], out=same[:-shift])
        # Positions i of a document with i + shift in it too; none when it has shift pairs or fewer.
        repeats = segment_totals(same, starts, np.maximum(ends - shift, starts))
        bound[paired] += 2 * min_repeats * repeats
    return (bound <= _largest_counts(limit, np.maximum(nonspace, 1))).tolist()
